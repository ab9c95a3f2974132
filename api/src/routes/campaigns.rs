//! `/api/v1/marketing/campaigns`: a property's campaign with its generated, compliance-checked
//! copy stored as assets, and the approval workflow (`realestate::approval`) with its trail.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use realestate::approval::{self, ApprovalAction, ApprovalError, CampaignStatus};
use realestate::campaign::{generate_assets, kinds_for, CampaignError, Requester};
use realestate::content::ContentStyle;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use store::domain::CampaignRecord;
use uuid::Uuid;

use crate::auth::Caller;
use crate::contract::{Answer, Contract};
use crate::routes::properties::find;
use crate::{json as body, ApiError, AppState};

const APPROVAL: &[(u16, &str)] = &[
    (409, "illegal_transition: the campaign's state does not allow this."),
    (403, "forbidden or own_campaign: approvers are team leaders and admins, never of their own campaign."),
];
pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::get("/api/v1/marketing/campaigns").json::<CampaignList>(),
    Contract::post("/api/v1/marketing/campaigns")
        .body::<CreateCampaign>()
        .json_status::<CampaignView>(201)
        .errors(&[(409, "compliance_not_configured: the brokerage settings are missing.")]),
    Contract::post("/api/v1/marketing/campaigns/full-package")
        .body::<CreateCampaign>()
        .json_status::<CampaignView>(201)
        .errors(&[(409, "compliance_not_configured: the brokerage settings are missing.")]),
    Contract::post("/api/v1/marketing/campaigns/{id}/events")
        .uuids(&["id"])
        .body::<EventRequest>()
        .json_status::<EventRecorded>(201),
    Contract::get("/api/v1/marketing/campaigns/{id}/analytics").uuids(&["id"]).json::<CampaignAnalytics>(),
    Contract::get("/api/v1/marketing/campaigns/{id}").uuids(&["id"]).json::<CampaignView>(),
    Contract::post("/api/v1/marketing/campaigns/{id}/approval")
        .uuids(&["id"])
        .body::<ApprovalRequest>()
        .json::<CampaignView>()
        .errors(APPROVAL),
    Contract::post("/api/v1/marketing/campaigns/{id}/distribute")
        .uuids(&["id"])
        .body::<DistributeRequest>()
        .json_status::<DistributionStarted>(202)
        .errors(&[
            (409, "not_approved: only an approved campaign is distributed."),
            (403, "forbidden: only the campaign's owner, their team leader or an admin."),
        ]),
    Contract::get("/api/v1/marketing/campaigns/{id}/deliveries").uuids(&["id"]).json::<CampaignDeliveries>(),
    Contract::get("/api/v1/marketing/campaigns/{id}/assets").uuids(&["id"]).json::<CampaignAssets>(),
    Contract::get("/api/v1/marketing/assets/{id}").uuids(&["id"]).answer(
        200,
        Answer::File(&["application/pdf", "image/png", "text/html", "text/plain", "text/calendar", "application/json"]),
    ),
];

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/marketing/campaigns", get(list).post(create))
        .route("/marketing/campaigns/full-package", post(full_package))
        .route("/marketing/campaigns/{id}", get(get_one))
        .route("/marketing/campaigns/{id}/approval", post(approval_action))
        .route("/marketing/campaigns/{id}/distribute", post(distribute))
        .route("/marketing/campaigns/{id}/deliveries", get(deliveries))
        .route("/marketing/campaigns/{id}/assets", get(assets))
        .route("/marketing/campaigns/{id}/events", post(record_event))
        .route("/marketing/campaigns/{id}/analytics", get(analytics))
        .route("/marketing/assets/{id}", get(asset))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CreateCampaign {
    property_id: String,
    #[serde(default = "new_listing")]
    campaign_type: String,
    target_channels: Vec<String>,
    budget: Option<f64>,
    target_audience: Option<String>,
    content_style: Option<ContentStyle>,
    #[serde(default)]
    customizations: Value,
    agent_phone: Option<String>,
}

fn new_listing() -> String {
    "new_listing".into()
}

fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", format!("{field}: {message}"))
        .with("errors", json!([{ "field": field, "message": message }]))
}

fn campaign_error(e: CampaignError) -> ApiError {
    match e {
        CampaignError::InvalidRequest(m) => invalid("target_channels", m),
        CampaignError::NotCompliant { channel, findings } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_compliant",
            format!("the {channel} copy fails the compliance checker"),
        )
        .with("findings", findings),
        CampaignError::Settings(e) => e.into(),
        CampaignError::Store(e) => e.into(),
        CampaignError::Internal(m) => {
            tracing::error!(error = %m, "campaign generation failed");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
        }
    }
}

/// Checks what can be checked before any work: body, channels, property, configuration.
async fn prepare(
    s: &AppState,
    caller: &Caller,
    bytes: &Bytes,
) -> Result<(CreateCampaign, store::domain::PropertyRecord, Requester), ApiError> {
    let req: CreateCampaign = body::parse(bytes)?;
    if req.budget.is_some_and(|b| !(0.0..=100_000_000.0).contains(&b)) {
        return Err(invalid("budget", "must be an amount in AED between 0 and 100,000,000"));
    }
    kinds_for(&req.target_channels).map_err(campaign_error)?;
    let property = find(s, caller, &req.property_id).await?;
    s.estate.settings().await?.registration()?;
    let requester = Requester {
        owner_id: caller.id().to_string(),
        team_id: caller.user.team_id.map(|t| t.to_string()),
        name: caller.user.name.clone(),
        email: caller.user.email.clone(),
        phone: req.agent_phone.clone().unwrap_or_default(),
    };
    Ok((req, property, requester))
}

fn record(
    req: &CreateCampaign,
    property: &store::domain::PropertyRecord,
    requester: &Requester,
    status: &str,
    assets: Value,
    now: chrono::DateTime<chrono::Utc>,
) -> CampaignRecord {
    CampaignRecord {
        id: Uuid::now_v7(),
        owner_id: requester.owner_id.clone(),
        team_id: requester.team_id.clone(),
        property_id: property.id,
        campaign_type: req.campaign_type.clone(),
        status: status.into(),
        request: json!({
            "target_channels": req.target_channels, "budget": req.budget, "target_audience": req.target_audience,
            "content_style": req.content_style, "customizations": req.customizations, "requester": requester,
        }),
        assets,
        execution_id: None,
        error: None,
        created_at: now,
        updated_at: now,
    }
}

/// Creates a campaign draft now: every asset generated, checked and stored before it answers.
async fn create(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<CampaignView>), ApiError> {
    let (req, property, requester) = prepare(&s, &caller, &bytes).await?;
    let now = s.rt.clock.now();
    let assets = generate_assets(
        &s.estate,
        &property,
        &requester,
        &req.target_channels,
        req.content_style,
        &req.customizations,
        now,
    )
    .await
    .map_err(campaign_error)?;
    let record = record(&req, &property, &requester, CampaignStatus::Draft.as_str(), Value::Array(assets), now);
    s.estate.domain.create_campaign(&record).await?;
    s.audit(Some(caller.id()), "campaign.create", Some(record.id.to_string()), None, None).await;
    Ok((StatusCode::CREATED, Json(CampaignView::new(&record, &[]))))
}

/// The seed's full package: the campaign is created `processing` and a durable execution of the
/// `marketing_full_package` package makes its assets; follow it at `tracking_url`.
async fn full_package(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<CampaignView>), ApiError> {
    let (req, property, requester) = prepare(&s, &caller, &bytes).await?;
    let now = s.rt.clock.now();
    let mut record = record(&req, &property, &requester, "processing", json!([]), now);
    // Prepared before the campaign is written, so a refused trigger leaves no campaign behind.
    let execution =
        s.rt.prepare(runtime::Trigger {
            package: "marketing_full_package".into(),
            params: json!({ "campaign_id": record.id.to_string() }),
            priority: 0,
            idempotency_key: Some(format!("campaign:{}", record.id)),
            created_by: Some(caller.id().to_string()),
            team_id: requester.team_id.clone(),
        })
        .await?;
    s.estate.domain.create_campaign(&record).await?;
    let started = s.rt.start(execution).await?;
    s.estate.domain.set_campaign_execution(record.id, &started.execution_id.to_string()).await?;
    record.execution_id = Some(started.execution_id.to_string());
    s.audit(Some(caller.id()), "campaign.full_package", Some(record.id.to_string()), None, None).await;
    Ok((StatusCode::CREATED, Json(CampaignView::new(&record, &[]))))
}

type Time = chrono::DateTime<chrono::Utc>;

/// A campaign with its approval trail (empty in lists and on creation).
#[derive(Serialize, JsonSchema)]
struct CampaignView {
    campaign_id: Uuid,
    status: String,
    campaign_type: String,
    property_id: Uuid,
    owner_id: String,
    created_at: Time,
    updated_at: Time,
    /// What the agent asked for: channels, budget, audience, style, customizations, requester.
    request: Value,
    /// The stored assets, each with its type, channel, checksum and download URL.
    assets: Value,
    /// The full-package execution, when there is one.
    execution_id: Option<String>,
    /// Why generation failed (status `failed`).
    error: Option<String>,
    tracking_url: String,
    approvals: Vec<ApprovalView>,
}

/// One step of a campaign's approval trail.
#[derive(Serialize, JsonSchema)]
struct ApprovalView {
    at: Time,
    actor_id: String,
    action: String,
    from: String,
    to: String,
    notes: Option<String>,
}

impl CampaignView {
    fn new(c: &CampaignRecord, trail: &[store::domain::ApprovalRecord]) -> CampaignView {
        CampaignView {
            campaign_id: c.id,
            status: c.status.clone(),
            campaign_type: c.campaign_type.clone(),
            property_id: c.property_id,
            owner_id: c.owner_id.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            request: c.request.clone(),
            assets: c.assets.clone(),
            execution_id: c.execution_id.clone(),
            error: c.error.clone(),
            tracking_url: format!("/api/v1/marketing/campaigns/{}", c.id),
            approvals: trail
                .iter()
                .map(|a| ApprovalView {
                    at: a.at,
                    actor_id: a.actor_id.clone(),
                    action: a.action.clone(),
                    from: a.from_status.clone(),
                    to: a.to_status.clone(),
                    notes: a.notes.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, JsonSchema)]
struct CampaignList {
    campaigns: Vec<CampaignView>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct EventRecorded {
    campaign_id: Uuid,
    kind: String,
    channel: Option<String>,
    count: i32,
}

/// Counts by a name (an asset's content type, a delivery's status, an event's kind).
type Counts = BTreeMap<String, i64>;

#[derive(Serialize, JsonSchema)]
pub(crate) struct CampaignAnalytics {
    campaign_id: Uuid,
    status: String,
    assets_produced: usize,
    deliveries: DeliveryCounts,
    assets_by_type: Counts,
    approval: ApprovalTiming,
    engagement: Engagement,
    rates: Rates,
}

#[derive(Serialize, JsonSchema)]
struct DeliveryCounts {
    total: usize,
    /// Per channel, deliveries by status.
    by_channel: BTreeMap<String, Counts>,
}

#[derive(Serialize, JsonSchema)]
struct ApprovalTiming {
    submitted_at: Option<Time>,
    decided_at: Option<Time>,
    hours_to_decision: Option<f64>,
    steps: usize,
}

#[derive(Serialize, JsonSchema)]
struct Engagement {
    views: i64,
    opens: i64,
    clicks: i64,
    leads: i64,
    shares: i64,
    replies: i64,
    unsubscribes: i64,
    /// Per channel (`unspecified` when the event named none), event totals by kind.
    by_channel: BTreeMap<String, Counts>,
}

/// Ratios, absent (null) while their denominator is zero.
#[derive(Serialize, JsonSchema)]
struct Rates {
    click_through: Option<f64>,
    lead_conversion: Option<f64>,
}

#[derive(Serialize, JsonSchema)]
struct DistributionStarted {
    campaign_id: Uuid,
    status: &'static str,
    execution_id: Uuid,
    tracking_url: String,
}

/// A delivery (one e-mail or post): its body's fields (channel, recipient, …) beside its state.
#[derive(Serialize, JsonSchema)]
struct DeliveryView {
    delivery_id: Uuid,
    status: String,
    updated_at: Time,
    #[serde(flatten)]
    fields: Map<String, Value>,
}

fn delivery_fields(r: &store::records::Record) -> Map<String, Value> {
    let mut fields = r.body.as_object().cloned().unwrap_or_default();
    for k in ["delivery_id", "status", "updated_at"] {
        fields.remove(k);
    }
    fields
}

#[derive(Serialize, JsonSchema)]
struct CampaignDeliveries {
    campaign_id: Uuid,
    deliveries: Vec<DeliveryView>,
}

#[derive(Serialize, JsonSchema)]
struct CampaignAssets {
    campaign_id: Uuid,
    status: String,
    assets: Value,
}

async fn visible(s: &AppState, caller: &Caller, id: &str) -> Result<CampaignRecord, ApiError> {
    let id =
        Uuid::parse_str(id).map_err(|_| ApiError::bad_request("invalid_id", format!("`{id}` is not a campaign id")))?;
    let c = s.estate.domain.campaign(id).await?.ok_or_else(|| ApiError::not_found(format!("campaign {id}")))?;
    if !caller.can_see(Some(&c.owner_id), c.team_id.as_deref()) {
        return Err(ApiError::not_found(format!("campaign {id}")));
    }
    Ok(c)
}

async fn get_one(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<CampaignView>, ApiError> {
    let c = visible(&s, &caller, &id).await?;
    let trail = s.estate.domain.approvals(c.id).await?;
    Ok(Json(CampaignView::new(&c, &trail)))
}

async fn list(State(s): State<AppState>, Extension(caller): Extension<Caller>) -> Result<Json<CampaignList>, ApiError> {
    let (owner, team) = caller.scope();
    let rows = s.estate.domain.list_campaigns(owner.as_deref(), team.as_deref(), 200).await?;
    Ok(Json(CampaignList { campaigns: rows.iter().map(|c| CampaignView::new(c, &[])).collect() }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ApprovalRequest {
    action: String,
    notes: Option<String>,
}

async fn approval_action(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<CampaignView>, ApiError> {
    let req: ApprovalRequest = body::parse(&bytes)?;
    let action = ApprovalAction::parse(&req.action)
        .filter(|a| *a != ApprovalAction::Distribute)
        .ok_or_else(|| invalid("action", "must be submit, approve or request_changes"))?;
    if req.notes.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(invalid("notes", "at most 2,000 characters"));
    }
    let c = visible(&s, &caller, &id).await?;
    let from = CampaignStatus::parse(&c.status)
        .ok_or_else(|| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error"))?;
    let actor = approval::Actor {
        can_approve: caller.has("marketing:approve_campaigns"),
        is_owner: c.owner_id == caller.id().to_string(),
    };
    let to = approval::transition(from, action, actor).map_err(|e| match e {
        ApprovalError::IllegalTransition { .. } => {
            ApiError::new(StatusCode::CONFLICT, "illegal_transition", e.to_string())
        }
        ApprovalError::NotAnApprover(_) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", e.to_string()),
        ApprovalError::OwnCampaign => ApiError::new(StatusCode::FORBIDDEN, "own_campaign", e.to_string()),
    })?;
    s.estate
        .domain
        .transition_campaign(
            c.id,
            from.as_str(),
            to.as_str(),
            &caller.id().to_string(),
            action.as_str(),
            req.notes.as_deref(),
            s.rt.clock.now(),
        )
        .await?;
    s.audit(
        Some(caller.id()),
        &format!("campaign.{}", action.as_str()),
        Some(c.id.to_string()),
        req.notes.as_ref().map(|n| json!({ "notes": n })),
        None,
    )
    .await;
    let updated = s.estate.domain.campaign(c.id).await?.ok_or_else(|| ApiError::not_found("campaign"))?;
    let trail = s.estate.domain.approvals(c.id).await?;
    Ok(Json(CampaignView::new(&updated, &trail)))
}

async fn asset(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id =
        Uuid::parse_str(&id).map_err(|_| ApiError::bad_request("invalid_id", format!("`{id}` is not an asset id")))?;
    let (a, bytes) = s.estate.domain.artifact(id).await?.ok_or_else(|| ApiError::not_found(format!("asset {id}")))?;
    if !caller.can_see(a.owner_id.as_deref(), a.team_id.as_deref()) {
        return Err(ApiError::not_found(format!("asset {id}")));
    }
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type.clone()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{}\"", a.filename)),
            (header::ETAG, format!("\"{}\"", a.sha256)),
        ],
        bytes,
    ))
}

/// Engagement a channel reports for a campaign.
const EVENT_KINDS: &[&str] = &["view", "open", "click", "lead", "share", "reply", "unsubscribe"];

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct EventRequest {
    kind: String,
    channel: Option<String>,
    #[serde(default = "one")]
    count: i32,
    detail: Option<Value>,
}

fn one() -> i32 {
    1
}

pub(crate) async fn record_event(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<EventRecorded>), ApiError> {
    let req: EventRequest = body::parse(&bytes)?;
    if !EVENT_KINDS.contains(&req.kind.as_str()) {
        return Err(invalid("kind", format!("must be one of {}", EVENT_KINDS.join(", "))));
    }
    if !(1..=100_000).contains(&req.count) {
        return Err(invalid("count", "must be 1–100,000"));
    }
    if req.channel.as_ref().is_some_and(|c| c.is_empty() || c.len() > 40) {
        return Err(invalid("channel", "must be 1–40 characters"));
    }
    let c = visible(&s, &caller, &id).await?;
    let event = store::domain::CampaignEvent {
        campaign_id: c.id,
        at: s.rt.clock.now(),
        kind: req.kind,
        channel: req.channel,
        count: req.count,
        detail: req.detail,
    };
    s.estate.domain.add_campaign_event(&event).await?;
    Ok((
        StatusCode::CREATED,
        Json(EventRecorded { campaign_id: c.id, kind: event.kind, channel: event.channel, count: event.count }),
    ))
}

/// What a campaign produced and how it performed, from its records.
pub(crate) async fn analytics(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<CampaignAnalytics>, ApiError> {
    let c = visible(&s, &caller, &id).await?;
    let trail = s.estate.domain.approvals(c.id).await?;
    let totals = s.estate.domain.campaign_event_totals(c.id).await?;
    let mut by_type = Counts::new();
    for a in c.assets.as_array().into_iter().flatten() {
        let t = a["content_type"].as_str().unwrap_or("unknown").split(';').next().unwrap_or("unknown").to_string();
        *by_type.entry(t).or_default() += 1;
    }
    let submitted = trail.iter().find(|a| a.action == "submit").map(|a| a.at);
    let decided = trail.iter().rev().find(|a| a.action == "approve" || a.action == "request_changes").map(|a| a.at);
    let hours = match (submitted, decided) {
        (Some(s), Some(d)) => Some(((d - s).num_seconds() as f64 / 3600.0 * 100.0).round() / 100.0),
        _ => None,
    };
    let total = |kind: &str| totals.iter().filter(|(k, _, _)| k == kind).map(|(_, _, n)| *n).sum::<i64>();
    let mut by_channel = BTreeMap::<String, Counts>::new();
    for (kind, channel, n) in &totals {
        let key = channel.clone().unwrap_or_else(|| "unspecified".into());
        by_channel.entry(key).or_default().insert(kind.clone(), *n);
    }
    let (opens, clicks, leads) = (total("open"), total("click"), total("lead"));
    let ratio = |a: i64, b: i64| (b > 0).then(|| ((a as f64 / b as f64) * 10_000.0).round() / 10_000.0);
    Ok(Json(CampaignAnalytics {
        campaign_id: c.id,
        status: c.status.clone(),
        assets_produced: c.assets.as_array().map_or(0, Vec::len),
        deliveries: delivery_counts(&s, c.id).await?,
        assets_by_type: by_type,
        approval: ApprovalTiming {
            submitted_at: submitted,
            decided_at: decided,
            hours_to_decision: hours,
            steps: trail.len(),
        },
        engagement: Engagement {
            views: total("view"),
            opens,
            clicks,
            leads,
            shares: total("share"),
            replies: total("reply"),
            unsubscribes: total("unsubscribe"),
            by_channel,
        },
        rates: Rates { click_through: ratio(clicks, opens), lead_conversion: ratio(leads, clicks) },
    }))
}

async fn delivery_counts(s: &AppState, id: Uuid) -> Result<DeliveryCounts, ApiError> {
    let rows = realestate::distribution::deliveries(&s.estate, id).await?;
    let mut by = BTreeMap::<String, Counts>::new();
    for r in &rows {
        let channel = r.body["channel"].as_str().unwrap_or("unknown").to_string();
        *by.entry(channel).or_default().entry(r.status.clone()).or_default() += 1;
    }
    Ok(DeliveryCounts { total: rows.len(), by_channel: by })
}

#[derive(Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DistributeRequest {
    #[serde(default)]
    recipients: Vec<String>,
}

/// Distributes an approved campaign: the transition to `distributed` is recorded in the approval
/// trail, then a durable `campaign_distribution` execution sends the e-mail and publishes the posts.
async fn distribute(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<DistributionStarted>), ApiError> {
    let req: DistributeRequest = if bytes.is_empty() { DistributeRequest::default() } else { body::parse(&bytes)? };
    if req.recipients.len() > realestate::distribution::RECIPIENTS_MAX {
        return Err(invalid("recipients", format!("at most {} recipients", realestate::distribution::RECIPIENTS_MAX)));
    }
    let mut errors = Vec::new();
    for (i, r) in req.recipients.iter().enumerate() {
        if let Err(e) = mail::Address::parse(r) {
            errors.push(json!({ "field": format!("recipients[{i}]"), "message": e.to_string() }));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_fields",
            "recipients: invalid e-mail addresses",
        )
        .with("errors", Value::Array(errors)));
    }
    let c = visible(&s, &caller, &id).await?;
    let from = CampaignStatus::parse(&c.status)
        .ok_or_else(|| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error"))?;
    let actor = approval::Actor {
        can_approve: caller.has("marketing:approve_campaigns"),
        is_owner: c.owner_id == caller.id().to_string(),
    };
    let to = approval::transition(from, ApprovalAction::Distribute, actor).map_err(|e| match e {
        ApprovalError::IllegalTransition { .. } => ApiError::new(
            StatusCode::CONFLICT,
            "not_approved",
            format!("only approved campaigns can be distributed; this one is {}", c.status),
        ),
        other => ApiError::new(StatusCode::FORBIDDEN, "forbidden", other.to_string()),
    })?;
    let note = format!("{} e-mail recipient(s)", req.recipients.len());
    // Prepared before the campaign moves, so a refused trigger leaves it approved, not half-sent.
    let trigger = runtime::Trigger {
        package: realestate::distribution::DISTRIBUTION_PACKAGE.into(),
        params: json!({ "campaign_id": c.id, "recipients": req.recipients }),
        idempotency_key: Some(format!("distribute:{}", c.id)),
        created_by: Some(c.owner_id.clone()),
        team_id: c.team_id.clone(),
        ..Default::default()
    };
    let execution = s.rt.prepare(trigger).await?;
    s.estate
        .domain
        .transition_campaign(
            c.id,
            from.as_str(),
            to.as_str(),
            &caller.id().to_string(),
            "distribute",
            Some(&note),
            s.rt.clock.now(),
        )
        .await?;
    let started = s.rt.start(execution).await?;
    s.audit(
        Some(caller.id()),
        "campaign.distribute",
        Some(c.id.to_string()),
        Some(json!({ "recipients": req.recipients.len() })),
        None,
    )
    .await;
    Ok((
        StatusCode::ACCEPTED,
        Json(DistributionStarted {
            campaign_id: c.id,
            status: to.as_str(),
            execution_id: started.execution_id,
            tracking_url: format!("/api/v1/workflows/packages/status/{}", started.execution_id),
        }),
    ))
}

async fn deliveries(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<CampaignDeliveries>, ApiError> {
    let c = visible(&s, &caller, &id).await?;
    let rows = realestate::distribution::deliveries(&s.estate, c.id).await?;
    let deliveries = rows
        .iter()
        .map(|r| DeliveryView {
            delivery_id: r.id,
            status: r.status.clone(),
            updated_at: r.updated_at,
            fields: delivery_fields(r),
        })
        .collect();
    Ok(Json(CampaignDeliveries { campaign_id: c.id, deliveries }))
}

/// A campaign's assets: type, format, size, checksum and download URL of each.
async fn assets(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<CampaignAssets>, ApiError> {
    let c = visible(&s, &caller, &id).await?;
    Ok(Json(CampaignAssets { campaign_id: c.id, status: c.status, assets: c.assets }))
}
