//! `aura run`: trigger an execution and, with `--wait`, follow it to the end with a progress bar.

use std::io::Write;
use std::time::Duration;

use anyhow::bail;
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use crate::cli::RunArgs;
use crate::config::Config;

pub async fn run(args: RunArgs) -> anyhow::Result<std::process::ExitCode> {
    let config = Config::load()?;
    let (rt, _stores, _estate) = crate::open_runtime(&config).await?;
    if config.packages_dir.is_dir() {
        if let Err(errors) = rt.register_dir(&config.packages_dir).await {
            for e in &errors {
                eprintln!("{e}");
            }
            bail!("invalid package files");
        }
    }
    let started = match rt
        .trigger(runtime::Trigger {
            package: args.package.clone(),
            params: Value::Object(args.params.into_iter().collect::<Map<String, Value>>()),
            priority: args.priority,
            // Operators have their own namespace, apart from users' keys and the routes' internal ones.
            idempotency_key: args.idempotency_key.map(|k| format!("cli/{}/{k}", args.package)),
            created_by: Some("cli".into()),
            team_id: None,
        })
        .await
    {
        Ok(s) => s,
        Err(runtime::Error::InvalidParameters(errors)) => {
            for e in errors {
                eprintln!("parameter {e}");
            }
            return Ok(std::process::ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    println!(
        "execution {} ({})",
        started.execution_id,
        if started.created { "started" } else { "already existed for this idempotency key" }
    );
    if !args.wait {
        return Ok(std::process::ExitCode::SUCCESS);
    }

    // A local worker makes `--wait` work without a server; with one running, both share the work.
    let stop = CancellationToken::new();
    let node = (!args.no_worker).then(|| {
        let mut node = config.node(crate::worker_id());
        node.schedules = false;
        tokio::spawn(runtime::run_node(rt.clone(), node, stop.clone()))
    });
    let status = follow(&rt, started.execution_id).await;
    stop.cancel();
    if let Some(node) = node {
        let _ = node.await;
    }
    let view = status?;
    let e = &view.execution;
    eprintln!();
    println!("status: {}", e.status);
    if let Some(error) = &e.error {
        println!("error: {error}");
    }
    if !view.package.deliverables.is_empty() {
        println!("deliverables:");
    }
    for d in &view.package.deliverables {
        let st = &e.steps[d.step.index()];
        let record = st.output.as_ref().and_then(|o| o["record_id"].as_str()).unwrap_or("-");
        println!("  {:<22} {:<8} record {record}", d.name, st.status.as_str());
        let files = st.output.as_ref().and_then(|o| o["files"].as_array().cloned()).unwrap_or_default();
        for f in files {
            let name = f["filename"].as_str().or(f["platform"].as_str()).unwrap_or("file");
            println!("  {:<22}          {name}: {}", "", f["url"].as_str().unwrap_or("-"));
        }
    }
    Ok(if e.status == engine::ExecutionStatus::Completed {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(1)
    })
}

/// Redraws one status line until the execution is terminal.
async fn follow(rt: &runtime::Runtime, id: uuid::Uuid) -> anyhow::Result<runtime::StatusView> {
    let mut err = std::io::stderr();
    loop {
        let view = rt.status(id).await?;
        let pct = view.progress.percentage;
        let filled = (pct / 5.0).round() as usize;
        let running: Vec<&str> = view
            .execution
            .steps
            .iter()
            .zip(&view.package.steps)
            .filter(|(s, _)| s.status == engine::StepStatus::Running)
            .map(|(_, d)| d.id.as_str())
            .collect();
        let _ = write!(
            err,
            "\r\x1b[2K[{}{}] {:5.1}%  {}/{} steps  {}  ETA {}",
            "#".repeat(filled),
            ".".repeat(20 - filled.min(20)),
            pct,
            view.progress.completed,
            view.progress.total,
            if running.is_empty() { view.execution.status.to_string() } else { running.join(", ") },
            engine::duration::format_duration(Duration::from_secs(view.estimated_remaining.as_secs())),
        );
        let _ = err.flush();
        if view.execution.status.is_terminal() {
            return Ok(view);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
