//! Packages run by real workers on each backend: completion, data flow, retries, timeouts,
//! controls mid-run, version pinning, schedules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine::{Control, ExecutionStatus, StepStatus};
use runtime::{Registry, Runtime, StepError, Trigger, WorkerConfig};
use serde_json::{json, Value};
use store::{ExecutionView, Store};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Shared observations of the test handlers.
#[derive(Default)]
pub struct Observed {
    /// (execution, step, attempt) of every handler run, in order.
    pub runs: Mutex<Vec<(Uuid, String, i32)>>,
    /// Failures left to inject, by step id.
    pub failures_left: Mutex<HashMap<String, u32>>,
    pub cancelled: Mutex<Vec<String>>,
}

pub fn registry(observed: Arc<Observed>) -> Registry {
    let mut r = Registry::with_builtins();
    let o = observed.clone();
    r.register_fn("record", move |ctx, input| {
        let o = o.clone();
        async move {
            o.runs.lock().unwrap().push((ctx.execution_id, ctx.step_id.clone(), ctx.attempt));
            Ok(json!({ "input": input, "step": ctx.step_id }))
        }
    });
    let o = observed.clone();
    r.register_fn("flaky", move |ctx, input| {
        let o = o.clone();
        async move {
            o.runs.lock().unwrap().push((ctx.execution_id, ctx.step_id.clone(), ctx.attempt));
            let mut left = o.failures_left.lock().unwrap();
            let n = left.entry(ctx.step_id.clone()).or_insert(0);
            if *n > 0 {
                *n -= 1;
                let permanent = input.get("permanent").and_then(Value::as_bool).unwrap_or(false);
                return Err(if permanent {
                    StepError::permanent("injected permanent failure")
                } else {
                    StepError::retryable("injected failure")
                });
            }
            Ok(json!({ "attempt": ctx.attempt }))
        }
    });
    // Waits (without spending attempts) until an `approve` signal arrives, then returns its payload.
    let o = observed.clone();
    r.register_fn("await_approval", move |ctx, _input| {
        let o = o.clone();
        async move {
            o.runs.lock().unwrap().push((ctx.execution_id, ctx.step_id.clone(), ctx.attempt));
            match ctx.signals.latest(&["approve"]).await? {
                Some(signal) => Ok(json!({ "approved_by": signal.payload["by"] })),
                None => Err(StepError::wait(Duration::from_secs(3600), "approval")),
            }
        }
    });
    let o = observed;
    r.register_fn("wait_cancel", move |ctx, _input| {
        let o = o.clone();
        async move {
            ctx.cancel.cancelled().await;
            o.cancelled.lock().unwrap().push(ctx.step_id.clone());
            Err(StepError::retryable("cancelled"))
        }
    });
    r
}

/// A runtime with one fast worker (short lease, heartbeat and poll) running in the background.
pub struct Harness {
    pub rt: Runtime,
    pub observed: Arc<Observed>,
    stop: CancellationToken,
    worker: Option<tokio::task::JoinHandle<()>>,
}

impl Harness {
    pub fn new(store: Arc<dyn Store>) -> Harness {
        let observed = Arc::new(Observed::default());
        let rt = Runtime::new(store, registry(observed.clone()));
        Harness { rt, observed, stop: CancellationToken::new(), worker: None }
    }

    pub fn start_worker(&mut self) {
        let mut cfg = WorkerConfig::new(format!("test-{:04x}", fastrand::u16(..)));
        cfg.lease = Duration::from_secs(2);
        cfg.heartbeat = Duration::from_millis(300);
        cfg.poll = Duration::from_millis(100);
        cfg.shutdown_grace = Duration::from_secs(2);
        let worker = runtime::Worker::new(&self.rt, cfg);
        self.worker = Some(tokio::spawn(worker.run(self.stop.clone())));
    }

    pub async fn register(&self, source: &str) {
        self.rt.register_package(source).await.expect("register package");
    }

    pub async fn trigger(&self, package: &str, params: Value) -> Uuid {
        let t = Trigger { package: package.into(), params, ..Default::default() };
        self.rt.trigger(t).await.expect("trigger").execution_id
    }

    pub async fn wait_for(&self, id: Uuid, done: impl Fn(&ExecutionView) -> bool) -> ExecutionView {
        for _ in 0..600 {
            let view = self.rt.store.execution(id).await.unwrap().expect("execution exists");
            if done(&view) {
                return view;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "execution {id} did not reach the expected state in 30 s: {:?}",
            self.rt.store.execution(id).await.unwrap()
        );
    }

    pub async fn wait_terminal(&self, id: Uuid) -> ExecutionView {
        self.wait_for(id, |v| v.status.is_terminal()).await
    }

    pub async fn stop(mut self) {
        self.stop.cancel();
        if let Some(w) = self.worker.take() {
            w.await.unwrap();
        }
    }
}

fn step<'a>(view: &'a ExecutionView, id: &str) -> &'a store::StepView {
    view.steps.iter().find(|s| s.step_id == id).unwrap_or_else(|| panic!("no step {id}"))
}

async fn kinds(store: &dyn Store, id: Uuid) -> Vec<String> {
    store
        .events(id, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{}{}", e.kind, e.step_id.map(|s| format!(":{s}")).unwrap_or_default()))
        .collect()
}

pub mod cases {
    use super::*;

    const DIAMOND: &str = r#"
name = "diamond"
[[parameters]]
name = "price"
type = "number"
required = true
[[steps]]
id = "analyse"
handler = "record"
input = { price = "$params.price" }
[[steps]]
id = "left"
handler = "record"
depends_on = ["analyse"]
input = { from = "$steps.analyse.input.price" }
[[steps]]
id = "right"
handler = "record"
depends_on = ["analyse"]
when = "params.price > 3000000"
[[steps]]
id = "join"
handler = "record"
depends_on = ["left", "right"]
"#;

    pub async fn package_runs_to_completion(store: Arc<dyn Store>) {
        let mut h = Harness::new(store);
        h.register(DIAMOND).await;
        h.start_worker();
        let cheap = h.trigger("diamond", json!({ "price": 2_500_000 })).await;
        let dear = h.trigger("diamond", json!({ "price": 4_000_000 })).await;
        let cheap = h.wait_terminal(cheap).await;
        let dear = h.wait_terminal(dear).await;
        assert_eq!(cheap.status, ExecutionStatus::Completed);
        assert_eq!(dear.status, ExecutionStatus::Completed);
        // Data flows along the edges; a false `when` skips the step and its dependents still run.
        assert_eq!(step(&cheap, "left").output.as_ref().unwrap()["input"]["from"], json!(2_500_000));
        assert_eq!(step(&cheap, "right").status, StepStatus::Skipped);
        assert_eq!(step(&dear, "right").status, StepStatus::Succeeded);
        assert_eq!(step(&cheap, "join").status, StepStatus::Succeeded);
        // Every step checkpointed exactly once; the join ran after both branches.
        let events = kinds(h.rt.store.as_ref(), cheap.id).await;
        for s in ["analyse", "left", "join"] {
            assert_eq!(events.iter().filter(|k| **k == format!("step_succeeded:{s}")).count(), 1, "{events:?}");
        }
        let pos = |k: &str| events.iter().position(|e| e == k).unwrap_or_else(|| panic!("{k} missing in {events:?}"));
        assert!(pos("step_started:join") > pos("step_succeeded:left"));
        assert!(pos("step_started:join") > pos("step_skipped:right"));
        assert_eq!(events.last().unwrap(), "execution_completed");
        let status = h.rt.status(cheap.id).await.unwrap();
        assert_eq!(status.progress.percentage, 100.0);
        h.stop().await;
    }

    pub async fn waiting_step_spends_no_attempts_and_a_signal_wakes_it(store: Arc<dyn Store>) {
        let mut h = Harness::new(store);
        h.register(
            r#"
name = "approval"
[retry]
max_attempts = 1
[[steps]]
id = "prepare"
handler = "record"
[[steps]]
id = "approve"
handler = "await_approval"
depends_on = ["prepare"]
[[steps]]
id = "after"
handler = "record"
depends_on = ["approve"]
"#,
        )
        .await;
        h.start_worker();
        let id = h.trigger("approval", json!({})).await;
        // The step ran once and now waits: ready, flagged, an hour away, its attempt not spent.
        let waiting = h.wait_for(id, |v| step(v, "approve").waiting).await;
        let approve = step(&waiting, "approve");
        assert_eq!(approve.status, StepStatus::Ready);
        assert_eq!(approve.error.as_deref(), Some("approval"));
        assert_eq!(approve.max_attempts, approve.attempt + 1, "a wait gives the attempt back");
        assert!(approve.ready_at.unwrap() > chrono::Utc::now() + chrono::Duration::minutes(50));
        assert_eq!(waiting.status, ExecutionStatus::Running);

        // A signal wakes it at once; it sees the payload and the run completes.
        h.rt.signal(id, "approve", &json!({ "by": "leader@aura.test" })).await.unwrap();
        let done = h.wait_terminal(id).await;
        assert_eq!(done.status, ExecutionStatus::Completed);
        assert_eq!(step(&done, "approve").output.as_ref().unwrap()["approved_by"], "leader@aura.test");
        assert!(!step(&done, "approve").waiting);
        let events = kinds(h.rt.store.as_ref(), id).await;
        assert!(events.contains(&"step_waiting:approve".to_string()), "{events:?}");
        assert!(events.contains(&"signal_received".to_string()), "{events:?}");
        let signals = h.rt.store.signals(id).await.unwrap();
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].name, "approve");

        // Finished executions take no signals; unknown ones are not found.
        assert!(matches!(
            h.rt.signal(id, "approve", &json!({})).await,
            Err(runtime::Error::Store(store::Error::Conflict(_)))
        ));
        assert!(matches!(
            h.rt.signal(Uuid::now_v7(), "approve", &json!({})).await,
            Err(runtime::Error::ExecutionNotFound(_))
        ));
        h.stop().await;
    }

    pub async fn retries_with_backoff_then_succeeds(store: Arc<dyn Store>) {
        let mut h = Harness::new(store);
        h.register(
            r#"
name = "flaky_pkg"
[[steps]]
id = "call"
handler = "flaky"
retry = { max_attempts = 4, initial = "50ms", multiplier = 2.0, max = "1s", jitter = 0.0 }
"#,
        )
        .await;
        h.observed.failures_left.lock().unwrap().insert("call".into(), 2);
        h.start_worker();
        let id = h.trigger("flaky_pkg", json!({})).await;
        let view = h.wait_terminal(id).await;
        assert_eq!(view.status, ExecutionStatus::Completed);
        assert_eq!(step(&view, "call").attempt, 3);
        assert_eq!(step(&view, "call").output, Some(json!({ "attempt": 3 })));
        let events = h.rt.store.events(id, 0, 100).await.unwrap();
        let retries: Vec<_> = events.iter().filter(|e| e.kind == "step_retry_scheduled").collect();
        assert_eq!(retries.len(), 2);
        // Backoff: the second retry waited at least the doubled delay (100 ms) after its failure.
        let starts: Vec<_> = events.iter().filter(|e| e.kind == "step_started").map(|e| e.at).collect();
        assert!(starts[2] - retries[1].at >= chrono::Duration::milliseconds(100), "{starts:?}");
        h.stop().await;
    }

    pub async fn permanent_failure_fails_then_retry_control_recovers(store: Arc<dyn Store>) {
        let mut h = Harness::new(store);
        h.register(
            r#"
name = "fragile"
[[steps]]
id = "first"
handler = "record"
[[steps]]
id = "second"
handler = "flaky"
depends_on = ["first"]
input = { permanent = true }
[[steps]]
id = "third"
handler = "record"
depends_on = ["second"]
"#,
        )
        .await;
        h.observed.failures_left.lock().unwrap().insert("second".into(), 1);
        h.start_worker();
        let id = h.trigger("fragile", json!({})).await;
        let view = h.wait_terminal(id).await;
        assert_eq!(view.status, ExecutionStatus::Failed);
        assert_eq!(step(&view, "second").status, StepStatus::Failed);
        assert_eq!(step(&view, "second").attempt, 1, "a permanent error is not retried");
        assert_eq!(step(&view, "third").status, StepStatus::Cancelled);
        assert!(view.error.as_deref().unwrap().contains("injected permanent failure"));
        // Retry re-runs only what failed or was cancelled.
        assert_eq!(h.rt.control(id, Control::Retry, Some("fixed the data")).await.unwrap(), ExecutionStatus::Running);
        let view = h.wait_terminal(id).await;
        assert_eq!(view.status, ExecutionStatus::Completed);
        let runs = h.observed.runs.lock().unwrap().clone();
        assert_eq!(runs.iter().filter(|(_, s, _)| s == "first").count(), 1);
        assert_eq!(runs.iter().filter(|(_, s, _)| s == "second").count(), 2);
        h.stop().await;
    }

    pub async fn timeout_counts_as_retryable_failure(store: Arc<dyn Store>) {
        let mut h = Harness::new(store);
        h.register(
            r#"
name = "slowpoke"
[[steps]]
id = "wait"
handler = "sleep"
timeout = "200ms"
retry = { max_attempts = 2, initial = "10ms" }
input = { ms = 5000 }
"#,
        )
        .await;
        h.start_worker();
        let id = h.trigger("slowpoke", json!({})).await;
        let view = h.wait_terminal(id).await;
        assert_eq!(view.status, ExecutionStatus::Failed);
        assert_eq!(step(&view, "wait").attempt, 2);
        assert!(step(&view, "wait").error.as_deref().unwrap().contains("timed out after 200ms"));
        h.stop().await;
    }

    const CHAIN: &str = r#"
name = "chain"
[[steps]]
id = "one"
handler = "sleep"
input = { ms = 300 }
[[steps]]
id = "two"
handler = "sleep"
depends_on = ["one"]
input = { ms = 10 }
[[steps]]
id = "three"
handler = "record"
depends_on = ["two"]
"#;

    pub async fn pause_holds_new_steps_and_resume_continues(store: Arc<dyn Store>) {
        let mut h = Harness::new(store);
        h.register(CHAIN).await;
        h.start_worker();
        let id = h.trigger("chain", json!({})).await;
        h.wait_for(id, |v| step(v, "one").status == StepStatus::Running).await;
        assert_eq!(h.rt.control(id, Control::Pause, None).await.unwrap(), ExecutionStatus::Paused);
        assert_eq!(h.rt.control(id, Control::Pause, None).await.unwrap(), ExecutionStatus::Paused, "idempotent");
        // The running step finishes and is checkpointed; its successor waits.
        let view = h.wait_for(id, |v| step(v, "one").status == StepStatus::Succeeded).await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        let view2 = h.rt.store.execution(id).await.unwrap().unwrap();
        assert_eq!(view2.status, ExecutionStatus::Paused);
        assert_eq!(step(&view2, "two").status, StepStatus::Ready);
        assert_eq!(step(&view2, "two").attempt, 0, "nothing started while paused: {view:?}");
        assert_eq!(h.rt.control(id, Control::Resume, None).await.unwrap(), ExecutionStatus::Running);
        let done = h.wait_terminal(id).await;
        assert_eq!(done.status, ExecutionStatus::Completed);
        assert_eq!(step(&done, "one").attempt, 1, "resume continues from the checkpoint");
        // A completed execution cannot be resumed or paused.
        assert!(matches!(
            h.rt.control(id, Control::Resume, None).await,
            Err(runtime::Error::Store(store::Error::IllegalTransition(_)))
        ));
        let kinds = kinds(h.rt.store.as_ref(), id).await;
        assert!(kinds.contains(&"execution_paused".to_string()) && kinds.contains(&"execution_resumed".to_string()));
        h.stop().await;
    }

    pub async fn cancel_signals_running_handler(store: Arc<dyn Store>) {
        let mut h = Harness::new(store);
        h.register(
            r#"
name = "long"
[[steps]]
id = "block"
handler = "wait_cancel"
timeout = "1m"
[[steps]]
id = "after"
handler = "record"
depends_on = ["block"]
"#,
        )
        .await;
        h.start_worker();
        let id = h.trigger("long", json!({})).await;
        h.wait_for(id, |v| step(v, "block").status == StepStatus::Running).await;
        assert_eq!(
            h.rt.control(id, Control::Cancel, Some("seller withdrew")).await.unwrap(),
            ExecutionStatus::Cancelled
        );
        // The heartbeat notices the lost lease and cancels the handler.
        for _ in 0..100 {
            if !h.observed.cancelled.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(*h.observed.cancelled.lock().unwrap(), vec!["block".to_string()]);
        let view = h.rt.store.execution(id).await.unwrap().unwrap();
        assert_eq!(view.status, ExecutionStatus::Cancelled);
        assert_eq!(step(&view, "after").status, StepStatus::Cancelled);
        assert_eq!(h.rt.control(id, Control::Cancel, None).await.unwrap(), ExecutionStatus::Cancelled, "idempotent");
        h.stop().await;
    }

    pub async fn executions_stay_pinned_to_their_version(store: Arc<dyn Store>) {
        let mut h = Harness::new(store);
        h.register("name = \"pinned\"\n[[steps]]\nid = \"old_step\"\nhandler = \"record\"\n").await;
        let old = h.trigger("pinned", json!({})).await;
        h.rt.control(old, Control::Pause, None).await.unwrap();
        h.register("name = \"pinned\"\n[[steps]]\nid = \"new_a\"\nhandler = \"record\"\n[[steps]]\nid = \"new_b\"\nhandler = \"record\"\ndepends_on = [\"new_a\"]\n").await;
        let new = h.trigger("pinned", json!({})).await;
        h.start_worker();
        h.rt.control(old, Control::Resume, None).await.unwrap();
        let old = h.wait_terminal(old).await;
        let new = h.wait_terminal(new).await;
        assert_eq!((old.package_version, old.steps.len(), old.status), (1, 1, ExecutionStatus::Completed));
        assert_eq!((new.package_version, new.steps.len(), new.status), (2, 2, ExecutionStatus::Completed));
        h.stop().await;
    }

    pub async fn idempotency_key_returns_the_same_execution(store: Arc<dyn Store>) {
        let h = Harness::new(store);
        h.register(CHAIN).await;
        let t = Trigger {
            package: "chain".into(),
            params: json!({}),
            idempotency_key: Some("listing-42".into()),
            ..Default::default()
        };
        let a = h.rt.trigger(t.clone()).await.unwrap();
        let b = h.rt.trigger(t).await.unwrap();
        assert!(a.created && !b.created);
        assert_eq!(a.execution_id, b.execution_id);
    }

    pub async fn invalid_parameters_name_each_field(store: Arc<dyn Store>) {
        let h = Harness::new(store);
        h.register(DIAMOND).await;
        let t = Trigger {
            package: "diamond".into(),
            params: json!({ "price": "cheap", "colour": "red" }),
            ..Default::default()
        };
        match h.rt.trigger(t).await {
            Err(runtime::Error::InvalidParameters(errors)) => {
                let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["colour", "price"]);
            }
            other => panic!("expected invalid parameters, got {other:?}"),
        }
        assert!(matches!(
            h.rt.trigger(Trigger { package: "nope".into(), ..Default::default() }).await,
            Err(runtime::Error::PackageNotFound(_))
        ));
    }

    pub async fn schedule_fires_once_per_tick_across_nodes(store: Arc<dyn Store>) {
        use chrono::TimeZone;
        struct Fixed(Mutex<store::Timestamp>);
        impl runtime::Clock for Fixed {
            fn now(&self) -> store::Timestamp {
                *self.0.lock().unwrap()
            }
        }
        let h = Harness::new(store.clone());
        // Monday 09:00 in Dubai is 05:00 UTC.
        h.register(
            r#"
name = "weekly_report"
[[schedules]]
name = "monday_morning"
cron = "0 9 * * 1"
[[steps]]
id = "report"
handler = "record"
"#,
        )
        .await;
        let start = chrono::Utc.with_ymd_and_hms(2026, 11, 30, 4, 0, 0).unwrap(); // a Monday
        let clock = Fixed(Mutex::new(start));
        let mut node_a = HashMap::new();
        let mut node_b = HashMap::new();
        assert_eq!(runtime::scheduler::check_once(store.as_ref(), &clock, start, &mut node_a).await.unwrap(), 0);
        *clock.0.lock().unwrap() = start + chrono::Duration::minutes(61);
        let fired_a = runtime::scheduler::check_once(store.as_ref(), &clock, start, &mut node_a).await.unwrap();
        let fired_b = runtime::scheduler::check_once(store.as_ref(), &clock, start, &mut node_b).await.unwrap();
        assert_eq!(fired_a + fired_b, 1, "exactly one node starts the tick's execution");
        let tick = store.last_schedule_tick("weekly_report", "monday_morning").await.unwrap().unwrap();
        assert_eq!(tick, chrono::Utc.with_ymd_and_hms(2026, 11, 30, 5, 0, 0).unwrap());
        // Later checks in the same week fire nothing.
        *clock.0.lock().unwrap() = start + chrono::Duration::hours(30);
        assert_eq!(runtime::scheduler::check_once(store.as_ref(), &clock, start, &mut node_a).await.unwrap(), 0);
        let runs = store.list_executions(&store::ExecutionFilter { limit: 10, ..Default::default() }).await.unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].created_by.as_deref(), Some("schedule:monday_morning"));
    }

    pub async fn api_schedules_fire_can_be_disabled_and_follow_the_package_file(store: Arc<dyn Store>) {
        use chrono::TimeZone;
        struct Fixed(Mutex<store::Timestamp>);
        impl runtime::Clock for Fixed {
            fn now(&self) -> store::Timestamp {
                *self.0.lock().unwrap()
            }
        }
        let h = Harness::new(store.clone());
        h.register(
            "name = \"digest\"\n[[parameters]]\nname = \"n\"\ntype = \"integer\"\nrequired = true\n[[schedules]]\nname = \"declared\"\ncron = \"0 8 * * *\"\nparameters = { n = 1 }\n[[steps]]\nid = \"s\"\nhandler = \"record\"\n",
        )
        .await;
        let row = |name: &str, cron: &str, tz: &str, params: Value| store::ScheduleRow {
            package_name: "digest".into(),
            name: name.into(),
            cron: cron.into(),
            timezone: tz.into(),
            params,
            enabled: true,
            source: "api".into(),
            created_by: Some("tester".into()),
        };
        // Validation names the bad field.
        for (bad, field) in [
            (row("x", "61 * * * *", "Asia/Dubai", json!({ "n": 1 })), "cron"),
            (row("x", "* * * * *", "Mars/Base", json!({ "n": 1 })), "timezone"),
            (row("x", "* * * * *", "Asia/Dubai", json!({ "n": "one" })), "parameters.n"),
        ] {
            match h.rt.create_schedule(bad).await {
                Err(runtime::Error::InvalidParameters(e)) => assert_eq!(e[0].field, field),
                other => panic!("expected invalid {field}, got {other:?}"),
            }
        }
        h.rt.create_schedule(row("every_minute", "* * * * *", "Asia/Dubai", json!({ "n": 2 }))).await.unwrap();
        assert!(matches!(
            h.rt.create_schedule(row("every_minute", "* * * * *", "Asia/Dubai", json!({ "n": 2 }))).await,
            Err(runtime::Error::Store(store::Error::Conflict(_)))
        ));
        let names: Vec<(String, String)> =
            store.list_schedules().await.unwrap().into_iter().map(|r| (r.name, r.source)).collect();
        assert_eq!(
            names,
            [("declared".to_string(), "package".to_string()), ("every_minute".to_string(), "api".to_string())]
        );

        let start = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 30).unwrap();
        let clock = Fixed(Mutex::new(start));
        let mut seen = HashMap::new();
        runtime::scheduler::check_once(store.as_ref(), &clock, start, &mut seen).await.unwrap();
        *clock.0.lock().unwrap() = start + chrono::Duration::seconds(60);
        assert_eq!(runtime::scheduler::check_once(store.as_ref(), &clock, start, &mut seen).await.unwrap(), 1);
        let runs = store.list_executions(&store::ExecutionFilter { limit: 10, ..Default::default() }).await.unwrap();
        assert_eq!(runs[0].created_by.as_deref(), Some("tester"));
        let run = store.execution(runs[0].id).await.unwrap().unwrap();
        assert_eq!(run.params, json!({ "n": 2 }));

        // Disabled: the next minute passes without a run.
        store.set_schedule_enabled("digest", "every_minute", false, start).await.unwrap();
        *clock.0.lock().unwrap() = start + chrono::Duration::seconds(120);
        assert_eq!(runtime::scheduler::check_once(store.as_ref(), &clock, start, &mut seen).await.unwrap(), 0);

        // A new package version without the declared schedule removes it; the API one stays.
        h.register("name = \"digest\"\n[[parameters]]\nname = \"n\"\ntype = \"integer\"\nrequired = true\n[[steps]]\nid = \"s\"\nhandler = \"record\"\n").await;
        let names: Vec<String> = store.list_schedules().await.unwrap().into_iter().map(|r| r.name).collect();
        assert_eq!(names, ["every_minute"]);
        assert_eq!(store.delete_schedule("digest", "every_minute").await.unwrap().name, "every_minute");
        assert!(matches!(store.delete_schedule("digest", "every_minute").await, Err(store::Error::NotFound(_))));
    }

    pub async fn graceful_shutdown_releases_unfinished_steps(store: Arc<dyn Store>) {
        let mut h = Harness::new(store.clone());
        h.register("name = \"hold\"\n[[steps]]\nid = \"block\"\nhandler = \"wait_cancel\"\n").await;
        h.start_worker();
        let id = h.trigger("hold", json!({})).await;
        h.wait_for(id, |v| step(v, "block").status == StepStatus::Running).await;
        // Grace is 2 s; the handler never finishes by itself, so it is cancelled and released.
        h.stop().await;
        let view = store.execution(id).await.unwrap().unwrap();
        assert_eq!(step(&view, "block").status, StepStatus::Ready);
        assert_eq!(step(&view, "block").attempt, 0, "a released attempt is not spent");
    }
}

crate::store_test!(cases::package_runs_to_completion);
crate::store_test!(cases::waiting_step_spends_no_attempts_and_a_signal_wakes_it);
crate::store_test!(cases::retries_with_backoff_then_succeeds);
crate::store_test!(cases::permanent_failure_fails_then_retry_control_recovers);
crate::store_test!(cases::timeout_counts_as_retryable_failure);
crate::store_test!(cases::pause_holds_new_steps_and_resume_continues);
crate::store_test!(cases::cancel_signals_running_handler);
crate::store_test!(cases::executions_stay_pinned_to_their_version);
crate::store_test!(cases::idempotency_key_returns_the_same_execution);
crate::store_test!(cases::invalid_parameters_name_each_field);
crate::store_test!(cases::schedule_fires_once_per_tick_across_nodes);
crate::store_test!(cases::graceful_shutdown_releases_unfinished_steps);
crate::store_test!(cases::api_schedules_fire_can_be_disabled_and_follow_the_package_file);
