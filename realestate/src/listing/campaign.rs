//! `listing_campaign` (the listing's marketing campaign: copy per channel, e-mail, brochure and
//! postcard PDFs, compliance-checked, as a draft for approval) and `listing_social` (a post per
//! network with its image, as drafts the agent can schedule or edit).

use std::sync::Arc;

use runtime::{Handler, StepContext, StepError};
use serde_json::{json, Value};
use store::domain::CampaignRecord;

use super::{analysed_property, derived_id, requester};
use crate::campaign::{generate_assets, CampaignError};
use crate::content::{ContentStyle, Platform};
use crate::social::{self, PostRequest, SocialError};
use crate::Services;

const DEFAULT_CHANNELS: [&str; 4] = ["listing", "email", "brochure", "postcard"];

pub(crate) struct ListingCampaign(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for ListingCampaign {
    async fn run(&self, ctx: StepContext, _input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let id = derived_id(ctx.execution_id, "campaign");
        if let Some(c) = s.domain.campaign(id).await.map_err(StepError::retryable)? {
            return Ok(json!({ "campaign_id": id, "record_id": id, "status": c.status, "files": c.assets }));
        }
        let property = analysed_property(s, &ctx).await?;
        let requester = requester(s, &ctx).await?;
        let customizations = ctx.params["customizations"].clone();
        let channels: Vec<String> = match customizations["channels"].as_array() {
            Some(list) => list.iter().filter_map(|c| c.as_str().map(str::to_string)).collect(),
            None => DEFAULT_CHANNELS.iter().map(|c| c.to_string()).collect(),
        };
        // Luxury copy above AED 2M, as the seed decides; an explicit style wins.
        let style: Option<ContentStyle> = serde_json::from_value(customizations["content_style"].clone()).ok();
        let now = ctx.now;
        let assets = generate_assets(s, &property, &requester, &channels, style, &customizations, now).await.map_err(
            |e| match e {
                CampaignError::Store(e) => StepError::retryable(e),
                CampaignError::Settings(e) => e.into(),
                CampaignError::NotCompliant { channel, findings } => {
                    StepError::permanent(format!("the {channel} copy fails the compliance checker: {findings}"))
                }
                other => StepError::permanent(other),
            },
        )?;
        let record = CampaignRecord {
            id,
            owner_id: requester.owner_id.clone(),
            team_id: requester.team_id.clone(),
            property_id: property.id,
            campaign_type: "new_listing".into(),
            status: "draft".into(),
            request: json!({
                "target_channels": channels, "budget": ctx.params["marketing_budget"], "customizations": customizations,
                "content_style": style.unwrap_or_else(|| ContentStyle::for_price(property.body["asking_price"].as_f64())),
                "requester": requester,
            }),
            assets: Value::Array(assets),
            execution_id: Some(ctx.execution_id.to_string()),
            error: None,
            created_at: now,
            updated_at: now,
        };
        match s.domain.create_campaign(&record).await {
            Ok(()) | Err(store::Error::Conflict(_)) => {}
            Err(e) => return Err(StepError::retryable(e)),
        }
        Ok(json!({ "campaign_id": id, "record_id": id, "status": "draft", "files": record.assets }))
    }
}

pub(crate) struct ListingSocial(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for ListingSocial {
    async fn run(&self, ctx: StepContext, _input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let property = analysed_property(s, &ctx).await?;
        let requester = requester(s, &ctx).await?;
        // The posts of this execution carry its campaign id, so a re-run finds them.
        let campaign = derived_id(ctx.execution_id, "campaign");
        let existing: Vec<_> = s
            .domain
            .list_social_posts(Some(&requester.owner_id), None, 1000)
            .await
            .map_err(StepError::retryable)?
            .into_iter()
            .filter(|p| p.social_campaign_id == Some(campaign))
            .collect();
        let posts = if existing.is_empty() {
            let request = PostRequest {
                platforms: Platform::ALL.to_vec(),
                post_type: "just_listed".into(),
                content_style: serde_json::from_value(ctx.params["customizations"]["content_style"].clone()).ok(),
                include_property_details: true,
                hashtags: None,
                agent_phone: requester.phone.clone(),
                scheduled_at: None,
                theme: Some("launch".into()),
                social_campaign_id: Some(campaign),
            };
            let mut images = social::ImageCache::new();
            social::generate_posts(s, &property, &requester, &request, &mut images, ctx.now).await.map_err(
                |e| match e {
                    SocialError::Store(e) => StepError::retryable(e),
                    SocialError::Settings(e) => e.into(),
                    other => StepError::permanent(other),
                },
            )?
        } else {
            existing
        };
        let files: Vec<Value> = posts
            .iter()
            .filter_map(|p| p.image_artifact_id.map(|a| (p, a)))
            .map(|(p, a)| json!({ "artifact_id": a, "platform": p.platform, "content_type": "image/png", "url": format!("/api/v1/marketing/assets/{a}") }))
            .collect();
        Ok(json!({
            "record_id": campaign,
            "posts": posts.iter().map(|p| json!({
                "post_id": p.id, "platform": p.platform, "status": p.status, "characters": p.text.chars().count(),
                "url": format!("/api/v1/social/posts/{}", p.id),
            })).collect::<Vec<_>>(),
            "files": files,
        }))
    }
}
