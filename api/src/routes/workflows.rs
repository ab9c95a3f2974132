//! The workflows router (`/api/v1/workflows`): packages, executions, controls, history.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use engine::package::ParamKind;
use engine::{Control, ExecutionStatus, Package};
use serde::Deserialize;
use serde_json::{json, Value};
use store::ExecutionFilter;
use uuid::Uuid;

use crate::auth::Caller;
use crate::{json as body, ApiError, AppState};

mod analytics;
mod schedules;
mod stream;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/packages", get(list_packages))
        .route("/packages/validate", post(validate_package))
        .route("/packages/execute", post(execute))
        .route("/packages/status/{execution_id}", get(status))
        .route("/packages/{name}", get(get_package).put(put_package).delete(delete_package))
        .route("/packages/{execution_id}/control", post(control))
        .route("/executions", get(list_executions))
        .route("/executions/{id}", get(get_execution))
        .route("/executions/{id}/events", get(events))
        .route("/executions/{id}/stream", get(stream::stream))
        .route("/executions/{id}/steps/{step_id}/retry", post(retry_step))
        .route("/executions/{id}/signal", post(signal))
        .route("/analytics", get(analytics::analytics))
        .route("/schedules", get(schedules::list).post(schedules::create))
        .route("/schedules/{package}/{name}", axum::routing::patch(schedules::patch).delete(schedules::delete))
}

/// Executions a caller may not see do not exist for them (404, not 403: no existence leak).
pub(crate) fn ensure_visible(caller: &Caller, e: &store::ExecutionView) -> Result<(), ApiError> {
    if caller.can_see(e.created_by.as_deref(), e.team_id.as_deref()) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!("execution {}", e.id)))
    }
}

pub(crate) async fn visible_status(s: &AppState, caller: &Caller, id: Uuid) -> Result<runtime::StatusView, ApiError> {
    let view = s.rt.status(id).await?;
    ensure_visible(caller, &view.execution)?;
    Ok(view)
}

pub(crate) fn parse_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| ApiError::bad_request("invalid_id", format!("`{s}` is not an execution id (UUID)")))
}

fn secs(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

fn parameter_json(p: &engine::package::Parameter) -> Value {
    let mut v = json!({
        "name": p.name, "type": p.kind.type_name(), "required": p.required,
        "default": p.default, "description": p.description,
    });
    match &p.kind {
        // Integer bounds are stored as f64; whole ones are rendered as integers (`0`, not `0.0`).
        ParamKind::Integer { min, max } => {
            let whole = |b: &Option<f64>| match *b {
                Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => json!(x as i64),
                other => json!(other),
            };
            v["min"] = whole(min);
            v["max"] = whole(max);
        }
        ParamKind::Number { min, max } => {
            v["min"] = json!(min);
            v["max"] = json!(max);
        }
        ParamKind::String { min_length, max_length, pattern } => {
            v["min_length"] = json!(min_length);
            v["max_length"] = json!(max_length);
            v["pattern"] = json!(pattern.as_ref().map(|r| r.as_str()));
        }
        ParamKind::Enum { values } => v["values"] = json!(values),
        _ => {}
    }
    v
}

fn package_json(p: &Package, version: i32, active: bool) -> Value {
    json!({
        "name": p.name,
        "display_name": p.display_name,
        "description": p.description,
        "version": version,
        "active": active,
        "content_hash": p.content_hash,
        "estimated_duration_seconds": secs(p.estimated_duration()),
        "parameters": p.parameters.iter().map(parameter_json).collect::<Vec<_>>(),
        "required_parameters": p.parameters.iter().filter(|x| x.required).map(|x| &x.name).collect::<Vec<_>>(),
        "optional_parameters": p.parameters.iter().filter(|x| !x.required).map(|x| &x.name).collect::<Vec<_>>(),
        "deliverables": p.deliverables.iter().map(|d| json!({ "name": d.name, "kind": d.kind, "step": p.step(d.step).id })).collect::<Vec<_>>(),
        "schedules": p.schedules.iter().map(|s| json!({ "name": s.name, "cron": s.cron.expression(), "timezone": s.cron.timezone().name(), "enabled": s.enabled })).collect::<Vec<_>>(),
        "step_count": p.steps.len(),
    })
}

async fn list_packages(State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    let mut out = Vec::new();
    for summary in s.rt.store.list_packages().await?.into_iter().filter(|p| p.active) {
        if let Some((version, p)) = s.rt.store.package(&summary.name, None).await? {
            out.push(package_json(&p, version, true));
        }
    }
    Ok(Json(json!({ "packages": out, "total": out.len() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackageQuery {
    /// A stored version (an execution shows the version it runs); the latest when absent.
    version: Option<i32>,
}

/// A package version: its steps, graph, parameters, the TOML it was registered from, and the list
/// of versions.
async fn get_package(
    State(s): State<AppState>,
    Path(name): Path<String>,
    q: Result<Query<PackageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let summary =
        s.rt.store
            .list_packages()
            .await?
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| ApiError::not_found(format!("package `{name}`")))?;
    let wanted = q.version.unwrap_or(summary.latest_version);
    let (version, p) = s.rt.store.package(&name, Some(wanted)).await?.ok_or_else(|| {
        ApiError::not_found(format!("version {wanted} of package `{name}` (latest is {})", summary.latest_version))
    })?;
    let mut v = package_json(&p, version, summary.active);
    v["latest_version"] = json!(summary.latest_version);
    v["source"] = json!(s.rt.store.package_source(&name, version).await?);
    v["steps"] = p
        .steps
        .iter()
        .map(|st| {
            json!({
                "id": st.id, "name": st.name, "handler": st.handler,
                "depends_on": st.depends_on.iter().map(|d| &p.step(*d).id).collect::<Vec<_>>(),
                "estimated_duration_seconds": secs(st.estimated_duration),
                "timeout_seconds": secs(st.timeout), "delay_seconds": secs(st.delay),
                "max_attempts": st.retry.max_attempts,
                "when": st.when.as_ref().map(|w| w.source()),
            })
        })
        .collect();
    v["graph"] = json!({
        "nodes": p.steps.iter().map(|st| json!({ "id": st.id, "label": st.name })).collect::<Vec<_>>(),
        "edges": p.steps.iter().flat_map(|st| st.depends_on.iter().map(|d| json!({ "from": p.step(*d).id, "to": st.id }))).collect::<Vec<_>>(),
    });
    v["versions"] =
        s.rt.store
            .package_versions(&name)
            .await?
            .iter()
            .map(|i| json!({ "version": i.version, "content_hash": i.content_hash, "created_at": i.created_at }))
            .collect();
    Ok(Json(v))
}

fn toml_body(bytes: &Bytes) -> Result<&str, ApiError> {
    std::str::from_utf8(bytes).map_err(|_| ApiError::bad_request("invalid_body", "package file must be UTF-8 TOML"))
}

async fn validate_package(State(s): State<AppState>, bytes: Bytes) -> Result<Json<Value>, ApiError> {
    let package = s.rt.parse_package(toml_body(&bytes)?).map_err(runtime::Error::InvalidPackage)?;
    Ok(Json(json!({ "valid": true, "package": package_json(&package, 0, true) })))
}

async fn put_package(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let source = toml_body(&bytes)?;
    let package = s.rt.parse_package(source).map_err(runtime::Error::InvalidPackage)?;
    if package.name != name {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "name_mismatch",
            format!("the file declares package `{}`, the URL names `{name}`", package.name),
        ));
    }
    let info = s.rt.register_package(source).await?;
    s.audit(
        Some(caller.id()),
        "package.upload",
        Some(format!("{}@{}", info.name, info.version)),
        Some(json!({ "created": info.created, "content_hash": info.content_hash })),
        None,
    )
    .await;
    let status = if info.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((
        status,
        Json(
            json!({ "name": info.name, "version": info.version, "content_hash": info.content_hash, "created": info.created }),
        ),
    ))
}

async fn delete_package(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if let Some((_, routes)) = crate::spec::ROUTE_PACKAGES.iter().find(|(p, _)| *p == name) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "package_in_use",
            format!("`{name}` cannot be deactivated: these routes start it: {}", routes.join(", ")),
        )
        .with("dependants", json!(routes)));
    }
    s.rt.store.set_package_active(&name, false).await?;
    s.audit(Some(caller.id()), "package.deactivate", Some(name.clone()), None, None).await;
    Ok(Json(json!({ "name": name, "active": false })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExecuteRequest {
    package_name: String,
    #[serde(default)]
    parameters: Value,
    #[serde(default)]
    priority: i32,
}

async fn execute(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req: ExecuteRequest = body::parse(&bytes)?;
    let key = match headers.get("idempotency-key") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .filter(|k| !k.is_empty() && k.len() <= 255)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_idempotency_key",
                        "Idempotency-Key must be 1–255 visible ASCII characters",
                    )
                })?
                .to_string(),
        ),
        None => None,
    }
    .map(|k| user_idempotency_key(caller.id(), &req.package_name, &k));
    // Record ids in the parameters are claims: the caller must be able to open each one.
    realestate::access::check_references(&s.estate, &caller.viewer(), &[&req.parameters]).await?;
    let started =
        s.rt.trigger(runtime::Trigger {
            package: req.package_name.clone(),
            params: req.parameters,
            priority: req.priority,
            idempotency_key: key,
            created_by: Some(caller.id().to_string()),
            team_id: caller.user.team_id.map(|t| t.to_string()),
        })
        .await?;
    let view = s.rt.status(started.execution_id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "execution_id": started.execution_id,
            "package_name": req.package_name,
            "status": view.execution.status.as_str(),
            "created": started.created,
            "estimated_completion": view.estimated_completion,
            "estimated_duration_seconds": secs(view.estimated_remaining),
            "status_url": format!("/api/v1/workflows/packages/status/{}", started.execution_id),
        })),
    ))
}

/// A client's `Idempotency-Key` is theirs alone and means one thing per package: it is stored under
/// the caller and the package, so another user's equal key finds nothing, and the keys the
/// routes use internally (`nurture:<lead>`, `campaign:<id>`, …) can never be taken in advance.
fn user_idempotency_key(caller: uuid::Uuid, package: &str, key: &str) -> String {
    format!("user/{caller}/{package}/{key}")
}

fn status_json(v: &runtime::StatusView) -> Value {
    let e = &v.execution;
    let current: Vec<Value> = e
        .steps
        .iter()
        .enumerate()
        .filter(|(_, st)| st.status == engine::StepStatus::Running)
        .map(|(i, st)| {
            let def = &v.package.steps[i];
            let eta = st.started_at.map(|t| t + chrono::Duration::from_std(v.estimates[i]).unwrap_or_default());
            json!({ "step_id": def.id, "step_name": def.name, "started_at": st.started_at, "attempt": st.attempt, "estimated_completion": eta })
        })
        .collect();
    json!({
        "execution_id": e.id,
        "package_name": e.package_name,
        "package_version": e.package_version,
        "status": e.status.as_str(),
        "progress_percentage": (v.progress.percentage * 10.0).round() / 10.0,
        "current_step": current.first().cloned(),
        "current_steps": current,
        "total_steps": v.progress.total,
        "completed_steps": v.progress.completed,
        "running_steps": v.progress.running,
        "failed_steps": v.progress.failed,
        "skipped_steps": v.progress.skipped,
        "estimated_time_remaining": secs(v.estimated_remaining),
        "estimated_completion": v.estimated_completion,
        "created_at": e.created_at,
        "started_at": e.started_at,
        "completed_at": e.finished_at,
        "error": e.error,
        "steps": e.steps.iter().enumerate().map(|(i, st)| {
            let def = &v.package.steps[i];
            json!({
                "step_id": def.id, "step_name": def.name, "handler": def.handler, "status": st.status.as_str(),
                "attempts": st.attempt, "max_attempts": st.max_attempts,
                "started_at": st.started_at, "completed_at": st.finished_at,
                "next_attempt_at": if st.status == engine::StepStatus::Ready { st.ready_at } else { None },
                "duration_seconds": match (st.started_at, st.finished_at) { (Some(a), Some(b)) => Some(((b - a).num_milliseconds() as f64) / 1000.0), _ => None },
                "error": if st.waiting { None } else { st.error.as_ref() },
                "waiting": st.waiting,
                "waiting_for": if st.waiting { st.error.as_ref() } else { None },
                "worker": st.lease_owner,
                "output_summary": st.output.as_ref().map(summarize),
            })
        }).collect::<Vec<_>>(),
    })
}

/// A short view of a step output: scalars as they are, collections by size.
fn summarize(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .take(12)
                .map(|(k, v)| {
                    let s = match v {
                        Value::Array(a) => json!(format!("[{} items]", a.len())),
                        Value::Object(o) => json!(format!("{{{} fields}}", o.len())),
                        Value::String(s) if s.chars().count() > 120 => {
                            json!(format!("{}…", s.chars().take(120).collect::<String>()))
                        }
                        other => other.clone(),
                    };
                    (k.clone(), s)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

async fn status(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let view = visible_status(&s, &caller, parse_id(&id)?).await?;
    Ok(Json(status_json(&view)))
}

async fn get_execution(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let view = visible_status(&s, &caller, parse_id(&id)?).await?;
    let mut v = status_json(&view);
    v["parameters"] = view.execution.params.clone();
    v["priority"] = json!(view.execution.priority);
    v["created_by"] = json!(view.execution.created_by);
    let outputs: serde_json::Map<String, Value> = view
        .execution
        .steps
        .iter()
        .filter_map(|st| st.output.as_ref().map(|o| (st.step_id.clone(), o.clone())))
        .collect();
    // Each step's input as its handler gets it (the package's `input` with parameters and earlier
    // outputs filled in); only for steps that have been reached: a pending step's is not known yet.
    v["inputs"] = view
        .package
        .steps
        .iter()
        .zip(&view.execution.steps)
        .filter(|(_, st)| st.status != engine::StepStatus::Pending)
        .map(|(def, st)| (st.step_id.clone(), engine::package::resolve_input(def, &view.execution.params, &outputs)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    v["outputs"] = outputs.into();
    v["deliverables"] = view
        .package
        .deliverables
        .iter()
        .map(|d| {
            let st = &view.execution.steps[d.step.index()];
            json!({ "name": d.name, "kind": d.kind, "step_id": st.step_id, "status": st.status.as_str(), "output": st.output })
        })
        .collect();
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlRequest {
    action: String,
    reason: Option<String>,
}

async fn control(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    let req: ControlRequest = body::parse(&bytes)?;
    let view = s.rt.store.execution(id).await?.ok_or_else(|| ApiError::not_found(format!("execution {id}")))?;
    ensure_visible(&caller, &view)?;
    let action = Control::parse(&req.action).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_action",
            format!("unknown action `{}` (pause, resume, cancel, retry)", req.action),
        )
    })?;
    let status = s.rt.control(id, action, req.reason.as_deref()).await?;
    s.audit(
        Some(caller.id()),
        "execution.control",
        Some(id.to_string()),
        Some(json!({ "action": action.as_str(), "reason": req.reason })),
        None,
    )
    .await;
    Ok(Json(json!({ "execution_id": id, "action": action.as_str(), "status": status.as_str() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    status: Option<String>,
    package: Option<String>,
    created_by: Option<String>,
    created_after: Option<chrono::DateTime<chrono::Utc>>,
    created_before: Option<chrono::DateTime<chrono::Utc>>,
    cursor: Option<String>,
    limit: Option<u32>,
    /// `name:value`: runs whose parameter `name` is `value` (e.g. `property_id:CON-1`).
    param: Option<String>,
}

/// `name:value`, the name a top-level parameter's (letters, digits, `_`).
fn parse_param(p: &str) -> Result<(String, String), ApiError> {
    let bad = || ApiError::bad_request("invalid_query", "param must be `name:value` (e.g. property_id:CON-1)");
    let (name, value) = p.split_once(':').ok_or_else(bad)?;
    let valid = !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid || value.is_empty() {
        return Err(bad());
    }
    Ok((name.to_string(), value.to_string()))
}

async fn list_executions(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let status = match &q.status {
        Some(st) => Some(
            ExecutionStatus::parse(st)
                .ok_or_else(|| ApiError::bad_request("invalid_query", format!("unknown status `{st}`")))?,
        ),
        None => None,
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let (own, team) = caller.scope();
    // The caller's scope always applies; a `created_by` filter narrows it further.
    let created_by = match (own, q.created_by) {
        (Some(me), Some(asked)) if me != asked => return Ok(Json(json!({ "executions": [], "next_cursor": null }))),
        (Some(me), _) => Some(me),
        (None, asked) => asked,
    };
    let filter = ExecutionFilter {
        status,
        package_name: q.package,
        created_by,
        team_id: team,
        created_after: q.created_after,
        created_before: q.created_before,
        before_id: q.cursor.as_deref().map(parse_id).transpose()?,
        param: q.param.as_deref().map(parse_param).transpose()?,
        limit,
    };
    let rows = s.rt.store.list_executions(&filter).await?;
    let next = (rows.len() as u32 == limit).then(|| rows.last().map(|r| r.id)).flatten();
    Ok(Json(json!({
        "executions": rows.iter().map(|r| json!({
            "execution_id": r.id, "package_name": r.package_name, "package_version": r.package_version,
            "status": r.status.as_str(), "created_by": r.created_by, "created_at": r.created_at, "completed_at": r.finished_at,
        })).collect::<Vec<_>>(),
        "next_cursor": next,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsQuery {
    after: Option<i64>,
    limit: Option<u32>,
}

async fn events(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    q: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let view = s.rt.store.execution(id).await?.ok_or_else(|| ApiError::not_found(format!("execution {id}")))?;
    ensure_visible(&caller, &view)?;
    let events = s.rt.store.events(id, q.after.unwrap_or(0), q.limit.unwrap_or(500).clamp(1, 5000)).await?;
    Ok(Json(json!({
        "execution_id": id,
        "events": events.iter().map(|e| json!({
            "id": e.id, "at": e.at, "kind": e.kind, "step_id": e.step_id, "attempt": e.attempt, "detail": e.detail,
        })).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RetryStepRequest {
    reason: Option<String>,
}

/// Retries a failed (or cancelled) execution from one of its failed or cancelled steps: that step
/// and every other step that did not finish run again; finished steps keep their checkpoints.
async fn retry_step(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, step_id)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    let req: RetryStepRequest = if bytes.is_empty() { RetryStepRequest::default() } else { body::parse(&bytes)? };
    let view = s.rt.store.execution(id).await?.ok_or_else(|| ApiError::not_found(format!("execution {id}")))?;
    ensure_visible(&caller, &view)?;
    let step = view
        .steps
        .iter()
        .find(|st| st.step_id == step_id)
        .ok_or_else(|| ApiError::not_found(format!("step `{step_id}`")))?;
    if !matches!(step.status, engine::StepStatus::Failed | engine::StepStatus::Cancelled) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "step_not_retryable",
            format!("step `{step_id}` is {}, not failed or cancelled", step.status),
        ));
    }
    let status = s.rt.control(id, Control::Retry, req.reason.as_deref()).await?;
    s.audit(
        Some(caller.id()),
        "execution.retry_step",
        Some(format!("{id}/{step_id}")),
        Some(json!({ "reason": req.reason })),
        None,
    )
    .await;
    Ok(Json(json!({ "execution_id": id, "step_id": step_id, "status": status.as_str() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalRequest {
    name: String,
    #[serde(default)]
    payload: Value,
}

/// Longest signal name; names are identifiers (`lead_replied`, `approval`), not messages.
const SIGNAL_NAME_MAX: usize = 64;

async fn signal(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = parse_id(&id)?;
    let req: SignalRequest = body::parse(&bytes)?;
    let valid = !req.name.is_empty()
        && req.name.len() <= SIGNAL_NAME_MAX
        && req.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
    if !valid {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_signal",
            format!("signal name must be 1 to {SIGNAL_NAME_MAX} characters of a-z, 0-9, `_` or `.`"),
        ));
    }
    let view = s.rt.store.execution(id).await?.ok_or_else(|| ApiError::not_found(format!("execution {id}")))?;
    ensure_visible(&caller, &view)?;
    let mut payload = if req.payload.is_null() { json!({}) } else { req.payload };
    if let Some(obj) = payload.as_object_mut() {
        obj.entry("sent_by").or_insert_with(|| json!(caller.id()));
    }
    let signal_id = s.rt.signal(id, &req.name, &payload).await?;
    s.audit(Some(caller.id()), "execution.signal", Some(id.to_string()), Some(json!({ "name": req.name })), None).await;
    Ok((StatusCode::ACCEPTED, Json(json!({ "execution_id": id, "signal_id": signal_id, "name": req.name }))))
}
