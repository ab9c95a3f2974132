//! `aura`: the AURA server, worker, and operator commands.
//!
//! Wiring only: configuration, logging, signals, and which loops run. Everything else lives in
//! the library crates.

mod bench;
mod bench_analytics;
mod cli;
mod config;
mod eval;
mod run;

use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{CommandFactory, Parser};
use cli::{Command, EvalCommand, PackagesCommand};
use tokio_util::sync::CancellationToken;

use config::Config;

fn main() -> std::process::ExitCode {
    // clap prints help and usage errors itself (exit 0 for help, 2 for a bad command line).
    let cli = cli::Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(dispatch(cli.command.unwrap_or(Command::Serve))) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(1)
        }
    }
}

async fn dispatch(command: Command) -> anyhow::Result<std::process::ExitCode> {
    match command {
        Command::Serve => serve(true).await,
        Command::Worker => serve(false).await,
        Command::Migrate => {
            let config = Config::load()?;
            init_logging(&config);
            let store = open_store(&config).await?;
            drop(store);
            println!("migrations applied to {}", redact(&config.database_url));
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Packages(PackagesCommand::Validate { files }) => Ok(validate_files(&files)),
        Command::Packages(PackagesCommand::List) => {
            let config = Config::load()?;
            let store = open_store(&config).await?;
            for p in store.list_packages().await? {
                println!("{:<32} v{:<4} {}", p.name, p.latest_version, if p.active { "active" } else { "inactive" });
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Run(args) => run::run(args).await,
        Command::Seed(args) => seed(args.transactions.as_deref()).await,
        Command::Eval(EvalCommand::Valuation { test_from }) => eval::valuation(test_from),
        Command::Bench(cli::BenchCommand { analytics: Some(cli::BenchSub::Analytics(args)), .. }) => {
            bench_analytics::bench(&args).await
        }
        Command::Bench(cli::BenchCommand { args, .. }) => bench::bench(&args).await,
        Command::Completions { shell } => {
            // Into a buffer first: clap_complete panics on a closed stdout (`| head`).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cli::Cli::command(), "aura", &mut script);
            match std::io::Write::write_all(&mut std::io::stdout(), &script) {
                Ok(()) => Ok(std::process::ExitCode::SUCCESS),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(std::process::ExitCode::SUCCESS),
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// The handlers this binary offers to packages: the built-ins and the real-estate ones.
pub fn registry(estate: &Arc<realestate::Services>) -> runtime::Registry {
    let mut registry = runtime::Registry::with_builtins();
    realestate::handlers::register(&mut registry, estate.clone());
    registry
}

/// Opens every store, migrates, seeds an empty market and builds the runtime on it.
pub async fn open_runtime(
    config: &Config,
) -> anyhow::Result<(runtime::Runtime, store::Stores, Arc<realestate::Services>)> {
    let stores = store::open(&config.database_url)
        .await
        .with_context(|| format!("connecting to {}", redact(&config.database_url)))?;
    stores.engine.migrate().await.context("running migrations")?;
    // A development install gets the marked demo brokerage, so the shipped packages run at once;
    // production waits for an admin's settings.
    let options = realestate::Options { settings_file: config.compliance.clone(), demo_brokerage: !config.production };
    let estate = realestate::Services::launch(&stores, options).await.context("loading market data")?;
    let settings = estate.settings().await.context("reading the brokerage settings")?;
    if settings.registration().is_err() {
        tracing::warn!("no brokerage settings: steps that advertise wait until an admin saves them (PUT /api/v1/settings/brokerage)");
    }
    if let Some(openai) = &config.openai {
        let ai = realestate::content::OpenAiGenerator::new(openai.clone())
            .map_err(|e| anyhow::anyhow!("AURA_OPENAI_*: {e}"))?;
        let _ = estate.ai.set(Arc::new(ai));
        tracing::info!(model = %openai.primary_model, "marketing copy from the configured model, templates as fallback");
    }
    if let Some(smtp) = &config.smtp {
        let mailer =
            realestate::mailer::SmtpMailer::new(smtp.clone()).map_err(|e| anyhow::anyhow!("AURA_SMTP_*: {e}"))?;
        tracing::info!(host = %smtp.host, port = smtp.port, tls = ?smtp.tls, "campaign e-mails through SMTP");
        let _ = estate.mailer.set(Arc::new(mailer));
    }
    if config.time_scale != 1.0 {
        tracing::warn!(scale = config.time_scale, "durable waits are compressed (AURA_TIME_SCALE)");
        let _ = estate.time_scale.set(config.time_scale);
    }
    if let Some(from) = &config.mail_from {
        let _ = estate.mail_from.set(from.clone());
    }
    if let Some(url) = &config.social_webhook_url {
        let publisher = realestate::publish::OutboxPublisher::new(stores.records.clone(), Some(url.clone()));
        let _ = estate.publisher.set(Arc::new(publisher));
    }
    let rt = runtime::Runtime::new(stores.engine.clone(), registry(&estate));
    Ok((rt, stores, estate))
}

pub fn init_logging(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("AURA_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if config.log_json { builder.json().try_init() } else { builder.try_init() };
}

/// Connects and migrates.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn store::Store>> {
    let store = store::connect(&config.database_url)
        .await
        .with_context(|| format!("connecting to {}", redact(&config.database_url)))?;
    store.migrate().await.context("running migrations")?;
    Ok(store)
}

/// Hides a password in a database URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub fn worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "host".into());
    format!("{host}-{}-{:04x}", std::process::id(), fastrand_u16())
}

fn fastrand_u16() -> u16 {
    (uuid::Uuid::new_v4().as_u128() & 0xffff) as u16
}

fn validate_files(files: &[std::path::PathBuf]) -> std::process::ExitCode {
    let mut failed = false;
    for file in files {
        let file = file.display();
        match std::fs::read_to_string(file.to_string()) {
            Ok(source) => match engine::Package::parse(&source, &realestate::handler_exists) {
                Ok(p) => {
                    println!("{file}: ok ({} v?, {} steps, content {})", p.name, p.steps.len(), &p.content_hash[..12])
                }
                Err(diagnostics) => {
                    failed = true;
                    for d in diagnostics.0 {
                        eprintln!("{file}:{d}");
                    }
                }
            },
            Err(e) => {
                failed = true;
                eprintln!("{file}: cannot read: {e}");
            }
        }
    }
    if failed {
        std::process::ExitCode::from(1)
    } else {
        std::process::ExitCode::SUCCESS
    }
}

/// Cancelled on SIGINT or SIGTERM.
fn shutdown_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        #[cfg(unix)]
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!("shutdown requested; draining");
        t.cancel();
    });
    token
}

/// Opens the store, registers the packages directory, then runs the node (and the HTTP server).
async fn serve(http: bool) -> anyhow::Result<std::process::ExitCode> {
    let config = Config::load()?;
    init_logging(&config);
    let (rt, stores, estate) = open_runtime(&config).await?;
    if config.packages_dir.is_dir() {
        match rt.register_dir(&config.packages_dir).await {
            Ok(infos) => {
                for i in infos {
                    tracing::info!(package = %i.name, version = i.version, new = i.created, "package registered");
                }
            }
            Err(errors) => {
                for e in &errors {
                    eprintln!("{e}");
                }
                bail!(
                    "{} package file(s) in {} are invalid; nothing was registered",
                    errors.len(),
                    config.packages_dir.display()
                );
            }
        }
    } else {
        tracing::warn!(dir = %config.packages_dir.display(), "packages directory not found; serving stored packages only");
    }
    let shutdown = shutdown_signal();
    let worker = config.worker_id.clone().unwrap_or_else(worker_id);
    tracing::info!(worker = %worker, database = %redact(&config.database_url), "node starting");
    let node = tokio::spawn(runtime::run_node(rt.clone(), config.node(worker), shutdown.clone()));
    let rollup = tokio::spawn(analytics_rollup(stores.analytics.clone(), rt.clock.clone(), shutdown.clone()));
    if http {
        let state = api_state(&config, rt, stores.accounts, stores.analytics, estate).await?;
        let listener =
            tokio::net::TcpListener::bind(&config.bind).await.with_context(|| format!("binding {}", config.bind))?;
        tracing::info!(address = %config.bind, docs = %format!("http://{}/docs", config.bind), "HTTP API listening");
        api::server::serve(listener, api::router(state), config.server_limits(), shutdown.clone()).await;
    }
    node.await.context("node task")?;
    rollup.await.context("analytics rollup task")?;
    tracing::info!("stopped");
    Ok(std::process::ExitCode::SUCCESS)
}

/// How often the analytics rollup recomputes yesterday's and today's metrics.
const ROLLUP_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// At most this many days are caught up at start (a node that was down longer leaves older days
/// as they were).
const ROLLUP_CATCH_UP_DAYS: i64 = 31;

/// Keeps `performance_metrics` current: at start, a full rebuild if nothing was ever rolled up
/// (backfill), otherwise a catch-up from the last rolled-up day; then the last two Dubai days
/// every `ROLLUP_EVERY` (late finishes land in yesterday's bucket). Older days are never
/// recomputed, so executions deleted by retention keep their metrics.
async fn analytics_rollup(
    analytics: Arc<dyn store::analytics::Analytics>,
    clock: Arc<dyn runtime::Clock>,
    shutdown: CancellationToken,
) {
    let today = || store::analytics::from_day_number(store::analytics::day_of(clock.now()));
    let start = match analytics.last_rollup_day().await {
        Ok(None) => analytics.rebuild().await.map(|rows| tracing::info!(rows, "analytics metrics backfilled")),
        Ok(Some(last)) => {
            let from = last
                .min(today() - chrono::Duration::days(1))
                .max(today() - chrono::Duration::days(ROLLUP_CATCH_UP_DAYS));
            analytics.rollup(from, today()).await.map(|rows| tracing::info!(rows, %from, "analytics metrics caught up"))
        }
        Err(e) => Err(e),
    };
    if let Err(e) = start {
        tracing::warn!(error = %e, "analytics catch-up failed; the periodic rollup will retry");
    }
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(ROLLUP_EVERY) => {}
        }
        let today = today();
        if let Err(e) = analytics.rollup(today - chrono::Duration::days(1), today).await {
            tracing::warn!(error = %e, "analytics rollup failed");
        }
    }
}

/// The signing secret, the first admin, and the HTTP settings.
async fn api_state(
    config: &Config,
    rt: runtime::Runtime,
    accounts: Arc<dyn store::accounts::Accounts>,
    analytics: Arc<dyn store::analytics::Analytics>,
    estate: Arc<realestate::Services>,
) -> anyhow::Result<api::AppState> {
    let secret = api::bootstrap::signing_secret(config.jwt_secret.as_deref(), config.production, &config.data_dir)
        .map_err(anyhow::Error::msg)?;
    match api::bootstrap::ensure_admin(
        accounts.as_ref(),
        config.admin_email.as_deref(),
        config.admin_password.as_deref(),
        &config.data_dir,
    )
    .await
    .map_err(anyhow::Error::msg)?
    {
        api::bootstrap::AdminBootstrap::Existing => {}
        api::bootstrap::AdminBootstrap::Created { email } => tracing::info!(%email, "created the first admin"),
        api::bootstrap::AdminBootstrap::Generated { email, password, file } => {
            eprintln!(
                "\nFirst start: created admin {email} with password {password}\n(also written to {})\n",
                file.display()
            );
        }
    }
    let tokens =
        api::auth::token::Tokens::new(secret.as_bytes(), "aura", "aura-api", config.access_ttl, config.refresh_ttl);
    let api_config = api::ApiConfig {
        request_timeout: config.request_timeout,
        cors_origins: config.cors_origins.clone(),
        ..api::ApiConfig::default()
    };
    Ok(api::AppState::new(rt, accounts, analytics, estate, tokens, api_config))
}

/// `aura seed`: loads the shipped market data, or imports a transactions CSV with row errors.
async fn seed(transactions: Option<&std::path::Path>) -> anyhow::Result<std::process::ExitCode> {
    let config = Config::load()?;
    init_logging(&config);
    let stores = store::open(&config.database_url)
        .await
        .with_context(|| format!("connecting to {}", redact(&config.database_url)))?;
    stores.engine.migrate().await.context("running migrations")?;
    let report = match transactions {
        None => realestate::seed::seed(stores.domain.as_ref()).await?,
        Some(path) => {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {file}"))?;
            let (rows, errors) = realestate::seed::parse_transactions(&text, &file).map_err(anyhow::Error::msg)?;
            realestate::seed::import(stores.domain.as_ref(), rows, errors).await?
        }
    };
    for e in &report.errors {
        eprintln!("line {}: {}", e.line, e.message);
    }
    println!(
        "{} rows: {} inserted, {} already present, {} rejected",
        report.rows,
        report.inserted,
        report.duplicates,
        report.errors.len()
    );
    Ok(if report.errors.is_empty() { std::process::ExitCode::SUCCESS } else { std::process::ExitCode::from(1) })
}
