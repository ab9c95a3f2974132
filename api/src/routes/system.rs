//! Operations: Prometheus metrics, the OpenAPI document and docs page, and the system health view.

use std::fmt::Write;
use std::time::Instant;

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::contract::{Answer, Contract};
use crate::{ApiError, AppState};

pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::get("/metrics").answer(200, Answer::Text("text/plain")),
    Contract::get("/openapi.json").answer(200, Answer::Json(|_| schemars::json_schema!({ "type": "object" }))),
    Contract::get("/docs").answer(200, Answer::Text("text/html")),
    Contract::get("/api/v1/analytics/health/system").json::<SystemHealth>(),
];

#[derive(Serialize, JsonSchema)]
struct SystemHealth {
    /// `down`: the database does not answer; `degraded`: work is queued and no worker is alive.
    #[schemars(extend("enum" = ["healthy", "degraded", "down"]))]
    status: &'static str,
    checked_at: DateTime<Utc>,
    engine: EngineView,
    database: DatabaseView,
    workers_alive: usize,
    workers: Vec<WorkerView>,
    /// Steps ready and due, not yet claimed.
    queue_depth: u64,
    /// Executions per status.
    executions: BTreeMap<String, u64>,
    throughput: Throughput,
    /// Failed / finished steps in the window.
    error_rate: f64,
}

#[derive(Serialize, JsonSchema)]
struct EngineView {
    #[schemars(extend("enum" = ["idle", "running"]))]
    status: &'static str,
    #[schemars(extend("enum" = ["postgres", "sqlite"]))]
    backend: String,
}

#[derive(Serialize, JsonSchema)]
struct DatabaseView {
    reachable: bool,
    latency_ms: f64,
}

#[derive(Serialize, JsonSchema)]
struct WorkerView {
    id: String,
    started_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    running_steps: u32,
    alive: bool,
}

#[derive(Serialize, JsonSchema)]
struct Throughput {
    window_minutes: usize,
    #[schemars(extend("const" = "this node"))]
    scope: &'static str,
    steps_succeeded: u64,
    steps_failed: u64,
    steps_retried: u64,
    steps_per_minute: f64,
}

/// A worker not seen for this long is reported as not alive.
const WORKER_ALIVE_SECS: i64 = 30;
/// The window of the throughput and error-rate figures.
const RATE_WINDOW_MINUTES: usize = 5;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(|| async { Json(crate::openapi::document()) }))
        .route("/docs", get(|| async { Html(crate::openapi::DOCS_HTML) }))
        .route("/api/v1/analytics/health/system", get(system_health))
}

async fn metrics(State(s): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let mut out = String::new();
    let counts = s.rt.store.execution_counts().await?;
    let _ = writeln!(out, "# HELP aura_executions Executions by state.\n# TYPE aura_executions gauge");
    for status in ["pending", "running", "paused", "completed", "failed", "cancelled"] {
        let n = counts.iter().find(|(st, _)| st.as_str() == status).map_or(0, |(_, n)| *n);
        let _ = writeln!(out, "aura_executions{{state=\"{status}\"}} {n}");
    }
    let depth = s.rt.store.queue_depth(s.rt.clock.now()).await?;
    let _ = writeln!(out, "# HELP aura_ready_queue_depth Steps ready and due, not yet claimed.\n# TYPE aura_ready_queue_depth gauge\naura_ready_queue_depth {depth}");
    s.rt.metrics.render(&mut out);
    s.http_metrics.render(&mut out);
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out))
}

async fn system_health(State(s): State<AppState>) -> Result<Json<SystemHealth>, ApiError> {
    let now = s.rt.clock.now();
    let started = Instant::now();
    let db_ok = s.rt.store.ping().await.is_ok();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let workers = s.rt.store.workers_seen_since(now - chrono::Duration::hours(1)).await?;
    let alive: Vec<&store::WorkerInfo> =
        workers.iter().filter(|w| (now - w.last_seen_at).num_seconds() <= WORKER_ALIVE_SECS).collect();
    let depth = s.rt.store.queue_depth(now).await?;
    let counts = s.rt.store.execution_counts().await?;
    let recent = s.rt.metrics.recent(now.timestamp().div_euclid(60), RATE_WINDOW_MINUTES);
    let finished = recent.succeeded + recent.failed;
    let error_rate = if finished == 0 { 0.0 } else { recent.failed as f64 / finished as f64 };
    let status = if !db_ok {
        "down"
    } else if alive.is_empty() && depth > 0 {
        "degraded"
    } else {
        "healthy"
    };
    Ok(Json(SystemHealth {
        status,
        checked_at: now,
        engine: EngineView {
            status: if alive.is_empty() { "idle" } else { "running" },
            backend: format!("{:?}", s.rt.store.backend()).to_lowercase(),
        },
        database: DatabaseView { reachable: db_ok, latency_ms: (latency_ms * 100.0).round() / 100.0 },
        workers_alive: alive.len(),
        workers: workers
            .iter()
            .map(|w| WorkerView {
                id: w.id.clone(),
                started_at: w.started_at,
                last_seen_at: w.last_seen_at,
                running_steps: w.running_steps,
                alive: (now - w.last_seen_at).num_seconds() <= WORKER_ALIVE_SECS,
            })
            .collect(),
        queue_depth: depth,
        executions: counts.iter().map(|(st, n)| (st.as_str().to_string(), *n)).collect(),
        throughput: Throughput {
            window_minutes: RATE_WINDOW_MINUTES,
            scope: "this node",
            steps_succeeded: recent.succeeded,
            steps_failed: recent.failed,
            steps_retried: recent.retried,
            steps_per_minute: (recent.succeeded + recent.failed) as f64 / RATE_WINDOW_MINUTES as f64,
        },
        error_rate: (error_rate * 10_000.0).round() / 10_000.0,
    }))
}
