//! `aura bench`: scheduler throughput and latency with a no-op handler that stamps the wall-clock
//! time it ran (`stamp`).
//!
//! Each run gets a fresh database (a temporary SQLite file, or a new PostgreSQL database that is
//! dropped afterwards) and W in-process workers. `live` triggers E executions in batches while
//! the workers run; `burn-down` enqueues all E first and times only the drain (as River's bench
//! does); `idle` runs one execution at a time. A comma list of sizes sweeps them, one fresh
//! database each, and prints how the rate holds as the work grows. Trigger → first step comes
//! from the stored timestamps; step → next step is measured between handler runs (each stamps
//! the wall-clock time it ran), because a step handed off at completion is claimed in the same
//! transaction that finishes its dependency, and stored claim times alone would read zero.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use engine::ExecutionStatus;
use serde_json::json;
use store::{NewExecution, Store};

use crate::cli::{BenchArgs, Mode, Shape, StoreKind};
use tokio_util::sync::CancellationToken;

const TRIGGER_BATCH: usize = 200;
/// Executions whose timestamps are read back for the latency percentiles.
const LATENCY_SAMPLE_MAX: usize = 2000;

fn shapes(shape: Shape) -> &'static [&'static str] {
    match shape {
        Shape::Single => &["single"],
        Shape::Chain10 => &["chain10"],
        Shape::NewListing => &["new_listing"],
        Shape::All => &["single", "chain10", "new_listing"],
    }
}

/// One run's figures, for the sweep's summary.
struct Figures {
    executions: usize,
    steps_per_second: f64,
    executions_per_second: f64,
}

fn package_source(shape: &str) -> String {
    let mut s =
        format!("name = \"bench_{shape}\"\ndescription = \"benchmark shape {shape}\"\n[retry]\nmax_attempts = 3\n");
    let step = |id: &str, deps: &[&str]| {
        let deps: Vec<String> = deps.iter().map(|d| format!("\"{d}\"")).collect();
        format!("[[steps]]\nid = \"{id}\"\nhandler = \"stamp\"\ndepends_on = [{}]\n", deps.join(", "))
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

pub async fn bench(args: &BenchArgs) -> anyhow::Result<std::process::ExitCode> {
    if args.workers == 0 || args.concurrency == 0 || args.claim_batch == 0 {
        bail!("--workers, --concurrency and --claim-batch must be at least 1");
    }
    if args.executions.contains(&0) {
        bail!("--executions must be at least 1");
    }
    println!(
        "aura bench: store={} mode={:?} handoff={} workers={} concurrency={} claim_batch={} cores={}",
        args.store,
        args.mode,
        if args.no_handoff { "off" } else { "on" },
        args.workers,
        args.concurrency,
        args.claim_batch,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for shape in shapes(args.shape) {
        let sizes = match (args.executions.as_slice(), args.mode) {
            ([], Mode::Idle) => vec![200],
            ([], _) if *shape == "single" => vec![20_000],
            ([], _) => vec![3_000],
            (list, _) => list.to_vec(),
        };
        let mut figures = Vec::new();
        for n in sizes {
            figures.push(run_shape(args, shape, n).await?);
        }
        if figures.len() > 1 {
            println!("\n{shape} sweep ({:?}):", args.mode);
            println!("  {:>10}  {:>12}  {:>12}  {:>10}", "executions", "executions/s", "steps/s", "vs first");
            let base = figures[0].steps_per_second;
            for f in &figures {
                println!(
                    "  {:>10}  {:>12.0}  {:>12.0}  {:>9.0}%",
                    f.executions,
                    f.executions_per_second,
                    f.steps_per_second,
                    100.0 * f.steps_per_second / base
                );
            }
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn run_shape(args: &BenchArgs, shape: &str, executions: usize) -> anyhow::Result<Figures> {
    let db_name = format!("aura_bench_{}_{}", shape, std::process::id());
    #[allow(clippy::type_complexity)]
    let (store, pg): (Arc<dyn Store>, Option<(Arc<store::postgres::PgStore>, String)>) = match args.store {
        StoreKind::Postgres => {
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
        StoreKind::Sqlite => {
            let path = std::env::temp_dir().join(format!("{db_name}.db"));
            let _ = std::fs::remove_file(&path);
            (store::connect(&format!("sqlite://{}", path.display())).await?, None)
        }
    };
    store.migrate().await?;
    let mut registry = runtime::Registry::with_builtins();
    // A no-op that records when it ran: the latency between steps is between handler runs.
    registry.register_fn("stamp", |_ctx, _input| async {
        Ok(json!({ "t": runtime::SystemClock.now().timestamp_micros() }))
    });
    let rt = runtime::Runtime::new(store.clone(), registry);
    let info = rt.register_package(&package_source(shape)).await?;
    let (version, package) = store.package(&info.name, Some(info.version)).await?.context("bench package")?;
    let steps_per_execution = package.steps.len();

    let stats_before = match &pg {
        Some((p, _)) => Some(p.database_stats().await?),
        None => None,
    };
    let new = NewExecution {
        package: package.clone(),
        package_version: version,
        params: json!({}),
        priority: 0,
        idempotency_key: None,
        created_by: None,
        team_id: None,
    };
    let total_steps = executions * steps_per_execution;
    let stop = CancellationToken::new();
    let start_workers = || {
        (0..args.workers)
            .map(|w| {
                let mut cfg = runtime::WorkerConfig::new(format!("bench-{w}"));
                cfg.concurrency = args.concurrency;
                cfg.claim_batch = args.claim_batch;
                cfg.handoff = !args.no_handoff;
                tokio::spawn(runtime::Worker::new(&rt, cfg).run(stop.clone()))
            })
            .collect::<Vec<_>>()
    };
    let mut ids = Vec::with_capacity(executions);
    let (workers, start, enqueued) = match args.mode {
        Mode::Live => {
            let workers = start_workers();
            let start = Instant::now();
            enqueue(store.as_ref(), &new, executions, &mut ids).await?;
            (workers, start, start.elapsed())
        }
        Mode::BurnDown => {
            // The backlog is in place before any worker starts; only the drain is timed.
            let t = Instant::now();
            enqueue(store.as_ref(), &new, executions, &mut ids).await?;
            let enqueued = t.elapsed();
            (start_workers(), Instant::now(), enqueued)
        }
        Mode::Idle => {
            // One execution at a time: each starts when the previous one has finished.
            let workers = start_workers();
            let start = Instant::now();
            for i in 0..executions {
                enqueue(store.as_ref(), &new, 1, &mut ids).await?;
                wait_for_steps(&rt, (i + 1) * steps_per_execution, Duration::from_micros(200)).await?;
            }
            (workers, start, Duration::ZERO)
        }
    };
    wait_for_steps(&rt, total_steps, Duration::from_millis(20)).await?;
    let elapsed = start.elapsed();
    stop.cancel();
    for w in workers {
        let _ = w.await;
    }
    // The in-memory count says every step was saved; the store must agree.
    let counts = store.execution_counts().await?;
    let completed = counts.iter().find(|(s, _)| *s == ExecutionStatus::Completed).map_or(0, |(_, n)| *n) as usize;
    if completed != executions {
        bail!("{completed} of {executions} bench executions completed");
    }

    let secs = elapsed.as_secs_f64();
    println!(
        "\n{shape} ({steps_per_execution} steps, {:?}): {executions} executions, {total_steps} steps in {secs:.2}s (enqueueing took {:.2}s{})",
        args.mode,
        enqueued.as_secs_f64(),
        if args.mode == Mode::BurnDown { ", before the clock started" } else { "" }
    );
    println!("  executions/s      {:>10.0}", executions as f64 / secs);
    println!("  steps/s           {:>10.0}", total_steps as f64 / secs);

    let (first, hops) = latencies(store.as_ref(), &package, &ids).await?;
    // In a burn-down every execution waited for the workers to start: no trigger latency to speak of.
    if args.mode != Mode::BurnDown {
        print_percentiles("  trigger→first step", &first);
    }
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
    Ok(Figures {
        executions,
        steps_per_second: total_steps as f64 / secs,
        executions_per_second: executions as f64 / secs,
    })
}

/// Starts `n` executions in batches, appending their ids.
async fn enqueue(store: &dyn Store, new: &NewExecution, n: usize, ids: &mut Vec<uuid::Uuid>) -> anyhow::Result<()> {
    let mut remaining = n;
    while remaining > 0 {
        let batch = vec![new.clone(); remaining.min(TRIGGER_BATCH)];
        ids.extend(
            store.start_executions(&batch, runtime::SystemClock.now()).await?.into_iter().map(|s| s.execution_id),
        );
        remaining -= batch.len();
    }
    Ok(())
}

/// Waits until the workers have saved `steps` successful steps. The count is the runtime's
/// in-memory one (bumped after each checkpoint commits), so waiting costs the database nothing:
/// polling a `GROUP BY` over the executions would itself grow with the backlog.
async fn wait_for_steps(rt: &runtime::Runtime, steps: usize, poll: Duration) -> anyhow::Result<()> {
    use std::sync::atomic::Ordering::Relaxed;
    loop {
        let failed = rt.metrics.steps_failed.load(Relaxed) + rt.metrics.steps_retried.load(Relaxed);
        if failed > 0 {
            bail!("{failed} bench steps failed or were retried");
        }
        if rt.metrics.steps_succeeded.load(Relaxed) as usize >= steps {
            return Ok(());
        }
        tokio::time::sleep(poll).await;
    }
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
        let ran = |i: usize| view.steps[i].output.as_ref().and_then(|o| o["t"].as_i64());
        for i in 0..view.steps.len() {
            let preds = package.dag.predecessors(engine::StepIdx::from_index(i));
            let ready = preds.iter().filter_map(|p| ran(p.index())).max();
            if let (Some(ready), Some(started), false) = (ready, ran(i), preds.is_empty()) {
                hops.push(Duration::from_micros(started.saturating_sub(ready).max(0) as u64));
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
