//! The registry served in-process on a free loopback port, stopped on cue. It is started by
//! `Application::build_with`, so it runs everything `registry serve` runs: migrations, the
//! start-up index rebuild and the search outbox worker included.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use registry::settings::{RateLimits, RequestLimits, SearchSettings, ServerSettings};
use registry::{Application, ConnectionLimits, Connections};
use registry_api::Actor;
use registry_api::auth::{SessionPolicy, SignIn};
use registry_api::model::TokenScope;
use registry_api::service::tokens;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::provider::Provider;

/// How a test's server signs people in, and its limits.
#[derive(Debug, Default)]
pub struct Options {
    /// Sign in through a test OpenID provider with this client (see [`ProviderClient`]);
    /// demo accounts when `None`.
    pub provider: Option<ProviderClient>,
    pub sign_in_per_minute: Option<u32>,
    pub graphql_per_minute: Option<u32>,
    pub session_policy: Option<SessionPolicy>,
    pub connection_limits: Option<ConnectionLimits>,
    /// `--search-max-lag`; the default's when `None`.
    pub search_max_lag: Option<std::time::Duration>,
}

/// Which of the test provider's clients the registry is.
#[derive(Debug, Clone, Copy)]
pub enum ProviderClient {
    /// A client with a shared secret: `registry`, `registry-short-code`, or one whose ID
    /// tokens are forged (`registry-wrong-issuer`, …).
    Secret(&'static str),
    /// `registry-jwt`, which authenticates with `private_key_jwt`.
    PrivateKeyJwt,
}

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    /// SQL statements requests have run so far (the app's own work, such as the outbox
    /// worker's, runs on a connection of its own and is not counted).
    pub statements: Arc<AtomicUsize>,
    /// Their text (the first line of each), for failure messages.
    pub log: Arc<std::sync::Mutex<Vec<String>>>,
    /// The app's search engine (an embedded index of its own), which its outbox worker feeds.
    pub search: registry_api::search::SearchEngine,
    /// The OpenID provider this app signs in through, if any.
    pub provider: Option<Provider>,
    stop: Option<oneshot::Sender<()>>,
    _index_dir: tempfile::TempDir,
}

impl TestApp {
    /// Serves `db` on port 0, with a pool for requests that counts their statements and
    /// another for the app's own work.
    pub async fn start(url: &str, schema: Option<&str>, options: Options) -> TestApp {
        let mut requests = registry_api::db::connect(url, schema)
            .await
            .expect("app connection");
        let statements = Arc::new(AtomicUsize::new(0));
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (counter, lines) = (statements.clone(), log.clone());
        requests.set_metric_callback(move |info| {
            counter.fetch_add(1, Ordering::SeqCst);
            let sql = info.statement.sql.chars().take(90).collect::<String>();
            lines.lock().expect("statement log").push(sql);
        });
        let background = registry_api::db::connect(url, schema)
            .await
            .expect("background connection");
        // Bound before the app starts: the provider must know the callback address first.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let base = format!("http://{addr}");
        let provider = options
            .provider
            .map(|client| (client, Provider::start(&format!("{base}/auth/callback"))));
        let provider_settings = provider.as_ref().map(|(client, provider)| match client {
            ProviderClient::Secret(id) => provider.secret_client(id),
            ProviderClient::PrivateKeyJwt => provider.key_client(),
        });
        let sign_in = SignIn::choose(
            provider_settings,
            addr,
            None,
            options.session_policy.unwrap_or_default(),
        )
        .expect("choose sign-in");
        let index_dir = tempfile::tempdir().expect("index directory");
        let defaults = RateLimits::default();
        let settings = ServerSettings {
            search: SearchSettings::Embedded {
                dir: index_dir.path().to_owned(),
            },
            search_max_lag: options
                .search_max_lag
                .unwrap_or(registry_api::indexing::health::DEFAULT_MAX_LAG),
            sign_in,
            requests: RequestLimits {
                // Debug builds on a shared two-core machine resolve a level of 50 records far
                // slower than a release build; a wide window keeps each level in one batch.
                ..RequestLimits::default()
            },
            rate_limits: RateLimits {
                sign_in_per_minute: options
                    .sign_in_per_minute
                    .unwrap_or(defaults.sign_in_per_minute),
                graphql_per_minute: options
                    .graphql_per_minute
                    .unwrap_or(defaults.graphql_per_minute),
            },
            connections: options.connection_limits.unwrap_or_default(),
            // Tests build the records they need.
            seed_demo_if_empty: false,
        };
        let app = Application::build_with(
            settings,
            listener,
            Connections {
                requests,
                background,
            },
        )
        .await
        .expect("start the registry");
        let search = app.search().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            app.run_until_stopped(async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        });
        TestApp {
            base,
            http: reqwest::Client::new(),
            statements,
            log,
            search,
            provider: provider.map(|(_, provider)| provider),
            stop: Some(stop),
            _index_dir: index_dir,
        }
    }

    /// The absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Posts a GraphQL request and returns the response body (any status).
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json body")
    }

    pub fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A read-write API token acting as `actor`.
pub async fn token_for(db: &DatabaseConnection, actor: &Actor) -> String {
    tokens::create(db, actor, "test", TokenScope::ReadWrite, 30)
        .await
        .expect("create token")
        .secret
}

/// The `extensions.code` of the first error, if any.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}
