//! The history of pilots and technologies: every change the services make to one writes a
//! revision in the same transaction (who, when, through which entry point, why, and the
//! record's fields as people read them after it), and any two revisions can be compared.
//! Every change is kept, drafts too; readers see the revisions the access rules allow
//! ([`access::readable_pilot_revisions`]). Report revisions are kept by `reports`.
//!
//! `snapshot` holds what a revision keeps of its record, `compare` how two revisions differ.

mod compare;
mod snapshot;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, prelude::Uuid,
};

pub use compare::{FieldChange, Segment, SegmentKind, words};
pub use snapshot::Field;

use crate::actor::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::model::{EntryPoint, RecordKind, RevisionAction, Visibility, pilot, record_revision};
use crate::service::check::Check;
use crate::service::technologies::{self, Technology};
use crate::service::{access, journal, pilots};

/// One revision of a pilot or technology, as its reader may see it.
#[derive(Debug, Clone)]
pub struct Revision {
    pub kind: RecordKind,
    pub record_id: Uuid,
    /// 1 for the record's first revision; each change adds one.
    pub number: i32,
    pub action: RevisionAction,
    pub at: DateTime<Utc>,
    /// Who made the change; `None` for the operator, or a person since removed.
    pub actor_user_id: Option<Uuid>,
    /// How the audit log names them.
    pub actor_label: String,
    /// The door the change came in by.
    pub entry_point: EntryPoint,
    /// Why, where they said (a withdrawal always says).
    pub reason: Option<String>,
    /// The record's fields after the change; a pilot's contact only for readers who may see it.
    pub fields: Vec<Field>,
}

/// The difference between two revisions of one record.
#[derive(Debug, Clone)]
pub struct Diff {
    pub from: Revision,
    pub to: Revision,
    /// The fields that differ, in the record's order.
    pub changes: Vec<FieldChange>,
}

/// Checks the reason a person gave for a change, kept with its revision: optional prose, as
/// long as a withdrawal's.
pub(in crate::service) fn reason(check: &mut Check, reason: Option<&str>) -> Option<String> {
    check.optional_prose("reason", "the reason for the change", reason, 2_000)
}

/// Keeps a pilot's change as its next revision, in the transaction of the change.
pub(in crate::service) async fn record_pilot(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: RevisionAction,
    pilot: &pilot::Model,
    reason: Option<&str>,
) -> ServiceResult<()> {
    let fields = snapshot::of_pilot(db, pilot).await?;
    let change = Change {
        kind: RecordKind::Pilot,
        id: pilot.id,
        action,
        visibility: Some(pilot.visibility),
        reason,
    };
    record(db, actor, change, fields).await
}

/// Keeps a technology's change as its next revision, in the transaction of the change.
pub(in crate::service) async fn record_technology(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: RevisionAction,
    technology: &Technology,
    reason: Option<&str>,
) -> ServiceResult<()> {
    let fields = snapshot::of_technology(db, technology).await?;
    let change = Change {
        kind: RecordKind::Technology,
        id: technology.record.id,
        action,
        visibility: None,
        reason,
    };
    record(db, actor, change, fields).await
}

/// What a revision says of the change beside the record's fields.
struct Change<'a> {
    kind: RecordKind,
    id: Uuid,
    action: RevisionAction,
    /// A pilot's, after the change; technologies have none.
    visibility: Option<Visibility>,
    reason: Option<&'a str>,
}

/// Writes the record's next revision. The change itself has already moved the record's
/// version on under the same transaction, so no other writer can be numbering this record's
/// revisions at once; should one be, the unique key refuses it as stale.
async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    change: Change<'_>,
    fields: Vec<Field>,
) -> ServiceResult<()> {
    let latest: Option<i32> = record_revision::Entity::find()
        .select_only()
        .column_as(record_revision::Column::Revision.max(), "latest")
        .filter(record_revision::Column::RecordKind.eq(change.kind))
        .filter(record_revision::Column::RecordId.eq(change.id))
        .into_tuple::<Option<i32>>()
        .one(db)
        .await?
        .flatten();
    let snapshot = serde_json::to_value(&fields).map_err(|e| ServiceError::Internal(e.into()))?;
    record_revision::Entity::insert(record_revision::ActiveModel {
        id: Set(Uuid::now_v7()),
        record_kind: Set(change.kind),
        record_id: Set(change.id),
        revision: Set(latest.unwrap_or(0) + 1),
        action: Set(change.action),
        visibility: Set(change.visibility),
        snapshot: Set(snapshot),
        actor_user_id: Set(actor.user_id()),
        actor_label: Set(journal::truncate(&actor.label(), 200)),
        entry_point: Set(actor.entry_point),
        reason: Set(change.reason.map(str::to_owned)),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            ServiceError::stale(change.kind.as_str())
        }
        _ => ServiceError::Database(e),
    })?;
    Ok(())
}

/// The revisions of a pilot the actor may read, newest first; the pilot itself must be
/// readable, or it is not found.
#[tracing::instrument(skip_all)]
pub async fn of_pilot(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<Vec<Revision>> {
    pilots::get(db, actor, id).await?;
    of_pilots(db, actor, [id]).await
}

/// The revisions of a technology the actor may read, newest first; the technology itself must
/// be readable, or it is not found.
#[tracing::instrument(skip_all)]
pub async fn of_technology(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<Vec<Revision>> {
    technologies::get(db, actor, id).await?;
    of_technologies(db, actor, [id]).await
}

/// The readable revisions of many pilots at once (for batch loading), newest first; those of
/// pilots the actor may not read are left out.
pub async fn of_pilots(
    db: &impl ConnectionTrait,
    actor: &Actor,
    ids: impl IntoIterator<Item = Uuid>,
) -> ServiceResult<Vec<Revision>> {
    let condition = access::readable_pilot_revisions(actor, ids.into_iter().collect());
    readable(db, actor, condition).await
}

/// The readable revisions of many technologies at once (for batch loading), newest first.
pub async fn of_technologies(
    db: &impl ConnectionTrait,
    actor: &Actor,
    ids: impl IntoIterator<Item = Uuid>,
) -> ServiceResult<Vec<Revision>> {
    let condition = access::readable_technology_revisions(actor, ids.into_iter().collect());
    readable(db, actor, condition).await
}

fn readable_of(actor: &Actor, kind: RecordKind, id: Uuid) -> Condition {
    match kind {
        RecordKind::Pilot => access::readable_pilot_revisions(actor, vec![id]),
        RecordKind::Technology => access::readable_technology_revisions(actor, vec![id]),
    }
}

async fn readable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    condition: Condition,
) -> ServiceResult<Vec<Revision>> {
    record_revision::Entity::find()
        .filter(condition)
        .order_by_asc(record_revision::Column::RecordId)
        .order_by_desc(record_revision::Column::Revision)
        .all(db)
        .await?
        .into_iter()
        .map(|row| read(actor, row))
        .collect()
}

/// A stored revision as the actor may see it.
fn read(actor: &Actor, row: record_revision::Model) -> ServiceResult<Revision> {
    let mut fields: Vec<Field> =
        serde_json::from_value(row.snapshot).map_err(|e| ServiceError::Internal(e.into()))?;
    if row.record_kind == RecordKind::Pilot && !access::can_see_contacts(actor) {
        fields.retain(|f| !snapshot::CONTACT_FIELDS.contains(&f.field.as_str()));
    }
    Ok(Revision {
        kind: row.record_kind,
        record_id: row.record_id,
        number: row.revision,
        action: row.action,
        at: row.created_at,
        actor_user_id: row.actor_user_id,
        actor_label: row.actor_label,
        entry_point: row.entry_point,
        reason: row.reason,
        fields,
    })
}

/// The difference from revision `from` to revision `to` of one record, field by field (prose
/// word by word). Either may be the older; the same one twice differs in nothing. A record,
/// or a revision, the actor may not read is not found, exactly as one that does not exist.
#[tracing::instrument(skip_all)]
pub async fn diff(
    db: &impl ConnectionTrait,
    actor: &Actor,
    kind: RecordKind,
    id: Uuid,
    from: i32,
    to: i32,
) -> ServiceResult<Diff> {
    match kind {
        RecordKind::Pilot => {
            pilots::get(db, actor, id).await?;
        }
        RecordKind::Technology => {
            technologies::get(db, actor, id).await?;
        }
    }
    let condition =
        readable_of(actor, kind, id).add(record_revision::Column::Revision.is_in([from, to]));
    let revisions = readable(db, actor, condition).await?;
    let find = |number: i32| {
        revisions
            .iter()
            .find(|r| r.number == number)
            .cloned()
            .ok_or(ServiceError::NotFound("revision"))
    };
    let (from, to) = (find(from)?, find(to)?);
    let changes = compare::changes(&from.fields, &to.fields);
    Ok(Diff { from, to, changes })
}
