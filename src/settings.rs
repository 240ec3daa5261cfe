//! The server's configuration as one typed value: assembled once (by `config` from the command
//! line and the environment, or by a test) and handed whole to `Application::build`. Defaults
//! live here in code; the command line documents and overrides them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use registry_api::auth::SignIn;
use registry_api::search::embedded::EmbeddedEngine;
use registry_api::search::meili::MeiliEngine;
use registry_api::search::{SearchEngine, SearchError};
use sea_orm::DatabaseConnection;

use crate::connections::ConnectionLimits;

/// Everything `registry serve` is started with.
#[derive(Debug)]
pub struct Settings {
    /// Where to listen (port 0: any free port; `Application::address` says which).
    pub addr: SocketAddr,
    pub database: DatabaseSettings,
    /// The rest, which `Application::build_with` takes on its own when the caller brings the
    /// listener and the connections.
    pub server: ServerSettings,
}

/// Everything but where to listen and which database to connect to.
#[derive(Debug)]
pub struct ServerSettings {
    pub search: SearchSettings,
    /// How old the oldest pending search change may be while `/readyz` says ready
    /// (`indexing::health`).
    pub search_max_lag: Duration,
    /// How people sign in (chosen and checked already: see `SignIn::choose`).
    pub sign_in: SignIn,
    pub requests: RequestLimits,
    pub rate_limits: RateLimits,
    pub connections: ConnectionLimits,
    /// Load the demo data set into a database that is empty at start, so a newcomer sees a
    /// living registry: the embedded default does; a PostgreSQL deployment never does.
    pub seed_demo_if_empty: bool,
}

/// Where the records live.
#[derive(Clone)]
pub struct DatabaseSettings {
    /// `postgres://…`, or the embedded SQLite file's `sqlite://…` URL.
    pub url: String,
    /// The directory the embedded database lives in, created if missing; `None` on PostgreSQL.
    pub data_dir: Option<PathBuf>,
}

impl std::fmt::Debug for DatabaseSettings {
    /// The URL can carry a password, so only its scheme is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.url.split("://").next().unwrap_or("?");
        f.debug_struct("DatabaseSettings")
            .field("url", &format!("{scheme}://[redacted]"))
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

impl DatabaseSettings {
    /// Connects, creating the embedded database's directory first if it is missing.
    pub async fn connect(&self) -> anyhow::Result<DatabaseConnection> {
        if let Some(dir) = &self.data_dir {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the data directory {}", dir.display()))?;
        }
        registry_api::db::connect(&self.url, None)
            .await
            .context("connecting to the database")
    }
}

/// Which search engine to use.
#[derive(Clone)]
pub enum SearchSettings {
    /// The in-process tantivy index in this directory (one server process per directory).
    Embedded { dir: PathBuf },
    /// A Meilisearch server.
    Meili {
        url: String,
        api_key: Option<String>,
        index: String,
    },
}

impl std::fmt::Debug for SearchSettings {
    /// The API key is a secret: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Embedded { dir } => f.debug_struct("Embedded").field("dir", dir).finish(),
            Self::Meili {
                url,
                api_key,
                index,
            } => f
                .debug_struct("Meili")
                .field("url", url)
                .field("api_key", &api_key.as_ref().map(|_| "[redacted]"))
                .field("index", index)
                .finish(),
        }
    }
}

impl SearchSettings {
    /// Opens the engine. A corrupt embedded index is moved aside and replaced by an empty one
    /// as it opens (the start-up rebuild then fills it).
    pub async fn open(&self) -> Result<SearchEngine, SearchError> {
        Ok(match self {
            Self::Embedded { dir } => SearchEngine::Embedded(EmbeddedEngine::open(dir)?),
            Self::Meili {
                url,
                api_key,
                index,
            } => SearchEngine::Meili(MeiliEngine::connect(url, api_key.as_deref(), index).await?),
        })
    }
}

/// What one request may cost.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    /// Largest request body accepted, in bytes.
    pub body: usize,
    /// How long a request may take before it is answered 408.
    pub timeout: Duration,
}

impl Default for RequestLimits {
    fn default() -> Self {
        Self {
            body: 1_048_576,
            timeout: Duration::from_secs(30),
        }
    }
}

/// Requests allowed per client address per minute; more are answered 429.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// On the sign-in routes (`/auth/…`).
    pub sign_in_per_minute: u32,
    /// On `/graphql`.
    pub graphql_per_minute: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            sign_in_per_minute: 30,
            graphql_per_minute: 1200,
        }
    }
}
