//! `/api/v1/leads` and `/api/v1/tasks`: leads (create, import CSV, list, read, status changes),
//! starting their nurturing package, and the agent tasks packages create (e.g. call a hot lead).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use realestate::leads::{self, LeadInput};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};
use store::records::{Filter, Record, Table};
use uuid::Uuid;

use crate::auth::Caller;
use crate::contract::{Answer, Contract};
use crate::{json as body, ApiError, AppState};

const OBJECT: Answer = Contract::get("").object().answer;
pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::post("/api/v1/leads").body::<CreateLead>().answer(201, OBJECT),
    Contract::post("/api/v1/leads/import").object(),
    Contract::get("/api/v1/leads").query::<ListQuery>().object(),
    Contract::get("/api/v1/leads/{id}").uuids(&["id"]).object(),
    Contract::patch("/api/v1/leads/{id}").uuids(&["id"]).body::<UpdateLead>().object(),
    Contract::post("/api/v1/leads/{id}/nurture").uuids(&["id"]).answer(202, OBJECT),
    Contract::get("/api/v1/tasks").object(),
];

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/leads", get(list).post(create))
        .route("/leads/import", post(import))
        .route("/leads/{id}", get(get_one).patch(update))
        .route("/leads/{id}/nurture", post(nurture))
        .route("/tasks", get(tasks))
}

pub(crate) const NURTURE_PACKAGE: &str = "lead_nurturing_package";

fn field_errors(errors: Vec<realestate::property::FieldError>) -> ApiError {
    let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", detail).with("errors", json!(errors))
}

pub(crate) fn record_json(r: &Record, id_field: &str) -> Value {
    let mut v = r.body.clone();
    v[id_field] = json!(r.id);
    v["status"] = json!(r.status);
    v["owner_id"] = json!(r.owner_id);
    v["created_at"] = json!(r.created_at);
    v["updated_at"] = json!(r.updated_at);
    v
}

fn new_lead(caller: &Caller, body: Value, now: chrono::DateTime<chrono::Utc>) -> Record {
    let mut r = Record::new("new", body, now);
    r.owner_id = Some(caller.id().to_string());
    r.team_id = caller.user.team_id.map(|t| t.to_string());
    r
}

#[derive(Deserialize, JsonSchema)]
struct CreateLead {
    #[serde(flatten)]
    lead: serde_json::Map<String, Value>,
}

async fn create(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut req: CreateLead = body::parse(&bytes)?;
    let start = req.lead.remove("nurture").map(|v| v.as_bool().unwrap_or(false)).unwrap_or(false);
    let input: LeadInput = serde_json::from_value(Value::Object(req.lead))
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", e.to_string()))?;
    let lead_body = leads::validate(&input, &|c| s.estate.market.resolve(c)).map_err(field_errors)?;
    let now = s.rt.clock.now();
    let lead = new_lead(&caller, lead_body, now);
    // Prepared before the lead is written, so a refused trigger leaves no lead behind.
    let nurture = if start { Some(s.rt.prepare(nurture_trigger(&caller, &lead)).await?) } else { None };
    let (record, _) = s.estate.records.insert(Table::Leads, &lead).await?;
    let mut out = record_json(&record, "lead_id");
    if let Some(execution) = nurture {
        out["execution_id"] = json!(s.rt.start(execution).await?.execution_id);
    }
    Ok((StatusCode::CREATED, Json(out)))
}

fn nurture_trigger(caller: &Caller, lead: &Record) -> runtime::Trigger {
    runtime::Trigger {
        package: NURTURE_PACKAGE.into(),
        params: json!({ "lead_id": lead.id }),
        idempotency_key: Some(format!("nurture:{}", lead.id)),
        created_by: lead.owner_id.clone().or_else(|| Some(caller.id().to_string())),
        team_id: lead.team_id.clone(),
        ..Default::default()
    }
}

async fn start_nurture(s: &AppState, caller: &Caller, lead: &Record) -> Result<Uuid, ApiError> {
    Ok(s.rt.trigger(nurture_trigger(caller, lead)).await?.execution_id)
}

/// A CSV of leads (`text/csv` body): valid rows are created, invalid ones reported by line.
async fn import(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::bad_request("invalid_csv", "the body must be UTF-8 CSV text"))?;
    let rows =
        leads::model::parse_csv(text).map_err(|m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv", m))?;
    let now = s.rt.clock.now();
    let mut created = Vec::new();
    let mut errors = Vec::new();
    for (line, row) in rows {
        let validated = row.and_then(|input| {
            leads::validate(&input, &|c| s.estate.market.resolve(c)).map_err(|errs| {
                errs.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
            })
        });
        match validated {
            Ok(b) => {
                let (r, _) = s.estate.records.insert(Table::Leads, &new_lead(&caller, b, now)).await?;
                created.push(r.id);
            }
            Err(message) => errors.push(json!({ "line": line, "message": message })),
        }
    }
    Ok(Json(json!({ "created": created.len(), "lead_ids": created, "rejected": errors.len(), "errors": errors })))
}

async fn visible(s: &AppState, caller: &Caller, id: &str) -> Result<Record, ApiError> {
    let id =
        Uuid::parse_str(id).map_err(|_| ApiError::bad_request("invalid_id", format!("`{id}` is not a lead id")))?;
    s.estate
        .records
        .get(Table::Leads, id)
        .await?
        .filter(|r| caller.can_see(r.owner_id.as_deref(), r.team_id.as_deref()))
        .ok_or_else(|| ApiError::not_found(format!("lead {id}")))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    status: Option<String>,
}

async fn list(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let (owner_id, team_id) = caller.scope();
    let filter = Filter { owner_id, team_id, status: q.status, limit: 500, ..Default::default() };
    let rows = s.estate.records.list(Table::Leads, &filter).await?;
    Ok(Json(json!({ "leads": rows.iter().map(|r| record_json(r, "lead_id")).collect::<Vec<_>>() })))
}

async fn get_one(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(record_json(&visible(&s, &caller, &id).await?, "lead_id")))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct UpdateLead {
    status: String,
    note: Option<String>,
}

/// A status change; replied, converted and unsubscribed stop a running drip at once.
async fn update(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let req: UpdateLead = body::parse(&bytes)?;
    if !leads::STATUSES.contains(&req.status.as_str()) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_fields",
            format!("status: must be one of {}", leads::STATUSES.join(", ")),
        )
        .with("errors", json!([{ "field": "status", "message": "unknown status" }])));
    }
    let lead = visible(&s, &caller, &id).await?;
    let mut b = lead.body.clone();
    if let Some(note) = &req.note {
        b["last_note"] = json!(note.chars().take(2000).collect::<String>());
    }
    let updated = s
        .estate
        .records
        .update(Table::Leads, lead.id, Some(&lead.status), &req.status, Some(&b), s.rt.clock.now())
        .await?;
    if req.status == "converted" && lead.status != "converted" {
        let metric = analytics::kpi::metric::LEAD_CONVERTED;
        s.estate.record_metric(metric, lead.owner_id.as_deref(), lead.team_id.as_deref()).await;
    }
    let signal = match req.status.as_str() {
        "replied" => Some("lead_replied"),
        "converted" => Some("lead_converted"),
        "unsubscribed" => Some("lead_unsubscribed"),
        _ => None,
    };
    if let (Some(signal), Some(execution)) =
        (signal, lead.body["execution_id"].as_str().and_then(|e| Uuid::parse_str(e).ok()))
    {
        match s.rt.signal(execution, signal, &json!({ "lead_id": lead.id, "by": caller.id() })).await {
            Ok(_) | Err(runtime::Error::Store(store::Error::Conflict(_))) => {}
            Err(e) => tracing::warn!(error = %e, lead = %lead.id, "could not signal the nurturing execution"),
        }
    }
    Ok(Json(record_json(&updated, "lead_id")))
}

async fn nurture(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let lead = visible(&s, &caller, &id).await?;
    let execution = start_nurture(&s, &caller, &lead).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "lead_id": lead.id, "execution_id": execution,
            "tracking_url": format!("/api/v1/workflows/packages/status/{execution}") })),
    ))
}

async fn tasks(State(s): State<AppState>, Extension(caller): Extension<Caller>) -> Result<Json<Value>, ApiError> {
    let (owner_id, team_id) = caller.scope();
    let rows = s
        .estate
        .records
        .list(Table::AgentTasks, &Filter { owner_id, team_id, limit: 500, ..Default::default() })
        .await?;
    Ok(Json(json!({ "tasks": rows.iter().map(|r| record_json(r, "task_id")).collect::<Vec<_>>() })))
}
