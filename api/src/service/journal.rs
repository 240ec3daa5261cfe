//! What every change writes beside itself, in the same transaction: an audit row, and an outbox
//! row for each search document the change makes stale.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, prelude::Uuid,
};
use serde_json::Value;

use crate::actor::Actor;
use crate::error::ServiceResult;
use crate::model::{IndexedKind, audit_log, search_outbox, technology};

/// Records who did what to which record.
pub async fn audit(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    entity_kind: &str,
    entity_id: Uuid,
    detail: Value,
) -> ServiceResult<()> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(Utc::now()),
        actor_user_id: Set(actor.user_id()),
        actor_label: Set(truncate(&actor.label(), 200)),
        entry_point: Set(actor.entry_point),
        action: Set(action.to_owned()),
        entity_kind: Set(entity_kind.to_owned()),
        entity_id: Set(entity_id),
        detail: Set(detail),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Queues a search document to be rebuilt from the database by the outbox worker. A
/// technology's document rolls up its pilots, so whatever makes it stale also moves on the
/// technology's evidence version, which keys the figures kept of its pilots (see
/// [`crate::service::comparisons::EvidenceCache`]).
pub async fn reindex(
    db: &impl ConnectionTrait,
    kind: IndexedKind,
    entity_id: Uuid,
) -> ServiceResult<()> {
    if kind == IndexedKind::Technology {
        evidence_changed(db, [entity_id]).await?;
    }
    let now = Utc::now();
    search_outbox::Entity::insert(search_outbox::ActiveModel {
        entity_kind: Set(kind),
        entity_id: Set(entity_id),
        created_at: Set(now),
        available_at: Set(now),
        attempts: Set(0),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Moves on the evidence version of technologies whose pilots, measures or reports changed.
pub async fn evidence_changed(
    db: &impl ConnectionTrait,
    technology_ids: impl IntoIterator<Item = Uuid>,
) -> ServiceResult<()> {
    technology::Entity::update_many()
        .col_expr(
            technology::Column::EvidenceVersion,
            Expr::col(technology::Column::EvidenceVersion).add(1),
        )
        .filter(technology::Column::Id.is_in(technology_ids))
        .exec(db)
        .await?;
    Ok(())
}

/// The first `max` characters of `text`, for columns of a bounded length.
pub(super) fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
