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
    Worker(
        Command::new(env!("CARGO_BIN_EXE_aura"))
            .arg("worker")
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
