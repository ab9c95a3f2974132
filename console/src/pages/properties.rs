//! The user's properties (`GET /api/v1/properties`), a form to add one (`POST`) and one to edit
//! one (`PATCH`, a merge patch of the fields changed; the API validates the result). The edit page
//! also shows the uploaded photos (`property_photos` handles their forms).

use axum::extract::{Form, Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{json, Map, Value};

use super::field;
use crate::api_client::Outgoing;
use crate::error::{PageError, Problem};
use crate::session::Session;
use crate::urlencode::encode;
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

/// What the edit form offers: the creation fields plus those a listing grows later. `features`
/// and `photos` are one entry per line.
const EDIT_FIELDS: &[(&str, Kind, &str)] = &[
    ("community", Kind::Text, "Community"),
    ("building", Kind::Text, "Building"),
    ("unit", Kind::Text, "Unit"),
    ("property_type", Kind::Text, "Type"),
    ("bedrooms", Kind::Number, "Bedrooms"),
    ("bathrooms", Kind::Number, "Bathrooms"),
    ("size_sqft", Kind::Number, "Size (sq ft)"),
    ("asking_price", Kind::Number, "Asking price (AED)"),
    ("permit_number", Kind::Text, "Trakheesi permit"),
    ("view", Kind::Text, "View"),
    ("floor", Kind::Number, "Floor"),
    ("features", Kind::Lines, "Features (one per line)"),
    ("photos", Kind::Lines, "Photo links elsewhere (one per line)"),
];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Number,
    Lines,
}

/// The form's value of a stored field.
fn shown(v: &Value, kind: Kind) -> String {
    match (kind, v) {
        (Kind::Lines, Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n"),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

/// The merge patch: each field the form sent whose text differs from what is stored; a field sent
/// empty is removed, one not sent is left alone.
fn changes(stored: &Value, form: &[(String, String)]) -> Map<String, Value> {
    let mut patch = Map::new();
    for (name, kind, _) in EDIT_FIELDS {
        let Some(text) = form.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().replace("\r\n", "\n")) else {
            continue;
        };
        if text == shown(&stored[*name], *kind) {
            continue;
        }
        let value = match kind {
            _ if text.is_empty() => Value::Null,
            Kind::Lines => json!(text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>()),
            // A number the API cannot read is sent as text, so its own validation names the field.
            Kind::Number => match text.replace(',', "").parse::<f64>() {
                Ok(n) if n.fract() == 0.0 => json!(n as i64),
                Ok(n) => json!(n),
                Err(_) => json!(text),
            },
            Kind::Text => json!(text),
        };
        patch.insert(name.to_string(), value);
    }
    patch
}

/// The edit page, with the property's uploaded photos; `typed` keeps what the user typed after a
/// refused save.
pub(super) async fn render_edit(
    api: &Api,
    session: &Session,
    id: &str,
    typed: Option<&[(String, String)]>,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let property = api.get(&session.caller, &format!("/api/v1/properties/{}", encode(id))).await?;
    let fields: Vec<Value> = EDIT_FIELDS
        .iter()
        .map(|(name, kind, label)| {
            let value = match typed {
                Some(form) => field(form, name).unwrap_or_default().to_string(),
                None => shown(&property[*name], *kind),
            };
            json!({ "name": name, "label": label, "value": value,
                    "kind": match kind { Kind::Text => "text", Kind::Number => "number", Kind::Lines => "lines" } })
        })
        .collect();
    let photos = api.get(&session.caller, &format!("/api/v1/properties/{}/photos", encode(id))).await?;
    let mut ctx = views::page(session, "properties");
    ctx.insert("property", &property);
    ctx.insert("fields", &fields);
    ctx.insert("uploaded_photos", &photos["photos"]);
    ctx.insert("photos_max", &photos["max"]);
    let status = problem.as_ref().map_or(StatusCode::OK, |p| StatusCode::from_u16(p.status).unwrap_or(StatusCode::OK));
    ctx.insert("problem", &problem);
    Ok((status, views::render("property.html", &ctx)?).into_response())
}

pub(crate) async fn edit_form(
    State(api): State<Api>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    render_edit(&api, &session, &id, None, None).await
}

pub(crate) async fn edit(
    State(api): State<Api>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let path = format!("/api/v1/properties/{}", encode(&id));
    let stored = api.get(&session.caller, &path).await?;
    let patch = changes(&stored, &form);
    if patch.is_empty() {
        return Ok(Redirect::to("/console/properties").into_response());
    }
    match api.json(&session.caller, Method::PATCH, &path, Outgoing::Json(Value::Object(patch))).await {
        Ok(_) => Ok(Redirect::to("/console/properties").into_response()),
        Err(PageError::Api(problem)) => render_edit(&api, &session, &id, Some(&form), Some(problem)).await,
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patch_holds_only_what_changed() {
        let stored = json!({ "bedrooms": 2, "asking_price": 2400000.0, "features": ["pool"], "view": "sea" });
        let form: Vec<(String, String)> =
            [("bedrooms", "2"), ("asking_price", "2,350,000"), ("features", "pool\r\nbalcony\n"), ("view", "")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let patch = changes(&stored, &form);
        assert_eq!(
            Value::Object(patch),
            json!({ "asking_price": 2350000, "features": ["pool", "balcony"], "view": null })
        );
    }
}
