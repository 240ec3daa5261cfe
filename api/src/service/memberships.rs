//! Who belongs where, in which role. Administrators grant, change and remove memberships and
//! invite people by e-mail address before they have ever signed in; an identity provider's
//! organisation claim grants plain membership at sign-in. Every change is audited.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait, prelude::Uuid,
};
use serde_json::json;

use super::{access, journal};
use crate::actor::Actor;
use crate::error::{ErrorCode, ServiceError, ServiceResult, on_unique};
use crate::model::{
    MembershipSource, Role, invitation, membership, organisation, user, values::Email,
};

/// A membership with the organisation it is held at.
pub type Held = (membership::Model, organisation::Model);

/// Gives a user a role at an organisation.
#[tracing::instrument(skip_all)]
pub async fn grant(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    user_id: Uuid,
    organisation_id: Uuid,
    role: Role,
) -> ServiceResult<Held> {
    access::ensure_administrator(actor, "manage memberships")?;
    let txn = crate::db::begin_write(db).await?;
    if user::Entity::find_by_id(user_id).one(&txn).await?.is_none() {
        return Err(ServiceError::field(
            "userId",
            ErrorCode::NotFound,
            "There is no user with that id",
        ));
    }
    let organisation = organisation_for(&txn, organisation_id, role).await?;
    let created = insert(
        &txn,
        actor,
        user_id,
        &organisation,
        role,
        MembershipSource::Administrator,
    )
    .await?;
    txn.commit().await?;
    Ok((created, organisation))
}

/// Invites whoever signs in with `email`, verified by the identity provider, to a role at
/// an organisation. It always waits for that sign-in, even when someone with the address has
/// signed in before: a provider may pass on an address it never verified, and a role must
/// not go to whoever merely claimed one.
#[tracing::instrument(skip_all)]
pub async fn invite(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    organisation_id: Uuid,
    email: &str,
    role: Role,
) -> ServiceResult<invitation::Model> {
    access::ensure_administrator(actor, "invite members")?;
    let email =
        normalised(Email::parse("email", email).map_err(|e| ServiceError::Invalid(vec![e]))?);
    let txn = crate::db::begin_write(db).await?;
    let organisation = organisation_for(&txn, organisation_id, role).await?;
    let model = invitation::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(organisation.id),
        email: Set(email.clone()),
        role: Set(role),
        invited_by: Set(actor.user_id()),
        created_at: Set(Utc::now()),
        accepted_at: Set(None),
    };
    let id = *model.id.as_ref();
    invitation::Entity::insert(model)
        .exec_without_returning(&txn)
        .await
        .map_err(|e| {
            on_unique(
                e,
                "email",
                "This address is already invited to this role at this organisation",
            )
        })?;
    journal::audit(
        &txn,
        actor,
        "invitation.create",
        "invitation",
        id,
        json!({ "organisation_id": organisation.id, "email": email, "role": role }),
    )
    .await?;
    let invited = invitation::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("invitation"))?;
    txn.commit().await?;
    Ok(invited)
}

/// Changes the role of a membership.
#[tracing::instrument(skip_all)]
pub async fn set_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    membership_id: Uuid,
    role: Role,
) -> ServiceResult<Held> {
    access::ensure_administrator(actor, "manage memberships")?;
    let txn = crate::db::begin_write(db).await?;
    let current = membership::Entity::find_by_id(membership_id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("membership"))?;
    let organisation = organisation_for(&txn, current.organisation_id, role).await?;
    let clash = membership::Entity::find()
        .filter(membership::Column::UserId.eq(current.user_id))
        .filter(membership::Column::OrganisationId.eq(current.organisation_id))
        .filter(membership::Column::Role.eq(role))
        .filter(membership::Column::Id.ne(membership_id))
        .one(&txn)
        .await?;
    if clash.is_some() {
        return Err(ServiceError::field(
            "role",
            ErrorCode::Taken,
            "The user already has this role at this organisation",
        ));
    }
    let updated = membership::Entity::update(membership::ActiveModel {
        id: Set(membership_id),
        role: Set(role),
        // An administrator's decision is no longer the provider's to take back.
        source: Set(MembershipSource::Administrator),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    journal::audit(
        &txn,
        actor,
        "membership.set_role",
        "membership",
        membership_id,
        json!({ "from": current.role, "to": role }),
    )
    .await?;
    txn.commit().await?;
    Ok((updated, organisation))
}

/// Ends a membership.
#[tracing::instrument(skip_all)]
pub async fn revoke(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    membership_id: Uuid,
) -> ServiceResult<()> {
    access::ensure_administrator(actor, "manage memberships")?;
    let txn = crate::db::begin_write(db).await?;
    let Some(current) = membership::Entity::find_by_id(membership_id)
        .one(&txn)
        .await?
    else {
        return Err(ServiceError::NotFound("membership"));
    };
    membership::Entity::delete_by_id(membership_id)
        .exec(&txn)
        .await?;
    journal::audit(
        &txn,
        actor,
        "membership.revoke",
        "membership",
        membership_id,
        json!({
            "user_id": current.user_id,
            "organisation_id": current.organisation_id,
            "role": current.role,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Who belongs to an organisation, and who is invited there but has not signed in yet.
#[derive(Debug, Clone)]
pub struct Roster {
    /// Each membership with its person, by name.
    pub members: Vec<(membership::Model, user::Model)>,
    /// Invitations not yet taken up, oldest first.
    pub invited: Vec<invitation::Model>,
}

/// The memberships and open invitations of an organisation (administrators only).
#[tracing::instrument(skip_all)]
pub async fn roster(
    db: &impl ConnectionTrait,
    actor: &Actor,
    organisation_id: Uuid,
) -> ServiceResult<Roster> {
    access::ensure_administrator(actor, "manage memberships")?;
    let held = membership::Entity::find()
        .filter(membership::Column::OrganisationId.eq(organisation_id))
        .all(db)
        .await?;
    let people = user::Entity::find()
        .filter(user::Column::Id.is_in(held.iter().map(|m| m.user_id)))
        .all(db)
        .await?;
    let mut members: Vec<(membership::Model, user::Model)> = held
        .into_iter()
        .filter_map(|m| {
            let person = people.iter().find(|u| u.id == m.user_id)?.clone();
            Some((m, person))
        })
        .collect();
    members.sort_by(|a, b| {
        (a.1.name.as_str(), a.0.role.as_str()).cmp(&(b.1.name.as_str(), b.0.role.as_str()))
    });
    let invited = invitation::Entity::find()
        .filter(invitation::Column::OrganisationId.eq(organisation_id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .order_by_asc(invitation::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(Roster { members, invited })
}

/// One membership with its person (administrators only).
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    membership_id: Uuid,
) -> ServiceResult<(membership::Model, user::Model)> {
    access::ensure_administrator(actor, "manage memberships")?;
    let held = membership::Entity::find_by_id(membership_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound("membership"))?;
    let person = user::Entity::find_by_id(held.user_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound("membership"))?;
    Ok((held, person))
}

/// At sign-in, within its transaction: turns the invitations for a provider-verified address
/// into memberships.
pub(crate) async fn accept_invitations(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    user_id: Uuid,
    verified_email: &str,
) -> ServiceResult<()> {
    let email = verified_email.trim().to_lowercase();
    let waiting = invitation::Entity::find()
        .filter(invitation::Column::Email.eq(email))
        .filter(invitation::Column::AcceptedAt.is_null())
        .all(txn)
        .await?;
    for invitation in waiting {
        let Some(organisation) = organisation::Entity::find_by_id(invitation.organisation_id)
            .one(txn)
            .await?
        else {
            continue;
        };
        if !holds(txn, user_id, organisation.id, invitation.role).await? {
            insert(
                txn,
                actor,
                user_id,
                &organisation,
                invitation.role,
                MembershipSource::Administrator,
            )
            .await?;
        }
        invitation::Entity::update(invitation::ActiveModel {
            id: Set(invitation.id),
            accepted_at: Set(Some(Utc::now())),
            ..Default::default()
        })
        .exec(txn)
        .await?;
    }
    Ok(())
}

/// At sign-in, within its transaction: makes the user's claim-granted memberships exactly the
/// organisations the provider lists (by ODS code) that the registry knows. Memberships an
/// administrator granted are left alone.
pub(crate) async fn sync_claimed(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    user_id: Uuid,
    ods_codes: &[String],
) -> ServiceResult<()> {
    let listed = organisation::Entity::find()
        .filter(organisation::Column::OdsCode.is_in(ods_codes.iter().map(String::as_str)))
        .all(txn)
        .await?;
    let claimed = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::Source.eq(MembershipSource::Claim))
        .all(txn)
        .await?;
    for stale in claimed
        .iter()
        .filter(|m| !listed.iter().any(|o| o.id == m.organisation_id))
    {
        membership::Entity::delete_by_id(stale.id).exec(txn).await?;
        journal::audit(
            txn,
            actor,
            "membership.revoke",
            "membership",
            stale.id,
            json!({ "user_id": user_id, "organisation_id": stale.organisation_id, "reason": "no longer in the provider's claim" }),
        )
        .await?;
    }
    for organisation in &listed {
        if !holds(txn, user_id, organisation.id, Role::Member).await? {
            insert(
                txn,
                actor,
                user_id,
                organisation,
                Role::Member,
                MembershipSource::Claim,
            )
            .await?;
        }
    }
    Ok(())
}

fn normalised(email: Email) -> String {
    email.into_inner().to_lowercase()
}

/// The organisation a role is being given at, if it exists and the role fits it.
async fn organisation_for(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
    role: Role,
) -> ServiceResult<organisation::Model> {
    let Some(organisation) = organisation::Entity::find_by_id(organisation_id)
        .one(db)
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
    Ok(organisation)
}

async fn holds(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    organisation_id: Uuid,
    role: Role,
) -> ServiceResult<bool> {
    Ok(membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::OrganisationId.eq(organisation_id))
        .filter(membership::Column::Role.eq(role))
        .one(db)
        .await?
        .is_some())
}

async fn insert(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    user_id: Uuid,
    organisation: &organisation::Model,
    role: Role,
    source: MembershipSource,
) -> ServiceResult<membership::Model> {
    let model = membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        organisation_id: Set(organisation.id),
        role: Set(role),
        source: Set(source),
        created_at: Set(Utc::now()),
    };
    let id = *model.id.as_ref();
    membership::Entity::insert(model)
        .exec_without_returning(txn)
        .await
        .map_err(|e| {
            on_unique(
                e,
                "role",
                "The user already has this role at this organisation",
            )
        })?;
    journal::audit(
        txn,
        actor,
        "membership.grant",
        "membership",
        id,
        json!({ "user_id": user_id, "organisation_id": organisation.id, "role": role, "source": source }),
    )
    .await?;
    membership::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound("membership"))
}
