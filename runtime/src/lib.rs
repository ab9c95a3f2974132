//! The I/O shell around the pure engine: worker loop, handler registry, schedules, maintenance,
//! and [`Runtime`], the facade the API and the CLI call.
//!
//! **Architecture invariant:** this is the only crate (with the binary) that spawns tasks; every
//! task it spawns is owned by a loop that awaits it on shutdown. Channels are bounded.

mod builtin;
pub mod clock;
pub mod handler;
pub mod maintenance;
pub mod metrics;
pub mod scheduler;
mod step_guard;
pub mod worker;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use engine::package::{Diagnostics, ParamError};
use engine::progress::{self, Progress};
use engine::{Control, ExecutionStatus, Package};
use serde_json::Value;
use store::{ExecutionView, NewExecution, PackageVersionInfo, Started, Store, Timestamp};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub use clock::{Clock, SystemClock};
pub use handler::{Handler, Registry, StepContext, StepError};
pub use worker::{Worker, WorkerConfig};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("package `{0}` not found")]
    PackageNotFound(String),
    #[error("invalid package:\n{0}")]
    InvalidPackage(Diagnostics),
    #[error("invalid parameters: {}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    InvalidParameters(Vec<ParamError>),
    #[error("execution {0} not found")]
    ExecutionNotFound(Uuid),
    #[error(transparent)]
    Store(#[from] store::Error),
}

/// A package file that failed to load from a directory.
#[derive(Debug)]
pub struct PackageFileError {
    pub path: PathBuf,
    pub error: Error,
}

impl std::fmt::Display for PackageFileError {
    /// One `path:line:column: message [code]` line per problem, as compilers print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error {
            Error::InvalidPackage(diagnostics) => {
                for (i, d) in diagnostics.0.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{}:{d}", self.path.display())?;
                }
                Ok(())
            }
            other => write!(f, "{}: {other}", self.path.display()),
        }
    }
}

impl std::error::Error for PackageFileError {}

/// A request to run a package.
#[derive(Debug, Clone, Default)]
pub struct Trigger {
    pub package: String,
    pub params: Value,
    pub priority: i32,
    pub idempotency_key: Option<String>,
    pub created_by: Option<String>,
    pub team_id: Option<String>,
}

/// An execution with its derived progress and ETA.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub execution: ExecutionView,
    pub package: Arc<Package>,
    pub progress: Progress,
    pub estimated_remaining: Duration,
    pub estimated_completion: Option<Timestamp>,
    /// Calibrated per-step estimates (by `StepIdx`).
    pub estimates: Vec<Duration>,
}

#[derive(Clone)]
pub struct Runtime {
    pub store: Arc<dyn Store>,
    pub registry: Arc<Registry>,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<metrics::Metrics>,
    /// Observed step durations per package, for ETAs: an aggregate over the package's whole
    /// history, so it is read at most once a `STATS_TTL` rather than on every status request.
    stats: Arc<std::sync::Mutex<StatsCache>>,
}

/// Per package: when its step duration statistics were read, and what they were.
type StatsCache = std::collections::HashMap<String, (std::time::Instant, Vec<store::StepDurationStats>)>;

/// How long observed step durations are reused before they are read again.
const STATS_TTL: Duration = Duration::from_secs(60);

impl Runtime {
    pub fn new(store: Arc<dyn Store>, registry: Registry) -> Runtime {
        Runtime {
            store,
            registry: Arc::new(registry),
            clock: Arc::new(SystemClock),
            metrics: Arc::default(),
            stats: Arc::default(),
        }
    }

    /// Parses and validates a package against this process's handlers.
    pub fn parse_package(&self, source: &str) -> Result<Package, Diagnostics> {
        let registry = self.registry.clone();
        Package::parse(source, &move |h| registry.contains(h))
    }

    /// Validates and stores a package file as a new version (a no-op for an identical file).
    /// The package's declared schedules are brought in step with this (now latest) version.
    pub async fn register_package(&self, source: &str) -> Result<PackageVersionInfo, Error> {
        let package = self.parse_package(source).map_err(Error::InvalidPackage)?;
        let now = self.clock.now();
        let info = self.store.register_package(&package, source, now).await?;
        let declared: Vec<store::ScheduleRow> = package
            .schedules
            .iter()
            .map(|s| store::ScheduleRow {
                package_name: package.name.clone(),
                name: s.name.clone(),
                cron: s.cron.expression().to_string(),
                timezone: s.cron.timezone().name().to_string(),
                params: s.parameters.clone(),
                enabled: s.enabled,
                source: "package".into(),
                created_by: None,
            })
            .collect();
        self.store.sync_package_schedules(&package.name, &declared, now).await?;
        Ok(info)
    }

    /// Adds a schedule to a package through the API: the cron, time zone and parameters are
    /// checked here, so the scheduler only ever sees valid ones.
    pub async fn create_schedule(&self, schedule: store::ScheduleRow) -> Result<store::ScheduleRow, Error> {
        let (_, package) = self
            .store
            .package(&schedule.package_name, None)
            .await?
            .ok_or_else(|| Error::PackageNotFound(schedule.package_name.clone()))?;
        let invalid =
            |field: &str, message: String| Error::InvalidParameters(vec![ParamError { field: field.into(), message }]);
        if schedule.name.is_empty()
            || schedule.name.len() > 64
            || !schedule.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(invalid("name", "must be 1–64 letters, digits, `_` or `-`".into()));
        }
        let cron =
            engine::schedule::CronSchedule::parse(&schedule.cron, Some(&schedule.timezone)).map_err(|e| match e {
                engine::schedule::ScheduleError::TimeZone(_) => invalid("timezone", e.to_string()),
                engine::schedule::ScheduleError::Cron { .. } => invalid("cron", e.to_string()),
            })?;
        let params = package.validate_params(&schedule.params).map_err(|errors| {
            Error::InvalidParameters(
                errors
                    .into_iter()
                    .map(|e| ParamError { field: format!("parameters.{}", e.field), message: e.message })
                    .collect(),
            )
        })?;
        let row = store::ScheduleRow {
            params,
            timezone: cron.timezone().name().to_string(),
            source: "api".into(),
            ..schedule
        };
        self.store.create_schedule(&row, self.clock.now()).await?;
        Ok(row)
    }

    /// Registers every `*.toml` in `dir`, in name order. All files are checked before any is
    /// stored, so a bad file leaves the store as it was.
    pub async fn register_dir(&self, dir: &Path) -> Result<Vec<PackageVersionInfo>, Vec<PackageFileError>> {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect(),
            Err(e) => {
                let error = Error::Store(store::Error::Corrupt(format!("cannot read {}: {e}", dir.display())));
                return Err(vec![PackageFileError { path: dir.to_path_buf(), error }]);
            }
        };
        files.sort();
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        for path in files {
            match std::fs::read_to_string(&path) {
                Ok(source) => match self.parse_package(&source) {
                    Ok(_) => sources.push((path, source)),
                    Err(d) => errors.push(PackageFileError { path, error: Error::InvalidPackage(d) }),
                },
                Err(e) => {
                    errors.push(PackageFileError { path, error: Error::Store(store::Error::Corrupt(e.to_string())) })
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut out = Vec::new();
        for (path, source) in sources {
            match self.register_package(&source).await {
                Ok(info) => out.push(info),
                Err(error) => errors.push(PackageFileError { path, error }),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    /// Starts an execution of the latest active version of a package.
    pub async fn trigger(&self, t: Trigger) -> Result<Started, Error> {
        let new = self.prepare(t).await?;
        self.start(new).await
    }

    /// Everything `trigger` checks (the package is active, the parameters fit it), without starting
    /// anything: a route that writes a record for its execution prepares first, so a refused
    /// trigger leaves no record behind.
    pub async fn prepare(&self, t: Trigger) -> Result<NewExecution, Error> {
        let (version, package) =
            self.store.package(&t.package, None).await?.ok_or_else(|| Error::PackageNotFound(t.package.clone()))?;
        let params = package.validate_params(&t.params).map_err(Error::InvalidParameters)?;
        let size = params.to_string().len();
        if size > engine::limits::PARAMS_BYTES_MAX {
            let message = format!("{size} bytes exceed the limit of {}", engine::limits::PARAMS_BYTES_MAX);
            return Err(Error::InvalidParameters(vec![ParamError { field: "parameters".into(), message }]));
        }
        let new = NewExecution {
            package,
            package_version: version,
            params,
            priority: t.priority,
            idempotency_key: t.idempotency_key,
            created_by: t.created_by,
            team_id: t.team_id,
        };
        Ok(new)
    }

    /// Fails as `trigger` would when the package has no active version.
    pub async fn require_active(&self, package: &str) -> Result<(), Error> {
        match self.store.package(package, None).await? {
            Some(_) => Ok(()),
            None => Err(Error::PackageNotFound(package.to_string())),
        }
    }

    /// Starts a prepared execution.
    pub async fn start(&self, new: NewExecution) -> Result<Started, Error> {
        let mut started = self.store.start_executions(std::slice::from_ref(&new), self.clock.now()).await?;
        started.pop().ok_or_else(|| Error::Store(store::Error::Corrupt("start_executions returned nothing".into())))
    }

    pub async fn control(&self, id: Uuid, control: Control, reason: Option<&str>) -> Result<ExecutionStatus, Error> {
        match self.store.control(id, control, reason, self.clock.now()).await {
            Err(store::Error::NotFound(_)) => Err(Error::ExecutionNotFound(id)),
            other => Ok(other?),
        }
    }

    /// Posts a signal to an execution and wakes its waiting steps; the signal's id.
    pub async fn signal(&self, id: Uuid, name: &str, payload: &Value) -> Result<i64, Error> {
        match self.store.signal(id, name, payload, self.clock.now()).await {
            Err(store::Error::NotFound(_)) => Err(Error::ExecutionNotFound(id)),
            other => Ok(other?),
        }
    }

    /// Sends the signal `name` to every running execution with a step waiting for a reason that
    /// starts with `reason_prefix` (a step's `StepError::Wait` reason), so it looks again now
    /// instead of at its next recheck. Returns how many executions were woken.
    pub async fn wake_waiting(&self, reason_prefix: &str, name: &str, payload: &Value) -> Result<usize, Error> {
        let filter = store::ExecutionFilter {
            status: Some(engine::ExecutionStatus::Running),
            limit: 10_000,
            ..Default::default()
        };
        let mut woken = std::collections::BTreeSet::new();
        for step in self.store.step_records(&filter).await? {
            let waiting = step.status == engine::StepStatus::Ready
                && step.error.as_deref().is_some_and(|e| e.starts_with(reason_prefix));
            if waiting && woken.insert(step.execution_id) {
                match self.store.signal(step.execution_id, name, payload, self.clock.now()).await {
                    // Finished meanwhile: nothing to wake.
                    Ok(_) | Err(store::Error::Conflict(_)) | Err(store::Error::NotFound(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(woken.len())
    }

    async fn step_duration_stats(&self, package: &str) -> Result<Vec<store::StepDurationStats>, Error> {
        let cached = self
            .stats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(package)
            .filter(|(at, _)| at.elapsed() < STATS_TTL)
            .map(|(_, s)| s.clone());
        if let Some(stats) = cached {
            return Ok(stats);
        }
        let stats = self.store.step_duration_stats(package).await?;
        self.stats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(package.to_string(), (std::time::Instant::now(), stats.clone()));
        Ok(stats)
    }

    /// The execution with progress and an ETA calibrated by observed step durations.
    pub async fn status(&self, id: Uuid) -> Result<StatusView, Error> {
        let execution = self.store.execution(id).await?.ok_or(Error::ExecutionNotFound(id))?;
        let (_, package) = self
            .store
            .package(&execution.package_name, Some(execution.package_version))
            .await?
            .ok_or_else(|| Error::PackageNotFound(execution.package_name.clone()))?;
        let stats = self.step_duration_stats(&package.name).await?;
        let estimates: Vec<Duration> = package
            .steps
            .iter()
            .map(|s| {
                let observed = stats.iter().find(|st| st.step_id == s.id);
                progress::calibrated_estimate(
                    s.estimated_duration,
                    observed.map(|o| o.mean),
                    observed.map_or(0, |o| o.samples),
                ) + s.delay
            })
            .collect();
        let statuses: Vec<_> = execution.steps.iter().map(|s| s.status).collect();
        let progress = progress::progress(&statuses, &estimates);
        let now = self.clock.now();
        let remaining = if execution.status.is_terminal() {
            Duration::ZERO
        } else {
            progress::time_remaining(&package.dag, &statuses, &estimates, |s| {
                execution.steps[s.index()].started_at.map_or(Duration::ZERO, |t| (now - t).to_std().unwrap_or_default())
            })
        };
        let estimated_completion = match execution.status {
            s if s.is_terminal() => execution.finished_at,
            _ => Some(now + chrono::Duration::from_std(remaining).unwrap_or_default()),
        };
        Ok(StatusView { execution, package, progress, estimated_remaining: remaining, estimated_completion, estimates })
    }
}

/// Everything a node runs besides the HTTP server.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    pub worker: WorkerConfig,
    /// Run the schedule loop on this node.
    pub schedules: bool,
    pub schedule_interval: Duration,
    pub maintenance: maintenance::MaintenanceConfig,
}

/// Runs a worker, the schedule loop and maintenance until `shutdown`, then drains them.
pub async fn run_node(rt: Runtime, cfg: NodeConfig, shutdown: CancellationToken) {
    let mut tasks = tokio::task::JoinSet::new();
    if cfg.schedules {
        tasks.spawn(scheduler::run_schedules(
            rt.store.clone(),
            rt.clock.clone(),
            cfg.schedule_interval,
            shutdown.clone(),
        ));
    }
    tasks.spawn(maintenance::run_maintenance(
        rt.store.clone(),
        rt.clock.clone(),
        cfg.maintenance.clone(),
        shutdown.clone(),
    ));
    let worker = Worker::new(&rt, cfg.worker.clone());
    tasks.spawn(worker.run(shutdown));
    while tasks.join_next().await.is_some() {}
}
