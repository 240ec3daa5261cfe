//! `registry`: the command line. It parses options and calls the library; nothing else.

use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use registry::config::{
    Cli, Command, DatabaseArgs, LogFormat, Scope, SearchArgs, SeedArgs, ServeArgs, TokenCommand,
    TokenCreateArgs,
};
use registry::rate_limit::RateLimit;
use registry::{AppState, ConnectionLimits, build_app, serve};
use registry_api::auth::{SessionPolicy, SignIn};
use registry_api::indexing::{outbox, reindex as rebuild};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing(cli.log_format);
    match cli.command {
        Command::Serve(args) => run_serve(&cli.database, &cli.search, args).await,
        Command::Migrate => {
            let db = open(&cli.database).await?;
            registry_api::db::migrate(&db)
                .await
                .context("migrating the database")?;
            println!("database is up to date");
            Ok(())
        }
        Command::Seed(args) => run_seed(&cli.database, args).await,
        Command::Token(TokenCommand::Create(args)) => create_token(&cli.database, args).await,
        Command::Reindex => reindex(&cli.database, &cli.search).await,
    }
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn open(database: &DatabaseArgs) -> anyhow::Result<DatabaseConnection> {
    if database.is_embedded_default() {
        std::fs::create_dir_all(&database.data_dir).with_context(|| {
            format!(
                "creating the data directory {}",
                database.data_dir.display()
            )
        })?;
    }
    registry_api::db::connect(&database.url(), None)
        .await
        .context("connecting to the database")
}

async fn run_serve(
    database: &DatabaseArgs,
    search: &SearchArgs,
    args: ServeArgs,
) -> anyhow::Result<()> {
    // Refuse an unsafe or half-given sign-in configuration before touching anything.
    let policy = SessionPolicy {
        idle: chrono::Duration::minutes(args.session_idle_minutes.max(1)),
        absolute: chrono::Duration::hours(args.session_max_hours.max(1)),
    };
    let sign_in = args
        .oidc
        .settings()
        .and_then(|provider| SignIn::choose(provider, args.addr, args.public_url.clone(), policy))
        .map_err(|reason| anyhow::anyhow!("cannot start: {reason}"))?;
    if sign_in.demo_enabled() {
        tracing::info!("no identity provider configured: demo accounts are offered at /auth/login");
    }
    let db = open(database).await?;
    registry_api::db::migrate(&db)
        .await
        .context("migrating the database")?;
    if database.is_embedded_default() && registry_seed::is_empty(&db).await? {
        tracing::info!("empty embedded database: loading the demo data set");
        registry_seed::demo::load(&db)
            .await
            .context("loading the demo data")?;
    }
    // A corrupt embedded index is moved aside and replaced by an empty one as it opens.
    let engine = search
        .open(&database.data_dir)
        .await
        .context("opening the search index")?;
    // The index is derived data: rebuild it from the database when it is empty, or when its
    // outbox watermark disagrees with the database's (an older copy restored in place).
    if let Some(stale) = rebuild::needed(&db, &engine)
        .await
        .context("comparing the search index with the database")?
    {
        match stale {
            rebuild::Stale::Empty => {
                tracing::info!(reason = %stale, "rebuilding the search index from the database");
            }
            _ => tracing::warn!(reason = %stale, "rebuilding the search index from the database"),
        }
        let indexed = rebuild::rebuild(&db, &engine, |_, _| {})
            .await
            .context("rebuilding the search index")?;
        tracing::info!(indexed, "search index rebuilt");
    }
    let (stop_worker, worker_stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(outbox::run(
        db.clone(),
        engine.clone(),
        outbox::WorkerSettings::default(),
        worker_stopped,
    ));
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let local = listener.local_addr()?;
    let mut state = AppState::new(db, engine, sign_in);
    state.body_limit = args.body_limit;
    state.request_timeout = Duration::from_secs(args.request_timeout);
    state.batch_window = Duration::from_millis(args.graphql_batch_window_ms);
    state.sign_in_limit = RateLimit::per_minute(args.sign_in_per_minute);
    state.graphql_limit = RateLimit::per_minute(args.graphql_per_minute);
    let app = build_app(state);
    // Tests and scripts read this line to find the port when --addr ends in :0.
    println!("listening on http://{local}");
    tracing::info!(%local, "serving the registry");
    let limits = ConnectionLimits {
        total: args.max_connections.max(1),
        per_client: args.max_connections_per_client.max(1),
        header_timeout: Duration::from_secs(args.header_timeout.max(1)),
    };
    serve(listener, app, limits, shutdown_signal()).await?;
    let _ = stop_worker.send(true);
    let _ = worker.await;
    tracing::info!("stopped");
    Ok(())
}

async fn run_seed(database: &DatabaseArgs, args: SeedArgs) -> anyhow::Result<()> {
    let db = open(database).await?;
    registry_api::db::migrate(&db)
        .await
        .context("migrating the database")?;
    if args.demo {
        let report = registry_seed::demo::load(&db).await?;
        println!("{report}");
    }
    if let Some(count) = args.synthetic {
        let report = registry_seed::synthetic::generate(&db, count).await?;
        println!("{report}");
    }
    Ok(())
}

async fn reindex(database: &DatabaseArgs, search: &SearchArgs) -> anyhow::Result<()> {
    let db = open(database).await?;
    registry_api::db::migrate(&db)
        .await
        .context("migrating the database")?;
    // A corrupt embedded index is moved aside as it opens; the rebuild below fills the new one.
    let engine = search.open(&database.data_dir).await.context(
        "opening the search index (is a server using the embedded index? stop it first)",
    )?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {bar:40} {pos}/{len} records ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let indexed = rebuild::rebuild(&db, &engine, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .context("rebuilding the search index")?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} index rebuilt: {indexed} documents in {secs:.1} s ({:.0} documents/s)",
        engine.name(),
        indexed as f64 / secs.max(1e-9)
    );
    Ok(())
}

async fn create_token(database: &DatabaseArgs, args: TokenCreateArgs) -> anyhow::Result<()> {
    use registry_api::model::{EntryPoint, TokenScope};
    use registry_api::service::{accounts, tokens};
    let db = open(database).await?;
    registry_api::db::migrate(&db)
        .await
        .context("migrating the database")?;
    let user = accounts::find_user(&db, &args.issuer, &args.subject)
        .await?
        .with_context(|| format!("no user {} at {}", args.subject, args.issuer))?;
    let actor = accounts::actor_for_user(&db, user.id, EntryPoint::Cli, None).await?;
    let scope = match args.scope {
        Scope::Read => TokenScope::Read,
        Scope::ReadWrite => TokenScope::ReadWrite,
    };
    let created = tokens::create(&db, &actor, &args.name, scope, args.days)
        .await
        .context("creating the token")?;
    eprintln!(
        "token for {} ({}), expires {}; shown once, keep it safe:",
        user.name,
        created.token.scope.label().to_lowercase(),
        created.token.expires_at.format("%Y-%m-%d")
    );
    println!("{}", created.secret);
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "could not listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "could not listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
