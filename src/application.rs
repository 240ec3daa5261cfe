//! Starting the registry: everything `registry serve` runs, in one place, so that the tests
//! start exactly what production starts. [`Application::build`] migrates the database, loads
//! the demo data into an empty embedded one, opens the search engine (rebuilding its index when
//! it is empty or disagrees with the database), starts the outbox worker, builds the router and
//! binds the listener; [`Application::run_until_stopped`] serves until told to stop and then
//! stops the worker.
//!
//! Starting is the server's edge, so its errors are `anyhow` errors with context: they are
//! printed once, with their cause chain, and the process ends.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use registry_api::indexing::{outbox, reindex as rebuild};
use registry_api::search::SearchEngine;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::connections::{ConnectionLimits, serve};
use crate::server::build_app;
use crate::settings::{ServerSettings, Settings};
use crate::state::AppState;

/// The database connections an application runs on.
#[derive(Debug, Clone)]
pub struct Connections {
    /// What request handlers use.
    pub requests: DatabaseConnection,
    /// What the application uses on its own account: migrating and seeding at start, the
    /// index rebuild, and the outbox worker. In production this is the same pool as
    /// `requests` ([`Connections::shared`]); a test gives requests a pool of their own that
    /// counts their statements, so the worker's polling does not show in a request's count.
    pub background: DatabaseConnection,
}

impl Connections {
    /// One pool for everything, as `registry serve` runs.
    pub fn shared(db: DatabaseConnection) -> Self {
        Self {
            requests: db.clone(),
            background: db,
        }
    }
}

/// A registry that has started and is ready to serve.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    router: Router,
    limits: ConnectionLimits,
    search: SearchEngine,
    worker: Worker,
}

impl Application {
    /// Connects to the database `settings` name, starts everything and binds `settings.addr`.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = settings.database.connect().await?;
        let started = start(settings.server, Connections::shared(db)).await?;
        let listener = TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("listening on {}", settings.addr))?;
        started.on(listener)
    }

    /// Starts everything on connections and a listener the caller already has: a test binds
    /// port 0 first, because its OpenID provider must know the registry's callback address
    /// before the registry's sign-in is chosen, and counts the statements requests run.
    pub async fn build_with(
        settings: ServerSettings,
        listener: TcpListener,
        connections: Connections,
    ) -> anyhow::Result<Self> {
        start(settings, connections).await?.on(listener)
    }

    /// The address the listener is bound to (with the port chosen when asked for port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The search engine requests and the outbox worker use.
    pub fn search(&self) -> &SearchEngine {
        &self.search
    }

    /// Serves until `shutdown` completes, lets requests in flight finish, then stops the outbox
    /// worker (it finishes the batch it is on, so nothing is indexed twice or left half done).
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        tracing::info!(local = %self.address, "serving the registry");
        let served = serve(self.listener, self.router, self.limits, shutdown).await;
        self.worker.stop().await;
        tracing::info!("stopped");
        served
    }
}

/// Everything started but the listener.
struct Started {
    router: Router,
    limits: ConnectionLimits,
    search: SearchEngine,
    worker: Worker,
}

impl Started {
    fn on(self, listener: TcpListener) -> anyhow::Result<Application> {
        let address = listener
            .local_addr()
            .context("reading the listener's address")?;
        Ok(Application {
            listener,
            address,
            router: self.router,
            limits: self.limits,
            search: self.search,
            worker: self.worker,
        })
    }
}

async fn start(settings: ServerSettings, connections: Connections) -> anyhow::Result<Started> {
    if settings.sign_in.demo_enabled() {
        tracing::info!("no identity provider configured: demo accounts are offered at /auth/login");
    }
    // Everything counted from here on shows at `/metrics`, the start-up rebuild included.
    crate::server::prometheus();
    let db = &connections.background;
    registry_api::db::migrate(db)
        .await
        .context("migrating the database")?;
    if settings.seed_demo_if_empty
        && registry_seed::is_empty(db)
            .await
            .context("checking whether the database is empty")?
    {
        tracing::info!("empty embedded database: loading the demo data set");
        registry_seed::demo::load(db)
            .await
            .context("loading the demo data")?;
    }
    let search = settings
        .search
        .open()
        .await
        .context("opening the search index")?;
    rebuild_if_needed(db, &search).await?;
    let worker = Worker::spawn(db.clone(), search.clone());
    let state = AppState::new(
        connections.requests,
        search.clone(),
        settings.search_max_lag,
        settings.sign_in,
        settings.requests,
        settings.rate_limits,
    );
    Ok(Started {
        router: build_app(state),
        limits: settings.connections,
        search,
        worker,
    })
}

/// The index is derived data: it is rebuilt from the database when it is empty, or when its
/// outbox watermark disagrees with the database's (an older copy restored in place).
async fn rebuild_if_needed(db: &DatabaseConnection, search: &SearchEngine) -> anyhow::Result<()> {
    let Some(stale) = rebuild::needed(db, search)
        .await
        .context("comparing the search index with the database")?
    else {
        return Ok(());
    };
    match stale {
        rebuild::Stale::Empty => {
            tracing::info!(reason = %stale, "rebuilding the search index from the database");
        }
        _ => tracing::warn!(reason = %stale, "rebuilding the search index from the database"),
    }
    let indexed = rebuild::rebuild(db, search, |_, _| {})
        .await
        .context("rebuilding the search index")?;
    tracing::info!(indexed, "search index rebuilt");
    Ok(())
}

/// The outbox worker, running in the background from start to stop.
#[derive(Debug)]
struct Worker {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Worker {
    fn spawn(db: DatabaseConnection, search: SearchEngine) -> Self {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(outbox::run(
            db,
            search,
            outbox::WorkerSettings::default(),
            stopped,
        ));
        Self {
            stop,
            task: Some(task),
        }
    }

    /// Tells the worker to stop and waits until it has.
    async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take()
            && let Err(err) = task.await
        {
            tracing::error!(error = %err, "the search outbox worker failed");
        }
    }
}

impl Drop for Worker {
    /// An application dropped without being run (its start failed after the worker began, or
    /// a test ended early) still stops its worker: it sees the flag at its next pass.
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
