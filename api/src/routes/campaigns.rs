//! `/api/v1/marketing/campaigns`: a property's campaign with its generated, compliance-checked
//! copy stored as assets, and the approval workflow (`realestate::approval`) with its trail.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use realestate::approval::{self, ApprovalAction, ApprovalError, CampaignStatus};
use realestate::compliance::{self, Channel, Context};
use realestate::content::{Agent, Brokerage, ContentError, ContentKind, ContentRequest, ContentStyle, Platform};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use store::domain::{Artifact, CampaignRecord};
use uuid::Uuid;

use crate::auth::Caller;
use crate::routes::properties::find;
use crate::{json as body, ApiError, AppState};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/marketing/campaigns", get(list).post(create))
        .route("/marketing/campaigns/{id}", get(get_one))
        .route("/marketing/campaigns/{id}/approval", post(approval_action))
        .route("/marketing/assets/{id}", get(asset))
}

#[derive(Deserialize)]
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

/// The content kinds a target channel asks for (`social` means every network).
fn kinds_for(channel: &str) -> Result<Vec<ContentKind>, ApiError> {
    Ok(match channel {
        "listing" | "portal" => vec![ContentKind::Listing],
        "email" => vec![ContentKind::Email],
        "postcard" => vec![ContentKind::Postcard],
        "brochure" => vec![ContentKind::Brochure],
        "social" => Platform::ALL.iter().map(|p| ContentKind::Social(*p)).collect(),
        "instagram" => vec![ContentKind::Social(Platform::Instagram)],
        "facebook" => vec![ContentKind::Social(Platform::Facebook)],
        "linkedin" => vec![ContentKind::Social(Platform::Linkedin)],
        "x" | "twitter" => vec![ContentKind::Social(Platform::X)],
        other => return Err(invalid("target_channels", format!("unknown channel `{other}` (listing, email, postcard, brochure, social, instagram, facebook, linkedin, x)"))),
    })
}

async fn create(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req: CreateCampaign = body::parse(&bytes)?;
    if req.target_channels.is_empty() {
        return Err(invalid("target_channels", "name at least one channel"));
    }
    if req.budget.is_some_and(|b| !(0.0..=100_000_000.0).contains(&b)) {
        return Err(invalid("budget", "must be an amount in AED between 0 and 100,000,000"));
    }
    let mut kinds = Vec::new();
    for c in &req.target_channels {
        for k in kinds_for(c)? {
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
    }
    let property = find(&s, &caller, &req.property_id).await?;
    let cfg = &s.estate.compliance;
    let (Some(orn), Some(brn)) = (cfg.orn.clone(), cfg.brn.clone()) else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "compliance_not_configured",
            "set the brokerage ORN and BRN (AURA_COMPLIANCE_CONFIG) before creating campaigns",
        ));
    };
    let style = req.content_style.unwrap_or_else(|| ContentStyle::for_price(property.body["asking_price"].as_f64()));
    let generator = s.estate.generator().await?;
    let now = s.rt.clock.now();
    let today = now.date_naive();
    // Generate and check everything first: a campaign with one non-compliant asset is not created.
    let mut files: Vec<(String, String, &'static str, Vec<u8>)> = Vec::new();
    // The print renderers read the agent and brokerage from the property document.
    let mut print_property = property.body.clone();
    print_property["agent"] = json!({ "name": caller.user.name, "brn": brn, "phone": req.agent_phone.clone().unwrap_or_default(), "email": caller.user.email });
    print_property["brokerage"] = json!({ "name": "AURA", "orn": orn });
    let print_info = |what: &str| realestate::print::PrintInfo {
        title: format!("{what} \u{2013} {}", property.reference),
        author: caller.user.name.clone(),
        created: now,
    };
    for kind in kinds {
        let request = ContentRequest {
            kind,
            property: property.body.clone(),
            content_style: style,
            agent: Agent {
                name: caller.user.name.clone(),
                brn: brn.clone(),
                phone: req.agent_phone.clone().unwrap_or_default(),
                email: caller.user.email.clone(),
            },
            brokerage: Brokerage { name: "AURA".into(), orn: orn.clone() },
            customizations: req.customizations.clone(),
        };
        let generated = generator.write(&request).map_err(|e| match e {
            ContentError::InvalidRequest(m) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_content_request", m)
            }
            ContentError::ProhibitedClaim(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "not_compliant", m),
            other => {
                tracing::error!(error = %other, "content generation failed");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
        })?;
        let channel: Channel = generated.channel.parse().unwrap_or(Channel::Portal);
        let text = format!("{}\n{}\n{}", generated.title, generated.body, generated.hashtags.join(" "));
        let ctx = Context::new(channel, cfg).with_property(&property.body).with_qr_code(true).with_today(today);
        let report = compliance::check(&text, &ctx);
        if !report.compliant {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_compliant",
                format!("the {} copy fails the compliance checker", generated.channel),
            )
            .with("findings", json!(report.findings)));
        }
        let plain = format!("{}\n\n{}\n\n{}", generated.title, generated.body, generated.hashtags.join(" "));
        let stem = generated.channel.replace(':', "_");
        files.push((
            generated.channel.clone(),
            format!("{stem}.txt"),
            "text/plain; charset=utf-8",
            plain.trim().as_bytes().to_vec(),
        ));
        if let Some(html) = &generated.html {
            files.push((
                generated.channel.clone(),
                format!("{stem}.html"),
                "text/html; charset=utf-8",
                html.as_bytes().to_vec(),
            ));
        }
        // Print assets: the permit number is printed and encoded as a QR code on each.
        match kind {
            ContentKind::Postcard => {
                let pdf = realestate::print::postcard_pdf(
                    &print_property,
                    &generated,
                    &generated,
                    "",
                    print_info("Postcard"),
                );
                files.push((generated.channel.clone(), format!("{stem}.pdf"), "application/pdf", pdf));
            }
            ContentKind::Brochure => {
                let pdf = realestate::print::brochure_pdf(&print_property, &generated, "", print_info("Brochure"));
                files.push((generated.channel.clone(), format!("{stem}.pdf"), "application/pdf", pdf));
            }
            _ => {}
        }
    }
    let id = Uuid::now_v7();
    let mut assets = Vec::new();
    for (channel, filename, content_type, bytes) in files {
        let sha: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        let artifact = Artifact {
            id: Uuid::now_v7(),
            owner_id: Some(caller.id().to_string()),
            team_id: caller.user.team_id.map(|t| t.to_string()),
            kind: format!("campaign_copy:{channel}"),
            filename,
            content_type: content_type.into(),
            size_bytes: bytes.len() as i64,
            sha256: sha.clone(),
            created_at: now,
        };
        s.estate.domain.put_artifact(&artifact, &bytes).await?;
        assets.push(json!({ "artifact_id": artifact.id, "channel": channel, "filename": artifact.filename, "content_type": artifact.content_type, "size_bytes": artifact.size_bytes, "sha256": sha, "url": format!("/api/v1/marketing/assets/{}", artifact.id) }));
    }
    let record = CampaignRecord {
        id,
        owner_id: caller.id().to_string(),
        team_id: caller.user.team_id.map(|t| t.to_string()),
        property_id: property.id,
        campaign_type: req.campaign_type,
        status: CampaignStatus::Draft.as_str().into(),
        request: json!({ "target_channels": req.target_channels, "budget": req.budget, "target_audience": req.target_audience, "content_style": style, "customizations": req.customizations }),
        assets: Value::Array(assets),
        created_at: now,
        updated_at: now,
    };
    s.estate.domain.create_campaign(&record).await?;
    s.audit(Some(caller.id()), "campaign.create", Some(id.to_string()), None, None).await;
    Ok((StatusCode::CREATED, Json(campaign_json(&record, &[]))))
}

fn campaign_json(c: &CampaignRecord, trail: &[store::domain::ApprovalRecord]) -> Value {
    json!({
        "campaign_id": c.id, "status": c.status, "campaign_type": c.campaign_type, "property_id": c.property_id,
        "owner_id": c.owner_id, "created_at": c.created_at, "updated_at": c.updated_at,
        "request": c.request, "assets": c.assets,
        "tracking_url": format!("/api/v1/marketing/campaigns/{}", c.id),
        "approvals": trail.iter().map(|a| json!({ "at": a.at, "actor_id": a.actor_id, "action": a.action, "from": a.from_status, "to": a.to_status, "notes": a.notes })).collect::<Vec<_>>(),
    })
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
) -> Result<Json<Value>, ApiError> {
    let c = visible(&s, &caller, &id).await?;
    let trail = s.estate.domain.approvals(c.id).await?;
    Ok(Json(campaign_json(&c, &trail)))
}

async fn list(State(s): State<AppState>, Extension(caller): Extension<Caller>) -> Result<Json<Value>, ApiError> {
    let (owner, team) = caller.scope();
    let rows = s.estate.domain.list_campaigns(owner.as_deref(), team.as_deref(), 200).await?;
    Ok(Json(json!({ "campaigns": rows.iter().map(|c| campaign_json(c, &[])).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
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
) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(campaign_json(&updated, &trail)))
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
