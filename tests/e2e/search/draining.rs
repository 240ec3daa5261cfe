//! The outbox keeps up: a backlog drains in large batches and is searchable, every row of a
//! record goes in one batch (so a record is indexed once, and never by two batches out of
//! order), the rows a start-up rebuild covered are not indexed again, and `/readyz` holds the
//! lag to its bound. All through the real database (SQLite, and PostgreSQL when
//! `REGISTRY_TEST_POSTGRES_URL` is set) and the real embedded engine; no timing is asserted.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::Utc;
use registry_api::indexing::outbox::{self, WorkerSettings};
use registry_api::model::*;
use registry_api::search::{SearchQuery, key};
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use serde_json::Value;

use super::{embedded, outbox_empties};
use crate::support::app::{Options, TestApp};
use crate::support::process::{Server, registry};
use crate::support::{self, TestDb, World};

/// Words no other record of a test uses.
const UNIQUE: &str = "Quillwort harbourside zephyrine clinic";

/// How many outbox rows each record has queued.
async fn queued(db: &sea_orm::DatabaseConnection) -> BTreeMap<(IndexedKind, Uuid), usize> {
    let mut queued = BTreeMap::new();
    for row in search_outbox::Entity::find().all(db).await.expect("outbox") {
        *queued.entry((row.entity_kind, row.entity_id)).or_default() += 1;
    }
    queued
}

/// The keys of every document in the engine's index.
async fn indexed_keys(engine: &registry_api::search::SearchEngine) -> BTreeSet<String> {
    engine.keys().await.expect("keys").into_iter().collect()
}

/// The keys of every record in the database (every record has a document).
async fn record_keys(db: &sea_orm::DatabaseConnection) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = technology::Entity::find()
        .all(db)
        .await
        .expect("technologies")
        .into_iter()
        .map(|t| key(IndexedKind::Technology, t.id))
        .collect();
    keys.extend(
        pilot::Entity::find()
            .all(db)
            .await
            .expect("pilots")
            .into_iter()
            .map(|p| key(IndexedKind::Pilot, p.id)),
    );
    keys
}

#[tokio::test]
async fn a_large_backlog_drains_in_batches_and_every_record_is_indexed_once() {
    for test_db in support::databases().await {
        let engine_name = test_db.engine;
        let db = &test_db.db;
        registry_seed::synthetic::generate(db, 2_500)
            .await
            .expect("synthetic registry");
        let w = World::build(db).await;
        let found_later = w.pilot(db, UNIQUE, Visibility::Public).await;
        let before = queued(db).await;
        let rows: usize = before.values().sum();
        assert!(
            rows > 2_500 && before.len() < rows,
            "{engine_name}: a backlog with records queued more than once ({rows} rows, {} records)",
            before.len()
        );

        // The default batch takes the whole backlog at once: 5 000 due rows at most, and the
        // rows of the same records with them.
        let engine = embedded();
        let first = outbox::drain_once(db, &engine.engine, WorkerSettings::default())
            .await
            .expect("one pass");
        assert_eq!(first.failed, 0, "{engine_name}");
        assert_eq!(first.done, rows, "{engine_name}: one pass took every row");
        assert_eq!(
            first.documents,
            before.len(),
            "{engine_name}: one document per record, however many rows it had"
        );
        assert!(
            queued(db).await.is_empty(),
            "{engine_name}: nothing is left"
        );

        let keys = indexed_keys(&engine.engine).await;
        assert_eq!(
            keys,
            record_keys(db).await,
            "{engine_name}: the index holds every record"
        );
        let results = engine
            .engine
            .search(&SearchQuery {
                text: UNIQUE.to_owned(),
                access: vec!["public".to_owned()],
                limit: 10,
                ..SearchQuery::default()
            })
            .await
            .expect("search");
        assert_eq!(
            results.hits.iter().map(|h| h.entity_id).collect::<Vec<_>>(),
            vec![found_later.id],
            "{engine_name}: the pilot written last is found"
        );

        // Smaller batches than the backlog: several passes, still one document per record.
        registry_seed::synthetic::generate(db, 1_200)
            .await
            .expect("more synthetic pilots");
        let before = queued(db).await;
        let rows: usize = before.values().sum();
        let small = WorkerSettings {
            batch: 400,
            ..WorkerSettings::default()
        };
        let mut passes = 0;
        let mut documents = 0;
        loop {
            let pass = outbox::drain_once(db, &engine.engine, small)
                .await
                .expect("pass");
            assert_eq!(pass.failed, 0, "{engine_name}");
            if pass.done == 0 {
                break;
            }
            passes += 1;
            documents += pass.documents;
        }
        assert!(passes >= 3, "{engine_name}: {passes} passes of 400 rows");
        assert_eq!(
            documents,
            before.len(),
            "{engine_name}: {rows} rows in {passes} passes, each record indexed once"
        );
        assert!(queued(db).await.is_empty(), "{engine_name}");
        let keys = indexed_keys(&engine.engine).await;
        assert_eq!(keys, record_keys(db).await, "{engine_name}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn every_row_of_a_record_goes_in_the_batch_that_takes_its_first() {
    for test_db in support::databases().await {
        let engine_name = test_db.engine;
        let db = &test_db.db;
        let w = World::build(db).await;
        // Each pilot is registered and then published: two rows for it, interleaved with two
        // for its technology, which every pilot's change touches.
        for i in 0..4 {
            w.pilot(db, &format!("Interleaved pilot {i}"), Visibility::Public)
                .await;
        }
        let start = queued(db).await;
        assert!(
            start.values().any(|&n| n >= 4),
            "{engine_name}: some record is queued many times: {start:?}"
        );
        let engine = embedded();
        let one_row = WorkerSettings {
            batch: 1,
            ..WorkerSettings::default()
        };
        let mut documents = 0;
        loop {
            let before = queued(db).await;
            let pass = outbox::drain_once(db, &engine.engine, one_row)
                .await
                .expect("pass");
            if pass.done == 0 {
                break;
            }
            let after = queued(db).await;
            let touched: Vec<_> = before
                .iter()
                .filter(|(record, n)| after.get(record) != Some(n))
                .collect();
            assert_eq!(
                touched.len(),
                1,
                "{engine_name}: a batch of one due row handles one record: {touched:?}"
            );
            let (record, rows) = touched[0];
            assert_eq!(
                after.get(record),
                None,
                "{engine_name}: none of {record:?}'s rows is left for a later batch"
            );
            assert_eq!(pass.done, *rows, "{engine_name}: all {rows} of its rows");
            assert_eq!(pass.documents, 1, "{engine_name}: one document");
            documents += pass.documents;
        }
        assert_eq!(
            documents,
            start.len(),
            "{engine_name}: every record indexed exactly once"
        );
        let keys = indexed_keys(&engine.engine).await;
        assert_eq!(keys, record_keys(db).await, "{engine_name}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn on_postgres_a_record_another_worker_holds_is_left_to_it() {
    let Some(base) = support::postgres_url() else {
        eprintln!(
            "outbox record ownership: SKIPPED (REGISTRY_TEST_POSTGRES_URL is not set; SQLite has one writer)"
        );
        return;
    };
    let test_db = support::postgres(&base).await;
    registry_api::db::migrate(&test_db.db)
        .await
        .expect("migrate");
    let db = &test_db.db;
    let w = World::build(db).await;
    for i in 0..3 {
        w.pilot(db, &format!("Held pilot {i}"), Visibility::Public)
            .await;
    }
    let technology = (IndexedKind::Technology, w.technology.record.id);
    let start = queued(db).await;
    let held_rows = *start.get(&technology).expect("the technology is queued");
    assert!(held_rows > 1, "its rows are spread through the outbox");

    // Another server's worker, part-way through a batch that claimed the technology's oldest
    // row: it holds that row's lock until it commits.
    let other = registry_api::db::connect(&base, test_db.schema())
        .await
        .expect("second pool");
    let holding = other.begin().await.expect("begin");
    let oldest = search_outbox::Entity::find()
        .filter(search_outbox::Column::EntityKind.eq(technology.0))
        .filter(search_outbox::Column::EntityId.eq(technology.1))
        .order_by_asc(search_outbox::Column::Id)
        .lock(LockType::Update)
        .one(&holding)
        .await
        .expect("lock")
        .expect("oldest row");

    let engine = embedded();
    let pass = outbox::drain_once(db, &engine.engine, WorkerSettings::default())
        .await
        .expect("pass");
    let rows: usize = start.values().sum();
    assert_eq!(
        pass.done,
        rows - held_rows,
        "every row but the held record's is done"
    );
    assert_eq!(
        queued(db).await,
        BTreeMap::from([(technology, held_rows)]),
        "the held record's rows, newer ones included, are left to the worker that holds its oldest"
    );
    let keys = engine.engine.keys().await.expect("keys");
    assert!(
        !keys.contains(&key(technology.0, technology.1)),
        "so it is not indexed out of order"
    );

    // That worker finishes (here: gives up the row), and the next pass takes them all.
    assert_eq!(oldest.entity_id, technology.1);
    holding.rollback().await.expect("release");
    let pass = outbox::drain_once(db, &engine.engine, WorkerSettings::default())
        .await
        .expect("pass");
    assert_eq!((pass.done, pass.documents), (held_rows, 1));
    assert!(queued(db).await.is_empty());
    let keys = indexed_keys(&engine.engine).await;
    assert_eq!(keys, record_keys(db).await);
    test_db.finish().await;
}

/// A Prometheus sample's value (0 when absent: a counter nothing has touched).
fn sample(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.trim().parse().expect("a number"))
}

async fn metrics_text(server: &Server) -> String {
    reqwest::get(format!("{}/metrics", server.base))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text")
}

#[tokio::test]
async fn rows_the_start_up_rebuild_covered_are_not_indexed_again() {
    for test_db in support::databases().await {
        let engine_name = test_db.engine;
        let db = &test_db.db;
        registry_seed::synthetic::generate(db, 1_500)
            .await
            .expect("synthetic registry");
        let w = World::build(db).await;
        let rows: usize = queued(db).await.values().sum();
        let records = record_keys(db).await.len();
        let data_dir = tempfile::tempdir().expect("data directory");
        let mut command = registry();
        command
            .arg("--database-url")
            .arg(&test_db.url)
            .arg("--data-dir")
            .arg(data_dir.path())
            .env("REGISTRY_SEARCH_MAX_LAG", "30");
        // The index is new, so `serve` rebuilds it before it listens.
        let server = Server::start(command);

        assert!(
            queued(db).await.is_empty(),
            "{engine_name}: the rebuild marked every queued row done"
        );
        let metrics = metrics_text(&server).await;
        assert_eq!(
            sample(
                &metrics,
                "registry_search_outbox_done_total{by=\"rebuild\"}"
            ),
            rows as f64,
            "{engine_name}: {metrics}"
        );
        assert_eq!(
            sample(&metrics, "registry_search_writes_total{source=\"rebuild\"}"),
            records as f64,
            "{engine_name}"
        );
        assert_eq!(
            sample(&metrics, "registry_search_writes_total{source=\"outbox\"}"),
            0.0,
            "{engine_name}: the worker indexed none of them again: {metrics}"
        );

        // A change after the start is the worker's: registering a pilot queues its document
        // and its technology's in one transaction, and the worker writes those two, once.
        w.pilot(db, UNIQUE, Visibility::Draft).await;
        assert!(
            outbox_empties(db, Duration::from_secs(20)).await,
            "{engine_name}: the worker drains the new change"
        );
        let metrics = metrics_text(&server).await;
        assert_eq!(
            sample(&metrics, "registry_search_writes_total{source=\"outbox\"}"),
            2.0,
            "{engine_name}: {metrics}"
        );
        let ready: Value = reqwest::get(format!("{}/readyz", server.base))
            .await
            .expect("readyz")
            .json()
            .await
            .expect("readyz body");
        assert_eq!(ready["status"], "ready", "{engine_name}: {ready}");
        assert_eq!(
            ready["search"]["max_lag_seconds"], 30.0,
            "{engine_name}: REGISTRY_SEARCH_MAX_LAG is the bound"
        );
        assert!(server.terminate(), "{engine_name}: stops cleanly");
        test_db.finish().await;
    }
}

/// Queues a change two minutes old that no worker may take for an hour: a backlog the worker
/// cannot clear while the test asks `/readyz`, without depending on how fast it runs.
async fn queue_an_old_change(db: &sea_orm::DatabaseConnection, record: Uuid) {
    let now = Utc::now();
    search_outbox::Entity::insert(search_outbox::ActiveModel {
        entity_kind: Set(IndexedKind::Pilot),
        entity_id: Set(record),
        created_at: Set(now - chrono::Duration::seconds(120)),
        available_at: Set(now + chrono::Duration::hours(1)),
        attempts: Set(0),
        ..Default::default()
    })
    .exec(db)
    .await
    .expect("queue a change");
}

async fn readyz(app: &TestApp) -> (u16, Value) {
    let response = app
        .http
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    let status = response.status().as_u16();
    (status, response.json().await.expect("readyz body"))
}

#[tokio::test]
async fn readyz_says_ready_only_while_the_lag_is_under_its_bound() {
    for test_db in support::databases().await {
        let engine_name = test_db.engine;
        let db = &test_db.db;
        let w = World::build(db).await;
        let pilot = w.pilot(db, UNIQUE, Visibility::Public).await;
        let strict = test_db.app().await;
        let lenient = app_with_bound(&test_db, Duration::from_secs(600)).await;
        assert!(outbox_empties(db, Duration::from_secs(20)).await);

        let (status, body) = readyz(&strict).await;
        assert_eq!(status, 200, "{engine_name}: nothing pending: {body}");
        assert_eq!(body["search"]["outbox_pending"], 0, "{engine_name}");
        assert_eq!(body["search"]["max_lag_seconds"], 10.0, "{engine_name}");

        queue_an_old_change(db, pilot.id).await;
        let (status, body) = readyz(&strict).await;
        assert_eq!(
            status, 503,
            "{engine_name}: 120 s behind, bound 10 s: {body}"
        );
        assert_eq!(body["status"], "unavailable", "{engine_name}");
        assert_eq!(body["checks"]["search"], "degraded", "{engine_name}");
        assert_eq!(body["search"]["outbox_pending"], 1, "{engine_name}");
        assert!(
            body["search"]["outbox_oldest_seconds"]
                .as_f64()
                .is_some_and(|s| s >= 120.0),
            "{engine_name}: {body}"
        );
        assert!(
            body["search"]["reason"]
                .as_str()
                .is_some_and(|r| r.contains("behind")),
            "{engine_name}: {body}"
        );

        let (status, body) = readyz(&lenient).await;
        assert_eq!(status, 200, "{engine_name}: within a 600 s bound: {body}");
        assert_eq!(body["status"], "ready", "{engine_name}");
        assert_eq!(
            body["search"]["outbox_pending"], 1,
            "{engine_name}: the lag is reported when ready too"
        );
        assert!(
            body["search"]["outbox_oldest_seconds"]
                .as_f64()
                .is_some_and(|s| s >= 120.0),
            "{engine_name}: {body}"
        );
        assert_eq!(body["search"]["max_lag_seconds"], 600.0, "{engine_name}");
        strict.stop();
        lenient.stop();
        test_db.finish().await;
    }
}

async fn app_with_bound(test_db: &TestDb, bound: Duration) -> TestApp {
    test_db
        .app_with(Options {
            search_max_lag: Some(bound),
            ..Options::default()
        })
        .await
}
