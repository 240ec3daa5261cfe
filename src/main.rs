//! `registry`: the command line. It parses options and calls the library; nothing else.

use anyhow::Context;
use clap::Parser;
use registry::Application;
use registry::config::{
    Cli, Command, DatabaseArgs, LogFormat, Scope, SearchArgs, SeedArgs, ServeArgs, TokenCommand,
    TokenCreateArgs,
};
use registry_api::indexing::reindex as rebuild;
use sea_orm::DatabaseConnection;
use tracing_subscriber::EnvFilter;

/// A GraphQL answer is thousands of small values built and dropped per request; mimalloc's
/// per-thread pages serve them far faster than glibc's allocator (BENCHMARKS.md, GraphQL).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing(cli.log_format);
    match cli.command {
        Command::Serve(args) => run_serve(&cli.database, &cli.search, *args).await,
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
    database.settings().connect().await
}

/// `registry serve`: everything it starts is `Application::build`'s.
async fn run_serve(
    database: &DatabaseArgs,
    search: &SearchArgs,
    args: ServeArgs,
) -> anyhow::Result<()> {
    let settings = args
        .settings(database, search)
        .map_err(|reason| anyhow::anyhow!("cannot start: {reason}"))?;
    let app = Application::build(settings).await?;
    // Tests and scripts read this line to find the port when --addr ends in :0.
    println!("listening on http://{}", app.address());
    app.run_until_stopped(shutdown_signal()).await?;
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
    let engine = search.settings(&database.data_dir).open().await.context(
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
    // A token belongs to one registry's database: never start an empty one for it, which the
    // server (using another data directory) would not know.
    let file = database.data_dir.join("registry.sqlite3");
    if database.is_embedded_default() && !file.exists() {
        anyhow::bail!(
            "there is no registry database at {}: pass the --data-dir (or DATABASE_URL) of the \
             server the token is for",
            file.display()
        );
    }
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
