use sea_orm::entity::prelude::*;

/// A sign-in sent to the identity provider and not yet back: what the callback must match.
/// Keyed by the hash of its `state`, and deleted when the callback uses it, so a replayed
/// callback finds nothing.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "login_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_hash: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where to go after signing in (a path on this site).
    pub return_to: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
