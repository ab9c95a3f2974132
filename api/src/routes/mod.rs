//! The route table. Each module owns one router of the seed's API.

mod health;
mod workflows;

use axum::Router;

use crate::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .nest("/api/v1/workflows", workflows::router())
        .fallback(|| async { crate::ApiError::not_found("route") })
}
