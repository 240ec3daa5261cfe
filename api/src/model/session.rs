use sea_orm::entity::prelude::*;

/// A signed-in browser. The cookie holds a random secret; only its SHA-256 hash is kept, so a
/// copy of the database opens no one's session.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub secret_hash: String,
    pub user_id: Uuid,
    /// Sent back with every state-changing request the cookie authenticates.
    pub csrf_token: String,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    /// The absolute end, however active the session is.
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
