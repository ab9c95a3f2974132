//! Operations: Prometheus metrics, the OpenAPI document and docs page, and the system health view.

use std::fmt::Write;
use std::time::Instant;

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::{ApiError, AppState};

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

async fn system_health(State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(json!({
        "status": status,
        "checked_at": now,
        "engine": { "status": if alive.is_empty() { "idle" } else { "running" }, "backend": format!("{:?}", s.rt.store.backend()).to_lowercase() },
        "database": { "reachable": db_ok, "latency_ms": (latency_ms * 100.0).round() / 100.0 },
        "workers_alive": alive.len(),
        "workers": workers.iter().map(|w| json!({
            "id": w.id, "started_at": w.started_at, "last_seen_at": w.last_seen_at, "running_steps": w.running_steps,
            "alive": (now - w.last_seen_at).num_seconds() <= WORKER_ALIVE_SECS,
        })).collect::<Vec<_>>(),
        "queue_depth": depth,
        "executions": counts.iter().map(|(st, n)| (st.as_str().to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "throughput": {
            "window_minutes": RATE_WINDOW_MINUTES,
            "scope": "this node",
            "steps_succeeded": recent.succeeded,
            "steps_failed": recent.failed,
            "steps_retried": recent.retried,
            "steps_per_minute": (recent.succeeded + recent.failed) as f64 / RATE_WINDOW_MINUTES as f64,
        },
        "error_rate": (error_rate * 10_000.0).round() / 10_000.0,
    })))
}
