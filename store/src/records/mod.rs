//! `Records`: the CRM side's entity tables (leads, clients, their documents, agent tasks, portal
//! listings, social campaigns, the publishing outbox, hashtag research, campaign deliveries).
//!
//! Every one of these tables has the same shape (see `migrations/*/0012_records.sql`): identity,
//! ownership (`owner_id`, `team_id`), a `status`, `ref_id` pointing at the parent (a property, a
//! campaign, a client), an optional `unique_key` that makes an insert idempotent (a step that runs
//! twice inserts once), and a JSON `body` whose fields the `realestate` crate defines and validates.
//! One shape means one small, well-tested implementation per backend instead of nine; the table is
//! chosen from a closed enum, so no caller-supplied text ever reaches the SQL.

mod postgres;
mod sqlite;

use serde_json::Value;
use uuid::Uuid;

use crate::{Error, Timestamp};

/// The entity tables. The names are the SQL table names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    SocialCampaigns,
    SocialOutbox,
    HashtagResearch,
    CampaignDeliveries,
    Leads,
    Clients,
    ClientDocuments,
    AgentTasks,
    Listings,
}

impl Table {
    pub const ALL: [Table; 9] = [
        Table::SocialCampaigns,
        Table::SocialOutbox,
        Table::HashtagResearch,
        Table::CampaignDeliveries,
        Table::Leads,
        Table::Clients,
        Table::ClientDocuments,
        Table::AgentTasks,
        Table::Listings,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::SocialCampaigns => "social_campaigns",
            Table::SocialOutbox => "social_outbox",
            Table::HashtagResearch => "hashtag_research",
            Table::CampaignDeliveries => "campaign_deliveries",
            Table::Leads => "leads",
            Table::Clients => "clients",
            Table::ClientDocuments => "client_documents",
            Table::AgentTasks => "agent_tasks",
            Table::Listings => "listings",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: Uuid,
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    /// The parent: a property, campaign, client or execution id, as text.
    pub ref_id: Option<String>,
    pub status: String,
    /// Inserting a record whose key exists returns the existing record instead.
    pub unique_key: Option<String>,
    pub body: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Record {
    /// A new record with a fresh time-ordered id.
    pub fn new(status: &str, body: Value, now: Timestamp) -> Record {
        Record {
            id: Uuid::now_v7(),
            owner_id: None,
            team_id: None,
            ref_id: None,
            status: status.to_string(),
            unique_key: None,
            body,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Which rows `Records::list` returns; `None` fields do not filter. Newest first.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    pub ref_id: Option<String>,
    pub status: Option<String>,
    pub created_after: Option<Timestamp>,
    pub limit: u32,
}

#[async_trait::async_trait]
pub trait Records: Send + Sync + 'static {
    /// Inserts the record, or returns the one already stored under its `unique_key` (`false`).
    async fn insert(&self, table: Table, record: &Record) -> Result<(Record, bool), Error>;
    async fn get(&self, table: Table, id: Uuid) -> Result<Option<Record>, Error>;
    async fn list(&self, table: Table, filter: &Filter) -> Result<Vec<Record>, Error>;
    /// Sets status (and body, when given) if the row's status is `expected` (any status when
    /// `None`); `NotFound` for no row, `Conflict` when the status moved on.
    async fn update(
        &self,
        table: Table,
        id: Uuid,
        expected: Option<&str>,
        status: &str,
        body: Option<&Value>,
        now: Timestamp,
    ) -> Result<Record, Error>;
    /// Rows per status matching the filter (its limit is ignored).
    async fn count_by_status(&self, table: Table, filter: &Filter) -> Result<Vec<(String, u64)>, Error>;
}

/// Shared by both backends: the column list and the row decoder.
macro_rules! record_decoder {
    ($row:ty) => {
        const COLUMNS: &str = "id, owner_id, team_id, ref_id, status, unique_key, body, created_at_us, updated_at_us";

        fn record(r: &$row) -> Result<Record, Error> {
            use sqlx::Row;
            Ok(Record {
                id: r.try_get("id")?,
                owner_id: r.try_get("owner_id")?,
                team_id: r.try_get("team_id")?,
                ref_id: r.try_get("ref_id")?,
                status: r.try_get("status")?,
                unique_key: r.try_get("unique_key")?,
                body: r.try_get::<sqlx::types::Json<Value>, _>("body")?.0,
                created_at: crate::types::from_us(r.try_get("created_at_us")?),
                updated_at: crate::types::from_us(r.try_get("updated_at_us")?),
            })
        }
    };
}
use record_decoder;
