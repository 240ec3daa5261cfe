//! People and their memberships: who a user is, and the roles they hold where.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait, prelude::Uuid,
};
use serde_json::json;

use super::check::Check;
use super::{access, journal, memberships};
use crate::actor::{Actor, Grant, UserActor};
use crate::error::{ServiceError, ServiceResult, on_unique};
use crate::model::{EntryPoint, TokenScope, membership, organisation, user, values::Email};

/// The issuer recorded for demo accounts. The accounts are users like any other; only their
/// issuer sets them apart, so the demo sign-in page can list them and the seeder create them.
pub const DEMO_ISSUER: &str = "urn:registry:demo";

/// What an identity provider (or the demo seeder) says about a person.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
}

/// Finds the user with this issuer and subject, creating them on first sign-in and keeping
/// their name and e-mail up to date.
#[tracing::instrument(skip_all)]
pub async fn upsert_user(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    identity: Identity,
) -> ServiceResult<user::Model> {
    let txn = crate::db::begin_write(db).await?;
    let stored = upsert_in(&txn, actor, identity).await?;
    txn.commit().await?;
    Ok(stored)
}

/// What a provider asserted beyond who the person is.
#[derive(Debug, Clone, Default)]
pub struct SignInClaims {
    /// The provider vouches for the e-mail address, so invitations to it may be accepted.
    pub email_verified: bool,
    /// ODS codes from the configured organisation claim; `None` when no claim is configured.
    pub organisation_codes: Option<Vec<String>>,
}

/// Records a sign-in, all in one transaction: the user (created on first sign-in), their
/// invitations accepted, their claim-granted memberships brought in step with the provider.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    db: &(impl ConnectionTrait + TransactionTrait),
    identity: Identity,
    claims: SignInClaims,
) -> ServiceResult<user::Model> {
    let actor = Actor::system(EntryPoint::Web);
    let txn = crate::db::begin_write(db).await?;
    let stored = upsert_in(&txn, &actor, identity).await?;
    if claims.email_verified
        && let Some(email) = &stored.email
    {
        memberships::accept_invitations(&txn, &actor, stored.id, email).await?;
    }
    if let Some(codes) = &claims.organisation_codes {
        memberships::sync_claimed(&txn, &actor, stored.id, codes).await?;
    }
    txn.commit().await?;
    Ok(stored)
}

async fn upsert_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    identity: Identity,
) -> ServiceResult<user::Model> {
    let mut check = Check::new();
    let issuer = check.text("issuer", "the identity provider", &identity.issuer, 300);
    let subject = check.text("subject", "the subject", &identity.subject, 255);
    let name = check.text("name", "the person's name", &identity.name, 200);
    let email = identity
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .and_then(|e| check.take(Email::parse("email", e)))
        .map(|e| e.into_inner().to_lowercase());
    check.finish()?;

    let now = Utc::now();
    match find_user(txn, &issuer, &subject).await? {
        Some(existing) => Ok(user::Entity::update(user::ActiveModel {
            id: Set(existing.id),
            name: Set(name),
            email: Set(email),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec(txn)
        .await?),
        None => {
            let id = Uuid::now_v7();
            user::Entity::insert(user::ActiveModel {
                id: Set(id),
                issuer: Set(issuer),
                subject: Set(subject),
                name: Set(name),
                email: Set(email),
                is_administrator: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_without_returning(txn)
            .await
            .map_err(|e| {
                on_unique(
                    e,
                    "subject",
                    "This identity was registered at the same moment; try again",
                )
            })?;
            journal::audit(txn, actor, "user.create", "user", id, json!({})).await?;
            user::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or(ServiceError::NotFound("user"))
        }
    }
}

/// Makes a user a registry administrator (or not).
#[tracing::instrument(skip_all)]
pub async fn set_administrator(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    user_id: Uuid,
    is_administrator: bool,
) -> ServiceResult<()> {
    access::ensure_administrator(actor, "appoint administrators")?;
    let txn = crate::db::begin_write(db).await?;
    let found = user::Entity::update_many()
        .col_expr(user::Column::IsAdministrator, is_administrator.into())
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    if found.rows_affected == 0 {
        return Err(ServiceError::NotFound("user"));
    }
    journal::audit(
        &txn,
        actor,
        "user.set_administrator",
        "user",
        user_id,
        json!({ "is_administrator": is_administrator }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn find_user(
    db: &impl ConnectionTrait,
    issuer: &str,
    subject: &str,
) -> ServiceResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Issuer.eq(issuer))
        .filter(user::Column::Subject.eq(subject))
        .one(db)
        .await?)
}

/// The memberships of a user, each with its organisation.
pub async fn memberships_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> ServiceResult<Vec<(membership::Model, organisation::Model)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .find_also_related(organisation::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, o)| o.map(|o| (m, o)))
        .collect())
}

/// Builds the actor for a signed-in user (or an API token's owner, limited to its scope).
#[tracing::instrument(skip_all)]
pub async fn actor_for_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    entry_point: EntryPoint,
    token_scope: Option<TokenScope>,
) -> ServiceResult<Actor> {
    let user = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(ServiceError::Unauthenticated)?;
    let grants = memberships_of(db, user_id)
        .await?
        .into_iter()
        .map(|(m, o)| Grant {
            organisation_id: o.id,
            organisation_kind: o.kind,
            role: m.role,
        })
        .collect();
    Ok(Actor::user(
        UserActor {
            id: user.id,
            name: user.name,
            is_administrator: user.is_administrator,
            grants,
            token_scope,
        },
        entry_point,
    ))
}

/// A demo account as the demo sign-in page offers it.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub subject: String,
    pub name: String,
    pub is_administrator: bool,
    /// "Evaluator at Northfield NHS Trust", one line a membership.
    pub roles: Vec<String>,
}

/// The demo accounts (users of the demo issuer), for the demo sign-in page.
#[tracing::instrument(skip_all)]
pub async fn demo_accounts(db: &impl ConnectionTrait) -> ServiceResult<Vec<DemoAccount>> {
    let users = user::Entity::find()
        .filter(user::Column::Issuer.eq(DEMO_ISSUER))
        .order_by_asc(user::Column::Subject)
        .all(db)
        .await?;
    let mut accounts = Vec::with_capacity(users.len());
    for person in users {
        let roles = memberships_of(db, person.id)
            .await?
            .into_iter()
            .map(|(m, o)| format!("{} at {}", m.role.label(), o.name))
            .collect();
        accounts.push(DemoAccount {
            subject: person.subject,
            name: person.name,
            is_administrator: person.is_administrator,
            roles,
        });
    }
    Ok(accounts)
}
