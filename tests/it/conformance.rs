//! The `Store` contract. Every test here is a `pub async fn NAME(store: Arc<dyn Store>)` in
//! `cases`, expanded by `store_test!` into `NAME::sqlite` and `NAME::postgres`, so both backends
//! are held to exactly the same observable behaviour.
//!
//! Time is never slept through: each test reads the clock once and passes explicit instants
//! (`now + s(n)`) to every store call. The clock reading is truncated to microseconds, the
//! precision the stores keep, so instants round-trip exactly.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::SubsecRound;
use engine::{Control, ExecutionStatus, Package, StepStatus};
use serde_json::{json, Value};
use store::{
    ClaimedStep, Completion, ExecutionFilter, ExecutionView, NewExecution, Outcome, StepAttempt, StepView, Store,
    Timestamp,
};
use uuid::Uuid;

/// The lease every claim takes unless a test needs another one.
const LEASE: Duration = Duration::from_secs(60);

/// The test's single clock reading.
fn now() -> Timestamp {
    chrono::Utc::now().trunc_subsecs(6)
}

fn s(n: i64) -> chrono::Duration {
    chrono::Duration::seconds(n)
}

/// a → {b, c} → d
fn diamond() -> &'static str {
    r#"
name = "diamond"

[[steps]]
id = "a"
handler = "work"

[[steps]]
id = "b"
handler = "work"
depends_on = ["a"]

[[steps]]
id = "c"
handler = "work"
depends_on = ["a"]

[[steps]]
id = "d"
handler = "work"
depends_on = ["b", "c"]
"#
}

/// A package with one step, `only`.
fn single(name: &str) -> String {
    format!("name = \"{name}\"\n\n[[steps]]\nid = \"only\"\nhandler = \"work\"\n")
}

/// A package whose only step waits `delay` after the execution starts.
fn delayed_root(name: &str, delay: &str) -> String {
    format!("name = \"{name}\"\n\n[[steps]]\nid = \"only\"\nhandler = \"work\"\ndelay = \"{delay}\"\n")
}

struct Pkg {
    package: Arc<Package>,
    version: i32,
}

async fn register(store: &Arc<dyn Store>, src: &str, now: Timestamp) -> Pkg {
    let package = crate::support::package(src);
    let info = store.register_package(&package, src, now).await.expect("register package");
    Pkg { package: Arc::new(package), version: info.version }
}

fn new_execution(pkg: &Pkg) -> NewExecution {
    NewExecution {
        package: pkg.package.clone(),
        package_version: pkg.version,
        params: json!({}),
        priority: 0,
        idempotency_key: None,
        created_by: None,
        team_id: None,
    }
}

/// Starts `n` plain executions of `pkg`.
async fn start(store: &Arc<dyn Store>, pkg: &Pkg, n: usize, now: Timestamp) -> Vec<Uuid> {
    let batch = vec![new_execution(pkg); n];
    let started = store.start_executions(&batch, now).await.expect("start executions");
    assert_eq!(started.len(), n);
    assert!(started.iter().all(|s| s.created), "{started:?}");
    started.into_iter().map(|s| s.execution_id).collect()
}

async fn start_one(store: &Arc<dyn Store>, pkg: &Pkg, now: Timestamp) -> Uuid {
    start(store, pkg, 1, now).await[0]
}

async fn claim_all(store: &Arc<dyn Store>, worker: &str, now: Timestamp) -> Vec<ClaimedStep> {
    store.claim(worker, 1000, LEASE, now).await.expect("claim")
}

fn step_id(c: &ClaimedStep) -> &str {
    &c.package.step(c.attempt.step).id
}

/// The claimed step `step` of execution `id`.
fn find<'a>(claimed: &'a [ClaimedStep], id: Uuid, step: &str) -> &'a ClaimedStep {
    claimed
        .iter()
        .find(|c| c.attempt.execution_id == id && step_id(c) == step)
        .unwrap_or_else(|| panic!("step `{step}` of {id} was not claimed"))
}

/// (execution, step id) of each claimed step, sorted.
fn claimed_keys(claimed: &[ClaimedStep]) -> Vec<(Uuid, String)> {
    let mut keys: Vec<(Uuid, String)> =
        claimed.iter().map(|c| (c.attempt.execution_id, step_id(c).to_string())).collect();
    keys.sort();
    keys
}

/// The package an execution runs on, as its claim would carry it in a completion.
async fn package_of(store: &Arc<dyn Store>, execution_id: Uuid) -> Arc<Package> {
    let v = view(store, execution_id).await;
    store.package(&v.package_name, Some(v.package_version)).await.expect("package").expect("a stored package").1
}

async fn complete(store: &Arc<dyn Store>, attempt: StepAttempt, outcome: Outcome, now: Timestamp) -> bool {
    let package = package_of(store, attempt.execution_id).await;
    let accepted = store.complete(&[Completion { attempt, package, outcome }], now).await.expect("complete");
    assert_eq!(accepted.len(), 1);
    accepted[0]
}

/// Completes every claimed step as succeeded, with output `{"step": <id>}`.
async fn succeed(store: &Arc<dyn Store>, claimed: &[ClaimedStep], now: Timestamp) -> Vec<bool> {
    let batch: Vec<Completion> = claimed
        .iter()
        .map(|c| Completion {
            attempt: c.attempt,
            package: c.package.clone(),
            outcome: Outcome::Succeeded { output: json!({ "step": step_id(c) }) },
        })
        .collect();
    store.complete(&batch, now).await.expect("complete")
}

async fn view(store: &Arc<dyn Store>, id: Uuid) -> ExecutionView {
    store.execution(id).await.expect("read execution").unwrap_or_else(|| panic!("execution {id} not found"))
}

fn step<'a>(v: &'a ExecutionView, id: &str) -> &'a StepView {
    v.steps.iter().find(|s| s.step_id == id).unwrap_or_else(|| panic!("no step `{id}` in {v:?}"))
}

fn statuses(v: &ExecutionView) -> Vec<(&str, StepStatus)> {
    v.steps.iter().map(|s| (s.step_id.as_str(), s.status)).collect()
}

/// (kind, step id) of every event of an execution, oldest first.
async fn events(store: &Arc<dyn Store>, id: Uuid) -> Vec<(String, Option<String>)> {
    store.events(id, 0, 1000).await.expect("events").into_iter().map(|e| (e.kind, e.step_id)).collect()
}

async fn kinds(store: &Arc<dyn Store>, id: Uuid) -> Vec<String> {
    events(store, id).await.into_iter().map(|(k, _)| k).collect()
}

fn ev(kind: &str, step: Option<&str>) -> (String, Option<String>) {
    (kind.to_string(), step.map(str::to_string))
}

async fn counts(store: &Arc<dyn Store>) -> BTreeMap<String, u64> {
    store
        .execution_counts()
        .await
        .expect("execution counts")
        .into_iter()
        .map(|(status, n)| (status.as_str().to_string(), n))
        .collect()
}

fn count_map(entries: &[(&str, u64)]) -> BTreeMap<String, u64> {
    entries.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

async fn list(store: &Arc<dyn Store>, filter: ExecutionFilter) -> Vec<Uuid> {
    store.list_executions(&filter).await.expect("list executions").into_iter().map(|e| e.id).collect()
}

fn all(limit: u32) -> ExecutionFilter {
    ExecutionFilter { limit, ..ExecutionFilter::default() }
}

#[track_caller]
fn assert_illegal(result: Result<ExecutionStatus, store::Error>) {
    match result {
        Err(store::Error::IllegalTransition(_)) => {}
        other => panic!("expected IllegalTransition, got {other:?}"),
    }
}

pub mod cases {
    use super::*;

    // --- packages -------------------------------------------------------------------------

    pub async fn packages_are_versioned(store: Arc<dyn Store>) {
        let now = now();
        let src1 = single("greet");
        let p1 = crate::support::package(&src1);
        let v1 = store.register_package(&p1, &src1, now).await.unwrap();
        assert_eq!((v1.name.as_str(), v1.version, v1.created), ("greet", 1, true));
        assert_eq!(v1.content_hash, p1.content_hash);
        assert_eq!(v1.created_at, now);

        // The identical file again: nothing new, the existing version is reported.
        let again = store.register_package(&p1, &src1, now + s(10)).await.unwrap();
        assert_eq!((again.version, again.created), (1, false));
        assert_eq!(again.created_at, now, "the original version is reported");
        assert_eq!(again.content_hash, v1.content_hash);

        // A changed file becomes version 2.
        let src2 = format!("{src1}\n[[steps]]\nid = \"second\"\nhandler = \"work\"\ndepends_on = [\"only\"]\n");
        let p2 = crate::support::package(&src2);
        assert_ne!(p2.content_hash, p1.content_hash);
        let v2 = store.register_package(&p2, &src2, now + s(20)).await.unwrap();
        assert_eq!((v2.version, v2.created), (2, true));
        assert_eq!(v2.created_at, now + s(20));

        let (latest, pkg) = store.package("greet", None).await.unwrap().expect("latest");
        assert_eq!(latest, 2);
        assert_eq!(pkg.steps.len(), 2);
        assert_eq!(pkg.content_hash, p2.content_hash);
        let (old, pkg) = store.package("greet", Some(1)).await.unwrap().expect("v1");
        assert_eq!(old, 1);
        assert_eq!(pkg.steps.len(), 1);
        assert_eq!(pkg.content_hash, p1.content_hash);
        assert!(store.package("greet", Some(3)).await.unwrap().is_none());

        let versions = store.package_versions("greet").await.unwrap();
        let listed: Vec<(i32, &str)> = versions.iter().map(|v| (v.version, v.content_hash.as_str())).collect();
        assert_eq!(listed, [(1, p1.content_hash.as_str()), (2, p2.content_hash.as_str())]);
        let summaries = store.list_packages().await.unwrap();
        assert_eq!(summaries.len(), 1);
        assert_eq!((summaries[0].name.as_str(), summaries[0].latest_version, summaries[0].active), ("greet", 2, true));

        // Deactivated: hidden from "latest", explicit versions still load.
        store.set_package_active("greet", false).await.unwrap();
        assert!(store.package("greet", None).await.unwrap().is_none());
        assert_eq!(store.package("greet", Some(1)).await.unwrap().expect("v1").0, 1);
        assert_eq!(store.package("greet", Some(2)).await.unwrap().expect("v2").0, 2);
        assert!(!store.list_packages().await.unwrap()[0].active);

        store.set_package_active("greet", true).await.unwrap();
        assert_eq!(store.package("greet", None).await.unwrap().expect("latest").0, 2);
    }

    pub async fn unknown_names_are_not_found(store: Arc<dyn Store>) {
        let now = now();
        assert!(store.package("nope", None).await.unwrap().is_none());
        assert!(store.package("nope", Some(1)).await.unwrap().is_none());
        assert!(store.package_versions("nope").await.unwrap().is_empty());
        match store.set_package_active("nope", false).await {
            Err(store::Error::NotFound(_)) => {}
            other => panic!("expected NotFound, got {other:?}"),
        }
        let id = Uuid::now_v7();
        assert!(store.execution(id).await.unwrap().is_none());
        assert!(store.events(id, 0, 1000).await.unwrap().is_empty());
        match store.control(id, Control::Cancel, None, now).await {
            Err(store::Error::NotFound(_)) => {}
            other => panic!("expected NotFound, got {other:?}"),
        }
        // Completions and heartbeats of unknown attempts are simply not accepted.
        let ghost = StepAttempt { execution_id: id, step: engine::StepIdx(0), attempt: 1 };
        let package = register(&store, &single("real"), now).await.package;
        assert_eq!(
            store.complete(&[Completion { attempt: ghost, package, outcome: Outcome::Skipped }], now).await.unwrap(),
            [false]
        );
        let lost = store.heartbeat("w", &[ghost], LEASE, now).await.unwrap();
        assert_eq!(lost, [ghost]);
        store.release("w", &[ghost], now).await.unwrap();
        // Empty batches are fine.
        assert!(store.complete(&[], now).await.unwrap().is_empty());
        assert!(store.heartbeat("w", &[], LEASE, now).await.unwrap().is_empty());
        store.release("w", &[], now).await.unwrap();
        assert!(store.claim("w", 10, LEASE, now).await.unwrap().is_empty());
    }

    // --- starting executions --------------------------------------------------------------

    pub async fn start_makes_roots_ready(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, diamond(), now).await;
        let started = store
            .start_executions(
                &[NewExecution {
                    params: json!({ "x": 1 }),
                    priority: 3,
                    created_by: Some("alice".into()),
                    ..new_execution(&pkg)
                }],
                now + s(1),
            )
            .await
            .unwrap();
        assert_eq!(started.len(), 1);
        assert!(started[0].created);
        let id = started[0].execution_id;

        let v = view(&store, id).await;
        assert_eq!(v.id, id);
        assert_eq!(v.status, ExecutionStatus::Pending);
        assert_eq!((v.package_name.as_str(), v.package_version), ("diamond", 1));
        assert_eq!(v.params, json!({ "x": 1 }));
        assert_eq!(v.priority, 3);
        assert_eq!(v.idempotency_key, None);
        assert_eq!(v.created_by.as_deref(), Some("alice"));
        assert_eq!(v.created_at, now + s(1));
        assert_eq!((v.started_at, v.finished_at, v.error.as_deref()), (None, None, None));
        assert_eq!(
            statuses(&v),
            [
                ("a", StepStatus::Ready),
                ("b", StepStatus::Pending),
                ("c", StepStatus::Pending),
                ("d", StepStatus::Pending)
            ]
        );
        assert_eq!(step(&v, "a").ready_at, Some(now + s(1)));
        for st in &v.steps {
            assert_eq!(st.attempt, 0);
            assert_eq!(st.max_attempts, 3, "the default retry policy allows 3 attempts");
            assert_eq!((st.started_at, st.finished_at), (None, None));
            assert_eq!((&st.output, &st.error, &st.lease_owner), (&None, &None, &None));
        }
        for pending in ["b", "c", "d"] {
            assert_eq!(step(&v, pending).ready_at, None);
        }
        assert_eq!(kinds(&store, id).await, ["execution_created"]);

        // A batch starts distinct executions.
        let ids = start(&store, &pkg, 3, now + s(2)).await;
        assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 3);
        assert!(!ids.contains(&id));
        assert_eq!(list(&store, all(100)).await.len(), 4);
    }

    pub async fn idempotency_key_yields_one_execution(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, diamond(), now).await;
        let keyed = |key: &str| NewExecution { idempotency_key: Some(key.to_string()), ..new_execution(&pkg) };

        let first = store.start_executions(&[keyed("k1")], now).await.unwrap();
        assert!(first[0].created);
        let again = store.start_executions(&[keyed("k1")], now + s(1)).await.unwrap();
        assert_eq!(again[0].execution_id, first[0].execution_id);
        assert!(!again[0].created);
        let v = view(&store, first[0].execution_id).await;
        assert_eq!(v.idempotency_key.as_deref(), Some("k1"));
        assert_eq!(v.created_at, now, "the existing execution is untouched");

        // The same key twice in one batch still yields one execution.
        let batch = store.start_executions(&[keyed("k2"), keyed("k2"), new_execution(&pkg)], now + s(2)).await.unwrap();
        assert_eq!(batch.len(), 3);
        assert_eq!(batch[0].execution_id, batch[1].execution_id);
        assert_eq!((batch[0].created, batch[1].created), (true, false));
        assert!(batch[2].created);
        assert_ne!(batch[2].execution_id, batch[0].execution_id);
        assert_eq!(kinds(&store, batch[0].execution_id).await, ["execution_created"]);
        assert_eq!(view(&store, batch[0].execution_id).await.steps.len(), 4);

        assert_eq!(list(&store, all(100)).await.len(), 3);
        assert_eq!(counts(&store).await, count_map(&[("pending", 3)]));

        // Racing starts with one key: one execution, created exactly once.
        let mut tasks = Vec::new();
        for i in 0..8 {
            let store = store.clone();
            let new = keyed("race");
            tasks.push(tokio::spawn(async move {
                store.start_executions(&[new], now + s(3 + i)).await.expect("start")[0].clone()
            }));
        }
        let mut raced = Vec::new();
        for t in tasks {
            raced.push(t.await.expect("task"));
        }
        let distinct: BTreeSet<Uuid> = raced.iter().map(|r| r.execution_id).collect();
        assert_eq!(distinct.len(), 1, "{raced:?}");
        assert_eq!(raced.iter().filter(|r| r.created).count(), 1, "{raced:?}");
        assert_eq!(list(&store, all(100)).await.len(), 4);

        // An empty batch starts nothing.
        assert!(store.start_executions(&[], now).await.unwrap().is_empty());
    }

    // --- claiming -------------------------------------------------------------------------

    pub async fn claim_takes_only_due_ready_steps(store: Arc<dyn Store>) {
        let now = now();
        let dia = register(&store, diamond(), now).await;
        let later = register(&store, &delayed_root("later", "10s"), now).await;
        let d = start_one(&store, &dia, now).await;
        let l = start_one(&store, &later, now).await;
        assert_eq!(step(&view(&store, l).await, "only").ready_at, Some(now + s(10)));

        let claimed = claim_all(&store, "w1", now).await;
        assert_eq!(claimed_keys(&claimed), [(d, "a".to_string())], "pending and future steps are not claimable");
        assert!(claim_all(&store, "w1", now + s(9)).await.is_empty());
        let claimed = claim_all(&store, "w1", now + s(10)).await;
        assert_eq!(claimed_keys(&claimed), [(l, "only".to_string())]);
        // Nothing else is runnable until `a` completes.
        assert!(claim_all(&store, "w2", now + s(11)).await.is_empty());
    }

    pub async fn claim_marks_running_and_counts_attempts(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, diamond(), now).await;
        let id = store
            .start_executions(&[NewExecution { params: json!({ "p": "v" }), ..new_execution(&pkg) }], now)
            .await
            .unwrap()[0]
            .execution_id;

        let claimed = store.claim("w1", 10, LEASE, now + s(1)).await.unwrap();
        assert_eq!(claimed.len(), 1);
        let c = &claimed[0];
        assert_eq!(c.attempt, StepAttempt { execution_id: id, step: engine::StepIdx(0), attempt: 1 });
        assert_eq!(step_id(c), "a");
        assert_eq!(c.max_attempts, 3);
        assert_eq!(c.package.name, "diamond");
        assert_eq!(c.params, json!({ "p": "v" }));
        assert!(c.outputs.is_empty());

        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Running);
        assert_eq!(v.started_at, Some(now + s(1)));
        let a = step(&v, "a");
        assert_eq!((a.status, a.attempt, a.started_at), (StepStatus::Running, 1, Some(now + s(1))));
        assert_eq!(a.lease_owner.as_deref(), Some("w1"));
        assert_eq!(events(&store, id).await, [ev("execution_created", None), ev("step_started", Some("a"))]);
        let started = store.events(id, 0, 1000).await.unwrap().pop().unwrap();
        assert_eq!((started.attempt, started.at), (Some(1), now + s(1)));

        // A running step under a live lease is not claimed again.
        assert!(claim_all(&store, "w2", now + s(2)).await.is_empty());
    }

    pub async fn claim_respects_max_and_priority(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, &single("job"), now).await;
        let priorities = [0, 10, 5, -1, 7];
        let batch: Vec<NewExecution> =
            priorities.iter().map(|p| NewExecution { priority: *p, ..new_execution(&pkg) }).collect();
        let ids: Vec<Uuid> =
            store.start_executions(&batch, now).await.unwrap().into_iter().map(|s| s.execution_id).collect();
        let priority_of =
            |c: &ClaimedStep| priorities[ids.iter().position(|id| *id == c.attempt.execution_id).unwrap()];
        let claim = |max: usize| {
            let store = store.clone();
            async move {
                let claimed = store.claim("w", max, LEASE, now).await.unwrap();
                assert!(claimed.len() <= max, "claimed {} > max {max}", claimed.len());
                claimed
            }
        };

        let mut got: Vec<i32> = claim(2).await.iter().map(priority_of).collect();
        got.sort();
        assert_eq!(got, [7, 10], "the two highest priorities first");
        let got: Vec<i32> = claim(1).await.iter().map(priority_of).collect();
        assert_eq!(got, [5]);
        let mut got: Vec<i32> = claim(10).await.iter().map(priority_of).collect();
        got.sort();
        assert_eq!(got, [-1, 0]);
        assert!(claim(10).await.is_empty());
        assert_eq!(view(&store, ids[1]).await.priority, 10);
    }

    // --- completion -----------------------------------------------------------------------

    pub async fn diamond_joins_and_completes(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, diamond(), now).await;
        let id = start_one(&store, &pkg, now).await;

        let a = claim_all(&store, "w", now + s(1)).await;
        assert_eq!(succeed(&store, &a, now + s(2)).await, [true]);
        let v = view(&store, id).await;
        assert_eq!(
            statuses(&v),
            [
                ("a", StepStatus::Succeeded),
                ("b", StepStatus::Ready),
                ("c", StepStatus::Ready),
                ("d", StepStatus::Pending)
            ]
        );
        assert_eq!(step(&v, "a").output, Some(json!({ "step": "a" })));
        assert_eq!(step(&v, "a").finished_at, Some(now + s(2)));
        assert_eq!(step(&v, "b").ready_at, Some(now + s(2)));
        assert_eq!(step(&v, "c").ready_at, Some(now + s(2)));

        let bc = claim_all(&store, "w", now + s(3)).await;
        assert_eq!(claimed_keys(&bc), [(id, "b".into()), (id, "c".into())]);
        let b = find(&bc, id, "b").clone();
        let c = find(&bc, id, "c").clone();

        // One of two dependencies done: d waits.
        assert_eq!(succeed(&store, &[b], now + s(4)).await, [true]);
        let v = view(&store, id).await;
        assert_eq!(step(&v, "d").status, StepStatus::Pending);
        assert_eq!(v.status, ExecutionStatus::Running);
        assert!(claim_all(&store, "w", now + s(4)).await.is_empty());

        assert_eq!(succeed(&store, &[c], now + s(5)).await, [true]);
        let v = view(&store, id).await;
        assert_eq!(step(&v, "d").status, StepStatus::Ready);
        assert_eq!(step(&v, "d").ready_at, Some(now + s(5)));
        assert_eq!(v.status, ExecutionStatus::Running);

        let d = claim_all(&store, "w", now + s(6)).await;
        assert_eq!(claimed_keys(&d), [(id, "d".into())]);
        assert_eq!(succeed(&store, &d, now + s(7)).await, [true]);
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Completed);
        assert_eq!(v.finished_at, Some(now + s(7)));
        assert_eq!(v.error, None);
        assert!(v.steps.iter().all(|s| s.status == StepStatus::Succeeded));
        assert!(claim_all(&store, "w", now + s(8)).await.is_empty());

        let mut log = events(&store, id).await;
        // b and c were claimed together; their start events may come in either order.
        log[5..7].sort();
        assert_eq!(
            log,
            [
                ev("execution_created", None),
                ev("step_started", Some("a")),
                ev("step_succeeded", Some("a")),
                ev("step_ready", Some("b")),
                ev("step_ready", Some("c")),
                ev("step_started", Some("b")),
                ev("step_started", Some("c")),
                ev("step_succeeded", Some("b")),
                ev("step_succeeded", Some("c")),
                ev("step_ready", Some("d")),
                ev("step_started", Some("d")),
                ev("step_succeeded", Some("d")),
                ev("execution_completed", None),
            ]
        );
        let records = store.events(id, 0, 1000).await.unwrap();
        assert!(records.windows(2).all(|w| w[0].id < w[1].id), "event ids increase");
        assert!(records.windows(2).all(|w| w[0].at <= w[1].at));
        assert_eq!(records.last().unwrap().at, now + s(7));
        for r in &records {
            if r.kind == "step_started" || r.kind == "step_succeeded" {
                assert_eq!(r.attempt, Some(1), "{r:?}");
            }
        }
        // Paging by event id.
        let tail = store.events(id, records[9].id, 2).await.unwrap();
        assert_eq!(tail, records[10..12]);

        // Observed durations (claim to completion) of the succeeded steps.
        let stats: BTreeMap<String, (Duration, u64)> = store
            .step_duration_stats("diamond")
            .await
            .unwrap()
            .into_iter()
            .map(|st| (st.step_id, (st.mean, st.samples)))
            .collect();
        let secs = |n| (Duration::from_secs(n), 1);
        let expected: BTreeMap<String, (Duration, u64)> =
            [("a", secs(1)), ("b", secs(1)), ("c", secs(2)), ("d", secs(1))]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
        assert_eq!(stats, expected);
        assert!(store.step_duration_stats("nope").await.unwrap().is_empty());
    }

    pub async fn skipped_counts_as_done(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, diamond(), now).await;
        let id = start_one(&store, &pkg, now).await;

        let a = claim_all(&store, "w", now).await;
        assert!(complete(&store, a[0].attempt, Outcome::Skipped, now + s(1)).await);
        let v = view(&store, id).await;
        assert_eq!(step(&v, "a").status, StepStatus::Skipped);
        assert_eq!(step(&v, "a").output, None);
        assert_eq!(step(&v, "b").status, StepStatus::Ready);
        assert_eq!(step(&v, "c").status, StepStatus::Ready);

        let bc = claim_all(&store, "w", now + s(2)).await;
        assert!(complete(&store, find(&bc, id, "b").attempt, Outcome::Skipped, now + s(3)).await);
        assert_eq!(step(&view(&store, id).await, "d").status, StepStatus::Pending);
        assert_eq!(succeed(&store, &[find(&bc, id, "c").clone()], now + s(3)).await, [true]);
        assert_eq!(step(&view(&store, id).await, "d").status, StepStatus::Ready);

        let d = claim_all(&store, "w", now + s(4)).await;
        assert!(complete(&store, d[0].attempt, Outcome::Skipped, now + s(5)).await);
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Completed, "skipped steps count as done");
        assert_eq!(v.finished_at, Some(now + s(5)));
        assert_eq!(
            statuses(&v),
            [
                ("a", StepStatus::Skipped),
                ("b", StepStatus::Skipped),
                ("c", StepStatus::Succeeded),
                ("d", StepStatus::Skipped)
            ]
        );
        let log = events(&store, id).await;
        assert!(log.contains(&ev("step_skipped", Some("a"))));
        assert_eq!(log.last().unwrap(), &ev("execution_completed", None));
    }

    pub async fn delay_defers_the_successor(store: Arc<dyn Store>) {
        let now = now();
        let src = r#"
name = "delayed"

[[steps]]
id = "a"
handler = "work"

[[steps]]
id = "b"
handler = "work"
depends_on = ["a"]
delay = "30s"
"#;
        let pkg = register(&store, src, now).await;
        let id = start_one(&store, &pkg, now).await;
        let a = claim_all(&store, "w", now).await;
        assert_eq!(succeed(&store, &a, now + s(5)).await, [true]);

        let v = view(&store, id).await;
        assert_eq!(step(&v, "b").status, StepStatus::Ready);
        assert_eq!(step(&v, "b").ready_at, Some(now + s(35)));
        assert_eq!(store.queue_depth(now + s(34)).await.unwrap(), 0);
        assert!(claim_all(&store, "w", now + s(34)).await.is_empty());
        assert_eq!(store.queue_depth(now + s(35)).await.unwrap(), 1);
        let b = claim_all(&store, "w", now + s(35)).await;
        assert_eq!(claimed_keys(&b), [(id, "b".into())]);
    }

    pub async fn retry_outcome_reschedules_the_step(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, &single("flaky"), now).await;
        let id = start_one(&store, &pkg, now).await;
        let first = claim_all(&store, "w1", now).await;
        assert_eq!(first[0].attempt.attempt, 1);

        let retry = Outcome::Retry { at: now + s(60), error: "boom".into() };
        assert!(complete(&store, first[0].attempt, retry, now + s(1)).await);
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Running);
        let only = step(&v, "only");
        assert_eq!((only.status, only.attempt), (StepStatus::Ready, 1));
        assert_eq!(only.ready_at, Some(now + s(60)));
        assert_eq!(only.error.as_deref(), Some("boom"));
        assert_eq!(store.queue_depth(now + s(59)).await.unwrap(), 0);

        assert!(claim_all(&store, "w2", now + s(59)).await.is_empty());
        let second = claim_all(&store, "w2", now + s(60)).await;
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].attempt.attempt, 2);
        // The first attempt is over: its late completion is fenced.
        assert!(!complete(&store, first[0].attempt, Outcome::Skipped, now + s(61)).await);
        assert_eq!(succeed(&store, &second, now + s(62)).await, [true]);
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Completed);
        assert_eq!(step(&v, "only").attempt, 2);

        let records = store.events(id, 0, 1000).await.unwrap();
        let retried = records.iter().find(|e| e.kind == "step_retry_scheduled").expect("a step_retry_scheduled event");
        assert_eq!(retried.step_id.as_deref(), Some("only"));
        assert_eq!(retried.attempt, Some(1));
        assert_eq!(retried.detail, Some(json!({ "error": "boom" })));
        let kinds: Vec<&str> = records.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "execution_created",
                "step_started",
                "step_retry_scheduled",
                "step_started",
                "step_succeeded",
                "execution_completed"
            ]
        );
    }

    pub async fn failed_step_fails_the_execution(store: Arc<dyn Store>) {
        let now = now();
        let src = r#"
name = "fan_in"

[[steps]]
id = "p"
handler = "work"

[[steps]]
id = "q"
handler = "work"

[[steps]]
id = "r"
handler = "work"

[[steps]]
id = "s"
handler = "work"
depends_on = ["p", "q", "r"]
"#;
        let pkg = register(&store, src, now).await;
        let id = start_one(&store, &pkg, now).await;
        let running = store.claim("w", 2, LEASE, now).await.unwrap();
        assert_eq!(running.len(), 2);
        let (failing, other) = (&running[0], &running[1]);
        let failing_id = step_id(failing).to_string();

        let failed = Outcome::Failed { error: "bad".into() };
        assert!(complete(&store, failing.attempt, failed, now + s(1)).await);
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Failed);
        assert_eq!(v.finished_at, Some(now + s(1)));
        let error = v.error.clone().expect("an execution error");
        assert!(error.contains("bad") && error.contains(&failing_id), "{error}");
        for st in &v.steps {
            if st.step_id == failing_id {
                assert_eq!(st.status, StepStatus::Failed);
                assert_eq!(st.error.as_deref(), Some("bad"));
            } else {
                // Running, ready and pending steps alike.
                assert_eq!(st.status, StepStatus::Cancelled, "{st:?}");
            }
        }

        // The other running attempt is fenced off.
        assert!(!succeed(&store, std::slice::from_ref(other), now + s(2)).await[0]);
        assert_eq!(step(&view(&store, id).await, step_id(other)).status, StepStatus::Cancelled);
        assert!(claim_all(&store, "w", now + s(3)).await.is_empty());
        assert_eq!(store.queue_depth(now + s(3)).await.unwrap(), 0);
        let log = events(&store, id).await;
        assert_eq!(
            log[log.len() - 2..],
            [ev("step_failed", Some(&failing_id)), ev("execution_failed", Some(&failing_id))]
        );
        assert_eq!(counts(&store).await, count_map(&[("failed", 1)]));
    }

    // --- leases and fencing ---------------------------------------------------------------

    pub async fn expired_lease_is_reclaimed_and_fenced(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, &single("slow"), now).await;
        let id = start_one(&store, &pkg, now).await;
        let lease = Duration::from_secs(30);

        let first = store.claim("w1", 10, lease, now).await.unwrap();
        assert_eq!(first[0].attempt.attempt, 1);
        assert!(store.claim("w2", 10, lease, now + s(29)).await.unwrap().is_empty());
        let second = store.claim("w2", 10, lease, now + s(30)).await.unwrap();
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].attempt, StepAttempt { attempt: 2, ..first[0].attempt });
        assert_eq!(second[0].max_attempts, 3);

        // The first worker's late result writes nothing.
        let before = view(&store, id).await;
        let log_before = events(&store, id).await;
        let late = Completion {
            attempt: first[0].attempt,
            package: first[0].package.clone(),
            outcome: Outcome::Succeeded { output: json!("stale") },
        };
        assert_eq!(store.complete(std::slice::from_ref(&late), now + s(31)).await.unwrap(), [false]);
        assert_eq!(view(&store, id).await, before);
        assert_eq!(events(&store, id).await, log_before);
        let only = step(&before, "only");
        assert_eq!(only.lease_owner.as_deref(), Some("w2"), "the lease moved to the reclaiming worker");
        assert_eq!((only.status, only.attempt), (StepStatus::Running, 2));

        // Per item in one batch: the stale one rejected, the current one accepted.
        let current = Completion {
            attempt: second[0].attempt,
            package: second[0].package.clone(),
            outcome: Outcome::Succeeded { output: json!("fresh") },
        };
        assert_eq!(store.complete(&[late, current.clone()], now + s(32)).await.unwrap(), [false, true]);
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Completed);
        assert_eq!(step(&v, "only").output, Some(json!("fresh")));
        assert_eq!(step(&v, "only").lease_owner, None);
        // A duplicate of an accepted completion is not applied twice.
        assert_eq!(store.complete(&[current], now + s(33)).await.unwrap(), [false]);
        assert_eq!(view(&store, id).await, v);
        let n_succeeded = kinds(&store, id).await.iter().filter(|k| *k == "step_succeeded").count();
        assert_eq!(n_succeeded, 1);
    }

    pub async fn duplicate_completions_in_a_batch_apply_once(store: Arc<dyn Store>) {
        let now = now();
        let src = r#"
name = "chain"

[[steps]]
id = "a"
handler = "work"

[[steps]]
id = "b"
handler = "work"
depends_on = ["a"]
"#;
        let pkg = register(&store, src, now).await;
        let id = start_one(&store, &pkg, now).await;
        let a = claim_all(&store, "w", now).await;
        let twice = [a[0].clone(), a[0].clone()];
        let accepted = succeed(&store, &twice, now + s(1)).await;
        assert_eq!(accepted.iter().filter(|x| **x).count(), 1, "{accepted:?}");

        // Counted once: b is ready and the execution is not complete.
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Running);
        assert_eq!(statuses(&v), [("a", StepStatus::Succeeded), ("b", StepStatus::Ready)]);
        assert_eq!(
            events(&store, id).await,
            [
                ev("execution_created", None),
                ev("step_started", Some("a")),
                ev("step_succeeded", Some("a")),
                ev("step_ready", Some("b")),
            ]
        );
        let b = claim_all(&store, "w", now + s(2)).await;
        assert_eq!(claimed_keys(&b), [(id, "b".into())]);
        assert_eq!(succeed(&store, &b, now + s(3)).await, [true]);
        assert_eq!(view(&store, id).await.status, ExecutionStatus::Completed);
    }

    pub async fn heartbeat_extends_lease_and_reports_lost(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, &single("beat"), now).await;
        let lease = Duration::from_secs(30);
        let first_id = start_one(&store, &pkg, now).await;
        let a1 = store.claim("w1", 10, lease, now).await.unwrap()[0].attempt;

        let lost = store.heartbeat("w1", &[a1], lease, now + s(20)).await.unwrap();
        assert!(lost.is_empty(), "{lost:?}");
        // The old expiry (now+30) has been pushed to now+50.
        assert!(store.claim("w2", 10, lease, now + s(30)).await.unwrap().is_empty());
        assert!(store.claim("w2", 10, lease, now + s(49)).await.unwrap().is_empty());
        let reclaimed = store.claim("w2", 10, lease, now + s(50)).await.unwrap();
        assert_eq!(reclaimed.len(), 1);
        let a2 = reclaimed[0].attempt;
        assert_eq!((a2.execution_id, a2.attempt), (first_id, 2));

        // The first worker's lease is gone; the second still holds its own.
        assert_eq!(store.heartbeat("w1", &[a1], lease, now + s(51)).await.unwrap(), [a1]);
        assert!(store.heartbeat("w2", &[a2], lease, now + s(51)).await.unwrap().is_empty());
        // Another worker cannot extend a lease it does not hold.
        assert_eq!(store.heartbeat("w3", &[a2], lease, now + s(51)).await.unwrap(), [a2]);

        // Cancelling the execution loses the lease too.
        let second_id = start_one(&store, &pkg, now + s(60)).await;
        let b1 = store.claim("w1", 10, lease, now + s(60)).await.unwrap();
        assert_eq!(b1.len(), 1);
        let b1 = b1[0].attempt;
        assert_eq!(b1.execution_id, second_id);
        let mixed = store.heartbeat("w1", &[b1], lease, now + s(61)).await.unwrap();
        assert!(mixed.is_empty());
        store.control(second_id, Control::Cancel, None, now + s(62)).await.unwrap();
        assert_eq!(store.heartbeat("w1", &[b1], lease, now + s(63)).await.unwrap(), [b1]);
        // Only the lost ones are reported from a mixed batch (w2 renewed a2 until now+81).
        assert_eq!(store.heartbeat("w2", &[a2, b1], lease, now + s(64)).await.unwrap(), [b1]);
    }

    pub async fn release_returns_the_step_without_spending_the_attempt(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, &single("gentle"), now).await;
        let id = start_one(&store, &pkg, now).await;
        let claimed = claim_all(&store, "w1", now).await;
        let a1 = claimed[0].attempt;
        assert_eq!(a1.attempt, 1);

        // Only the holder can release.
        store.release("w2", &[a1], now + s(1)).await.unwrap();
        assert_eq!(step(&view(&store, id).await, "only").status, StepStatus::Running);

        store.release("w1", &[a1], now + s(1)).await.unwrap();
        let only = view(&store, id).await.steps[0].clone();
        assert_eq!((only.status, only.attempt, only.lease_owner), (StepStatus::Ready, 0, None));
        assert_eq!(store.queue_depth(now + s(1)).await.unwrap(), 1);

        let again = claim_all(&store, "w2", now + s(2)).await;
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempt.attempt, 1, "the released attempt was not spent");
        assert_eq!(again[0].max_attempts, 3);
        assert_eq!(succeed(&store, &again, now + s(3)).await, [true]);
        assert_eq!(view(&store, id).await.status, ExecutionStatus::Completed);
    }

    // --- controls -------------------------------------------------------------------------

    pub async fn pause_stops_claims_until_resume(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, diamond(), now).await;
        let id = start_one(&store, &pkg, now).await;
        let a = claim_all(&store, "w", now).await;

        let status = store.control(id, Control::Pause, Some("maintenance"), now + s(1)).await.unwrap();
        assert_eq!(status, ExecutionStatus::Paused);
        assert_eq!(view(&store, id).await.status, ExecutionStatus::Paused);

        // The running step may still finish; its successors become ready but are not claimed.
        assert_eq!(succeed(&store, &a, now + s(2)).await, [true]);
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Paused);
        assert_eq!(step(&v, "b").status, StepStatus::Ready);
        assert_eq!(step(&v, "c").status, StepStatus::Ready);
        assert!(claim_all(&store, "w", now + s(3)).await.is_empty());
        assert_eq!(store.queue_depth(now + s(3)).await.unwrap(), 0);

        let status = store.control(id, Control::Resume, None, now + s(4)).await.unwrap();
        assert_eq!(status, ExecutionStatus::Running);
        assert_eq!(view(&store, id).await.status, ExecutionStatus::Running);
        assert_eq!(store.queue_depth(now + s(5)).await.unwrap(), 2);
        let bc = claim_all(&store, "w", now + s(5)).await;
        assert_eq!(claimed_keys(&bc), [(id, "b".into()), (id, "c".into())]);

        let records = store.events(id, 0, 1000).await.unwrap();
        let paused = records.iter().find(|e| e.kind == "execution_paused").expect("paused event");
        assert_eq!(paused.detail, Some(json!({ "reason": "maintenance" })));
        assert_eq!(paused.at, now + s(1));
        assert!(records.iter().any(|e| e.kind == "execution_resumed"));

        // An execution paused before it ever ran resumes as pending.
        let fresh = start_one(&store, &pkg, now + s(10)).await;
        assert_eq!(store.control(fresh, Control::Pause, None, now + s(10)).await.unwrap(), ExecutionStatus::Paused);
        assert!(claim_all(&store, "w", now + s(11)).await.is_empty());
        assert_eq!(store.control(fresh, Control::Resume, None, now + s(12)).await.unwrap(), ExecutionStatus::Pending);
        assert_eq!(view(&store, fresh).await.status, ExecutionStatus::Pending);
        let claimed = claim_all(&store, "w", now + s(13)).await;
        assert_eq!(claimed_keys(&claimed), [(fresh, "a".into())]);
    }

    /// An execution starts when its first step first starts, whatever the store writes at a claim
    /// (PostgreSQL writes only the step and reads the execution's start from its steps).
    pub async fn execution_start_is_its_first_step_start(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, &single("flaky"), now).await;
        let id = start_one(&store, &pkg, now).await;
        let waiting = start_one(&store, &pkg, now + s(1)).await;
        let first = store.claim("w1", 1, LEASE, now + s(2)).await.unwrap();
        assert_eq!(first[0].attempt.execution_id, id);

        let v = view(&store, id).await;
        assert_eq!((v.status, v.started_at), (ExecutionStatus::Running, Some(now + s(2))));
        assert_eq!(
            (view(&store, waiting).await.status, view(&store, waiting).await.started_at),
            (ExecutionStatus::Pending, None)
        );
        let with = |status| ExecutionFilter { status: Some(status), limit: 100, ..Default::default() };
        assert_eq!(list(&store, with(ExecutionStatus::Running)).await, [id]);
        assert_eq!(list(&store, with(ExecutionStatus::Pending)).await, [waiting]);
        assert_eq!(counts(&store).await, count_map(&[("pending", 1), ("running", 1)]));
        let records = store.step_records(&with(ExecutionStatus::Running)).await.unwrap();
        assert_eq!(
            records.iter().map(|r| (r.execution_id, r.execution_status)).collect::<Vec<_>>(),
            [(id, ExecutionStatus::Running)]
        );

        // A retry starts the step again; the execution's start stays the first attempt's.
        let retry = Outcome::Retry { at: now + s(10), error: "boom".into() };
        assert!(complete(&store, first[0].attempt, retry, now + s(3)).await);
        let v = view(&store, id).await;
        assert_eq!((v.status, v.started_at), (ExecutionStatus::Running, Some(now + s(2))));
        let second = store.claim("w1", 1, LEASE, now + s(10)).await.unwrap();
        assert_eq!(second[0].attempt.execution_id, waiting, "the waiting execution was ready first");
        let third = store.claim("w1", 1, LEASE, now + s(11)).await.unwrap();
        assert_eq!(third[0].attempt.attempt, 2);
        assert_eq!(step(&view(&store, id).await, "only").started_at, Some(now + s(11)));
        assert_eq!(view(&store, id).await.started_at, Some(now + s(2)));

        // Finishing (completing, failing, cancelling) keeps the start it read.
        let done = Outcome::Succeeded { output: json!({}) };
        assert!(complete(&store, third[0].attempt, done, now + s(12)).await);
        let v = view(&store, id).await;
        assert_eq!(
            (v.status, v.started_at, v.finished_at),
            (ExecutionStatus::Completed, Some(now + s(2)), Some(now + s(12)))
        );
        assert!(complete(&store, second[0].attempt, Outcome::Failed { error: "bad".into() }, now + s(13)).await);
        let v = view(&store, waiting).await;
        assert_eq!((v.status, v.started_at), (ExecutionStatus::Failed, Some(now + s(10))));
        let cancelled = start_one(&store, &pkg, now + s(20)).await;
        assert_eq!(store.claim("w1", 1, LEASE, now + s(21)).await.unwrap().len(), 1);
        store.control(cancelled, Control::Cancel, None, now + s(22)).await.unwrap();
        let v = view(&store, cancelled).await;
        assert_eq!((v.status, v.started_at), (ExecutionStatus::Cancelled, Some(now + s(21))));
        assert_eq!(counts(&store).await, count_map(&[("cancelled", 1), ("completed", 1), ("failed", 1)]));
    }

    pub async fn paused_ready_steps_do_not_hold_back_others(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, &single("job"), now).await;
        let paused = start(&store, &pkg, 3, now).await;
        for id in &paused {
            store.control(*id, Control::Pause, None, now + s(1)).await.unwrap();
        }
        let other = start_one(&store, &pkg, now + s(2)).await;

        // The paused executions' steps are first in the queue; a claim of one still finds the other's.
        let claimed = store.claim("w", 1, LEASE, now + s(3)).await.unwrap();
        assert_eq!(claimed_keys(&claimed), [(other, "only".into())]);
        assert!(claim_all(&store, "w", now + s(3)).await.is_empty());
        // Being passed over changes nothing a reader sees.
        for id in &paused {
            let v = view(&store, *id).await;
            assert_eq!(step(&v, "only").status, StepStatus::Ready);
            assert_eq!(step(&v, "only").ready_at, Some(now));
        }

        store.control(paused[1], Control::Resume, None, now + s(4)).await.unwrap();
        assert_eq!(step(&view(&store, paused[1]).await, "only").ready_at, Some(now));
        let claimed = claim_all(&store, "w", now + s(5)).await;
        assert_eq!(claimed_keys(&claimed), [(paused[1], "only".into())]);
    }

    pub async fn cancel_cancels_open_steps_and_fences(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, diamond(), now).await;
        let id = start_one(&store, &pkg, now).await;
        let a = claim_all(&store, "w", now).await;

        let status = store.control(id, Control::Cancel, Some("not needed"), now + s(1)).await.unwrap();
        assert_eq!(status, ExecutionStatus::Cancelled);
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Cancelled);
        assert_eq!(v.finished_at, Some(now + s(1)));
        assert!(v.steps.iter().all(|s| s.status == StepStatus::Cancelled), "{v:?}");
        assert_eq!(step(&v, "a").finished_at, Some(now + s(1)));
        assert_eq!(step(&v, "a").lease_owner, None);

        // The running attempt's result is rejected and changes nothing.
        assert_eq!(succeed(&store, &a, now + s(2)).await, [false]);
        assert_eq!(view(&store, id).await, v);
        assert!(claim_all(&store, "w", now + s(3)).await.is_empty());
        assert_eq!(store.queue_depth(now + s(3)).await.unwrap(), 0);

        let records = store.events(id, 0, 1000).await.unwrap();
        let last = records.last().unwrap();
        assert_eq!(last.kind, "execution_cancelled");
        assert_eq!(last.detail, Some(json!({ "reason": "not needed" })));
        assert!(!records.iter().any(|e| e.kind == "step_succeeded"));
    }

    pub async fn controls_are_idempotent(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, diamond(), now).await;
        let id = start_one(&store, &pkg, now).await;

        // Resume on an execution that is not paused holds already.
        assert_eq!(store.control(id, Control::Resume, None, now).await.unwrap(), ExecutionStatus::Pending);
        for i in 0..2 {
            assert_eq!(store.control(id, Control::Pause, None, now + s(1 + i)).await.unwrap(), ExecutionStatus::Paused);
        }
        for i in 0..2 {
            assert_eq!(
                store.control(id, Control::Cancel, None, now + s(3 + i)).await.unwrap(),
                ExecutionStatus::Cancelled
            );
        }
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Cancelled);
        assert_eq!(v.finished_at, Some(now + s(3)), "the repeated cancel changed nothing");
        let log = kinds(&store, id).await;
        assert_eq!(log.iter().filter(|k| *k == "execution_paused").count(), 1, "{log:?}");
        assert_eq!(log.iter().filter(|k| *k == "execution_cancelled").count(), 1, "{log:?}");
        assert!(!log.iter().any(|k| k == "execution_resumed"), "{log:?}");
    }

    pub async fn illegal_controls_are_rejected(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, &single("strict"), now).await;
        let done = start_one(&store, &pkg, now).await;
        let claimed = claim_all(&store, "w", now).await;
        assert_eq!(succeed(&store, &claimed, now + s(1)).await, [true]);
        assert_eq!(view(&store, done).await.status, ExecutionStatus::Completed);

        for control in [Control::Resume, Control::Pause, Control::Cancel, Control::Retry] {
            assert_illegal(store.control(done, control, None, now + s(2)).await);
        }
        let v = view(&store, done).await;
        assert_eq!(v.status, ExecutionStatus::Completed);
        assert_eq!(v.finished_at, Some(now + s(1)));

        let running = start_one(&store, &pkg, now + s(3)).await;
        let claimed = claim_all(&store, "w", now + s(3)).await;
        assert_eq!(claimed.len(), 1);
        assert_illegal(store.control(running, Control::Retry, None, now + s(4)).await);
        assert_eq!(view(&store, running).await.status, ExecutionStatus::Running);
        let pending = start_one(&store, &pkg, now + s(5)).await;
        assert_illegal(store.control(pending, Control::Retry, None, now + s(5)).await);
        assert_eq!(view(&store, pending).await.status, ExecutionStatus::Pending);

        let log = kinds(&store, done).await;
        assert!(
            !log.iter().any(|k| k.starts_with("execution_") && k != "execution_created" && k != "execution_completed"),
            "{log:?}"
        );
    }

    pub async fn retry_control_reruns_failed_steps(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, diamond(), now).await;
        let id = start_one(&store, &pkg, now).await;
        let a = claim_all(&store, "w", now).await;
        assert_eq!(succeed(&store, &a, now + s(1)).await, [true]);
        let bc = claim_all(&store, "w", now + s(2)).await;
        let (b, c) = (find(&bc, id, "b").clone(), find(&bc, id, "c").clone());
        assert!(complete(&store, b.attempt, Outcome::Failed { error: "bad".into() }, now + s(3)).await);
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Failed);
        assert_eq!(
            statuses(&v),
            [
                ("a", StepStatus::Succeeded),
                ("b", StepStatus::Failed),
                ("c", StepStatus::Cancelled),
                ("d", StepStatus::Cancelled)
            ]
        );

        let status = store.control(id, Control::Retry, Some("fixed"), now + s(10)).await.unwrap();
        assert_eq!(status, ExecutionStatus::Running);
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Running);
        assert_eq!((v.finished_at, v.error.as_deref()), (None, None));
        assert_eq!(
            statuses(&v),
            [
                ("a", StepStatus::Succeeded),
                ("b", StepStatus::Ready),
                ("c", StepStatus::Ready),
                ("d", StepStatus::Pending)
            ]
        );
        assert_eq!(step(&v, "a").output, Some(json!({ "step": "a" })), "succeeded output kept");
        assert_eq!(step(&v, "a").attempt, 1);
        assert_eq!(step(&v, "b").ready_at, Some(now + s(10)));
        assert_eq!(step(&v, "b").error, None);
        assert_eq!(step(&v, "b").max_attempts, 1 + 3, "a fresh attempt budget");

        let rerun = claim_all(&store, "w", now + s(11)).await;
        assert_eq!(claimed_keys(&rerun), [(id, "b".into()), (id, "c".into())]);
        assert!(rerun.iter().all(|r| r.attempt.attempt == 2), "attempt numbers keep growing");
        // Stragglers from before the retry stay fenced.
        assert!(!succeed(&store, &[c], now + s(12)).await[0]);
        assert!(!succeed(&store, &[b], now + s(12)).await[0]);

        assert_eq!(succeed(&store, &rerun, now + s(13)).await, [true, true]);
        let d = claim_all(&store, "w", now + s(14)).await;
        assert_eq!(claimed_keys(&d), [(id, "d".into())]);
        assert_eq!(d[0].outputs.len(), 3);
        assert_eq!(succeed(&store, &d, now + s(15)).await, [true]);
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Completed);
        assert_eq!(v.finished_at, Some(now + s(15)));
        assert!(v.steps.iter().all(|s| s.status == StepStatus::Succeeded));

        let log = kinds(&store, id).await;
        let retried = log.iter().position(|k| k == "execution_retried").expect("retried event");
        let failed = log.iter().position(|k| k == "execution_failed").unwrap();
        assert!(failed < retried);
        assert_eq!(log.last().map(String::as_str), Some("execution_completed"));

        // A cancelled execution can be retried as well.
        let other = start_one(&store, &pkg, now + s(20)).await;
        store.control(other, Control::Cancel, None, now + s(20)).await.unwrap();
        assert_eq!(store.control(other, Control::Retry, None, now + s(21)).await.unwrap(), ExecutionStatus::Running);
        let v = view(&store, other).await;
        assert_eq!(step(&v, "a").status, StepStatus::Ready);
        assert_eq!(claimed_keys(&claim_all(&store, "w", now + s(22)).await), [(other, "a".into())]);
    }

    // --- concurrency ----------------------------------------------------------------------

    pub async fn concurrent_claims_never_overlap(store: Arc<dyn Store>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let now = now();
        let pkg = register(&store, diamond(), now).await;
        let ids = start(&store, &pkg, 20, now).await;
        let total = ids.len() * 4;
        let claims = Arc::new(std::sync::Mutex::new(Vec::<(StepAttempt, String)>::new()));
        let finished = Arc::new(AtomicUsize::new(0));

        let mut tasks = Vec::new();
        for w in 0..8 {
            let store = store.clone();
            let claims = claims.clone();
            let finished = finished.clone();
            tasks.push(tokio::spawn(async move {
                let worker = format!("worker-{w}");
                while finished.load(Ordering::SeqCst) < total {
                    let got = store.claim(&worker, 3, LEASE, now).await.expect("claim");
                    if got.is_empty() {
                        tokio::task::yield_now().await;
                        continue;
                    }
                    claims.lock().unwrap().extend(got.iter().map(|c| (c.attempt, worker.clone())));
                    let accepted = succeed(&store, &got, now).await;
                    assert!(accepted.iter().all(|a| *a), "{worker}: {accepted:?}");
                    finished.fetch_add(got.len(), Ordering::SeqCst);
                }
            }));
        }
        tokio::time::timeout(Duration::from_secs(120), async {
            for t in tasks {
                t.await.expect("worker task");
            }
        })
        .await
        .expect("workers finished in time");

        let claims = claims.lock().unwrap().clone();
        assert_eq!(claims.len(), total, "every step claimed exactly once");
        let distinct: BTreeSet<(Uuid, u16)> = claims.iter().map(|(a, _)| (a.execution_id, a.step.0)).collect();
        assert_eq!(distinct.len(), total, "no step claimed twice");
        assert!(claims.iter().all(|(a, _)| a.attempt == 1));
        for id in &ids {
            let v = view(&store, *id).await;
            assert_eq!(v.status, ExecutionStatus::Completed, "{v:?}");
            assert!(v.steps.iter().all(|s| s.attempt == 1));
        }
        assert_eq!(counts(&store).await, count_map(&[("completed", 20)]));
    }

    // --- maintenance ----------------------------------------------------------------------

    pub async fn schedule_tick_fires_once(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, &single("nightly"), now).await;
        let tick = now;
        assert_eq!(store.last_schedule_tick("nightly", "run").await.unwrap(), None);

        let fired = store.fire_schedule("run", tick, &new_execution(&pkg), now + s(1)).await.unwrap();
        let id = fired.expect("the first firing starts an execution");
        let again = store.fire_schedule("run", tick, &new_execution(&pkg), now + s(2)).await.unwrap();
        assert_eq!(again, None, "the same tick never fires twice");
        assert_eq!(list(&store, all(100)).await, [id]);
        let v = view(&store, id).await;
        assert_eq!(v.status, ExecutionStatus::Pending);
        assert_eq!(v.created_at, now + s(1));
        assert_eq!(step(&v, "only").status, StepStatus::Ready);
        assert_eq!(store.last_schedule_tick("nightly", "run").await.unwrap(), Some(tick));
        assert_eq!(store.last_schedule_tick("nightly", "other").await.unwrap(), None);
        assert_eq!(store.last_schedule_tick("daily", "run").await.unwrap(), None);

        // Another schedule of the same package, and the next tick, fire independently.
        let other = store
            .fire_schedule("other", tick, &new_execution(&pkg), now + s(3))
            .await
            .unwrap()
            .expect("another schedule");
        let next = store
            .fire_schedule("run", tick + s(3600), &new_execution(&pkg), now + s(3600))
            .await
            .unwrap()
            .expect("the next tick");
        assert!(other != id && next != id && next != other);
        assert_eq!(store.last_schedule_tick("nightly", "run").await.unwrap(), Some(tick + s(3600)));
        assert_eq!(list(&store, all(100)).await.len(), 3);
        assert_eq!(claim_all(&store, "w", now + s(3600)).await.len(), 3);

        // Nodes racing for one tick: exactly one wins.
        let mut tasks = Vec::new();
        for i in 0..8 {
            let store = store.clone();
            let new = new_execution(&pkg);
            tasks.push(tokio::spawn(async move {
                store.fire_schedule("run", tick + s(7200), &new, now + s(7200 + i)).await.expect("fire")
            }));
        }
        let mut winners = Vec::new();
        for t in tasks {
            winners.extend(t.await.expect("task"));
        }
        assert_eq!(winners.len(), 1, "{winners:?}");
        assert_eq!(list(&store, all(100)).await.len(), 4);
        assert_eq!(store.last_schedule_tick("nightly", "run").await.unwrap(), Some(tick + s(7200)));
    }

    pub async fn fail_exhausted_fails_lost_last_attempts(store: Arc<dyn Store>) {
        let now = now();
        let fragile_src = r#"
name = "fragile"

[[steps]]
id = "a"
handler = "work"
retry = { max_attempts = 1 }

[[steps]]
id = "b"
handler = "work"
depends_on = ["a"]
"#;
        let sturdy_src = r#"
name = "sturdy"

[retry]
max_attempts = 2

[[steps]]
id = "only"
handler = "work"
"#;
        let fragile = register(&store, fragile_src, now).await;
        let sturdy = register(&store, sturdy_src, now).await;
        let f = start_one(&store, &fragile, now).await;
        let st = start_one(&store, &sturdy, now).await;
        let lease = Duration::from_secs(30);
        let claimed = store.claim("w", 10, lease, now).await.unwrap();
        assert_eq!(claimed_keys(&claimed).len(), 2);
        assert_eq!(find(&claimed, f, "a").max_attempts, 1);

        assert_eq!(store.fail_exhausted(now + s(29)).await.unwrap(), 0, "leases still live");
        // At expiry the last attempt is not re-claimed; the one with attempts left is.
        let reclaimed = store.claim("w2", 10, lease, now + s(30)).await.unwrap();
        assert_eq!(claimed_keys(&reclaimed), [(st, "only".into())]);
        assert_eq!(reclaimed[0].attempt.attempt, 2);

        assert_eq!(store.fail_exhausted(now + s(30)).await.unwrap(), 1);
        let v = view(&store, f).await;
        assert_eq!(v.status, ExecutionStatus::Failed);
        assert_eq!(v.finished_at, Some(now + s(30)));
        assert!(v.error.is_some());
        let a = step(&v, "a");
        assert_eq!((a.status, a.attempt), (StepStatus::Failed, 1));
        assert!(a.error.is_some());
        assert_eq!(step(&v, "b").status, StepStatus::Cancelled);
        let records = store.events(f, 0, 1000).await.unwrap();
        let tail: Vec<(&str, Option<&str>, Option<i32>)> =
            records[records.len() - 2..].iter().map(|e| (e.kind.as_str(), e.step_id.as_deref(), e.attempt)).collect();
        assert_eq!(tail, [("step_lease_expired", Some("a"), Some(1)), ("execution_failed", Some("a"), None)]);
        // The worker that lost the step cannot complete it any more.
        assert!(!succeed(&store, &[find(&claimed, f, "a").clone()], now + s(31)).await[0]);
        assert_eq!(view(&store, st).await.status, ExecutionStatus::Running);
        assert_eq!(store.fail_exhausted(now + s(31)).await.unwrap(), 0, "already failed");

        // The sturdy step's second (last) attempt expires too.
        assert!(store.claim("w3", 10, lease, now + s(60)).await.unwrap().is_empty());
        assert_eq!(store.fail_exhausted(now + s(60)).await.unwrap(), 1);
        let v = view(&store, st).await;
        assert_eq!(v.status, ExecutionStatus::Failed);
        assert_eq!((step(&v, "only").status, step(&v, "only").attempt), (StepStatus::Failed, 2));
        assert_eq!(counts(&store).await, count_map(&[("failed", 2)]));
    }

    pub async fn delete_finished_before_keeps_open_executions(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, &single("retained"), now).await;
        let ids = start(&store, &pkg, 5, now).await;
        let (a, b, c, d, e) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
        let claimed = claim_all(&store, "w", now).await;
        assert_eq!(claimed.len(), 5);
        let attempt = |id: Uuid| find(&claimed, id, "only").attempt;

        assert!(complete(&store, attempt(a), Outcome::Succeeded { output: json!(1) }, now + s(10)).await);
        assert!(complete(&store, attempt(b), Outcome::Failed { error: "x".into() }, now + s(20)).await);
        store.control(e, Control::Cancel, None, now + s(30)).await.unwrap();
        assert!(complete(&store, attempt(d), Outcome::Succeeded { output: json!(4) }, now + s(100)).await);
        // c stays running.

        // Oldest first, at most `limit`.
        assert_eq!(store.delete_finished_before(now + s(50), 2).await.unwrap(), 2);
        assert!(store.execution(a).await.unwrap().is_none());
        assert!(store.execution(b).await.unwrap().is_none());
        assert!(store.execution(e).await.unwrap().is_some());
        assert_eq!(store.delete_finished_before(now + s(50), 100).await.unwrap(), 1);
        for gone in [a, b, e] {
            assert!(store.execution(gone).await.unwrap().is_none());
            assert!(store.events(gone, 0, 1000).await.unwrap().is_empty(), "events of {gone} deleted");
        }
        assert_eq!(view(&store, c).await.status, ExecutionStatus::Running);
        assert_eq!(view(&store, d).await.status, ExecutionStatus::Completed);
        assert!(!events(&store, d).await.is_empty());
        assert_eq!(store.delete_finished_before(now + s(100), 100).await.unwrap(), 0, "strictly before");

        assert_eq!(store.delete_finished_before(now + s(1000), 100).await.unwrap(), 1);
        assert!(store.execution(d).await.unwrap().is_none());
        let v = view(&store, c).await;
        assert_eq!(v.status, ExecutionStatus::Running);
        assert_eq!(v.steps.len(), 1);
        assert_eq!(list(&store, all(100)).await, [c]);
        assert_eq!(counts(&store).await, count_map(&[("running", 1)]));
        // The running step is intact and can finish.
        assert!(complete(&store, attempt(c), Outcome::Skipped, now + s(1001)).await);
        assert_eq!(view(&store, c).await.status, ExecutionStatus::Completed);
    }

    // --- reads ----------------------------------------------------------------------------

    pub async fn list_executions_filters_and_pages(store: Arc<dyn Store>) {
        let now = now();
        let alpha = register(&store, &single("alpha"), now).await;
        let beta = register(&store, &single("beta"), now).await;
        let mut ids = Vec::new();
        for (i, (pkg, by)) in [(&alpha, "alice"), (&beta, "bob"), (&alpha, "bob"), (&beta, "bob"), (&alpha, "alice")]
            .into_iter()
            .enumerate()
        {
            let new = NewExecution { created_by: Some(by.into()), ..new_execution(pkg) };
            ids.push(store.start_executions(&[new], now + s(i as i64)).await.unwrap()[0].execution_id);
        }
        let (alpha1, beta1, alpha2, beta2, alpha3) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
        store.control(alpha2, Control::Cancel, None, now + s(10)).await.unwrap();

        assert_eq!(list(&store, all(100)).await, [alpha3, beta2, alpha2, beta1, alpha1], "newest first");
        let with = |f: ExecutionFilter| ExecutionFilter { limit: 100, ..f };
        assert_eq!(
            list(&store, with(ExecutionFilter { status: Some(ExecutionStatus::Cancelled), ..Default::default() }))
                .await,
            [alpha2]
        );
        assert_eq!(
            list(&store, with(ExecutionFilter { status: Some(ExecutionStatus::Pending), ..Default::default() })).await,
            [alpha3, beta2, beta1, alpha1]
        );
        assert!(list(&store, with(ExecutionFilter { status: Some(ExecutionStatus::Running), ..Default::default() }))
            .await
            .is_empty());
        assert_eq!(
            list(&store, with(ExecutionFilter { package_name: Some("alpha".into()), ..Default::default() })).await,
            [alpha3, alpha2, alpha1]
        );
        assert_eq!(
            list(
                &store,
                with(ExecutionFilter {
                    package_name: Some("beta".into()),
                    status: Some(ExecutionStatus::Pending),
                    ..Default::default()
                })
            )
            .await,
            [beta2, beta1]
        );
        assert_eq!(
            list(&store, with(ExecutionFilter { created_by: Some("alice".into()), ..Default::default() })).await,
            [alpha3, alpha1]
        );
        assert_eq!(
            list(&store, with(ExecutionFilter { created_after: Some(now + s(2)), ..Default::default() })).await,
            [alpha3, beta2, alpha2]
        );
        assert_eq!(
            list(&store, with(ExecutionFilter { created_before: Some(now + s(2)), ..Default::default() })).await,
            [beta1, alpha1]
        );

        // Paging by cursor.
        let page1 = list(&store, all(2)).await;
        assert_eq!(page1, [alpha3, beta2]);
        let page2 = list(&store, ExecutionFilter { before_id: Some(page1[1]), ..all(2) }).await;
        assert_eq!(page2, [alpha2, beta1]);
        let page3 = list(&store, ExecutionFilter { before_id: Some(page2[1]), ..all(2) }).await;
        assert_eq!(page3, [alpha1]);
        assert!(list(&store, ExecutionFilter { before_id: Some(alpha1), ..all(2) }).await.is_empty());
        assert_eq!(
            list(&store, ExecutionFilter { before_id: Some(beta2), package_name: Some("alpha".into()), ..all(100) })
                .await,
            [alpha2, alpha1]
        );

        let summaries = store.list_executions(&all(100)).await.unwrap();
        let cancelled = summaries.iter().find(|e| e.id == alpha2).unwrap();
        assert_eq!(cancelled.package_name, "alpha");
        assert_eq!(cancelled.package_version, 1);
        assert_eq!(cancelled.status, ExecutionStatus::Cancelled);
        assert_eq!(cancelled.created_by.as_deref(), Some("bob"));
        assert_eq!(cancelled.created_at, now + s(2));
        assert_eq!(cancelled.finished_at, Some(now + s(10)));
        let open = summaries.iter().find(|e| e.id == beta1).unwrap();
        assert_eq!((open.status, open.finished_at), (ExecutionStatus::Pending, None));

        // By a parameter's value, compared as text whatever its JSON type.
        let mut with_params = Vec::new();
        for params in [
            json!({ "property_id": "P-1", "listing_price": 2500000, "urgent": true }),
            json!({ "property_id": "P-2", "listing_price": 1800000, "urgent": false, "note": "P-1" }),
        ] {
            let new = NewExecution { params, ..new_execution(&alpha) };
            with_params.push(store.start_executions(&[new], now + s(20)).await.unwrap()[0].execution_id);
        }
        let by = |k: &str, v: &str| ExecutionFilter { param: Some((k.into(), v.into())), ..all(100) };
        assert_eq!(list(&store, by("property_id", "P-1")).await, [with_params[0]], "a top-level key only");
        assert_eq!(list(&store, by("listing_price", "1800000")).await, [with_params[1]]);
        assert_eq!(list(&store, by("urgent", "true")).await, [with_params[0]]);
        assert_eq!(list(&store, by("urgent", "false")).await, [with_params[1]]);
        assert!(list(&store, by("property_id", "P-3")).await.is_empty());
        assert!(list(&store, by("missing", "P-1")).await.is_empty());
        let steps = store.step_records(&by("property_id", "P-2")).await.unwrap();
        assert!(!steps.is_empty() && steps.iter().all(|st| st.execution_id == with_params[1]), "{steps:?}");
    }

    pub async fn counts_and_queue_depth(store: Arc<dyn Store>) {
        let now = now();
        assert!(store.execution_counts().await.unwrap().is_empty());
        assert_eq!(store.queue_depth(now).await.unwrap(), 0);

        let job = register(&store, &single("job"), now).await;
        let later = register(&store, &delayed_root("later", "60s"), now).await;
        let jobs = start(&store, &job, 3, now).await;
        let delayed = start_one(&store, &later, now).await;
        assert_eq!(counts(&store).await, count_map(&[("pending", 4)]));
        assert_eq!(store.queue_depth(now).await.unwrap(), 3, "the delayed step is not due");
        assert_eq!(store.queue_depth(now + s(60)).await.unwrap(), 4);

        let claimed = store.claim("w", 1, LEASE, now).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(store.queue_depth(now).await.unwrap(), 2, "running steps are not queued");
        assert_eq!(counts(&store).await, count_map(&[("pending", 3), ("running", 1)]));

        assert_eq!(succeed(&store, &claimed, now + s(1)).await, [true]);
        assert_eq!(counts(&store).await, count_map(&[("completed", 1), ("pending", 3)]));

        let waiting: Vec<Uuid> = jobs.iter().copied().filter(|id| *id != claimed[0].attempt.execution_id).collect();
        store.control(waiting[0], Control::Pause, None, now + s(2)).await.unwrap();
        assert_eq!(store.queue_depth(now + s(2)).await.unwrap(), 1, "paused executions are not queued");
        assert_eq!(counts(&store).await, count_map(&[("completed", 1), ("paused", 1), ("pending", 2)]));
        store.control(delayed, Control::Cancel, None, now + s(3)).await.unwrap();
        assert_eq!(store.queue_depth(now + s(60)).await.unwrap(), 1);
        assert_eq!(
            counts(&store).await,
            count_map(&[("cancelled", 1), ("completed", 1), ("paused", 1), ("pending", 1)])
        );
    }

    pub async fn claimed_steps_carry_dependency_outputs(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, diamond(), now).await;
        let id = store
            .start_executions(&[NewExecution { params: json!({ "n": 7 }), ..new_execution(&pkg) }], now)
            .await
            .unwrap()[0]
            .execution_id;
        // Another execution of the same package: its outputs must not leak.
        let other = start_one(&store, &pkg, now).await;

        let roots = claim_all(&store, "w", now).await;
        assert_eq!(roots.len(), 2);
        assert!(roots.iter().all(|r| r.outputs.is_empty()), "a root has no dependencies");
        let batch: Vec<Completion> = roots
            .iter()
            .map(|r| Completion {
                attempt: r.attempt,
                package: r.package.clone(),
                outcome: Outcome::Succeeded {
                    output: json!({ "from": "a", "exec": r.attempt.execution_id.to_string() }),
                },
            })
            .collect();
        assert_eq!(store.complete(&batch, now + s(1)).await.unwrap(), [true, true]);

        let bc = claim_all(&store, "w", now + s(2)).await;
        assert_eq!(bc.len(), 4);
        for c in &bc {
            let expected: serde_json::Map<String, Value> =
                [("a".to_string(), json!({ "from": "a", "exec": c.attempt.execution_id.to_string() }))]
                    .into_iter()
                    .collect();
            assert_eq!(c.outputs, expected, "{}", step_id(c));
        }
        let b = find(&bc, id, "b");
        assert_eq!(b.params, json!({ "n": 7 }));
        assert!(complete(&store, b.attempt, Outcome::Succeeded { output: json!([1, 2]) }, now + s(3)).await);
        assert!(complete(&store, find(&bc, id, "c").attempt, Outcome::Skipped, now + s(3)).await);

        let d = claim_all(&store, "w", now + s(4)).await;
        assert_eq!(claimed_keys(&d), [(id, "d".into())]);
        let expected: serde_json::Map<String, Value> =
            [("a".to_string(), json!({ "from": "a", "exec": id.to_string() })), ("b".to_string(), json!([1, 2]))]
                .into_iter()
                .collect();
        assert_eq!(d[0].outputs, expected, "skipped steps have no output");
        assert_eq!(view(&store, other).await.status, ExecutionStatus::Running);
    }

    /// The hand-off: saving a completion claims, in the same call, the successors it made ready
    /// (with their dependency outputs), at most `max`, and only for the current attempt.
    pub async fn complete_and_claim_hands_off_the_successors(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, diamond(), now).await;
        let id = start_one(&store, &pkg, now).await;
        let a = claim_all(&store, "w", now).await;
        assert_eq!(a.len(), 1);
        let done = Completion {
            attempt: a[0].attempt,
            package: a[0].package.clone(),
            outcome: Outcome::Succeeded { output: json!({ "a": 1 }) },
        };
        let (accepted, handed) =
            store.complete_and_claim(std::slice::from_ref(&done), "w", 1, LEASE, now + s(1)).await.unwrap();
        assert_eq!(accepted, [true]);
        assert_eq!(handed.len(), 1, "at most max");
        assert_eq!(handed[0].attempt.attempt, 1);
        assert_eq!(handed[0].outputs.get("a"), Some(&json!({ "a": 1 })), "the dependency's output comes along");
        let first = step_id(&handed[0]).to_string();
        assert!(first == "b" || first == "c", "{first}");
        assert_eq!(view(&store, id).await.steps.iter().filter(|s| s.status == StepStatus::Running).count(), 1);

        // The same completion again is fenced; with nothing left to claim but the other branch.
        let (accepted, rest) = store.complete_and_claim(&[done], "w", 10, LEASE, now + s(2)).await.unwrap();
        assert_eq!(accepted, [false]);
        assert_eq!(rest.len(), 1);
        assert_ne!(step_id(&rest[0]), first);

        // max 0 saves without claiming.
        let batch: Vec<Completion> = handed
            .iter()
            .chain(&rest)
            .map(|c| Completion {
                attempt: c.attempt,
                package: c.package.clone(),
                outcome: Outcome::Succeeded { output: json!({}) },
            })
            .collect();
        let (accepted, none) = store.complete_and_claim(&batch, "w", 0, LEASE, now + s(3)).await.unwrap();
        assert_eq!((accepted, none.len()), (vec![true, true], 0));
        let d = claim_all(&store, "w", now + s(4)).await;
        assert_eq!(claimed_keys(&d), [(id, "d".into())]);
    }

    /// A fenced completion counts toward nothing: a repeat of a finished dependency's completion,
    /// alone or beside the current one in a batch, neither frees the join nor counts down the execution.
    pub async fn fenced_completions_free_no_successor(store: Arc<dyn Store>) {
        let now = now();
        let pkg = register(&store, diamond(), now).await;
        let id = start_one(&store, &pkg, now).await;
        let a = claim_all(&store, "w", now).await;
        assert_eq!(succeed(&store, &a, now + s(1)).await, [true]);
        let bc = claim_all(&store, "w", now + s(2)).await;
        let b = find(&bc, id, "b").clone();
        let c = find(&bc, id, "c").clone();
        assert_eq!(succeed(&store, &[b.clone()], now + s(3)).await, [true]);

        assert_eq!(succeed(&store, &[b.clone()], now + s(4)).await, [false]);
        assert_eq!(succeed(&store, &[b.clone(), a[0].clone()], now + s(4)).await, [false, false]);
        let v = view(&store, id).await;
        assert_eq!(step(&v, "d").status, StepStatus::Pending, "d still waits for c");
        assert!(claim_all(&store, "w", now + s(4)).await.is_empty());

        assert_eq!(succeed(&store, &[b, c], now + s(5)).await, [false, true]);
        assert_eq!(step(&view(&store, id).await, "d").status, StepStatus::Ready);
        let d = claim_all(&store, "w", now + s(6)).await;
        assert_eq!(succeed(&store, &d, now + s(7)).await, [true]);
        assert_eq!(view(&store, id).await.status, ExecutionStatus::Completed);
    }
}

crate::store_test!(cases::packages_are_versioned);
crate::store_test!(cases::complete_and_claim_hands_off_the_successors);
crate::store_test!(cases::fenced_completions_free_no_successor);
crate::store_test!(cases::unknown_names_are_not_found);
crate::store_test!(cases::start_makes_roots_ready);
crate::store_test!(cases::idempotency_key_yields_one_execution);
crate::store_test!(cases::claim_takes_only_due_ready_steps);
crate::store_test!(cases::claim_marks_running_and_counts_attempts);
crate::store_test!(cases::claim_respects_max_and_priority);
crate::store_test!(cases::diamond_joins_and_completes);
crate::store_test!(cases::skipped_counts_as_done);
crate::store_test!(cases::delay_defers_the_successor);
crate::store_test!(cases::retry_outcome_reschedules_the_step);
crate::store_test!(cases::failed_step_fails_the_execution);
crate::store_test!(cases::expired_lease_is_reclaimed_and_fenced);
crate::store_test!(cases::duplicate_completions_in_a_batch_apply_once);
crate::store_test!(cases::heartbeat_extends_lease_and_reports_lost);
crate::store_test!(cases::release_returns_the_step_without_spending_the_attempt);
crate::store_test!(cases::pause_stops_claims_until_resume);
crate::store_test!(cases::paused_ready_steps_do_not_hold_back_others);
crate::store_test!(cases::execution_start_is_its_first_step_start);
crate::store_test!(cases::cancel_cancels_open_steps_and_fences);
crate::store_test!(cases::controls_are_idempotent);
crate::store_test!(cases::illegal_controls_are_rejected);
crate::store_test!(cases::retry_control_reruns_failed_steps);
crate::store_test!(cases::concurrent_claims_never_overlap);
crate::store_test!(cases::schedule_tick_fires_once);
crate::store_test!(cases::fail_exhausted_fails_lost_last_attempts);
crate::store_test!(cases::delete_finished_before_keeps_open_executions);
crate::store_test!(cases::list_executions_filters_and_pages);
crate::store_test!(cases::counts_and_queue_depth);
crate::store_test!(cases::claimed_steps_carry_dependency_outputs);
