//! Changing technologies: innovators at the supplier register and edit them; administrators
//! withdraw them. Each change is one transaction with its audit entry, its revision and its
//! search job.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionSession, TransactionTrait,
    prelude::Uuid,
};
use serde_json::json;

use super::attributes::write_attributes;
use super::read::load_one;
use super::validate::{SLUG_TAKEN, validate};
use super::{Technology, TechnologyInput};
use crate::actor::Actor;
use crate::error::{ErrorCode, ServiceError, ServiceResult, on_unique};
use crate::model::{IndexedKind, RevisionAction, technology};
use crate::service::check::Check;
use crate::service::{access, ensure_version, journal, revisions, tombstones, update_versioned};

/// A taken slug is a field error, whichever writer got there first.
fn slug_taken(err: sea_orm::DbErr) -> ServiceError {
    on_unique(err, "slug", SLUG_TAKEN)
}

/// Registers a technology for a supplier where the actor is an innovator.
#[tracing::instrument(skip_all)]
pub async fn register(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    input: TechnologyInput,
) -> ServiceResult<Technology> {
    access::ensure_innovator_at(actor, input.supplier_id)?;
    let txn = crate::db::begin_write(db).await?;
    let (row, attributes) = validate(&txn, input).await?.into_row();
    let now = Utc::now();
    let id = Uuid::now_v7();
    technology::Entity::insert(technology::ActiveModel {
        id: Set(id),
        withdrawn_at: Set(None),
        withdrawn_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..row
    })
    .exec_without_returning(&txn)
    .await
    .map_err(slug_taken)?;
    write_attributes(&txn, id, attributes).await?;
    journal::audit(
        &txn,
        actor,
        "technology.register",
        "technology",
        id,
        json!({}),
    )
    .await?;
    journal::reindex(&txn, IndexedKind::Technology, id).await?;
    let created = load_one(&txn, id).await?;
    revisions::record_technology(&txn, actor, RevisionAction::Register, &created, None).await?;
    txn.commit().await?;
    Ok(created)
}

/// Replaces a technology's details; moving it to another supplier needs the innovator role
/// at both. The `reason`, if given, is kept with the revision the change writes.
#[tracing::instrument(skip_all)]
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    version: i32,
    input: TechnologyInput,
    reason: Option<&str>,
) -> ServiceResult<Technology> {
    access::ensure_can_write(actor)?;
    let mut check = Check::new();
    let reason = revisions::reason(&mut check, reason);
    check.finish()?;
    let txn = crate::db::begin_write(db).await?;
    let current = technology::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|t| access::can_read_technology(actor, t))
        .ok_or(ServiceError::NotFound("technology"))?;
    access::ensure_innovator_at(actor, current.supplier_id)?;
    if input.supplier_id != current.supplier_id {
        access::ensure_innovator_at(actor, input.supplier_id)?;
    }
    ensure_version(current.version, version, "technology")?;
    let (row, attributes) = validate(&txn, input).await?.into_row();
    update_versioned(
        &txn,
        technology::ActiveModel {
            id: Set(id),
            updated_at: Set(Utc::now()),
            ..row
        },
        version,
        "technology",
        slug_taken,
    )
    .await?;
    write_attributes(&txn, id, attributes).await?;
    journal::audit(
        &txn,
        actor,
        "technology.update",
        "technology",
        id,
        json!({}),
    )
    .await?;
    journal::reindex(&txn, IndexedKind::Technology, id).await?;
    let updated = load_one(&txn, id).await?;
    revisions::record_technology(
        &txn,
        actor,
        RevisionAction::Update,
        &updated,
        reason.as_deref(),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Takes a technology out of lists and search, with the reason kept on its tombstone page.
/// `version` is the one the administrator read.
#[tracing::instrument(skip_all)]
pub async fn withdraw(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    version: i32,
    reason: &str,
) -> ServiceResult<Technology> {
    access::ensure_administrator(actor, "withdraw technologies")?;
    let reason = tombstones::withdrawal_reason("technology", reason)?;
    let txn = crate::db::begin_write(db).await?;
    let current = technology::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("technology"))?;
    ensure_version(current.version, version, "technology")?;
    if current.withdrawn_at.is_some() {
        return Err(ServiceError::field(
            "id",
            ErrorCode::NotAllowed,
            "This technology is already withdrawn",
        ));
    }
    let now = Utc::now();
    update_versioned(
        &txn,
        technology::ActiveModel {
            id: Set(id),
            withdrawn_at: Set(Some(now)),
            withdrawn_reason: Set(Some(reason.clone())),
            updated_at: Set(now),
            ..Default::default()
        },
        version,
        "technology",
        ServiceError::from,
    )
    .await?;
    journal::audit(
        &txn,
        actor,
        "technology.withdraw",
        "technology",
        id,
        json!({ "reason": reason }),
    )
    .await?;
    journal::reindex(&txn, IndexedKind::Technology, id).await?;
    let withdrawn = load_one(&txn, id).await?;
    revisions::record_technology(
        &txn,
        actor,
        RevisionAction::Withdraw,
        &withdrawn,
        Some(&reason),
    )
    .await?;
    txn.commit().await?;
    Ok(withdrawn)
}
