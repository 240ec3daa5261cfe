//! Rebuilds an engine's index from the database, in chunks, reporting progress. Searching goes on
//! meanwhile: the embedded engine swaps at its commit, Meilisearch by swapping a new index in.
//! [`needed`] says at start whether the index must be rebuilt before it serves.

use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect, TransactionSession,
    TransactionTrait,
};

use super::{documents, outbox, progress};
use crate::model::{IndexedKind, pilot, technology};
use crate::search::{SearchEngine, SearchError};

/// Records per chunk.
const CHUNK: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum ReindexError {
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// Why an index must be rebuilt before it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// A new embedded index (first start, or one just recreated or moved aside) over a database
    /// that has records.
    Empty,
    /// The index has not seen changes the database knows were applied, and whose outbox rows
    /// are gone, so no worker would ever bring them: an older copy restored in place.
    Behind { index: i64, database: i64 },
    /// The embedded index claims changes the database never applied: it was built over another
    /// database, or the database was restored from an older backup. (For Meilisearch this is
    /// the normal moment between another server's index write and its database commit, so it
    /// is not stale.)
    Ahead { index: i64, database: i64 },
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => write!(f, "the search index is empty"),
            Self::Behind { index, database } => write!(
                f,
                "the search index is behind the database (it has applied the outbox through row \
                 {index}, the database through row {database}): an older copy was restored"
            ),
            Self::Ahead { index, database } => write!(
                f,
                "the search index is ahead of the database (it has applied the outbox through \
                 row {index}, the database only through row {database}): it was built over \
                 another database, or the database was restored from an older backup"
            ),
        }
    }
}

/// Whether `engine`'s index must be rebuilt before it serves, and why.
pub async fn needed(
    db: &impl ConnectionTrait,
    engine: &SearchEngine,
) -> Result<Option<Stale>, ReindexError> {
    let database = progress::applied_through(db).await?;
    let index = engine.applied_through().await?;
    let embedded = match engine {
        SearchEngine::Embedded(e) => Some(e),
        SearchEngine::Meili(_) => None,
    };
    if embedded.is_some_and(|e| e.is_empty()) && has_records(db).await? {
        return Ok(Some(Stale::Empty));
    }
    if index < database {
        return Ok(Some(Stale::Behind { index, database }));
    }
    if embedded.is_some() && index > database {
        return Ok(Some(Stale::Ahead { index, database }));
    }
    Ok(None)
}

/// Whether the database holds any record that search would show (every pilot has a
/// technology, so one technology is enough to tell).
async fn has_records(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    let first = technology::Entity::find()
        .select_only()
        .column(technology::Column::Id)
        .into_tuple::<sea_orm::prelude::Uuid>()
        .one(db)
        .await?;
    Ok(first.is_some())
}

/// Rebuilds the index; `report(done, total)` is called after each chunk. Returns the number of
/// documents indexed.
///
/// The outbox rows queued when the rebuild starts are covered by it: their changes were
/// committed before any record is read, so the new index holds them. Once it is in place they
/// are removed and both watermarks set to the highest of them, so the worker does not index
/// them again and the index is not taken for stale at the next start. (Rows queued after the
/// start are left to the worker: the rebuild may have read their records before the change.)
/// `registry_search_outbox_done_total{by="rebuild"}` counts the rows so covered, and
/// `registry_search_writes_total{source="rebuild"}` the documents written.
pub async fn rebuild<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    engine: &SearchEngine,
    mut report: impl FnMut(u64, u64),
) -> Result<u64, ReindexError> {
    let covered = outbox::queued_ids(db).await?;
    let through = covered
        .last()
        .copied()
        .unwrap_or(0)
        .max(progress::applied_through(db).await?);
    let technologies: Vec<_> = technology::Entity::find()
        .select_only()
        .column(technology::Column::Id)
        .order_by_asc(technology::Column::Id)
        .into_tuple::<sea_orm::prelude::Uuid>()
        .all(db)
        .await?;
    let pilots: Vec<_> = pilot::Entity::find()
        .select_only()
        .column(pilot::Column::Id)
        .order_by_asc(pilot::Column::Id)
        .into_tuple::<sea_orm::prelude::Uuid>()
        .all(db)
        .await?;
    let total = (technologies.len() + pilots.len()) as u64;
    let mut rebuild = engine.rebuild_start().await?;
    let mut done = 0;
    let mut indexed = 0;
    for (kind, ids) in [
        (IndexedKind::Technology, technologies),
        (IndexedKind::Pilot, pilots),
    ] {
        for chunk in ids.chunks(CHUNK) {
            let (docs, _) = documents::build(db, kind, chunk).await?;
            indexed += docs.len() as u64;
            rebuild.add(docs).await?;
            done += chunk.len() as u64;
            report(done, total);
        }
    }
    rebuild.finish(through).await?;
    let txn = crate::db::begin_write(db).await?;
    outbox::complete(&txn, &covered, through).await?;
    txn.commit().await?;
    metrics::counter!("registry_search_writes_total", "source" => "rebuild").increment(indexed);
    metrics::counter!("registry_search_outbox_done_total", "by" => "rebuild")
        .increment(covered.len() as u64);
    Ok(indexed)
}
