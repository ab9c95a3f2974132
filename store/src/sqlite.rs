//! The embedded store: SQLite in WAL mode.
//!
//! SQLite allows one writer at a time, so all writes go through a pool of exactly one connection:
//! transactions queue in-process instead of failing with SQLITE_BUSY, and a claim needs no
//! `SKIP LOCKED`. Reads use a separate pool and see the last committed state. Wake-ups are
//! in-process only: one SQLite file serves one process.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use engine::{Control, ExecutionStatus, Package, StepIdx, StepStatus};
use serde_json::Value;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::types::Json;
use sqlx::{Row, SqliteConnection, SqlitePool};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::plan::{self, event, outcome_event, outcome_status};
use crate::types::*;
use crate::{Backend, Error, PackageCache, Store};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

pub struct SqliteStore {
    pub(crate) writer: SqlitePool,
    pub(crate) reader: SqlitePool,
    cache: PackageCache,
    wakeup: Arc<Notify>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file a `sqlite://PATH` URL names.
    pub async fn connect(url: &str) -> Result<SqliteStore, Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory");
        if let Some(parent) = options.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| Error::Database(sqlx::Error::Io(e)))?;
            }
        }
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        let reader = SqlitePoolOptions::new().max_connections(4).connect_with(options.read_only(true)).await?;
        Ok(SqliteStore { writer, reader, cache: PackageCache::default(), wakeup: Arc::new(Notify::new()) })
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
        let mut tx = self.writer.begin().await?;
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
        let mut tx = self.writer.begin().await?;
        let mut out = Vec::with_capacity(batch.len());
        for new in batch {
            if let Some(key) = &new.idempotency_key {
                let existing: Option<Uuid> = sqlx::query_scalar("SELECT id FROM executions WHERE idempotency_key = ?")
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(id) = existing {
                    out.push(Started { execution_id: id, created: false });
                    continue;
                }
            }
            let id = crate::new_execution_id();
            insert_execution(&mut tx, id, new, now).await?;
            out.push(Started { execution_id: id, created: true });
        }
        tx.commit().await?;
        self.wakeup.notify_waiters();
        Ok(out)
    }

    async fn claim(
        &self,
        worker: &str,
        max: usize,
        lease: Duration,
        now: Timestamp,
    ) -> Result<Vec<ClaimedStep>, Error> {
        let mut tx = self.writer.begin().await?;
        let claimed = self.claim_in(&mut tx, worker, max, lease, now, true).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn heartbeat(
        &self,
        worker: &str,
        held: &[StepAttempt],
        lease: Duration,
        now: Timestamp,
    ) -> Result<Vec<StepAttempt>, Error> {
        let expires = to_us(now) + lease.as_micros() as i64;
        let mut tx = self.writer.begin().await?;
        let mut lost = Vec::new();
        for a in held {
            let done = sqlx::query(
                "UPDATE steps SET lease_expires_at_us = ? WHERE execution_id = ? AND idx = ? AND attempt = ? \
                 AND status = 'running' AND lease_owner = ?",
            )
            .bind(expires)
            .bind(a.execution_id)
            .bind(a.step.0 as i16)
            .bind(a.attempt)
            .bind(worker)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                lost.push(*a);
            }
        }
        tx.commit().await?;
        Ok(lost)
    }

    async fn complete(&self, batch: &[Completion], now: Timestamp) -> Result<Vec<bool>, Error> {
        let mut tx = self.writer.begin().await?;
        let (accepted, woke) = self.complete_in(&mut tx, batch, now).await?;
        tx.commit().await?;
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
        let mut tx = self.writer.begin().await?;
        let (accepted, woke) = self.complete_in(&mut tx, batch, now).await?;
        let claimed = if max > 0 { self.claim_in(&mut tx, worker, max, lease, now, false).await? } else { Vec::new() };
        tx.commit().await?;
        // Other workers need waking only when this one may have left ready work behind.
        if woke && claimed.len() == max {
            self.wakeup.notify_waiters();
        }
        Ok((accepted, claimed))
    }

    async fn release(&self, worker: &str, held: &[StepAttempt], _now: Timestamp) -> Result<(), Error> {
        let mut tx = self.writer.begin().await?;
        for a in held {
            // The attempt was never run: give it back without spending it.
            sqlx::query(
                "UPDATE steps SET status = 'ready', attempt = attempt - 1, lease_owner = NULL, lease_expires_at_us = NULL \
                 WHERE execution_id = ? AND idx = ? AND attempt = ? AND status = 'running' AND lease_owner = ?",
            )
            .bind(a.execution_id)
            .bind(a.step.0 as i16)
            .bind(a.attempt)
            .bind(worker)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
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
        let mut tx = self.writer.begin().await?;
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
        let mut tx = self.writer.begin().await?;
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
        let mut tx = self.writer.begin().await?;
        let id = crate::new_execution_id();
        let inserted = sqlx::query("INSERT INTO schedule_ticks (package_name, schedule_name, tick_at_us, execution_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(&execution.package.name)
            .bind(schedule)
            .bind(to_us(tick))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if inserted.rows_affected() == 0 {
            return Ok(None);
        }
        insert_execution(&mut tx, id, execution, now).await?;
        tx.commit().await?;
        self.wakeup.notify_waiters();
        Ok(Some(id))
    }

    async fn sync_package_schedules(
        &self,
        package_name: &str,
        declared: &[ScheduleRow],
        now: Timestamp,
    ) -> Result<(), Error> {
        let mut tx = self.writer.begin().await?;
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
        let mut tx = self.writer.begin().await?;
        let rows: Vec<(Uuid, String, i32)> = sqlx::query_as(
            "UPDATE steps SET status = 'failed', error = 'lease expired on the last attempt (worker lost)', finished_at_us = ?1, \
             lease_owner = NULL, lease_expires_at_us = NULL \
             WHERE status = 'running' AND lease_expires_at_us <= ?1 AND attempt >= max_attempts RETURNING execution_id, step_id, attempt",
        )
        .bind(to_us(now))
        .fetch_all(&mut *tx)
        .await?;
        for (id, step_id, attempt) in &rows {
            Self::insert_event(&mut tx, *id, now, event::LEASE_EXPIRED, Some(step_id), Some(*attempt), None).await?;
            fail_execution(&mut tx, *id, step_id, "lease expired on the last attempt (worker lost)", now).await?;
        }
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    async fn delete_finished_before(&self, cutoff: Timestamp, limit: u32) -> Result<u64, Error> {
        let mut tx = self.writer.begin().await?;
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM executions WHERE finished_at_us < ? AND status IN ('completed', 'failed', 'cancelled') ORDER BY finished_at_us LIMIT ?",
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

/// Claims up to `max` steps matching `filter` (SQL over `s`, with `?3` = now), highest priority first.
async fn claim_rows(
    conn: &mut SqliteConnection,
    filter: &str,
    worker: &str,
    max: usize,
    lease: Duration,
    now_us: i64,
) -> Result<Vec<SqliteRow>, Error> {
    let sql = format!(
        "UPDATE steps SET status = 'running', attempt = attempt + 1, lease_owner = ?1, lease_expires_at_us = ?2, \
         started_at_us = ?3, finished_at_us = NULL \
         WHERE (execution_id, idx) IN ( \
            SELECT s.execution_id, s.idx FROM steps s JOIN executions e ON e.id = s.execution_id \
            WHERE e.status IN ('pending', 'running') AND {filter} \
            ORDER BY s.priority DESC, s.ready_at_us LIMIT ?4) \
         RETURNING execution_id, idx, step_id, attempt, max_attempts"
    );
    Ok(sqlx::query(&sql)
        .bind(worker)
        .bind(now_us + lease.as_micros() as i64)
        .bind(now_us)
        .bind(max as i64)
        .fetch_all(&mut *conn)
        .await?)
}

async fn insert_execution(
    conn: &mut SqliteConnection,
    id: Uuid,
    new: &NewExecution,
    now: Timestamp,
) -> Result<(), Error> {
    let now_us = to_us(now);
    let package = &new.package;
    sqlx::query(
        "INSERT INTO executions (id, package_name, package_version, status, params, priority, idempotency_key, created_by, \
         team_id, steps_remaining, created_at_us, updated_at_us) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(&package.name)
    .bind(new.package_version)
    .bind(Json(&new.params))
    .bind(new.priority)
    .bind(&new.idempotency_key)
    .bind(&new.created_by)
    .bind(&new.team_id)
    .bind(package.steps.len() as i32)
    .bind(now_us)
    .bind(now_us)
    .execute(&mut *conn)
    .await?;
    for (i, step) in package.steps.iter().enumerate() {
        let deps = step.depends_on.len() as i32;
        let status = if deps == 0 { "ready" } else { "pending" };
        let ready_at = (deps == 0).then(|| now_us + step.delay.as_micros() as i64);
        sqlx::query(
            "INSERT INTO steps (execution_id, idx, step_id, status, pending_deps, max_attempts, priority, ready_at_us) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(i as i16)
        .bind(&step.id)
        .bind(status)
        .bind(deps)
        .bind(step.retry.max_attempts as i32)
        .bind(new.priority)
        .bind(ready_at)
        .execute(&mut *conn)
        .await?;
    }
    SqliteStore::insert_event(conn, id, now, event::CREATED, None, None, None).await?;
    Ok(())
}

async fn fail_execution(
    conn: &mut SqliteConnection,
    id: Uuid,
    step_id: &str,
    error: &str,
    now: Timestamp,
) -> Result<(), Error> {
    let now_us = to_us(now);
    sqlx::query(
        "UPDATE steps SET status = 'cancelled', finished_at_us = ?, lease_owner = NULL, lease_expires_at_us = NULL \
         WHERE execution_id = ? AND status IN ('pending', 'ready', 'running')",
    )
    .bind(now_us)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let changed = sqlx::query(
        "UPDATE executions SET status = 'failed', error = ?, finished_at_us = ?, updated_at_us = ? \
         WHERE id = ? AND status IN ('pending', 'running', 'paused')",
    )
    .bind(format!("step `{step_id}` failed: {error}"))
    .bind(now_us)
    .bind(now_us)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() > 0 {
        SqliteStore::insert_event(
            conn,
            id,
            now,
            event::FAILED,
            Some(step_id),
            None,
            Some(&serde_json::json!({ "error": error })),
        )
        .await?;
    }
    Ok(())
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

/// The bodies of `claim` and `complete`, inside a transaction the caller owns, so that
/// `complete_and_claim` can do both in one.
impl SqliteStore {
    async fn claim_in(
        &self,
        tx: &mut SqliteConnection,
        worker: &str,
        max: usize,
        lease: Duration,
        now: Timestamp,
        reclaim: bool,
    ) -> Result<Vec<ClaimedStep>, Error> {
        let now_us = to_us(now);
        let mut rows =
            claim_rows(&mut *tx, "s.status = 'ready' AND s.ready_at_us <= ?3", worker, max, lease, now_us).await?;
        let fresh = rows.len();
        // Expired leases are the claim loop's to reclaim; a hand-off takes ready steps only.
        if reclaim && rows.len() < max {
            let expired = "s.status = 'running' AND s.lease_expires_at_us <= ?3 AND s.attempt < s.max_attempts";
            rows.extend(claim_rows(&mut *tx, expired, worker, max - rows.len(), lease, now_us).await?);
        }
        let mut claimed = Vec::with_capacity(rows.len());
        for (i, row) in rows.into_iter().enumerate() {
            let execution_id: Uuid = row.try_get("execution_id")?;
            let idx: i16 = row.try_get("idx")?;
            let attempt: i32 = row.try_get("attempt")?;
            let step_id: String = row.try_get("step_id")?;
            #[allow(clippy::type_complexity)]
            let (name, version, params, status, created_by, team_id): (
                String,
                i32,
                Json<Value>,
                String,
                Option<String>,
                Option<String>,
            ) = sqlx::query_as(
                "SELECT package_name, package_version, params, status, created_by, team_id FROM executions WHERE id = ?",
            )
                    .bind(execution_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if status == "pending" {
                sqlx::query(
                    "UPDATE executions SET status = 'running', started_at_us = ?, updated_at_us = ? WHERE id = ?",
                )
                .bind(now_us)
                .bind(now_us)
                .bind(execution_id)
                .execute(&mut *tx)
                .await?;
            }
            let package = self.load_package(&mut *tx, &name, version).await?;
            let step = StepIdx(idx as u16);
            let mut outputs = serde_json::Map::new();
            if !package.dag.predecessors(step).is_empty() {
                let rows: Vec<(String, Json<Value>)> =
                    sqlx::query_as("SELECT step_id, output FROM steps WHERE execution_id = ? AND status = 'succeeded' AND output IS NOT NULL")
                        .bind(execution_id)
                        .fetch_all(&mut *tx)
                        .await?;
                outputs.extend(rows.into_iter().map(|(id, out)| (id, out.0)));
            }
            Self::insert_event(&mut *tx, execution_id, now, event::STEP_STARTED, Some(&step_id), Some(attempt), None)
                .await?;
            claimed.push(ClaimedStep {
                attempt: StepAttempt { execution_id, step, attempt },
                max_attempts: row.try_get("max_attempts")?,
                reclaimed: i >= fresh,
                package,
                params: params.0,
                outputs,
                created_by,
                team_id,
            });
        }
        Ok(claimed)
    }

    /// Returns which completions applied and whether any step became ready (a wake-up is due).
    async fn complete_in(
        &self,
        tx: &mut SqliteConnection,
        batch: &[Completion],
        now: Timestamp,
    ) -> Result<(Vec<bool>, bool), Error> {
        let now_us = to_us(now);
        let mut accepted = Vec::with_capacity(batch.len());
        let mut done = Vec::new();
        let mut failed = Vec::new();
        let mut woke = false;
        for c in batch {
            let a = c.attempt;
            let (output, error, ready_at) = match &c.outcome {
                Outcome::Succeeded { output } => (Some(output), None, None),
                Outcome::Skipped => (None, None, None),
                Outcome::Retry { at, error } => (None, Some(error.as_str()), Some(to_us(*at))),
                Outcome::Failed { error } => (None, Some(error.as_str()), None),
                Outcome::Wait { until, reason } => (None, Some(reason.as_str()), Some(to_us(*until))),
            };
            let waiting = matches!(c.outcome, Outcome::Wait { .. });
            let status = outcome_status(&c.outcome);
            let row: Option<(String, String, i32)> = sqlx::query_as(
                "UPDATE steps SET status = ?, output = ?, error = ?, ready_at_us = COALESCE(?, ready_at_us), \
                 finished_at_us = CASE WHEN ? = 'ready' THEN NULL ELSE ? END, lease_owner = NULL, lease_expires_at_us = NULL, \
                 waiting = ?, max_attempts = max_attempts + ? \
                 WHERE execution_id = ? AND idx = ? AND attempt = ? AND status = 'running' \
                 RETURNING step_id, (SELECT package_name FROM executions WHERE id = execution_id), \
                 (SELECT package_version FROM executions WHERE id = execution_id)",
            )
            .bind(status.as_str())
            .bind(output.map(Json))
            .bind(error)
            .bind(ready_at)
            .bind(status.as_str())
            .bind(now_us)
            .bind(waiting)
            .bind(waiting as i32)
            .bind(a.execution_id)
            .bind(a.step.0 as i16)
            .bind(a.attempt)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((step_id, name, version)) = row else {
                accepted.push(false);
                continue;
            };
            accepted.push(true);
            let detail = error.map(|e| serde_json::json!({ "error": e }));
            Self::insert_event(
                &mut *tx,
                a.execution_id,
                now,
                outcome_event(&c.outcome),
                Some(&step_id),
                Some(a.attempt),
                detail.as_ref(),
            )
            .await?;
            match &c.outcome {
                Outcome::Succeeded { .. } | Outcome::Skipped => {
                    done.push((a.execution_id, self.load_package(&mut *tx, &name, version).await?, a.step))
                }
                Outcome::Retry { .. } | Outcome::Wait { .. } => woke = true,
                Outcome::Failed { error } => failed.push((a.execution_id, step_id, error.clone())),
            }
        }

        let updates = plan::successor_updates(done.iter().map(|(id, p, s)| (*id, p.as_ref(), *s)));
        for u in &updates {
            let became_ready: Option<String> = sqlx::query_scalar(
                "UPDATE steps SET pending_deps = pending_deps - ?1, \
                 status = CASE WHEN pending_deps - ?1 <= 0 THEN 'ready' ELSE status END, \
                 ready_at_us = CASE WHEN pending_deps - ?1 <= 0 THEN ?2 ELSE ready_at_us END \
                 WHERE execution_id = ?3 AND idx = ?4 AND status = 'pending' RETURNING CASE WHEN status = 'ready' THEN step_id END",
            )
            .bind(u.done_deps)
            .bind(now_us + u.delay_us)
            .bind(u.execution_id)
            .bind(u.step.0 as i16)
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
            if let Some(step_id) = became_ready {
                woke = true;
                Self::insert_event(&mut *tx, u.execution_id, now, event::STEP_READY, Some(&step_id), None, None)
                    .await?;
            }
        }

        let mut per_execution: std::collections::BTreeMap<Uuid, i32> = std::collections::BTreeMap::new();
        for (id, _, _) in &done {
            *per_execution.entry(*id).or_default() += 1;
        }
        for (id, n) in per_execution {
            let completed: Option<String> = sqlx::query_scalar(
                "UPDATE executions SET steps_remaining = steps_remaining - ?1, updated_at_us = ?2, \
                 status = CASE WHEN steps_remaining - ?1 <= 0 AND status IN ('pending', 'running', 'paused') THEN 'completed' ELSE status END, \
                 finished_at_us = CASE WHEN steps_remaining - ?1 <= 0 AND status IN ('pending', 'running', 'paused') THEN ?2 ELSE finished_at_us END \
                 WHERE id = ?3 RETURNING status",
            )
            .bind(n)
            .bind(now_us)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            if completed.as_deref() == Some("completed") {
                Self::insert_event(&mut *tx, id, now, event::COMPLETED, None, None, None).await?;
            }
        }
        for (id, step_id, error) in failed {
            fail_execution(&mut *tx, id, &step_id, &error, now).await?;
        }
        Ok((accepted, woke))
    }
}
