//! The execution state machine: every transition by hand, then random DAGs and random scripts of
//! actions checked against the invariants the stores rely on.

use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::progress::progress;
use ExecutionStatus as E;
use StepStatus as S;

fn idx(i: usize) -> StepIdx {
    StepIdx::from_index(i)
}

fn dag(deps: &[&[usize]]) -> Dag {
    let deps: Vec<Vec<StepIdx>> = deps.iter().map(|d| d.iter().copied().map(idx).collect()).collect();
    Dag::new(&deps).expect("acyclic")
}

/// 0 -> {1, 2} -> 3
fn diamond() -> Dag {
    dag(&[&[], &[0], &[0], &[1, 2]])
}

fn claimable(state: &RunState) -> Vec<usize> {
    state.claimable().map(StepIdx::index).collect()
}

fn change(step: usize, to: StepStatus) -> StepChange {
    StepChange { step: idx(step), to }
}

fn succeed(state: &mut RunState, dag: &Dag, step: usize) {
    state.claim(idx(step)).unwrap();
    state.finish(dag, idx(step), StepOutcome::Succeeded).unwrap();
}

/// A state of the diamond with the given execution status, reached through legal transitions
/// (while pending, running or paused, at least one step is ready).
fn diamond_in(status: ExecutionStatus) -> (Dag, RunState) {
    let dag = diamond();
    let mut state = RunState::new(&dag);
    match status {
        E::Pending => {}
        E::Running => {
            succeed(&mut state, &dag, 0);
            state.claim(idx(1)).unwrap();
        }
        E::Paused => {
            succeed(&mut state, &dag, 0);
            state.control(&dag, Control::Pause).unwrap();
        }
        E::Completed => (0..4).for_each(|s| succeed(&mut state, &dag, s)),
        E::Failed => {
            succeed(&mut state, &dag, 0);
            state.claim(idx(1)).unwrap();
            state.finish(&dag, idx(1), StepOutcome::Failed).unwrap();
        }
        E::Cancelled => {
            succeed(&mut state, &dag, 0);
            state.control(&dag, Control::Cancel).unwrap();
        }
    }
    assert_eq!(state.status, status);
    (dag, state)
}

const ALL_STATUSES: [ExecutionStatus; 6] = [E::Pending, E::Running, E::Paused, E::Completed, E::Failed, E::Cancelled];

// ---------------------------------------------------------------------------------------------
// Claim and finish
// ---------------------------------------------------------------------------------------------

#[test]
fn new_execution_readies_its_roots() {
    let state = RunState::new(&dag(&[&[], &[0], &[], &[1, 2]]));
    assert_eq!(state.status, E::Pending);
    assert_eq!(state.steps, [S::Ready, S::Pending, S::Ready, S::Pending]);
    assert_eq!(claimable(&state), [0, 2]);
}

#[test]
fn claim_starts_a_ready_step_and_the_execution() {
    let dag = diamond();
    let mut state = RunState::new(&dag);
    state.claim(idx(0)).unwrap();
    assert_eq!(state.step(idx(0)), S::Running);
    assert_eq!(state.status, E::Running);
    assert!(claimable(&state).is_empty());
}

#[test]
fn claim_rejects_steps_that_are_not_ready() {
    let dag = diamond();
    let mut state = RunState::new(&dag);
    let pending = state.claim(idx(1));
    assert_eq!(pending, Err(IllegalTransition::Step { step: 1, status: S::Pending, expected: S::Ready }));
    state.claim(idx(0)).unwrap();
    let running = state.claim(idx(0));
    assert_eq!(running, Err(IllegalTransition::Step { step: 0, status: S::Running, expected: S::Ready }));
    state.finish(&dag, idx(0), StepOutcome::Succeeded).unwrap();
    let done = state.claim(idx(0));
    assert_eq!(done, Err(IllegalTransition::Step { step: 0, status: S::Succeeded, expected: S::Ready }));
}

#[test]
fn claim_is_refused_unless_the_execution_is_pending_or_running() {
    for status in ALL_STATUSES {
        let (_, mut state) = diamond_in(status);
        let before = state.clone();
        // A step that would be claimable if the execution allowed it, where there is one.
        let step = state.steps.iter().position(|s| *s == S::Ready).unwrap_or(0);
        let result = state.claim(idx(step));
        if status.is_claimable() {
            assert_eq!(result, Ok(()), "{status}");
        } else {
            assert_eq!(result, Err(IllegalTransition::NotClaimable(status)), "{status}");
            assert_eq!(state, before, "{status}");
            assert!(claimable(&state).is_empty(), "{status}");
        }
    }
}

#[test]
fn success_readies_a_dependent_once_all_its_dependencies_are_done() {
    let dag = diamond();
    let mut state = RunState::new(&dag);
    state.claim(idx(0)).unwrap();
    let changes = state.finish(&dag, idx(0), StepOutcome::Succeeded).unwrap();
    assert_eq!(changes, [change(0, S::Succeeded), change(1, S::Ready), change(2, S::Ready)]);

    state.claim(idx(1)).unwrap();
    let changes = state.finish(&dag, idx(1), StepOutcome::Succeeded).unwrap();
    assert_eq!(changes, [change(1, S::Succeeded)], "3 still waits for 2");
    assert_eq!(state.step(idx(3)), S::Pending);

    // A skipped dependency counts as done.
    state.claim(idx(2)).unwrap();
    let changes = state.finish(&dag, idx(2), StepOutcome::Skipped).unwrap();
    assert_eq!(changes, [change(2, S::Skipped), change(3, S::Ready)]);
    assert_eq!(state.status, E::Running);

    state.claim(idx(3)).unwrap();
    state.finish(&dag, idx(3), StepOutcome::Succeeded).unwrap();
    assert_eq!(state.status, E::Completed);
}

#[test]
fn a_retry_puts_the_step_back_to_ready() {
    let dag = diamond();
    let mut state = RunState::new(&dag);
    state.claim(idx(0)).unwrap();
    let changes = state.finish(&dag, idx(0), StepOutcome::Retry).unwrap();
    assert_eq!(changes, [change(0, S::Ready)]);
    assert_eq!(state.status, E::Running);
    assert_eq!(claimable(&state), [0]);
    state.claim(idx(0)).unwrap();
}

#[test]
fn a_failure_fails_the_execution_and_cancels_open_steps() {
    let dag = dag(&[&[], &[], &[0], &[]]);
    let mut state = RunState::new(&dag);
    state.claim(idx(0)).unwrap();
    state.claim(idx(1)).unwrap();
    let changes = state.finish(&dag, idx(0), StepOutcome::Failed).unwrap();
    assert_eq!(
        changes,
        [change(0, S::Failed), change(1, S::Cancelled), change(2, S::Cancelled), change(3, S::Cancelled)]
    );
    assert_eq!(state.status, E::Failed);
    // The cancelled attempt of 1 can no longer report.
    let late = state.finish(&dag, idx(1), StepOutcome::Succeeded);
    assert_eq!(late, Err(IllegalTransition::Step { step: 1, status: S::Cancelled, expected: S::Running }));
}

#[test]
fn finish_requires_a_running_step() {
    let dag = diamond();
    let mut state = RunState::new(&dag);
    for (step, status) in [(0, S::Ready), (1, S::Pending)] {
        for outcome in [StepOutcome::Succeeded, StepOutcome::Skipped, StepOutcome::Retry, StepOutcome::Failed] {
            let before = state.clone();
            let result = state.finish(&dag, idx(step), outcome);
            assert_eq!(result, Err(IllegalTransition::Step { step: step as u16, status, expected: S::Running }));
            assert_eq!(state, before);
        }
    }
    succeed(&mut state, &dag, 0);
    let again = state.finish(&dag, idx(0), StepOutcome::Succeeded);
    assert_eq!(again, Err(IllegalTransition::Step { step: 0, status: S::Succeeded, expected: S::Running }));
}

// ---------------------------------------------------------------------------------------------
// Operator controls: the whole table
// ---------------------------------------------------------------------------------------------

/// What a control does from a status: `Some(to)` is legal and leads to `to`, `None` is illegal.
fn expected_control(control: Control, from: ExecutionStatus) -> Option<ExecutionStatus> {
    match (control, from) {
        (Control::Pause, E::Pending | E::Running | E::Paused) => Some(E::Paused),
        (Control::Resume, E::Pending | E::Running) => Some(from),
        // `diamond_in(Paused)` has started a step, so it resumes to running.
        (Control::Resume, E::Paused) => Some(E::Running),
        (Control::Cancel, E::Pending | E::Running | E::Paused | E::Cancelled) => Some(E::Cancelled),
        (Control::Retry, E::Failed | E::Cancelled) => Some(E::Running),
        _ => None,
    }
}

#[test]
fn every_control_from_every_status() {
    for control in [Control::Pause, Control::Resume, Control::Cancel, Control::Retry] {
        for from in ALL_STATUSES {
            let (dag, mut state) = diamond_in(from);
            let before = state.clone();
            let result = state.control(&dag, control);
            match expected_control(control, from) {
                Some(to) => {
                    assert!(result.is_ok(), "{} from {from}: {result:?}", control.as_str());
                    assert_eq!(state.status, to, "{} from {from}", control.as_str());
                }
                None => {
                    let err = IllegalTransition::Control { control: control.as_str(), status: from };
                    assert_eq!(result, Err(err), "{} from {from}", control.as_str());
                    assert_eq!(state, before, "a refused {} changed the state", control.as_str());
                }
            }
        }
    }
}

#[test]
fn repeating_a_control_that_already_holds_is_a_no_op() {
    for (control, status) in [
        (Control::Pause, E::Paused),
        (Control::Resume, E::Running),
        (Control::Resume, E::Pending),
        (Control::Cancel, E::Cancelled),
    ] {
        let (dag, mut state) = diamond_in(status);
        let before = state.clone();
        assert_eq!(state.control(&dag, control), Ok(vec![]), "{} on {status}", control.as_str());
        assert_eq!(state, before);
    }
}

#[test]
fn refused_controls_name_the_command_and_status() {
    let (dag, mut completed) = diamond_in(E::Completed);
    let err = completed.control(&dag, Control::Resume).unwrap_err();
    assert_eq!(err.to_string(), "cannot resume an execution that is completed");
    let (dag, mut running) = diamond_in(E::Running);
    let err = running.control(&dag, Control::Retry).unwrap_err();
    assert_eq!(err.to_string(), "cannot retry an execution that is running");
}

#[test]
fn resume_returns_to_pending_when_nothing_has_started() {
    let dag = diamond();
    let mut state = RunState::new(&dag);
    state.control(&dag, Control::Pause).unwrap();
    assert!(claimable(&state).is_empty());
    state.control(&dag, Control::Resume).unwrap();
    assert_eq!(state.status, E::Pending);
    assert_eq!(claimable(&state), [0]);
}

#[test]
fn a_paused_execution_lets_running_steps_finish() {
    let dag = diamond();
    let mut state = RunState::new(&dag);
    state.claim(idx(0)).unwrap();
    state.control(&dag, Control::Pause).unwrap();
    state.finish(&dag, idx(0), StepOutcome::Succeeded).unwrap();
    assert_eq!(state.status, E::Paused);
    assert_eq!(state.steps, [S::Succeeded, S::Ready, S::Ready, S::Pending]);
    assert!(claimable(&state).is_empty());
}

#[test]
fn cancel_cancels_every_open_step_and_keeps_finished_ones() {
    let dag = diamond();
    let mut state = RunState::new(&dag);
    succeed(&mut state, &dag, 0);
    state.claim(idx(1)).unwrap();
    let changes = state.control(&dag, Control::Cancel).unwrap();
    assert_eq!(changes, [change(1, S::Cancelled), change(2, S::Cancelled), change(3, S::Cancelled)]);
    assert_eq!(state.steps, [S::Succeeded, S::Cancelled, S::Cancelled, S::Cancelled]);
}

#[test]
fn retry_reopens_failed_and_cancelled_steps_only() {
    let (dag, mut state) = diamond_in(E::Failed);
    assert_eq!(state.steps, [S::Succeeded, S::Failed, S::Cancelled, S::Cancelled]);
    let changes = state.control(&dag, Control::Retry).unwrap();
    assert_eq!(changes, [change(1, S::Ready), change(2, S::Ready), change(3, S::Pending)]);
    assert_eq!(state.steps, [S::Succeeded, S::Ready, S::Ready, S::Pending]);
    assert_eq!(state.status, E::Running);

    // Cancelled before anything ran: everything starts over from the roots.
    let dag = diamond();
    let mut state = RunState::new(&dag);
    state.control(&dag, Control::Cancel).unwrap();
    state.control(&dag, Control::Retry).unwrap();
    assert_eq!(state.steps, [S::Ready, S::Pending, S::Pending, S::Pending]);
}

#[test]
fn names_round_trip() {
    for c in [Control::Pause, Control::Resume, Control::Cancel, Control::Retry] {
        assert_eq!(Control::parse(c.as_str()), Some(c));
    }
    for s in ALL_STATUSES {
        assert_eq!(ExecutionStatus::parse(&s.to_string()), Some(s));
    }
    for s in [S::Pending, S::Ready, S::Running, S::Succeeded, S::Failed, S::Skipped, S::Cancelled] {
        assert_eq!(StepStatus::parse(s.as_str()), Some(s));
    }
    assert_eq!(Control::parse("stop"), None);
    assert_eq!(StepStatus::parse("Running"), None);
}

// ---------------------------------------------------------------------------------------------
// Properties over random DAGs and random scripts
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Action {
    /// Claim the n-th claimable step (modulo their count), or step n when none is claimable.
    Claim(usize),
    /// Finish the n-th running step (modulo their count), or step n when none is running.
    Finish(usize, StepOutcome),
    Control(Control),
}

#[derive(Debug, Clone)]
struct Case {
    /// Dependencies of each step; only on lower indices, so the graph is acyclic.
    deps: Vec<Vec<StepIdx>>,
    estimates: Vec<Duration>,
    actions: Vec<Action>,
}

const MAX_STEPS: usize = 12;

fn arb_outcome() -> impl Strategy<Value = StepOutcome> {
    prop_oneof![
        5 => Just(StepOutcome::Succeeded),
        2 => Just(StepOutcome::Skipped),
        2 => Just(StepOutcome::Retry),
        1 => Just(StepOutcome::Failed),
    ]
}

fn arb_action() -> impl Strategy<Value = Action> {
    let pick = 0..2 * MAX_STEPS;
    prop_oneof![
        6 => pick.clone().prop_map(Action::Claim),
        6 => (pick, arb_outcome()).prop_map(|(n, o)| Action::Finish(n, o)),
        1 => Just(Action::Control(Control::Pause)),
        1 => Just(Action::Control(Control::Resume)),
        1 => Just(Action::Control(Control::Cancel)),
        1 => Just(Action::Control(Control::Retry)),
    ]
}

fn arb_case() -> impl Strategy<Value = Case> {
    (1..=MAX_STEPS).prop_flat_map(|n| {
        (
            proptest::collection::vec(proptest::collection::vec(proptest::bool::weighted(0.3), n), n),
            proptest::collection::vec(0u64..=600_000, n),
            proptest::collection::vec(arb_action(), 0..100),
        )
            .prop_map(move |(edges, estimates, actions)| Case {
                deps: (0..n).map(|j| (0..j).filter(|&i| edges[j][i]).map(idx).collect()).collect(),
                estimates: estimates.into_iter().map(Duration::from_millis).collect(),
                actions,
            })
    })
}

/// A `RunState` driven by actions, checked after each one.
struct Sim {
    dag: Dag,
    state: RunState,
    estimates: Vec<Duration>,
    percentage: f64,
}

impl Sim {
    fn new(case: &Case) -> Sim {
        let dag = Dag::new(&case.deps).expect("edges only go forward");
        let state = RunState::new(&dag);
        let sim = Sim { percentage: 0.0, dag, state, estimates: case.estimates.clone() };
        sim.check_invariants();
        sim
    }

    fn steps_in(&self, status: StepStatus) -> Vec<StepIdx> {
        self.dag.steps().filter(|s| self.state.step(*s) == status).collect()
    }

    fn deps_done(&self, step: StepIdx) -> bool {
        self.dag.predecessors(step).iter().all(|p| self.state.step(*p).is_done())
    }

    /// Applies one action; errors are allowed but must leave the state untouched, and the
    /// reported changes must be exactly the steps whose status changed.
    fn apply(&mut self, action: &Action) {
        let before = self.state.clone();
        let pick = |candidates: Vec<StepIdx>, n: usize| {
            if candidates.is_empty() {
                idx(n % self.dag.len())
            } else {
                candidates[n % candidates.len()]
            }
        };
        let result = match *action {
            Action::Claim(n) => {
                let step = pick(self.state.claimable().collect(), n);
                self.state.claim(step).map(|()| vec![change(step.index(), S::Running)])
            }
            Action::Finish(n, outcome) => {
                let step = pick(self.steps_in(S::Running), n);
                self.state.finish(&self.dag, step, outcome)
            }
            Action::Control(control) => self.state.control(&self.dag, control),
        };
        match result {
            Err(e) => assert_eq!(self.state, before, "{action:?} failed with `{e}` but changed the state"),
            Ok(mut changes) => {
                changes.sort_by_key(|c| c.step);
                let diff: Vec<StepChange> = self
                    .dag
                    .steps()
                    .filter(|s| self.state.step(*s) != before.step(*s))
                    .map(|s| change(s.index(), self.state.step(s)))
                    .collect();
                assert_eq!(changes, diff, "{action:?} from {before:?} reported other changes than it made");
            }
        }
        self.check_invariants();
    }

    fn check_invariants(&self) {
        let state = &self.state;
        for s in self.dag.steps() {
            match state.step(s) {
                // (a) nothing starts before its dependencies are done, and done stays done.
                S::Running | S::Succeeded | S::Skipped | S::Failed => {
                    assert!(
                        self.deps_done(s),
                        "step {} is {} before its dependencies are done: {state:?}",
                        s.0,
                        state.step(s)
                    )
                }
                // (e) a ready step may start at once.
                S::Ready => assert!(self.deps_done(s), "step {} is ready too early: {state:?}", s.0),
                // A pending step is waiting for something, or it would be ready (else it is stuck).
                S::Pending => {
                    assert!(!self.deps_done(s), "step {} is pending with its dependencies done: {state:?}", s.0)
                }
                S::Cancelled => {}
            }
        }
        // (b) completed exactly when every step is done.
        let all_done = state.steps.iter().all(|s| s.is_done());
        assert_eq!(state.status == E::Completed, all_done, "{state:?}");
        // (d) a failed or cancelled execution has nothing left open.
        if matches!(state.status, E::Failed | E::Cancelled) {
            let open = state.steps.iter().find(|s| matches!(s, S::Pending | S::Ready | S::Running));
            assert_eq!(open, None, "{state:?}");
        }
        // A pending execution has not started anything.
        if state.status == E::Pending {
            assert!(state.steps.iter().all(|s| matches!(s, S::Pending | S::Ready)), "{state:?}");
        }
        // Only an execution that can be worked on offers steps to claim.
        if !state.status.is_claimable() {
            assert_eq!(state.claimable().count(), 0, "{state:?}");
        }
    }

    /// (c) the percentage never goes back.
    fn check_progress(&mut self) {
        let p = progress(&self.state.steps, &self.estimates);
        assert!(
            p.percentage >= self.percentage,
            "progress went from {} to {}: {:?}",
            self.percentage,
            p.percentage,
            self.state
        );
        assert!((0.0..=100.0).contains(&p.percentage));
        if self.state.status == E::Completed {
            assert!((p.percentage - 100.0).abs() < 1e-9, "{}", p.percentage);
        }
        self.percentage = p.percentage;
    }

    /// Workers that never fail: resume if paused, finish what runs, then claim and succeed
    /// whatever becomes claimable.
    fn drive(&mut self) {
        if self.state.status == E::Paused {
            self.apply(&Action::Control(Control::Resume));
        }
        for step in self.steps_in(S::Running) {
            self.apply(&Action::Finish(step.index(), StepOutcome::Succeeded));
            self.check_progress();
        }
        // Each round finishes a step for good, so this is enough rounds.
        for _ in 0..self.dag.len() {
            let Some(step) = self.state.claimable().next() else {
                break;
            };
            self.state.claim(step).unwrap();
            self.state.finish(&self.dag, step, StepOutcome::Succeeded).unwrap();
            self.check_invariants();
            self.check_progress();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_scripts_keep_the_invariants(case in arb_case()) {
        let mut sim = Sim::new(&case);
        for action in &case.actions {
            sim.apply(action);
            sim.check_progress();
        }
    }

    #[test]
    fn every_reachable_state_can_still_complete(case in arb_case()) {
        let mut sim = Sim::new(&case);
        for action in &case.actions {
            sim.apply(action);
        }
        sim.percentage = progress(&sim.state.steps, &sim.estimates).percentage;
        let stopped = matches!(sim.state.status, E::Failed | E::Cancelled);
        sim.drive();
        if stopped {
            prop_assert!(matches!(sim.state.status, E::Failed | E::Cancelled), "{:?}", sim.state);
            sim.apply(&Action::Control(Control::Retry));
            prop_assert_eq!(sim.state.status, E::Running);
            sim.drive();
        }
        prop_assert_eq!(sim.state.status, E::Completed, "{:?}", sim.state);
    }
}
