//! Backend-neutral planning shared by both stores: what a completion batch or a control command
//! changes. The SQL in each backend only applies these plans.

use std::collections::BTreeMap;

use engine::run::{IllegalTransition, RunState};
use engine::{Control, ExecutionStatus, Package, StepIdx, StepStatus};
use uuid::Uuid;

use crate::types::{ExecutionView, Outcome, Timestamp};

/// Event kinds written to the execution log.
pub(crate) mod event {
    pub const CREATED: &str = "execution_created";
    pub const STEP_STARTED: &str = "step_started";
    pub const STEP_SUCCEEDED: &str = "step_succeeded";
    pub const STEP_SKIPPED: &str = "step_skipped";
    pub const STEP_RETRY: &str = "step_retry_scheduled";
    pub const STEP_FAILED: &str = "step_failed";
    pub const STEP_WAITING: &str = "step_waiting";
    pub const SIGNAL: &str = "signal_received";
    pub const STEP_READY: &str = "step_ready";
    pub const COMPLETED: &str = "execution_completed";
    pub const FAILED: &str = "execution_failed";
    pub const LEASE_EXPIRED: &str = "step_lease_expired";

    pub fn for_control(c: engine::Control) -> &'static str {
        match c {
            engine::Control::Pause => "execution_paused",
            engine::Control::Resume => "execution_resumed",
            engine::Control::Cancel => "execution_cancelled",
            engine::Control::Retry => "execution_retried",
        }
    }
}

pub(crate) fn outcome_status(o: &Outcome) -> StepStatus {
    match o {
        Outcome::Succeeded { .. } => StepStatus::Succeeded,
        Outcome::Skipped => StepStatus::Skipped,
        Outcome::Retry { .. } | Outcome::Wait { .. } => StepStatus::Ready,
        Outcome::Failed { .. } => StepStatus::Failed,
    }
}

pub(crate) fn outcome_event(o: &Outcome) -> &'static str {
    match o {
        Outcome::Succeeded { .. } => event::STEP_SUCCEEDED,
        Outcome::Skipped => event::STEP_SKIPPED,
        Outcome::Retry { .. } => event::STEP_RETRY,
        Outcome::Failed { .. } => event::STEP_FAILED,
        Outcome::Wait { .. } => event::STEP_WAITING,
    }
}

/// A successor that lost `done_deps` unfinished dependencies in this batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SuccessorUpdate {
    pub execution_id: Uuid,
    pub step: StepIdx,
    pub done_deps: i32,
    /// The step's `delay`, applied when it becomes ready.
    pub delay_us: i64,
}

/// A finished step's successors, each with the `delay` it waits once ready.
pub(crate) fn successors(package: &Package, step: StepIdx) -> impl Iterator<Item = (StepIdx, i64)> + '_ {
    package.dag.successors(step).iter().map(move |&next| (next, package.step(next).delay.as_micros() as i64))
}

/// Aggregates the successor decrements of the accepted, finished (succeeded or skipped) steps,
/// sorted by (execution, step) so that concurrent transactions lock rows in the same order.
/// SQLite applies these; PostgreSQL aggregates the same decrements inside its completion
/// statement, from the successors of every finished step in the batch, keeping those whose
/// completion applied.
pub(crate) fn successor_updates<'a>(done: impl Iterator<Item = (Uuid, &'a Package, StepIdx)>) -> Vec<SuccessorUpdate> {
    let mut agg: BTreeMap<(Uuid, u16), (i32, i64)> = BTreeMap::new();
    for (execution_id, package, step) in done {
        for (next, delay_us) in successors(package, step) {
            agg.entry((execution_id, next.0)).or_insert((0, delay_us)).0 += 1;
        }
    }
    agg.into_iter()
        .map(|((execution_id, step), (done_deps, delay_us))| SuccessorUpdate {
            execution_id,
            step: StepIdx(step),
            done_deps,
            delay_us,
        })
        .collect()
}

/// One step row to rewrite after a control command.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StepWrite {
    pub step: StepIdx,
    pub status: StepStatus,
    pub pending_deps: i32,
    pub ready_at: Option<Timestamp>,
    pub max_attempts: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ControlPlan {
    pub status: ExecutionStatus,
    pub steps: Vec<StepWrite>,
    pub steps_remaining: i32,
    pub finished: bool,
    /// Nothing changes (the command already holds).
    pub no_op: bool,
}

/// Runs the engine's state machine over the stored execution.
pub(crate) fn plan_control(
    view: &ExecutionView,
    package: &Package,
    control: Control,
    now: Timestamp,
) -> Result<ControlPlan, IllegalTransition> {
    let mut state = RunState { status: view.status, steps: view.steps.iter().map(|s| s.status).collect() };
    let before = state.clone();
    let changes = state.control(&package.dag, control)?;
    let mut steps = Vec::new();
    for change in changes {
        let idx = change.step.index();
        let stored = &view.steps[idx];
        let pending_deps =
            package.dag.predecessors(change.step).iter().filter(|p| !state.step(**p).is_done()).count() as i32;
        let retried = control == Control::Retry;
        steps.push(StepWrite {
            step: change.step,
            status: change.to,
            pending_deps,
            ready_at: (change.to == StepStatus::Ready).then_some(now),
            // A retried step gets a fresh attempt budget; attempt numbers keep growing so that a
            // straggler from before the retry stays fenced.
            max_attempts: if retried {
                stored.attempt + package.step(change.step).retry.max_attempts as i32
            } else {
                stored.max_attempts
            },
        });
    }
    let steps_remaining = state.steps.iter().filter(|s| !s.is_done()).count() as i32;
    Ok(ControlPlan {
        no_op: state == before,
        finished: state.status.is_terminal(),
        status: state.status,
        steps,
        steps_remaining,
    })
}
