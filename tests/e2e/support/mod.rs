//! Test support: a fresh, migrated database per test on each engine, and a small world of
//! organisations, people and records built through the services.

pub mod app;
pub mod browser;
pub mod chromium;
pub mod node;
pub mod process;
pub mod provider;
pub mod world;

use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};
use tempfile::TempDir;

pub use world::World;

/// One database for one test.
pub struct TestDb {
    /// `sqlite` or `postgres`, for assertion messages.
    pub engine: &'static str,
    pub db: DatabaseConnection,
    /// The connection URL (PostgreSQL: with its schema on the search path).
    pub url: String,
    _dir: Option<TempDir>,
    schema: Option<(String, String)>,
}

impl TestDb {
    /// The PostgreSQL schema this test owns, if on PostgreSQL.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_ref().map(|(_, schema)| schema.as_str())
    }

    /// Serves this database in-process, with demo sign-in.
    pub async fn app(&self) -> app::TestApp {
        self.app_with(app::Options::default()).await
    }

    /// Serves this database in-process, as `options` say.
    pub async fn app_with(&self, options: app::Options) -> app::TestApp {
        match &self.schema {
            Some((base, schema)) => app::TestApp::start(base, Some(schema), options).await,
            None => app::TestApp::start(&self.url, None, options).await,
        }
    }
}

impl TestDb {
    /// Drops the PostgreSQL schema; SQLite files go with their temporary directory.
    pub async fn finish(self) {
        if let Some((base, schema)) = &self.schema
            && let Ok(admin) = registry_api::db::connect(base, None).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                .await;
        }
    }

    pub async fn count<E: EntityTrait>(&self) -> u64
    where
        E::Model: Sync,
    {
        E::find().count(&self.db).await.expect("count rows")
    }
}

/// The PostgreSQL server to test against, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("REGISTRY_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A fresh SQLite database in a temporary directory, not yet migrated.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = registry_api::db::sqlite_url(dir.path());
    let db = registry_api::db::connect(&url, None)
        .await
        .expect("open SQLite");
    TestDb {
        engine: "sqlite",
        db,
        url,
        _dir: Some(dir),
        schema: None,
    }
}

/// A fresh schema on the PostgreSQL server, not yet migrated.
pub async fn postgres(base: &str) -> TestDb {
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin = registry_api::db::connect(base, None)
        .await
        .expect("connect to PostgreSQL");
    admin
        .execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
        .await
        .expect("create a test schema");
    admin.close().await.ok();
    let db = registry_api::db::connect(base, Some(&schema))
        .await
        .expect("connect to the test schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
    TestDb {
        engine: "postgres",
        db,
        url,
        _dir: None,
        schema: Some((base.to_owned(), schema)),
    }
}

/// Fresh databases on every engine under test, not yet migrated.
pub async fn empty_databases() -> Vec<TestDb> {
    let mut databases = vec![sqlite().await];
    if let Some(base) = postgres_url() {
        databases.push(postgres(&base).await);
    }
    databases
}

/// Fresh, migrated databases on every engine under test.
pub async fn databases() -> Vec<TestDb> {
    let databases = empty_databases().await;
    for test_db in &databases {
        registry_api::db::migrate(&test_db.db)
            .await
            .unwrap_or_else(|e| panic!("migrate {}: {e}", test_db.engine));
    }
    databases
}
