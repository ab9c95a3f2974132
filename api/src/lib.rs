//! AURA's HTTP API: a thin axum layer over [`runtime::Runtime`].
//!
//! **API boundary.** This is the only crate that knows HTTP and the wire JSON shapes; it converts
//! engine and store types into response bodies by hand, so that internal types can change
//! without changing the API. Every error leaves as problem+json (see [`error`]).

pub mod error;
mod json;
mod routes;

use axum::Router;
use runtime::Runtime;

pub use error::ApiError;

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub rt: Runtime,
}

/// Request bodies above this are rejected before parsing (package files are the largest).
pub const BODY_BYTES_MAX: usize = 1024 * 1024;

/// The whole application, for the server and for tests (which call it without a socket).
pub fn router(state: AppState) -> Router {
    routes::router().layer(axum::extract::DefaultBodyLimit::max(BODY_BYTES_MAX)).with_state(state)
}
