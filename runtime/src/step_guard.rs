//! The drop guard of a step task: a task that never reports (its code panicked outside the
//! handler, or it was aborted) still ends its step, as a retryable failure, instead of staying
//! in the heartbeat's set and being renewed forever.

use std::sync::Arc;

use engine::retry::{FailureKind, RetryPolicy};
use store::StepAttempt;
use tokio::sync::mpsc;

use crate::clock::Clock;
use crate::worker::{failure, InFlight, StepResult};

pub(crate) struct StepGuard {
    attempt: StepAttempt,
    package: Arc<engine::Package>,
    policy: RetryPolicy,
    clock: Arc<dyn Clock>,
    tx: mpsc::Sender<StepResult>,
    in_flight: InFlight,
    reported: bool,
}

impl StepGuard {
    pub(crate) fn new(
        attempt: StepAttempt,
        package: Arc<engine::Package>,
        policy: RetryPolicy,
        clock: Arc<dyn Clock>,
        tx: mpsc::Sender<StepResult>,
        in_flight: InFlight,
    ) -> StepGuard {
        StepGuard { attempt, package, policy, clock, tx, in_flight, reported: false }
    }

    /// Hands the task's result to the completer; from then on the guard has nothing to do.
    pub(crate) async fn report(mut self, result: StepResult) {
        // Cancel-safe: if the task is aborted while waiting here, nothing was sent and the
        // guard reports instead.
        if self.tx.send(result).await.is_ok() {
            self.reported = true;
        }
    }
}

impl Drop for StepGuard {
    fn drop(&mut self) {
        if self.reported {
            return;
        }
        let why = if std::thread::panicking() { "step task panicked" } else { "step task ended without a result" };
        let a = self.attempt;
        tracing::error!(execution = %a.execution_id, step = a.step.0, attempt = a.attempt, "{why}");
        let completion =
            failure(a, self.package.clone(), &self.policy, FailureKind::Retryable, why.to_string(), self.clock.now());
        // Drop cannot wait for room in the channel. When it is full (or the completer is gone),
        // forgetting the attempt stops its heartbeats: the lease runs out and the step is
        // reclaimed with a higher attempt, which is slower but just as safe.
        if self.tx.try_send(StepResult::Done(completion)).is_err() {
            tracing::warn!(execution = %a.execution_id, step = a.step.0, "completer busy; leaving the step to lease expiry");
            self.in_flight.lock().unwrap_or_else(|e| e.into_inner()).remove(&a);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use store::{Completion, Outcome};
    use tokio_util::sync::CancellationToken;
    use uuid::Uuid;

    use super::*;
    use crate::clock::SystemClock;
    use crate::worker::Held;

    fn setup() -> (StepGuard, mpsc::Receiver<StepResult>, InFlight) {
        let attempt = StepAttempt { execution_id: Uuid::nil(), step: engine::StepIdx(0), attempt: 1 };
        let in_flight: InFlight = Arc::default();
        in_flight
            .lock()
            .unwrap()
            .insert(attempt, Held { cancel: CancellationToken::new(), renewed: tokio::time::Instant::now() });
        let (tx, rx) = mpsc::channel(1);
        let policy = RetryPolicy { max_attempts: 3, ..RetryPolicy::default() };
        let package =
            engine::Package::parse("name = \"p\"\n\n[[steps]]\nid = \"only\"\nhandler = \"work\"\n", &|_| true)
                .expect("a valid package");
        (
            StepGuard::new(attempt, Arc::new(package), policy, Arc::new(SystemClock), tx, in_flight.clone()),
            rx,
            in_flight,
        )
    }

    fn is_retry(r: StepResult) -> bool {
        matches!(r, StepResult::Done(Completion { outcome: Outcome::Retry { .. }, .. }))
    }

    #[tokio::test]
    async fn panicking_step_task_is_completed_as_a_retryable_failure() {
        let (guard, mut rx, _) = setup();
        let task = tokio::spawn(async move {
            let _guard = guard;
            panic!("boom");
        });
        assert!(task.await.unwrap_err().is_panic());
        assert!(is_retry(rx.recv().await.expect("the guard reported")));
    }

    #[tokio::test]
    async fn aborted_step_task_is_completed_as_a_retryable_failure() {
        let (guard, mut rx, _) = setup();
        let task = tokio::spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        assert!(is_retry(rx.recv().await.expect("the guard reported")));
    }

    #[tokio::test]
    async fn full_channel_leaves_the_step_to_lease_expiry() {
        let (guard, mut rx, in_flight) = setup();
        guard.tx.try_send(StepResult::Release(guard.attempt)).unwrap();
        drop(guard);
        assert!(in_flight.lock().unwrap().is_empty(), "no longer renewed");
        assert!(matches!(rx.recv().await, Some(StepResult::Release(_))));
    }

    #[tokio::test]
    async fn a_reported_result_is_not_doubled() {
        let (guard, mut rx, _) = setup();
        guard
            .report(StepResult::Release(StepAttempt {
                execution_id: Uuid::nil(),
                step: engine::StepIdx(0),
                attempt: 1,
            }))
            .await;
        assert!(matches!(rx.recv().await, Some(StepResult::Release(_))));
        assert!(rx.recv().await.is_none(), "nothing more, and the sender is gone");
    }
}
