//! Social posts for a property: one per platform, generated from the property (templates or the
//! configured model), fitted to each platform's text and hashtag limits, compliance-checked, with
//! the listing's feed image; and the content calendar that spreads a campaign's posts over its
//! duration at good local times (`calendar::social`), each post then published at its time by a
//! durable `social_post_publish` execution.

use serde_json::{json, Value};
use store::domain::{Artifact, PropertyRecord, SocialPostRecord};
use store::Timestamp;
use uuid::Uuid;

use crate::campaign::Requester;
use crate::compliance::{self, Asset, Channel, Context};
use crate::content::{self, Agent, ContentError, ContentKind, ContentRequest, ContentStyle, Platform};
use crate::Services;

/// Post types the templates write for.
pub const POST_TYPES: [&str; 5] = ["new_listing", "just_listed", "open_house", "price_update", "market_update"];

#[derive(Debug, thiserror::Error)]
pub enum SocialError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("the {platform} post fails the compliance checker")]
    NotCompliant { platform: String, findings: Value },
    #[error(transparent)]
    Settings(#[from] crate::brokerage::SettingsError),
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error("content generation failed: {0}")]
    Internal(String),
}

fn invalid(field: &'static str, message: impl Into<String>) -> SocialError {
    SocialError::Invalid { field, message: message.into() }
}

pub fn platform(name: &str) -> Result<Platform, SocialError> {
    serde_json::from_value(json!(name))
        .map_err(|_| invalid("platforms", format!("unknown platform `{name}` (instagram, facebook, linkedin, x)")))
}

/// What one call of [`generate_posts`] writes.
#[derive(Debug, Clone)]
pub struct PostRequest {
    pub platforms: Vec<Platform>,
    pub post_type: String,
    pub content_style: Option<ContentStyle>,
    pub include_property_details: bool,
    /// `None`: generated from the property; `Some`: the user's list, validated per platform.
    pub hashtags: Option<Vec<String>>,
    pub agent_phone: String,
    /// Set: the posts are `scheduled` for this time; unset: `draft`.
    pub scheduled_at: Option<Timestamp>,
    pub theme: Option<String>,
    pub social_campaign_id: Option<Uuid>,
}

/// A user's hashtag list: `#` plus letters, digits and `_`, deduplicated, within the platform's limit.
pub fn user_hashtags(list: &[String], p: Platform) -> Result<Vec<String>, SocialError> {
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

/// The compliance report of a post's text; an error when it does not pass.
pub fn check(
    config: &crate::compliance::Config,
    text: &str,
    p: Platform,
    property: &Value,
    today: chrono::NaiveDate,
) -> Result<(), SocialError> {
    let channel: Channel = p.as_str().parse().unwrap_or(Channel::Portal);
    let ctx = Context::new(channel, config).with_asset(Asset::Text).with_property(property).with_today(today);
    let report = compliance::check(text, &ctx);
    if report.compliant {
        Ok(())
    } else {
        Err(SocialError::NotCompliant { platform: p.as_str().into(), findings: json!(report.findings) })
    }
}

/// The caption without its trailing hashtag-only lines.
pub fn strip_hashtag_lines(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let keep = lines
        .iter()
        .rposition(|l| !l.trim().is_empty() && !l.split_whitespace().all(|w| w.starts_with('#')))
        .map_or(0, |i| i + 1);
    lines[..keep].join("\n")
}

/// Generates, checks and stores one post per platform (each with its PNG image); nothing is
/// stored unless every post passes.
pub async fn generate_posts(
    s: &Services,
    property: &PropertyRecord,
    requester: &Requester,
    req: &PostRequest,
    images: &mut ImageCache,
    now: Timestamp,
) -> Result<Vec<SocialPostRecord>, SocialError> {
    if !POST_TYPES.contains(&req.post_type.as_str()) {
        return Err(invalid("post_type", format!("must be one of {}", POST_TYPES.join(", "))));
    }
    let settings = s.settings().await?;
    let (orn, brn) = settings.registration()?;
    let brokerage_name = settings.display_name();
    let listing = crate::property::Property::from_record(property).map_err(SocialError::Internal)?;
    let style = req.content_style.unwrap_or_else(|| ContentStyle::for_price(listing.asking_price));
    let generator = s.generator().await?;
    let advertiser = crate::campaign::advertiser(requester, &brn, &orn, &brokerage_name);
    // The main photo is decoded once for every network's image.
    let photos = crate::photos::listing_photos(s.domain.as_ref(), property.id, 1).await?;
    let mut posts = Vec::new();
    let mut new_images = Vec::new();
    for &p in &req.platforms {
        if posts.iter().any(|x: &SocialPostRecord| x.platform == p.as_str()) {
            continue;
        }
        let request = ContentRequest {
            kind: ContentKind::Social(p),
            property: listing.clone(),
            content_style: style,
            agent: Agent {
                name: requester.name.clone(),
                brn: brn.clone(),
                phone: req.agent_phone.clone(),
                email: requester.email.clone(),
            },
            brokerage: settings.content_brokerage(),
            customizations: json!({
                "post_type": req.post_type,
                "include_property_details": if req.include_property_details { "yes" } else { "no" },
            }),
        };
        let generated = s.write_content(&generator, &request).await.map_err(|e| match e {
            ContentError::InvalidRequest(m) => SocialError::Invalid { field: "property", message: m },
            ContentError::ProhibitedClaim(m) => {
                SocialError::NotCompliant { platform: p.as_str().into(), findings: json!([{ "message": m }]) }
            }
            other => SocialError::Internal(other.to_string()),
        })?;
        let (text, tags) = match &req.hashtags {
            Some(list) => {
                let tags = user_hashtags(list, p)?;
                content::compose_social(&strip_hashtag_lines(&generated.body), &tags, p)
            }
            None => (generated.body.clone(), generated.hashtags.clone()),
        };
        check(&settings.config, &text, p, &property.body, now.date_naive())?;
        let text = if settings.demo() { format!("{}\n{text}", crate::brokerage::DEMO_MARK) } else { text };
        let image_id = match images.get(&p) {
            Some(id) => *id,
            None => {
                let size = crate::social_image::size_for(p);
                let (w, h) = size.dimensions();
                let png = crate::social_image::listing_image_png(
                    &listing,
                    &generated.title,
                    &advertiser,
                    "",
                    photos.first(),
                    size,
                );
                let image =
                    artifact(requester, format!("{}_{}_{w}x{h}.png", property.reference, p.as_str()), &png, now);
                images.insert(p, image.id);
                new_images.push((image, png));
                images[&p]
            }
        };
        posts.push(SocialPostRecord {
            id: Uuid::now_v7(),
            owner_id: requester.owner_id.clone(),
            team_id: requester.team_id.clone(),
            property_id: property.id,
            platform: p.as_str().into(),
            post_type: req.post_type.clone(),
            status: if req.scheduled_at.is_some() { "scheduled" } else { "draft" }.into(),
            text,
            hashtags: json!(tags),
            scheduled_at: req.scheduled_at,
            created_at: now,
            updated_at: now,
            image_artifact_id: Some(image_id),
            social_campaign_id: req.social_campaign_id,
            theme: req.theme.clone(),
            execution_id: None,
            published_at: None,
        });
    }
    for (image, png) in &new_images {
        s.domain.put_artifact(image, png).await?;
    }
    s.domain.create_social_posts(&posts).await?;
    Ok(posts)
}

fn artifact(requester: &Requester, filename: String, bytes: &[u8], now: Timestamp) -> Artifact {
    Artifact {
        id: Uuid::now_v7(),
        owner_id: Some(requester.owner_id.clone()),
        team_id: requester.team_id.clone(),
        kind: "social_image".into(),
        filename,
        content_type: "image/png".into(),
        size_bytes: bytes.len() as i64,
        sha256: crate::artifacts::sha256_hex(bytes),
        created_at: now,
    }
}

/// One feed image per platform per listing: a calendar's many posts share it.
pub type ImageCache = std::collections::HashMap<Platform, Uuid>;

/// A content calendar for a property.
#[derive(Debug, Clone)]
pub struct CalendarRequest {
    pub platforms: Vec<Platform>,
    pub duration_days: u32,
    /// Posts per week on each platform.
    pub posts_per_week: u32,
    pub budget_aed: Option<f64>,
    pub target_audience: Value,
    pub content_style: Option<ContentStyle>,
    pub agent_phone: String,
    /// The calendar starts here (normally now); posts come after it.
    pub start: Timestamp,
}

/// Plans the calendar (local times in Asia/Dubai), writes every post, and stores the social campaign
/// record with its plan and budget split. The posts are `scheduled`; the caller starts their
/// publishing executions.
pub async fn plan_calendar(
    s: &Services,
    property: &PropertyRecord,
    requester: &Requester,
    req: &CalendarRequest,
    now: Timestamp,
) -> Result<(store::records::Record, Vec<SocialPostRecord>), SocialError> {
    let platforms: Vec<calendar::Platform> = req.platforms.iter().map(|p| calendar_platform(*p)).collect();
    let cadence = vec![req.posts_per_week; platforms.len()];
    let plan = calendar::plan_posts(
        req.start,
        chrono_tz::Asia::Dubai,
        req.duration_days,
        &platforms,
        &cadence,
        req.budget_aed,
    )
    .map_err(|e| invalid("campaign", e.to_string()))?;
    let id = Uuid::now_v7();
    let mut images = ImageCache::new();
    let mut posts = Vec::new();
    for planned in &plan.posts {
        let one = PostRequest {
            platforms: vec![content_platform(planned.platform)],
            post_type: post_type_for(planned.theme).into(),
            content_style: req.content_style,
            include_property_details: true,
            hashtags: None,
            agent_phone: req.agent_phone.clone(),
            scheduled_at: Some(planned.scheduled_at),
            theme: Some(planned.theme.label().into()),
            social_campaign_id: Some(id),
        };
        posts.extend(generate_posts(s, property, requester, &one, &mut images, now).await?);
    }
    let body = json!({
        "property_id": property.id, "platforms": req.platforms, "duration_days": req.duration_days,
        "posts_per_week": req.posts_per_week, "budget_aed": plan.budget_aed, "target_audience": req.target_audience,
        "time_zone": "Asia/Dubai", "start": req.start, "end": req.start + chrono::Duration::days(req.duration_days.into()),
        "platform_summary": plan.platforms,
        "posts": plan.posts.iter().zip(&posts).map(|(p, post)| json!({
            "post_id": post.id, "platform": post.platform, "scheduled_at": p.scheduled_at,
            "local_time": p.local.format("%Y-%m-%d %H:%M %a").to_string(), "theme": p.theme, "boost_aed": p.boost_aed,
        })).collect::<Vec<_>>(),
    });
    let mut record = store::records::Record::new("scheduled", body, now);
    record.id = id;
    record.owner_id = Some(requester.owner_id.clone());
    record.team_id = requester.team_id.clone();
    record.ref_id = Some(property.id.to_string());
    let (record, _) = s.records.insert(store::records::Table::SocialCampaigns, &record).await?;
    Ok((record, posts))
}

/// Starts the durable execution that publishes a scheduled post at its time (idempotent per post).
pub async fn start_publishing(
    rt: &runtime::Runtime,
    post: &SocialPostRecord,
    s: &Services,
) -> Result<Uuid, SocialError> {
    let trigger = runtime::Trigger {
        package: PUBLISH_PACKAGE.into(),
        params: json!({ "post_id": post.id }),
        idempotency_key: Some(format!("publish:{}", post.id)),
        created_by: Some(post.owner_id.clone()),
        team_id: post.team_id.clone(),
        ..Default::default()
    };
    let started = rt.trigger(trigger).await.map_err(|e| SocialError::Internal(e.to_string()))?;
    s.domain.set_social_post_execution(post.id, started.execution_id).await?;
    Ok(started.execution_id)
}

/// The package that publishes one scheduled post.
pub const PUBLISH_PACKAGE: &str = "social_post_publish";

/// The post type a calendar theme is written as.
pub fn post_type_for(theme: calendar::Theme) -> &'static str {
    use calendar::Theme;
    match theme {
        Theme::Launch => "just_listed",
        Theme::FeatureHighlight => "new_listing",
        Theme::Neighbourhood => "market_update",
        Theme::OpenHouse => "open_house",
        Theme::PriceValue => "price_update",
        Theme::LastCall => "new_listing",
    }
}

pub fn calendar_platform(p: Platform) -> calendar::Platform {
    match p {
        Platform::Instagram => calendar::Platform::Instagram,
        Platform::Facebook => calendar::Platform::Facebook,
        Platform::Linkedin => calendar::Platform::LinkedIn,
        Platform::X => calendar::Platform::X,
    }
}

pub fn content_platform(p: calendar::Platform) -> Platform {
    match p {
        calendar::Platform::Instagram => Platform::Instagram,
        calendar::Platform::Facebook => Platform::Facebook,
        calendar::Platform::LinkedIn => Platform::Linkedin,
        calendar::Platform::X => Platform::X,
    }
}
