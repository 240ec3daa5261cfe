//! Search: one conformance suite for every engine, the outbox that feeds them, and the index
//! healing itself from the database.

mod conformance;
mod draining;
mod healing;
mod outbox;
mod worker;

use std::time::{Duration, Instant};

use registry_api::model::search_outbox;
use registry_api::search::SearchEngine;
use registry_api::search::embedded::EmbeddedEngine;
use registry_api::search::meili::MeiliEngine;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use tempfile::TempDir;

/// Waits, for at most `bound`, until the search outbox is empty, and says whether it became so.
/// Rows leave the outbox only once the index holds their change, so an empty outbox means
/// search has caught up: whoever drained it, a running app's worker or a test by hand (on
/// PostgreSQL a drain by hand skips rows the worker has claimed, and returns before the worker
/// has finished them).
pub async fn outbox_empties(db: &DatabaseConnection, bound: Duration) -> bool {
    let deadline = Instant::now() + bound;
    loop {
        if search_outbox::Entity::find()
            .count(db)
            .await
            .expect("count the outbox")
            == 0
        {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An engine under test, and what keeps its index alive.
pub struct EngineUnderTest {
    pub name: &'static str,
    pub engine: SearchEngine,
    _dir: Option<TempDir>,
}

pub fn embedded() -> EngineUnderTest {
    let dir = tempfile::tempdir().expect("index directory");
    let engine = SearchEngine::Embedded(EmbeddedEngine::open(dir.path()).expect("open index"));
    EngineUnderTest {
        name: "embedded",
        engine,
        _dir: Some(dir),
    }
}

/// Every engine the suite can reach: the embedded one always, Meilisearch when `MEILI_URL` is
/// set (each test in an index of its own).
pub async fn engines() -> Vec<EngineUnderTest> {
    let mut engines = vec![embedded()];
    match std::env::var("MEILI_URL").ok().filter(|u| !u.is_empty()) {
        Some(url) => {
            let key = std::env::var("MEILI_API_KEY").ok();
            let index = format!("test_{}", uuid::Uuid::new_v4().simple());
            let engine = MeiliEngine::connect(&url, key.as_deref(), &index)
                .await
                .expect("connect to Meilisearch");
            engines.push(EngineUnderTest {
                name: "meilisearch",
                engine: SearchEngine::Meili(engine),
                _dir: None,
            });
        }
        None => eprintln!(
            "search conformance: Meilisearch SKIPPED (MEILI_URL is not set); embedded engine only"
        ),
    }
    engines
}
