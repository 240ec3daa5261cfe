//! Drains the search outbox: rebuilds the documents of the records it names and hands them to
//! the engine. Idempotent (a document is replaced whole, a missing one deleted), so a batch that
//! runs twice does no harm. While the engine is down, rows stay and are retried with backoff. On
//! PostgreSQL, rows are claimed `FOR UPDATE SKIP LOCKED`, so several servers share the work.
//!
//! It works in batches, because per record the cost is small and per batch it is not: a batch
//! takes thousands of rows with every other row of their records ([`super::batch`]), builds
//! their documents with a few set-based statements ([`super::documents`]) and hands them to the
//! engine in one commit.
//!
//! Each batch carries its highest row id to the engine, which keeps it with the commit, and the
//! same watermark is raised in the database as the rows are removed (see [`super::progress`]).

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use tokio::sync::watch;

use super::{batch, documents, progress};
use crate::model::search_outbox;
use crate::search::SearchEngine;

/// How the worker paces itself.
#[derive(Debug, Clone, Copy)]
pub struct WorkerSettings {
    /// Due outbox rows a pass starts from; the rows queued for the same records come along
    /// (see [`batch`]). Large, because a pass costs a few statements and one engine commit
    /// whatever its size: 5 000 rows index several thousand documents a second where 500 spent
    /// most of their time committing.
    pub batch: u64,
    /// Pause when the outbox is empty.
    pub idle: Duration,
    /// First retry delay after an engine failure; doubles each attempt up to `max_retry`.
    pub retry: Duration,
    pub max_retry: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            batch: 5_000,
            idle: Duration::from_millis(100),
            retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(60),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Outbox rows handled and removed.
    pub done: usize,
    /// Outbox rows left for a retry because the engine failed.
    pub failed: usize,
    /// Documents written to the engine (added, replaced or removed): one per record however
    /// many of its rows the pass handled.
    pub documents: usize,
    /// Records left alone because another worker holds their oldest row (PostgreSQL): their
    /// rows are due again once it commits.
    pub yielded: usize,
}

/// Handles one batch of due outbox rows (and the rows of the same records). Counted at
/// `/metrics`: `registry_search_writes_total{source="outbox"}` (documents written),
/// `registry_search_outbox_done_total{by="worker"}` (rows done), `registry_search_batch_documents`
/// (documents per batch) and `registry_search_write_failures_total` (batches the engine refused).
#[tracing::instrument(skip_all)]
pub async fn drain_once(
    db: &DatabaseConnection,
    engine: &SearchEngine,
    settings: WorkerSettings,
) -> Result<Pass, DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        // The batch's rows stay claimed (`FOR UPDATE SKIP LOCKED`) until it is done, so
        // several servers share the work without handling a row twice.
        let txn = crate::db::begin_write(db).await?;
        let pass = handle_batch(&txn, engine, settings, true).await?;
        txn.commit().await?;
        Ok(pass)
    } else {
        // SQLite allows one writer at a time: building documents and indexing happen outside
        // any write transaction, so requests never wait behind the engine; only the
        // bookkeeping at the end writes. One server owns an embedded database, so no other
        // worker takes the same rows.
        handle_batch(db, engine, settings, false).await
    }
}

async fn handle_batch<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    engine: &SearchEngine,
    settings: WorkerSettings,
    claim: bool,
) -> Result<Pass, DbErr> {
    let batch = batch::take(conn, settings.batch, claim).await?;
    if batch.is_empty() {
        return Ok(Pass {
            yielded: batch.yielded,
            ..Pass::default()
        });
    }
    let mut upserts = Vec::new();
    let mut deleted = Vec::new();
    for (kind, ids) in &batch.records {
        let (docs, gone) = documents::build(conn, *kind, ids).await?;
        upserts.extend(docs);
        deleted.extend(gone);
    }
    let documents = upserts.len() + deleted.len();
    let ids: Vec<i64> = batch.rows.iter().map(|r| r.id).collect();
    let through = batch.through();
    let pass = match engine.apply_through(upserts, deleted, through).await {
        Ok(()) => {
            if claim {
                // Already inside the batch's transaction.
                complete(conn, &ids, through).await?;
            } else {
                // The removal and the watermark commit together, so the database never claims
                // rows applied that are still queued, nor the reverse.
                let txn = crate::db::begin_write(conn).await?;
                complete(&txn, &ids, through).await?;
                txn.commit().await?;
            }
            metrics::counter!("registry_search_writes_total", "source" => "outbox")
                .increment(documents as u64);
            metrics::counter!("registry_search_outbox_done_total", "by" => "worker")
                .increment(ids.len() as u64);
            metrics::histogram!("registry_search_batch_documents").record(documents as f64);
            Pass {
                done: ids.len(),
                documents,
                yielded: batch.yielded,
                ..Pass::default()
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, rows = ids.len(), "search engine failed; will retry");
            metrics::counter!("registry_search_write_failures_total").increment(1);
            postpone(conn, &batch.rows, &err.to_string(), settings).await?;
            Pass {
                failed: ids.len(),
                yielded: batch.yielded,
                ..Pass::default()
            }
        }
    };
    Ok(pass)
}

/// Puts rows the engine refused back with one more attempt and a later time, doubling the
/// wait with each attempt. Rows that share an attempt count (a batch usually does) share one
/// statement per chunk.
async fn postpone(
    db: &impl ConnectionTrait,
    rows: &[search_outbox::Model],
    error: &str,
    settings: WorkerSettings,
) -> Result<(), DbErr> {
    let message: String = error.chars().take(2_000).collect();
    let mut by_attempts: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    for row in rows {
        by_attempts
            .entry(row.attempts.saturating_add(1))
            .or_default()
            .push(row.id);
    }
    for (attempts, ids) in by_attempts {
        let wait = settings
            .retry
            .saturating_mul(2u32.saturating_pow(attempts.clamp(1, 16) as u32 - 1))
            .min(settings.max_retry);
        let available = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
        for chunk in ids.chunks(REMOVE_CHUNK) {
            search_outbox::Entity::update_many()
                .col_expr(search_outbox::Column::Attempts, Expr::value(attempts))
                .col_expr(search_outbox::Column::AvailableAt, Expr::value(available))
                .col_expr(
                    search_outbox::Column::LastError,
                    Expr::value(message.clone()),
                )
                .filter(search_outbox::Column::Id.is_in(chunk.iter().copied()))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// Outbox rows per statement when removing or postponing many.
const REMOVE_CHUNK: usize = 1_000;

/// Removes outbox rows whose changes search has applied, and raises the database's watermark to
/// `through`.
pub async fn complete(db: &impl ConnectionTrait, ids: &[i64], through: i64) -> Result<(), DbErr> {
    for chunk in ids.chunks(REMOVE_CHUNK) {
        search_outbox::Entity::delete_many()
            .filter(search_outbox::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    progress::advance(db, through).await
}

/// Every outbox row id, oldest first: what a rebuild starting now will cover.
pub async fn queued_ids(db: &impl ConnectionTrait) -> Result<Vec<i64>, DbErr> {
    search_outbox::Entity::find()
        .select_only()
        .column(search_outbox::Column::Id)
        .order_by_asc(search_outbox::Column::Id)
        .into_tuple::<i64>()
        .all(db)
        .await
}

/// Drains until nothing is due (for tests and the command line). Records another worker holds
/// are waited for, so that none is left behind when both stop.
pub async fn drain(
    db: &DatabaseConnection,
    engine: &SearchEngine,
    settings: WorkerSettings,
) -> Result<Pass, DbErr> {
    let mut total = Pass::default();
    loop {
        let pass = drain_once(db, engine, settings).await?;
        total.done += pass.done;
        total.failed += pass.failed;
        total.documents += pass.documents;
        total.yielded += pass.yielded;
        if pass.done == 0 {
            if pass.yielded == 0 {
                return Ok(total);
            }
            tokio::time::sleep(settings.idle).await;
        }
    }
}

/// Runs in the server until `stop` turns true.
pub async fn run(
    db: DatabaseConnection,
    engine: SearchEngine,
    settings: WorkerSettings,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        let pause = match drain_once(&db, &engine, settings).await {
            Ok(pass) if pass.done > 0 => Duration::ZERO,
            Ok(_) => settings.idle,
            Err(err) => {
                tracing::error!(error = %err, "search outbox: database error");
                settings.retry
            }
        };
        if let Ok(lag) = lag(&db).await {
            metrics::gauge!("registry_search_outbox_pending").set(lag.pending as f64);
            metrics::gauge!("registry_search_outbox_oldest_seconds").set(lag.oldest_seconds);
        }
        if !pause.is_zero() {
            tokio::select! {
                () = tokio::time::sleep(pause) => {},
                // A closed channel means nobody can ask the worker to stop any more: stop now
                // rather than spin on a `changed()` that returns at once.
                changed = stop.changed() => if changed.is_err() { return; },
            }
        }
    }
}

/// How far search is behind the database.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lag {
    pub pending: u64,
    /// Age of the oldest pending row, in seconds (0 when none).
    pub oldest_seconds: f64,
}

fn age_seconds(row: &search_outbox::Model) -> f64 {
    (Utc::now() - row.created_at).num_milliseconds().max(0) as f64 / 1000.0
}

pub async fn lag(db: &impl ConnectionTrait) -> Result<Lag, DbErr> {
    let pending = search_outbox::Entity::find().count(db).await?;
    let oldest = search_outbox::Entity::find()
        .order_by_asc(search_outbox::Column::Id)
        .one(db)
        .await?;
    Ok(Lag {
        pending,
        oldest_seconds: oldest.as_ref().map_or(0.0, age_seconds),
    })
}

/// Pending rows the engine has refused at least once: a sign that search is failing rather
/// than merely busy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Failing {
    pub rows: u64,
    /// Age of the oldest such row, in seconds (0 when none).
    pub oldest_seconds: f64,
    /// The engine's last refusal of that row: for the log only, as it may name files or hosts.
    pub last_error: Option<String>,
}

/// What is failing in the outbox (readiness asks; the worker does not need to).
pub async fn failing(db: &impl ConnectionTrait) -> Result<Failing, DbErr> {
    let refused = || search_outbox::Entity::find().filter(search_outbox::Column::Attempts.gt(0));
    let Some(oldest) = refused()
        .order_by_asc(search_outbox::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(Failing::default());
    };
    Ok(Failing {
        rows: refused().count(db).await?,
        oldest_seconds: age_seconds(&oldest),
        last_error: oldest.last_error,
    })
}
