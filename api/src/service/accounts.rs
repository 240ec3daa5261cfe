//! People and their memberships: who a user is, and the roles they hold where.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession,
    TransactionTrait, prelude::Uuid,
};
use serde_json::json;

use super::check::Check;
use super::{access, journal};
use crate::actor::{Actor, Grant, UserActor};
use crate::error::{ErrorCode, ServiceError, ServiceResult, on_unique};
use crate::model::{EntryPoint, Role, TokenScope, membership, organisation, user, values::Email};

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
    let mut check = Check::new();
    let issuer = check.text("issuer", "the identity provider", &identity.issuer, 300);
    let subject = check.text("subject", "the subject", &identity.subject, 255);
    let name = check.text("name", "the person's name", &identity.name, 200);
    let email = identity
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .and_then(|e| check.take(Email::parse("email", e)))
        .map(Email::into_inner);
    check.finish()?;

    let txn = crate::db::begin_write(db).await?;
    let now = Utc::now();
    let stored = match find_user(&txn, &issuer, &subject).await? {
        Some(existing) => {
            user::Entity::update(user::ActiveModel {
                id: Set(existing.id),
                name: Set(name),
                email: Set(email),
                updated_at: Set(now),
                ..Default::default()
            })
            .exec(&txn)
            .await?
        }
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
            .exec_without_returning(&txn)
            .await
            .map_err(|e| {
                on_unique(
                    e,
                    "subject",
                    "This identity was registered at the same moment; try again",
                )
            })?;
            journal::audit(&txn, actor, "user.create", "user", id, json!({})).await?;
            user::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or(ServiceError::NotFound("user"))?
        }
    };
    txn.commit().await?;
    Ok(stored)
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

/// Gives a user a role at an organisation.
#[tracing::instrument(skip_all)]
pub async fn grant_membership(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    user_id: Uuid,
    organisation_id: Uuid,
    role: Role,
) -> ServiceResult<membership::Model> {
    access::ensure_administrator(actor, "manage memberships")?;
    let txn = crate::db::begin_write(db).await?;
    if user::Entity::find_by_id(user_id).one(&txn).await?.is_none() {
        return Err(ServiceError::field(
            "userId",
            ErrorCode::NotFound,
            "There is no user with that id",
        ));
    }
    let Some(organisation) = organisation::Entity::find_by_id(organisation_id)
        .one(&txn)
        .await?
    else {
        return Err(ServiceError::field(
            "organisationId",
            ErrorCode::NotFound,
            "There is no organisation with that id",
        ));
    };
    if role == Role::Commissioner && !organisation.kind.is_nhs() {
        return Err(ServiceError::field(
            "role",
            ErrorCode::NotAllowed,
            "Commissioners must belong to an NHS organisation",
        ));
    }
    let model = membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        organisation_id: Set(organisation_id),
        role: Set(role),
        created_at: Set(Utc::now()),
    };
    let id = *model.id.as_ref();
    membership::Entity::insert(model)
        .exec_without_returning(&txn)
        .await
        .map_err(|e| {
            on_unique(
                e,
                "role",
                "The user already has this role at this organisation",
            )
        })?;
    journal::audit(
        &txn,
        actor,
        "membership.grant",
        "membership",
        id,
        json!({ "user_id": user_id, "organisation_id": organisation_id, "role": role }),
    )
    .await?;
    let created = membership::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("membership"))?;
    txn.commit().await?;
    Ok(created)
}

#[tracing::instrument(skip_all)]
pub async fn revoke_membership(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    membership_id: Uuid,
) -> ServiceResult<()> {
    access::ensure_administrator(actor, "manage memberships")?;
    let txn = crate::db::begin_write(db).await?;
    let deleted = membership::Entity::delete_by_id(membership_id)
        .exec(&txn)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(ServiceError::NotFound("membership"));
    }
    journal::audit(
        &txn,
        actor,
        "membership.revoke",
        "membership",
        membership_id,
        json!({}),
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
