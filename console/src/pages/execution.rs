//! One execution: its DAG with each step's status, progress and ETA, the steps' details, the
//! controls, deliverables, and the live stream that refreshes them.

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;
use serde_json::{json, Value};

use super::field;
use crate::api_client::{Caller, Outgoing};
use crate::dag;
use crate::error::PageError;
use crate::session::{Session, Token};
use crate::urlencode::encode;
use crate::{views, Api};

/// Which controls the execution's status admits; the API decides in the end, this only spares
/// the user a button that can only be refused.
#[derive(Serialize)]
struct Controls {
    pause: bool,
    resume: bool,
    cancel: bool,
    retry: bool,
}

impl Controls {
    fn for_status(status: &str) -> Controls {
        Controls {
            pause: matches!(status, "pending" | "running"),
            resume: status == "paused",
            cancel: matches!(status, "pending" | "running" | "paused"),
            retry: matches!(status, "failed" | "cancelled"),
        }
    }
}

fn terminal(status: &str) -> bool {
    matches!(status, "completed" | "failed" | "cancelled")
}

#[derive(Serialize)]
struct File {
    label: String,
    href: String,
}

#[derive(Serialize)]
struct Deliverable {
    name: String,
    kind: Value,
    status: String,
    files: Vec<File>,
}

/// The console path that downloads an API file URL, if it is one the console offers.
pub(crate) fn download_href(url: &str) -> Option<String> {
    super::files::allowed(url.trim_start_matches('/')).then(|| format!("/console/files{url}"))
}

/// Every downloadable URL in a step output, named by its object's `filename` or `platform` or key.
fn collect_files(v: &Value, key: &str, out: &mut Vec<File>) {
    match v {
        Value::String(s) => {
            if let Some(href) = download_href(s) {
                if !out.iter().any(|f| f.href == href) {
                    out.push(File { label: key.to_string(), href });
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_files(i, key, out)),
        Value::Object(map) => {
            let name = map.get("filename").or(map.get("platform")).and_then(Value::as_str).unwrap_or(key);
            for (k, item) in map {
                collect_files(item, if item.is_string() && k == "url" { name } else { k }, out);
            }
        }
        _ => {}
    }
}

fn deliverables(run: &Value) -> Vec<Deliverable> {
    run["deliverables"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let mut files = Vec::new();
            collect_files(&d["output"], d["name"].as_str().unwrap_or("file"), &mut files);
            Deliverable {
                name: d["name"].as_str().unwrap_or_default().to_string(),
                kind: d["kind"].clone(),
                status: d["status"].as_str().unwrap_or_default().to_string(),
                files,
            }
        })
        .collect()
}

/// The step graph: the nodes are the execution's steps, the edges come from its package.
fn drawing(run: &Value, package: &Value) -> dag::Drawing {
    let steps: Vec<dag::Step> = run["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| dag::Step {
            id: s["step_id"].as_str().unwrap_or_default().to_string(),
            label: s["step_name"].as_str().or(s["step_id"].as_str()).unwrap_or_default().to_string(),
            status: if s["waiting"] == true {
                "waiting".into()
            } else {
                s["status"].as_str().unwrap_or("pending").into()
            },
        })
        .collect();
    dag::layout(&steps, &edges(package))
}

pub(crate) fn edges(package: &Value) -> Vec<(String, String)> {
    package["graph"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e["from"].as_str()?.to_string(), e["to"].as_str()?.to_string())))
        .collect()
}

async fn live_context(api: &Api, session: &Session, id: &str) -> Result<tera::Context, PageError> {
    let run = api.get(&session.caller, &format!("/api/v1/workflows/executions/{}", encode(id))).await?;
    let name = run["package_name"].as_str().unwrap_or_default();
    // The graph of the version this execution runs (a later version may have other edges); the
    // nodes are this execution's own steps.
    let version = run["package_version"].as_i64().map(|v| format!("?version={v}")).unwrap_or_default();
    let package = api
        .get(&session.caller, &format!("/api/v1/workflows/packages/{}{version}", encode(name)))
        .await
        .unwrap_or(Value::Null);
    let status = run["status"].as_str().unwrap_or_default().to_string();
    let mut ctx = views::page(session, "runs");
    ctx.insert("dag", &drawing(&run, &package));
    ctx.insert("controls", &Controls::for_status(&status));
    ctx.insert("terminal", &terminal(&status));
    ctx.insert("deliverables", &deliverables(&run));
    ctx.insert("id", id);
    ctx.insert("run", &run);
    Ok(ctx)
}

pub(crate) async fn page(
    State(api): State<Api>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let ctx = live_context(&api, &session, &id).await?;
    views::render("run.html", &ctx)
}

/// The live part of the page alone, fetched again on every stream event.
pub(crate) async fn live(
    State(api): State<Api>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let ctx = live_context(&api, &session, &id).await?;
    views::render("run_live.html", &ctx)
}

/// The API's event stream, with the cookie's token as the bearer (EventSource cannot set headers).
pub(crate) async fn stream(
    State(api): State<Api>,
    token: Token,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let last: Vec<(HeaderName, HeaderValue)> = headers
        .get("last-event-id")
        .map(|v| (HeaderName::from_static("last-event-id"), v.clone()))
        .into_iter()
        .collect();
    let path = format!("/api/v1/workflows/executions/{}/stream", encode(&id));
    api.send(&token.caller, Method::GET, &path, Outgoing::Empty, &last).await
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.get("hx-request").is_some()
}

/// After a button: htmx gets the live part again (with the API's refusal, if any); a plain form
/// post is redirected back to the page, or shown the refusal.
async fn after_action(
    api: &Api,
    session: &Session,
    id: &str,
    headers: &HeaderMap,
    outcome: Result<Value, PageError>,
) -> Result<Response, PageError> {
    let refusal = match outcome {
        Ok(_) => None,
        Err(PageError::Api(problem)) => Some(problem),
        Err(other) => return Err(other),
    };
    if !is_htmx(headers) {
        return match refusal {
            None => Ok(Redirect::to(&format!("/console/runs/{}", encode(id))).into_response()),
            Some(p) => Err(PageError::Api(p)),
        };
    }
    let mut ctx = live_context(api, session, id).await?;
    ctx.insert("flash", &refusal);
    Ok(views::render("run_live.html", &ctx)?.into_response())
}

async fn post(api: &Api, caller: &Caller, path: String, body: Value) -> Result<Value, PageError> {
    api.json(caller, Method::POST, &path, Outgoing::Json(body)).await
}

pub(crate) async fn control(
    State(api): State<Api>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let action = field(&form, "action").ok_or_else(|| PageError::BadRequest("which action?".into()))?;
    let mut body = json!({ "action": action });
    if let Some(reason) = field(&form, "reason") {
        body["reason"] = json!(reason);
    }
    let path = format!("/api/v1/workflows/packages/{}/control", encode(&id));
    let outcome = post(&api, &session.caller, path, body).await;
    after_action(&api, &session, &id, &headers, outcome).await
}

/// Sends a signal (`lead_replied`, `approval`, …) that wakes the execution's waiting steps.
pub(crate) async fn signal(
    State(api): State<Api>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let name = field(&form, "name").unwrap_or_default();
    let path = format!("/api/v1/workflows/executions/{}/signal", encode(&id));
    let outcome = post(&api, &session.caller, path, json!({ "name": name })).await;
    after_action(&api, &session, &id, &headers, outcome).await
}

pub(crate) async fn retry_step(
    State(api): State<Api>,
    session: Session,
    Path((id, step)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let path = format!("/api/v1/workflows/executions/{}/steps/{}/retry", encode(&id), encode(&step));
    let outcome = post(&api, &session.caller, path, json!({})).await;
    after_action(&api, &session, &id, &headers, outcome).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_found_anywhere_in_an_output() {
        let output = json!({
            "record_id": "r1",
            "files": [{ "filename": "brochure.pdf", "url": "/api/v1/marketing/assets/a1" },
                      { "platform": "instagram", "url": "/api/v1/marketing/assets/a2" }],
            "pdf_url": "/api/v1/cma/reports/c1/pdf",
            "elsewhere": "/api/v1/users",
        });
        let mut files = Vec::new();
        collect_files(&output, "CMA", &mut files);
        let got: Vec<(&str, &str)> = files.iter().map(|f| (f.label.as_str(), f.href.as_str())).collect();
        assert_eq!(
            got,
            [
                ("brochure.pdf", "/console/files/api/v1/marketing/assets/a1"),
                ("instagram", "/console/files/api/v1/marketing/assets/a2"),
                ("pdf_url", "/console/files/api/v1/cma/reports/c1/pdf"),
            ]
        );
    }

    #[test]
    fn controls_follow_the_status() {
        let c = Controls::for_status("paused");
        assert!(c.resume && c.cancel && !c.pause && !c.retry);
        let c = Controls::for_status("completed");
        assert!(!c.resume && !c.cancel && !c.pause && !c.retry);
    }
}
