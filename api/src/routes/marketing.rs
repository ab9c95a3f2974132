//! `/api/v1/marketing`: the advertising compliance checker agents run on their own copy, and
//! its rule catalogue.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use realestate::compliance::{self, Asset, Channel, Context, Report, RuleInfo};
use realestate::content::GeneratedContent;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::domain::TemplateRecord;

use crate::auth::Caller;
use crate::contract::Contract;
use crate::routes::properties::{find, listing_of};
use crate::{json as body, ApiError, AppState};

pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::post("/api/v1/marketing/compliance/check").body::<CheckRequest>().json::<Report>(),
    Contract::get("/api/v1/marketing/compliance/rules").json::<RuleList>(),
    Contract::get("/api/v1/marketing/templates").query::<TemplateQuery>().json::<TemplateList>(),
    Contract::put("/api/v1/marketing/templates/{name}").body::<PutTemplate>().json::<TemplateView>(),
    Contract::post("/api/v1/marketing/content/generate")
        .body::<GenerateRequest>()
        .json::<GeneratedCopy>()
        .errors(&[(409, "compliance_not_configured: the brokerage settings are missing.")]),
];

#[derive(Serialize, JsonSchema)]
struct RuleList {
    rules: Vec<RuleInfo>,
}

/// A content template; `source` is `builtin` or `custom`.
#[derive(Serialize, JsonSchema)]
struct TemplateView {
    name: String,
    category: String,
    channel: String,
    market: String,
    compliance_status: String,
    /// The field names an agent may fill in (a list of strings).
    customizable_fields: Value,
    source: String,
    content: String,
    updated_at: DateTime<Utc>,
}

impl From<&TemplateRecord> for TemplateView {
    fn from(t: &TemplateRecord) -> TemplateView {
        TemplateView {
            name: t.name.clone(),
            category: t.category.clone(),
            channel: t.channel.clone(),
            market: t.market.clone(),
            compliance_status: t.compliance_status.clone(),
            customizable_fields: t.customizable_fields.clone(),
            source: t.source.clone(),
            content: t.content.clone(),
            updated_at: t.updated_at,
        }
    }
}

#[derive(Serialize, JsonSchema)]
struct TemplateList {
    templates: Vec<TemplateView>,
    total: usize,
}

/// Generated copy with the compliance report it passed.
#[derive(Serialize, JsonSchema)]
struct GeneratedCopy {
    content: GeneratedContent,
    compliance: Report,
}

/// Longest copy checked in one request (a brochure's text fits many times over).
const TEXT_CHARS_MAX: usize = 50_000;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/marketing/compliance/check", post(check)).route("/marketing/compliance/rules", get(rules))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CheckRequest {
    text: String,
    channel: String,
    property_id: Option<String>,
    asset: Option<String>,
    #[serde(default)]
    has_qr_code: bool,
}

fn invalid(field: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", format!("{field}: {message}"))
        .with("errors", json!([{ "field": field, "message": message }]))
}

async fn check(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<Json<Report>, ApiError> {
    let req: CheckRequest = body::parse(&bytes)?;
    if req.text.trim().is_empty() || req.text.chars().count() > TEXT_CHARS_MAX {
        return Err(invalid("text", format!("must be 1–{TEXT_CHARS_MAX} characters")));
    }
    let channel: Channel =
        req.channel.parse().map_err(|e: compliance::UnknownChannel| invalid("channel", e.to_string()))?;
    let asset = match &req.asset {
        Some(a) => a.parse::<Asset>().map_err(|e| invalid("asset", e.to_string()))?,
        None => Asset::default_for(channel),
    };
    let property = match &req.property_id {
        Some(id) => Some(find(&s, &caller, id).await?.body),
        None => None,
    };
    let settings = s.estate.settings().await?;
    let mut ctx = Context::new(channel, &settings.config)
        .with_asset(asset)
        .with_qr_code(req.has_qr_code)
        .with_today(s.rt.clock.now().date_naive());
    if let Some(p) = &property {
        ctx = ctx.with_property(p);
    }
    let report = compliance::check(&req.text, &ctx);
    Ok(Json(report))
}

async fn rules() -> Json<RuleList> {
    Json(RuleList { rules: compliance::rules() })
}

pub(crate) fn templates_router() -> Router<AppState> {
    Router::new()
        .route("/marketing/templates", get(list_templates))
        .route("/marketing/templates/{name}", axum::routing::put(put_template))
        .route("/marketing/content/generate", post(generate))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct TemplateQuery {
    category: Option<String>,
    market: Option<String>,
}

async fn list_templates(
    State(s): State<AppState>,
    q: Result<axum::extract::Query<TemplateQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<TemplateList>, ApiError> {
    let axum::extract::Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let rows = s.estate.domain.list_templates(q.category.as_deref(), q.market.as_deref()).await?;
    Ok(Json(TemplateList { templates: rows.iter().map(TemplateView::from).collect(), total: rows.len() }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PutTemplate {
    category: realestate::content::Category,
    channel: String,
    #[serde(default = "dubai")]
    market: String,
    #[serde(default)]
    customizable_fields: Vec<String>,
    content: String,
}

fn dubai() -> String {
    "dubai".into()
}

/// An admin's template is accepted only if it renders with sample data and the result passes the
/// compliance checker for its channel.
async fn put_template(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    axum::extract::Path(name): axum::extract::Path<String>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<TemplateView>), ApiError> {
    let req: PutTemplate = body::parse(&bytes)?;
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(invalid("name", "must be 1–64 letters, digits or `_`".into()));
    }
    let sample = realestate::content::sample_context();
    realestate::content::validate_template(&req.content, &sample).map_err(|e| invalid("content", e))?;
    let tera = tera_one(&req.content).map_err(|e| invalid("content", e))?;
    let rendered = tera.render("t", &tera_context(&sample)).map_err(|e| invalid("content", e.to_string()))?;
    let channel: Channel =
        req.channel.parse().map_err(|e: compliance::UnknownChannel| invalid("channel", e.to_string()))?;
    let property = sample.get("property").cloned();
    let settings = s.estate.settings().await?;
    let mut ctx = Context::new(channel, &settings.config).with_qr_code(true).with_today(s.rt.clock.now().date_naive());
    if let Some(p) = &property {
        ctx = ctx.with_property(p);
    }
    let report = compliance::check(&rendered, &ctx);
    if !report.compliant {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_compliant",
            "the template, rendered with sample data, fails the compliance checker",
        )
        .with("findings", json!(report.findings)));
    }
    let now = s.rt.clock.now();
    let record = TemplateRecord {
        name: name.clone(),
        category: serde_json::to_value(req.category)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        channel: req.channel,
        market: req.market,
        compliance_status: "passed".into(),
        customizable_fields: json!(req.customizable_fields),
        content: req.content,
        source: "custom".into(),
        created_by: Some(caller.id().to_string()),
        created_at: now,
        updated_at: now,
    };
    s.estate.domain.upsert_template(&record).await?;
    s.audit(Some(caller.id()), "template.upsert", Some(name), None, None).await;
    Ok((StatusCode::OK, Json(TemplateView::from(&record))))
}

fn tera_one(content: &str) -> Result<tera::Tera, String> {
    let mut t = tera::Tera::default();
    t.add_raw_template("t", content).map_err(|e| e.to_string())?;
    Ok(t)
}

fn tera_context(v: &Value) -> tera::Context {
    tera::Context::from_value(v.clone()).unwrap_or_default()
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct GenerateRequest {
    property_id: String,
    kind: realestate::content::ContentKind,
    content_style: Option<realestate::content::ContentStyle>,
    #[serde(default)]
    customizations: Value,
    agent_phone: Option<String>,
}

/// Generates copy for a property with the template generator, then checks it: content that fails
/// the compliance checker is an error, never returned as usable copy.
async fn generate(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<Json<GeneratedCopy>, ApiError> {
    use realestate::content::{Agent, ContentError, ContentRequest, ContentStyle};
    let req: GenerateRequest = body::parse(&bytes)?;
    let property = find(&s, &caller, &req.property_id).await?;
    let listing = listing_of(&property)?;
    let settings = s.estate.settings().await?;
    let (_, brn) = settings.registration()?;
    let style = req.content_style.unwrap_or_else(|| ContentStyle::for_price(listing.asking_price));
    let content_request = ContentRequest {
        kind: req.kind,
        property: listing,
        content_style: style,
        agent: Agent {
            name: caller.user.name.clone(),
            brn,
            phone: req.agent_phone.unwrap_or_default(),
            email: caller.user.email.clone(),
        },
        brokerage: settings.content_brokerage(),
        customizations: req.customizations,
    };
    let generator = s.estate.generator().await?;
    let generated = s.estate.write_content(&generator, &content_request).await.map_err(|e| match e {
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
    let ctx = Context::new(channel, &settings.config)
        .with_property(&property.body)
        .with_qr_code(true)
        .with_today(s.rt.clock.now().date_naive());
    let full_text = format!("{}\n{}\n{}", generated.title, generated.body, generated.hashtags.join(" "));
    let report = compliance::check(&full_text, &ctx);
    if !report.compliant {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_compliant",
            "the generated copy fails the compliance checker",
        )
        .with("findings", json!(report.findings)));
    }
    Ok(Json(GeneratedCopy { content: generated, compliance: report }))
}
