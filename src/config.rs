//! The command line and its configuration: every option is a flag and an environment variable
//! (flags win), documented in `--help` and in the README.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use registry_api::auth::{SessionPolicy, SignIn};

use crate::connections::ConnectionLimits;
use crate::settings::{
    DatabaseSettings, RateLimits, RequestLimits, SearchSettings, ServerSettings, Settings,
};

mod oidc;

pub use oidc::OidcArgs;

#[derive(Debug, Parser)]
#[command(
    name = "registry",
    version,
    about = "Innovation Outcomes Registry: how NHS innovations were piloted and evaluated"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub search: SearchArgs,

    /// Log format: human-readable text or one JSON object a line.
    #[arg(long, env = "REGISTRY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

/// Where the records live.
#[derive(Clone, Args)]
pub struct DatabaseArgs {
    /// Directory for the embedded database (and, later, the search index).
    #[arg(
        long,
        env = "REGISTRY_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// PostgreSQL URL (postgres://user:password@host/db). Unset: a SQLite file in --data-dir.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
}

impl std::fmt::Debug for DatabaseArgs {
    /// The URL can carry a password, so only its scheme is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = self
            .database_url
            .as_deref()
            .map(|u| format!("{}://[redacted]", u.split("://").next().unwrap_or("?")));
        f.debug_struct("DatabaseArgs")
            .field("data_dir", &self.data_dir)
            .field("database_url", &url)
            .finish()
    }
}

impl DatabaseArgs {
    /// The URL to connect to: `DATABASE_URL`, or the SQLite file in the data directory.
    pub fn url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| registry_api::db::sqlite_url(&self.data_dir))
    }

    /// Whether this is the embedded default, which serve fills with demo data when empty.
    pub fn is_embedded_default(&self) -> bool {
        self.database_url.is_none()
    }

    pub fn settings(&self) -> DatabaseSettings {
        DatabaseSettings {
            url: self.url(),
            data_dir: self.is_embedded_default().then(|| self.data_dir.clone()),
        }
    }
}

/// Which search engine to use.
#[derive(Clone, Args)]
pub struct SearchArgs {
    /// Meilisearch URL. Unset: the embedded index in `<data-dir>/search`.
    #[arg(long, env = "MEILI_URL", global = true)]
    pub meili_url: Option<String>,

    /// Meilisearch API key.
    #[arg(long, env = "MEILI_API_KEY", global = true, hide_env_values = true)]
    pub meili_api_key: Option<String>,

    /// Meilisearch index name.
    #[arg(long, env = "MEILI_INDEX", default_value = "registry", global = true)]
    pub meili_index: String,
}

impl std::fmt::Debug for SearchArgs {
    /// The API key is a secret: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchArgs")
            .field("meili_url", &self.meili_url)
            .field(
                "meili_api_key",
                &self.meili_api_key.as_ref().map(|_| "[redacted]"),
            )
            .field("meili_index", &self.meili_index)
            .finish()
    }
}

impl SearchArgs {
    /// The configured engine: Meilisearch when a URL is set, else the embedded index in
    /// `<data_dir>/search`.
    pub fn settings(&self, data_dir: &std::path::Path) -> SearchSettings {
        match &self.meili_url {
            Some(url) => SearchSettings::Meili {
                url: url.clone(),
                api_key: self.meili_api_key.clone(),
                index: self.meili_index.clone(),
            },
            None => SearchSettings::Embedded {
                dir: data_dir.join("search"),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve the registry. An empty embedded database is filled with
    /// the demo data set first.
    // Boxed: serve's options outweigh every other command's many times over.
    Serve(Box<ServeArgs>),
    /// Bring the database schema up to date.
    Migrate,
    /// Load data: the demo data set, or a synthetic registry for scale tests.
    Seed(SeedArgs),
    /// Rebuild the search index from the database (the embedded index: with the server stopped;
    /// Meilisearch: live, by building a new index and swapping it in).
    Reindex,
    /// Manage API tokens for programmatic GraphQL clients.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token acting as a user; the secret is printed once.
    Create(TokenCreateArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The user's subject at their identity provider (the demo accounts: demo-commissioner,
    /// demo-trust-evaluator, demo-gp-evaluator, demo-innovator, demo-admin, demo-member).
    #[arg(long, env = "REGISTRY_TOKEN_SUBJECT")]
    pub subject: String,

    /// The user's identity provider (issuer URL); the demo accounts' is the default.
    #[arg(
        long,
        env = "REGISTRY_TOKEN_ISSUER",
        default_value = "urn:registry:demo"
    )]
    pub issuer: String,

    /// A name to recognise the token by.
    #[arg(long, env = "REGISTRY_TOKEN_NAME", default_value = "command line")]
    pub name: String,

    /// What the token may do.
    #[arg(long, env = "REGISTRY_TOKEN_SCOPE", value_enum, default_value_t = Scope::Read)]
    pub scope: Scope,

    /// Days until the token expires (at most 366).
    #[arg(long, env = "REGISTRY_TOKEN_DAYS", default_value_t = 90)]
    pub days: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scope {
    /// Queries only.
    Read,
    /// Queries and mutations.
    ReadWrite,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "REGISTRY_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "REGISTRY_BODY_LIMIT", default_value_t = 1_048_576)]
    pub body_limit: usize,

    /// Seconds a request may take before it is answered 408.
    #[arg(long, env = "REGISTRY_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,

    /// Seconds a client may take to send a request's headers; also how long a kept-alive
    /// connection may sit idle.
    #[arg(long, env = "REGISTRY_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,

    /// Open connections accepted at once, altogether; more are closed at once.
    #[arg(long, env = "REGISTRY_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Open connections accepted at once from one client address (an IPv6 client: its /64).
    #[arg(
        long,
        env = "REGISTRY_MAX_CONNECTIONS_PER_CLIENT",
        default_value_t = 64
    )]
    pub max_connections_per_client: usize,

    /// The address people reach the registry at (https://… in production): the sign-in
    /// redirect is PUBLIC_URL/auth/callback, and an https address makes cookies Secure.
    /// Unset: http://<addr>, allowed on loopback only.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,

    #[command(flatten)]
    pub oidc: OidcArgs,

    /// Minutes a browser session may stay unused before it ends.
    #[arg(long, env = "REGISTRY_SESSION_IDLE_MINUTES", default_value_t = 60)]
    pub session_idle_minutes: i64,

    /// Hours after sign-in that every session ends, however active.
    #[arg(long, env = "REGISTRY_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: i64,

    /// Sign-in requests (/auth/…) allowed per client address per minute; more get 429.
    #[arg(long, env = "REGISTRY_SIGN_IN_PER_MINUTE", default_value_t = 30)]
    pub sign_in_per_minute: u32,

    /// GraphQL requests allowed per client address per minute; more get 429.
    #[arg(long, env = "REGISTRY_GRAPHQL_PER_MINUTE", default_value_t = 1200)]
    pub graphql_per_minute: u32,

    /// Seconds the oldest change waiting for the search index may have waited while /readyz
    /// says ready; older, and it answers 503 (search degraded). Fractions allowed.
    #[arg(
        long,
        env = "REGISTRY_SEARCH_MAX_LAG",
        default_value_t = registry_api::indexing::health::DEFAULT_MAX_LAG.as_secs_f64(),
        value_parser = parse_seconds
    )]
    pub search_max_lag: f64,
}

/// A number of seconds that is finite and not negative.
fn parse_seconds(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if seconds.is_finite() && seconds >= 0.0 {
        Ok(seconds)
    } else {
        Err(format!("{text:?} must be zero or more seconds"))
    }
}

impl ServeArgs {
    /// The settings `serve` starts with, or why they are refused: an unsafe or half-given
    /// sign-in configuration is refused here, before anything is touched.
    pub fn settings(
        &self,
        database: &DatabaseArgs,
        search: &SearchArgs,
    ) -> Result<Settings, String> {
        let policy = SessionPolicy {
            idle: chrono::Duration::minutes(self.session_idle_minutes.max(1)),
            absolute: chrono::Duration::hours(self.session_max_hours.max(1)),
        };
        let sign_in = self.oidc.settings().and_then(|provider| {
            SignIn::choose(provider, self.addr, self.public_url.clone(), policy)
        })?;
        Ok(Settings {
            addr: self.addr,
            database: database.settings(),
            server: ServerSettings {
                search: search.settings(&database.data_dir),
                search_max_lag: Duration::from_secs_f64(self.search_max_lag),
                sign_in,
                requests: RequestLimits {
                    body: self.body_limit,
                    timeout: Duration::from_secs(self.request_timeout),
                },
                rate_limits: RateLimits {
                    sign_in_per_minute: self.sign_in_per_minute,
                    graphql_per_minute: self.graphql_per_minute,
                },
                connections: ConnectionLimits {
                    total: self.max_connections.max(1),
                    per_client: self.max_connections_per_client.max(1),
                    header_timeout: Duration::from_secs(self.header_timeout.max(1)),
                },
                seed_demo_if_empty: database.is_embedded_default(),
            },
        })
    }
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct SeedArgs {
    /// Load the demo data set (fictional organisations, technologies and pilots). Safe to repeat.
    #[arg(long, env = "REGISTRY_SEED_DEMO")]
    pub demo: bool,

    /// Add N synthetic pilots (with measures) over the demo catalogue, in batched transactions.
    #[arg(long, value_name = "N", env = "REGISTRY_SEED_SYNTHETIC")]
    pub synthetic: Option<u64>,
}
