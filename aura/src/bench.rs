//! `aura bench`: scheduler throughput and latency with the built-in `noop` handler.
//!
//! Each run gets a fresh database (a temporary SQLite file, or a new PostgreSQL database that is
//! dropped afterwards), starts W in-process workers, triggers E executions in batches while the
//! workers run, and waits until all are completed. Latencies come from the stored step
//! timestamps: trigger → first step started, and dependency finished → dependent started.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use engine::ExecutionStatus;
use serde_json::json;
use store::{NewExecution, Store};
use tokio_util::sync::CancellationToken;

const TRIGGER_BATCH: usize = 200;
/// Executions whose timestamps are read back for the latency percentiles.
const LATENCY_SAMPLE_MAX: usize = 2000;

struct BenchArgs {
    store: String,
    url: Option<String>,
    shapes: Vec<&'static str>,
    executions: Option<usize>,
    workers: usize,
    concurrency: usize,
    claim_batch: usize,
}

fn parse(args: &[&str]) -> anyhow::Result<BenchArgs> {
    let mut out = BenchArgs {
        store: "sqlite".into(),
        url: None,
        shapes: vec!["single", "chain10", "new_listing"],
        executions: None,
        workers: 2,
        concurrency: 256,
        claim_batch: 128,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().copied().with_context(|| format!("{arg} needs a value"));
        match *arg {
            "--store" => out.store = value()?.to_string(),
            "--url" => out.url = Some(value()?.to_string()),
            "--shape" => {
                out.shapes = match value()? {
                    "single" => vec!["single"],
                    "chain10" => vec!["chain10"],
                    "new_listing" => vec!["new_listing"],
                    "all" => vec!["single", "chain10", "new_listing"],
                    other => bail!("unknown shape `{other}` (single, chain10, new_listing, all)"),
                }
            }
            "--executions" => out.executions = Some(value()?.parse().context("--executions")?),
            "--workers" => out.workers = value()?.parse().context("--workers")?,
            "--concurrency" => out.concurrency = value()?.parse().context("--concurrency")?,
            "--claim-batch" => out.claim_batch = value()?.parse().context("--claim-batch")?,
            other => bail!("unknown option `{other}`"),
        }
    }
    if !["sqlite", "postgres"].contains(&out.store.as_str()) {
        bail!("--store must be sqlite or postgres");
    }
    Ok(out)
}

fn package_source(shape: &str) -> String {
    let mut s =
        format!("name = \"bench_{shape}\"\ndescription = \"benchmark shape {shape}\"\n[retry]\nmax_attempts = 3\n");
    let step = |id: &str, deps: &[&str]| {
        let deps: Vec<String> = deps.iter().map(|d| format!("\"{d}\"")).collect();
        format!("[[steps]]\nid = \"{id}\"\nhandler = \"noop\"\ndepends_on = [{}]\n", deps.join(", "))
    };
    match shape {
        "single" => s.push_str(&step("only", &[])),
        "chain10" => {
            for i in 1..=10 {
                let prev = format!("s{}", i - 1);
                let deps: &[&str] = if i == 1 { &[] } else { &[prev.as_str()] };
                s.push_str(&step(&format!("s{i}"), deps));
            }
        }
        // The New Listing package's DAG: fan-out after marketing, fan-in at final review.
        _ => {
            s.push_str(&step("property_analysis", &[]));
            s.push_str(&step("cma_generation", &["property_analysis"]));
            s.push_str(&step("pricing_recommendation", &["cma_generation"]));
            s.push_str(&step("marketing_campaign_creation", &["pricing_recommendation"]));
            s.push_str(&step("social_media_content", &["marketing_campaign_creation"]));
            s.push_str(&step("listing_optimization", &["marketing_campaign_creation"]));
            s.push_str(&step("photography_scheduling", &["property_analysis"]));
            s.push_str(&step(
                "final_review",
                &["social_media_content", "listing_optimization", "photography_scheduling"],
            ));
        }
    }
    s
}

pub async fn bench(args: &[&str]) -> anyhow::Result<std::process::ExitCode> {
    let args = parse(args)?;
    println!(
        "aura bench: store={} workers={} concurrency={} claim_batch={} cores={}",
        args.store,
        args.workers,
        args.concurrency,
        args.claim_batch,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for shape in &args.shapes {
        let executions = args.executions.unwrap_or(match *shape {
            "single" => 20_000,
            _ => 3_000,
        });
        run_shape(&args, shape, executions).await?;
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn run_shape(args: &BenchArgs, shape: &str, executions: usize) -> anyhow::Result<()> {
    let db_name = format!("aura_bench_{}_{}", shape, std::process::id());
    #[allow(clippy::type_complexity)]
    let (store, pg): (Arc<dyn Store>, Option<(Arc<store::postgres::PgStore>, String)>) = match args.store.as_str() {
        "postgres" => {
            let admin = args
                .url
                .clone()
                .or_else(|| std::env::var("DATABASE_URL").ok())
                .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let url =
                store::postgres::create_database(&admin, &db_name).await.context("creating the bench database")?;
            let pg = Arc::new(store::postgres::PgStore::connect(&url).await?);
            (pg.clone(), Some((pg, admin)))
        }
        _ => {
            let path = std::env::temp_dir().join(format!("{db_name}.db"));
            let _ = std::fs::remove_file(&path);
            (store::connect(&format!("sqlite://{}", path.display())).await?, None)
        }
    };
    store.migrate().await?;
    let rt = runtime::Runtime::new(store.clone(), runtime::Registry::with_builtins());
    let info = rt.register_package(&package_source(shape)).await?;
    let (version, package) = store.package(&info.name, Some(info.version)).await?.context("bench package")?;
    let steps_per_execution = package.steps.len();

    let stats_before = match &pg {
        Some((p, _)) => Some(p.database_stats().await?),
        None => None,
    };
    let stop = CancellationToken::new();
    let mut workers = Vec::new();
    for w in 0..args.workers {
        let mut cfg = runtime::WorkerConfig::new(format!("bench-{w}"));
        cfg.concurrency = args.concurrency;
        cfg.claim_batch = args.claim_batch;
        let worker = runtime::Worker::new(&rt, cfg);
        workers.push(tokio::spawn(worker.run(stop.clone())));
    }
    let start = Instant::now();
    let mut ids = Vec::with_capacity(executions);
    let new = NewExecution {
        package: package.clone(),
        package_version: version,
        params: json!({}),
        priority: 0,
        idempotency_key: None,
        created_by: None,
        team_id: None,
    };
    let mut remaining = executions;
    while remaining > 0 {
        let n = remaining.min(TRIGGER_BATCH);
        let batch = vec![new.clone(); n];
        ids.extend(store.start_executions(&batch, chrono::Utc::now()).await?.into_iter().map(|s| s.execution_id));
        remaining -= n;
    }
    let triggered = start.elapsed();
    loop {
        let counts = store.execution_counts().await?;
        let completed = counts.iter().find(|(s, _)| *s == ExecutionStatus::Completed).map_or(0, |(_, n)| *n) as usize;
        let failed: u64 = counts
            .iter()
            .filter(|(s, _)| matches!(s, ExecutionStatus::Failed | ExecutionStatus::Cancelled))
            .map(|(_, n)| n)
            .sum();
        if failed > 0 {
            bail!("{failed} bench executions failed");
        }
        if completed >= executions {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = start.elapsed();
    stop.cancel();
    for w in workers {
        let _ = w.await;
    }

    let secs = elapsed.as_secs_f64();
    let total_steps = executions * steps_per_execution;
    println!(
        "\n{shape} ({steps_per_execution} steps): {executions} executions, {total_steps} steps in {secs:.2}s (triggering took {:.2}s)",
        triggered.as_secs_f64()
    );
    println!("  executions/s      {:>10.0}", executions as f64 / secs);
    println!("  steps/s           {:>10.0}", total_steps as f64 / secs);

    let (first, hops) = latencies(store.as_ref(), &package, &ids).await?;
    print_percentiles("  trigger→first step", &first);
    if !hops.is_empty() {
        print_percentiles("  step→next step    ", &hops);
    }
    if let (Some((pg, admin)), Some((c0, w0))) = (&pg, stats_before) {
        // pg_stat counters are flushed shortly after each transaction; give them a moment.
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let (c1, w1) = pg.database_stats().await?;
        println!("  commits/step      {:>10.3}", (c1 - c0) as f64 / total_steps as f64);
        println!("  WAL bytes/step    {:>10.0}", (w1 - w0) as f64 / total_steps as f64);
        drop(store);
        let admin = admin.clone();
        store::postgres::drop_database(&admin, &db_name).await?;
    }
    Ok(())
}

/// Trigger→first-step and dependency→dependent latencies from a sample of executions.
async fn latencies(
    store: &dyn Store,
    package: &engine::Package,
    ids: &[uuid::Uuid],
) -> anyhow::Result<(Vec<Duration>, Vec<Duration>)> {
    let step = (ids.len() / LATENCY_SAMPLE_MAX).max(1);
    let mut first = Vec::new();
    let mut hops = Vec::new();
    for id in ids.iter().step_by(step) {
        let Some(view) = store.execution(*id).await? else {
            continue;
        };
        if let Some(start) = view.steps.iter().filter_map(|s| s.started_at).min() {
            first.push((start - view.created_at).to_std().unwrap_or_default());
        }
        for (i, s) in view.steps.iter().enumerate() {
            let preds = package.dag.predecessors(engine::StepIdx::from_index(i));
            let ready = preds.iter().filter_map(|p| view.steps[p.index()].finished_at).max();
            if let (Some(ready), Some(started)) = (ready, s.started_at) {
                if !preds.is_empty() {
                    hops.push((started - ready).to_std().unwrap_or_default());
                }
            }
        }
    }
    Ok((first, hops))
}

fn print_percentiles(label: &str, samples: &[Duration]) {
    let mut v: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| v.get(((v.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
    println!("{label} p50 {:>8.1} ms  p95 {:>8.1} ms  p99 {:>8.1} ms  (n={})", p(0.50), p(0.95), p(0.99), v.len());
}
