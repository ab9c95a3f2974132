//! The embedded store: SQLite in WAL mode.
//!
//! SQLite allows one writer at a time. The hot path (start, claim, complete, heartbeat, release)
//! runs on one dedicated writer thread ([`writer`], statements in [`hot`]) with group commit;
//! the cold writes go through a sqlx pool of exactly one connection. Both begin their write
//! transactions with `BEGIN IMMEDIATE`, so they queue on SQLite's busy timeout instead of failing,
//! and a claim needs no `SKIP LOCKED`. Reads use a separate pool and see the last committed state.
//! Wake-ups are in-process only: one SQLite file serves one process.

mod hot;
mod writer;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use engine::{Control, ExecutionStatus, Package, StepStatus};
use serde_json::Value;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::types::Json;
use sqlx::{Row, SqliteConnection, SqlitePool};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::plan::{self, event};
use crate::types::*;
use crate::{Backend, Error, PackageCache, Store};

/// How long a writer waits for the other one's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

pub struct SqliteStore {
    pub(crate) writer: SqlitePool,
    pub(crate) reader: SqlitePool,
    hot: writer::Writer,
    cache: Arc<PackageCache>,
    wakeup: Arc<Notify>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file a `sqlite://PATH` URL names.
    pub async fn connect(url: &str) -> Result<SqliteStore, Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("temp_store", "memory");
        if let Some(parent) = options.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| Error::Database(sqlx::Error::Io(e)))?;
            }
        }
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        // Opened after the sqlx pool has created the file and set WAL mode.
        let hot = writer::Writer::open(options.get_filename(), BUSY_TIMEOUT)?;
        let reader = SqlitePoolOptions::new().max_connections(4).connect_with(options.read_only(true)).await?;
        Ok(SqliteStore { writer, reader, hot, cache: Arc::default(), wakeup: Arc::new(Notify::new()) })
    }

    /// A write transaction on the cold-path writer. `BEGIN IMMEDIATE` takes the write lock up
    /// front: a deferred transaction that read before the hot writer committed could not upgrade
    /// (SQLITE_BUSY_SNAPSHOT, which no busy timeout retries).
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, Error> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn load_package(&self, conn: &mut SqliteConnection, name: &str, version: i32) -> Result<Arc<Package>, Error> {
        if let Some(p) = self.cache.get(name, version) {
            return Ok(p);
        }
        let source: String = sqlx::query_scalar("SELECT source FROM package_versions WHERE name = ? AND version = ?")
            .bind(name)
            .bind(version)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| Error::Corrupt(format!("package {name} v{version} is missing")))?;
        self.cache.parse_stored(name, version, &source)
    }

    async fn insert_event(
        conn: &mut SqliteConnection,
        execution_id: Uuid,
        at: Timestamp,
        kind: &str,
        step_id: Option<&str>,
        attempt: Option<i32>,
        detail: Option<&Value>,
    ) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO events (execution_id, at_us, kind, step_id, attempt, detail) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(execution_id)
        .bind(to_us(at))
        .bind(kind)
        .bind(step_id)
        .bind(attempt)
        .bind(detail.map(Json))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    async fn read_execution(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<ExecutionView>, Error> {
        let Some(row) = sqlx::query(
            "SELECT id, package_name, package_version, status, params, priority, idempotency_key, created_by, team_id, \
             created_at_us, started_at_us, finished_at_us, error FROM executions WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let steps = sqlx::query(
            "SELECT step_id, status, attempt, max_attempts, ready_at_us, started_at_us, finished_at_us, output, error, lease_owner, waiting \
             FROM steps WHERE execution_id = ? ORDER BY idx",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(step_view)
        .collect::<Result<Vec<_>, Error>>()?;
        Ok(Some(execution_view(&row, steps)?))
    }
}

pub(crate) fn execution_status(s: &str) -> Result<ExecutionStatus, Error> {
    ExecutionStatus::parse(s).ok_or_else(|| Error::Corrupt(format!("unknown execution status `{s}`")))
}

pub(crate) fn step_status(s: &str) -> Result<StepStatus, Error> {
    StepStatus::parse(s).ok_or_else(|| Error::Corrupt(format!("unknown step status `{s}`")))
}

fn step_view(row: &SqliteRow) -> Result<StepView, Error> {
    Ok(StepView {
        step_id: row.try_get("step_id")?,
        status: step_status(row.try_get("status")?)?,
        attempt: row.try_get("attempt")?,
        max_attempts: row.try_get("max_attempts")?,
        ready_at: row.try_get::<Option<i64>, _>("ready_at_us")?.map(from_us),
        started_at: row.try_get::<Option<i64>, _>("started_at_us")?.map(from_us),
        finished_at: row.try_get::<Option<i64>, _>("finished_at_us")?.map(from_us),
        output: row.try_get::<Option<Json<Value>>, _>("output")?.map(|j| j.0),
        error: row.try_get("error")?,
        lease_owner: row.try_get("lease_owner")?,
        waiting: row.try_get("waiting")?,
    })
}

fn execution_view(row: &SqliteRow, steps: Vec<StepView>) -> Result<ExecutionView, Error> {
    Ok(ExecutionView {
        id: row.try_get("id")?,
        package_name: row.try_get("package_name")?,
        package_version: row.try_get("package_version")?,
        status: execution_status(row.try_get("status")?)?,
        params: row.try_get::<Json<Value>, _>("params")?.0,
        priority: row.try_get("priority")?,
        idempotency_key: row.try_get("idempotency_key")?,
        created_by: row.try_get("created_by")?,
        team_id: row.try_get("team_id")?,
        created_at: from_us(row.try_get("created_at_us")?),
        started_at: row.try_get::<Option<i64>, _>("started_at_us")?.map(from_us),
        finished_at: row.try_get::<Option<i64>, _>("finished_at_us")?.map(from_us),
        error: row.try_get("error")?,
        steps,
    })
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn wakeup(&self) -> Arc<Notify> {
        self.wakeup.clone()
    }

    async fn migrate(&self) -> Result<(), Error> {
        MIGRATOR.run(&self.writer).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), Error> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn register_package(
        &self,
        package: &Package,
        source: &str,
        now: Timestamp,
    ) -> Result<PackageVersionInfo, Error> {
        let mut tx = self.begin_write().await?;
        let latest: Option<(i32, String, i64)> = sqlx::query_as(
            "SELECT v.version, v.content_hash, v.created_at_us FROM packages p \
             JOIN package_versions v ON v.name = p.name AND v.version = p.latest_version WHERE p.name = ?",
        )
        .bind(&package.name)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((version, hash, created)) = &latest {
            if *hash == package.content_hash {
                sqlx::query("UPDATE packages SET active = 1 WHERE name = ?")
                    .bind(&package.name)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                return Ok(PackageVersionInfo {
                    name: package.name.clone(),
                    version: *version,
                    content_hash: hash.clone(),
                    created_at: from_us(*created),
                    created: false,
                });
            }
        }
        let version = latest.map_or(1, |(v, _, _)| v + 1);
        sqlx::query(
            "INSERT INTO package_versions (name, version, content_hash, source, created_at_us) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&package.name)
        .bind(version)
        .bind(&package.content_hash)
        .bind(source)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO packages (name, latest_version, active, updated_at_us) VALUES (?, ?, 1, ?) \
             ON CONFLICT (name) DO UPDATE SET latest_version = excluded.latest_version, active = 1, updated_at_us = excluded.updated_at_us",
        )
        .bind(&package.name)
        .bind(version)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(PackageVersionInfo {
            name: package.name.clone(),
            version,
            content_hash: package.content_hash.clone(),
            created_at: now,
            created: true,
        })
    }

    async fn package(&self, name: &str, version: Option<i32>) -> Result<Option<(i32, Arc<Package>)>, Error> {
        let row: Option<(i32, String)> = match version {
            Some(v) => {
                sqlx::query_as("SELECT version, source FROM package_versions WHERE name = ? AND version = ?")
                    .bind(name)
                    .bind(v)
                    .fetch_optional(&self.reader)
                    .await?
            }
            None => {
                sqlx::query_as(
                    "SELECT v.version, v.source FROM packages p JOIN package_versions v \
                     ON v.name = p.name AND v.version = p.latest_version WHERE p.name = ? AND p.active = 1",
                )
                .bind(name)
                .fetch_optional(&self.reader)
                .await?
            }
        };
        match row {
            Some((v, source)) => Ok(Some((v, self.cache.parse_stored(name, v, &source)?))),
            None => Ok(None),
        }
    }

    async fn list_packages(&self) -> Result<Vec<PackageSummary>, Error> {
        let rows: Vec<(String, i32, bool)> =
            sqlx::query_as("SELECT name, latest_version, active FROM packages ORDER BY name")
                .fetch_all(&self.reader)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(name, latest_version, active)| PackageSummary { name, latest_version, active })
            .collect())
    }

    async fn package_versions(&self, name: &str) -> Result<Vec<PackageVersionInfo>, Error> {
        let rows: Vec<(String, i32, String, i64)> = sqlx::query_as(
            "SELECT name, version, content_hash, created_at_us FROM package_versions WHERE name = ? ORDER BY version",
        )
        .bind(name)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(name, version, content_hash, at)| PackageVersionInfo {
                name,
                version,
                content_hash,
                created_at: from_us(at),
                created: false,
            })
            .collect())
    }

    async fn package_source(&self, name: &str, version: i32) -> Result<Option<String>, Error> {
        Ok(sqlx::query_scalar("SELECT source FROM package_versions WHERE name = ?1 AND version = ?2")
            .bind(name)
            .bind(version)
            .fetch_optional(&self.reader)
            .await?)
    }

    async fn set_package_active(&self, name: &str, active: bool) -> Result<(), Error> {
        let done = sqlx::query("UPDATE packages SET active = ? WHERE name = ?")
            .bind(active)
            .bind(name)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(format!("package `{name}`")));
        }
        Ok(())
    }

    async fn start_executions(&self, batch: &[NewExecution], now: Timestamp) -> Result<Vec<Started>, Error> {
        let batch = batch.to_vec();
        let started = self.hot.run(move |conn| hot::start_executions(conn, &batch, now)).await?;
        self.wakeup.notify_waiters();
        Ok(started)
    }

    async fn claim(
        &self,
        worker: &str,
        max: usize,
        lease: Duration,
        now: Timestamp,
    ) -> Result<Vec<ClaimedStep>, Error> {
        let (cache, worker) = (self.cache.clone(), worker.to_string());
        self.hot.run(move |conn| hot::claim(conn, &cache, &worker, max, lease, now, true)).await
    }

    async fn heartbeat(
        &self,
        worker: &str,
        held: &[StepAttempt],
        lease: Duration,
        now: Timestamp,
    ) -> Result<Vec<StepAttempt>, Error> {
        let (worker, held) = (worker.to_string(), held.to_vec());
        self.hot.run(move |conn| hot::heartbeat(conn, &worker, &held, lease, now)).await
    }

    async fn complete(&self, batch: &[Completion], now: Timestamp) -> Result<Vec<bool>, Error> {
        let batch = batch.to_vec();
        let (accepted, woke) = self.hot.run(move |conn| hot::complete(conn, &batch, now)).await?;
        if woke {
            self.wakeup.notify_waiters();
        }
        Ok(accepted)
    }

    async fn complete_and_claim(
        &self,
        batch: &[Completion],
        worker: &str,
        max: usize,
        lease: Duration,
        now: Timestamp,
    ) -> Result<(Vec<bool>, Vec<ClaimedStep>), Error> {
        let (cache, batch, worker) = (self.cache.clone(), batch.to_vec(), worker.to_string());
        let (accepted, woke, claimed) = self
            .hot
            .run(move |conn| {
                let (accepted, woke) = hot::complete(conn, &batch, now)?;
                let claimed =
                    if max > 0 { hot::claim(conn, &cache, &worker, max, lease, now, false)? } else { Vec::new() };
                Ok((accepted, woke, claimed))
            })
            .await?;
        // Other workers need waking only when this one may have left ready work behind.
        if woke && claimed.len() == max {
            self.wakeup.notify_waiters();
        }
        Ok((accepted, claimed))
    }

    async fn release(&self, worker: &str, held: &[StepAttempt], _now: Timestamp) -> Result<(), Error> {
        let (worker, held) = (worker.to_string(), held.to_vec());
        self.hot.run(move |conn| hot::release(conn, &worker, &held)).await?;
        self.wakeup.notify_waiters();
        Ok(())
    }

    async fn control(
        &self,
        id: Uuid,
        control: Control,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<ExecutionStatus, Error> {
        let now_us = to_us(now);
        let mut tx = self.begin_write().await?;
        let view =
            Self::read_execution(&mut tx, id).await?.ok_or_else(|| Error::NotFound(format!("execution {id}")))?;
        let package = self.load_package(&mut tx, &view.package_name, view.package_version).await?;
        let plan = plan::plan_control(&view, &package, control, now)?;
        if plan.no_op {
            return Ok(plan.status);
        }
        for w in &plan.steps {
            sqlx::query(
                "UPDATE steps SET status = ?, pending_deps = ?, ready_at_us = COALESCE(?, ready_at_us), max_attempts = ?, \
                 lease_owner = NULL, lease_expires_at_us = NULL, \
                 finished_at_us = CASE WHEN ? = 'cancelled' THEN ? ELSE NULL END, \
                 error = CASE WHEN ? = 'cancelled' THEN error ELSE NULL END \
                 WHERE execution_id = ? AND idx = ?",
            )
            .bind(w.status.as_str())
            .bind(w.pending_deps)
            .bind(w.ready_at.map(to_us))
            .bind(w.max_attempts)
            .bind(w.status.as_str())
            .bind(now_us)
            .bind(w.status.as_str())
            .bind(id)
            .bind(w.step.0 as i16)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE executions SET status = ?, steps_remaining = ?, updated_at_us = ?, \
             finished_at_us = CASE WHEN ? THEN ? ELSE NULL END, error = CASE WHEN ? THEN error ELSE NULL END WHERE id = ?",
        )
        .bind(plan.status.as_str())
        .bind(plan.steps_remaining)
        .bind(now_us)
        .bind(plan.finished)
        .bind(now_us)
        .bind(plan.finished)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let detail = reason.map(|r| serde_json::json!({ "reason": r }));
        Self::insert_event(&mut tx, id, now, event::for_control(control), None, None, detail.as_ref()).await?;
        tx.commit().await?;
        self.wakeup.notify_waiters();
        Ok(plan.status)
    }

    async fn execution(&self, id: Uuid) -> Result<Option<ExecutionView>, Error> {
        let mut conn = self.reader.acquire().await?;
        Self::read_execution(&mut conn, id).await
    }

    async fn signal(&self, id: Uuid, name: &str, payload: &Value, now: Timestamp) -> Result<i64, Error> {
        let mut tx = self.begin_write().await?;
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM executions WHERE id = ?").bind(id).fetch_optional(&mut *tx).await?;
        let status = execution_status(&status.ok_or_else(|| Error::NotFound(format!("execution {id}")))?)?;
        if status.is_terminal() {
            return Err(Error::Conflict(format!("execution {id} is {}; it takes no more signals", status.as_str())));
        }
        let signal_id: i64 = sqlx::query_scalar(
            "INSERT INTO signals (execution_id, name, payload, created_at_us) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(id)
        .bind(name)
        .bind(Json(payload))
        .bind(to_us(now))
        .fetch_one(&mut *tx)
        .await?;
        let woken = sqlx::query(
            "UPDATE steps SET ready_at_us = ?2 WHERE execution_id = ?1 AND status = 'ready' AND waiting AND ready_at_us > ?2",
        )
        .bind(id)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let detail = serde_json::json!({ "name": name, "signal_id": signal_id, "woke_steps": woken });
        Self::insert_event(&mut tx, id, now, event::SIGNAL, None, None, Some(&detail)).await?;
        tx.commit().await?;
        if woken > 0 {
            self.wakeup.notify_waiters();
        }
        Ok(signal_id)
    }

    async fn signals(&self, id: Uuid) -> Result<Vec<SignalRecord>, Error> {
        let rows: Vec<(i64, String, Json<Value>, i64)> =
            sqlx::query_as("SELECT id, name, payload, created_at_us FROM signals WHERE execution_id = ? ORDER BY id")
                .bind(id)
                .fetch_all(&self.reader)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, payload, at)| SignalRecord { id, name, payload: payload.0, created_at: from_us(at) })
            .collect())
    }

    async fn list_executions(&self, f: &ExecutionFilter) -> Result<Vec<ExecutionSummary>, Error> {
        let rows = sqlx::query(
            "SELECT id, package_name, package_version, status, created_by, team_id, created_at_us, finished_at_us FROM executions \
             WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR package_name = ?2) AND (?3 IS NULL OR created_by = ?3) \
             AND (?4 IS NULL OR created_at_us >= ?4) AND (?5 IS NULL OR created_at_us < ?5) AND (?6 IS NULL OR id < ?6) \
             AND (?8 IS NULL OR team_id = ?8) AND (?9 IS NULL OR (CASE json_type(params, '$.\"' || ?9 || '\"') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' \
             ELSE CAST(json_extract(params, '$.\"' || ?9 || '\"') AS TEXT) END) = ?10) ORDER BY id DESC LIMIT ?7",
        )
        .bind(f.status.map(|s| s.as_str()))
        .bind(&f.package_name)
        .bind(&f.created_by)
        .bind(f.created_after.map(to_us))
        .bind(f.created_before.map(to_us))
        .bind(f.before_id)
        .bind(f.limit.clamp(1, 1000) as i64)
        .bind(&f.team_id)
        .bind(f.param.as_ref().map(|p| &p.0))
        .bind(f.param.as_ref().map(|p| &p.1))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ExecutionSummary {
                    id: r.try_get("id")?,
                    package_name: r.try_get("package_name")?,
                    package_version: r.try_get("package_version")?,
                    status: execution_status(r.try_get("status")?)?,
                    created_by: r.try_get("created_by")?,
                    team_id: r.try_get("team_id")?,
                    created_at: from_us(r.try_get("created_at_us")?),
                    finished_at: r.try_get::<Option<i64>, _>("finished_at_us")?.map(from_us),
                })
            })
            .collect()
    }

    async fn events(&self, id: Uuid, after: i64, limit: u32) -> Result<Vec<EventRecord>, Error> {
        let rows = sqlx::query("SELECT id, execution_id, at_us, kind, step_id, attempt, detail FROM events WHERE execution_id = ? AND id > ? ORDER BY id LIMIT ?")
            .bind(id)
            .bind(after)
            .bind(limit as i64)
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(EventRecord {
                    id: r.try_get("id")?,
                    execution_id: r.try_get("execution_id")?,
                    at: from_us(r.try_get("at_us")?),
                    kind: r.try_get("kind")?,
                    step_id: r.try_get("step_id")?,
                    attempt: r.try_get("attempt")?,
                    detail: r.try_get::<Option<Json<Value>>, _>("detail")?.map(|j| j.0),
                })
            })
            .collect()
    }

    async fn step_duration_stats(&self, package_name: &str) -> Result<Vec<StepDurationStats>, Error> {
        let rows: Vec<(String, f64, i64)> = sqlx::query_as(
            "SELECT s.step_id, AVG(s.finished_at_us - s.started_at_us), COUNT(*) FROM steps s JOIN executions e ON e.id = s.execution_id \
             WHERE e.package_name = ? AND s.status = 'succeeded' AND s.started_at_us IS NOT NULL GROUP BY s.step_id",
        )
        .bind(package_name)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(step_id, mean_us, n)| StepDurationStats {
                step_id,
                mean: Duration::from_micros(mean_us.max(0.0) as u64),
                samples: n as u64,
            })
            .collect())
    }

    async fn fire_schedule(
        &self,
        schedule: &str,
        tick: Timestamp,
        execution: &NewExecution,
        now: Timestamp,
    ) -> Result<Option<Uuid>, Error> {
        let (schedule, tick, execution) = (schedule.to_string(), tick, execution.clone());
        let fired = self.hot.run(move |conn| hot::fire_schedule(conn, &schedule, tick, &execution, now)).await?;
        if fired.is_some() {
            self.wakeup.notify_waiters();
        }
        Ok(fired)
    }

    async fn sync_package_schedules(
        &self,
        package_name: &str,
        declared: &[ScheduleRow],
        now: Timestamp,
    ) -> Result<(), Error> {
        let mut tx = self.begin_write().await?;
        let existing: Vec<String> =
            sqlx::query_scalar("SELECT name FROM schedules WHERE package_name = ? AND source = 'package'")
                .bind(package_name)
                .fetch_all(&mut *tx)
                .await?;
        for name in existing.iter().filter(|n| !declared.iter().any(|d| &d.name == *n)) {
            sqlx::query("DELETE FROM schedules WHERE package_name = ? AND name = ?")
                .bind(package_name)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        for d in declared {
            sqlx::query(
                "INSERT INTO schedules (package_name, name, cron, timezone, params, enabled, source, created_by, created_at_us, updated_at_us) \
                 VALUES (?, ?, ?, ?, ?, ?, 'package', NULL, ?, ?) \
                 ON CONFLICT (package_name, name) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone, \
                 params = excluded.params, source = 'package', updated_at_us = excluded.updated_at_us",
            )
            .bind(package_name)
            .bind(&d.name)
            .bind(&d.cron)
            .bind(&d.timezone)
            .bind(Json(&d.params))
            .bind(d.enabled)
            .bind(to_us(now))
            .bind(to_us(now))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn list_schedules(&self) -> Result<Vec<ScheduleRow>, Error> {
        let rows = sqlx::query("SELECT package_name, name, cron, timezone, params, enabled, source, created_by FROM schedules ORDER BY package_name, name")
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(schedule_row).collect()
    }

    async fn create_schedule(&self, d: &ScheduleRow, now: Timestamp) -> Result<(), Error> {
        let result = sqlx::query(
            "INSERT INTO schedules (package_name, name, cron, timezone, params, enabled, source, created_by, created_at_us, updated_at_us) \
             VALUES (?, ?, ?, ?, ?, ?, 'api', ?, ?, ?)",
        )
        .bind(&d.package_name)
        .bind(&d.name)
        .bind(&d.cron)
        .bind(&d.timezone)
        .bind(Json(&d.params))
        .bind(d.enabled)
        .bind(&d.created_by)
        .bind(to_us(now))
        .bind(to_us(now))
        .execute(&self.writer)
        .await;
        match result {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(Error::Conflict(format!("package `{}` already has a schedule named `{}`", d.package_name, d.name)))
            }
            other => other.map(|_| ()).map_err(Error::from),
        }
    }

    async fn set_schedule_enabled(
        &self,
        package_name: &str,
        name: &str,
        enabled: bool,
        now: Timestamp,
    ) -> Result<ScheduleRow, Error> {
        let row = sqlx::query(
            "UPDATE schedules SET enabled = ?, updated_at_us = ? WHERE package_name = ? AND name = ? \
             RETURNING package_name, name, cron, timezone, params, enabled, source, created_by",
        )
        .bind(enabled)
        .bind(to_us(now))
        .bind(package_name)
        .bind(name)
        .fetch_optional(&self.writer)
        .await?
        .ok_or_else(|| Error::NotFound(format!("schedule `{package_name}/{name}`")))?;
        schedule_row(&row)
    }

    async fn delete_schedule(&self, package_name: &str, name: &str) -> Result<ScheduleRow, Error> {
        let row = sqlx::query(
            "DELETE FROM schedules WHERE package_name = ? AND name = ? \
             RETURNING package_name, name, cron, timezone, params, enabled, source, created_by",
        )
        .bind(package_name)
        .bind(name)
        .fetch_optional(&self.writer)
        .await?
        .ok_or_else(|| Error::NotFound(format!("schedule `{package_name}/{name}`")))?;
        schedule_row(&row)
    }

    async fn last_schedule_tick(&self, package_name: &str, schedule: &str) -> Result<Option<Timestamp>, Error> {
        let us: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(tick_at_us) FROM schedule_ticks WHERE package_name = ? AND schedule_name = ?",
        )
        .bind(package_name)
        .bind(schedule)
        .fetch_one(&self.reader)
        .await?;
        Ok(us.map(from_us))
    }

    async fn fail_exhausted(&self, now: Timestamp) -> Result<u64, Error> {
        self.hot.run(move |conn| hot::fail_exhausted(conn, now)).await
    }

    async fn delete_finished_before(&self, cutoff: Timestamp, limit: u32) -> Result<u64, Error> {
        let mut tx = self.begin_write().await?;
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM executions WHERE created_at_us < ?1 AND finished_at_us < ?1 AND status IN ('completed', 'failed', 'cancelled') ORDER BY created_at_us LIMIT ?2",
        )
        .bind(to_us(cutoff))
        .bind(limit as i64)
        .fetch_all(&mut *tx)
        .await?;
        for id in &ids {
            for table in [
                "DELETE FROM events WHERE execution_id = ?",
                "DELETE FROM signals WHERE execution_id = ?",
                "DELETE FROM steps WHERE execution_id = ?",
                "DELETE FROM executions WHERE id = ?",
            ] {
                sqlx::query(table).bind(id).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(ids.len() as u64)
    }

    async fn queue_depth(&self, now: Timestamp) -> Result<u64, Error> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM steps s JOIN executions e ON e.id = s.execution_id \
             WHERE s.status = 'ready' AND s.ready_at_us <= ? AND e.status IN ('pending', 'running')",
        )
        .bind(to_us(now))
        .fetch_one(&self.reader)
        .await?;
        Ok(n as u64)
    }

    async fn worker_seen(&self, worker: &str, started: Timestamp, running: u32, now: Timestamp) -> Result<(), Error> {
        sqlx::query("INSERT INTO workers (id, started_at_us, last_seen_at_us, running_steps) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO UPDATE SET last_seen_at_us = excluded.last_seen_at_us, running_steps = excluded.running_steps")
            .bind(worker)
            .bind(to_us(started))
            .bind(to_us(now))
            .bind(running as i32)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn workers_seen_since(&self, since: Timestamp) -> Result<Vec<WorkerInfo>, Error> {
        let rows: Vec<(String, i64, i64, i32)> = sqlx::query_as("SELECT id, started_at_us, last_seen_at_us, running_steps FROM workers WHERE last_seen_at_us >= ?1 ORDER BY last_seen_at_us DESC")
            .bind(to_us(since))
            .fetch_all(&self.reader)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, started, seen, running)| WorkerInfo {
                id,
                started_at: from_us(started),
                last_seen_at: from_us(seen),
                running_steps: running.max(0) as u32,
            })
            .collect())
    }

    async fn step_records(&self, f: &ExecutionFilter) -> Result<Vec<StepRecord>, Error> {
        let rows = sqlx::query(
            "SELECT e.id AS execution_id, e.package_name, e.status AS execution_status, e.created_at_us, e.finished_at_us AS execution_finished_at_us, \
             s.step_id, s.status, s.attempt, s.started_at_us, s.finished_at_us, s.error \
             FROM (SELECT id, package_name, status, created_at_us, finished_at_us FROM executions \
                   WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR package_name = ?2) AND (?3 IS NULL OR created_by = ?3) \
                   AND (?4 IS NULL OR created_at_us >= ?4) AND (?5 IS NULL OR created_at_us < ?5) AND (?6 IS NULL OR team_id = ?6) \
                   AND (?8 IS NULL OR (CASE json_type(params, '$.\"' || ?8 || '\"') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' \
             ELSE CAST(json_extract(params, '$.\"' || ?8 || '\"') AS TEXT) END) = ?9) ORDER BY id DESC LIMIT ?7) e JOIN steps s ON s.execution_id = e.id",
        )
        .bind(f.status.map(|s| s.as_str()))
        .bind(&f.package_name)
        .bind(&f.created_by)
        .bind(f.created_after.map(to_us))
        .bind(f.created_before.map(to_us))
        .bind(&f.team_id)
        .bind(f.limit.clamp(1, 100_000) as i64)
        .bind(f.param.as_ref().map(|p| &p.0))
        .bind(f.param.as_ref().map(|p| &p.1))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StepRecord {
                    execution_id: r.try_get("execution_id")?,
                    package_name: r.try_get("package_name")?,
                    execution_status: execution_status(r.try_get("execution_status")?)?,
                    execution_created_at: from_us(r.try_get("created_at_us")?),
                    execution_finished_at: r.try_get::<Option<i64>, _>("execution_finished_at_us")?.map(from_us),
                    step_id: r.try_get("step_id")?,
                    status: step_status(r.try_get("status")?)?,
                    attempt: r.try_get("attempt")?,
                    started_at: r.try_get::<Option<i64>, _>("started_at_us")?.map(from_us),
                    finished_at: r.try_get::<Option<i64>, _>("finished_at_us")?.map(from_us),
                    error: r.try_get("error")?,
                })
            })
            .collect()
    }

    async fn execution_counts(&self) -> Result<Vec<(ExecutionStatus, u64)>, Error> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM executions GROUP BY status").fetch_all(&self.reader).await?;
        rows.into_iter().map(|(s, n)| Ok((execution_status(&s)?, n as u64))).collect()
    }
}

fn schedule_row(r: &SqliteRow) -> Result<ScheduleRow, Error> {
    Ok(ScheduleRow {
        package_name: r.try_get("package_name")?,
        name: r.try_get("name")?,
        cron: r.try_get("cron")?,
        timezone: r.try_get("timezone")?,
        params: r.try_get::<Json<Value>, _>("params")?.0,
        enabled: r.try_get("enabled")?,
        source: r.try_get("source")?,
        created_by: r.try_get("created_by")?,
    })
}
