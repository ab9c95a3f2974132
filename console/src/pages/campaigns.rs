//! Campaigns visible to the user; those in review can be approved or sent back by an approver.

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
    let list = api.get(&session.caller, "/api/v1/marketing/campaigns").await?;
    let mut ctx = views::page(&session, "campaigns");
    ctx.insert("campaigns", &list["campaigns"]);
    views::render("campaigns.html", &ctx)
}

pub(crate) async fn decide(
    State(api): State<Api>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let action = match field(&form, "action") {
        Some(a @ ("approve" | "request_changes" | "submit")) => a,
        _ => return Err(PageError::BadRequest("action must be approve, request_changes or submit".into())),
    };
    let mut body = json!({ "action": action });
    if let Some(notes) = field(&form, "notes") {
        body["notes"] = json!(notes);
    }
    let path = format!("/api/v1/marketing/campaigns/{}/approval", encode(&id));
    api.json(&session.caller, Method::POST, &path, Outgoing::Json(body)).await?;
    Ok(Redirect::to("/console/campaigns").into_response())
}
