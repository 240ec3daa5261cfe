//! API tokens for programmatic GraphQL clients. The secret is shown once, at creation; only its
//! SHA-256 hash is stored. A token acts as its owner, narrowed to its scope, until it expires or
//! is revoked.

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait, prelude::Uuid,
};
use serde_json::json;

use super::check::Check;
use super::{access, accounts, journal};
use crate::actor::Actor;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::model::{EntryPoint, TokenScope, api_token};
use crate::secret;

/// Every secret starts with this, so leaked tokens are easy to recognise and scan for.
pub const PREFIX: &str = "ior_";
/// The longest a token may live.
pub const MAX_DAYS: i64 = 366;

/// A newly created token: the record, and the secret that is never shown again.
#[derive(Debug)]
pub struct NewToken {
    pub token: api_token::Model,
    pub secret: String,
}

/// Creates a token for the signed-in actor. Creating one is a change, so a read-only token
/// cannot; a read-write token can (until browser sign-in arrives it is how programs get one).
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    name: &str,
    scope: TokenScope,
    expires_in_days: i64,
) -> ServiceResult<NewToken> {
    let Some(user_id) = actor.user_id() else {
        return Err(ServiceError::Unauthenticated);
    };
    access::ensure_can_write(actor)?;
    let mut check = Check::new();
    let name = check.text(
        "name",
        "a name for the token, like 'ICB dashboard'",
        name,
        100,
    );
    if !(1..=MAX_DAYS).contains(&expires_in_days) {
        check.fail(
            "expiresInDays",
            ErrorCode::OutOfRange,
            format!("A token must expire in 1 to {MAX_DAYS} days"),
        );
    }
    check.finish()?;

    let secret = secret::generate(PREFIX);
    let now = Utc::now();
    let id = Uuid::now_v7();
    let txn = crate::db::begin_write(db).await?;
    api_token::Entity::insert(api_token::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        name: Set(name),
        token_hash: Set(secret::hash(&secret)),
        scope: Set(scope),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(expires_in_days)),
        revoked_at: Set(None),
        last_used_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    journal::audit(
        &txn,
        actor,
        "api_token.create",
        "api_token",
        id,
        json!({ "scope": scope }),
    )
    .await?;
    let token = api_token::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("token"))?;
    txn.commit().await?;
    Ok(NewToken { token, secret })
}

/// Revokes a token: its owner or an administrator may.
#[tracing::instrument(skip_all)]
pub async fn revoke(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<api_token::Model> {
    access::ensure_can_write(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let token = api_token::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|t| actor.user_id() == Some(t.user_id) || actor.is_administrator())
        .ok_or(ServiceError::NotFound("token"))?;
    let revoked = api_token::Entity::update(api_token::ActiveModel {
        id: Set(token.id),
        revoked_at: Set(Some(token.revoked_at.unwrap_or_else(Utc::now))),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    journal::audit(&txn, actor, "api_token.revoke", "api_token", id, json!({})).await?;
    txn.commit().await?;
    Ok(revoked)
}

/// The tokens of the signed-in user, newest first (never their secrets).
pub async fn of_viewer(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> ServiceResult<Vec<api_token::Model>> {
    let Some(user_id) = actor.user_id() else {
        return Ok(Vec::new());
    };
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?)
}

/// The actor a bearer token stands for, or `Unauthenticated` when it is unknown, expired or
/// revoked (the same answer for each, so a guess learns nothing).
#[tracing::instrument(skip_all)]
pub async fn authenticate(db: &impl ConnectionTrait, secret: &str) -> ServiceResult<Actor> {
    if !secret.starts_with(PREFIX) || secret.len() > 200 {
        return Err(ServiceError::Unauthenticated);
    }
    let now = Utc::now();
    let token = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(secret::hash(secret)))
        .one(db)
        .await?
        .filter(|t| t.revoked_at.is_none() && t.expires_at > now)
        .ok_or(ServiceError::Unauthenticated)?;
    // Recording use at most once a minute keeps reads from becoming writes.
    if token
        .last_used_at
        .is_none_or(|at| now - at > Duration::minutes(1))
    {
        api_token::Entity::update_many()
            .col_expr(
                api_token::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(api_token::Column::Id.eq(token.id))
            .exec(db)
            .await?;
    }
    accounts::actor_for_user(db, token.user_id, EntryPoint::Graphql, Some(token.scope)).await
}
