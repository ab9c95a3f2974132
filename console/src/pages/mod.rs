//! The console's routes, one module per page family. Every handler gets its data from the API
//! (`crate::Api`) with the session's token; none decides access itself.

mod analytics;
mod auth;
mod campaigns;
mod execution;
mod files;
mod launch;
mod leads;
mod packages;
mod properties;
mod property_photos;
mod runs;
mod schedules;
mod settings;

use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;

use crate::Api;

pub(crate) fn router() -> Router<Api> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/console/runs") }))
        .route("/assets/{name}", get(crate::assets::file))
        .route("/login", get(auth::form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/runs", get(runs::list))
        .route("/runs/bulk", post(runs::bulk))
        .route("/runs/{id}", get(execution::page))
        .route("/runs/{id}/live", get(execution::live))
        .route("/runs/{id}/stream", get(execution::stream))
        .route("/runs/{id}/control", post(execution::control))
        .route("/runs/{id}/signal", post(execution::signal))
        .route("/runs/{id}/steps/{step}/retry", post(execution::retry_step))
        .route("/files/{*path}", get(files::download))
        .route("/launch/{package}", get(launch::form).post(launch::submit))
        .route("/properties", get(properties::list).post(properties::create))
        .route("/properties/{id}", get(properties::edit_form).post(properties::edit))
        .route(
            "/properties/{id}/photos",
            post(property_photos::upload)
                .layer(axum::extract::DefaultBodyLimit::max(property_photos::UPLOAD_FORM_BYTES_MAX)),
        )
        .route("/properties/{id}/photos/{photo}/delete", post(property_photos::delete))
        .route("/packages", get(packages::list).post(packages::upload))
        .route("/packages/{name}", get(packages::show))
        .route("/leads", get(leads::list))
        .route("/leads/{id}/nurture", post(leads::nurture))
        .route("/analytics", get(analytics::overview))
        .route("/analytics/export", get(analytics::export))
        .route("/schedules", get(schedules::list))
        .route("/schedules/{package}/{name}", post(schedules::set_enabled))
        .route("/campaigns", get(campaigns::list))
        .route("/campaigns/{id}/approval", post(campaigns::decide))
        .route("/settings", get(settings::show).post(settings::save))
}

/// A form's text field: `None` when absent or blank.
pub(crate) fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}
