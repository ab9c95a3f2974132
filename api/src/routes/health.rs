//! Liveness and readiness.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use schemars::JsonSchema;
use serde::Serialize;

use crate::contract::Contract;
use crate::{ApiError, AppState};

pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::get("/health").json::<Health>(),
    Contract::get("/ready").json::<Ready>().errors(&[(503, "database_unavailable")]),
];

#[derive(Serialize, JsonSchema)]
struct Health {
    #[schemars(extend("const" = "ok"))]
    status: &'static str,
}

#[derive(Serialize, JsonSchema)]
struct Ready {
    #[schemars(extend("const" = "ready"))]
    status: &'static str,
    #[schemars(extend("enum" = ["postgres", "sqlite"]))]
    database: String,
}

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/health", get(health)).route("/ready", get(ready))
}

async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Ready when the database answers (migrations run before the server starts listening).
async fn ready(State(state): State<AppState>) -> Result<Json<Ready>, ApiError> {
    state.rt.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        ApiError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, "database_unavailable", "database unreachable")
    })?;
    Ok(Json(Ready { status: "ready", database: format!("{:?}", state.rt.store.backend()).to_lowercase() }))
}
