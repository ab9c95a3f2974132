//! Publishing social posts when their time comes. Real networks (Instagram, LinkedIn, …) need app
//! review and OAuth that this deployment cannot reach, so the `Publisher` trait is the seam: the
//! default `OutboxPublisher` writes each post once to the `social_outbox` table (the queue a
//! network integration or a person works from) and, when a webhook URL is configured, POSTs the
//! post to it (Zapier, Make, an in-house bridge) with an idempotency key.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use store::domain::SocialPostRecord;
use store::records::{Record, Records, Table};
use store::Timestamp;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    /// The outbox record of the post.
    pub outbox_id: Uuid,
    /// The webhook's HTTP status, when one is configured.
    pub webhook_status: Option<u16>,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Try again later (network, 5xx, rate limit).
    #[error("{0}")]
    Transient(String),
    /// The receiver refused the post; retrying cannot help.
    #[error("{0}")]
    Permanent(String),
}

/// A step that publishes retries what may pass later and fails for good on a refusal.
impl From<PublishError> for runtime::StepError {
    fn from(e: PublishError) -> runtime::StepError {
        match e {
            PublishError::Transient(m) => runtime::StepError::Retryable(m),
            PublishError::Permanent(m) => runtime::StepError::Permanent(m),
        }
    }
}

#[async_trait::async_trait]
pub trait Publisher: Send + Sync + 'static {
    /// Publishes once: calling again for the same post returns the first receipt's outbox record.
    async fn publish(&self, post: &SocialPostRecord, now: Timestamp) -> Result<Receipt, PublishError>;
}

/// The outbox, plus an optional webhook.
pub struct OutboxPublisher {
    records: Arc<dyn Records>,
    webhook: Option<(String, reqwest::Client)>,
}

impl OutboxPublisher {
    pub fn new(records: Arc<dyn Records>, webhook_url: Option<String>) -> OutboxPublisher {
        let webhook = webhook_url.map(|url| {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().unwrap_or_default();
            (url, client)
        });
        OutboxPublisher { records, webhook }
    }
}

/// What the outbox and the webhook receive for a post.
pub fn payload(post: &SocialPostRecord) -> Value {
    json!({
        "post_id": post.id, "platform": post.platform, "post_type": post.post_type, "text": post.text,
        "hashtags": post.hashtags, "property_id": post.property_id, "scheduled_at": post.scheduled_at,
        "image_url": post.image_artifact_id.map(|a| format!("/api/v1/marketing/assets/{a}")),
        "theme": post.theme, "social_campaign_id": post.social_campaign_id,
    })
}

#[async_trait::async_trait]
impl Publisher for OutboxPublisher {
    async fn publish(&self, post: &SocialPostRecord, now: Timestamp) -> Result<Receipt, PublishError> {
        let mut record = Record::new("queued", payload(post), now);
        record.owner_id = Some(post.owner_id.clone());
        record.team_id = post.team_id.clone();
        record.ref_id = Some(post.id.to_string());
        record.unique_key = Some(format!("post:{}", post.id));
        let (record, _) = self
            .records
            .insert(Table::SocialOutbox, &record)
            .await
            .map_err(|e| PublishError::Transient(e.to_string()))?;
        let Some((url, client)) = &self.webhook else {
            return Ok(Receipt { outbox_id: record.id, webhook_status: None });
        };
        if record.status == "delivered" {
            let status = record.body["webhook_status"].as_u64().map(|s| s as u16);
            return Ok(Receipt { outbox_id: record.id, webhook_status: status });
        }
        let response = client
            .post(url)
            .header("Idempotency-Key", format!("post:{}", post.id))
            .json(&record.body)
            .send()
            .await
            .map_err(|e| PublishError::Transient(format!("webhook: {e}")))?;
        let status = response.status().as_u16();
        let mut body = record.body.clone();
        body["webhook_status"] = json!(status);
        let outcome = match status {
            200..=299 => "delivered",
            408 | 429 | 500..=599 => return Err(PublishError::Transient(format!("webhook answered {status}"))),
            _ => "rejected",
        };
        self.records
            .update(Table::SocialOutbox, record.id, None, outcome, Some(&body), now)
            .await
            .map_err(|e| PublishError::Transient(e.to_string()))?;
        if outcome == "rejected" {
            return Err(PublishError::Permanent(format!("webhook refused the post with {status}")));
        }
        Ok(Receipt { outbox_id: record.id, webhook_status: Some(status) })
    }
}

/// The `publish_social_post` step: waits (durably) until the post's time, then publishes it once.
/// A cancelled post ends the execution quietly; cancelling signals the execution so it ends now.
pub(crate) struct PublishSocialPost(pub(crate) Arc<crate::Services>);

#[async_trait::async_trait]
impl runtime::Handler for PublishSocialPost {
    async fn run(&self, ctx: runtime::StepContext, input: Value) -> Result<Value, runtime::StepError> {
        use runtime::StepError;
        let id = input
            .get("post_id")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| StepError::permanent("input.post_id must be a post id"))?;
        let s = &self.0;
        let post = s
            .domain
            .social_post(id)
            .await
            .map_err(StepError::retryable)?
            .ok_or_else(|| StepError::permanent(format!("post {id} does not exist")))?;
        match post.status.as_str() {
            "cancelled" => return Ok(json!({ "post_id": id, "status": "cancelled" })),
            "published" => {
                return Ok(json!({ "post_id": id, "status": "published", "published_at": post.published_at }))
            }
            "scheduled" => {}
            other => return Err(StepError::permanent(format!("post {id} is {other}, not scheduled"))),
        }
        let now = ctx.now;
        if let Some(at) = post.scheduled_at.filter(|at| *at > now) {
            let wait = (at - now).to_std().unwrap_or_default();
            return Err(StepError::wait(wait, format!("publishing at {}", at.to_rfc3339())));
        }
        let receipt = s.publisher().publish(&post, now).await?;
        match s.domain.publish_social_post(id, now).await {
            Ok(_) => {}
            // Cancelled between the check and now: the outbox has it, the post says cancelled.
            Err(store::Error::Conflict(m)) => tracing::warn!(post = %id, "{m}"),
            Err(e) => return Err(StepError::retryable(e)),
        }
        Ok(json!({
            "post_id": id, "status": "published", "platform": post.platform, "outbox_id": receipt.outbox_id,
            "webhook_status": receipt.webhook_status, "published_at": now,
        }))
    }
}
