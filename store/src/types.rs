//! Plain data crossing the `Store` boundary.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use engine::{ExecutionStatus, Package, StepIdx, StepStatus};
use serde_json::Value;
use uuid::Uuid;

/// Wall-clock instants, always passed in by the caller (never `now()` inside SQL).
pub type Timestamp = DateTime<Utc>;

/// A request to start an execution.
#[derive(Debug, Clone)]
pub struct NewExecution {
    pub package: Arc<Package>,
    pub package_version: i32,
    /// Already validated against the package's parameters (defaults filled).
    pub params: Value,
    /// Higher runs first.
    pub priority: i32,
    /// The same key always yields the same execution.
    pub idempotency_key: Option<String>,
    pub created_by: Option<String>,
    /// The creator's team, for team-scoped reads.
    pub team_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub execution_id: Uuid,
    /// False when the idempotency key matched an existing execution.
    pub created: bool,
}

/// One attempt of one step: the fencing token a worker holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StepAttempt {
    pub execution_id: Uuid,
    pub step: StepIdx,
    pub attempt: i32,
}

/// A step a worker claimed, with what it needs to run it.
#[derive(Debug, Clone)]
pub struct ClaimedStep {
    pub attempt: StepAttempt,
    /// Attempts allowed in total for this step (grows when an operator retries the execution).
    pub max_attempts: i32,
    /// Taken over from a worker whose lease expired (it crashed or stalled).
    pub reclaimed: bool,
    pub package: Arc<Package>,
    pub params: Value,
    /// Outputs of the execution's succeeded steps, keyed by step id (only loaded for steps with
    /// dependencies).
    pub outputs: serde_json::Map<String, Value>,
    /// Who started the execution and their team: the owner of records its steps create.
    pub created_by: Option<String>,
    pub team_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Succeeded {
        output: Value,
    },
    Skipped,
    Retry {
        at: Timestamp,
        error: String,
    },
    Failed {
        error: String,
    },
    /// Not done yet (waiting for a signal, a person or a time): ready again at `until` without
    /// spending an attempt; a signal to the execution wakes it early.
    Wait {
        until: Timestamp,
        reason: String,
    },
}

#[derive(Debug, Clone)]
pub struct Completion {
    pub attempt: StepAttempt,
    /// The package the claim returned with the step (the execution's pinned version): the store
    /// plans the successors from it instead of reading the execution again.
    pub package: Arc<Package>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionView {
    pub id: Uuid,
    pub package_name: String,
    pub package_version: i32,
    pub status: ExecutionStatus,
    pub params: Value,
    pub priority: i32,
    pub idempotency_key: Option<String>,
    pub created_by: Option<String>,
    pub team_id: Option<String>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub error: Option<String>,
    /// Indexed by `StepIdx`.
    pub steps: Vec<StepView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepView {
    pub step_id: String,
    pub status: StepStatus,
    pub attempt: i32,
    pub max_attempts: i32,
    pub ready_at: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub output: Option<Value>,
    pub error: Option<String>,
    /// The worker holding the current attempt's lease, while running.
    pub lease_owner: Option<String>,
    /// Ready but waiting (a `Wait` outcome): `error` holds what it waits for, `ready_at` when it looks again.
    pub waiting: bool,
}

/// A message posted to an execution (`Store::signal`), read by the steps that wait for it.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalRecord {
    pub id: i64,
    pub name: String,
    pub payload: Value,
    pub created_at: Timestamp,
}

/// A summary row for listings.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionSummary {
    pub id: Uuid,
    pub package_name: String,
    pub package_version: i32,
    pub status: ExecutionStatus,
    pub created_by: Option<String>,
    pub team_id: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Default)]
pub struct ExecutionFilter {
    pub status: Option<ExecutionStatus>,
    pub package_name: Option<String>,
    pub created_by: Option<String>,
    pub team_id: Option<String>,
    pub created_after: Option<Timestamp>,
    pub created_before: Option<Timestamp>,
    /// Cursor: only executions with id lower than this (ids are time-ordered UUIDv7).
    pub before_id: Option<Uuid>,
    /// Only executions whose top-level parameter `.0` has the value `.1`, compared as text (a
    /// string as it is, a number as written, `true`/`false`).
    pub param: Option<(String, String)>,
    pub limit: u32,
}

/// One entry of an execution's history.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// Increasing per store; usable as an SSE `Last-Event-ID`.
    pub id: i64,
    pub execution_id: Uuid,
    pub at: Timestamp,
    pub kind: String,
    pub step_id: Option<String>,
    pub attempt: Option<i32>,
    pub detail: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageVersionInfo {
    pub name: String,
    pub version: i32,
    pub content_hash: String,
    pub created_at: Timestamp,
    /// False when an identical file was already the latest version.
    pub created: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSummary {
    pub name: String,
    pub latest_version: i32,
    pub active: bool,
}

/// Observed durations of one step of a package, for ETA calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct StepDurationStats {
    pub step_id: String,
    pub mean: std::time::Duration,
    pub samples: u64,
}

pub(crate) fn to_us(t: Timestamp) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn from_us(us: i64) -> Timestamp {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerInfo {
    pub id: String,
    pub started_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub running_steps: u32,
}

/// One step of one execution, flattened for analytics.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    pub execution_id: Uuid,
    pub package_name: String,
    pub execution_status: ExecutionStatus,
    pub execution_created_at: Timestamp,
    pub execution_finished_at: Option<Timestamp>,
    pub step_id: String,
    pub status: StepStatus,
    pub attempt: i32,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub error: Option<String>,
}

/// A cron schedule as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleRow {
    pub package_name: String,
    pub name: String,
    /// 5-field Unix cron, as the user wrote it.
    pub cron: String,
    pub timezone: String,
    pub params: Value,
    pub enabled: bool,
    /// `package` (declared in the package file) or `api`.
    pub source: String,
    pub created_by: Option<String>,
}
