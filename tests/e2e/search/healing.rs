//! The embedded index is derived data, so it heals: a corrupt or damaged index is moved aside and
//! rebuilt from the database when `registry serve` or `registry reindex` starts; an older copy
//! restored in place is noticed (its outbox watermark is behind the database's) and rebuilt; and
//! an index deleted under a running server turns `/readyz` to degraded. Each test runs the real
//! binary against every database under test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use registry_api::model::Visibility;
use serde_json::{Value, json};

use crate::support::process::{Server, registry};
use crate::support::{self, TestDb, World};

/// A pilot title with words no other record of the test world uses.
const FIRST: &str = "Harbourside zephyrine falls clinic";
const SECOND: &str = "Lantern quillwort memory service";

/// `registry` pointed at the test's database, with its index under `data_dir/search`.
fn registry_for(test_db: &TestDb, data_dir: &Path) -> Command {
    let mut command = registry();
    command
        .arg("--database-url")
        .arg(&test_db.url)
        .arg("--data-dir")
        .arg(data_dir);
    command
}

fn serve(test_db: &TestDb, data_dir: &Path) -> Server {
    Server::start(registry_for(test_db, data_dir))
}

/// The titles an anonymous search for `text` finds, sorted.
async fn titles(server: &Server, text: &str) -> Vec<String> {
    let body: Value = reqwest::Client::new()
        .post(format!("{}/graphql", server.base))
        .json(&json!({
            "query": "query($q: String!) { search(query: $q) { totalCount edges { node { title } } } }",
            "variables": { "q": text },
        }))
        .send()
        .await
        .expect("search request")
        .json()
        .await
        .expect("search response");
    assert!(body["errors"].is_null(), "search failed: {body}");
    let mut found: Vec<String> = body["data"]["search"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| {
            edge["node"]["title"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    found.sort();
    found
}

/// Waits (at most 15 s) until a search for `text` finds exactly `expected`.
async fn wait_for(server: &Server, text: &str, expected: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let found = titles(server, text).await;
        if found == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "a search for {text:?} should find {expected:?}, found {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The directories the bad index was moved aside to.
fn moved_aside(data_dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(data_dir)
        .expect("list the data directory")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("search.corrupt-"))
                && path.is_dir()
        })
        .collect()
}

/// The index files whose names end in `suffix`.
fn index_files(search_dir: &Path, suffix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(search_dir)
        .expect("list the index")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(suffix))
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("list the index") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy an index file");
    }
}

/// A database with one published pilot, served once so that its index is built, then stopped.
async fn indexed(test_db: &TestDb, data_dir: &Path) {
    let w = World::build(&test_db.db).await;
    w.pilot(&test_db.db, FIRST, Visibility::Public).await;
    let server = serve(test_db, data_dir);
    wait_for(&server, "zephyrine", &[FIRST]).await;
    assert!(server.terminate(), "{}: stops cleanly", test_db.engine);
    assert!(
        data_dir.join("search").join("meta.json").exists(),
        "{}: the index is on disk",
        test_db.engine
    );
}

/// Damages the index with `damage`, starts the server, and checks that it healed.
async fn heals_after(damage: impl Fn(&Path)) {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let data = tempfile::tempdir().expect("data directory");
        indexed(&test_db, data.path()).await;
        damage(&data.path().join("search"));

        let server = serve(&test_db, data.path());
        assert_eq!(
            titles(&server, "zephyrine").await,
            vec![FIRST],
            "{engine}: the rebuilt index answers at once"
        );
        assert_eq!(
            moved_aside(data.path()).len(),
            1,
            "{engine}: the damaged index was moved aside, not deleted"
        );
        assert!(
            data.path().join("search").join("meta.json").exists(),
            "{engine}: a new index is in its place"
        );
        assert!(server.terminate(), "{engine}: stops cleanly");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn serve_rebuilds_an_index_whose_meta_json_is_corrupt() {
    heals_after(|search| {
        std::fs::write(search.join("meta.json"), b"{ \"segments\": [ not json")
            .expect("corrupt meta.json");
    })
    .await;
}

#[tokio::test]
async fn serve_rebuilds_an_index_with_a_truncated_store() {
    heals_after(|search| {
        let stores = index_files(search, ".store");
        assert!(!stores.is_empty(), "the index has a document store");
        for store in stores {
            let len = std::fs::metadata(&store).expect("store size").len();
            std::fs::OpenOptions::new()
                .write(true)
                .open(&store)
                .and_then(|file| file.set_len(len / 2))
                .expect("truncate the store");
        }
    })
    .await;
}

#[tokio::test]
async fn serve_rebuilds_an_index_whose_segment_files_were_deleted() {
    heals_after(|search| {
        let segments: Vec<PathBuf> = std::fs::read_dir(search)
            .expect("list the index")
            .map(|entry| entry.expect("entry").path())
            .filter(|path| {
                path.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with('.') && n != "meta.json")
            })
            .collect();
        assert!(!segments.is_empty(), "the index has segment files");
        for file in segments {
            std::fs::remove_file(file).expect("delete a segment file");
        }
    })
    .await;
}

#[tokio::test]
async fn reindex_succeeds_on_a_corrupt_index() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let data = tempfile::tempdir().expect("data directory");
        indexed(&test_db, data.path()).await;
        std::fs::write(data.path().join("search").join("meta.json"), b"\0\0garbage")
            .expect("corrupt meta.json");

        let output = registry_for(&test_db, data.path())
            .arg("reindex")
            .output()
            .expect("run registry reindex");
        assert!(
            output.status.success(),
            "{engine}: reindex heals instead of refusing: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("index rebuilt"),
            "{engine}: it says so"
        );
        assert_eq!(
            moved_aside(data.path()).len(),
            1,
            "{engine}: the corrupt index was moved aside"
        );

        let server = serve(&test_db, data.path());
        assert_eq!(
            titles(&server, "zephyrine").await,
            vec![FIRST],
            "{engine}: the rebuilt index answers"
        );
        assert!(server.terminate(), "{engine}: stops cleanly");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn an_older_copy_of_the_index_restored_in_place_is_caught_up_at_start() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let data = tempfile::tempdir().expect("data directory");
        let search = data.path().join("search");
        let w = World::build(&test_db.db).await;
        w.pilot(&test_db.db, FIRST, Visibility::Public).await;

        // A backup of the index, taken with the server stopped.
        let server = serve(&test_db, data.path());
        wait_for(&server, "zephyrine", &[FIRST]).await;
        assert!(server.terminate(), "{engine}");
        let backup = tempfile::tempdir().expect("backup directory");
        copy_dir(&search, backup.path());

        // A published change, indexed through the outbox by the running server.
        let server = serve(&test_db, data.path());
        w.pilot(&test_db.db, SECOND, Visibility::Public).await;
        wait_for(&server, "quillwort", &[SECOND]).await;
        assert!(server.terminate(), "{engine}");

        // The old copy restored in place: it has never seen the change.
        std::fs::remove_dir_all(&search).expect("remove the index");
        copy_dir(backup.path(), &search);
        let server = serve(&test_db, data.path());
        assert_eq!(
            titles(&server, "quillwort").await,
            vec![SECOND],
            "{engine}: the change is searchable as soon as the server listens"
        );
        assert_eq!(
            titles(&server, "zephyrine").await,
            vec![FIRST],
            "{engine}: and the older record still is"
        );
        assert!(server.terminate(), "{engine}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn readyz_reports_search_degraded_when_the_index_is_deleted_under_the_server() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let data = tempfile::tempdir().expect("data directory");
        let w = World::build(&test_db.db).await;
        w.pilot(&test_db.db, FIRST, Visibility::Public).await;
        let server = serve(&test_db, data.path());
        wait_for(&server, "zephyrine", &[FIRST]).await;
        let http = reqwest::Client::new();
        let ready = http
            .get(format!("{}/readyz", server.base))
            .send()
            .await
            .expect("readyz");
        assert_eq!(ready.status(), 200, "{engine}: ready with its index");

        std::fs::remove_dir_all(data.path().join("search")).expect("delete the index");
        let deadline = Instant::now() + Duration::from_secs(10);
        let body = loop {
            let ready = http
                .get(format!("{}/readyz", server.base))
                .send()
                .await
                .expect("readyz");
            let status = ready.status();
            let body: Value = ready.json().await.expect("readyz body");
            if status == 503 {
                break body;
            }
            assert!(
                Instant::now() < deadline,
                "{engine}: /readyz should turn 503 once the index is gone; still {status}: {body}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(body["checks"]["search"], "degraded", "{engine}: {body}");
        assert_eq!(body["checks"]["database"], "ok", "{engine}: {body}");
        assert!(
            body["search"]["reason"]
                .as_str()
                .is_some_and(|reason| !reason.is_empty()),
            "{engine}: it says why: {body}"
        );
        drop(server);

        // A restart heals it: the index is rebuilt from the database.
        let server = serve(&test_db, data.path());
        assert_eq!(
            titles(&server, "zephyrine").await,
            vec![FIRST],
            "{engine}: rebuilt at start"
        );
        let ready = http
            .get(format!("{}/readyz", server.base))
            .send()
            .await
            .expect("readyz");
        assert_eq!(ready.status(), 200, "{engine}: ready again");
        assert!(server.terminate(), "{engine}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn the_index_and_the_database_keep_the_same_outbox_watermark() {
    use registry_api::indexing::outbox::{self, WorkerSettings};
    use registry_api::indexing::{progress, reindex};
    use registry_api::search::SearchEngine;
    use registry_api::search::embedded::EmbeddedEngine;

    for test_db in support::databases().await {
        let engine_name = test_db.engine;
        let db = &test_db.db;
        let w = World::build(db).await;
        w.pilot(db, FIRST, Visibility::Public).await;
        let dir = tempfile::tempdir().expect("index directory");
        let open = || SearchEngine::Embedded(EmbeddedEngine::open(dir.path()).expect("open"));
        let engine = open();
        assert_eq!(
            reindex::needed(db, &engine).await.expect("compare"),
            Some(reindex::Stale::Empty),
            "{engine_name}: a new index over records is rebuilt"
        );

        let queued = outbox::queued_ids(db).await.expect("outbox");
        reindex::rebuild(db, &engine, |_, _| {})
            .await
            .expect("rebuild");
        let after_rebuild = progress::applied_through(db).await.expect("watermark");
        assert_eq!(
            after_rebuild,
            queued.last().copied().expect("rows were queued"),
            "{engine_name}: the rebuild covers the rows queued when it began"
        );
        assert!(
            outbox::queued_ids(db).await.expect("outbox").is_empty(),
            "{engine_name}: and removes them, so they are not indexed again"
        );
        assert_eq!(
            engine.applied_through().await.expect("index watermark"),
            after_rebuild,
            "{engine_name}"
        );

        w.pilot(db, SECOND, Visibility::Public).await;
        let newest = *outbox::queued_ids(db)
            .await
            .expect("outbox")
            .last()
            .expect("a row for the change");
        outbox::drain(db, &engine, WorkerSettings::default())
            .await
            .expect("drain");
        assert_eq!(
            progress::applied_through(db).await.expect("watermark"),
            newest,
            "{engine_name}: the database's watermark follows the worker"
        );
        assert_eq!(
            engine.applied_through().await.expect("index watermark"),
            newest,
            "{engine_name}: and so does the index's"
        );

        drop(engine);
        let reopened = open();
        assert_eq!(
            reopened.applied_through().await.expect("index watermark"),
            newest,
            "{engine_name}: the watermark is kept with the commit"
        );
        assert_eq!(
            reindex::needed(db, &reopened).await.expect("compare"),
            None,
            "{engine_name}: a current index is served as it is"
        );
        test_db.finish().await;
    }
}
