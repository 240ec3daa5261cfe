//! The outbox: writes never wait for search, nothing is lost while the engine is down, a
//! published change is found after the worker's next pass, and a rebuild matches the database.

use std::collections::BTreeSet;
use std::time::Duration;

use registry_api::indexing::outbox::{self, WorkerSettings};
use registry_api::indexing::reindex;
use registry_api::model::*;
use registry_api::search::meili::MeiliEngine;
use registry_api::search::{SearchEngine, key};
use registry_api::service::pilots;
use sea_orm::EntityTrait;
use serde_json::json;

use super::{embedded, outbox_empties};
use crate::support::app::token_for;
use crate::support::{self, World};

/// The keys the index should hold: every record that is not withdrawn.
/// Every record has a document (a withdrawn one too, found only by those who may still read
/// it), so the index holds exactly the database's records.
async fn expected_keys(db: &sea_orm::DatabaseConnection) -> BTreeSet<String> {
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

const FAST_RETRY: WorkerSettings = WorkerSettings {
    batch: 500,
    idle: Duration::from_millis(10),
    retry: Duration::from_millis(20),
    max_retry: Duration::from_millis(200),
};

#[tokio::test]
async fn nothing_is_lost_while_the_engine_is_down() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine_name = test_db.engine;
        let w = World::build(db).await;
        // A retry far enough off that a loaded machine cannot reach it between two passes.
        let slow_retry = WorkerSettings {
            retry: Duration::from_millis(1_000),
            ..FAST_RETRY
        };
        // Meilisearch on a port where nothing listens: every write to it fails.
        let down = SearchEngine::Meili(
            MeiliEngine::new("http://127.0.0.1:9", None, "registry").expect("client"),
        );
        let published = w
            .pilot(db, "Written while search is down", Visibility::Public)
            .await;
        let draft = w
            .pilot(db, "Draft written while search is down", Visibility::Draft)
            .await;

        let pass = outbox::drain_once(db, &down, slow_retry)
            .await
            .expect("drain");
        assert!(
            pass.failed > 0 && pass.done == 0,
            "{engine_name}: the engine refused the batch: {pass:?}"
        );
        let rows = search_outbox::Entity::find().all(db).await.expect("outbox");
        assert_eq!(rows.len(), pass.failed, "{engine_name}: every row is kept");
        assert!(
            rows.iter()
                .all(|r| r.attempts == 1 && r.last_error.as_deref().is_some_and(|e| !e.is_empty())),
            "{engine_name}: attempts and the error are recorded"
        );
        assert!(
            rows.iter().all(|r| r.available_at > r.created_at),
            "{engine_name}: retried later, with backoff"
        );
        assert_eq!(
            outbox::drain_once(db, &down, slow_retry)
                .await
                .expect("drain"),
            outbox::Pass::default(),
            "{engine_name}: nothing is due before the backoff"
        );

        // An engine that answers: the retry drains everything, and the index matches the database.
        let up = embedded();
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        let pass = outbox::drain(db, &up.engine, FAST_RETRY)
            .await
            .expect("drain");
        assert_eq!(pass.failed, 0, "{engine_name}");
        assert!(
            search_outbox::Entity::find()
                .all(db)
                .await
                .expect("outbox")
                .is_empty(),
            "{engine_name}: the outbox is empty"
        );
        let keys: BTreeSet<String> = up.engine.keys().await.expect("keys").into_iter().collect();
        assert_eq!(
            keys,
            expected_keys(db).await,
            "{engine_name}: the index holds exactly the database's records"
        );
        assert!(
            keys.contains(&key(IndexedKind::Pilot, published.id))
                && keys.contains(&key(IndexedKind::Pilot, draft.id))
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn a_published_change_is_found_after_the_next_pass() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let w = World::build(db).await;
        let app = test_db.app().await;
        let draft = w
            .pilot(db, "Frailty hub in the community", Visibility::Draft)
            .await;
        outbox::drain(db, &app.search, FAST_RETRY)
            .await
            .expect("drain");
        let search = "{ search(query: \"frailty hub\") { totalCount edges { node { kind title snippet pilot { title } } } facets { facet values { value count } } } }";
        assert_eq!(
            app.graphql(None, search, json!({})).await["data"]["search"]["totalCount"],
            0,
            "{}: a draft is not found",
            test_db.engine
        );

        let token = token_for(db, &w.evaluator_a).await;
        let published = app
            .graphql(Some(&token), "mutation($id: ID!, $v: Int!) { publishPilot(id: $id, version: $v, visibility: PUBLIC) { pilot { visibility } } }", json!({ "id": draft.id, "v": draft.version }))
            .await;
        assert_eq!(
            published["data"]["publishPilot"]["pilot"]["visibility"], "PUBLIC",
            "{}",
            test_db.engine
        );
        outbox::drain_once(db, &app.search, FAST_RETRY)
            .await
            .expect("one pass");
        // The app's own worker may have taken the rows first and be finishing them.
        assert!(
            outbox_empties(db, Duration::from_secs(10)).await,
            "{}: the outbox drains",
            test_db.engine
        );
        let found = app.graphql(None, search, json!({})).await;
        let result = &found["data"]["search"];
        assert_eq!(result["totalCount"], 1, "{}: {found}", test_db.engine);
        assert_eq!(
            result["edges"][0]["node"]["pilot"]["title"], "Frailty hub in the community",
            "{}",
            test_db.engine
        );
        assert!(
            result["edges"][0]["node"]["snippet"]
                .as_str()
                .is_some_and(|s| s.contains("<mark>") || !s.is_empty()),
            "{}",
            test_db.engine
        );
        let kinds = result["facets"]
            .as_array()
            .expect("facets")
            .iter()
            .find(|f| f["facet"] == "KIND")
            .expect("kind facet")
            .clone();
        assert_eq!(
            kinds["values"],
            json!([{ "value": "PILOT", "count": 1 }]),
            "{}",
            test_db.engine
        );
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn reindex_rebuilds_exactly_the_database() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        registry_seed::synthetic::generate(db, 1_500)
            .await
            .expect("synthetic registry");
        let w = World::build(db).await;
        let gone = w.pilot(db, "To be withdrawn", Visibility::Public).await;
        pilots::withdraw(db, &w.admin, gone.id, gone.version, "Entered twice")
            .await
            .expect("withdraw");
        let engine = embedded();
        let mut progress = Vec::new();
        let indexed = reindex::rebuild(db, &engine.engine, |done, total| {
            progress.push((done, total))
        })
        .await
        .expect("rebuild");
        let keys: BTreeSet<String> = engine
            .engine
            .keys()
            .await
            .expect("keys")
            .into_iter()
            .collect();
        let expected = expected_keys(db).await;
        assert_eq!(keys.len() as u64, indexed, "{}", test_db.engine);
        assert_eq!(
            keys, expected,
            "{}: index and database hold the same records",
            test_db.engine
        );
        // Still there for those who may read it (its host and the administrators), and only
        // for them.
        let tokens = registry_api::service::access::pilot_tokens(
            &pilots::get(db, &w.admin, gone.id)
                .await
                .expect("withdrawn pilot"),
            &[],
        );
        assert!(
            keys.contains(&key(IndexedKind::Pilot, gone.id))
                && !tokens.contains(&"public".to_owned()),
            "{}: {tokens:?}",
            test_db.engine
        );
        let (done, total) = *progress.last().expect("progress reported");
        assert_eq!(done, total, "{}: progress reaches the end", test_db.engine);
        assert!(
            progress.len() > 1,
            "{}: progress is reported as it goes",
            test_db.engine
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn workers_on_postgres_share_the_outbox_without_doing_a_row_twice() {
    let Some(base) = support::postgres_url() else {
        eprintln!(
            "outbox sharing: SKIPPED (REGISTRY_TEST_POSTGRES_URL is not set; SQLite has one writer)"
        );
        return;
    };
    let test_db = support::postgres(&base).await;
    registry_api::db::migrate(&test_db.db)
        .await
        .expect("migrate");
    let db = &test_db.db;
    let w = World::build(db).await;
    for i in 0..20 {
        w.pilot(db, &format!("Shared pilot {i}"), Visibility::Public)
            .await;
    }
    let queued = search_outbox::Entity::find()
        .all(db)
        .await
        .expect("outbox")
        .len();
    // A second pool, as a second server process would have.
    let other = registry_api::db::connect(&base, test_db.schema())
        .await
        .expect("second pool");
    let engine = embedded();
    let small = WorkerSettings {
        batch: 10,
        ..FAST_RETRY
    };
    let (a, b) = tokio::join!(
        outbox::drain(db, &engine.engine, small),
        outbox::drain(&other, &engine.engine, small)
    );
    let (a, b) = (a.expect("worker a"), b.expect("worker b"));
    assert_eq!(
        a.done + b.done,
        queued,
        "every row handled exactly once between the two workers"
    );
    assert!(
        search_outbox::Entity::find()
            .all(db)
            .await
            .expect("outbox")
            .is_empty()
    );
    let keys: BTreeSet<String> = engine
        .engine
        .keys()
        .await
        .expect("keys")
        .into_iter()
        .collect();
    assert_eq!(keys, expected_keys(db).await);
    test_db.finish().await;
}
