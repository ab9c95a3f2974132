//! `Records` on PostgreSQL.

use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use uuid::Uuid;

use super::{record_decoder, Filter, Record, Records, Table};
use crate::postgres::PgStore;
use crate::types::to_us;
use crate::{Error, Timestamp};

record_decoder!(PgRow);

#[async_trait::async_trait]
impl Records for PgStore {
    async fn insert(&self, table: Table, r: &Record) -> Result<(Record, bool), Error> {
        let t = table.name();
        let inserted = sqlx::query(&format!(
            "INSERT INTO {t} ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (unique_key) DO NOTHING RETURNING {COLUMNS}"
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
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = inserted {
            return Ok((record(&row)?, true));
        }
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM {t} WHERE unique_key = $1"))
            .bind(&r.unique_key)
            .fetch_one(&self.pool)
            .await?;
        Ok((record(&row)?, false))
    }

    async fn get(&self, table: Table, id: Uuid) -> Result<Option<Record>, Error> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM {} WHERE id = $1", table.name()))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(record).transpose()
    }

    async fn list(&self, table: Table, f: &Filter) -> Result<Vec<Record>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {} WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text IS NULL OR team_id = $2) \
             AND ($3::text IS NULL OR ref_id = $3) AND ($4::text IS NULL OR status = $4) AND ($5::int8 IS NULL OR created_at_us >= $5) \
             ORDER BY created_at_us DESC, id DESC LIMIT $6",
            table.name()
        ))
        .bind(&f.owner_id)
        .bind(&f.team_id)
        .bind(&f.ref_id)
        .bind(&f.status)
        .bind(f.created_after.map(to_us))
        .bind(f.limit.clamp(1, 10_000) as i64)
        .fetch_all(&self.pool)
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
            "UPDATE {t} SET status = $1, body = COALESCE($2::jsonb, body), updated_at_us = $3 \
             WHERE id = $4 AND ($5::text IS NULL OR status = $5) RETURNING {COLUMNS}"
        ))
        .bind(status)
        .bind(body.map(Json))
        .bind(to_us(now))
        .bind(id)
        .bind(expected)
        .fetch_optional(&self.pool)
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
            "SELECT status, COUNT(*) FROM {} WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text IS NULL OR team_id = $2) \
             AND ($3::text IS NULL OR ref_id = $3) AND ($4::text IS NULL OR status = $4) AND ($5::int8 IS NULL OR created_at_us >= $5) \
             GROUP BY status ORDER BY status",
            table.name()
        ))
        .bind(&f.owner_id)
        .bind(&f.team_id)
        .bind(&f.ref_id)
        .bind(&f.status)
        .bind(f.created_after.map(to_us))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(s, n)| (s, n as u64)).collect())
    }
}
