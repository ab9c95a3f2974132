//! Liveness and readiness.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::{ApiError, AppState};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/health", get(health)).route("/ready", get(ready))
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready when the database answers (migrations run before the server starts listening).
async fn ready(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state.rt.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        ApiError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, "database_unavailable", "database unreachable")
    })?;
    Ok(Json(json!({ "status": "ready", "database": format!("{:?}", state.rt.store.backend()).to_lowercase() })))
}
