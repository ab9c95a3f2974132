//! Crash test: real `aura worker` processes share one PostgreSQL database; one is killed with
//! SIGKILL while it holds steps. Every execution must still complete, every step checkpointed
//! exactly once, and the survivor must shut down cleanly on SIGTERM.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::{ExecutionStatus, StepStatus};
use serde_json::json;

const PACKAGE: &str = r#"
name = "crash_test"
[[steps]]
id = "a"
handler = "sleep"
input = { ms = 400 }
[[steps]]
id = "b"
handler = "sleep"
depends_on = ["a"]
input = { ms = 400 }
[[steps]]
id = "c"
handler = "sleep"
depends_on = ["a"]
input = { ms = 400 }
[[steps]]
id = "d"
handler = "noop"
depends_on = ["b", "c"]
"#;

/// Kills the worker process if the test fails before it does (no orphans on a red run).
struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn admin_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn spawn_worker(url: &str, packages: &std::path::Path, id: &str) -> Worker {
    spawn_worker_with(url, packages, id, &[])
}

fn spawn_worker_with(url: &str, packages: &std::path::Path, id: &str, env: &[(&str, &str)]) -> Worker {
    Worker(
        Command::new(env!("CARGO_BIN_EXE_aura"))
            .arg("worker")
            .envs(env.iter().copied())
            .env("AURA_DATABASE_URL", url)
            .env("AURA_PACKAGES_DIR", packages)
            .env("AURA_WORKER_ID", id)
            .env("AURA_WORKER_CONCURRENCY", "4")
            .env("AURA_LEASE", "3s")
            .env("AURA_HEARTBEAT", "500ms")
            .env("AURA_POLL", "200ms")
            .env("AURA_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn aura worker"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_worker_loses_nothing() {
    let name = format!("aura_crash_{}", std::process::id());
    let url = store::postgres::create_database(&admin_url(), &name)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is required at {} for the crash test: {e}", admin_url()));
    let dir = std::env::temp_dir().join(&name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("crash_test.toml"), PACKAGE).unwrap();

    let mut victim = spawn_worker(&url, &dir, "crash-victim");
    let mut survivor = spawn_worker(&url, &dir, "crash-survivor");

    let store: Arc<dyn store::Store> = Arc::new(store::postgres::PgStore::connect(&url).await.unwrap());
    let deadline = Instant::now() + Duration::from_secs(30);
    while store.migrate().await.is_err() || store.package("crash_test", None).await.ok().flatten().is_none() {
        assert!(Instant::now() < deadline, "workers did not register the package");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rt = runtime::Runtime::new(store.clone(), runtime::Registry::with_builtins());
    let mut ids = Vec::new();
    for _ in 0..16 {
        ids.push(
            rt.trigger(runtime::Trigger { package: "crash_test".into(), params: json!({}), ..Default::default() })
                .await
                .unwrap()
                .execution_id,
        );
    }

    // Kill the victim while it holds a running step.
    let deadline = Instant::now() + Duration::from_secs(30);
    'wait: loop {
        assert!(Instant::now() < deadline, "the victim never held a step");
        for id in &ids {
            let view = store.execution(*id).await.unwrap().unwrap();
            if view
                .steps
                .iter()
                .any(|s| s.status == StepStatus::Running && s.lease_owner.as_deref() == Some("crash-victim"))
            {
                break 'wait;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    victim.0.kill().expect("SIGKILL");
    victim.0.wait().unwrap();

    let deadline = Instant::now() + Duration::from_secs(90);
    for id in &ids {
        loop {
            let view = store.execution(*id).await.unwrap().unwrap();
            if view.status.is_terminal() {
                break;
            }
            assert!(Instant::now() < deadline, "execution {id} did not finish: {view:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    let mut reclaimed = 0;
    for id in &ids {
        let view = store.execution(*id).await.unwrap().unwrap();
        assert_eq!(view.status, ExecutionStatus::Completed, "{view:?}");
        let events = store.events(*id, 0, 1000).await.unwrap();
        for step in &view.steps {
            assert_eq!(step.status, StepStatus::Succeeded);
            let checkpoints = events
                .iter()
                .filter(|e| e.kind == "step_succeeded" && e.step_id.as_deref() == Some(&step.step_id))
                .count();
            assert_eq!(checkpoints, 1, "step {} of {id} checkpointed {checkpoints} times", step.step_id);
            if step.attempt > 1 {
                reclaimed += 1;
            }
        }
    }
    assert!(reclaimed >= 1, "the killed worker's step was re-run elsewhere");

    // The survivor drains and exits cleanly on SIGTERM.
    let status = Command::new("kill").arg("-TERM").arg(survivor.0.id().to_string()).status().unwrap();
    assert!(status.success());
    let exit = survivor.0.wait().unwrap();
    assert!(exit.success(), "survivor exit: {exit:?}");

    drop(rt);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = store::postgres::drop_database(&admin_url(), &name).await;
}

/// The issue's demonstration: a worker running the New Listing package is killed mid-run; the other
/// worker finishes every execution from its checkpoints, each step checkpointed exactly once, and
/// the deliverables are there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_worker_mid_new_listing_finishes_from_checkpoints() {
    let name = format!("aura_crash_nl_{}", std::process::id());
    let url = store::postgres::create_database(&admin_url(), &name)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is required at {} for the crash test: {e}", admin_url()));
    let dir = std::env::temp_dir().join(&name);
    std::fs::create_dir_all(&dir).unwrap();
    let compliance = dir.join("compliance.toml");
    std::fs::write(&compliance, "orn = \"12345\"\nbrn = \"67890\"\n").unwrap();
    let packages = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../packages");
    let env = [("AURA_COMPLIANCE_CONFIG", compliance.to_str().unwrap())];
    // The victim works alone until it is killed, so it is surely holding a step then.
    let mut victim = spawn_worker_with(&url, &packages, "nl-victim", &env);

    let store: Arc<dyn store::Store> = Arc::new(store::postgres::PgStore::connect(&url).await.unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    while store.migrate().await.is_err() || store.package("new_listing_package", None).await.ok().flatten().is_none() {
        assert!(Instant::now() < deadline, "workers did not register the packages");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rt = runtime::Runtime::new(store.clone(), runtime::Registry::with_builtins());
    let mut ids = Vec::new();
    for i in 0..4 {
        let property = json!({
            "reference": format!("CRASH-{i}"), "community": "Dubai Marina", "building": "Marina Gate",
            "property_type": "apartment", "bedrooms": 2, "bathrooms": 2, "size_sqft": 1250,
            "asking_price": 2_400_000, "permit_number": "7112345678", "features": ["Sea view", "Balcony", "Gym"],
        });
        let t = runtime::Trigger {
            package: "new_listing_package".into(),
            params: json!({ "property": property, "listing_price": 2_400_000 + i * 10_000 }),
            ..Default::default()
        };
        ids.push(rt.trigger(t).await.unwrap().execution_id);
    }

    // SIGKILL the victim while it holds a step of a listing.
    let deadline = Instant::now() + Duration::from_secs(120);
    'wait: loop {
        assert!(Instant::now() < deadline, "the victim never held a step");
        for id in &ids {
            let view = store.execution(*id).await.unwrap().unwrap();
            if view
                .steps
                .iter()
                .any(|s| s.status == StepStatus::Running && s.lease_owner.as_deref() == Some("nl-victim"))
            {
                break 'wait;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    victim.0.kill().expect("SIGKILL");
    victim.0.wait().unwrap();
    let survivor = spawn_worker_with(&url, &packages, "nl-survivor", &env);

    let deadline = Instant::now() + Duration::from_secs(180);
    for id in &ids {
        loop {
            let view = store.execution(*id).await.unwrap().unwrap();
            if view.status.is_terminal() {
                break;
            }
            assert!(Instant::now() < deadline, "execution {id} did not finish: {view:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let mut reclaimed = 0;
    for id in &ids {
        let view = store.execution(*id).await.unwrap().unwrap();
        assert_eq!(view.status, ExecutionStatus::Completed, "{view:?}");
        let events = store.events(*id, 0, 1000).await.unwrap();
        for step in &view.steps {
            assert_eq!(step.status, StepStatus::Succeeded, "{}", step.step_id);
            let checkpoints = events
                .iter()
                .filter(|e| e.kind == "step_succeeded" && e.step_id.as_deref() == Some(&step.step_id))
                .count();
            assert_eq!(checkpoints, 1, "step {} of {id} checkpointed {checkpoints} times", step.step_id);
            reclaimed += usize::from(step.attempt > 1);
        }
        let review = view.steps.iter().find(|s| s.step_id == "final_review").unwrap();
        assert_eq!(review.output.as_ref().unwrap()["passed"], true);
    }
    assert!(reclaimed >= 1, "the killed worker's step was re-run by the survivor");
    drop(survivor);
    drop(rt);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = store::postgres::drop_database(&admin_url(), &name).await;
}
