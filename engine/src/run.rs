//! The state machine of one execution and its steps, as pure code.
//!
//! Execution: `pending → running → completed | failed | cancelled`, and `paused` entered from
//! pending/running and left by resume. Step: `pending → ready → running → succeeded | failed |
//! skipped | cancelled`, plus `running → ready` when a retry is scheduled.
//!
//! The stores apply the same rules in SQL on their hot path (a pending step becomes ready when its
//! count of unfinished dependencies reaches zero); `RunState` is the executable specification they
//! are tested against, and what they call for the rare, whole-execution controls.

use crate::dag::{Dag, StepIdx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExecutionStatus {
    Pending,
    Running,
    Paused,
    Completed,
    Failed,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepStatus {
    Pending,
    Ready,
    Running,
    Succeeded,
    Failed,
    Skipped,
    Cancelled,
}

macro_rules! string_enum {
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            /// Every value's name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($s),*];
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$v),)* _ => None }
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(ExecutionStatus {
    Pending => "pending", Running => "running", Paused => "paused",
    Completed => "completed", Failed => "failed", Cancelled => "cancelled",
});
string_enum!(StepStatus {
    Pending => "pending", Ready => "ready", Running => "running", Succeeded => "succeeded",
    Failed => "failed", Skipped => "skipped", Cancelled => "cancelled",
});

impl ExecutionStatus {
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
    /// Steps of an execution in this state may be claimed.
    pub fn is_claimable(self) -> bool {
        matches!(self, Self::Pending | Self::Running)
    }
}

impl StepStatus {
    /// Finished in a way that lets dependents run.
    pub fn is_done(self) -> bool {
        matches!(self, Self::Succeeded | Self::Skipped)
    }
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Skipped | Self::Failed | Self::Cancelled)
    }
}

/// How an attempt of a running step ended, after the retry policy was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    Succeeded,
    /// Its `when` condition was false.
    Skipped,
    /// Failed, another attempt is scheduled.
    Retry,
    /// Failed for good: the execution fails.
    Failed,
}

/// An operator's command on a whole execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Pause,
    Resume,
    Cancel,
    /// Re-run the failed and cancelled steps of a failed or cancelled execution.
    Retry,
}

impl Control {
    pub const NAMES: &'static [&'static str] = &["pause", "resume", "cancel", "retry"];
    pub fn parse(s: &str) -> Option<Control> {
        match s {
            "pause" => Some(Control::Pause),
            "resume" => Some(Control::Resume),
            "cancel" => Some(Control::Cancel),
            "retry" => Some(Control::Retry),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Control::Pause => "pause",
            Control::Resume => "resume",
            Control::Cancel => "cancel",
            Control::Retry => "retry",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IllegalTransition {
    #[error("cannot {control} an execution that is {status}")]
    Control { control: &'static str, status: ExecutionStatus },
    #[error("step {step} is {status}, not {expected}")]
    Step { step: u16, status: StepStatus, expected: StepStatus },
    #[error("execution is {0}; its steps cannot be claimed")]
    NotClaimable(ExecutionStatus),
}

/// A step status change caused by a transition, for the caller to persist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepChange {
    pub step: StepIdx,
    pub to: StepStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunState {
    pub status: ExecutionStatus,
    /// Indexed by `StepIdx`.
    pub steps: Vec<StepStatus>,
}

impl RunState {
    /// A new execution: steps without dependencies are ready, the rest pending.
    pub fn new(dag: &Dag) -> RunState {
        let steps = dag
            .steps()
            .map(|s| if dag.predecessors(s).is_empty() { StepStatus::Ready } else { StepStatus::Pending })
            .collect();
        RunState { status: ExecutionStatus::Pending, steps }
    }

    pub fn step(&self, s: StepIdx) -> StepStatus {
        self.steps[s.index()]
    }

    /// Steps a worker may claim now.
    pub fn claimable(&self) -> impl Iterator<Item = StepIdx> + '_ {
        let open = self.status.is_claimable();
        self.steps
            .iter()
            .enumerate()
            .filter(move |(_, st)| open && **st == StepStatus::Ready)
            .map(|(i, _)| StepIdx::from_index(i))
    }

    /// A worker starts an attempt of `step`.
    pub fn claim(&mut self, step: StepIdx) -> Result<(), IllegalTransition> {
        if !self.status.is_claimable() {
            return Err(IllegalTransition::NotClaimable(self.status));
        }
        self.expect(step, StepStatus::Ready)?;
        self.steps[step.index()] = StepStatus::Running;
        self.status = ExecutionStatus::Running;
        Ok(())
    }

    /// An attempt of a running `step` ended with `outcome`.
    pub fn finish(
        &mut self,
        dag: &Dag,
        step: StepIdx,
        outcome: StepOutcome,
    ) -> Result<Vec<StepChange>, IllegalTransition> {
        self.expect(step, StepStatus::Running)?;
        let mut changes = Vec::new();
        match outcome {
            StepOutcome::Retry => self.set(step, StepStatus::Ready, &mut changes),
            StepOutcome::Succeeded | StepOutcome::Skipped => {
                let to = if outcome == StepOutcome::Succeeded { StepStatus::Succeeded } else { StepStatus::Skipped };
                self.set(step, to, &mut changes);
                for &next in dag.successors(step) {
                    if self.step(next) == StepStatus::Pending && self.dependencies_done(dag, next) {
                        self.set(next, StepStatus::Ready, &mut changes);
                    }
                }
                if self.steps.iter().all(|s| s.is_done()) {
                    self.status = ExecutionStatus::Completed;
                }
            }
            StepOutcome::Failed => {
                self.set(step, StepStatus::Failed, &mut changes);
                self.cancel_open_steps(&mut changes);
                self.status = ExecutionStatus::Failed;
            }
        }
        Ok(changes)
    }

    /// Applies an operator's command. Repeating a command that already holds is a no-op;
    /// a command that makes no sense in the current state is an error.
    pub fn control(&mut self, dag: &Dag, control: Control) -> Result<Vec<StepChange>, IllegalTransition> {
        use ExecutionStatus as E;
        let illegal = || IllegalTransition::Control { control: control.as_str(), status: self.status };
        let mut changes = Vec::new();
        match (control, self.status) {
            (Control::Pause, E::Pending | E::Running) => self.status = E::Paused,
            (Control::Pause, E::Paused) => {}
            (Control::Resume, E::Paused) => {
                let started = self.steps.iter().any(|s| *s != StepStatus::Ready && *s != StepStatus::Pending);
                self.status = if started { E::Running } else { E::Pending };
            }
            (Control::Resume, E::Pending | E::Running) => {}
            (Control::Cancel, E::Pending | E::Running | E::Paused) => {
                self.cancel_open_steps(&mut changes);
                self.status = E::Cancelled;
            }
            (Control::Cancel, E::Cancelled) => {}
            (Control::Retry, E::Failed | E::Cancelled) => {
                for s in dag.steps() {
                    if matches!(self.step(s), StepStatus::Failed | StepStatus::Cancelled) {
                        self.steps[s.index()] = StepStatus::Pending;
                    }
                }
                for &s in dag.topo_order() {
                    let to = if self.step(s) == StepStatus::Pending && self.dependencies_done(dag, s) {
                        StepStatus::Ready
                    } else {
                        self.step(s)
                    };
                    self.steps[s.index()] = to;
                }
                // Report every step that changed away from failed/cancelled.
                for s in dag.steps() {
                    if matches!(self.step(s), StepStatus::Pending | StepStatus::Ready) {
                        changes.push(StepChange { step: s, to: self.step(s) });
                    }
                }
                self.status = E::Running;
            }
            _ => return Err(illegal()),
        }
        Ok(changes)
    }

    fn dependencies_done(&self, dag: &Dag, step: StepIdx) -> bool {
        dag.predecessors(step).iter().all(|p| self.step(*p).is_done())
    }

    fn cancel_open_steps(&mut self, changes: &mut Vec<StepChange>) {
        for i in 0..self.steps.len() {
            if matches!(self.steps[i], StepStatus::Pending | StepStatus::Ready | StepStatus::Running) {
                self.set(StepIdx::from_index(i), StepStatus::Cancelled, changes);
            }
        }
    }

    fn set(&mut self, step: StepIdx, to: StepStatus, changes: &mut Vec<StepChange>) {
        self.steps[step.index()] = to;
        changes.push(StepChange { step, to });
    }

    fn expect(&self, step: StepIdx, expected: StepStatus) -> Result<(), IllegalTransition> {
        let status = self.step(step);
        if status == expected {
            Ok(())
        } else {
            Err(IllegalTransition::Step { step: step.0, status, expected })
        }
    }
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
