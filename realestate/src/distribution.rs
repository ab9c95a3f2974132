//! Distributing an approved campaign: its e-mail (HTML and plain text, the brochure attached) to
//! each recipient through the configured `Mailer`, and its social copy as published posts with their
//! images through the `Publisher`. Both run as steps of the durable `campaign_distribution`
//! execution; every delivery is recorded once in `campaign_deliveries` (keyed by campaign, channel
//! and recipient), so a retried step skips what already went out.

use std::sync::Arc;

use serde_json::{json, Value};
use store::domain::{CampaignRecord, SocialPostRecord};
use store::records::{Filter, Record, Table};
use uuid::Uuid;

use crate::mailer::MailError;
use crate::Services;
use runtime::{Handler, StepContext, StepError};

/// The package that distributes a campaign.
pub const DISTRIBUTION_PACKAGE: &str = "campaign_distribution";

/// Most recipients one distribution may address (a campaign e-mail, not a newsletter platform).
pub const RECIPIENTS_MAX: usize = 500;

fn campaign_id(input: &Value) -> Result<Uuid, StepError> {
    input
        .get("campaign_id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| StepError::permanent("input.campaign_id must be a campaign id"))
}

async fn load(s: &Services, id: Uuid) -> Result<CampaignRecord, StepError> {
    let c = s
        .domain
        .campaign(id)
        .await
        .map_err(StepError::retryable)?
        .ok_or_else(|| StepError::permanent(format!("campaign {id} does not exist")))?;
    if c.status != "distributed" {
        return Err(StepError::permanent(format!("campaign {id} is {}, not approved for distribution", c.status)));
    }
    Ok(c)
}

/// The campaign's asset with this channel and file extension.
fn asset<'a>(c: &'a CampaignRecord, channel_prefix: &str, ext: &str) -> Option<&'a Value> {
    c.assets.as_array()?.iter().find(|a| {
        a["channel"].as_str().is_some_and(|ch| ch.starts_with(channel_prefix))
            && a["filename"].as_str().is_some_and(|f| f.ends_with(ext))
    })
}

async fn asset_bytes(s: &Services, a: &Value) -> Result<Vec<u8>, StepError> {
    let id = a["artifact_id"]
        .as_str()
        .and_then(|x| Uuid::parse_str(x).ok())
        .ok_or_else(|| StepError::permanent("campaign asset without an artifact id"))?;
    Ok(s.domain
        .artifact(id)
        .await
        .map_err(StepError::retryable)?
        .ok_or_else(|| StepError::permanent("asset missing"))?
        .1)
}

/// A delivery already recorded as sent (or a new pending one).
async fn delivery(s: &Services, c: &CampaignRecord, channel: &str, recipient: &str) -> Result<Record, StepError> {
    let now = s.now();
    let mut r = Record::new("pending", json!({ "channel": channel, "recipient": recipient }), now);
    r.owner_id = Some(c.owner_id.clone());
    r.team_id = c.team_id.clone();
    r.ref_id = Some(c.id.to_string());
    r.unique_key = Some(format!("{}:{channel}:{recipient}", c.id));
    Ok(s.records.insert(Table::CampaignDeliveries, &r).await.map_err(StepError::retryable)?.0)
}

async fn mark(s: &Services, r: &Record, status: &str, detail: Value) -> Result<(), StepError> {
    let mut body = r.body.clone();
    if let (Some(b), Some(d)) = (body.as_object_mut(), detail.as_object()) {
        b.extend(d.clone());
    }
    s.records
        .update(Table::CampaignDeliveries, r.id, None, status, Some(&body), s.now())
        .await
        .map_err(StepError::retryable)?;
    Ok(())
}

/// `campaign_email`: one message per recipient.
pub(crate) struct CampaignEmail(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for CampaignEmail {
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let c = load(s, campaign_id(&input)?).await?;
        let recipients: Vec<String> = input["recipients"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect();
        if recipients.is_empty() {
            return Ok(json!({ "campaign_id": c.id, "sent": 0, "skipped": "no recipients" }));
        }
        let text = match asset(&c, "email", ".txt") {
            Some(a) => String::from_utf8_lossy(&asset_bytes(s, a).await?).into_owned(),
            None => {
                return Ok(json!({ "campaign_id": c.id, "sent": 0, "skipped": "the campaign has no e-mail asset" }))
            }
        };
        let html = match asset(&c, "email", ".html") {
            Some(a) => Some(String::from_utf8_lossy(&asset_bytes(s, a).await?).into_owned()),
            None => None,
        };
        let mut attachments = Vec::new();
        if let Some(a) = asset(&c, "brochure", ".pdf") {
            attachments.push(mail::Attachment::new(
                a["filename"].as_str().unwrap_or("brochure.pdf"),
                "application/pdf",
                asset_bytes(s, a).await?,
            ));
        }
        let (subject, text_body) = text.split_once("\n\n").unwrap_or(("New listing", text.as_str()));
        let from = mail::Address::parse(&s.mail_from()).map_err(StepError::permanent)?;
        let mailer = s.mailer();
        let (mut sent, mut already, mut failed) = (0, 0, Vec::new());
        for recipient in &recipients {
            let record = delivery(s, &c, "email", recipient).await?;
            if record.status == "sent" {
                already += 1;
                continue;
            }
            let to = match mail::Address::parse(recipient) {
                Ok(a) => a,
                Err(e) => {
                    mark(s, &record, "failed", json!({ "error": e.to_string() })).await?;
                    failed.push(recipient.clone());
                    continue;
                }
            };
            let message = mail::Message {
                from: from.clone(),
                to: vec![to],
                reply_to: None,
                subject: subject.trim().to_string(),
                text: text_body.trim().to_string(),
                html: html.clone(),
                attachments: attachments.clone(),
                date: ctx.now,
                message_id: format!("<{}.{}@aura>", c.id, record.id),
                headers: vec![("X-AURA-Campaign".into(), c.id.to_string())],
            };
            match mailer.send(&message, Some((&c.owner_id, c.team_id.as_deref()))).await {
                Ok(receipt) => {
                    mark(s, &record, "sent", json!({ "transport": receipt.transport, "reference": receipt.reference, "message_id": message.message_id })).await?;
                    sent += 1;
                }
                // The recipients done so far are recorded; the retry continues from here.
                Err(MailError::Transient(m)) => return Err(StepError::Retryable(format!("{recipient}: {m}"))),
                Err(MailError::Permanent(m)) => {
                    mark(s, &record, "failed", json!({ "error": m })).await?;
                    failed.push(recipient.clone());
                }
            }
        }
        Ok(json!({ "campaign_id": c.id, "sent": sent, "already_sent": already, "failed": failed }))
    }
}

/// `campaign_social`: each social channel's copy and image as a published post.
pub(crate) struct CampaignSocial(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for CampaignSocial {
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let c = load(s, campaign_id(&input)?).await?;
        let now = ctx.now;
        let mut published = Vec::new();
        let assets: Vec<Value> = c.assets.as_array().cloned().unwrap_or_default();
        for a in assets.iter().filter(|a| a["filename"].as_str().is_some_and(|f| f.ends_with(".txt"))) {
            // Social copy is filed under its network's name (`instagram`, `x`, …).
            let Some(platform) = a["channel"].as_str().filter(|ch| crate::social::platform(ch).is_ok()) else {
                continue;
            };
            let record = delivery(s, &c, "social", platform).await?;
            if record.status == "sent" {
                published.push(record.body["post_id"].clone());
                continue;
            }
            let text = String::from_utf8_lossy(&asset_bytes(s, a).await?).into_owned();
            let image = assets.iter().find(|x| {
                x["channel"].as_str() == a["channel"].as_str()
                    && x["filename"].as_str().is_some_and(|f| f.ends_with(".png"))
            });
            // The post id is derived from the delivery, so a retried step finds the same post.
            let post_id = record.id;
            let post = match s.domain.social_post(post_id).await.map_err(StepError::retryable)? {
                Some(p) => p,
                None => {
                    let post = SocialPostRecord {
                        id: post_id,
                        owner_id: c.owner_id.clone(),
                        team_id: c.team_id.clone(),
                        property_id: c.property_id,
                        platform: platform.to_string(),
                        post_type: "new_listing".into(),
                        status: "scheduled".into(),
                        hashtags: json!(text.split_whitespace().filter(|w| w.starts_with('#')).collect::<Vec<_>>()),
                        text: text.clone(),
                        scheduled_at: Some(now),
                        created_at: now,
                        updated_at: now,
                        image_artifact_id: image
                            .and_then(|i| i["artifact_id"].as_str())
                            .and_then(|x| Uuid::parse_str(x).ok()),
                        social_campaign_id: None,
                        theme: Some("launch".into()),
                        execution_id: None,
                        published_at: None,
                    };
                    s.domain.create_social_posts(std::slice::from_ref(&post)).await.map_err(StepError::retryable)?;
                    post
                }
            };
            let receipt = s.publisher().publish(&post, now).await?;
            if post.status == "scheduled" {
                s.domain.publish_social_post(post.id, now).await.map_err(StepError::retryable)?;
            }
            mark(s, &record, "sent", json!({ "post_id": post.id, "outbox_id": receipt.outbox_id })).await?;
            published.push(json!(post.id));
        }
        Ok(json!({ "campaign_id": c.id, "posts": published }))
    }
}

/// The deliveries of a campaign, newest first.
pub async fn deliveries(s: &Services, campaign: Uuid) -> Result<Vec<Record>, store::Error> {
    s.records
        .list(
            Table::CampaignDeliveries,
            &Filter { ref_id: Some(campaign.to_string()), limit: 1000, ..Default::default() },
        )
        .await
}
