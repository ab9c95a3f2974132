//! Leads visible to the user with their nurture state: the status and the nurturing run, whose page
//! follows the drip live (each e-mail, the score it gave, the call task); a new lead can be put
//! into nurturing.

use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::api_client::Outgoing;
use crate::error::PageError;
use crate::session::Session;
use crate::urlencode::encode;
use crate::{views, Api};

/// The lead statuses a list can be narrowed to (the API's vocabulary).
const STATUSES: &[&str] = &["new", "nurturing", "replied", "converted", "unsubscribed", "lost"];

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    status: Option<String>,
}

pub(crate) async fn list(
    State(api): State<Api>,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    let status = q.status.filter(|s| STATUSES.contains(&s.as_str()));
    let path = match &status {
        Some(s) => format!("/api/v1/leads?status={}", encode(s)),
        None => "/api/v1/leads".to_string(),
    };
    let list = api.get(&session.caller, &path).await?;
    let mut ctx = views::page(&session, "leads");
    ctx.insert("leads", &list["leads"]);
    ctx.insert("statuses", STATUSES);
    ctx.insert("status", &status);
    views::render("leads.html", &ctx)
}

/// Starts the Lead Nurturing package for the lead (`POST /api/v1/leads/{id}/nurture`) and opens
/// its run.
pub(crate) async fn nurture(
    State(api): State<Api>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let path = format!("/api/v1/leads/{}/nurture", encode(&id));
    let started = api.json(&session.caller, Method::POST, &path, Outgoing::Json(serde_json::json!({}))).await?;
    match started["execution_id"].as_str() {
        Some(run) => Ok(Redirect::to(&format!("/console/runs/{}", encode(run))).into_response()),
        None => Ok(Redirect::to("/console/leads").into_response()),
    }
}
