//! `aura bench analytics`: dashboard latency on a year of activity.
//!
//! Fills a fresh database with E executions (default 100,000) spread over the last 365 days,
//! created by 40 agents in 5 teams (completed or failed, of the CMA and marketing packages, with
//! varied durations), through the store's normal start/claim/complete calls with the simulated
//! times; rebuilds `performance_metrics` from them; then times N overview requests through the
//! HTTP router (no socket) for an agent, a team leader and an admin over 30d, 90d and ytd.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use axum::body::Body;
use axum::http::Request;
use serde_json::json;
use store::accounts::NewUser;
use store::{Completion, NewExecution, Outcome};
use tower::ServiceExt;

use crate::cli::{BenchAnalyticsArgs, StoreKind};

const TEAMS: usize = 5;
const AGENTS_PER_TEAM: usize = 8;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub async fn bench(args: &BenchAnalyticsArgs) -> anyhow::Result<std::process::ExitCode> {
    let db_name = format!("aura_bench_analytics_{}", std::process::id());
    let admin_url =
        std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let url = match args.store {
        StoreKind::Postgres => {
            store::postgres::create_database(&admin_url, &db_name).await.context("creating the database")?
        }
        _ => {
            let path = std::env::temp_dir().join(format!("{db_name}.db"));
            let _ = std::fs::remove_file(&path);
            format!("sqlite://{}", path.display())
        }
    };
    let result = run(&args, &url).await;
    if args.store == StoreKind::Postgres {
        store::postgres::drop_database(&admin_url, &db_name).await?;
    } else {
        let path = std::env::temp_dir().join(format!("{db_name}.db"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    result
}

async fn run(args: &BenchAnalyticsArgs, url: &str) -> anyhow::Result<std::process::ExitCode> {
    let stores = store::open(url).await?;
    stores.engine.migrate().await?;
    let now = runtime::SystemClock.now();
    let mut agents = Vec::new();
    let mut leaders = Vec::new();
    let user = |email: String, role: &str, team: Option<uuid::Uuid>| NewUser {
        name: email.clone(),
        email,
        password_hash: "x".into(),
        role: role.into(),
        team_id: team,
    };
    for t in 0..TEAMS {
        let team = stores.accounts.create_team(&format!("Team {t}"), now).await?;
        leaders.push(
            stores.accounts.create_user(&user(format!("lead{t}@bench"), "team_leader", Some(team.id)), now).await?,
        );
        for a in 0..AGENTS_PER_TEAM {
            agents.push(
                stores.accounts.create_user(&user(format!("a{t}_{a}@bench"), "agent", Some(team.id)), now).await?,
            );
        }
    }
    let admin = stores.accounts.create_user(&user("admin@bench".into(), "admin", None), now).await?;

    // A year of executions, day by day, with the simulated times.
    let rt = runtime::Runtime::new(stores.engine.clone(), runtime::Registry::with_builtins());
    let mut packages = Vec::new();
    for name in ["cma_report", "marketing_full_package"] {
        let info =
            rt.register_package(&format!("name = \"{name}\"\n[[steps]]\nid = \"only\"\nhandler = \"noop\"\n")).await?;
        packages.push(stores.engine.package(&info.name, Some(info.version)).await?.context("package")?);
    }
    let started = Instant::now();
    let per_day = args.executions.div_ceil(365);
    let mut made = 0usize;
    for day in (0..365).rev() {
        if made >= args.executions {
            break;
        }
        let n = per_day.min(args.executions - made);
        let at = now - chrono::Duration::days(day) - chrono::Duration::hours(2);
        let batch: Vec<NewExecution> = (0..n)
            .map(|i| {
                let agent = &agents[(made + i) % agents.len()];
                let (version, package) = &packages[(made + i) % 3 / 2];
                NewExecution {
                    package: package.clone(),
                    package_version: *version,
                    params: json!({}),
                    priority: 0,
                    idempotency_key: None,
                    created_by: Some(agent.id.to_string()),
                    team_id: agent.team_id.map(|t| t.to_string()),
                }
            })
            .collect();
        for chunk in batch.chunks(500) {
            stores.engine.start_executions(chunk, at).await?;
        }
        let mut claimed = Vec::new();
        loop {
            let got = stores.engine.claim("bench", 1000, Duration::from_secs(7200), at).await?;
            if got.is_empty() {
                break;
            }
            claimed.extend(got);
        }
        // Four duration classes; about one in twenty fails.
        for (class, secs) in [(0usize, 90i64), (1, 300), (2, 900), (3, 1800)] {
            let done: Vec<Completion> = claimed
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 4 == class)
                .map(|(i, c)| Completion {
                    attempt: c.attempt,
                    package: c.package.clone(),
                    outcome: if i % 20 == 7 {
                        Outcome::Failed { error: "portal down".into() }
                    } else {
                        Outcome::Succeeded { output: json!({}) }
                    },
                })
                .collect();
            for chunk in done.chunks(500) {
                stores.engine.complete(chunk, at + chrono::Duration::seconds(secs)).await?;
            }
        }
        made += n;
    }
    let seeded = started.elapsed();
    let t = Instant::now();
    let rows = stores.analytics.rebuild().await?;
    let rebuild = t.elapsed();
    println!(
        "aura bench analytics: store={} executions={made} agents={} seeded in {:.1}s; rebuild wrote {rows} metric rows in {:.0} ms",
        args.store,
        agents.len(),
        seeded.as_secs_f64(),
        rebuild.as_secs_f64() * 1000.0
    );

    let estate = realestate::Services::open(&stores).await?;
    let issuer = api::auth::token::Tokens::new(
        b"bench-secret-0123456789abcdef0123",
        "aura",
        "aura-api",
        Duration::from_secs(3600),
        Duration::from_secs(3600),
    );
    let token = |u: &store::accounts::User| issuer.issue(u, runtime::SystemClock.now());
    let callers = [(token(&agents[0]), "agent"), (token(&leaders[0]), "team_leader"), (token(&admin), "admin")];
    let state = api::AppState::new(
        rt,
        stores.accounts.clone(),
        stores.analytics.clone(),
        estate,
        issuer,
        api::ApiConfig::default(),
    );
    let router = api::router(state);
    let mut all = Vec::new();
    let mut by_case: std::collections::BTreeMap<String, Vec<Duration>> = Default::default();
    for i in 0..args.requests + 10 {
        let (tok, role) = &callers[i % 3];
        let period = ["30d", "90d", "ytd"][(i / 3) % 3];
        let req = Request::builder()
            .uri(format!("/api/v1/analytics/dashboard/overview?period={period}"))
            .header("authorization", format!("Bearer {tok}"))
            .body(Body::empty())?;
        let t = Instant::now();
        let res = router.clone().oneshot(req).await?;
        let status = res.status();
        let _ = axum::body::to_bytes(res.into_body(), usize::MAX).await?;
        let took = t.elapsed();
        if !status.is_success() {
            bail!("overview answered {status}");
        }
        // The first few warm the pools and caches.
        if i >= 10 {
            all.push(took);
            by_case.entry(format!("{role} {period}")).or_default().push(took);
        }
    }
    all.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "overview: {} requests, p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        all.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.95)),
        ms(*all.last().unwrap_or(&Duration::ZERO))
    );
    for (case, mut v) in by_case {
        v.sort();
        println!("  {case:<18} p50 {:>6.1} ms  p95 {:>6.1} ms", ms(percentile(&v, 0.5)), ms(percentile(&v, 0.95)));
    }
    Ok(std::process::ExitCode::SUCCESS)
}
