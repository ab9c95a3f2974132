//! `/api/v1/social`: posts per platform for a property — generated, fitted to each platform's
//! limits and compliance-checked — their editing and cancelling, and hashtag research.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use realestate::campaign::Requester;
use realestate::content::{self, ContentStyle, Platform};
use realestate::social::{self, PostRequest, SocialError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use store::domain::SocialPostRecord;
use uuid::Uuid;

use crate::auth::Caller;
use crate::contract::Contract;
use crate::routes::properties::find;
use crate::{json as body, ApiError, AppState};

pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::get("/api/v1/social/posts").json::<PostList>(),
    Contract::post("/api/v1/social/posts")
        .body::<CreatePosts>()
        .json_status::<PostsCreated>(201)
        .errors(&[(409, "compliance_not_configured: the brokerage settings are missing.")]),
    Contract::get("/api/v1/social/posts/{id}").uuids(&["id"]).json::<PostView>(),
    Contract::patch("/api/v1/social/posts/{id}")
        .uuids(&["id"])
        .body::<EditPost>()
        .json::<PostView>()
        .errors(&[(409, "not_editable: the post is published or cancelled.")]),
    Contract::delete("/api/v1/social/posts/{id}")
        .uuids(&["id"])
        .json::<PostView>()
        .errors(&[(409, "not_cancellable: the post is already published.")]),
    Contract::post("/api/v1/social/hashtags/research").body::<Research>().json::<HashtagResearch>(),
    Contract::post("/api/v1/social/campaigns").body::<CreateCalendar>().json_status::<CalendarCreated>(201),
    Contract::get("/api/v1/social/campaigns").json::<CalendarList>(),
    Contract::get("/api/v1/social/campaigns/{id}").uuids(&["id"]).json::<CalendarView>(),
    Contract::get("/api/v1/social/calendar").query::<CalendarQuery>().json::<CalendarDays>(),
];

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/social/posts", get(list).post(create))
        .route("/social/posts/{id}", get(get_one).patch(edit).delete(cancel))
        .route("/social/hashtags/research", post(research))
        .route("/social/campaigns", get(list_calendars).post(create_calendar))
        .route("/social/campaigns/{id}", get(get_calendar))
        .route("/social/calendar", get(calendar_view))
}

fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", format!("{field}: {message}"))
        .with("errors", json!([{ "field": field, "message": message }]))
}

/// The one mapping of social errors to problems.
pub(crate) fn social_error(e: SocialError) -> ApiError {
    match e {
        SocialError::Invalid { field, message } => invalid(field, message),
        SocialError::NotCompliant { platform, findings } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_compliant",
            format!("the {platform} post fails the compliance checker"),
        )
        .with("findings", findings),
        SocialError::Settings(e) => e.into(),
        SocialError::Store(e) => e.into(),
        SocialError::Internal(m) => {
            tracing::error!(error = %m, "social post generation failed");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
        }
    }
}

fn platforms(names: &[String]) -> Result<Vec<Platform>, ApiError> {
    if names.is_empty() || names.len() > 8 {
        return Err(invalid("platforms", "name 1–4 platforms"));
    }
    let mut out = Vec::new();
    for n in names {
        let p = social::platform(n).map_err(social_error)?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

type Time = chrono::DateTime<chrono::Utc>;

/// A social post with its length against its platform's limit.
#[derive(Serialize, JsonSchema)]
struct PostView {
    post_id: Uuid,
    platform: String,
    post_type: String,
    status: String,
    text: String,
    /// The hashtags as stored (a list of strings).
    hashtags: Value,
    character_count: usize,
    /// Null for a platform this version does not know.
    character_limit: Option<usize>,
    property_id: Uuid,
    image_url: Option<String>,
    theme: Option<String>,
    social_campaign_id: Option<Uuid>,
    execution_id: Option<Uuid>,
    scheduled_at: Option<Time>,
    published_at: Option<Time>,
    created_at: Time,
    updated_at: Time,
}

impl From<&SocialPostRecord> for PostView {
    fn from(p: &SocialPostRecord) -> PostView {
        let platform: Option<Platform> = serde_json::from_value(json!(p.platform)).ok();
        PostView {
            post_id: p.id,
            platform: p.platform.clone(),
            post_type: p.post_type.clone(),
            status: p.status.clone(),
            text: p.text.clone(),
            hashtags: p.hashtags.clone(),
            character_count: p.text.chars().count(),
            character_limit: platform.map(|x| x.limits().max_chars),
            property_id: p.property_id,
            image_url: p.image_artifact_id.map(|a| format!("/api/v1/marketing/assets/{a}")),
            theme: p.theme.clone(),
            social_campaign_id: p.social_campaign_id,
            execution_id: p.execution_id,
            scheduled_at: p.scheduled_at,
            published_at: p.published_at,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Serialize, JsonSchema)]
struct PostList {
    posts: Vec<PostView>,
}

#[derive(Serialize, JsonSchema)]
struct PostsCreated {
    posts: Vec<PostView>,
    content_style: ContentStyle,
}

#[derive(Serialize, JsonSchema)]
struct HashtagResearch {
    community: String,
    property_type: String,
    platform: &'static str,
    max_hashtags: usize,
    hashtags: Vec<RankedHashtag>,
    /// The stored research record; absent from the record itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    research_id: Option<Uuid>,
}

#[derive(Serialize, JsonSchema)]
struct RankedHashtag {
    hashtag: String,
    reason: &'static str,
    rank: usize,
}

/// A social campaign: its plan (platforms, dates, budget, the planned posts, …) beside its state.
#[derive(Serialize, JsonSchema)]
struct CalendarView {
    campaign_id: Uuid,
    status: String,
    created_at: Time,
    #[serde(flatten)]
    plan: Map<String, Value>,
}

impl From<&store::records::Record> for CalendarView {
    fn from(r: &store::records::Record) -> CalendarView {
        let mut plan = r.body.as_object().cloned().unwrap_or_default();
        for k in ["campaign_id", "status", "created_at"] {
            plan.remove(k);
        }
        CalendarView { campaign_id: r.id, status: r.status.clone(), created_at: r.created_at, plan }
    }
}

/// A new social campaign, with its posts in full instead of the plan's summary of them.
#[derive(Serialize, JsonSchema)]
struct CalendarCreated {
    #[serde(flatten)]
    calendar: CalendarView,
    posts: Vec<PostView>,
}

#[derive(Serialize, JsonSchema)]
struct CalendarList {
    campaigns: Vec<CalendarView>,
}

#[derive(Serialize, JsonSchema)]
struct CalendarDays {
    #[schemars(extend("const" = "Asia/Dubai"))]
    time_zone: &'static str,
    from: Time,
    to: Time,
    total_posts: usize,
    days: Vec<CalendarDay>,
}

/// One local day's posts, in order.
#[derive(Serialize, JsonSchema)]
struct CalendarDay {
    /// `YYYY-MM-DD` in Asia/Dubai.
    date: String,
    posts: Vec<DayPost>,
}

#[derive(Serialize, JsonSchema)]
struct DayPost {
    #[serde(flatten)]
    post: PostView,
    /// `HH:MM` in Asia/Dubai.
    local_time: String,
}

fn requester(caller: &Caller, phone: Option<&str>) -> Requester {
    Requester {
        owner_id: caller.id().to_string(),
        team_id: caller.user.team_id.map(|t| t.to_string()),
        name: caller.user.name.clone(),
        email: caller.user.email.clone(),
        phone: phone.unwrap_or_default().to_string(),
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
enum Hashtags {
    Auto(String),
    List(Vec<String>),
}

#[derive(Deserialize, JsonSchema)]
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
    /// Publish at this time (a durable timer); without it the posts are drafts.
    scheduled_at: Option<chrono::DateTime<chrono::Utc>>,
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
) -> Result<(StatusCode, Json<PostsCreated>), ApiError> {
    let req: CreatePosts = body::parse(&bytes)?;
    let platforms = platforms(&req.platforms)?;
    let hashtags = match req.hashtags {
        Some(Hashtags::Auto(a)) if a == "auto_generate" => None,
        Some(Hashtags::Auto(_)) => return Err(invalid("hashtags", "must be \"auto_generate\" or a list")),
        Some(Hashtags::List(list)) => Some(list),
        None => None,
    };
    let now = s.rt.clock.now();
    if req.scheduled_at.is_some_and(|at| at > now + chrono::Duration::days(366)) {
        return Err(invalid("scheduled_at", "must be within a year"));
    }
    let property = find(&s, &caller, &req.property_id).await?;
    if req.scheduled_at.is_some() {
        // Checked before any post is written, so a refused trigger leaves no post behind.
        s.rt.require_active(social::PUBLISH_PACKAGE).await?;
    }
    let post_request = PostRequest {
        platforms,
        post_type: req.post_type,
        content_style: req.content_style,
        include_property_details: req.include_property_details,
        hashtags,
        agent_phone: req.agent_phone.clone().unwrap_or_default(),
        scheduled_at: req.scheduled_at.map(|at| at.max(now)),
        theme: None,
        social_campaign_id: None,
    };
    let requester = requester(&caller, req.agent_phone.as_deref());
    let mut images = social::ImageCache::new();
    let mut posts = social::generate_posts(&s.estate, &property, &requester, &post_request, &mut images, now)
        .await
        .map_err(social_error)?;
    for post in posts.iter_mut().filter(|p| p.status == "scheduled") {
        post.execution_id = Some(social::start_publishing(&s.rt, post, &s.estate).await.map_err(social_error)?);
    }
    let style =
        post_request.content_style.unwrap_or_else(|| ContentStyle::for_price(property.body["asking_price"].as_f64()));
    Ok((
        StatusCode::CREATED,
        Json(PostsCreated { posts: posts.iter().map(PostView::from).collect(), content_style: style }),
    ))
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

async fn list(State(s): State<AppState>, Extension(caller): Extension<Caller>) -> Result<Json<PostList>, ApiError> {
    let (owner, team) = caller.scope();
    let rows = s.estate.domain.list_social_posts(owner.as_deref(), team.as_deref(), 200).await?;
    Ok(Json(PostList { posts: rows.iter().map(PostView::from).collect() }))
}

async fn get_one(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<PostView>, ApiError> {
    Ok(Json(PostView::from(&visible(&s, &caller, &id).await?)))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct EditPost {
    text: Option<String>,
    hashtags: Option<Vec<String>>,
    /// Schedule a draft, or move a scheduled post (its publishing timer follows).
    scheduled_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Edits a post before it is published; the new text is re-checked against limits and rules, and
/// a new `scheduled_at` schedules a draft or moves a scheduled post.
async fn edit(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<PostView>, ApiError> {
    let req: EditPost = body::parse(&bytes)?;
    let now = s.rt.clock.now();
    if req.scheduled_at.is_some_and(|at| at > now + chrono::Duration::days(366)) {
        return Err(invalid("scheduled_at", "must be within a year"));
    }
    let post = visible(&s, &caller, &id).await?;
    if !matches!(post.status.as_str(), "draft" | "scheduled") {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "illegal_transition",
            format!("a {} post cannot be edited", post.status),
        ));
    }
    let p = social::platform(&post.platform).map_err(social_error)?;
    let tags = match &req.hashtags {
        Some(list) => social::user_hashtags(list, p).map_err(social_error)?,
        None => serde_json::from_value(post.hashtags.clone()).unwrap_or_default(),
    };
    let caption = req.text.clone().unwrap_or_else(|| social::strip_hashtag_lines(&post.text));
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
    if req.scheduled_at.is_some() {
        s.rt.require_active(social::PUBLISH_PACKAGE).await?;
    }
    let property = s.estate.domain.property(post.property_id).await?.map(|r| r.body).unwrap_or(Value::Null);
    let settings = s.estate.settings().await?;
    social::check(&settings.config, &text, p, &property, s.rt.clock.now().date_naive()).map_err(social_error)?;
    let mut updated =
        s.estate.domain.update_social_post(post.id, &post.status, &text, &json!(tags), &post.status, now).await?;
    if let Some(at) = req.scheduled_at {
        updated = s.estate.domain.schedule_social_post(post.id, &updated.status, at.max(now), now).await?;
        match updated.execution_id {
            // Its timer is waiting for the old time: wake it to wait for the new one.
            Some(execution) => match s.rt.signal(execution, "post_rescheduled", &json!({ "scheduled_at": at })).await {
                Ok(_) | Err(runtime::Error::Store(store::Error::Conflict(_))) => {}
                Err(e) => tracing::warn!(error = %e, post = %post.id, "could not signal the publishing execution"),
            },
            None => {
                updated.execution_id =
                    Some(social::start_publishing(&s.rt, &updated, &s.estate).await.map_err(social_error)?)
            }
        }
    }
    Ok(Json(PostView::from(&updated)))
}

async fn cancel(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<PostView>, ApiError> {
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
    // The publishing execution waits for the post's time; wake it so it ends now.
    if let Some(execution) = post.execution_id {
        match s.rt.signal(execution, "post_cancelled", &json!({ "post_id": post.id })).await {
            Ok(_) | Err(runtime::Error::Store(store::Error::Conflict(_))) => {}
            Err(e) => tracing::warn!(error = %e, post = %post.id, "could not signal the publishing execution"),
        }
    }
    Ok(Json(PostView::from(&updated)))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Research {
    community: String,
    property_type: Option<String>,
    platform: Option<String>,
}

/// Ranked hashtags with the reason for each: community-derived first (most specific), then the
/// property type, then the curated Dubai set.
async fn research(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<Json<HashtagResearch>, ApiError> {
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
    let p = social::platform(req.platform.as_deref().unwrap_or("instagram")).map_err(social_error)?;
    let ptype = req.property_type.unwrap_or_else(|| "apartment".into());
    let mut ranked: Vec<RankedHashtag> = Vec::new();
    let mut push = |tag: String, reason: &'static str| {
        if !ranked.iter().any(|r| r.hashtag.eq_ignore_ascii_case(&tag)) {
            let rank = ranked.len() + 1;
            ranked.push(RankedHashtag { hashtag: tag, reason, rank });
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
    let mut result = HashtagResearch {
        community: community.clone(),
        property_type: ptype,
        platform: p.as_str(),
        max_hashtags: limit,
        hashtags: ranked.into_iter().take(limit.max(3)).collect(),
        research_id: None,
    };
    // Kept in `hashtag_research`: what was suggested, for whom, when.
    let body = serde_json::to_value(&result).unwrap_or_default();
    let mut record = store::records::Record::new("completed", body, s.rt.clock.now());
    record.owner_id = Some(caller.id().to_string());
    record.team_id = caller.user.team_id.map(|t| t.to_string());
    record.ref_id = Some(community.clone());
    let (record, _) = s.estate.records.insert(store::records::Table::HashtagResearch, &record).await?;
    result.research_id = Some(record.id);
    Ok(Json(result))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CreateCalendar {
    property_id: String,
    platforms: Vec<String>,
    #[serde(default = "thirty")]
    duration_days: u32,
    #[serde(default = "three")]
    posts_per_week: u32,
    budget: Option<f64>,
    #[serde(default)]
    target_audience: Value,
    content_style: Option<ContentStyle>,
    agent_phone: Option<String>,
}

fn thirty() -> u32 {
    30
}
fn three() -> u32 {
    3
}

/// A social campaign: a content calendar over the duration at good local times, every post
/// generated, checked and scheduled as a durable timer that publishes it at its time.
async fn create_calendar(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<CalendarCreated>), ApiError> {
    let req: CreateCalendar = body::parse(&bytes)?;
    let platforms = platforms(&req.platforms)?;
    if !(1..=90).contains(&req.duration_days) {
        return Err(invalid("duration_days", "must be between 1 and 90"));
    }
    if !(1..=14).contains(&req.posts_per_week) {
        return Err(invalid("posts_per_week", "must be between 1 and 14"));
    }
    if req.budget.is_some_and(|b| !(0.0..=10_000_000.0).contains(&b)) {
        return Err(invalid("budget", "must be an amount in AED between 0 and 10,000,000"));
    }
    let property = find(&s, &caller, &req.property_id).await?;
    // Checked before the calendar and its posts are written, so a refused trigger leaves nothing behind.
    s.rt.require_active(social::PUBLISH_PACKAGE).await?;
    let now = s.rt.clock.now();
    let calendar_request = social::CalendarRequest {
        platforms,
        duration_days: req.duration_days,
        posts_per_week: req.posts_per_week,
        budget_aed: req.budget,
        target_audience: req.target_audience,
        content_style: req.content_style,
        agent_phone: req.agent_phone.clone().unwrap_or_default(),
        start: now,
    };
    let requester = requester(&caller, req.agent_phone.as_deref());
    let (record, mut posts) =
        social::plan_calendar(&s.estate, &property, &requester, &calendar_request, now).await.map_err(social_error)?;
    for post in posts.iter_mut() {
        post.execution_id = Some(social::start_publishing(&s.rt, post, &s.estate).await.map_err(social_error)?);
    }
    let mut calendar = CalendarView::from(&record);
    calendar.plan.remove("posts");
    Ok((StatusCode::CREATED, Json(CalendarCreated { calendar, posts: posts.iter().map(PostView::from).collect() })))
}

async fn list_calendars(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<CalendarList>, ApiError> {
    let (owner_id, team_id) = caller.scope();
    let filter = store::records::Filter { owner_id, team_id, limit: 200, ..Default::default() };
    let rows = s.estate.records.list(store::records::Table::SocialCampaigns, &filter).await?;
    Ok(Json(CalendarList { campaigns: rows.iter().map(CalendarView::from).collect() }))
}

async fn get_calendar(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<CalendarView>, ApiError> {
    let id = Uuid::parse_str(&id)
        .map_err(|_| ApiError::bad_request("invalid_id", format!("`{id}` is not a campaign id")))?;
    let r = s
        .estate
        .records
        .get(store::records::Table::SocialCampaigns, id)
        .await?
        .filter(|r| caller.can_see(r.owner_id.as_deref(), r.team_id.as_deref()))
        .ok_or_else(|| ApiError::not_found(format!("social campaign {id}")))?;
    Ok(Json(CalendarView::from(&r)))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CalendarQuery {
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
}

/// Scheduled and published posts between `from` (default now) and `to` (default 30 days later),
/// grouped by local (Asia/Dubai) day.
async fn calendar_view(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    axum::extract::Query(q): axum::extract::Query<CalendarQuery>,
) -> Result<Json<CalendarDays>, ApiError> {
    let from = q.from.unwrap_or_else(|| s.rt.clock.now());
    let to = q.to.unwrap_or(from + chrono::Duration::days(30));
    if to <= from || to - from > chrono::Duration::days(366) {
        return Err(invalid("to", "must be after `from` and at most a year later"));
    }
    let (owner, team) = caller.scope();
    let posts = s.estate.domain.social_calendar(owner.as_deref(), team.as_deref(), from, to).await?;
    let mut days: std::collections::BTreeMap<String, Vec<DayPost>> = std::collections::BTreeMap::new();
    for p in &posts {
        let Some(at) = p.scheduled_at else { continue };
        let local = at.with_timezone(&chrono_tz::Asia::Dubai);
        let item = DayPost { post: PostView::from(p), local_time: local.format("%H:%M").to_string() };
        days.entry(local.format("%Y-%m-%d").to_string()).or_default().push(item);
    }
    Ok(Json(CalendarDays {
        time_zone: "Asia/Dubai",
        from,
        to,
        total_posts: posts.len(),
        days: days.into_iter().map(|(date, posts)| CalendarDay { date, posts }).collect(),
    }))
}
