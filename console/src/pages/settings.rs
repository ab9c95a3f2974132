//! The brokerage settings (`GET/PUT /api/v1/settings/brokerage`): shown to everyone signed in,
//! with the DEMO banner when they are the demo's; admins edit the fields every ad prints.

use axum::extract::{Form, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{json, Value};

use super::field;
use crate::api_client::Outgoing;
use crate::error::{PageError, Problem};
use crate::session::Session;
use crate::{views, Api};

const PATH: &str = "/api/v1/settings/brokerage";

/// The text fields of the form, in the API's names, with their labels.
const TEXT_FIELDS: &[(&str, &str)] = &[
    ("brokerage_name", "Brokerage name"),
    ("orn", "ORN (RERA office number)"),
    ("brn", "BRN (agent)"),
    ("media_council_permit_number", "Media Council permit"),
];

async fn render(api: &Api, session: &Session, problem: Option<Problem>) -> Result<Response, PageError> {
    let current = api.get(&session.caller, PATH).await?;
    let mut ctx = views::page(session, "settings");
    let disclaimers: Vec<&str> = current["settings"]["required_disclaimers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    ctx.insert("disclaimers", &disclaimers.join("\n"));
    ctx.insert("current", &current);
    let fields: Vec<Value> = TEXT_FIELDS
        .iter()
        .map(|(name, label)| json!({ "name": name, "label": label, "value": current["settings"][*name].as_str().unwrap_or_default() }))
        .collect();
    ctx.insert("fields", &fields);
    let status = problem.as_ref().map_or(StatusCode::OK, |p| StatusCode::from_u16(p.status).unwrap_or(StatusCode::OK));
    ctx.insert("problem", &problem);
    Ok((status, views::render("settings.html", &ctx)?).into_response())
}

pub(crate) async fn show(State(api): State<Api>, session: Session) -> Result<Response, PageError> {
    render(&api, &session, None).await
}

/// Saves over the version the form was made from; the fields the form does not show (rule
/// strictness, exempt channels) keep their stored values.
pub(crate) async fn save(
    State(api): State<Api>,
    session: Session,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let current = api.get(&session.caller, PATH).await?;
    let mut settings = current["settings"].clone();
    for (name, _) in TEXT_FIELDS {
        settings[*name] = field(&form, name).map_or(Value::Null, |v| json!(v));
    }
    let disclaimers: Vec<&str> = field(&form, "required_disclaimers")
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    settings["required_disclaimers"] = json!(disclaimers);
    let version: Vec<(HeaderName, HeaderValue)> = field(&form, "version")
        .and_then(|v| HeaderValue::from_str(&format!("\"{v}\"")).ok())
        .map(|v| (header::IF_MATCH, v))
        .into_iter()
        .collect();
    let reply = api.fetch(&session.caller, Method::PUT, PATH, Outgoing::Json(settings), &version).await?;
    match reply.into_result() {
        Ok(_) => Ok(Redirect::to("/console/settings").into_response()),
        Err(PageError::Api(problem)) => render(&api, &session, Some(problem)).await,
        Err(other) => Err(other),
    }
}
