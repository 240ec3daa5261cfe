//! Changing pilots: evaluators at the host register, edit and publish them; administrators
//! withdraw them. Each change is one transaction with its audit entry, its revision and its
//! search jobs.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionSession, TransactionTrait,
    prelude::Uuid,
};
use serde_json::json;

use super::PilotInput;
use super::read::{find, find_readable};
use super::validate::{TITLE_TAKEN, validate};
use crate::actor::Actor;
use crate::error::{ErrorCode, ServiceError, ServiceResult, on_unique};
use crate::model::{IndexedKind, RevisionAction, Visibility, pilot};
use crate::service::check::Check;
use crate::service::{access, ensure_version, journal, revisions, tombstones, update_versioned};

/// A taken title is a field error, whichever writer got there first.
fn title_taken(err: sea_orm::DbErr) -> ServiceError {
    on_unique(err, "title", TITLE_TAKEN)
}

/// Registers a pilot as a draft of its host organisation.
#[tracing::instrument(skip_all)]
pub async fn register(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    input: PilotInput,
) -> ServiceResult<pilot::Model> {
    access::ensure_evaluator_at(actor, input.host_organisation_id)?;
    let txn = crate::db::begin_write(db).await?;
    let valid = validate(&txn, actor, input).await?;
    let technology_id = valid.technology_id();
    let now = Utc::now();
    let id = Uuid::now_v7();
    pilot::Entity::insert(pilot::ActiveModel {
        id: Set(id),
        visibility: Set(Visibility::Draft),
        published_at: Set(None),
        withdrawn_at: Set(None),
        withdrawn_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..valid.into_row()
    })
    .exec_without_returning(&txn)
    .await
    .map_err(title_taken)?;
    journal::audit(&txn, actor, "pilot.register", "pilot", id, json!({})).await?;
    reindex_with_technology(&txn, id, technology_id).await?;
    let created = find(&txn, id).await?;
    revisions::record_pilot(&txn, actor, RevisionAction::Register, &created, None).await?;
    txn.commit().await?;
    Ok(created)
}

/// Replaces a pilot's details; moving it to another host needs the evaluator role at both.
/// The `reason`, if given, is kept with the revision the change writes.
#[tracing::instrument(skip_all)]
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    version: i32,
    input: PilotInput,
    reason: Option<&str>,
) -> ServiceResult<pilot::Model> {
    access::ensure_can_write(actor)?;
    let mut check = Check::new();
    let reason = revisions::reason(&mut check, reason);
    check.finish()?;
    let txn = crate::db::begin_write(db).await?;
    let current = find_readable(&txn, actor, id).await?;
    access::ensure_evaluator_at(actor, current.host_organisation_id)?;
    if input.host_organisation_id != current.host_organisation_id {
        access::ensure_evaluator_at(actor, input.host_organisation_id)?;
    }
    ensure_version(current.version, version, "pilot")?;
    let valid = validate(&txn, actor, input).await?;
    let technology_id = valid.technology_id();
    let updated = update_versioned(
        &txn,
        pilot::ActiveModel {
            id: Set(id),
            updated_at: Set(Utc::now()),
            ..valid.into_row()
        },
        version,
        "pilot",
        title_taken,
    )
    .await?;
    journal::audit(&txn, actor, "pilot.update", "pilot", id, json!({})).await?;
    revisions::record_pilot(
        &txn,
        actor,
        RevisionAction::Update,
        &updated,
        reason.as_deref(),
    )
    .await?;
    reindex_with_technology(&txn, id, technology_id).await?;
    if technology_id != current.technology_id {
        journal::reindex(&txn, IndexedKind::Technology, current.technology_id).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Opens a pilot (and its published reports) to NHS staff or to everyone.
#[tracing::instrument(skip_all)]
pub async fn publish(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    version: i32,
    visibility: Visibility,
) -> ServiceResult<pilot::Model> {
    access::ensure_can_write(actor)?;
    if visibility == Visibility::Draft {
        return Err(ServiceError::field(
            "visibility",
            ErrorCode::Invalid,
            "Choose who can see the pilot: NHS staff, or everyone",
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let current = find_readable(&txn, actor, id).await?;
    access::ensure_evaluator_at(actor, current.host_organisation_id)?;
    ensure_version(current.version, version, "pilot")?;
    if current.withdrawn_at.is_some() {
        return Err(ServiceError::field(
            "id",
            ErrorCode::NotAllowed,
            "This pilot was withdrawn by an administrator and cannot be published",
        ));
    }
    let now = Utc::now();
    let published = update_versioned(
        &txn,
        pilot::ActiveModel {
            id: Set(id),
            visibility: Set(visibility),
            published_at: Set(Some(current.published_at.unwrap_or(now))),
            updated_at: Set(now),
            ..Default::default()
        },
        version,
        "pilot",
        ServiceError::from,
    )
    .await?;
    journal::audit(
        &txn,
        actor,
        "pilot.publish",
        "pilot",
        id,
        json!({ "visibility": visibility }),
    )
    .await?;
    revisions::record_pilot(&txn, actor, RevisionAction::Publish, &published, None).await?;
    reindex_with_technology(&txn, id, current.technology_id).await?;
    txn.commit().await?;
    Ok(published)
}

/// Moderation: takes a pilot out of every list, search and aggregate, keeping the reason.
#[tracing::instrument(skip_all)]
pub async fn withdraw(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    version: i32,
    reason: &str,
) -> ServiceResult<pilot::Model> {
    access::ensure_administrator(actor, "withdraw pilots")?;
    let reason = tombstones::withdrawal_reason("pilot", reason)?;
    let txn = crate::db::begin_write(db).await?;
    let current = find_readable(&txn, actor, id).await?;
    ensure_version(current.version, version, "pilot")?;
    if current.withdrawn_at.is_some() {
        return Err(ServiceError::field(
            "id",
            ErrorCode::NotAllowed,
            "This pilot is already withdrawn",
        ));
    }
    let now = Utc::now();
    let withdrawn = update_versioned(
        &txn,
        pilot::ActiveModel {
            id: Set(id),
            withdrawn_at: Set(Some(now)),
            withdrawn_reason: Set(Some(reason.clone())),
            updated_at: Set(now),
            ..Default::default()
        },
        version,
        "pilot",
        ServiceError::from,
    )
    .await?;
    journal::audit(
        &txn,
        actor,
        "pilot.withdraw",
        "pilot",
        id,
        json!({ "reason": reason }),
    )
    .await?;
    revisions::record_pilot(
        &txn,
        actor,
        RevisionAction::Withdraw,
        &withdrawn,
        Some(&reason),
    )
    .await?;
    reindex_with_technology(&txn, id, current.technology_id).await?;
    txn.commit().await?;
    Ok(withdrawn)
}

/// A pilot's search document rolls up into its technology's, so both go stale together.
pub(in crate::service) async fn reindex_with_technology(
    db: &impl ConnectionTrait,
    pilot_id: Uuid,
    technology_id: Uuid,
) -> ServiceResult<()> {
    journal::reindex(db, IndexedKind::Pilot, pilot_id).await?;
    journal::reindex(db, IndexedKind::Technology, technology_id).await
}
