//! Analytics: daily performance metrics per user, goals, and saved custom dashboards.
//!
//! `performance_metrics` holds one row per (Dubai-local day, user, metric). Rows arrive two ways:
//! - [`Analytics::record`]: an upsert-increment feature code calls as things happen (listings
//!   launched, leads handled and converted, clients onboarded), `source = 'event'`;
//! - [`Analytics::rollup`]: recomputes, idempotently, the days of a range from the source tables
//!   (executions, CMA reports, campaigns and their approvals and events, social posts),
//!   `source = 'rollup'`; it deletes and rewrites only its own rows. [`Analytics::rebuild`] does
//!   every day (backfill).
//!
//! Dashboards read only this table (and goals), so they stay fast on a year of data.
//! The metric names the rollup writes are [`ROLLUP_METRICS`] (plus `package_completed:<name>`);
//! `record` refuses them so the two sources never share a row.

mod postgres;
mod sqlite;

use chrono::NaiveDate;
use serde_json::Value;
use uuid::Uuid;

use crate::{Error, Timestamp};

/// Dubai is UTC+4 all year; days are Dubai days.
pub const DAY_OFFSET_US: i64 = 4 * 3_600_000_000;
pub const DAY_US: i64 = 86_400_000_000;

/// The metrics the rollup computes; `record` refuses these names.
pub const ROLLUP_METRICS: &[&str] = &[
    "workflow_completed",
    "workflow_failed",
    "workflow_seconds",
    "cma_produced",
    "campaign_created",
    "campaign_approved",
    "campaign_distributed",
    "post_created",
    "post_published",
    "campaign_lead",
];
/// Prefix of the per-package completion counts the rollup writes.
pub const PACKAGE_COMPLETED_PREFIX: &str = "package_completed:";

/// The day number stored in `performance_metrics.day` (0 = 1970-01-01).
pub fn day_number(d: NaiveDate) -> i64 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days()
}

pub fn from_day_number(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + chrono::Duration::days(n)
}

/// The Dubai day of an instant, as a day number.
pub fn day_of(at: Timestamp) -> i64 {
    (at.timestamp_micros() + DAY_OFFSET_US).div_euclid(DAY_US)
}

/// The first microsecond of a day number (Dubai midnight).
fn day_start_us(day: i64) -> i64 {
    day * DAY_US - DAY_OFFSET_US
}

/// Whose metrics a query sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricScope {
    All,
    Team(String),
    User(String),
}

/// Something that happened, to be counted on its day.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricEvent {
    pub metric: String,
    pub user_id: String,
    pub team_id: Option<String>,
    pub value: f64,
    pub at: Timestamp,
}

impl MetricEvent {
    pub fn new(metric: &str, user_id: &str, team_id: Option<&str>, value: f64, at: Timestamp) -> MetricEvent {
        MetricEvent { metric: metric.into(), user_id: user_id.into(), team_id: team_id.map(str::to_string), value, at }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DayTotal {
    pub day: NaiveDate,
    pub metric: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserTotal {
    pub user_id: String,
    pub metric: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewGoal {
    /// `user` or `team`.
    pub scope: String,
    pub subject_id: String,
    /// The team the goal belongs to: the team itself, or the user's team.
    pub team_id: Option<String>,
    pub kpi: String,
    pub target: f64,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub id: Uuid,
    pub scope: String,
    pub subject_id: String,
    pub team_id: Option<String>,
    pub kpi: String,
    pub target: f64,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub created_by: String,
    pub created_at: Timestamp,
}

/// Which goals to list: everything, or goals of a user, of a team, and (for team leaders) of
/// every user in a team.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoalFilter {
    pub all: bool,
    pub user_id: Option<String>,
    pub team_id: Option<String>,
    /// With `team_id`: also the goals of that team's users.
    pub team_members: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub id: Uuid,
    pub owner_id: String,
    pub name: String,
    pub widgets: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[async_trait::async_trait]
pub trait Analytics: Send + Sync + 'static {
    /// Adds `value` to the event's metric on its day (upsert-increment). `Error::Conflict` for a
    /// metric the rollup owns.
    async fn record(&self, event: &MetricEvent) -> Result<(), Error>;
    /// Records many events in one transaction.
    async fn record_many(&self, events: &[MetricEvent]) -> Result<(), Error>;
    /// Recomputes the rolled-up metrics of the days `from..=to` from the source tables, in one
    /// transaction (readers see the old rows or the new ones); returns the rows written.
    async fn rollup(&self, from: NaiveDate, to: NaiveDate) -> Result<u64, Error>;
    /// Recomputes every day from the source tables (backfill). Days whose executions retention
    /// has deleted lose their workflow metrics, so run it once, not routinely: see
    /// [`Analytics::last_rollup_day`].
    async fn rebuild(&self) -> Result<u64, Error>;
    /// The latest day the rollup wrote a row for (`None`: never rolled up, time to backfill).
    async fn last_rollup_day(&self) -> Result<Option<NaiveDate>, Error>;
    /// Sums per day and metric over the scope's users, days `from..=to`.
    async fn daily_totals(&self, scope: &MetricScope, from: NaiveDate, to: NaiveDate) -> Result<Vec<DayTotal>, Error>;
    /// Sums per user and metric over the scope's users, days `from..=to`.
    async fn user_totals(&self, scope: &MetricScope, from: NaiveDate, to: NaiveDate) -> Result<Vec<UserTotal>, Error>;

    async fn create_goal(&self, goal: &NewGoal, now: Timestamp) -> Result<Goal, Error>;
    /// Matching goals, newest first.
    async fn goals(&self, filter: &GoalFilter) -> Result<Vec<Goal>, Error>;

    async fn create_dashboard(
        &self,
        owner_id: &str,
        name: &str,
        widgets: &Value,
        now: Timestamp,
    ) -> Result<Dashboard, Error>;
    async fn dashboard(&self, id: Uuid) -> Result<Option<Dashboard>, Error>;
    /// The owner's dashboards, oldest first.
    async fn list_dashboards(&self, owner_id: &str) -> Result<Vec<Dashboard>, Error>;
    /// `Error::NotFound` for an unknown id.
    async fn update_dashboard(&self, id: Uuid, name: &str, widgets: &Value, now: Timestamp)
        -> Result<Dashboard, Error>;
    /// Whether a dashboard was deleted.
    async fn delete_dashboard(&self, id: Uuid) -> Result<bool, Error>;
}

fn check_recordable(metric: &str) -> Result<(), Error> {
    if metric.is_empty() || ROLLUP_METRICS.contains(&metric) || metric.starts_with(PACKAGE_COMPLETED_PREFIX) {
        return Err(Error::Conflict(format!("metric `{metric}` is computed by the rollup and cannot be recorded")));
    }
    Ok(())
}

/// The `(from µs, to µs exclusive)` instants of the days `from..=to`.
fn day_range_us(from: i64, to: i64) -> (i64, i64) {
    (day_start_us(from), day_start_us(to + 1))
}

/// SQL of the rollup, written with `?1`/`?2` (first and past-the-end µs) for both backends
/// (PostgreSQL gets `$1`/`$2`). Each statement writes disjoint (day, user, metric) rows.
const ROLLUP_SQL: &[&str] = &[
    // Executions by their creator, on the day they finished.
    "INSERT INTO performance_metrics (day, user_id, team_id, metric, value, source) \
     SELECT (finished_at_us + 14400000000) / 86400000000, created_by, MAX(team_id), 'workflow_' || status, COUNT(*), 'rollup' \
     FROM executions WHERE status IN ('completed', 'failed') AND created_by IS NOT NULL \
     AND finished_at_us >= ?1 AND finished_at_us < ?2 GROUP BY 1, 2, status",
    "INSERT INTO performance_metrics (day, user_id, team_id, metric, value, source) \
     SELECT (finished_at_us + 14400000000) / 86400000000, created_by, MAX(team_id), 'workflow_seconds', \
     CAST(SUM(finished_at_us - COALESCE(started_at_us, created_at_us)) AS DOUBLE PRECISION) / 1000000.0, 'rollup' \
     FROM executions WHERE status IN ('completed', 'failed') AND created_by IS NOT NULL \
     AND finished_at_us >= ?1 AND finished_at_us < ?2 GROUP BY 1, 2",
    "INSERT INTO performance_metrics (day, user_id, team_id, metric, value, source) \
     SELECT (finished_at_us + 14400000000) / 86400000000, created_by, MAX(team_id), 'package_completed:' || package_name, COUNT(*), 'rollup' \
     FROM executions WHERE status = 'completed' AND created_by IS NOT NULL \
     AND finished_at_us >= ?1 AND finished_at_us < ?2 GROUP BY 1, 2, package_name",
    // CMA reports produced, on the day they were requested (they complete within minutes).
    "INSERT INTO performance_metrics (day, user_id, team_id, metric, value, source) \
     SELECT (created_at_us + 14400000000) / 86400000000, owner_id, MAX(team_id), 'cma_produced', COUNT(*), 'rollup' \
     FROM cma_reports WHERE status = 'completed' AND created_at_us >= ?1 AND created_at_us < ?2 GROUP BY 1, 2",
    "INSERT INTO performance_metrics (day, user_id, team_id, metric, value, source) \
     SELECT (created_at_us + 14400000000) / 86400000000, owner_id, MAX(team_id), 'campaign_created', COUNT(*), 'rollup' \
     FROM campaigns WHERE status <> 'failed' AND created_at_us >= ?1 AND created_at_us < ?2 GROUP BY 1, 2",
    // Approvals and distributions from the approval trail, credited to the campaign's owner.
    "INSERT INTO performance_metrics (day, user_id, team_id, metric, value, source) \
     SELECT (m.at_us + 14400000000) / 86400000000, c.owner_id, MAX(c.team_id), 'campaign_' || m.to_status, \
     COUNT(DISTINCT m.campaign_id), 'rollup' \
     FROM marketing_approvals m JOIN campaigns c ON c.id = m.campaign_id \
     WHERE m.to_status IN ('approved', 'distributed') AND m.at_us >= ?1 AND m.at_us < ?2 GROUP BY 1, 2, m.to_status",
    "INSERT INTO performance_metrics (day, user_id, team_id, metric, value, source) \
     SELECT (created_at_us + 14400000000) / 86400000000, owner_id, MAX(team_id), 'post_created', COUNT(*), 'rollup' \
     FROM social_posts WHERE created_at_us >= ?1 AND created_at_us < ?2 GROUP BY 1, 2",
    // A published post is not edited again, so its last update is when it was published.
    "INSERT INTO performance_metrics (day, user_id, team_id, metric, value, source) \
     SELECT (updated_at_us + 14400000000) / 86400000000, owner_id, MAX(team_id), 'post_published', COUNT(*), 'rollup' \
     FROM social_posts WHERE status = 'published' AND updated_at_us >= ?1 AND updated_at_us < ?2 GROUP BY 1, 2",
    "INSERT INTO performance_metrics (day, user_id, team_id, metric, value, source) \
     SELECT (ev.at_us + 14400000000) / 86400000000, c.owner_id, MAX(c.team_id), 'campaign_lead', SUM(ev.count), 'rollup' \
     FROM campaign_events ev JOIN campaigns c ON c.id = ev.campaign_id \
     WHERE ev.kind = 'lead' AND ev.at_us >= ?1 AND ev.at_us < ?2 GROUP BY 1, 2",
];

/// The scope's extra condition, on parameter `?3`.
fn scope_clause(scope: &MetricScope) -> (&'static str, Option<&str>) {
    match scope {
        MetricScope::All => ("", None),
        MetricScope::Team(t) => (" AND team_id = ?3", Some(t.as_str())),
        MetricScope::User(u) => (" AND user_id = ?3", Some(u.as_str())),
    }
}

const GOAL_COLUMNS: &str =
    "id, scope, subject_id, team_id, kpi, target, period_start, period_end, created_by, created_at_us";
const DASHBOARD_COLUMNS: &str = "id, owner_id, name, widgets, created_at_us, updated_at_us";

/// The implementation, the same text for both backends: `$read`/`$write` are the pools, `$sql`
/// adapts bind parameters, `$lock` serialises concurrent rollups (PostgreSQL; SQLite has one writer),
/// `$after_rebuild` refreshes planner statistics once a full rebuild has rewritten the table.
macro_rules! analytics_impl {
    ($store:ty, $row:ty, $read:ident, $write:ident, $sql:expr, $lock:expr, $after_rebuild:expr) => {
        use chrono::NaiveDate;
        use serde_json::Value;
        use sqlx::types::Json;
        use sqlx::Row;
        use uuid::Uuid;

        use super::*;
        use crate::types::{from_us, to_us};
        use crate::{Error, Timestamp};

        fn sql(s: &str) -> String {
            ($sql)(s)
        }

        fn goal_row(r: &$row) -> Result<Goal, Error> {
            Ok(Goal {
                id: r.try_get("id")?,
                scope: r.try_get("scope")?,
                subject_id: r.try_get("subject_id")?,
                team_id: r.try_get("team_id")?,
                kpi: r.try_get("kpi")?,
                target: r.try_get("target")?,
                period_start: from_day_number(r.try_get("period_start")?),
                period_end: from_day_number(r.try_get("period_end")?),
                created_by: r.try_get("created_by")?,
                created_at: from_us(r.try_get("created_at_us")?),
            })
        }

        fn dashboard_row(r: &$row) -> Result<Dashboard, Error> {
            Ok(Dashboard {
                id: r.try_get("id")?,
                owner_id: r.try_get("owner_id")?,
                name: r.try_get("name")?,
                widgets: r.try_get::<Json<Value>, _>("widgets")?.0,
                created_at: from_us(r.try_get("created_at_us")?),
                updated_at: from_us(r.try_get("updated_at_us")?),
            })
        }

        const UPSERT: &str = "INSERT INTO performance_metrics (day, user_id, team_id, metric, value, source) \
             VALUES (?1, ?2, ?3, ?4, ?5, 'event') ON CONFLICT (day, metric, user_id) \
             DO UPDATE SET value = performance_metrics.value + excluded.value, team_id = excluded.team_id";

        impl $store {
            async fn rollup_days(&self, days: Option<(i64, i64)>) -> Result<u64, Error> {
                let (from_us, to_us) = match days {
                    Some((a, b)) => day_range_us(a, b),
                    None => (i64::MIN, i64::MAX),
                };
                let mut tx = self.begin_write().await?;
                if let Some(lock) = $lock {
                    sqlx::query(lock).execute(&mut *tx).await?;
                }
                match days {
                    Some((a, b)) => {
                        sqlx::query(&sql(
                            "DELETE FROM performance_metrics WHERE source = 'rollup' AND day >= ?1 AND day <= ?2",
                        ))
                        .bind(a)
                        .bind(b)
                        .execute(&mut *tx)
                        .await?;
                    }
                    None => {
                        sqlx::query("DELETE FROM performance_metrics WHERE source = 'rollup'").execute(&mut *tx).await?;
                    }
                }
                let mut rows = 0;
                for statement in ROLLUP_SQL {
                    rows += sqlx::query(&sql(statement)).bind(from_us).bind(to_us).execute(&mut *tx).await?.rows_affected();
                }
                tx.commit().await?;
                Ok(rows)
            }
        }

        #[async_trait::async_trait]
        impl Analytics for $store {
            async fn record(&self, event: &MetricEvent) -> Result<(), Error> {
                self.record_many(std::slice::from_ref(event)).await
            }

            async fn record_many(&self, events: &[MetricEvent]) -> Result<(), Error> {
                for e in events {
                    check_recordable(&e.metric)?;
                }
                let upsert = sql(UPSERT);
                let mut tx = self.begin_write().await?;
                for e in events {
                    sqlx::query(&upsert)
                        .bind(day_of(e.at))
                        .bind(&e.user_id)
                        .bind(e.team_id.as_deref())
                        .bind(&e.metric)
                        .bind(e.value)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn rollup(&self, from: NaiveDate, to: NaiveDate) -> Result<u64, Error> {
                self.rollup_days(Some((day_number(from), day_number(to)))).await
            }

            async fn rebuild(&self) -> Result<u64, Error> {
                let rows = self.rollup_days(None).await?;
                if let Some(statement) = $after_rebuild {
                    sqlx::query(statement).execute(&self.$write).await?;
                }
                Ok(rows)
            }

            async fn last_rollup_day(&self) -> Result<Option<NaiveDate>, Error> {
                let day: Option<i64> =
                    sqlx::query("SELECT MAX(day) AS day FROM performance_metrics WHERE source = 'rollup'")
                        .fetch_one(&self.$read)
                        .await?
                        .try_get("day")?;
                Ok(day.map(from_day_number))
            }

            async fn daily_totals(
                &self,
                scope: &MetricScope,
                from: NaiveDate,
                to: NaiveDate,
            ) -> Result<Vec<DayTotal>, Error> {
                let (clause, param) = scope_clause(scope);
                let text = sql(&format!(
                    "SELECT day, metric, SUM(value) AS total FROM performance_metrics \
                     WHERE day >= ?1 AND day <= ?2{clause} GROUP BY day, metric"
                ));
                let mut q = sqlx::query(&text).bind(day_number(from)).bind(day_number(to));
                if let Some(p) = param {
                    q = q.bind(p);
                }
                let rows = q.fetch_all(&self.$read).await?;
                rows.iter()
                    .map(|r| {
                        Ok(DayTotal {
                            day: from_day_number(r.try_get("day")?),
                            metric: r.try_get("metric")?,
                            value: r.try_get("total")?,
                        })
                    })
                    .collect()
            }

            async fn user_totals(
                &self,
                scope: &MetricScope,
                from: NaiveDate,
                to: NaiveDate,
            ) -> Result<Vec<UserTotal>, Error> {
                let (clause, param) = scope_clause(scope);
                // For everyone, `+day` keeps the planner off the day-ordered primary key: scanning
                // the per-user covering index in group order beats sorting a year of rows.
                let day = if *scope == MetricScope::All { "+day" } else { "day" };
                let text = sql(&format!(
                    "SELECT user_id, metric, SUM(value) AS total FROM performance_metrics \
                     WHERE {day} >= ?1 AND {day} <= ?2{clause} GROUP BY user_id, metric ORDER BY user_id, metric"
                ));
                let mut q = sqlx::query(&text).bind(day_number(from)).bind(day_number(to));
                if let Some(p) = param {
                    q = q.bind(p);
                }
                let rows = q.fetch_all(&self.$read).await?;
                rows.iter()
                    .map(|r| {
                        Ok(UserTotal {
                            user_id: r.try_get("user_id")?,
                            metric: r.try_get("metric")?,
                            value: r.try_get("total")?,
                        })
                    })
                    .collect()
            }

            async fn create_goal(&self, g: &NewGoal, now: Timestamp) -> Result<Goal, Error> {
                let row = sqlx::query(&sql(&format!(
                    "INSERT INTO analytics_goals ({GOAL_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                     RETURNING {GOAL_COLUMNS}"
                )))
                .bind(Uuid::now_v7())
                .bind(&g.scope)
                .bind(&g.subject_id)
                .bind(g.team_id.as_deref())
                .bind(&g.kpi)
                .bind(g.target)
                .bind(day_number(g.period_start))
                .bind(day_number(g.period_end))
                .bind(&g.created_by)
                .bind(to_us(now))
                .fetch_one(&self.$write)
                .await?;
                goal_row(&row)
            }

            async fn goals(&self, f: &GoalFilter) -> Result<Vec<Goal>, Error> {
                let rows = sqlx::query(&sql(&format!(
                    "SELECT {GOAL_COLUMNS} FROM analytics_goals WHERE ?1 \
                     OR (scope = 'user' AND subject_id = ?2) OR (scope = 'team' AND subject_id = ?3) \
                     OR (?4 AND team_id = ?3) ORDER BY created_at_us DESC, id DESC LIMIT 500"
                )))
                .bind(f.all)
                .bind(f.user_id.as_deref())
                .bind(f.team_id.as_deref())
                .bind(f.team_members)
                .fetch_all(&self.$read)
                .await?;
                rows.iter().map(goal_row).collect()
            }

            async fn create_dashboard(
                &self,
                owner_id: &str,
                name: &str,
                widgets: &Value,
                now: Timestamp,
            ) -> Result<Dashboard, Error> {
                let row = sqlx::query(&sql(&format!(
                    "INSERT INTO analytics_dashboards ({DASHBOARD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?5) \
                     RETURNING {DASHBOARD_COLUMNS}"
                )))
                .bind(Uuid::now_v7())
                .bind(owner_id)
                .bind(name)
                .bind(Json(widgets))
                .bind(to_us(now))
                .fetch_one(&self.$write)
                .await?;
                dashboard_row(&row)
            }

            async fn dashboard(&self, id: Uuid) -> Result<Option<Dashboard>, Error> {
                sqlx::query(&sql(&format!("SELECT {DASHBOARD_COLUMNS} FROM analytics_dashboards WHERE id = ?1")))
                    .bind(id)
                    .fetch_optional(&self.$read)
                    .await?
                    .as_ref()
                    .map(dashboard_row)
                    .transpose()
            }

            async fn list_dashboards(&self, owner_id: &str) -> Result<Vec<Dashboard>, Error> {
                let rows = sqlx::query(&sql(&format!(
                    "SELECT {DASHBOARD_COLUMNS} FROM analytics_dashboards WHERE owner_id = ?1 \
                     ORDER BY created_at_us, id LIMIT 200"
                )))
                .bind(owner_id)
                .fetch_all(&self.$read)
                .await?;
                rows.iter().map(dashboard_row).collect()
            }

            async fn update_dashboard(
                &self,
                id: Uuid,
                name: &str,
                widgets: &Value,
                now: Timestamp,
            ) -> Result<Dashboard, Error> {
                let row = sqlx::query(&sql(&format!(
                    "UPDATE analytics_dashboards SET name = ?1, widgets = ?2, updated_at_us = ?3 WHERE id = ?4 \
                     RETURNING {DASHBOARD_COLUMNS}"
                )))
                .bind(name)
                .bind(Json(widgets))
                .bind(to_us(now))
                .bind(id)
                .fetch_optional(&self.$write)
                .await?
                .ok_or_else(|| Error::NotFound(format!("dashboard {id}")))?;
                dashboard_row(&row)
            }

            async fn delete_dashboard(&self, id: Uuid) -> Result<bool, Error> {
                let done = sqlx::query(&sql("DELETE FROM analytics_dashboards WHERE id = ?1"))
                    .bind(id)
                    .execute(&self.$write)
                    .await?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}
pub(crate) use analytics_impl;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_dubai_days() {
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
        let d = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        assert_eq!(day_of(at("2026-03-09T20:00:00Z")), day_number(d));
        assert_eq!(day_of(at("2026-03-09T19:59:59.999999Z")), day_number(d) - 1);
        let (a, b) = day_range_us(day_number(d), day_number(d));
        assert_eq!(a, at("2026-03-09T20:00:00Z").timestamp_micros());
        assert_eq!(b - a, DAY_US);
        assert_eq!(from_day_number(day_number(d)), d);
    }
}
