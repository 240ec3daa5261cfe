//! Connecting to the records: a SQLite file in the data directory by default (WAL mode, busy
//! timeout, foreign keys on), or PostgreSQL when a `postgres://` URL is given.

use std::path::Path;
use std::time::Duration;

use registry_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

/// How long a SQLite writer waits for another to finish before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The URL of the default database: `registry.sqlite3` in the data directory.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("registry.sqlite3").display()
    )
}

/// Opens a pool on `url`. `schema` sets PostgreSQL's search path (tests use one schema each).
pub async fn connect(url: &str, schema: Option<&str>) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        // SQLite allows one writer at a time; a small pool keeps readers parallel under WAL.
        options.max_connections(8).min_connections(1);
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
                .create_if_missing(true)
                // Reads of a large registry (a comparison over thousands of pilots) come from
                // memory-mapped pages and a 16 MB cache per connection, not a read() per page.
                .pragma("mmap_size", "268435456")
                .pragma("cache_size", "-16384")
        });
    } else {
        options.max_connections(16);
    }
    if let Some(schema) = schema {
        options.set_schema_search_path(schema);
    }
    Database::connect(options).await
}

/// Brings the schema up to date.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Which engine a connection speaks to, for the few places that differ.
pub fn backend(db: &DatabaseConnection) -> DbBackend {
    db.get_database_backend()
}

/// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes fails with
/// `SQLITE_BUSY_SNAPSHOT` when another connection committed in between, which the busy timeout
/// cannot cure. PostgreSQL ignores the mode.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
