//! `/api/v1/leads` and `/api/v1/tasks`: leads (create, import CSV, list, read, status changes),
//! starting their nurturing package, and the agent tasks packages create (e.g. call a hot lead).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use realestate::leads::{self, LeadInput};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::records::{Filter, Record, Table};
use uuid::Uuid;

use crate::auth::Caller;
use crate::contract::Contract;
use crate::{json as body, ApiError, AppState};

pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::post("/api/v1/leads").body::<CreateLead>().json_status::<LeadCreated>(201),
    Contract::post("/api/v1/leads/import").json::<LeadImport>(),
    Contract::get("/api/v1/leads").query::<ListQuery>().json::<LeadList>(),
    Contract::get("/api/v1/leads/{id}").uuids(&["id"]).json::<LeadView>(),
    Contract::patch("/api/v1/leads/{id}").uuids(&["id"]).body::<UpdateLead>().json::<LeadView>(),
    Contract::post("/api/v1/leads/{id}/nurture").uuids(&["id"]).json_status::<NurtureStarted>(202),
    Contract::get("/api/v1/tasks").json::<TaskList>(),
];

record_view!(
    /// A lead; `execution_id` names its nurturing execution once one started.
    LeadView,
    "lead_id"
);
record_view!(
    /// A task a package made for an agent (call a hot lead, say).
    TaskView,
    "task_id"
);

/// A new lead, with its nurturing execution when `nurture` started one.
#[derive(Serialize, JsonSchema)]
struct LeadCreated {
    #[serde(flatten)]
    lead: LeadView,
    #[serde(skip_serializing_if = "Option::is_none")]
    execution_id: Option<Uuid>,
}

#[derive(Serialize, JsonSchema)]
struct LeadList {
    leads: Vec<LeadView>,
}

#[derive(Serialize, JsonSchema)]
struct TaskList {
    tasks: Vec<TaskView>,
}

#[derive(Serialize, JsonSchema)]
struct LeadImport {
    created: usize,
    lead_ids: Vec<Uuid>,
    rejected: usize,
    errors: Vec<RejectedRow>,
}

/// A CSV row that was not imported, by its line number.
#[derive(Serialize, JsonSchema)]
struct RejectedRow {
    line: usize,
    message: String,
}

#[derive(Serialize, JsonSchema)]
struct NurtureStarted {
    lead_id: Uuid,
    execution_id: Uuid,
    tracking_url: String,
}

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
) -> Result<(StatusCode, Json<LeadCreated>), ApiError> {
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
    let mut out = LeadCreated { lead: LeadView::from(&record), execution_id: None };
    if let Some(execution) = nurture {
        out.execution_id = Some(s.rt.start(execution).await?.execution_id);
        // Written beside the body's fields, so a body field of the same name must not repeat it.
        out.lead.fields.remove("execution_id");
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
) -> Result<Json<LeadImport>, ApiError> {
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
            Err(message) => errors.push(RejectedRow { line, message }),
        }
    }
    Ok(Json(LeadImport { created: created.len(), lead_ids: created, rejected: errors.len(), errors }))
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
) -> Result<Json<LeadList>, ApiError> {
    let (owner_id, team_id) = caller.scope();
    let filter = Filter { owner_id, team_id, status: q.status, limit: 500, ..Default::default() };
    let rows = s.estate.records.list(Table::Leads, &filter).await?;
    Ok(Json(LeadList { leads: rows.iter().map(LeadView::from).collect() }))
}

async fn get_one(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<LeadView>, ApiError> {
    Ok(Json(LeadView::from(&visible(&s, &caller, &id).await?)))
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
) -> Result<Json<LeadView>, ApiError> {
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
    Ok(Json(LeadView::from(&updated)))
}

async fn nurture(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<NurtureStarted>), ApiError> {
    let lead = visible(&s, &caller, &id).await?;
    let execution = start_nurture(&s, &caller, &lead).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(NurtureStarted {
            lead_id: lead.id,
            execution_id: execution,
            tracking_url: format!("/api/v1/workflows/packages/status/{execution}"),
        }),
    ))
}

async fn tasks(State(s): State<AppState>, Extension(caller): Extension<Caller>) -> Result<Json<TaskList>, ApiError> {
    let (owner_id, team_id) = caller.scope();
    let rows = s
        .estate
        .records
        .list(Table::AgentTasks, &Filter { owner_id, team_id, limit: 500, ..Default::default() })
        .await?;
    Ok(Json(TaskList { tasks: rows.iter().map(TaskView::from).collect() }))
}
