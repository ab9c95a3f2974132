//! AURA's HTTP API: a thin axum layer over [`runtime::Runtime`] and the account store.
//!
//! **API boundary.** This is the only crate that knows HTTP and the wire JSON shapes; it converts
//! engine and store types into response bodies by hand, so that internal types can change
//! without changing the API. Every error leaves as problem+json (see [`error`]); every route is
//! declared with its permission in [`spec::ROUTES`].

pub mod auth;
pub mod bootstrap;
pub mod contract;
pub mod error;
mod json;
mod middleware;
pub mod openapi;
mod routes;
pub mod server;
pub mod spec;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use runtime::Runtime;
use store::accounts::Accounts;

pub use error::ApiError;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Requests taking longer are answered 408 (streams are exempt).
    pub request_timeout: Duration,
    /// Origins allowed by CORS; empty: no CORS headers (same-origin only).
    pub cors_origins: Vec<String>,
    /// Login attempts allowed per client address and per account within `login_window`.
    pub login_attempts_per_ip: usize,
    pub login_attempts_per_account: usize,
    pub login_window: Duration,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            request_timeout: Duration::from_secs(30),
            cors_origins: Vec::new(),
            login_attempts_per_ip: 30,
            login_attempts_per_account: 10,
            login_window: Duration::from_secs(300),
        }
    }
}

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub rt: Runtime,
    pub accounts: Arc<dyn Accounts>,
    /// Performance metrics, goals and saved dashboards.
    pub analytics: Arc<dyn store::analytics::Analytics>,
    pub tokens: Arc<auth::token::Tokens>,
    pub config: Arc<ApiConfig>,
    pub login_by_ip: Arc<auth::ratelimit::RateLimiter>,
    pub login_by_account: Arc<auth::ratelimit::RateLimiter>,
    pub http_metrics: Arc<middleware::HttpMetrics>,
    /// Properties, market data and CMA reports.
    pub estate: Arc<realestate::Services>,
}

impl AppState {
    pub fn new(
        rt: Runtime,
        accounts: Arc<dyn Accounts>,
        analytics: Arc<dyn store::analytics::Analytics>,
        estate: Arc<realestate::Services>,
        tokens: auth::token::Tokens,
        config: ApiConfig,
    ) -> AppState {
        AppState {
            rt,
            estate,
            accounts,
            analytics,
            tokens: Arc::new(tokens),
            login_by_ip: Arc::new(auth::ratelimit::RateLimiter::new(config.login_attempts_per_ip, config.login_window)),
            login_by_account: Arc::new(auth::ratelimit::RateLimiter::new(
                config.login_attempts_per_account,
                config.login_window,
            )),
            config: Arc::new(config),
            http_metrics: Arc::default(),
        }
    }

    /// Appends to the audit log; a failure is logged, never fatal to the request.
    pub async fn audit(
        &self,
        actor: Option<uuid::Uuid>,
        action: &str,
        target: Option<String>,
        detail: Option<serde_json::Value>,
        ip: Option<String>,
    ) {
        let entry = store::accounts::NewAuditEntry { actor_id: actor, action: action.into(), target, detail, ip };
        if let Err(e) = self.accounts.append_audit(&entry, self.rt.clock.now()).await {
            tracing::error!(error = %e, action, "audit log write failed");
        }
    }
}

/// Request bodies above this are rejected before parsing (package files are the largest).
pub const BODY_BYTES_MAX: usize = 1024 * 1024;

/// The whole application, for the server and for tests (which call it without a socket): the API,
/// and the web console at `/console`, which calls the API in-process as a client. The console's
/// paths are outside `spec::ROUTES`: they are pages, not API routes, and every piece of data
/// they show comes through an API route under that table's access control.
pub fn router(state: AppState) -> Router {
    console::mount(api_router(state))
}

/// The API alone: every route of `spec::ROUTES`, behind `auth::authorize`.
fn api_router(state: AppState) -> Router {
    routes::router()
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::authorize))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_BYTES_MAX))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::observe))
        .layer(middleware::cors(&state.config.cors_origins))
        .layer(axum::middleware::from_fn(middleware::request_id))
        .with_state(state)
}
