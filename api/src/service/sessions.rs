//! Browser sessions and pending sign-ins, in the database. The cookie holds a random secret and
//! the table only its hash; a session ends at its idle limit, at its absolute limit, or at
//! sign-out, and then it is gone from the server, not just from the browser.

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession,
    TransactionTrait, prelude::Uuid,
};
use serde_json::json;

use super::{accounts, journal};
use crate::actor::Actor;
use crate::error::ServiceResult;
use crate::model::{EntryPoint, login_attempt, session};
use crate::secret;

/// How long sessions last.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// Ends a session nobody has used for this long.
    pub idle: Duration,
    /// Ends every session this long after sign-in, however active.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::minutes(60),
            absolute: Duration::hours(12),
        }
    }
}

/// How long a sign-in may take at the provider.
const LOGIN_TTL_MINUTES: i64 = 10;
/// Activity is written back at most this often, so reads stay reads.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// The session a request came with, and who it is.
#[derive(Debug, Clone)]
pub struct Current {
    pub session_id: Uuid,
    pub csrf_token: String,
    pub actor: Actor,
}

/// Starts a session for a user who has just signed in. The browser's previous session, if it
/// had one, ends: the session id always changes at sign-in. Returns the new cookie secret; the
/// session's CSRF token is read back with it by [`current`].
#[tracing::instrument(skip_all)]
pub async fn start(
    db: &(impl ConnectionTrait + TransactionTrait),
    user_id: Uuid,
    policy: SessionPolicy,
    previous_secret: Option<&str>,
) -> ServiceResult<String> {
    let now = Utc::now();
    let cookie_secret = secret::generate("");
    let id = Uuid::now_v7();
    let txn = crate::db::begin_write(db).await?;
    if let Some(previous) = previous_secret {
        session::Entity::delete_many()
            .filter(session::Column::SecretHash.eq(secret::hash(previous)))
            .exec(&txn)
            .await?;
    }
    session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lt(now))
        .exec(&txn)
        .await?;
    session::Entity::insert(session::ActiveModel {
        id: Set(id),
        secret_hash: Set(secret::hash(&cookie_secret)),
        user_id: Set(user_id),
        csrf_token: Set(secret::generate("")),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + policy.absolute),
    })
    .exec_without_returning(&txn)
    .await?;
    let actor = accounts::actor_for_user(&txn, user_id, EntryPoint::Web, None).await?;
    journal::audit(&txn, &actor, "session.start", "session", id, json!({})).await?;
    txn.commit().await?;
    Ok(cookie_secret)
}

/// The live session with this cookie secret, if any; an idle or expired one is deleted.
#[tracing::instrument(skip_all)]
pub async fn current(
    db: &impl ConnectionTrait,
    cookie_secret: &str,
    policy: SessionPolicy,
    entry_point: EntryPoint,
) -> ServiceResult<Option<Current>> {
    if cookie_secret.is_empty() || cookie_secret.len() > 100 {
        return Ok(None);
    }
    let Some(found) = session::Entity::find()
        .filter(session::Column::SecretHash.eq(secret::hash(cookie_secret)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    if found.expires_at <= now || now - found.last_seen_at > policy.idle {
        session::Entity::delete_by_id(found.id).exec(db).await?;
        return Ok(None);
    }
    if now - found.last_seen_at > Duration::seconds(TOUCH_EVERY_SECONDS) {
        session::Entity::update_many()
            .col_expr(
                session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(session::Column::Id.eq(found.id))
            .exec(db)
            .await?;
    }
    let actor = accounts::actor_for_user(db, found.user_id, entry_point, None).await?;
    Ok(Some(Current {
        session_id: found.id,
        csrf_token: found.csrf_token,
        actor,
    }))
}

/// Ends a session on the server. Returns whether there was one.
#[tracing::instrument(skip_all)]
pub async fn end(
    db: &(impl ConnectionTrait + TransactionTrait),
    cookie_secret: &str,
) -> ServiceResult<bool> {
    let txn = crate::db::begin_write(db).await?;
    let Some(found) = session::Entity::find()
        .filter(session::Column::SecretHash.eq(secret::hash(cookie_secret)))
        .one(&txn)
        .await?
    else {
        return Ok(false);
    };
    session::Entity::delete_by_id(found.id).exec(&txn).await?;
    let actor = accounts::actor_for_user(&txn, found.user_id, EntryPoint::Web, None).await?;
    journal::audit(&txn, &actor, "session.end", "session", found.id, json!({})).await?;
    txn.commit().await?;
    Ok(true)
}

/// What the callback of a sign-in must match.
#[derive(Debug)]
pub struct PendingLogin {
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
}

/// Remembers a sign-in sent to the provider, under the hash of its `state`.
pub async fn remember_login(
    db: &impl ConnectionTrait,
    state: &str,
    login: PendingLogin,
) -> ServiceResult<()> {
    let now = Utc::now();
    login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    login_attempt::Entity::insert(login_attempt::ActiveModel {
        state_hash: Set(secret::hash(state)),
        nonce: Set(login.nonce),
        pkce_verifier: Set(login.pkce_verifier),
        return_to: Set(login.return_to),
        created_at: Set(now),
        expires_at: Set(now + Duration::minutes(LOGIN_TTL_MINUTES)),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Takes the pending sign-in with this `state`, once: a second callback with the same state,
/// or one with a state this server never issued, or one too late, finds nothing.
pub async fn take_login(
    db: &impl ConnectionTrait,
    state: &str,
) -> ServiceResult<Option<PendingLogin>> {
    if state.is_empty() || state.len() > 200 {
        return Ok(None);
    }
    let key = secret::hash(state);
    let Some(found) = login_attempt::Entity::find_by_id(key.clone())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    // Only the request that deletes the row may use it, so two racing callbacks cannot both win.
    let deleted = login_attempt::Entity::delete_by_id(key).exec(db).await?;
    if deleted.rows_affected != 1 || found.expires_at <= Utc::now() {
        return Ok(None);
    }
    Ok(Some(PendingLogin {
        nonce: found.nonce,
        pkce_verifier: found.pkce_verifier,
        return_to: found.return_to,
    }))
}
