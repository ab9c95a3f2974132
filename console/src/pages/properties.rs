//! The user's properties (`GET /api/v1/properties`) and a form to add one (`POST`).

use axum::extract::{Form, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{json, Map, Value};

use super::field;
use crate::api_client::Outgoing;
use crate::error::{PageError, Problem};
use crate::session::Session;
use crate::{views, Api};

/// The form's fields (in the API's names), whether each is a number, and its label.
const FIELDS: &[(&str, bool, &str)] = &[
    ("reference", false, "Reference"),
    ("address", false, "Address (community, building)"),
    ("property_type", false, "Type (apartment, villa, …)"),
    ("bedrooms", true, "Bedrooms"),
    ("bathrooms", true, "Bathrooms"),
    ("area_sqft", true, "Area (sq ft)"),
    ("asking_price", true, "Asking price (AED)"),
    ("permit_number", false, "Trakheesi permit"),
];

async fn render(
    api: &Api,
    session: &Session,
    values: &[(String, String)],
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let list = api.get(&session.caller, "/api/v1/properties").await?;
    let mut ctx = views::page(session, "properties");
    ctx.insert("properties", &list["properties"]);
    let fields: Vec<Value> = FIELDS
        .iter()
        .map(|(name, numeric, label)| json!({ "name": name, "numeric": numeric, "label": label }))
        .collect();
    ctx.insert("fields", &fields);
    ctx.insert("values", &values.iter().cloned().collect::<std::collections::HashMap<_, _>>());
    let status = problem.as_ref().map_or(StatusCode::OK, |p| StatusCode::from_u16(p.status).unwrap_or(StatusCode::OK));
    ctx.insert("problem", &problem);
    Ok((status, views::render("properties.html", &ctx)?).into_response())
}

pub(crate) async fn list(State(api): State<Api>, session: Session) -> Result<Response, PageError> {
    render(&api, &session, &[], None).await
}

pub(crate) async fn create(
    State(api): State<Api>,
    session: Session,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut body = Map::new();
    for (name, numeric, _) in FIELDS {
        if let Some(text) = field(&form, name) {
            // A number the API cannot read is sent as text, so its own validation names the field.
            let value = match text.replace(',', "").parse::<f64>() {
                Ok(n) if *numeric && n.fract() == 0.0 => json!(n as i64),
                Ok(n) if *numeric => json!(n),
                _ => json!(text),
            };
            body.insert(name.to_string(), value);
        }
    }
    match api.json(&session.caller, Method::POST, "/api/v1/properties", Outgoing::Json(Value::Object(body))).await {
        Ok(_) => Ok(Redirect::to("/console/properties").into_response()),
        Err(PageError::Api(problem)) => render(&api, &session, &form, Some(problem)).await,
        Err(other) => Err(other),
    }
}
