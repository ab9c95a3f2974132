//! `/api/v1/social`: posts per platform for a property — generated, fitted to each platform's
//! limits and compliance-checked — their editing and cancelling, and hashtag research.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use realestate::compliance::{self, Asset, Channel, Context};
use realestate::content::{self, Agent, Brokerage, ContentError, ContentKind, ContentRequest, ContentStyle, Platform};
use serde::Deserialize;
use serde_json::{json, Value};
use store::domain::SocialPostRecord;
use uuid::Uuid;

use crate::auth::Caller;
use crate::routes::properties::find;
use crate::{json as body, ApiError, AppState};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/social/posts", get(list).post(create))
        .route("/social/posts/{id}", get(get_one).patch(edit).delete(cancel))
        .route("/social/hashtags/research", post(research))
}

fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", format!("{field}: {message}"))
        .with("errors", json!([{ "field": field, "message": message }]))
}

fn platform(name: &str) -> Result<Platform, ApiError> {
    serde_json::from_value(json!(name))
        .map_err(|_| invalid("platforms", format!("unknown platform `{name}` (instagram, facebook, linkedin, x)")))
}

/// A hashtag list a user supplied: `#` plus letters and digits, deduplicated.
fn user_hashtags(list: &[String], p: Platform) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::new();
    for h in list {
        let tag = if h.starts_with('#') { h.clone() } else { format!("#{h}") };
        if tag.len() < 2 || tag.chars().count() > 60 || !tag[1..].chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(invalid("hashtags", format!("`{h}` is not a hashtag")));
        }
        if !out.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
            out.push(tag);
        }
    }
    if out.len() > p.limits().max_hashtags {
        return Err(invalid("hashtags", format!("{} allows at most {} hashtags", p.as_str(), p.limits().max_hashtags)));
    }
    Ok(out)
}

fn check(s: &AppState, text: &str, p: Platform, property: &Value) -> Result<compliance::Report, ApiError> {
    let channel: Channel = p.as_str().parse().unwrap_or(Channel::Portal);
    let ctx = Context::new(channel, &s.estate.compliance)
        .with_asset(Asset::Text)
        .with_property(property)
        .with_today(s.rt.clock.now().date_naive());
    let report = compliance::check(text, &ctx);
    if report.compliant {
        Ok(report)
    } else {
        Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_compliant",
            format!("the {} post fails the compliance checker", p.as_str()),
        )
        .with("findings", json!(report.findings)))
    }
}

fn post_json(p: &SocialPostRecord) -> Value {
    let platform: Option<Platform> = serde_json::from_value(json!(p.platform)).ok();
    json!({
        "post_id": p.id, "platform": p.platform, "post_type": p.post_type, "status": p.status, "text": p.text,
        "hashtags": p.hashtags, "character_count": p.text.chars().count(),
        "character_limit": platform.map(|x| x.limits().max_chars), "property_id": p.property_id,
        "scheduled_at": p.scheduled_at, "created_at": p.created_at, "updated_at": p.updated_at,
    })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Hashtags {
    Auto(String),
    List(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreatePosts {
    property_id: String,
    platforms: Vec<String>,
    #[serde(default = "new_listing")]
    post_type: String,
    content_style: Option<ContentStyle>,
    #[serde(default = "yes")]
    include_property_details: bool,
    hashtags: Option<Hashtags>,
    agent_phone: Option<String>,
}

fn new_listing() -> String {
    "new_listing".into()
}
fn yes() -> bool {
    true
}

async fn create(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req: CreatePosts = body::parse(&bytes)?;
    if req.platforms.is_empty() || req.platforms.len() > 8 {
        return Err(invalid("platforms", "name 1–4 platforms"));
    }
    if !["new_listing", "open_house", "price_update", "just_listed", "market_update"].contains(&req.post_type.as_str())
    {
        return Err(invalid(
            "post_type",
            "must be new_listing, just_listed, open_house, price_update or market_update",
        ));
    }
    if let Some(Hashtags::Auto(a)) = &req.hashtags {
        if a != "auto_generate" {
            return Err(invalid("hashtags", "must be \"auto_generate\" or a list"));
        }
    }
    let property = find(&s, &caller, &req.property_id).await?;
    let cfg = &s.estate.compliance;
    let (Some(orn), Some(brn)) = (cfg.orn.clone(), cfg.brn.clone()) else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "compliance_not_configured",
            "set the brokerage ORN and BRN (AURA_COMPLIANCE_CONFIG) before creating posts",
        ));
    };
    let style = req.content_style.unwrap_or_else(|| ContentStyle::for_price(property.body["asking_price"].as_f64()));
    let generator = s.estate.generator().await?;
    let now = s.rt.clock.now();
    let mut posts = Vec::new();
    let mut seen = Vec::new();
    for name in &req.platforms {
        let p = platform(name)?;
        if seen.contains(&p) {
            continue;
        }
        seen.push(p);
        let request = ContentRequest {
            kind: ContentKind::Social(p),
            property: property.body.clone(),
            content_style: style,
            agent: Agent {
                name: caller.user.name.clone(),
                brn: brn.clone(),
                phone: req.agent_phone.clone().unwrap_or_default(),
                email: caller.user.email.clone(),
            },
            brokerage: Brokerage { name: "AURA".into(), orn: orn.clone() },
            customizations: json!({ "post_type": req.post_type, "include_property_details": if req.include_property_details { "yes" } else { "no" } }),
        };
        let generated = s.estate.write_content(&generator, &request).await.map_err(|e| match e {
            ContentError::InvalidRequest(m) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_content_request", m)
            }
            ContentError::ProhibitedClaim(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "not_compliant", m),
            other => {
                tracing::error!(error = %other, "content generation failed");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
        })?;
        let (text, tags) = match &req.hashtags {
            Some(Hashtags::List(list)) => {
                let tags = user_hashtags(list, p)?;
                let caption = strip_hashtag_lines(&generated.body);
                content::compose_social(&caption, &tags, p)
            }
            _ => (generated.body.clone(), generated.hashtags.clone()),
        };
        check(&s, &text, p, &property.body)?;
        posts.push(SocialPostRecord {
            id: Uuid::now_v7(),
            owner_id: caller.id().to_string(),
            team_id: caller.user.team_id.map(|t| t.to_string()),
            property_id: property.id,
            platform: p.as_str().into(),
            post_type: req.post_type.clone(),
            status: "draft".into(),
            text,
            hashtags: json!(tags),
            scheduled_at: None,
            created_at: now,
            updated_at: now,
        });
    }
    s.estate.domain.create_social_posts(&posts).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "posts": posts.iter().map(post_json).collect::<Vec<_>>(), "content_style": style })),
    ))
}

/// The caption without its trailing hashtag-only lines.
fn strip_hashtag_lines(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let keep = lines
        .iter()
        .rposition(|l| !l.trim().is_empty() && !l.split_whitespace().all(|w| w.starts_with('#')))
        .map_or(0, |i| i + 1);
    lines[..keep].join("\n")
}

async fn visible(s: &AppState, caller: &Caller, id: &str) -> Result<SocialPostRecord, ApiError> {
    let id =
        Uuid::parse_str(id).map_err(|_| ApiError::bad_request("invalid_id", format!("`{id}` is not a post id")))?;
    let p = s.estate.domain.social_post(id).await?.ok_or_else(|| ApiError::not_found(format!("post {id}")))?;
    if !caller.can_see(Some(&p.owner_id), p.team_id.as_deref()) {
        return Err(ApiError::not_found(format!("post {id}")));
    }
    Ok(p)
}

async fn list(State(s): State<AppState>, Extension(caller): Extension<Caller>) -> Result<Json<Value>, ApiError> {
    let (owner, team) = caller.scope();
    let rows = s.estate.domain.list_social_posts(owner.as_deref(), team.as_deref(), 200).await?;
    Ok(Json(json!({ "posts": rows.iter().map(post_json).collect::<Vec<_>>() })))
}

async fn get_one(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(post_json(&visible(&s, &caller, &id).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditPost {
    text: Option<String>,
    hashtags: Option<Vec<String>>,
}

/// Edits a post before it is published; the new text is re-checked against limits and rules.
async fn edit(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let req: EditPost = body::parse(&bytes)?;
    let post = visible(&s, &caller, &id).await?;
    if !matches!(post.status.as_str(), "draft" | "scheduled") {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "illegal_transition",
            format!("a {} post cannot be edited", post.status),
        ));
    }
    let p = platform(&post.platform)?;
    let tags = match &req.hashtags {
        Some(list) => user_hashtags(list, p)?,
        None => serde_json::from_value(post.hashtags.clone()).unwrap_or_default(),
    };
    let caption = req.text.clone().unwrap_or_else(|| strip_hashtag_lines(&post.text));
    if caption.trim().is_empty() {
        return Err(invalid("text", "must not be empty"));
    }
    let text =
        if tags.is_empty() { caption.trim().to_string() } else { format!("{}\n\n{}", caption.trim(), tags.join(" ")) };
    if text.chars().count() > p.limits().max_chars {
        return Err(invalid(
            "text",
            format!(
                "{} allows {} characters with hashtags; this is {}",
                p.as_str(),
                p.limits().max_chars,
                text.chars().count()
            ),
        ));
    }
    let property = s.estate.domain.property(post.property_id).await?.map(|r| r.body).unwrap_or(Value::Null);
    check(&s, &text, p, &property)?;
    let updated = s
        .estate
        .domain
        .update_social_post(post.id, &post.status, &text, &json!(tags), &post.status, s.rt.clock.now())
        .await?;
    Ok(Json(post_json(&updated)))
}

async fn cancel(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let post = visible(&s, &caller, &id).await?;
    if !matches!(post.status.as_str(), "draft" | "scheduled") {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "illegal_transition",
            format!("a {} post cannot be cancelled", post.status),
        ));
    }
    let updated = s
        .estate
        .domain
        .update_social_post(post.id, &post.status, &post.text, &post.hashtags, "cancelled", s.rt.clock.now())
        .await?;
    Ok(Json(post_json(&updated)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Research {
    community: String,
    property_type: Option<String>,
    platform: Option<String>,
}

/// Ranked hashtags with the reason for each: community-derived first (most specific), then the
/// property type, then the curated Dubai set.
async fn research(State(s): State<AppState>, bytes: Bytes) -> Result<Json<Value>, ApiError> {
    let req: Research = body::parse(&bytes)?;
    let community = match s.estate.market.resolve(&req.community) {
        realestate::property::CommunityMatch::Found(c) => c,
        realestate::property::CommunityMatch::Unknown { suggestions } => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_community",
                format!("unknown community `{}`", req.community),
            )
            .with(
                "errors",
                json!([{ "field": "community", "message": "unknown community", "suggestions": suggestions }]),
            ))
        }
    };
    let p = platform(req.platform.as_deref().unwrap_or("instagram"))?;
    let ptype = req.property_type.unwrap_or_else(|| "apartment".into());
    let mut ranked: Vec<Value> = Vec::new();
    let mut push = |tag: String, reason: &str| {
        if !ranked.iter().any(|r| r["hashtag"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(&tag))) {
            ranked.push(json!({ "hashtag": tag, "reason": reason }));
        }
    };
    for t in content::community_tags(&community) {
        push(t, "names the community: buyers searching this area find it");
    }
    push(content::type_tag(&ptype).to_string(), "names the property type in Dubai");
    for t in content::CURATED_HASHTAGS {
        push(t.to_string(), "broad Dubai real-estate tag with a large audience");
    }
    let limit = p.limits().max_hashtags;
    for (i, r) in ranked.iter_mut().enumerate() {
        r["rank"] = json!(i + 1);
    }
    Ok(Json(
        json!({ "community": community, "platform": p.as_str(), "max_hashtags": limit, "hashtags": ranked.into_iter().take(limit.max(3)).collect::<Vec<_>>() }),
    ))
}
