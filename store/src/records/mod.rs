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

/// The implementation, written once for both backends: `$db` picks the SQL dialect (see
/// [`crate::dialect`]: the text is PostgreSQL's, SQLite's is made at compile time), `$read`/`$write`
/// name the pools and `$row` the row type. Only the table's name, from the closed [`Table`] enum, is
/// put into a statement at run time.
macro_rules! records_impl {
    ($db:ident, $store:ty, $row:ty, $read:ident, $write:ident) => {
        use serde_json::Value;
        use sqlx::types::Json;
        use uuid::Uuid;

        use super::{Filter, Record, Records, Table};
        use crate::types::to_us;
        use crate::{Error, Timestamp};

        const COLUMNS: &str = "id, owner_id, team_id, ref_id, status, unique_key, body, created_at_us, updated_at_us";

        /// A [`Filter`]'s conditions, bound as `$1`…`$5`.
        const FILTER: &str = "WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text IS NULL OR team_id = $2) \
             AND ($3::text IS NULL OR ref_id = $3) AND ($4::text IS NULL OR status = $4) AND ($5::int8 IS NULL OR created_at_us >= $5)";

        fn record(r: &$row) -> Result<Record, Error> {
            use sqlx::Row;
            Ok(Record {
                id: r.try_get("id")?,
                owner_id: r.try_get("owner_id")?,
                team_id: r.try_get("team_id")?,
                ref_id: r.try_get("ref_id")?,
                status: r.try_get("status")?,
                unique_key: r.try_get("unique_key")?,
                body: r.try_get::<Json<Value>, _>("body")?.0,
                created_at: crate::types::from_us(r.try_get("created_at_us")?),
                updated_at: crate::types::from_us(r.try_get("updated_at_us")?),
            })
        }

        #[async_trait::async_trait]
        impl Records for $store {
            async fn insert(&self, table: Table, r: &Record) -> Result<(Record, bool), Error> {
                let t = table.name();
                let inserted = sqlx::query(&format!(
                    "INSERT INTO {t} {}",
                    crate::sql!($db, "(", COLUMNS, ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (unique_key) DO NOTHING RETURNING ", COLUMNS)
                ))
                .bind(r.id)
                .bind(&r.owner_id)
                .bind(&r.team_id)
                .bind(&r.ref_id)
                .bind(&r.status)
                .bind(&r.unique_key)
                .bind(Json(&r.body))
                .bind(to_us(r.created_at))
                .bind(to_us(r.updated_at))
                .fetch_optional(&self.$write)
                .await?;
                if let Some(row) = inserted {
                    return Ok((record(&row)?, true));
                }
                let row = sqlx::query(&format!("SELECT {COLUMNS} FROM {t} {}", crate::sql!($db, "WHERE unique_key = $1")))
                    .bind(&r.unique_key)
                    .fetch_one(&self.$write)
                    .await?;
                Ok((record(&row)?, false))
            }

            async fn get(&self, table: Table, id: Uuid) -> Result<Option<Record>, Error> {
                let row = sqlx::query(&format!("SELECT {COLUMNS} FROM {} {}", table.name(), crate::sql!($db, "WHERE id = $1")))
                    .bind(id)
                    .fetch_optional(&self.$read)
                    .await?;
                row.as_ref().map(record).transpose()
            }

            async fn list(&self, table: Table, f: &Filter) -> Result<Vec<Record>, Error> {
                let rows = sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM {} {}",
                    table.name(),
                    crate::sql!($db, FILTER, " ORDER BY created_at_us DESC, id DESC LIMIT $6")
                ))
                .bind(&f.owner_id)
                .bind(&f.team_id)
                .bind(&f.ref_id)
                .bind(&f.status)
                .bind(f.created_after.map(to_us))
                .bind(f.limit.clamp(1, 10_000) as i64)
                .fetch_all(&self.$read)
                .await?;
                rows.iter().map(record).collect()
            }

            async fn update(
                &self,
                table: Table,
                id: Uuid,
                expected: Option<&str>,
                status: &str,
                body: Option<&Value>,
                now: Timestamp,
            ) -> Result<Record, Error> {
                let t = table.name();
                let row = sqlx::query(&format!(
                    "UPDATE {t} {}",
                    crate::sql!($db, "SET status = $1, body = COALESCE($2::jsonb, body), updated_at_us = $3 \
                     WHERE id = $4 AND ($5::text IS NULL OR status = $5) RETURNING ", COLUMNS)
                ))
                .bind(status)
                .bind(body.map(Json))
                .bind(to_us(now))
                .bind(id)
                .bind(expected)
                .fetch_optional(&self.$write)
                .await?;
                match row {
                    Some(row) => record(&row),
                    None => match self.get(table, id).await? {
                        None => Err(Error::NotFound(format!("{} {id}", t.trim_end_matches('s')))),
                        Some(current) => Err(Error::Conflict(format!(
                            "{} {id} is {}, not {}",
                            t.trim_end_matches('s'),
                            current.status,
                            expected.unwrap_or("-")
                        ))),
                    },
                }
            }

            async fn count_by_status(&self, table: Table, f: &Filter) -> Result<Vec<(String, u64)>, Error> {
                let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
                    "SELECT status, COUNT(*) FROM {} {}",
                    table.name(),
                    crate::sql!($db, FILTER, " GROUP BY status ORDER BY status")
                ))
                .bind(&f.owner_id)
                .bind(&f.team_id)
                .bind(&f.ref_id)
                .bind(&f.status)
                .bind(f.created_after.map(to_us))
                .fetch_all(&self.$read)
                .await?;
                Ok(rows.into_iter().map(|(s, n)| (s, n as u64)).collect())
            }
        }
    };
}
use records_impl;
