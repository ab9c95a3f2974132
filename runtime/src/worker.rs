//! The worker loop: claim ready steps in batches, run their handlers, checkpoint the results.
//!
//! Shape: one claim loop (this task) owns a `JoinSet` of step tasks bounded by a semaphore; a
//! completer task turns finished steps into batched `Store::complete` calls (whatever piled up
//! while the previous batch was committing goes into the next one, so batches grow with load and
//! latency stays low when idle); a heartbeat task extends the leases of running steps and cancels
//! the handlers whose lease was lost (cancelled execution, or reclaimed after a stall).
//! A heartbeat task that cannot reach the store fences itself: it cancels the handlers whose
//! lease may run out before the next heartbeat, so they are abandoned (not completed) before
//! another worker can reclaim them. A step task that never reports (it panicked or was aborted)
//! is ended by its [`StepGuard`] as a retryable failure. The completer retries a failing store
//! with a bounded backoff and gives up on shutdown after the grace period; what it drops is left
//! to lease expiry, which fencing by attempt makes safe.
//! Wake-ups come from the store (`Store::wakeup`), with polling as the fallback.
//! Hand-off: with free slots, the completer saves a batch with `Store::complete_and_claim`, so the
//! successors the batch makes ready are claimed in the same transaction and handed to this loop
//! (with the slots they hold) — no wake-up, no second round trip between a step and the next.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine::retry::{AfterFailure, FailureKind, RetryPolicy};
use store::{ClaimedStep, Completion, Outcome, StepAttempt, Store};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::handler::{Registry, Signals, StepContext, StepError};
use crate::metrics::{Metrics, OutcomeKind};
use crate::step_guard::StepGuard;

/// Longest single wait a handler may ask for; it can wait again when it wakes.
const WAIT_MAX: Duration = Duration::from_secs(366 * 24 * 3600);

/// A step's serialized output is stored with the step row; keep rows small.
pub const OUTPUT_BYTES_MAX: usize = 1024 * 1024;
/// Upper bound on one `complete` batch (one transaction).
pub const COMPLETE_BATCH_MAX: usize = 512;
/// How long a cancelled handler may take to wind down before it is aborted.
pub const CANCEL_GRACE: Duration = Duration::from_secs(2);
/// Upper bound on concurrently running handlers per worker.
pub const CONCURRENCY_MAX: usize = 4096;
/// Retries of one failing `complete` batch before it is left to lease expiry (about a minute
/// with the store backoff): a worker must not pile up results while the database is away.
pub const COMPLETE_RETRIES_MAX: usize = 16;

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Unique per process; written as the lease owner.
    pub id: String,
    /// Handlers running at once.
    pub concurrency: usize,
    /// Steps claimed per round trip.
    pub claim_batch: usize,
    /// How long a claim stays valid without a heartbeat.
    pub lease: Duration,
    pub heartbeat: Duration,
    /// Fallback poll when no wake-up arrives.
    pub poll: Duration,
    /// On shutdown, how long running handlers may take to finish.
    pub shutdown_grace: Duration,
    /// Claim the steps a completion makes ready in the same transaction (see the module docs).
    pub handoff: bool,
}

impl WorkerConfig {
    pub fn new(id: impl Into<String>) -> WorkerConfig {
        WorkerConfig {
            id: id.into(),
            concurrency: 64,
            claim_batch: 64,
            lease: Duration::from_secs(10),
            heartbeat: Duration::from_secs(3),
            poll: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(10),
            handoff: true,
        }
    }
}

/// What a step task reports.
pub(crate) enum StepResult {
    Done(Completion),
    /// Not run to an outcome (shutdown): give the claim back.
    Release(StepAttempt),
    /// The lease was lost; someone else owns the step now.
    Abandoned(StepAttempt),
}

/// Steps claimed for this worker, with one slot each.
pub(crate) struct Claimed {
    steps: Vec<ClaimedStep>,
    slots: OwnedSemaphorePermit,
    /// When the claim was sent: the lease it got starts no earlier.
    sent: tokio::time::Instant,
}

/// What the completer needs to claim for the claim loop.
struct Handoff {
    slots: Arc<Semaphore>,
    to_loop: mpsc::Sender<Claimed>,
    claim_batch: usize,
    lease: Duration,
    /// Shutdown: no more claims.
    stop: CancellationToken,
}

impl Handoff {
    /// Takes the free slots (up to a claim batch) for the next save to fill.
    fn reserve(&self) -> Option<OwnedSemaphorePermit> {
        if self.stop.is_cancelled() {
            return None;
        }
        let n = self.slots.available_permits().min(self.claim_batch);
        if n == 0 {
            return None;
        }
        self.slots.clone().try_acquire_many_owned(n as u32).ok()
    }
}

/// A running attempt as the heartbeat sees it.
pub(crate) struct Held {
    pub(crate) cancel: CancellationToken,
    /// When its lease was last extended, read before the request was sent (so never later than
    /// the store's own `now` for it): the self-fencing deadline is counted from here.
    pub(crate) renewed: tokio::time::Instant,
}

pub(crate) type InFlight = Arc<Mutex<HashMap<StepAttempt, Held>>>;

pub struct Worker {
    store: Arc<dyn Store>,
    registry: Arc<Registry>,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    config: WorkerConfig,
}

impl Worker {
    pub fn new(rt: &crate::Runtime, config: WorkerConfig) -> Worker {
        assert!(config.concurrency >= 1 && config.concurrency <= CONCURRENCY_MAX, "concurrency out of range");
        assert!(config.heartbeat < config.lease, "heartbeat must be shorter than the lease");
        Worker {
            store: rt.store.clone(),
            registry: rt.registry.clone(),
            clock: rt.clock.clone(),
            metrics: rt.metrics.clone(),
            config,
        }
    }

    /// Runs until `shutdown` is cancelled, then drains: stops claiming, lets running handlers
    /// finish within the grace period, checkpoints them, and releases the rest.
    pub async fn run(self, shutdown: CancellationToken) {
        let cfg = self.config.clone();
        let in_flight: InFlight = Arc::default();
        let slots = Arc::new(Semaphore::new(cfg.concurrency));
        let (results_tx, results_rx) = mpsc::channel::<StepResult>(cfg.concurrency * 2);
        // Handlers are cancelled through this token only after the grace period.
        let handlers_stop = CancellationToken::new();
        // Cancelled when the completer's grace after shutdown is over.
        let completer_give_up = CancellationToken::new();

        let (handoff_tx, mut handoff_rx) = mpsc::channel::<Claimed>(4);
        let handoff = cfg.handoff.then(|| Handoff {
            slots: slots.clone(),
            to_loop: handoff_tx,
            claim_batch: cfg.claim_batch,
            lease: cfg.lease,
            stop: shutdown.clone(),
        });
        let mut completer = tokio::spawn(completer(
            self.store.clone(),
            self.clock.clone(),
            self.metrics.clone(),
            cfg.id.clone(),
            results_rx,
            in_flight.clone(),
            completer_give_up.clone(),
            handoff,
        ));
        let heartbeat_stop = CancellationToken::new();
        let heartbeat = tokio::spawn(heartbeat(
            self.store.clone(),
            self.clock.clone(),
            cfg.clone(),
            in_flight.clone(),
            heartbeat_stop.clone(),
        ));

        let mut tasks = JoinSet::new();
        let wakeup = self.store.wakeup();
        let mut errors = 0u32;
        let launch = Launch {
            registry: self.registry.clone(),
            clock: self.clock.clone(),
            metrics: self.metrics.clone(),
            store: self.store.clone(),
            in_flight: in_flight.clone(),
            handlers_stop: handlers_stop.clone(),
            results_tx: results_tx.clone(),
            shutdown: shutdown.clone(),
        };
        while !shutdown.is_cancelled() {
            while let Some(joined) = tasks.try_join_next() {
                log_join(joined);
            }
            while let Ok(handed) = handoff_rx.try_recv() {
                launch.start(&mut tasks, handed);
            }
            let free = slots.available_permits().min(cfg.claim_batch);
            let reserved = if free == 0 { None } else { slots.clone().try_acquire_many_owned(free as u32).ok() };
            let Some(reserved) = reserved else {
                tokio::select! {
                    _ = slots.acquire() => {}
                    Some(handed) = handoff_rx.recv() => launch.start(&mut tasks, handed),
                    _ = shutdown.cancelled() => break,
                }
                continue;
            };
            // Register interest before claiming, so a wake-up during the claim is not lost.
            let notified = wakeup.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            // Read before the claim is sent: the lease the store grants starts no earlier.
            let claim_sent = tokio::time::Instant::now();
            let claimed = match self.store.claim(&cfg.id, free, cfg.lease, self.clock.now()).await {
                Ok(c) => {
                    errors = 0;
                    c
                }
                Err(e) => {
                    drop(reserved);
                    errors += 1;
                    let wait = store_backoff(errors);
                    tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "claim failed");
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = shutdown.cancelled() => break,
                    }
                    continue;
                }
            };
            let full = claimed.len() == free;
            launch.start(&mut tasks, Claimed { steps: claimed, slots: reserved, sent: claim_sent });
            if !full {
                tokio::select! {
                    _ = &mut notified => {}
                    Some(handed) = handoff_rx.recv() => launch.start(&mut tasks, handed),
                    _ = tokio::time::sleep(cfg.poll) => {}
                    _ = shutdown.cancelled() => break,
                }
            }
        }
        // What the completer claimed for this loop after it stopped is given back.
        handoff_rx.close();
        let mut unrun = Vec::new();
        while let Some(handed) = handoff_rx.recv().await {
            unrun.extend(handed.steps.iter().map(|s| s.attempt));
        }
        if !unrun.is_empty() {
            if let Err(e) = self.store.release(&cfg.id, &unrun, self.clock.now()).await {
                tracing::warn!(error = %e, "releasing handed-off claims failed; their leases will expire");
            }
        }

        // Drain: running handlers get the grace period, then are cancelled and released.
        let drained = tokio::time::timeout(cfg.shutdown_grace, async {
            while let Some(joined) = tasks.join_next().await {
                log_join(joined);
            }
        })
        .await;
        if drained.is_err() {
            tracing::warn!("shutdown grace period over; cancelling running handlers");
            handlers_stop.cancel();
            while let Some(joined) = tasks.join_next().await {
                log_join(joined);
            }
        }
        // Every sender must go, the launcher's too, or the completer never sees the end.
        drop(launch);
        drop(results_tx);
        // The completer gets its own grace to checkpoint what the handlers finished; a store
        // that is down must not keep the process from exiting. What it drops stays leased to
        // this worker until the lease expires, then is reclaimed with a higher attempt.
        if tokio::time::timeout(cfg.shutdown_grace, &mut completer).await.is_err() {
            tracing::warn!("shutdown grace period over; unsaved results are left to lease expiry");
            completer_give_up.cancel();
            if let Err(e) = completer.await {
                tracing::error!(error = %e, "completer task failed");
            }
        }
        heartbeat_stop.cancel();
        let _ = heartbeat.await;
    }
}

/// Starts claimed steps as tasks: the claim loop's own claims and the completer's hand-offs.
struct Launch {
    registry: Arc<Registry>,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    store: Arc<dyn Store>,
    in_flight: InFlight,
    handlers_stop: CancellationToken,
    results_tx: mpsc::Sender<StepResult>,
    shutdown: CancellationToken,
}

impl Launch {
    fn start(&self, tasks: &mut JoinSet<()>, mut claimed: Claimed) {
        Metrics::add(&self.metrics.steps_started, claimed.steps.len() as u64);
        Metrics::add(&self.metrics.leases_reclaimed, claimed.steps.iter().filter(|c| c.reclaimed).count() as u64);
        for step in claimed.steps {
            // Slots left over (fewer steps than reserved) go back when `claimed.slots` drops.
            let permit = claimed.slots.split(1).expect("claimed no more steps than reserved slots");
            let token = self.handlers_stop.child_token();
            self.in_flight
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(step.attempt, Held { cancel: token.clone(), renewed: claimed.sent });
            let guard = StepGuard::new(
                step.attempt,
                step.package.clone(),
                retry_policy(&step),
                self.clock.clone(),
                self.results_tx.clone(),
                self.in_flight.clone(),
            );
            let registry = self.registry.clone();
            let clock = self.clock.clone();
            let metrics = self.metrics.clone();
            let shutting_down = self.shutdown.clone();
            let signals = Signals::new(self.store.clone(), step.attempt.execution_id);
            tasks.spawn(async move {
                let result = run_step(step, &registry, clock.as_ref(), &metrics, token, &shutting_down, signals).await;
                // The completer only stops after every sender is gone, so this cannot fail
                // while it matters.
                guard.report(result).await;
                drop(permit);
            });
        }
    }
}

/// A step task that panicked or was aborted is a bug or a shutdown; either way it is logged.
fn log_join(joined: Result<(), tokio::task::JoinError>) {
    if let Err(e) = joined {
        tracing::error!(error = %e, panic = e.is_panic(), "step task did not finish");
    }
}

/// Backoff for a store that keeps failing: 50 ms doubling to 5 s.
fn store_backoff_builder() -> backon::ExponentialBuilder {
    backon::ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(50))
        .with_max_delay(Duration::from_secs(5))
        .with_jitter()
}

fn store_backoff(consecutive_errors: u32) -> Duration {
    use backon::BackoffBuilder;
    let mut delays = store_backoff_builder().without_max_times().build();
    delays.nth(consecutive_errors.saturating_sub(1) as usize).unwrap_or(Duration::from_secs(5))
}

/// The row's max_attempts is authoritative: an operator's retry raises it.
fn retry_policy(step: &ClaimedStep) -> RetryPolicy {
    let def = step.package.step(step.attempt.step);
    RetryPolicy { max_attempts: step.max_attempts.max(1) as u32, ..def.retry.clone() }
}

/// The completion of a failed attempt: retried after the policy's backoff, or failed for good.
pub(crate) fn failure(
    attempt: StepAttempt,
    package: Arc<engine::Package>,
    policy: &RetryPolicy,
    kind: FailureKind,
    error: String,
    now: store::Timestamp,
) -> Completion {
    let outcome = match policy.after_failure(attempt.attempt.max(1) as u32, kind, fastrand::f64()) {
        AfterFailure::RetryIn(delay) => {
            Outcome::Retry { at: now + chrono::Duration::from_std(delay).unwrap_or_default(), error }
        }
        AfterFailure::Fail => Outcome::Failed { error },
    };
    Completion { attempt, package, outcome }
}

async fn run_step(
    step: ClaimedStep,
    registry: &Registry,
    clock: &dyn Clock,
    metrics: &Metrics,
    token: tokio_util::sync::CancellationToken,
    shutdown: &CancellationToken,
    signals: Signals,
) -> StepResult {
    let attempt = step.attempt;
    let def = step.package.step(attempt.step);
    let done = |outcome| StepResult::Done(Completion { attempt, package: step.package.clone(), outcome });

    if let Some(when) = &def.when {
        if !when.eval(&engine::package::condition_context(&step.params, &step.outputs)) {
            return done(Outcome::Skipped);
        }
    }
    let Some(handler) = registry.get(&def.handler) else {
        return done(Outcome::Failed { error: format!("handler `{}` is not registered in this worker", def.handler) });
    };
    let input = engine::package::resolve_input(def, &step.params, &step.outputs);
    let ctx = StepContext {
        execution_id: attempt.execution_id,
        step_id: def.id.clone(),
        attempt: attempt.attempt,
        params: step.params.clone(),
        outputs: step.outputs.clone(),
        cancel: token.clone(),
        signals,
        created_by: step.created_by.clone(),
        team_id: step.team_id.clone(),
        now: clock.now(),
    };
    let span =
        tracing::debug_span!("step", execution = %attempt.execution_id, step = %def.id, attempt = attempt.attempt);
    // A nested task turns a panicking handler into an error instead of a lost step.
    let started = std::time::Instant::now();
    let mut run = tokio::spawn(tracing::Instrument::instrument(async move { handler.run(ctx, input).await }, span));
    // Biased: when the token is cancelled, the step is released or abandoned even if the
    // handler reacted to the same cancellation with an error in the meantime.
    let result = tokio::select! {
        biased;
        _ = token.cancelled() => {
            // Cooperative first: the handler sees the same token and may clean up; after the
            // grace it is aborted. Its result is discarded either way.
            if tokio::time::timeout(CANCEL_GRACE, &mut run).await.is_err() {
                run.abort();
            }
            return if shutdown.is_cancelled() { StepResult::Release(attempt) } else { StepResult::Abandoned(attempt) };
        }
        joined = tokio::time::timeout(def.timeout, &mut run) => match joined {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => {
                tracing::error!(error = %join, "handler task did not finish");
                Err(StepError::retryable(format!("handler panicked: {join}")))
            }
            Err(_) => {
                token.cancel();
                run.abort();
                Err(StepError::retryable(format!("timed out after {}", engine::duration::format_duration(def.timeout))))
            }
        },
    };
    metrics.observe(&def.handler, started.elapsed().as_secs_f64());
    let (kind, error) = match result {
        Ok(output) => {
            let size = serde_json::to_string(&output).map(|s| s.len()).unwrap_or(usize::MAX);
            if size <= OUTPUT_BYTES_MAX {
                return done(Outcome::Succeeded { output });
            }
            (FailureKind::Permanent, format!("output of {size} bytes exceeds the limit of {OUTPUT_BYTES_MAX}"))
        }
        Err(StepError::Wait { after, reason }) => {
            let until = clock.now() + chrono::Duration::from_std(after.min(WAIT_MAX)).unwrap_or_default();
            return done(Outcome::Wait { until, reason });
        }
        Err(StepError::Retryable(e)) => (FailureKind::Retryable, e),
        Err(StepError::Permanent(e)) => (FailureKind::Permanent, e),
    };
    StepResult::Done(failure(attempt, step.package.clone(), &retry_policy(&step), kind, error, clock.now()))
}

async fn completer(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    worker: String,
    mut rx: mpsc::Receiver<StepResult>,
    in_flight: InFlight,
    give_up: CancellationToken,
    handoff: Option<Handoff>,
) {
    use backon::Retryable;
    let forget = |attempts: &mut dyn Iterator<Item = StepAttempt>| {
        let mut map = in_flight.lock().unwrap_or_else(|e| e.into_inner());
        for a in attempts {
            map.remove(&a);
        }
    };
    let mut batch: Vec<Completion> = Vec::new();
    let mut releases: Vec<StepAttempt> = Vec::new();
    while let Some(first) = rx.recv().await {
        let push = |r: StepResult, batch: &mut Vec<Completion>, releases: &mut Vec<StepAttempt>| match r {
            StepResult::Done(c) => batch.push(c),
            StepResult::Release(a) => releases.push(a),
            StepResult::Abandoned(a) => {
                in_flight.lock().unwrap_or_else(|e| e.into_inner()).remove(&a);
            }
        };
        push(first, &mut batch, &mut releases);
        while batch.len() < COMPLETE_BATCH_MAX {
            match rx.try_recv() {
                Ok(r) => push(r, &mut batch, &mut releases),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            let reserved = handoff.as_ref().and_then(Handoff::reserve);
            let max = reserved.as_ref().map_or(0, OwnedSemaphorePermit::num_permits);
            let lease = handoff.as_ref().map_or(Duration::ZERO, |h| h.lease);
            let claim_sent = tokio::time::Instant::now();
            let attempt = || store.complete_and_claim(&batch, &worker, max, lease, clock.now());
            let retried = attempt
                .retry(store_backoff_builder().with_max_times(COMPLETE_RETRIES_MAX))
                .sleep(tokio::time::sleep)
                .notify(|e, wait| {
                    tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "checkpoint failed; retrying")
                });
            let result = tokio::select! {
                r = retried => Some(r),
                _ = give_up.cancelled() => None,
            };
            match result {
                Some(Ok((accepted, claimed))) => {
                    let fenced = accepted.iter().filter(|a| !**a).count();
                    if fenced > 0 {
                        tracing::info!(fenced, "completions rejected: their attempts were no longer current");
                    }
                    Metrics::add(&metrics.completions_fenced, fenced as u64);
                    let minute = clock.now().timestamp().div_euclid(60);
                    for (c, _) in batch.iter().zip(&accepted).filter(|(_, ok)| **ok) {
                        let kind = match c.outcome {
                            Outcome::Succeeded { .. } => OutcomeKind::Succeeded,
                            Outcome::Skipped => OutcomeKind::Skipped,
                            Outcome::Retry { .. } | Outcome::Wait { .. } => OutcomeKind::Retried,
                            Outcome::Failed { .. } => OutcomeKind::Failed,
                        };
                        metrics.count_outcome(kind, minute);
                    }
                    if let (Some(h), Some(slots)) = (&handoff, reserved) {
                        if !claimed.is_empty() {
                            let handed = Claimed { steps: claimed, slots, sent: claim_sent };
                            if let Err(mpsc::error::SendError(back)) = h.to_loop.send(handed).await {
                                let held: Vec<StepAttempt> = back.steps.iter().map(|s| s.attempt).collect();
                                if let Err(e) = store.release(&worker, &held, clock.now()).await {
                                    tracing::warn!(error = %e, "releasing handed-off claims failed; their leases will expire");
                                }
                            }
                        }
                    }
                }
                // Out of the heartbeat's set, the leases run out and the steps are reclaimed
                // with a higher attempt; a late write of ours would be fenced.
                Some(Err(e)) => {
                    tracing::error!(error = %e, steps = batch.len(), "checkpoint failed for good; leaving the steps to lease expiry")
                }
                None => tracing::warn!(steps = batch.len(), "shutting down; unsaved results are left to lease expiry"),
            }
            forget(&mut batch.drain(..).map(|c| c.attempt));
        }
        if !releases.is_empty() {
            let released = tokio::select! {
                r = store.release(&worker, &releases, clock.now()) => r,
                _ = give_up.cancelled() => Ok(()),
            };
            if let Err(e) = released {
                tracing::warn!(error = %e, "releasing claims failed; their leases will expire");
            }
            forget(&mut releases.drain(..));
        }
    }
}

async fn heartbeat(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    cfg: WorkerConfig,
    in_flight: InFlight,
    stop: CancellationToken,
) {
    let started = clock.now();
    let mut tick = tokio::time::interval(cfg.heartbeat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.cancelled() => return,
        }
        let held: Vec<StepAttempt> = in_flight.lock().unwrap_or_else(|e| e.into_inner()).keys().copied().collect();
        if let Err(e) = store.worker_seen(&cfg.id, started, held.len() as u32, clock.now()).await {
            tracing::warn!(error = %e, "worker registration failed");
        }
        if held.is_empty() {
            continue;
        }
        let sent = tokio::time::Instant::now();
        match store.heartbeat(&cfg.id, &held, cfg.lease, clock.now()).await {
            Ok(lost) => {
                let mut map = in_flight.lock().unwrap_or_else(|e| e.into_inner());
                for a in &held {
                    if let Some(h) = map.get_mut(a) {
                        h.renewed = sent;
                    }
                }
                for a in lost {
                    if let Some(h) = map.get(&a) {
                        tracing::info!(execution = %a.execution_id, step = a.step.0, attempt = a.attempt, "lease lost; cancelling handler");
                        h.cancel.cancel();
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "heartbeat failed");
                self_fence(&in_flight, &cfg);
            }
        }
    }
}

/// Cancels the handlers whose lease, counted from its last renewal, may expire before the heartbeat
/// after next could renew it. Cancelled handlers are abandoned, never completed, so this worker
/// stops acting on a step before another worker can reclaim it. Two intervals of margin: the
/// next tick may come a whole interval late, and the renewal itself takes time.
fn self_fence(in_flight: &InFlight, cfg: &WorkerConfig) {
    let now = tokio::time::Instant::now();
    let margin = cfg.heartbeat * 2;
    let map = in_flight.lock().unwrap_or_else(|e| e.into_inner());
    for (a, h) in map.iter() {
        if !h.cancel.is_cancelled() && now + margin >= h.renewed + cfg.lease {
            tracing::warn!(execution = %a.execution_id, step = a.step.0, attempt = a.attempt, "lease not renewed in time; cancelling handler (self-fencing)");
            h.cancel.cancel();
        }
    }
}
