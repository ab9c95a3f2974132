//! `aura`: the AURA server, worker, and operator commands.
//!
//! Wiring only: configuration, logging, signals, and which loops run. Everything else lives in
//! the library crates.

mod bench;
mod bench_analytics;
mod config;
mod eval;
mod run;

use std::sync::Arc;

use anyhow::{bail, Context};
use tokio_util::sync::CancellationToken;

use config::Config;

const USAGE: &str = "\
aura — durable workflow engine for real-estate teams

USAGE:
    aura [serve]                          API + workers + schedules (the default)
    aura worker                           workers + schedules only
    aura migrate                          apply database migrations and exit
    aura packages validate FILE...        check package files (no database needed)
    aura packages list                    list registered packages
    aura run PACKAGE [--param K=V]... [--priority N] [--idempotency-key KEY] [--wait] [--no-worker]
                                          start an execution; --wait follows it with a progress bar
    aura seed [--transactions FILE]       load the shipped market data (or import a transactions CSV)
    aura eval valuation [--test-from DATE] measure valuation accuracy against the naive baseline
    aura bench [--store sqlite|postgres] [--shape single|chain10|new_listing|all] [--executions N] [--workers W]
                                          measure scheduler throughput and latency
    aura bench analytics [--store sqlite|postgres] [--executions N] [--requests N]
                                          dashboard latency on a year of executions

Configuration comes from AURA_* environment variables (see README.md), optionally over a TOML
file named by AURA_CONFIG. The default database is sqlite://aura-data/aura.db.";

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(dispatch(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(1)
        }
    }
}

async fn dispatch(args: Vec<String>) -> anyhow::Result<std::process::ExitCode> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] | ["serve"] => serve(true).await,
        ["worker"] => serve(false).await,
        ["migrate"] => {
            let config = Config::load()?;
            init_logging(&config);
            let store = open_store(&config).await?;
            drop(store);
            println!("migrations applied to {}", redact(&config.database_url));
            Ok(std::process::ExitCode::SUCCESS)
        }
        ["packages", "validate", files @ ..] if !files.is_empty() => Ok(validate_files(files)),
        ["packages", "list"] => {
            let config = Config::load()?;
            let store = open_store(&config).await?;
            for p in store.list_packages().await? {
                println!("{:<32} v{:<4} {}", p.name, p.latest_version, if p.active { "active" } else { "inactive" });
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
        ["run", rest @ ..] => run::run(rest).await,
        ["seed", rest @ ..] => seed(rest).await,
        ["eval", "valuation", rest @ ..] => eval::valuation(rest),
        ["bench", "analytics", rest @ ..] => bench_analytics::bench(rest).await,
        ["bench", rest @ ..] => bench::bench(rest).await,
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(std::process::ExitCode::SUCCESS)
        }
        _ => {
            eprintln!("{USAGE}");
            Ok(std::process::ExitCode::from(2))
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
        tracing::info!(host = %smtp.host, port = smtp.port, "campaign e-mails through SMTP");
        let _ = estate.mailer.set(Arc::new(realestate::mailer::SmtpMailer::new(smtp.clone())));
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

fn validate_files(files: &[&str]) -> std::process::ExitCode {
    let mut failed = false;
    for file in files {
        match std::fs::read_to_string(file) {
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
async fn seed(args: &[&str]) -> anyhow::Result<std::process::ExitCode> {
    let config = Config::load()?;
    init_logging(&config);
    let stores = store::open(&config.database_url)
        .await
        .with_context(|| format!("connecting to {}", redact(&config.database_url)))?;
    stores.engine.migrate().await.context("running migrations")?;
    let report = match args {
        [] => realestate::seed::seed(stores.domain.as_ref()).await?,
        ["--transactions", file] => {
            let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
            let (rows, errors) = realestate::seed::parse_transactions(&text, file).map_err(anyhow::Error::msg)?;
            realestate::seed::import(stores.domain.as_ref(), rows, errors).await?
        }
        _ => bail!("usage: aura seed [--transactions FILE]"),
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
