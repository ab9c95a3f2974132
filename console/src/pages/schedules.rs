//! Schedules: every package's cron schedules with their next runs in the schedule's own time zone
//! (Asia/Dubai by default); those who manage team workflows can enable or disable one.

use axum::extract::{Form, Path, State};
use axum::http::Method;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;

use super::field;
use crate::api_client::Outgoing;
use crate::error::PageError;
use crate::session::Session;
use crate::urlencode::encode;
use crate::{views, Api};

pub(crate) async fn list(State(api): State<Api>, session: Session) -> Result<Html<String>, PageError> {
    let list = api.get(&session.caller, "/api/v1/workflows/schedules").await?;
    let mut ctx = views::page(&session, "schedules");
    ctx.insert("schedules", &list["schedules"]);
    views::render("schedules.html", &ctx)
}

/// `enabled=true|false` for one schedule (`PATCH …/schedules/{package}/{name}`).
pub(crate) async fn set_enabled(
    State(api): State<Api>,
    session: Session,
    Path((package, name)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let enabled = match field(&form, "enabled") {
        Some("true") => true,
        Some("false") => false,
        _ => return Err(PageError::BadRequest("enabled must be true or false".into())),
    };
    let path = format!("/api/v1/workflows/schedules/{}/{}", encode(&package), encode(&name));
    api.json(&session.caller, Method::PATCH, &path, Outgoing::Json(json!({ "enabled": enabled }))).await?;
    Ok(Redirect::to("/console/schedules").into_response())
}
