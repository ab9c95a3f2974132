//! "Launch" forms generated from a package's typed parameters (`GET /api/v1/workflows/packages`),
//! submitted to `POST /api/v1/workflows/packages/execute`.

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{json, Map, Value};

use super::field;
use crate::api_client::Outgoing;
use crate::error::{PageError, Problem};
use crate::session::Session;
use crate::urlencode::encode;
use crate::{views, Api};

async fn package(api: &Api, session: &Session, name: &str) -> Result<Value, PageError> {
    let list = api.get(&session.caller, "/api/v1/workflows/packages").await?;
    list["packages"].as_array().into_iter().flatten().find(|p| p["name"] == name).cloned().ok_or_else(|| {
        PageError::Api(Problem::from_reply(
            StatusCode::NOT_FOUND,
            &json!({ "code": "not_found", "detail": format!("package `{name}` not found") }),
        ))
    })
}

/// The package with every key the form reads present on each parameter (`null` when the API
/// leaves it out: only integers have `min`, only enums `values`), so the template can test them.
fn with_every_key(package: &Value) -> Value {
    let mut package = package.clone();
    for p in package["parameters"].as_array_mut().into_iter().flatten() {
        if let Some(map) = p.as_object_mut() {
            for key in ["min", "max", "max_length", "values", "default", "description"] {
                map.entry(key).or_insert(Value::Null);
            }
        }
    }
    package
}

/// A fresh Idempotency-Key per rendered form, so submitting the same form twice starts one run.
fn launch_key() -> String {
    format!("console-{}", uuid::Uuid::new_v4().simple())
}

/// One parameter's form value as the JSON its type asks for; `Err` says why it is not one.
fn typed(kind: &str, text: &str) -> Result<Value, String> {
    match kind {
        "integer" => text.parse::<i64>().map(Value::from).map_err(|_| "must be a whole number".into()),
        "number" => text
            .replace([',', '_'], "")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            // Whole amounts stay integers (`2450000`, not `2450000.0`).
            .map(|n| if n.fract() == 0.0 && n.abs() < 9.0e15 { Value::from(n as i64) } else { Value::from(n) })
            .ok_or_else(|| "must be a number".into()),
        "boolean" => Ok(Value::Bool(matches!(text, "on" | "true" | "yes" | "1"))),
        "array" | "object" => serde_json::from_str(text).map_err(|e| format!("must be JSON: {e}")),
        _ => Ok(Value::String(text.to_string())),
    }
}

/// The parameters the form gave, and the fields it could not read.
fn parameters(package: &Value, form: &[(String, String)]) -> (Map<String, Value>, Vec<Value>) {
    let mut params = Map::new();
    let mut errors = Vec::new();
    for p in package["parameters"].as_array().into_iter().flatten() {
        let name = p["name"].as_str().unwrap_or_default();
        let kind = p["type"].as_str().unwrap_or("string");
        let value = match (kind, field(form, name)) {
            ("boolean", v) => Some(v.unwrap_or("false")),
            (_, v) => v,
        };
        if let Some(text) = value {
            match typed(kind, text) {
                Ok(v) => {
                    params.insert(name.to_string(), v);
                }
                Err(message) => errors.push(json!({ "field": name, "message": message })),
            }
        }
    }
    (params, errors)
}

async fn render_form(
    api: &Api,
    session: &Session,
    package: &Value,
    values: &[(String, String)],
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let properties = api.get(&session.caller, "/api/v1/properties").await.unwrap_or(Value::Null);
    let mut ctx = views::page(session, "launch");
    ctx.insert("package", &with_every_key(package));
    ctx.insert("values", &values.iter().cloned().collect::<std::collections::HashMap<_, _>>());
    ctx.insert("properties", &properties["properties"]);
    ctx.insert("launch_key", &launch_key());
    let status = problem.as_ref().map_or(StatusCode::OK, |p| StatusCode::from_u16(p.status).unwrap_or(StatusCode::OK));
    ctx.insert("problem", &problem);
    Ok((status, views::render("launch.html", &ctx)?).into_response())
}

/// The form, pre-filled from the query (`?property_id=…` from the properties page).
pub(crate) async fn form(
    State(api): State<Api>,
    session: Session,
    Path(name): Path<String>,
    Query(prefill): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let package = package(&api, &session, &name).await?;
    render_form(&api, &session, &package, &prefill, None).await
}

pub(crate) async fn submit(
    State(api): State<Api>,
    session: Session,
    Path(name): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let package = package(&api, &session, &name).await?;
    let (params, errors) = parameters(&package, &form);
    if !errors.is_empty() {
        let problem = Problem {
            status: 422,
            code: "invalid_parameters".into(),
            title: "Unprocessable Entity".into(),
            detail: "some fields could not be read".into(),
            errors: Value::Array(errors),
        };
        return render_form(&api, &session, &package, &form, Some(problem)).await;
    }
    let key: Vec<(HeaderName, HeaderValue)> = field(&form, "launch_key")
        .and_then(|k| HeaderValue::from_str(k).ok())
        .map(|v| (HeaderName::from_static("idempotency-key"), v))
        .into_iter()
        .collect();
    let body = json!({ "package_name": name, "parameters": params });
    let reply = api
        .fetch(&session.caller, Method::POST, "/api/v1/workflows/packages/execute", Outgoing::Json(body), &key)
        .await?;
    match reply.into_result() {
        Ok(started) => {
            let id = started["execution_id"].as_str().unwrap_or_default();
            Ok(Redirect::to(&format!("/console/runs/{}", encode(id))).into_response())
        }
        Err(PageError::Api(problem)) => render_form(&api, &session, &package, &form, Some(problem)).await,
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_text_becomes_typed_json() {
        let package = json!({ "parameters": [
            { "name": "price", "type": "number" }, { "name": "n", "type": "integer" },
            { "name": "flag", "type": "boolean" }, { "name": "tags", "type": "array" }, { "name": "id", "type": "string" },
        ]});
        let form: Vec<(String, String)> = [("price", "2,450,000"), ("n", "x"), ("tags", "[\"a\"]"), ("id", " p1 ")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (params, errors) = parameters(&package, &form);
        assert_eq!(Value::Object(params), json!({ "price": 2450000, "flag": false, "tags": ["a"], "id": "p1" }));
        assert_eq!(errors, [json!({ "field": "n", "message": "must be a whole number" })]);
    }
}
