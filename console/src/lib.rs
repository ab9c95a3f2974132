//! AURA's web console: server-rendered pages (tera) with a vendored htmx, served by the same binary.
//!
//! **Boundary.** The console depends on no AURA crate. It is given the API as a router
//! ([`mount`]) and calls it in-process with the signed-in user's bearer token, exactly as a REST
//! client would, then renders the JSON it gets back. It never reads the store and never decides
//! who may see what: an agent's console shows what that agent's REST calls show, and the API's
//! problem+json errors are shown as they are.

mod api_client;
mod assets;
mod chart;
mod csrf;
mod dag;
mod error;
mod pages;
mod session;
mod urlencode;
mod views;

use axum::response::Redirect;
use axum::routing::get;
use axum::Router;

pub use api_client::Api;

/// The console at `/console` (and `/` redirecting to it) in front of `api`, which it calls in-process
/// and which keeps serving every other path.
pub fn mount(api: Router) -> Router {
    let console = Api::new(api.clone());
    Router::new()
        .route("/", get(|| async { Redirect::to("/console") }))
        .nest(
            "/console",
            pages::router()
                .layer(axum::middleware::from_fn_with_state(console.clone(), session::renew))
                .layer(axum::middleware::from_fn(csrf::same_origin_posts))
                .with_state(console),
        )
        .merge(api)
}
