//! Business records beside the engine: market data (communities, DLD transactions, monthly
//! snapshots), agents' properties, CMA reports and stored files (artefacts).
//!
//! A third trait implemented by both backends. Record bodies the API owns (a property's fields,
//! a report's request and result) are stored as JSON, so their shape can grow without migrations;
//! what is queried (owner, team, reference, status) has columns.

mod postgres;
mod rows;
mod shared;
mod sqlite;

use chrono::NaiveDate;
use serde_json::Value;
use uuid::Uuid;

use crate::{Error, Timestamp};

#[derive(Debug, Clone, PartialEq)]
pub struct CommunityRow {
    pub name: String,
    pub aliases: Vec<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub coord_source: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransactionRow {
    pub txn_id: String,
    pub date: NaiveDate,
    pub community: String,
    pub building: Option<String>,
    pub property_type: String,
    pub bedrooms: Option<i32>,
    pub size_sqft: f64,
    pub price_aed: f64,
    pub offplan: bool,
    pub bulk: bool,
    /// Where the row came from: `seed` or an import's file name.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotRow {
    pub community: String,
    pub property_type: String,
    /// `YYYY-MM`.
    pub month: String,
    pub median_psf: f64,
    pub volume: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PropertyRecord {
    pub id: Uuid,
    pub owner_id: String,
    pub team_id: Option<String>,
    pub reference: String,
    pub body: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A listing photo's metadata; its bytes travel beside it (`add_property_photo`, `property_photo`).
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyPhoto {
    pub id: Uuid,
    pub property_id: Uuid,
    /// 1, 2, 3, … in upload order; the lowest is the listing's main photo.
    pub position: i32,
    /// `image/png` or `image/jpeg`, as decoded from the bytes.
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub size_bytes: i64,
    pub sha256: String,
    pub caption: Option<String>,
    pub uploaded_by: String,
    pub created_at: Timestamp,
}

/// What `add_property_photo` did.
#[derive(Debug, Clone, PartialEq)]
pub enum PhotoAdded {
    /// Stored, with the position it was given.
    Added(PropertyPhoto),
    /// The property already has the most photos allowed; nothing was stored.
    Full,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    pub id: Uuid,
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    /// E.g. `cma_report_pdf`, `postcard_pdf`.
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CmaReportRecord {
    pub id: Uuid,
    pub owner_id: String,
    pub team_id: Option<String>,
    pub property_id: Option<Uuid>,
    pub execution_id: Option<Uuid>,
    /// `processing`, `completed` or `failed`.
    pub status: String,
    pub request: Value,
    pub result: Option<Value>,
    pub error: Option<String>,
    pub pdf_artifact_id: Option<Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TemplateRecord {
    pub name: String,
    pub category: String,
    pub channel: String,
    pub market: String,
    pub compliance_status: String,
    pub customizable_fields: Value,
    pub content: String,
    /// `builtin` or `custom`.
    pub source: String,
    pub created_by: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The brokerage settings as stored: the body is `realestate`'s settings document (the store does
/// not interpret it); `version` counts saves, starting at 1.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokerageSettingsRecord {
    pub body: Value,
    pub demo: bool,
    pub version: i64,
    pub updated_by: Option<String>,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CampaignRecord {
    pub id: Uuid,
    pub owner_id: String,
    pub team_id: Option<String>,
    pub property_id: Uuid,
    pub campaign_type: String,
    pub status: String,
    pub request: Value,
    pub assets: Value,
    /// The full-package execution that generates the assets, when there is one.
    pub execution_id: Option<String>,
    /// Why generation failed (status `failed`).
    pub error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalRecord {
    pub id: i64,
    pub campaign_id: Uuid,
    pub at: Timestamp,
    pub actor_id: String,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SocialPostRecord {
    pub id: Uuid,
    pub owner_id: String,
    pub team_id: Option<String>,
    pub property_id: Uuid,
    pub platform: String,
    pub post_type: String,
    pub status: String,
    pub text: String,
    pub hashtags: Value,
    pub scheduled_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The post's feed image (PNG artefact).
    pub image_artifact_id: Option<Uuid>,
    /// The social campaign whose calendar planned this post.
    pub social_campaign_id: Option<Uuid>,
    /// The calendar theme (launch, feature highlight, …).
    pub theme: Option<String>,
    /// The durable execution that publishes the post at `scheduled_at`.
    pub execution_id: Option<Uuid>,
    pub published_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CampaignEvent {
    pub campaign_id: Uuid,
    pub at: Timestamp,
    /// `open`, `click`, `lead`, `view`, `share`, …
    pub kind: String,
    pub channel: Option<String>,
    pub count: i32,
    pub detail: Option<Value>,
}

// `transition_campaign` takes the whole transition (id, from, to, actor, action, notes, time): one
// checked write, clearer than a struct made only to carry it.
#[allow(clippy::too_many_arguments)]
#[async_trait::async_trait]
pub trait Domain: Send + Sync + 'static {
    /// Inserts or updates communities by name. Idempotent, so nodes starting together may all seed.
    async fn upsert_communities(&self, rows: &[CommunityRow]) -> Result<(), Error>;
    async fn communities(&self) -> Result<Vec<CommunityRow>, Error>;
    /// Inserts transactions; rows whose `txn_id` exists are skipped. Returns how many were new.
    async fn insert_transactions(&self, rows: &[TransactionRow]) -> Result<u64, Error>;
    async fn transactions(&self) -> Result<Vec<TransactionRow>, Error>;
    async fn count_transactions(&self) -> Result<u64, Error>;
    /// Inserts or updates monthly snapshots by (community, type, month).
    async fn upsert_snapshots(&self, rows: &[SnapshotRow]) -> Result<(), Error>;
    async fn snapshots(&self, community: Option<&str>, property_type: Option<&str>) -> Result<Vec<SnapshotRow>, Error>;

    /// `Error::Conflict` when the owner already has a property with this reference.
    async fn create_property(&self, p: &PropertyRecord) -> Result<(), Error>;
    async fn property(&self, id: Uuid) -> Result<Option<PropertyRecord>, Error>;
    /// Properties with this reference (of one owner when given), oldest first.
    async fn properties_by_reference(
        &self,
        reference: &str,
        owner_id: Option<&str>,
    ) -> Result<Vec<PropertyRecord>, Error>;
    /// Newest first; `owner_id`/`team_id` filter when given.
    async fn list_properties(
        &self,
        owner_id: Option<&str>,
        team_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<PropertyRecord>, Error>;
    /// Replaces reference and body; `Error::NotFound` / `Error::Conflict`.
    async fn update_property(
        &self,
        id: Uuid,
        reference: &str,
        body: &Value,
        now: Timestamp,
    ) -> Result<PropertyRecord, Error>;
    async fn delete_property(&self, id: Uuid) -> Result<(), Error>;

    /// Appends a photo after the property's others (its `position` is chosen here), unless the
    /// property already has `max_photos`; the count and the insert are one transaction holding the
    /// property's row, so concurrent uploads cannot pass the limit. `Error::NotFound` without the
    /// property.
    async fn add_property_photo(
        &self,
        photo: &PropertyPhoto,
        bytes: &[u8],
        max_photos: u32,
    ) -> Result<PhotoAdded, Error>;
    /// The property's photos without their bytes, by position.
    async fn property_photos(&self, property_id: Uuid) -> Result<Vec<PropertyPhoto>, Error>;
    /// One photo of the property with its bytes.
    async fn property_photo(&self, property_id: Uuid, id: Uuid) -> Result<Option<(PropertyPhoto, Vec<u8>)>, Error>;
    /// `Error::NotFound` when the property has no such photo.
    async fn delete_property_photo(&self, property_id: Uuid, id: Uuid) -> Result<(), Error>;

    async fn put_artifact(&self, artifact: &Artifact, bytes: &[u8]) -> Result<(), Error>;
    async fn artifact(&self, id: Uuid) -> Result<Option<(Artifact, Vec<u8>)>, Error>;

    async fn create_cma_report(&self, r: &CmaReportRecord) -> Result<(), Error>;
    /// Records the outcome of a report's generation.
    async fn finish_cma_report(
        &self,
        id: Uuid,
        status: &str,
        result: Option<&Value>,
        error: Option<&str>,
        pdf_artifact_id: Option<Uuid>,
        now: Timestamp,
    ) -> Result<(), Error>;
    async fn set_cma_report_execution(&self, id: Uuid, execution_id: Uuid) -> Result<(), Error>;
    async fn cma_report(&self, id: Uuid) -> Result<Option<CmaReportRecord>, Error>;
    /// Inserts or replaces a template by name. Built-in templates never overwrite custom ones
    /// of the same name.
    async fn upsert_template(&self, t: &TemplateRecord) -> Result<(), Error>;
    async fn template(&self, name: &str) -> Result<Option<TemplateRecord>, Error>;
    /// Filtered by category and market when given, by name.
    async fn list_templates(&self, category: Option<&str>, market: Option<&str>) -> Result<Vec<TemplateRecord>, Error>;

    async fn create_campaign(&self, c: &CampaignRecord) -> Result<(), Error>;
    async fn campaign(&self, id: Uuid) -> Result<Option<CampaignRecord>, Error>;
    /// Records the outcome of asset generation of a `processing` campaign (`draft` with its
    /// assets, or `failed` with the error); a campaign no longer processing is left alone.
    async fn finish_campaign_generation(
        &self,
        id: Uuid,
        status: &str,
        assets: &Value,
        error: Option<&str>,
        now: Timestamp,
    ) -> Result<(), Error>;
    async fn set_campaign_execution(&self, id: Uuid, execution_id: &str) -> Result<(), Error>;
    async fn list_campaigns(
        &self,
        owner_id: Option<&str>,
        team_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CampaignRecord>, Error>;
    /// Moves a campaign from `from` to `to` and appends the trail entry, atomically; `Error::Conflict`
    /// when the campaign is no longer in `from` (a concurrent decision won).
    async fn transition_campaign(
        &self,
        id: Uuid,
        from: &str,
        to: &str,
        actor_id: &str,
        action: &str,
        notes: Option<&str>,
        now: Timestamp,
    ) -> Result<(), Error>;
    async fn approvals(&self, campaign_id: Uuid) -> Result<Vec<ApprovalRecord>, Error>;
    async fn add_campaign_event(&self, e: &CampaignEvent) -> Result<(), Error>;
    /// Totals per (kind, channel) of a campaign's events.
    async fn campaign_event_totals(&self, campaign_id: Uuid) -> Result<Vec<(String, Option<String>, i64)>, Error>;

    /// Inserts all posts in one transaction.
    async fn create_social_posts(&self, posts: &[SocialPostRecord]) -> Result<(), Error>;
    async fn social_post(&self, id: Uuid) -> Result<Option<SocialPostRecord>, Error>;
    async fn list_social_posts(
        &self,
        owner_id: Option<&str>,
        team_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<SocialPostRecord>, Error>;
    /// Replaces text, hashtags and status of a post that is still in `expected_status`;
    /// `Error::Conflict` otherwise.
    /// Schedules a draft or moves a scheduled post to `at` (status `scheduled`), if its status is
    /// still `expected_status`; `Conflict` otherwise.
    async fn schedule_social_post(
        &self,
        id: Uuid,
        expected_status: &str,
        at: Timestamp,
        now: Timestamp,
    ) -> Result<SocialPostRecord, Error>;
    /// Sets the execution that publishes a scheduled post.
    async fn set_social_post_execution(&self, id: Uuid, execution_id: Uuid) -> Result<(), Error>;
    /// Marks a scheduled post published; `Conflict` when it is no longer scheduled.
    async fn publish_social_post(&self, id: Uuid, now: Timestamp) -> Result<SocialPostRecord, Error>;
    /// Scheduled and published posts with `scheduled_at` in `[from, to)`, earliest first.
    async fn social_calendar(
        &self,
        owner_id: Option<&str>,
        team_id: Option<&str>,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<SocialPostRecord>, Error>;
    async fn update_social_post(
        &self,
        id: Uuid,
        expected_status: &str,
        text: &str,
        hashtags: &Value,
        status: &str,
        now: Timestamp,
    ) -> Result<SocialPostRecord, Error>;

    async fn list_cma_reports(
        &self,
        owner_id: Option<&str>,
        team_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CmaReportRecord>, Error>;

    /// The brokerage settings, if any were ever saved.
    async fn brokerage_settings(&self) -> Result<Option<BrokerageSettingsRecord>, Error>;
    /// Saves the settings when the stored version is `expected` (`None`: nothing stored yet) and
    /// returns them with the next version; `Error::Conflict` when another save came first.
    async fn save_brokerage_settings(
        &self,
        body: &Value,
        demo: bool,
        expected: Option<i64>,
        updated_by: Option<&str>,
        now: Timestamp,
    ) -> Result<BrokerageSettingsRecord, Error>;
}
