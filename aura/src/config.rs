//! Configuration: environment variables, optionally over a TOML file named by `AURA_CONFIG`.
//! The only module that reads either.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use engine::duration::parse_duration;
use serde::Deserialize;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub packages_dir: PathBuf,
    pub concurrency: usize,
    pub claim_batch: usize,
    pub lease: Duration,
    pub heartbeat: Duration,
    pub poll: Duration,
    /// Claim the steps a completion makes ready in the same transaction (`AURA_HANDOFF`, default on).
    pub handoff: bool,
    pub shutdown_grace: Duration,
    pub schedule_interval: Duration,
    pub maintenance_interval: Duration,
    pub retention: Option<Duration>,
    pub log_json: bool,
    /// Lease owner name; defaults to host-pid-random.
    pub worker_id: Option<String>,
    /// `production` refuses weak or missing secrets; anything else is development.
    pub production: bool,
    /// Generated secrets and the first admin's password live here.
    pub data_dir: PathBuf,
    pub jwt_secret: Option<String>,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub request_timeout: Duration,
    /// A request's headers must arrive within this; idle kept-alive connections close after it.
    pub header_read_timeout: Duration,
    /// HTTP connections served at once.
    pub max_connections: usize,
    pub cors_origins: Vec<String>,
    /// The brokerage settings pinned by a TOML file (`AURA_COMPLIANCE_CONFIG`), over the database's.
    pub compliance: Option<realestate::compliance::Config>,
    /// An OpenAI-compatible chat-completions endpoint for marketing copy (none: templates only).
    pub openai: Option<realestate::content::OpenAiConfig>,
    /// An SMTP relay for campaign e-mails (none: each message is kept as an `.eml` artefact).
    pub smtp: Option<mail::SmtpConfig>,
    /// The From address of campaign e-mails.
    pub mail_from: Option<String>,
    /// Where published social posts are POSTed, besides the outbox table.
    pub social_webhook_url: Option<String>,
    /// Compresses the durable waits of the nurturing and onboarding packages (1 = real time).
    pub time_scale: f64,
}

/// The file form: every key optional, the same names as the variables without `AURA_`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    packages_dir: Option<String>,
    worker_concurrency: Option<usize>,
    claim_batch: Option<usize>,
    lease: Option<String>,
    heartbeat: Option<String>,
    poll: Option<String>,
    handoff: Option<bool>,
    shutdown_grace: Option<String>,
    schedule_interval: Option<String>,
    maintenance_interval: Option<String>,
    retention: Option<String>,
    log_format: Option<String>,
    worker_id: Option<String>,
    env: Option<String>,
    data_dir: Option<String>,
    jwt_secret: Option<String>,
    admin_email: Option<String>,
    admin_password: Option<String>,
    access_ttl: Option<String>,
    refresh_ttl: Option<String>,
    request_timeout: Option<String>,
    header_read_timeout: Option<String>,
    max_connections: Option<usize>,
    cors_origins: Option<String>,
    compliance_config: Option<String>,
    openai_base_url: Option<String>,
    openai_api_key: Option<String>,
    openai_model: Option<String>,
    openai_fallback_model: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    smtp_tls: Option<String>,
    smtp_ca_file: Option<String>,
    mail_from: Option<String>,
    social_webhook_url: Option<String>,
    time_scale: Option<f64>,
}

impl Config {
    pub fn load() -> anyhow::Result<Config> {
        let file: FileConfig = match std::env::var("AURA_CONFIG") {
            Ok(path) => {
                let text = std::fs::read_to_string(&path).with_context(|| format!("reading config file {path}"))?;
                toml::from_str(&text).with_context(|| format!("parsing config file {path}"))?
            }
            Err(_) => FileConfig::default(),
        };
        let var = |name: &str, from_file: Option<String>| std::env::var(format!("AURA_{name}")).ok().or(from_file);
        let duration = |name: &str, from_file: Option<String>, default: &str| -> anyhow::Result<Duration> {
            let text = var(name, from_file).unwrap_or_else(|| default.to_string());
            parse_duration(&text).with_context(|| format!("AURA_{name}"))
        };
        let number = |name: &str, from_file: Option<usize>, default: usize| -> anyhow::Result<usize> {
            match std::env::var(format!("AURA_{name}")) {
                Ok(text) => {
                    text.parse().with_context(|| format!("AURA_{name} must be a positive integer, got `{text}`"))
                }
                Err(_) => Ok(from_file.unwrap_or(default)),
            }
        };
        let config = Config {
            database_url: var("DATABASE_URL", file.database_url).unwrap_or_else(|| "sqlite://aura-data/aura.db".into()),
            bind: var("BIND", file.bind).unwrap_or_else(|| "127.0.0.1:8080".into()),
            packages_dir: var("PACKAGES_DIR", file.packages_dir).unwrap_or_else(|| "packages".into()).into(),
            concurrency: number("WORKER_CONCURRENCY", file.worker_concurrency, 64)?,
            claim_batch: number("CLAIM_BATCH", file.claim_batch, 64)?,
            lease: duration("LEASE", file.lease, "10s")?,
            heartbeat: duration("HEARTBEAT", file.heartbeat, "3s")?,
            poll: duration("POLL", file.poll, "1s")?,
            handoff: match std::env::var("AURA_HANDOFF") {
                Ok(v) => match v.as_str() {
                    "1" | "true" | "on" => true,
                    "0" | "false" | "off" => false,
                    other => bail!("AURA_HANDOFF must be on or off, got `{other}`"),
                },
                Err(_) => file.handoff.unwrap_or(true),
            },
            shutdown_grace: duration("SHUTDOWN_GRACE", file.shutdown_grace, "10s")?,
            schedule_interval: duration("SCHEDULE_INTERVAL", file.schedule_interval, "1s")?,
            maintenance_interval: duration("MAINTENANCE_INTERVAL", file.maintenance_interval, "5s")?,
            retention: match var("RETENTION", file.retention) {
                Some(t) if t == "forever" => None,
                Some(t) => Some(parse_duration(&t).context("AURA_RETENTION")?),
                None => Some(Duration::from_secs(30 * 86_400)),
            },
            worker_id: var("WORKER_ID", file.worker_id),
            production: match var("ENV", file.env).as_deref() {
                None | Some("development") => false,
                Some("production") => true,
                Some(other) => bail!("AURA_ENV must be `development` or `production`, got `{other}`"),
            },
            data_dir: var("DATA_DIR", file.data_dir).unwrap_or_else(|| "aura-data".into()).into(),
            jwt_secret: var("JWT_SECRET", file.jwt_secret),
            admin_email: var("ADMIN_EMAIL", file.admin_email),
            admin_password: var("ADMIN_PASSWORD", file.admin_password),
            access_ttl: duration("ACCESS_TTL", file.access_ttl, "30m")?,
            refresh_ttl: duration("REFRESH_TTL", file.refresh_ttl, "14d")?,
            request_timeout: duration("REQUEST_TIMEOUT", file.request_timeout, "30s")?,
            header_read_timeout: duration("HEADER_READ_TIMEOUT", file.header_read_timeout, "10s")?,
            max_connections: match var("MAX_CONNECTIONS", file.max_connections.map(|n| n.to_string())) {
                None => 1024,
                Some(n) => n
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| anyhow::anyhow!("AURA_MAX_CONNECTIONS must be a positive number, got `{n}`"))?,
            },
            compliance: match var("COMPLIANCE_CONFIG", file.compliance_config) {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading AURA_COMPLIANCE_CONFIG {path}"))?;
                    Some(toml::from_str(&text).with_context(|| format!("parsing AURA_COMPLIANCE_CONFIG {path}"))?)
                }
                None => None,
            },
            openai: var("OPENAI_BASE_URL", file.openai_base_url).map(|base| {
                realestate::content::OpenAiConfig::new(
                    &base,
                    &var("OPENAI_API_KEY", file.openai_api_key.clone()).unwrap_or_default(),
                    &var("OPENAI_MODEL", file.openai_model.clone()).unwrap_or_else(|| "gpt-4o-mini".into()),
                    &var("OPENAI_FALLBACK_MODEL", file.openai_fallback_model.clone()).unwrap_or_default(),
                )
            }),
            smtp: match var("SMTP_HOST", file.smtp_host) {
                None => None,
                Some(host) => {
                    let port = match var("SMTP_PORT", file.smtp_port.map(|p| p.to_string())) {
                        None => 25,
                        Some(p) => {
                            p.parse().map_err(|_| anyhow::anyhow!("AURA_SMTP_PORT must be a port number, got `{p}`"))?
                        }
                    };
                    let mut smtp = mail::SmtpConfig::new(host, port);
                    smtp.username = var("SMTP_USERNAME", file.smtp_username);
                    smtp.password = var("SMTP_PASSWORD", file.smtp_password);
                    // Unset: the default for the host and port (none on loopback, implicit TLS
                    // on 465, required STARTTLS elsewhere).
                    if let Some(tls) = var("SMTP_TLS", file.smtp_tls) {
                        smtp.tls = tls.parse().map_err(|e| anyhow::anyhow!("AURA_SMTP_TLS: {e}"))?;
                    }
                    if let Some(path) = var("SMTP_CA_FILE", file.smtp_ca_file) {
                        let pem = std::fs::read_to_string(&path)
                            .with_context(|| format!("AURA_SMTP_CA_FILE: reading {path}"))?;
                        smtp.extra_root_certificates_pem = Some(pem);
                    }
                    Some(smtp)
                }
            },
            mail_from: match var("MAIL_FROM", file.mail_from) {
                Some(from) => {
                    mail::Address::parse(&from).map_err(|e| anyhow::anyhow!("AURA_MAIL_FROM: {e}"))?;
                    Some(from)
                }
                None => None,
            },
            social_webhook_url: var("SOCIAL_WEBHOOK_URL", file.social_webhook_url),
            time_scale: match var("TIME_SCALE", file.time_scale.map(|t| t.to_string())) {
                None => 1.0,
                Some(t) => match t.parse::<f64>() {
                    Ok(v) if v.is_finite() && v > 0.0 && v <= 1.0 => v,
                    _ => bail!("AURA_TIME_SCALE must be a number in (0, 1], got `{t}`"),
                },
            },
            cors_origins: var("CORS_ORIGINS", file.cors_origins)
                .map(|s| s.split(',').map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect())
                .unwrap_or_default(),
            log_json: match var("LOG_FORMAT", file.log_format).as_deref() {
                None | Some("pretty") => false,
                Some("json") => true,
                Some(other) => bail!("AURA_LOG_FORMAT must be `pretty` or `json`, got `{other}`"),
            },
        };
        if config.concurrency == 0 || config.concurrency > runtime::worker::CONCURRENCY_MAX {
            bail!("AURA_WORKER_CONCURRENCY must be between 1 and {}", runtime::worker::CONCURRENCY_MAX);
        }
        if config.claim_batch == 0 {
            bail!("AURA_CLAIM_BATCH must be at least 1");
        }
        if config.heartbeat >= config.lease {
            bail!("AURA_HEARTBEAT ({:?}) must be shorter than AURA_LEASE ({:?})", config.heartbeat, config.lease);
        }
        Ok(config)
    }

    pub fn server_limits(&self) -> api::server::ServerLimits {
        api::server::ServerLimits {
            header_read_timeout: self.header_read_timeout,
            max_connections: self.max_connections,
            shutdown_grace: self.shutdown_grace,
        }
    }

    pub fn node(&self, worker_id: String) -> runtime::NodeConfig {
        runtime::NodeConfig {
            worker: runtime::WorkerConfig {
                id: worker_id,
                concurrency: self.concurrency,
                claim_batch: self.claim_batch,
                lease: self.lease,
                heartbeat: self.heartbeat,
                poll: self.poll,
                shutdown_grace: self.shutdown_grace,
                handoff: self.handoff,
            },
            schedules: true,
            schedule_interval: self.schedule_interval,
            maintenance: runtime::maintenance::MaintenanceConfig {
                interval: self.maintenance_interval,
                retention: self.retention,
            },
        }
    }
}
