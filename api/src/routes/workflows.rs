//! The workflows router (`/api/v1/workflows`): packages, executions, controls, history.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use engine::{Control, ExecutionStatus};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use store::ExecutionFilter;
use uuid::Uuid;

use crate::auth::Caller;
use crate::{json as body, ApiError, AppState};

mod analytics;
mod schedules;
mod stream;
mod views;

use views::*;

pub(crate) use contracts::CONTRACTS;
mod contracts;

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

async fn list_packages(State(s): State<AppState>) -> Result<Json<PackageList>, ApiError> {
    let mut out = Vec::new();
    for summary in s.rt.store.list_packages().await?.into_iter().filter(|p| p.active) {
        if let Some((version, p)) = s.rt.store.package(&summary.name, None).await? {
            out.push(PackageView::new(&p, version, true));
        }
    }
    Ok(Json(PackageList { total: out.len(), packages: out }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackageQuery {
    /// A stored version (an execution shows the version it runs); the latest when absent.
    version: Option<i32>,
}

/// A package version: its steps, graph, parameters, the TOML it was registered from, and the list
/// of versions.
async fn get_package(
    State(s): State<AppState>,
    Path(name): Path<String>,
    q: Result<Query<PackageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PackageDetail>, ApiError> {
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
    let (steps, graph) = PackageDetail::steps(&p);
    let versions = s.rt.store.package_versions(&name).await?;
    Ok(Json(PackageDetail {
        package: PackageView::new(&p, version, summary.active),
        latest_version: summary.latest_version,
        source: s.rt.store.package_source(&name, version).await?,
        steps,
        graph,
        versions: versions
            .iter()
            .map(|i| VersionView { version: i.version, content_hash: i.content_hash.clone(), created_at: i.created_at })
            .collect(),
    }))
}

fn toml_body(bytes: &Bytes) -> Result<&str, ApiError> {
    std::str::from_utf8(bytes).map_err(|_| ApiError::bad_request("invalid_body", "package file must be UTF-8 TOML"))
}

async fn validate_package(State(s): State<AppState>, bytes: Bytes) -> Result<Json<Validated>, ApiError> {
    let package = s.rt.parse_package(toml_body(&bytes)?).map_err(runtime::Error::InvalidPackage)?;
    Ok(Json(Validated { valid: true, package: PackageView::new(&package, 0, true) }))
}

async fn put_package(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
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
        Json(Registered {
            name: info.name,
            version: info.version,
            content_hash: info.content_hash,
            created: info.created,
        }),
    ))
}

async fn delete_package(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<Json<Deactivated>, ApiError> {
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
    Ok(Json(Deactivated { name, active: false }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExecuteRequest {
    package_name: String,
    /// Checked against the package's typed parameters.
    #[serde(default)]
    #[schemars(with = "Option<Map<String, Value>>")]
    parameters: Value,
    /// Higher runs first.
    #[serde(default)]
    priority: i32,
}

async fn execute(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Started>), ApiError> {
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
        Json(Started {
            execution_id: started.execution_id,
            package_name: req.package_name,
            status: view.execution.status.into(),
            created: started.created,
            estimated_completion: view.estimated_completion,
            estimated_duration_seconds: secs(view.estimated_remaining),
            status_url: format!("/api/v1/workflows/packages/status/{}", started.execution_id),
        }),
    ))
}

/// A client's `Idempotency-Key` is theirs alone and means one thing per package: it is stored under
/// the caller and the package, so another user's equal key finds nothing, and the keys the
/// routes use internally (`nurture:<lead>`, `campaign:<id>`, …) can never be taken in advance.
fn user_idempotency_key(caller: uuid::Uuid, package: &str, key: &str) -> String {
    format!("user/{caller}/{package}/{key}")
}

async fn status(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<StatusReport>, ApiError> {
    let view = visible_status(&s, &caller, parse_id(&id)?).await?;
    Ok(Json(StatusReport::from(&view)))
}

async fn get_execution(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<ExecutionDetail>, ApiError> {
    let view = visible_status(&s, &caller, parse_id(&id)?).await?;
    Ok(Json(ExecutionDetail::from(&view)))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ControlRequest {
    #[schemars(extend("enum" = ["pause", "resume", "cancel", "retry"]))]
    action: String,
    /// Kept in the execution's history and the audit log.
    reason: Option<String>,
}

async fn control(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Controlled>, ApiError> {
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
    Ok(Json(Controlled { execution_id: id, action: action.into(), status: status.into() }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    status: Option<crate::contract::names::ExecutionStatusQuery>,
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
) -> Result<Json<ExecutionPage>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let status = match q.status.as_ref().map(|s| s.0.as_str()) {
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
        (Some(me), Some(asked)) if me != asked => {
            return Ok(Json(ExecutionPage { executions: Vec::new(), next_cursor: None }))
        }
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
    Ok(Json(ExecutionPage { executions: rows.iter().map(ExecutionRow::from).collect(), next_cursor: next }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventsQuery {
    after: Option<i64>,
    limit: Option<u32>,
}

async fn events(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    q: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<EventPage>, ApiError> {
    let id = parse_id(&id)?;
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let view = s.rt.store.execution(id).await?.ok_or_else(|| ApiError::not_found(format!("execution {id}")))?;
    ensure_visible(&caller, &view)?;
    let events = s.rt.store.events(id, q.after.unwrap_or(0), q.limit.unwrap_or(500).clamp(1, 5000)).await?;
    Ok(Json(EventPage { execution_id: id, events: events.iter().map(EventView::from).collect() }))
}

#[derive(Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RetryStepRequest {
    reason: Option<String>,
}

/// Retries a failed (or cancelled) execution from one of its failed or cancelled steps: that step
/// and every other step that did not finish run again; finished steps keep their checkpoints.
async fn retry_step(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, step_id)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<Json<StepRetried>, ApiError> {
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
    Ok(Json(StepRetried { execution_id: id, step_id, status: status.into() }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignalRequest {
    /// 1 to 64 characters of a-z, 0-9, `_` or `.`.
    #[schemars(regex(pattern = r"^[a-z0-9_.]{1,64}$"))]
    name: String,
    /// Any JSON; `sent_by` is added when it is an object.
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
) -> Result<(StatusCode, Json<SignalAccepted>), ApiError> {
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
    Ok((StatusCode::ACCEPTED, Json(SignalAccepted { execution_id: id, signal_id, name: req.name })))
}
