//! `/api/v1/clients`: clients who signed, their KYC document uploads, and the team leader's
//! approval of the file; creating a client starts its onboarding package.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use realestate::clients::{self, ClientInput};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use store::domain::Artifact;
use store::records::{Filter, Record, Table};
use uuid::Uuid;

use crate::auth::Caller;
use crate::contract::Contract;
use crate::{json as body, ApiError, AppState};

pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::post("/api/v1/clients").body::<ClientInput>().json_status::<ClientCreated>(201),
    Contract::get("/api/v1/clients").json::<ClientList>(),
    Contract::get("/api/v1/clients/{id}").uuids(&["id"]).json::<ClientView>(),
    Contract::get("/api/v1/clients/{id}/documents").uuids(&["id"]).json::<ClientDocuments>(),
    Contract::post("/api/v1/clients/{id}/documents")
        .uuids(&["id"])
        .query::<UploadQuery>()
        .json_status::<DocumentView>(201)
        .errors(&[(415, "unsupported_media_type: PDF, JPEG or PNG only."), (413, "body_too_large")]),
    Contract::post("/api/v1/clients/{id}/approval")
        .uuids(&["id"])
        .body::<ApprovalRequest>()
        .json::<ClientView>()
        .errors(&[(403, "forbidden: only a team leader or an admin approves an agreement.")]),
];

record_view!(
    /// A client; `execution_id` names its onboarding execution.
    ClientView,
    "client_id"
);
record_view!(
    /// A KYC document a client's agent uploaded (its bytes are an artifact, `artifact_id`).
    DocumentView,
    "document_id"
);

/// A new client, with what the onboarding will ask for and where to follow it.
#[derive(Serialize, JsonSchema)]
struct ClientCreated {
    #[serde(flatten)]
    client: ClientView,
    required_documents: Vec<&'static str>,
    tracking_url: String,
}

#[derive(Serialize, JsonSchema)]
struct ClientList {
    clients: Vec<ClientView>,
}

#[derive(Serialize, JsonSchema)]
struct ClientDocuments {
    client_id: Uuid,
    /// The document types this kind of client must give.
    required: Vec<&'static str>,
    missing: Vec<&'static str>,
    documents: Vec<DocumentView>,
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/clients", get(list).post(create))
        .route("/clients/{id}", get(get_one))
        // Documents may be larger than the API's 1 MiB default body limit.
        .route(
            "/clients/{id}/documents",
            get(documents).post(upload).layer(axum::extract::DefaultBodyLimit::max(DOCUMENT_BYTES_MAX)),
        )
        .route("/clients/{id}/approval", post(approval))
}

const ONBOARDING_PACKAGE: &str = "client_onboarding_package";
/// Largest document accepted (a scanned passport or title deed).
const DOCUMENT_BYTES_MAX: usize = 10 * 1024 * 1024;

fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", format!("{field}: {message}"))
        .with("errors", json!([{ "field": field, "message": message }]))
}

async fn create(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<ClientCreated>), ApiError> {
    let input: ClientInput = body::parse(&bytes)?;
    let mut b = clients::validate(&input).map_err(|errors| {
        let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", detail).with("errors", json!(errors))
    })?;
    if let Some(p) = b["property_id"].as_str().map(str::to_string) {
        let property = crate::routes::properties::find(&s, &caller, &p).await?;
        b["property_id"] = json!(property.id);
    }
    let now = s.rt.clock.now();
    let mut record = Record::new("onboarding", b, now);
    record.owner_id = Some(caller.id().to_string());
    record.team_id = caller.user.team_id.map(|t| t.to_string());
    // Prepared before the client is written, so a refused trigger leaves no client behind.
    let execution =
        s.rt.prepare(runtime::Trigger {
            package: ONBOARDING_PACKAGE.into(),
            params: json!({ "client_id": record.id }),
            idempotency_key: Some(format!("onboard:{}", record.id)),
            created_by: record.owner_id.clone(),
            team_id: record.team_id.clone(),
            ..Default::default()
        })
        .await?;
    let (record, _) = s.estate.records.insert(Table::Clients, &record).await?;
    let started = s.rt.start(execution).await?;
    let mut b = record.body.clone();
    b["execution_id"] = json!(started.execution_id);
    let record = s.estate.records.update(Table::Clients, record.id, None, "onboarding", Some(&b), now).await?;
    let mut client = ClientView::from(&record);
    // Written beside the body's fields, so a body field of the same name must not repeat them.
    client.fields.remove("required_documents");
    client.fields.remove("tracking_url");
    let out = ClientCreated {
        client,
        required_documents: clients::required_documents(
            record.body["client_type"].as_str().unwrap_or(""),
            record.body["role"].as_str().unwrap_or(""),
        ),
        tracking_url: format!("/api/v1/workflows/packages/status/{}", started.execution_id),
    };
    Ok((StatusCode::CREATED, Json(out)))
}

async fn visible(s: &AppState, caller: &Caller, id: &str) -> Result<Record, ApiError> {
    let id =
        Uuid::parse_str(id).map_err(|_| ApiError::bad_request("invalid_id", format!("`{id}` is not a client id")))?;
    s.estate
        .records
        .get(Table::Clients, id)
        .await?
        .filter(|r| caller.can_see(r.owner_id.as_deref(), r.team_id.as_deref()))
        .ok_or_else(|| ApiError::not_found(format!("client {id}")))
}

async fn list(State(s): State<AppState>, Extension(caller): Extension<Caller>) -> Result<Json<ClientList>, ApiError> {
    let (owner_id, team_id) = caller.scope();
    let rows =
        s.estate.records.list(Table::Clients, &Filter { owner_id, team_id, limit: 500, ..Default::default() }).await?;
    Ok(Json(ClientList { clients: rows.iter().map(ClientView::from).collect() }))
}

async fn get_one(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<ClientView>, ApiError> {
    Ok(Json(ClientView::from(&visible(&s, &caller, &id).await?)))
}

async fn documents(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<ClientDocuments>, ApiError> {
    let c = visible(&s, &caller, &id).await?;
    let docs = s
        .estate
        .records
        .list(Table::ClientDocuments, &Filter { ref_id: Some(c.id.to_string()), limit: 500, ..Default::default() })
        .await?;
    let required = clients::required_documents(
        c.body["client_type"].as_str().unwrap_or(""),
        c.body["role"].as_str().unwrap_or(""),
    );
    let missing: Vec<&str> =
        required.iter().copied().filter(|t| !docs.iter().any(|d| d.body["doc_type"] == *t)).collect();
    Ok(Json(ClientDocuments {
        client_id: c.id,
        required,
        missing,
        documents: docs.iter().map(DocumentView::from).collect(),
    }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct UploadQuery {
    doc_type: String,
    filename: Option<String>,
}

/// A document as the raw body (`application/pdf`, `image/jpeg` or `image/png`), its type in the query.
async fn upload(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<DocumentView>), ApiError> {
    if !clients::DOC_TYPES.contains(&q.doc_type.as_str()) {
        return Err(invalid("doc_type", format!("must be one of {}", clients::DOC_TYPES.join(", "))));
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let magic_ok = match content_type.as_str() {
        "application/pdf" => bytes.starts_with(b"%PDF-"),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        _ => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "upload a PDF, JPEG or PNG",
            ))
        }
    };
    if !magic_ok {
        return Err(invalid("body", format!("the file is not a valid {content_type}")));
    }
    if bytes.is_empty() || bytes.len() > DOCUMENT_BYTES_MAX {
        return Err(invalid("body", "the file must be between 1 byte and 10 MB"));
    }
    let c = visible(&s, &caller, &id).await?;
    let now = s.rt.clock.now();
    let filename =
        q.filename.unwrap_or_else(|| format!("{}.{}", q.doc_type, content_type.rsplit('/').next().unwrap_or("bin")));
    let artifact = Artifact {
        id: Uuid::now_v7(),
        owner_id: c.owner_id.clone(),
        team_id: c.team_id.clone(),
        kind: format!("kyc:{}", q.doc_type),
        filename: filename.chars().filter(|ch| !ch.is_control() && *ch != '/' && *ch != '\\').take(120).collect(),
        content_type: content_type.clone(),
        size_bytes: bytes.len() as i64,
        sha256: Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect(),
        created_at: now,
    };
    s.estate.domain.put_artifact(&artifact, &bytes).await?;
    let mut doc = Record::new(
        "received",
        json!({
            "doc_type": q.doc_type, "artifact_id": artifact.id, "filename": artifact.filename, "content_type": content_type,
            "size_bytes": artifact.size_bytes, "sha256": artifact.sha256, "uploaded_by": caller.id(),
        }),
        now,
    );
    doc.owner_id = c.owner_id.clone();
    doc.team_id = c.team_id.clone();
    doc.ref_id = Some(c.id.to_string());
    let (doc, _) = s.estate.records.insert(Table::ClientDocuments, &doc).await?;
    signal(&s, &c, clients::DOCUMENT_SIGNAL, json!({ "doc_type": q.doc_type, "by": caller.id() })).await;
    Ok((StatusCode::CREATED, Json(DocumentView::from(&doc))))
}

async fn signal(s: &AppState, c: &Record, name: &str, payload: Value) {
    if let Some(execution) = c.body["execution_id"].as_str().and_then(|e| Uuid::parse_str(e).ok()) {
        match s.rt.signal(execution, name, &payload).await {
            Ok(_) | Err(runtime::Error::Store(store::Error::Conflict(_))) => {}
            Err(e) => tracing::warn!(error = %e, client = %c.id, "could not signal the onboarding execution"),
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ApprovalRequest {
    decision: String,
    notes: Option<String>,
}

/// A team leader approves the file (or sends it back); never the agent who owns it.
async fn approval(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<ClientView>, ApiError> {
    let req: ApprovalRequest = body::parse(&bytes)?;
    let (status, signal_name) = match req.decision.as_str() {
        "approve" => ("approved", clients::APPROVED_SIGNAL),
        "reject" => ("changes_requested", clients::REJECTED_SIGNAL),
        _ => return Err(invalid("decision", "must be approve or reject")),
    };
    let c = visible(&s, &caller, &id).await?;
    if c.owner_id.as_deref() == Some(caller.id().to_string().as_str()) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "own_file",
            "a team leader other than the file's agent must approve it",
        ));
    }
    let updated =
        s.estate.records.update(Table::Clients, c.id, Some("onboarding"), status, None, s.rt.clock.now()).await?;
    if status == "approved" {
        let metric = analytics::kpi::metric::CLIENT_ONBOARDED;
        s.estate.record_metric(metric, c.owner_id.as_deref(), c.team_id.as_deref()).await;
    }
    signal(&s, &c, signal_name, json!({ "by": caller.id(), "notes": req.notes })).await;
    s.audit(
        Some(caller.id()),
        &format!("client.{}", req.decision),
        Some(c.id.to_string()),
        req.notes.as_ref().map(|n| json!({ "notes": n })),
        None,
    )
    .await;
    Ok(Json(ClientView::from(&updated)))
}
