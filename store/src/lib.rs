//! Durable state of AURA's engine: package versions, executions, steps, events and schedule ticks.
//!
//! One `Store` trait, two implementations: [`sqlite::SqliteStore`] (the embedded default) and
//! [`postgres::PgStore`] (production). They are the only modules with SQL; the conformance suite
//! in `tests/` runs every test against both.
//!
//! Key decisions:
//! - **Batch first.** Claims, completions and heartbeats take and return many steps per round trip;
//!   a completion batch is one transaction.
//! - **Successors are unblocked in the completing transaction.** Each step row counts its
//!   unfinished dependencies; completing a step decrements its successors and makes those that
//!   reach zero ready. No loop ever rescans the tables for runnable work.
//! - **Fencing by attempt.** Every claim increments the step's attempt; completions and heartbeats
//!   name the attempt they hold, and are ignored once it is no longer the running one.
//! - **`now` is a parameter** of every call, so tests control time and SQL never reads a clock.

pub mod accounts;
pub mod analytics;
mod cache;
pub mod dialect;
pub mod domain;
mod plan;
pub mod postgres;
pub mod records;
pub mod sqlite;
mod types;

use std::sync::Arc;
use std::time::Duration;

use engine::{Control, ExecutionStatus, Package};
use serde_json::Value;
use uuid::Uuid;

pub use cache::PackageCache;
pub use types::*;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{0} not found")]
    NotFound(String),
    /// A uniqueness rule was violated (e.g. an e-mail already taken).
    #[error("{0}")]
    Conflict(String),
    /// A transition the current state does not allow (e.g. resume a completed execution).
    #[error(transparent)]
    IllegalTransition(#[from] engine::run::IllegalTransition),
    /// The database could not be reached or the statement failed; the caller may retry.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The SQLite hot path's writer thread (rusqlite) failed a statement; the caller may retry.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Stored data contradicts an invariant (e.g. a package version that no longer parses).
    #[error("corrupt store: {0}")]
    Corrupt(String),
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// Notified whenever new work may have become claimable (in this process or, on PostgreSQL,
    /// any process). Workers also poll, so a missed wake-up only costs latency.
    fn wakeup(&self) -> Arc<tokio::sync::Notify>;
    /// Applies pending migrations.
    async fn migrate(&self) -> Result<(), Error>;
    /// Round-trips to the database.
    async fn ping(&self) -> Result<(), Error>;

    // --- packages ---
    /// Stores a validated package as a new version, unless the latest version has the same hash.
    async fn register_package(
        &self,
        package: &Package,
        source: &str,
        now: Timestamp,
    ) -> Result<PackageVersionInfo, Error>;
    /// A version of a package (the latest active one when `version` is `None`).
    async fn package(&self, name: &str, version: Option<i32>) -> Result<Option<(i32, Arc<Package>)>, Error>;
    async fn list_packages(&self) -> Result<Vec<PackageSummary>, Error>;
    async fn package_versions(&self, name: &str) -> Result<Vec<PackageVersionInfo>, Error>;
    /// The TOML file a version was registered from, as it was given.
    async fn package_source(&self, name: &str, version: i32) -> Result<Option<String>, Error>;
    /// Activates or deactivates a package for new executions; running ones are unaffected.
    async fn set_package_active(&self, name: &str, active: bool) -> Result<(), Error>;

    // --- executions: the hot path ---
    async fn start_executions(&self, batch: &[NewExecution], now: Timestamp) -> Result<Vec<Started>, Error>;
    /// Claims up to `max` runnable steps (ready and due, or running with an expired lease),
    /// highest priority first.
    async fn claim(&self, worker: &str, max: usize, lease: Duration, now: Timestamp)
        -> Result<Vec<ClaimedStep>, Error>;
    /// Extends the leases still held; returns the attempts that were lost (fenced or cancelled).
    async fn heartbeat(
        &self,
        worker: &str,
        held: &[StepAttempt],
        lease: Duration,
        now: Timestamp,
    ) -> Result<Vec<StepAttempt>, Error>;
    /// Checkpoints a batch of finished attempts in one transaction; per item, whether it was
    /// accepted (false: the attempt was fenced and nothing was written).
    async fn complete(&self, batch: &[Completion], now: Timestamp) -> Result<Vec<bool>, Error>;
    /// [`complete`](Store::complete), then [`claim`](Store::claim) up to `max` steps for
    /// `worker` — in one transaction where the backend can: the successors a completion makes
    /// ready go to the worker that finished their dependency, without a wake-up and another
    /// round trip. `max == 0` claims nothing.
    async fn complete_and_claim(
        &self,
        batch: &[Completion],
        worker: &str,
        max: usize,
        lease: Duration,
        now: Timestamp,
    ) -> Result<(Vec<bool>, Vec<ClaimedStep>), Error> {
        let accepted = self.complete(batch, now).await?;
        let claimed = if max > 0 { self.claim(worker, max, lease, now).await? } else { Vec::new() };
        Ok((accepted, claimed))
    }
    /// Gives back claimed steps that were not run (graceful shutdown).
    async fn release(&self, worker: &str, held: &[StepAttempt], now: Timestamp) -> Result<(), Error>;

    // --- executions: control and reads ---
    async fn control(
        &self,
        id: Uuid,
        control: Control,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<ExecutionStatus, Error>;
    async fn execution(&self, id: Uuid) -> Result<Option<ExecutionView>, Error>;
    /// Records a signal for a pending, running or paused execution and wakes its waiting steps;
    /// `NotFound` for an unknown execution, `Conflict` for a finished one. Returns the signal's id.
    async fn signal(&self, id: Uuid, name: &str, payload: &Value, now: Timestamp) -> Result<i64, Error>;
    /// The execution's signals, oldest first.
    async fn signals(&self, id: Uuid) -> Result<Vec<SignalRecord>, Error>;
    async fn list_executions(&self, filter: &ExecutionFilter) -> Result<Vec<ExecutionSummary>, Error>;
    /// Events with id greater than `after`, oldest first.
    async fn events(&self, id: Uuid, after: i64, limit: u32) -> Result<Vec<EventRecord>, Error>;
    async fn step_duration_stats(&self, package_name: &str) -> Result<Vec<StepDurationStats>, Error>;

    // --- maintenance ---
    /// Starts the execution for one schedule tick unless any node already did (exactly once).
    async fn fire_schedule(
        &self,
        schedule: &str,
        tick: Timestamp,
        execution: &NewExecution,
        now: Timestamp,
    ) -> Result<Option<Uuid>, Error>;
    /// Makes the stored `package`-sourced schedules of a package equal to `declared` (keeping
    /// each one's enabled flag); schedules created through the API are untouched.
    async fn sync_package_schedules(
        &self,
        package_name: &str,
        declared: &[ScheduleRow],
        now: Timestamp,
    ) -> Result<(), Error>;
    async fn list_schedules(&self) -> Result<Vec<ScheduleRow>, Error>;
    /// `Error::Conflict` when the package already has a schedule of that name.
    async fn create_schedule(&self, schedule: &ScheduleRow, now: Timestamp) -> Result<(), Error>;
    async fn set_schedule_enabled(
        &self,
        package_name: &str,
        name: &str,
        enabled: bool,
        now: Timestamp,
    ) -> Result<ScheduleRow, Error>;
    /// Deletes and returns the schedule; `Error::NotFound` when absent.
    async fn delete_schedule(&self, package_name: &str, name: &str) -> Result<ScheduleRow, Error>;
    async fn last_schedule_tick(&self, package_name: &str, schedule: &str) -> Result<Option<Timestamp>, Error>;
    /// Fails steps whose lease expired after their last allowed attempt (a step that keeps
    /// crashing its worker must not be re-run forever); returns how many.
    async fn fail_exhausted(&self, now: Timestamp) -> Result<u64, Error>;
    /// Deletes up to `limit` terminal executions finished before `cutoff`, with their steps and
    /// events; returns how many executions were deleted.
    async fn delete_finished_before(&self, cutoff: Timestamp, limit: u32) -> Result<u64, Error>;
    /// Steps ready and due now, across all executions that can run.
    async fn queue_depth(&self, now: Timestamp) -> Result<u64, Error>;
    /// Records that a worker is alive and how many steps it runs (upsert).
    async fn worker_seen(&self, worker: &str, started: Timestamp, running: u32, now: Timestamp) -> Result<(), Error>;
    /// Workers seen at or after `since`, most recent first.
    async fn workers_seen_since(&self, since: Timestamp) -> Result<Vec<WorkerInfo>, Error>;
    /// Steps of executions matching `filter` (newest executions first, at most `filter.limit`
    /// executions), for analytics.
    async fn step_records(&self, filter: &ExecutionFilter) -> Result<Vec<StepRecord>, Error>;
    /// Number of executions in each state (states with none are omitted).
    async fn execution_counts(&self) -> Result<Vec<(ExecutionStatus, u64)>, Error>;
}

/// Opens the engine store a database URL names (`sqlite:…` or `postgres:…`).
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, Error> {
    Ok(open(url).await?.engine)
}

/// Every store of one database, sharing its connection pools.
#[derive(Clone)]
pub struct Stores {
    pub engine: Arc<dyn Store>,
    pub accounts: Arc<dyn accounts::Accounts>,
    pub domain: Arc<dyn domain::Domain>,
    pub records: Arc<dyn records::Records>,
    pub analytics: Arc<dyn analytics::Analytics>,
}

/// Opens all stores on the database a URL names (`sqlite:…` or `postgres:…`).
pub async fn open(url: &str) -> Result<Stores, Error> {
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let db = Arc::new(postgres::PgStore::connect(url).await?);
        Ok(Stores { engine: db.clone(), accounts: db.clone(), domain: db.clone(), records: db.clone(), analytics: db })
    } else if url.starts_with("sqlite:") {
        let db = Arc::new(sqlite::SqliteStore::connect(url).await?);
        Ok(Stores { engine: db.clone(), accounts: db.clone(), domain: db.clone(), records: db.clone(), analytics: db })
    } else {
        Err(Error::Database(sqlx::Error::Configuration(
            format!("unsupported database URL `{url}` (use sqlite://PATH or postgres://…)").into(),
        )))
    }
}

/// Execution ids are UUIDv7: time-ordered, so listings page by id and indexes stay compact.
pub fn new_execution_id() -> Uuid {
    Uuid::now_v7()
}
