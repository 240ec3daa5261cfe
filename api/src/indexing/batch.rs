//! Which outbox rows one pass of the worker takes.
//!
//! A pass starts from the oldest due rows and takes along every other row queued for the same
//! records, due or not: the documents it builds read each record as it is now, so they cover
//! all of that record's queued changes, and a record changed a hundred times (a technology
//! gains a row with each batch of its pilots) is built and indexed once rather than a hundred
//! times. It also means a record is never split between two passes that could reach the
//! engine out of order.
//!
//! On PostgreSQL, where several servers drain one outbox, rows are claimed `FOR UPDATE SKIP
//! LOCKED`, and a record whose rows are split between two workers (one claimed its oldest row,
//! another a newer one before the first took it along) belongs to the worker holding its
//! oldest queued row. The other leaves the record alone: its rows stay queued and are taken
//! once the first worker has committed, so the newer document always reaches the engine
//! after the older one.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::model::{IndexedKind, search_outbox};

/// Records per statement when reading or locking their rows: well within SQLite's and
/// PostgreSQL's bound-parameter limits.
const CHUNK: usize = 1_000;

/// The rows one pass handles, and the records they name.
#[derive(Debug, Default)]
pub struct Batch {
    /// Every row the pass handles, oldest first: removed together once the engine holds the
    /// records' documents.
    pub rows: Vec<search_outbox::Model>,
    /// The records those rows name, each once, by kind.
    pub records: BTreeMap<IndexedKind, Vec<Uuid>>,
    /// Records left to the worker that holds their oldest row (PostgreSQL only).
    pub yielded: usize,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The highest row id handled (the watermark the pass reaches).
    pub fn through(&self) -> i64 {
        self.rows.iter().map(|r| r.id).max().unwrap_or_default()
    }
}

/// Takes up to `size` of the oldest due rows and every row queued for the same records. With
/// `claim` (PostgreSQL), the rows are locked for the caller's transaction and records another
/// worker owns are left out (see the module's doc).
pub async fn take(db: &impl ConnectionTrait, size: u64, claim: bool) -> Result<Batch, DbErr> {
    let mut due = search_outbox::Entity::find()
        .filter(search_outbox::Column::AvailableAt.lte(Utc::now()))
        .order_by_asc(search_outbox::Column::Id)
        .limit(size);
    if claim {
        due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let due = due.all(db).await?;
    if due.is_empty() {
        return Ok(Batch::default());
    }
    let mut wanted: BTreeMap<IndexedKind, BTreeSet<Uuid>> = BTreeMap::new();
    for row in &due {
        wanted
            .entry(row.entity_kind)
            .or_default()
            .insert(row.entity_id);
    }
    let mut rows: BTreeMap<i64, search_outbox::Model> =
        due.into_iter().map(|r| (r.id, r)).collect();
    let mut yielded: BTreeSet<(IndexedKind, Uuid)> = BTreeSet::new();
    for (kind, ids) in &wanted {
        let ids: Vec<Uuid> = ids.iter().copied().collect();
        for chunk in ids.chunks(CHUNK) {
            let mut along = search_outbox::Entity::find()
                .filter(search_outbox::Column::EntityKind.eq(*kind))
                .filter(search_outbox::Column::EntityId.is_in(chunk.iter().copied()));
            if claim {
                along = along.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
            }
            for row in along.all(db).await? {
                rows.entry(row.id).or_insert(row);
            }
            if claim {
                for (id, oldest) in oldest_rows(db, *kind, chunk).await? {
                    if !rows.contains_key(&oldest) {
                        yielded.insert((*kind, id));
                    }
                }
            }
        }
    }
    let rows: Vec<search_outbox::Model> = rows
        .into_values()
        .filter(|r| !yielded.contains(&(r.entity_kind, r.entity_id)))
        .collect();
    let mut records: BTreeMap<IndexedKind, BTreeSet<Uuid>> = BTreeMap::new();
    for row in &rows {
        records
            .entry(row.entity_kind)
            .or_default()
            .insert(row.entity_id);
    }
    Ok(Batch {
        rows,
        records: records
            .into_iter()
            .map(|(kind, ids)| (kind, ids.into_iter().collect()))
            .collect(),
        yielded: yielded.len(),
    })
}

/// The oldest queued row of each record, locked by anyone or not.
async fn oldest_rows(
    db: &impl ConnectionTrait,
    kind: IndexedKind,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, i64)>, DbErr> {
    search_outbox::Entity::find()
        .select_only()
        .column(search_outbox::Column::EntityId)
        .column_as(Expr::col(search_outbox::Column::Id).min(), "oldest")
        .filter(search_outbox::Column::EntityKind.eq(kind))
        .filter(search_outbox::Column::EntityId.is_in(ids.iter().copied()))
        .group_by(search_outbox::Column::EntityId)
        .into_tuple::<(Uuid, i64)>()
        .all(db)
        .await
}
