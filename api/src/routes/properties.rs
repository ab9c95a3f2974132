//! `/api/v1/properties`: agents' listings, scoped like executions (own / team / all).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use realestate::property::{self, FieldError, Property, PropertyInput};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use store::domain::PropertyRecord;
use uuid::Uuid;

use crate::auth::Caller;
use crate::contract::Contract;
use crate::{json as body, ApiError, AppState};

/// Property ids are not only UUIDs: the agent's own reference (`CON-1`) finds a property too.
pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::get("/api/v1/properties").query::<ListQuery>().json::<PropertyList>(),
    Contract::post("/api/v1/properties")
        .body::<PropertyInput>()
        .json_status::<PropertyView>(201)
        .errors(&[(409, "conflict: you already have a property with this reference.")]),
    Contract::get("/api/v1/properties/{id}").json::<PropertyView>(),
    Contract::patch("/api/v1/properties/{id}")
        .body::<PropertyInput>()
        .json::<PropertyView>()
        .errors(&[(409, "conflict: you already have a property with this reference.")]),
    Contract::delete("/api/v1/properties/{id}").json::<Deleted>(),
];

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/properties", get(list).post(create))
        .route("/properties/{id}", get(get_one).patch(update).delete(remove))
}

pub(crate) fn field_errors(errors: Vec<FieldError>) -> ApiError {
    let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", detail).with("errors", json!(errors))
}

/// A listing: its normalised fields (which ones are present depends on what the agent gave, and
/// older records may carry others) beside the ones the store owns.
#[derive(Serialize, JsonSchema)]
pub(crate) struct PropertyView {
    id: Uuid,
    owner_id: String,
    team_id: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(flatten)]
    fields: Map<String, Value>,
}

impl From<&PropertyRecord> for PropertyView {
    fn from(p: &PropertyRecord) -> PropertyView {
        let mut fields = match &p.body {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        // The store's own values win over any the body carries under the same names.
        for k in ["id", "owner_id", "team_id", "created_at", "updated_at"] {
            fields.remove(k);
        }
        PropertyView {
            id: p.id,
            owner_id: p.owner_id.clone(),
            team_id: p.team_id.clone(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            fields,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct PropertyList {
    properties: Vec<PropertyView>,
    total: usize,
}

/// The answer to a DELETE: what was deleted.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Deleted {
    pub(crate) deleted: bool,
    pub(crate) id: Uuid,
}

/// A property by our id or by the agent's reference, as the caller may see it.
pub(crate) async fn find(s: &AppState, caller: &Caller, id_or_reference: &str) -> Result<PropertyRecord, ApiError> {
    realestate::access::find_property(&s.estate, Some(&caller.viewer()), id_or_reference)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("property `{id_or_reference}`")))
}

/// A stored property as the validated listing it was saved from. One that does not read back was
/// edited outside AURA: a server fault, logged with the reason, never a half-rendered asset.
pub(crate) fn listing_of(p: &PropertyRecord) -> Result<Property, ApiError> {
    Property::from_record(p).map_err(|e| {
        tracing::error!(property = %p.id, error = %e, "a stored property does not read back");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
    })
}

async fn create(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<PropertyView>), ApiError> {
    let input: PropertyInput = body::parse(&bytes)?;
    let market = &s.estate.market;
    let listing = property::validate(&input, &|t| market.resolve(t), true).map_err(field_errors)?;
    let now = s.rt.clock.now();
    let record = PropertyRecord {
        id: Uuid::now_v7(),
        owner_id: caller.id().to_string(),
        team_id: caller.user.team_id.map(|t| t.to_string()),
        reference: listing.reference().to_string(),
        body: listing.to_body(),
        created_at: now,
        updated_at: now,
    };
    s.estate.domain.create_property(&record).await?;
    Ok((StatusCode::CREATED, Json(PropertyView::from(&record))))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    limit: Option<u32>,
}

async fn list(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PropertyList>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let (owner, team) = caller.scope();
    let rows = s
        .estate
        .domain
        .list_properties(owner.as_deref(), team.as_deref(), q.limit.unwrap_or(100).clamp(1, 1000))
        .await?;
    Ok(Json(PropertyList { properties: rows.iter().map(PropertyView::from).collect(), total: rows.len() }))
}

async fn get_one(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<PropertyView>, ApiError> {
    Ok(Json(PropertyView::from(&find(&s, &caller, &id).await?)))
}

async fn update(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<PropertyView>, ApiError> {
    let existing = find(&s, &caller, &id).await?;
    let patch: Value = body::parse(&bytes)?;
    let market = &s.estate.market;
    let listing = property::patch(&existing.body, &patch, &|t| market.resolve(t)).map_err(field_errors)?;
    let reference = listing.reference.clone().unwrap_or_else(|| existing.reference.clone());
    let updated =
        s.estate.domain.update_property(existing.id, &reference, &listing.to_body(), s.rt.clock.now()).await?;
    Ok(Json(PropertyView::from(&updated)))
}

async fn remove(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Deleted>, ApiError> {
    let existing = find(&s, &caller, &id).await?;
    s.estate.domain.delete_property(existing.id).await?;
    Ok(Json(Deleted { deleted: true, id: existing.id }))
}
