//! The worker against a store that fails: shutdown still completes when checkpoints cannot be
//! written, and a worker whose heartbeats fail cancels its handlers before its leases run out.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine::{Control, ExecutionStatus, Package, StepStatus};
use runtime::{Registry, Runtime, StepError, Trigger, WorkerConfig};
use serde_json::{json, Value};
use store::*;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Delegates to a real store, failing the calls the test switches off.
struct Faulty {
    inner: Arc<dyn Store>,
    fail_complete: AtomicBool,
    fail_heartbeat: AtomicBool,
    completes_failed: AtomicU32,
}

fn outage() -> Error {
    Error::Conflict("injected outage".into())
}

#[async_trait::async_trait]
impl Store for Faulty {
    fn backend(&self) -> Backend {
        self.inner.backend()
    }
    fn wakeup(&self) -> Arc<tokio::sync::Notify> {
        self.inner.wakeup()
    }
    async fn claim(
        &self,
        worker: &str,
        max: usize,
        lease: Duration,
        now: Timestamp,
    ) -> Result<Vec<ClaimedStep>, Error> {
        self.inner.claim(worker, max, lease, now).await
    }
    async fn heartbeat(
        &self,
        worker: &str,
        held: &[StepAttempt],
        lease: Duration,
        now: Timestamp,
    ) -> Result<Vec<StepAttempt>, Error> {
        if self.fail_heartbeat.load(Ordering::SeqCst) {
            return Err(outage());
        }
        self.inner.heartbeat(worker, held, lease, now).await
    }
    async fn complete(&self, batch: &[Completion], now: Timestamp) -> Result<Vec<bool>, Error> {
        if self.fail_complete.load(Ordering::SeqCst) {
            self.completes_failed.fetch_add(1, Ordering::SeqCst);
            return Err(outage());
        }
        self.inner.complete(batch, now).await
    }
    async fn release(&self, worker: &str, held: &[StepAttempt], now: Timestamp) -> Result<(), Error> {
        if self.fail_complete.load(Ordering::SeqCst) {
            return Err(outage());
        }
        self.inner.release(worker, held, now).await
    }
    async fn migrate(&self) -> Result<(), Error> {
        self.inner.migrate().await
    }
    async fn ping(&self) -> Result<(), Error> {
        self.inner.ping().await
    }
    async fn register_package(
        &self,
        package: &Package,
        source: &str,
        now: Timestamp,
    ) -> Result<PackageVersionInfo, Error> {
        self.inner.register_package(package, source, now).await
    }
    async fn package(&self, name: &str, version: Option<i32>) -> Result<Option<(i32, Arc<Package>)>, Error> {
        self.inner.package(name, version).await
    }
    async fn list_packages(&self) -> Result<Vec<PackageSummary>, Error> {
        self.inner.list_packages().await
    }
    async fn package_versions(&self, name: &str) -> Result<Vec<PackageVersionInfo>, Error> {
        self.inner.package_versions(name).await
    }
    async fn package_source(&self, name: &str, version: i32) -> Result<Option<String>, Error> {
        self.inner.package_source(name, version).await
    }
    async fn set_package_active(&self, name: &str, active: bool) -> Result<(), Error> {
        self.inner.set_package_active(name, active).await
    }
    async fn start_executions(&self, batch: &[NewExecution], now: Timestamp) -> Result<Vec<Started>, Error> {
        self.inner.start_executions(batch, now).await
    }
    async fn control(
        &self,
        id: Uuid,
        control: Control,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<ExecutionStatus, Error> {
        self.inner.control(id, control, reason, now).await
    }
    async fn execution(&self, id: Uuid) -> Result<Option<ExecutionView>, Error> {
        self.inner.execution(id).await
    }
    async fn signal(&self, id: Uuid, name: &str, payload: &Value, now: Timestamp) -> Result<i64, Error> {
        self.inner.signal(id, name, payload, now).await
    }
    async fn signals(&self, id: Uuid) -> Result<Vec<SignalRecord>, Error> {
        self.inner.signals(id).await
    }
    async fn list_executions(&self, filter: &ExecutionFilter) -> Result<Vec<ExecutionSummary>, Error> {
        self.inner.list_executions(filter).await
    }
    async fn events(&self, id: Uuid, after: i64, limit: u32) -> Result<Vec<EventRecord>, Error> {
        self.inner.events(id, after, limit).await
    }
    async fn step_duration_stats(&self, package_name: &str) -> Result<Vec<StepDurationStats>, Error> {
        self.inner.step_duration_stats(package_name).await
    }
    async fn fire_schedule(
        &self,
        schedule: &str,
        tick: Timestamp,
        execution: &NewExecution,
        now: Timestamp,
    ) -> Result<Option<Uuid>, Error> {
        self.inner.fire_schedule(schedule, tick, execution, now).await
    }
    async fn sync_package_schedules(
        &self,
        package_name: &str,
        declared: &[ScheduleRow],
        now: Timestamp,
    ) -> Result<(), Error> {
        self.inner.sync_package_schedules(package_name, declared, now).await
    }
    async fn list_schedules(&self) -> Result<Vec<ScheduleRow>, Error> {
        self.inner.list_schedules().await
    }
    async fn create_schedule(&self, schedule: &ScheduleRow, now: Timestamp) -> Result<(), Error> {
        self.inner.create_schedule(schedule, now).await
    }
    async fn set_schedule_enabled(
        &self,
        package_name: &str,
        name: &str,
        enabled: bool,
        now: Timestamp,
    ) -> Result<ScheduleRow, Error> {
        self.inner.set_schedule_enabled(package_name, name, enabled, now).await
    }
    async fn delete_schedule(&self, package_name: &str, name: &str) -> Result<ScheduleRow, Error> {
        self.inner.delete_schedule(package_name, name).await
    }
    async fn last_schedule_tick(&self, package_name: &str, schedule: &str) -> Result<Option<Timestamp>, Error> {
        self.inner.last_schedule_tick(package_name, schedule).await
    }
    async fn fail_exhausted(&self, now: Timestamp) -> Result<u64, Error> {
        self.inner.fail_exhausted(now).await
    }
    async fn delete_finished_before(&self, cutoff: Timestamp, limit: u32) -> Result<u64, Error> {
        self.inner.delete_finished_before(cutoff, limit).await
    }
    async fn queue_depth(&self, now: Timestamp) -> Result<u64, Error> {
        self.inner.queue_depth(now).await
    }
    async fn worker_seen(&self, worker: &str, started: Timestamp, running: u32, now: Timestamp) -> Result<(), Error> {
        self.inner.worker_seen(worker, started, running, now).await
    }
    async fn workers_seen_since(&self, since: Timestamp) -> Result<Vec<WorkerInfo>, Error> {
        self.inner.workers_seen_since(since).await
    }
    async fn step_records(&self, filter: &ExecutionFilter) -> Result<Vec<StepRecord>, Error> {
        self.inner.step_records(filter).await
    }
    async fn execution_counts(&self) -> Result<Vec<(ExecutionStatus, u64)>, Error> {
        self.inner.execution_counts().await
    }
}

/// Attempt 1 waits to be cancelled; later attempts succeed at once. Records what happened, in order.
fn registry(events: Arc<Mutex<Vec<String>>>) -> Registry {
    let mut r = Registry::with_builtins();
    r.register_fn("hold_first", move |ctx, _input| {
        let events = events.clone();
        async move {
            events.lock().unwrap().push(format!("start {}", ctx.attempt));
            if ctx.attempt == 1 {
                ctx.cancel.cancelled().await;
                events.lock().unwrap().push(format!("cancelled {}", ctx.attempt));
                // Were the cancellation ignored, this would be checkpointed as a success.
                return Ok(json!({ "attempt": 1 }));
            }
            Ok::<Value, StepError>(json!({ "attempt": ctx.attempt }))
        }
    });
    r.register_fn("quick", |ctx, _input| async move { Ok(json!({ "attempt": ctx.attempt })) });
    r
}

fn config(lease_ms: u64, heartbeat_ms: u64) -> WorkerConfig {
    let mut cfg = WorkerConfig::new(format!("faulty-{:04x}", fastrand::u16(..)));
    cfg.lease = Duration::from_millis(lease_ms);
    cfg.heartbeat = Duration::from_millis(heartbeat_ms);
    cfg.poll = Duration::from_millis(50);
    cfg.shutdown_grace = Duration::from_millis(300);
    cfg
}

async fn setup(store: Arc<dyn Store>, handler: &str) -> (Arc<Faulty>, Runtime, Arc<Mutex<Vec<String>>>, Uuid) {
    let faulty = Arc::new(Faulty {
        inner: store,
        fail_complete: AtomicBool::new(false),
        fail_heartbeat: AtomicBool::new(false),
        completes_failed: AtomicU32::new(0),
    });
    let events = Arc::new(Mutex::new(Vec::new()));
    let rt = Runtime::new(faulty.clone(), registry(events.clone()));
    let package = format!("name = \"hold\"\n[[steps]]\nid = \"one\"\nhandler = \"{handler}\"\n");
    rt.register_package(&package).await.unwrap();
    let id = rt
        .trigger(Trigger { package: "hold".into(), params: json!({}), ..Default::default() })
        .await
        .unwrap()
        .execution_id;
    (faulty, rt, events, id)
}

/// Polls until `done` holds; panics (rather than hangs) after 30 s.
async fn until(mut done: impl FnMut() -> bool) {
    for _ in 0..600 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not reached in 30 s");
}

async fn terminal(store: &dyn Store, id: Uuid) -> ExecutionView {
    for _ in 0..600 {
        let view = store.execution(id).await.unwrap().unwrap();
        if view.status.is_terminal() {
            return view;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("execution {id} did not finish in 30 s");
}

pub mod cases {
    use super::*;

    pub async fn shutdown_completes_while_the_store_fails(store: Arc<dyn Store>) {
        let (faulty, rt, _events, id) = setup(store.clone(), "quick").await;
        faulty.fail_complete.store(true, Ordering::SeqCst);
        let stop = CancellationToken::new();
        let worker = tokio::spawn(runtime::Worker::new(&rt, config(1000, 200)).run(stop.clone()));
        until(|| faulty.completes_failed.load(Ordering::SeqCst) > 0).await;
        stop.cancel();
        // The handler has finished, but its checkpoint cannot be written. Before the completer was bounded this never returned.
        tokio::time::timeout(Duration::from_secs(30), worker).await.expect("worker shut down").unwrap();

        // The store is back: the claim of the stopped worker expires and a new worker finishes.
        faulty.fail_complete.store(false, Ordering::SeqCst);
        let stop = CancellationToken::new();
        let worker = tokio::spawn(runtime::Worker::new(&rt, config(1000, 200)).run(stop.clone()));
        let view = terminal(store.as_ref(), id).await;
        stop.cancel();
        worker.await.unwrap();
        assert_eq!(view.status, ExecutionStatus::Completed);
        assert_eq!(view.steps[0].status, StepStatus::Succeeded);
    }

    pub async fn worker_whose_heartbeats_fail_cancels_its_handlers_before_reclaim(store: Arc<dyn Store>) {
        let (faulty, rt, events, id) = setup(store.clone(), "hold_first").await;
        faulty.fail_heartbeat.store(true, Ordering::SeqCst);
        let stop = CancellationToken::new();
        let worker = tokio::spawn(runtime::Worker::new(&rt, config(800, 100)).run(stop.clone()));
        let view = terminal(store.as_ref(), id).await;
        stop.cancel();
        worker.await.unwrap();
        assert_eq!(view.status, ExecutionStatus::Completed);
        assert_eq!(view.steps[0].attempt, 2, "attempt 1 was abandoned, not completed");
        assert_eq!(
            *events.lock().unwrap(),
            ["start 1", "cancelled 1", "start 2"],
            "attempt 1 was cancelled before its step could be reclaimed"
        );
    }
}

crate::store_test!(cases::shutdown_completes_while_the_store_fails);
crate::store_test!(cases::worker_whose_heartbeats_fail_cancels_its_handlers_before_reclaim);
