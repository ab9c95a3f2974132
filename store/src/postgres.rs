//! The production store: PostgreSQL.
//!
//! Every hot-path call is a constant number of statements however large the batch: claims are one
//! `UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED) … RETURNING`; a completion updates the steps,
//! their successors and their executions in one `unnest`-driven statement, and the event log
//! (`history`: a row per execution per transaction) in another. Wake-ups travel over
//! LISTEN/NOTIFY, sent from inside the transaction that made work claimable.

use std::sync::atomic::Ordering::{AcqRel, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;
use std::time::Duration;

use engine::{Control, ExecutionStatus, Package, StepIdx};
use serde_json::Value;
use sqlx::postgres::{PgListener, PgPoolOptions, PgRow};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool, Row};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::plan::{self, event, outcome_event, outcome_status};
use crate::sqlite::{execution_status, step_status};
use crate::types::*;
use crate::{Backend, Error, PackageCache, Store};

mod history;

use history::Events;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

const CHANNEL: &str = "aura_work";
/// Added to the `ready_at_us` of a ready step whose execution is paused (2^60 µs, about 36,000
/// years), which takes it out of the range claims scan; resume subtracts it, and reads hide it.
const PARKED_US: i64 = 1 << 60;
/// Deadlocks between concurrent completion batches are resolved by PostgreSQL aborting one; the
/// batch is then simply retried.
const DEADLOCK_RETRIES_MAX: u32 = 8;
/// An execution's start as read (`e` is the execution): a claim writes only the step, so until the
/// execution finishes and stores it, its start is the earliest first start of its steps
/// (migrations/postgres/0025_started_from_steps.sql).
const STARTED_AT: &str =
    "COALESCE(e.started_at_us, (SELECT min(d.first_started_at_us) FROM steps d WHERE d.execution_id = e.id))";
/// An execution's status as read: a 'pending' execution one of whose steps has started is running.
const STATUS: &str = "CASE WHEN e.status = 'pending' AND EXISTS \
    (SELECT 1 FROM steps d WHERE d.execution_id = e.id AND d.first_started_at_us IS NOT NULL) THEN 'running' ELSE e.status END";

pub struct PgStore {
    pub(crate) pool: PgPool,
    cache: PackageCache,
    wakeup: Arc<Notify>,
    listener: tokio::task::JoinHandle<()>,
    stats: Arc<StatsKeeper>,
}

/// Executions started between refreshes of the planner statistics of the hot tables.
const ANALYZE_EVERY: u64 = 20_000;

/// Steps finished between vacuums of the hot tables.
const VACUUM_EVERY: u64 = 50_000;

/// Keeps the planner's statistics and the indexes of `steps` and `executions` healthy while
/// they churn fast.
///
/// Autovacuum analyzes a table after 10% of its rows changed and at most once a minute; a
/// backlog enqueued faster than that leaves the planner believing the ready set is tiny, so the
/// claim sorts the whole backlog (measured: 1.9 s per claim at 200k ready steps on a fresh
/// database, 1.2 ms once analyzed). Every `ANALYZE_EVERY` started executions, one background
/// `ANALYZE` (sampled, about 0.1 s) brings the estimates back.
///
/// Draining a backlog leaves a dead tuple (and dead index entries) behind every claimed and
/// every finished step; they collect at the head of `steps_ready`, where every claim starts,
/// and autovacuum (20% of the table, once a minute) comes too late for a fast drain (measured:
/// a 1M burn-down fell to ~1.3k steps/s with 536k dead tuples). Every `VACUUM_EVERY` finished
/// steps, one background plain `VACUUM` (no exclusive lock: claims and completions go on) takes
/// them away, as a queue's own maintenance should rather than waiting for the global daemon.
#[derive(Default)]
struct StatsKeeper {
    started: AtomicU64,
    finished: AtomicU64,
    analyzing: AtomicBool,
    vacuuming: AtomicBool,
}

impl StatsKeeper {
    fn count_started(self: &Arc<Self>, pool: &PgPool, n: u64) {
        if crossed(&self.started, n, ANALYZE_EVERY) {
            self.maintain(pool, |k| &k.analyzing, "ANALYZE steps, executions");
        }
    }

    fn count_finished(self: &Arc<Self>, pool: &PgPool, n: u64) {
        if crossed(&self.finished, n, VACUUM_EVERY) {
            self.maintain(pool, |k| &k.vacuuming, "VACUUM steps, executions");
        }
    }

    /// Runs `sql` in the background unless the same maintenance (its `busy` flag) still runs.
    fn maintain(self: &Arc<Self>, pool: &PgPool, busy: fn(&Self) -> &AtomicBool, sql: &'static str) {
        if busy(self).swap(true, AcqRel) {
            return;
        }
        let (pool, keeper) = (pool.clone(), self.clone());
        tokio::spawn(async move {
            // The simple query protocol: VACUUM may not run inside a transaction block.
            if let Err(e) = sqlx::raw_sql(sql).execute(&pool).await {
                tracing::warn!(error = %e, sql, "table maintenance failed");
            }
            busy(&keeper).store(false, Release);
        });
    }
}

/// Adds `n` to `counter`; true when the sum crossed a multiple of `every`.
fn crossed(counter: &AtomicU64, n: u64, every: u64) -> bool {
    let before = counter.fetch_add(n, Relaxed);
    (before + n) / every != before / every
}

impl Drop for PgStore {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

/// Claimed steps whose saved outputs are still to be read: those with dependencies (a step
/// without any is given none, whatever else has run).
#[derive(Default)]
struct Claimed {
    steps: Vec<ClaimedStep>,
    with_dependencies: Vec<usize>,
}

impl Claimed {
    /// Inserts the transaction's events and reads the outputs the claimed steps need, in one
    /// statement: once per batch, not a sub-select per claimed row (roots included) as the claim
    /// once did, and without a round trip of its own, which an idle hand-off would wait for.
    async fn finish(
        mut self,
        conn: &mut PgConnection,
        events: Events,
        now: Timestamp,
    ) -> Result<Vec<ClaimedStep>, Error> {
        if self.with_dependencies.is_empty() {
            events.insert(conn, now).await?;
            return Ok(self.steps);
        }
        let ids: Vec<Uuid> = self.with_dependencies.iter().map(|&i| self.steps[i].attempt.execution_id).collect();
        let (event_ids, entries) = events.rows();
        let saved: std::collections::HashMap<Uuid, Json<serde_json::Map<String, Value>>> = sqlx::query_as(&format!(
            "WITH inserted AS ({}) \
             SELECT execution_id, jsonb_object_agg(step_id, output) FROM steps \
             WHERE execution_id = ANY($4) AND status = 'succeeded' AND output IS NOT NULL GROUP BY execution_id",
            Events::INSERT
        ))
        .bind(to_us(now))
        .bind(&event_ids)
        .bind(&entries)
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
        for i in self.with_dependencies {
            if let Some(outputs) = saved.get(&self.steps[i].attempt.execution_id) {
                self.steps[i].outputs = outputs.0.clone();
            }
        }
        Ok(self.steps)
    }
}

fn is_retryable_conflict(e: &Error) -> bool {
    match e {
        Error::Database(sqlx::Error::Database(db)) => {
            matches!(db.code().as_deref(), Some("40P01") | Some("40001"))
        }
        _ => false,
    }
}

impl PgStore {
    /// A write transaction (the shared store code begins its writes here on both backends).
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, Error> {
        Ok(self.pool.begin().await?)
    }

    /// The body of `claim`, inside a transaction the caller owns.
    async fn claim_in(
        &self,
        tx: &mut PgConnection,
        events: &mut Events,
        worker: &str,
        max: usize,
        lease: Duration,
        now: Timestamp,
        reclaim: bool,
    ) -> Result<Claimed, Error> {
        let ready = "s.status = 'ready' AND s.ready_at_us <= $1";
        let mut rows = Vec::new();
        loop {
            let (claimed, parked) =
                self.claim_where(&mut *tx, ready, true, worker, max - rows.len(), lease, now).await?;
            rows.extend(claimed);
            // Parked steps took places in the batch: look again behind them.
            if parked == 0 || rows.len() >= max {
                break;
            }
        }
        let fresh = rows.len();
        // Expired leases are the claim loop's to reclaim; a hand-off takes ready steps only.
        if reclaim && rows.len() < max {
            let expired = "s.status = 'running' AND s.lease_expires_at_us <= $1 AND s.attempt < s.max_attempts";
            rows.extend(self.claim_where(&mut *tx, expired, false, worker, max - rows.len(), lease, now).await?.0);
        }
        if rows.is_empty() {
            return Ok(Claimed::default());
        }
        let mut claimed = Vec::with_capacity(rows.len());
        let mut with_dependencies = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let execution_id: Uuid = row.try_get("execution_id")?;
            let step = StepIdx(row.try_get::<i16, _>("idx")? as u16);
            let attempt: i32 = row.try_get("attempt")?;
            let package =
                self.load_package(&mut *tx, row.try_get("package_name")?, row.try_get("package_version")?).await?;
            if !package.dag.predecessors(step).is_empty() {
                with_dependencies.push(claimed.len());
            }
            events.push(execution_id, event::STEP_STARTED, Some(row.try_get("step_id")?), Some(attempt), None);
            claimed.push(ClaimedStep {
                attempt: StepAttempt { execution_id, step, attempt },
                max_attempts: row.try_get("max_attempts")?,
                reclaimed: i >= fresh,
                package,
                params: row.try_get::<Json<Value>, _>("params")?.0,
                outputs: serde_json::Map::new(),
                created_by: row.try_get("created_by")?,
                team_id: row.try_get("team_id")?,
            });
        }
        Ok(Claimed { steps: claimed, with_dependencies })
    }

    pub async fn connect(url: &str) -> Result<PgStore, Error> {
        let pool = PgPoolOptions::new().max_connections(16).min_connections(1).connect(url).await?;
        let wakeup = Arc::new(Notify::new());
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(CHANNEL).await?;
        let notify = wakeup.clone();
        // Forwards notifications from any process; on a lost connection `recv` reconnects and
        // the workers' polling covers the gap.
        let listener = tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(_) => notify.notify_waiters(),
                    Err(e) => {
                        tracing::warn!(error = %e, "LISTEN connection lost; retrying");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                }
            }
        });
        Ok(PgStore { pool, cache: PackageCache::default(), wakeup, listener, stats: Arc::default() })
    }

    /// Commits of this database and WAL bytes written so far (cluster-wide), for benchmarks that
    /// report the write cost per step.
    pub async fn database_stats(&self) -> Result<(i64, i64), Error> {
        let row: (i64, i64) = sqlx::query_as(
            "SELECT xact_commit, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::int8 FROM pg_stat_database WHERE datname = current_database()",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row)
    }

    async fn load_package(&self, conn: &mut PgConnection, name: &str, version: i32) -> Result<Arc<Package>, Error> {
        if let Some(p) = self.cache.get(name, version) {
            return Ok(p);
        }
        let source: String = sqlx::query_scalar("SELECT source FROM package_versions WHERE name = $1 AND version = $2")
            .bind(name)
            .bind(version)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| Error::Corrupt(format!("package {name} v{version} is missing")))?;
        self.cache.parse_stored(name, version, &source)
    }

    async fn notify(conn: &mut PgConnection) -> Result<(), Error> {
        sqlx::query("SELECT pg_notify($1, '')").bind(CHANNEL).execute(conn).await?;
        Ok(())
    }

    async fn read_execution(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<Option<ExecutionView>, Error> {
        let sql = format!(
            "SELECT id, package_name, package_version, {STATUS} AS status, params, priority, idempotency_key, created_by, team_id, \
             created_at_us, {STARTED_AT} AS started_at_us, finished_at_us, error FROM executions e WHERE id = $1{}",
            if lock { " FOR UPDATE" } else { "" }
        );
        let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(&mut *conn).await? else {
            return Ok(None);
        };
        let steps = sqlx::query(
            "SELECT step_id, status, attempt, max_attempts, ready_at_us, started_at_us, finished_at_us, output, error, lease_owner, waiting \
             FROM steps WHERE execution_id = $1 ORDER BY idx",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(step_view)
        .collect::<Result<Vec<_>, Error>>()?;
        Ok(Some(execution_view(&row, steps)?))
    }

    /// Claims up to `max` steps matching `filter`. Returns the claimed rows and how many ready
    /// steps of paused executions were parked on the way (the caller claims again for those).
    ///
    /// Fresh claims lock steps by the ready index alone and look at their executions only after
    /// the lock: under load most candidates are rows another claimer holds right now, and joining
    /// each of them to `executions` before `SKIP LOCKED` drops it was most of the claim's work.
    /// A ready step whose execution is paused is parked (`ready_at_us` + [`PARKED_US`]) so that it
    /// leaves the index range every claim scans; resuming the execution takes the offset off.
    /// Parking re-reads the execution under a share lock (the latest committed version, after any
    /// control in flight): a resume that committed after this statement's snapshot, having found
    /// nothing to unpark, must not see its step parked from the stale status. A step left unparked
    /// that way stays ready for the next claim, which the resume's NOTIFY wakes.
    /// Reclaims of expired leases are rare and keep the join before the lock.
    async fn claim_where(
        &self,
        conn: &mut PgConnection,
        filter: &str,
        lock_first: bool,
        worker: &str,
        max: usize,
        lease: Duration,
        now: Timestamp,
    ) -> Result<(Vec<PgRow>, usize), Error> {
        let now_us = to_us(now);
        let picked = if lock_first {
            format!(
                "picked AS ( \
                    SELECT s.execution_id, s.idx FROM steps s WHERE {filter} \
                    ORDER BY s.priority DESC, s.ready_at_us LIMIT $2 FOR UPDATE SKIP LOCKED), \
                 live AS MATERIALIZED ( \
                    SELECT p.execution_id, p.idx, e.package_name, e.package_version, e.params, \
                        e.status AS execution_status, e.created_by, e.team_id \
                    FROM picked p JOIN executions e ON e.id = p.execution_id), \
                 held AS ( \
                    SELECT live.execution_id, live.idx FROM live JOIN executions e ON e.id = live.execution_id \
                    WHERE live.execution_status NOT IN ('pending', 'running') AND e.status NOT IN ('pending', 'running') \
                    FOR SHARE OF e), \
                 parked AS ( \
                    UPDATE steps s SET ready_at_us = s.ready_at_us + {PARKED_US} FROM held \
                    WHERE s.execution_id = held.execution_id AND s.idx = held.idx AND s.status = 'ready' \
                    RETURNING s.execution_id)"
            )
        } else {
            format!(
                "live AS MATERIALIZED ( \
                    SELECT s.execution_id, s.idx, e.package_name, e.package_version, e.params, \
                        e.status AS execution_status, e.created_by, e.team_id \
                    FROM steps s JOIN executions e ON e.id = s.execution_id \
                    WHERE {filter} AND e.status IN ('pending', 'running') \
                    ORDER BY s.priority DESC, s.ready_at_us LIMIT $2 FOR UPDATE OF s SKIP LOCKED), \
                 parked AS (SELECT NULL::uuid AS execution_id WHERE false)"
            )
        };
        let sql = format!(
            "WITH {picked}, \
             claimed AS ( \
                UPDATE steps s SET status = 'running', attempt = s.attempt + 1, lease_owner = $3, lease_expires_at_us = $4, \
                    started_at_us = $1, first_started_at_us = COALESCE(s.first_started_at_us, $1), finished_at_us = NULL \
                FROM live \
                WHERE s.execution_id = live.execution_id AND s.idx = live.idx \
                    AND live.execution_status IN ('pending', 'running') \
                RETURNING s.execution_id, s.idx, s.step_id, s.attempt, s.max_attempts, live.package_name, live.package_version, \
                    live.params, live.execution_status, live.created_by, live.team_id) \
             SELECT claimed.*, false AS parked FROM claimed \
             UNION ALL \
             SELECT execution_id, NULL::int2, NULL::text, NULL::int4, NULL::int4, NULL::text, NULL::int4, NULL::jsonb, \
                NULL::text, NULL::text, NULL::text, true FROM parked"
        );
        let rows = sqlx::query(&sql)
            .bind(now_us)
            .bind(max as i64)
            .bind(worker)
            .bind(now_us + lease.as_micros() as i64)
            .fetch_all(&mut *conn)
            .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        let mut parked = 0;
        for row in rows {
            if row.try_get::<bool, _>("parked")? {
                parked += 1;
            } else {
                claimed.push(row);
            }
        }
        Ok((claimed, parked))
    }

    async fn complete_once(&self, batch: &[Completion], now: Timestamp) -> Result<Vec<bool>, Error> {
        let mut tx = self.pool.begin().await?;
        let mut events = Events::default();
        let (accepted, woke) = self.complete_in(&mut tx, &mut events, batch, now).await?;
        events.insert(&mut tx, now).await?;
        if woke {
            Self::notify(&mut tx).await?;
        }
        tx.commit().await?;
        if woke {
            self.wakeup.notify_waiters();
        }
        self.stats.count_finished(&self.pool, batch.len() as u64);
        Ok(accepted)
    }

    async fn complete_and_claim_once(
        &self,
        batch: &[Completion],
        worker: &str,
        max: usize,
        lease: Duration,
        now: Timestamp,
    ) -> Result<(Vec<bool>, Vec<ClaimedStep>), Error> {
        let mut tx = self.pool.begin().await?;
        // One events insert for both halves.
        let mut events = Events::default();
        let (accepted, woke) = self.complete_in(&mut tx, &mut events, batch, now).await?;
        let claimed = if max > 0 {
            self.claim_in(&mut tx, &mut events, worker, max, lease, now, false).await?
        } else {
            Claimed::default()
        };
        let claimed = claimed.finish(&mut tx, events, now).await?;
        // Other workers need waking only when this one may have left ready work behind: fewer
        // NOTIFYs, whose queue lock serialises commits.
        let more = woke && claimed.len() == max;
        if more {
            Self::notify(&mut tx).await?;
        }
        tx.commit().await?;
        if more {
            self.wakeup.notify_waiters();
        }
        self.stats.count_finished(&self.pool, batch.len() as u64);
        Ok((accepted, claimed))
    }

    /// Returns which completions applied and whether any step became ready (a wake-up is due).
    async fn complete_in(
        &self,
        tx: &mut PgConnection,
        events: &mut Events,
        batch: &[Completion],
        now: Timestamp,
    ) -> Result<(Vec<bool>, bool), Error> {
        let now_us = to_us(now);
        let n = batch.len();
        let mut ids = Vec::with_capacity(n);
        let mut idxs = Vec::with_capacity(n);
        let mut attempts = Vec::with_capacity(n);
        let mut statuses = Vec::with_capacity(n);
        let mut outputs: Vec<Option<String>> = Vec::with_capacity(n);
        let mut errors: Vec<Option<&str>> = Vec::with_capacity(n);
        let mut ready_ats: Vec<Option<i64>> = Vec::with_capacity(n);
        let mut waits: Vec<bool> = Vec::with_capacity(n);
        for c in batch {
            ids.push(c.attempt.execution_id);
            idxs.push(c.attempt.step.0 as i16);
            attempts.push(c.attempt.attempt);
            statuses.push(outcome_status(&c.outcome).as_str());
            let (output, error, ready_at) = match &c.outcome {
                Outcome::Succeeded { output } => (Some(output.to_string()), None, None),
                Outcome::Skipped => (None, None, None),
                Outcome::Retry { at, error } => (None, Some(error.as_str()), Some(to_us(*at))),
                Outcome::Failed { error } => (None, Some(error.as_str()), None),
                Outcome::Wait { until, reason } => (None, Some(reason.as_str()), Some(to_us(*until))),
            };
            waits.push(matches!(c.outcome, Outcome::Wait { .. }));
            outputs.push(output);
            errors.push(error);
            ready_ats.push(ready_at);
        }
        // Each finished step's successors, as (batch item, successor, ready time if it becomes
        // ready): the statement keeps those whose completion applied, so which completions were
        // fenced need not be known before it runs.
        let mut succ_items: Vec<i64> = Vec::new();
        let mut succ_idx: Vec<i16> = Vec::new();
        let mut succ_ready: Vec<i64> = Vec::new();
        for (i, c) in batch.iter().enumerate() {
            if matches!(c.outcome, Outcome::Succeeded { .. } | Outcome::Skipped) {
                for (next, delay_us) in plan::successors(&c.package, c.attempt.step) {
                    succ_items.push(i as i64 + 1);
                    succ_idx.push(next.0 as i16);
                    succ_ready.push(now_us + delay_us);
                }
            }
        }
        // One statement for the steps, their successors and their executions (one round trip,
        // where there were three). Successors and executions are updated in key order, so
        // concurrent batches lock shared rows in the same order.
        let rows = sqlx::query(&format!(
            "WITH done AS ( \
                UPDATE steps s SET status = u.status, output = u.output::jsonb, error = u.error, \
                    ready_at_us = COALESCE(u.ready_at, s.ready_at_us), \
                    finished_at_us = CASE WHEN u.status = 'ready' THEN NULL ELSE $1 END, \
                    lease_owner = NULL, lease_expires_at_us = NULL, waiting = u.waiting, \
                    max_attempts = s.max_attempts + CASE WHEN u.waiting THEN 1 ELSE 0 END \
                FROM unnest($2::uuid[], $3::int2[], $4::int4[], $5::text[], $6::text[], $7::text[], $8::int8[], $9::bool[]) \
                    WITH ORDINALITY AS u(id, idx, attempt, status, output, error, ready_at, waiting, n) \
                WHERE s.execution_id = u.id AND s.idx = u.idx AND s.attempt = u.attempt AND s.status = 'running' \
                RETURNING u.n, s.execution_id, s.step_id, u.status), \
             freed AS ( \
                SELECT d.execution_id AS id, p.idx, count(*)::int4 AS n, max(p.ready_at) AS ready_at \
                FROM unnest($10::int8[], $11::int2[], $12::int8[]) AS p(item, idx, ready_at) \
                JOIN done d ON d.n = p.item GROUP BY d.execution_id, p.idx ORDER BY d.execution_id, p.idx), \
             readied AS ( \
                UPDATE steps s SET pending_deps = s.pending_deps - f.n, \
                    status = CASE WHEN s.pending_deps - f.n <= 0 THEN 'ready' ELSE s.status END, \
                    ready_at_us = CASE WHEN s.pending_deps - f.n <= 0 THEN f.ready_at ELSE s.ready_at_us END \
                FROM freed f WHERE s.execution_id = f.id AND s.idx = f.idx AND s.status = 'pending' \
                RETURNING s.execution_id, CASE WHEN s.status = 'ready' THEN s.step_id END AS step_id), \
             finished AS ( \
                SELECT execution_id AS id, count(*)::int4 AS n FROM done WHERE status IN ('succeeded', 'skipped') \
                GROUP BY execution_id ORDER BY execution_id), \
             ended AS ( \
                UPDATE executions e SET steps_remaining = e.steps_remaining - u.n, updated_at_us = $1, \
                    status = CASE WHEN e.steps_remaining - u.n <= 0 AND e.status IN ('pending', 'running', 'paused') THEN 'completed' ELSE e.status END, \
                    started_at_us = CASE WHEN e.steps_remaining - u.n <= 0 THEN {STARTED_AT} ELSE e.started_at_us END, \
                    finished_at_us = CASE WHEN e.steps_remaining - u.n <= 0 AND e.status IN ('pending', 'running', 'paused') THEN $1 ELSE e.finished_at_us END \
                FROM finished u WHERE e.id = u.id \
                RETURNING CASE WHEN e.status = 'completed' AND e.finished_at_us = $1 THEN e.id END AS id) \
             SELECT 0 AS part, n, step_id, NULL::uuid AS execution_id FROM done \
             UNION ALL SELECT 1, NULL, step_id, execution_id FROM readied WHERE step_id IS NOT NULL \
             UNION ALL SELECT 2, NULL, NULL, id FROM ended WHERE id IS NOT NULL"
        ))
        .bind(now_us)
        .bind(&ids)
        .bind(&idxs)
        .bind(&attempts)
        .bind(&statuses)
        .bind(&outputs)
        .bind(&errors)
        .bind(&ready_ats)
        .bind(&waits)
        .bind(&succ_items)
        .bind(&succ_idx)
        .bind(&succ_ready)
        .fetch_all(&mut *tx)
        .await?;

        let mut accepted = vec![false; n];
        // Keyed by the batch item the update applied (not by step): a stale attempt in the same
        // batch as the current one, or a duplicate item, must not be reported as accepted.
        let mut step_ids = std::collections::HashMap::new();
        let mut readied = Vec::new();
        let mut completed = Vec::new();
        for row in &rows {
            match row.try_get::<i32, _>("part")? {
                0 => {
                    let item = row.try_get::<i64, _>("n")? as usize - 1;
                    step_ids.insert(item, row.try_get::<String, _>("step_id")?);
                }
                1 => readied.push((row.try_get::<Uuid, _>("execution_id")?, row.try_get::<String, _>("step_id")?)),
                _ => completed.push(row.try_get::<Uuid, _>("execution_id")?),
            }
        }
        let mut failed = Vec::new();
        let mut woke = !readied.is_empty();
        for (i, c) in batch.iter().enumerate() {
            let a = c.attempt;
            let Some(step_id) = step_ids.get(&i) else {
                continue;
            };
            accepted[i] = true;
            let detail = errors[i].map(|e| serde_json::json!({ "error": e }));
            events.push(a.execution_id, outcome_event(&c.outcome), Some(step_id.clone()), Some(a.attempt), detail);
            match &c.outcome {
                Outcome::Succeeded { .. } | Outcome::Skipped => {}
                Outcome::Retry { .. } | Outcome::Wait { .. } => woke = true,
                Outcome::Failed { error } => failed.push((a.execution_id, step_id.clone(), error.clone())),
            }
        }
        for (id, step_id) in readied {
            events.push(id, event::STEP_READY, Some(step_id), None, None);
        }
        for id in completed {
            events.push(id, event::COMPLETED, None, None, None);
        }
        for (id, step_id, error) in failed {
            fail_execution(&mut *tx, events, id, &step_id, &error, now).await?;
        }
        Ok((accepted, woke))
    }

    async fn insert_executions(
        &self,
        conn: &mut PgConnection,
        batch: &[(Uuid, &NewExecution)],
        now: Timestamp,
    ) -> Result<Vec<Uuid>, Error> {
        let now_us = to_us(now);
        let ids: Vec<Uuid> = batch.iter().map(|(id, _)| *id).collect();
        let names: Vec<&str> = batch.iter().map(|(_, n)| n.package.name.as_str()).collect();
        let versions: Vec<i32> = batch.iter().map(|(_, n)| n.package_version).collect();
        let params: Vec<String> = batch.iter().map(|(_, n)| n.params.to_string()).collect();
        let priorities: Vec<i32> = batch.iter().map(|(_, n)| n.priority).collect();
        let keys: Vec<Option<&str>> = batch.iter().map(|(_, n)| n.idempotency_key.as_deref()).collect();
        let creators: Vec<Option<&str>> = batch.iter().map(|(_, n)| n.created_by.as_deref()).collect();
        let teams: Vec<Option<&str>> = batch.iter().map(|(_, n)| n.team_id.as_deref()).collect();
        let totals: Vec<i32> = batch.iter().map(|(_, n)| n.package.steps.len() as i32).collect();
        let inserted: Vec<Uuid> = sqlx::query_scalar(
            "INSERT INTO executions (id, package_name, package_version, status, params, priority, idempotency_key, created_by, \
                team_id, steps_remaining, created_at_us, updated_at_us) \
             SELECT u.id, u.name, u.version, 'pending', u.params::jsonb, u.priority, u.key, u.creator, u.team, u.total, $1, $1 \
             FROM unnest($2::uuid[], $3::text[], $4::int4[], $5::text[], $6::int4[], $7::text[], $8::text[], $9::int4[], $10::text[]) \
                AS u(id, name, version, params, priority, key, creator, total, team) \
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        )
        .bind(now_us)
        .bind(&ids)
        .bind(&names)
        .bind(&versions)
        .bind(&params)
        .bind(&priorities)
        .bind(&keys)
        .bind(&creators)
        .bind(&totals)
        .bind(&teams)
        .fetch_all(&mut *conn)
        .await?;
        let created: std::collections::HashSet<Uuid> = inserted.iter().copied().collect();

        let mut s_ids = Vec::new();
        let mut s_idx = Vec::new();
        let mut s_step = Vec::new();
        let mut s_status = Vec::new();
        let mut s_deps = Vec::new();
        let mut s_max = Vec::new();
        let mut s_prio = Vec::new();
        let mut s_ready: Vec<Option<i64>> = Vec::new();
        for (id, new) in batch.iter().filter(|(id, _)| created.contains(id)) {
            for (i, step) in new.package.steps.iter().enumerate() {
                let deps = step.depends_on.len() as i32;
                s_ids.push(*id);
                s_idx.push(i as i16);
                s_step.push(step.id.as_str());
                s_status.push(if deps == 0 { "ready" } else { "pending" });
                s_deps.push(deps);
                s_max.push(step.retry.max_attempts as i32);
                s_prio.push(new.priority);
                s_ready.push((deps == 0).then(|| now_us + step.delay.as_micros() as i64));
            }
        }
        if !s_ids.is_empty() {
            sqlx::query(
                "INSERT INTO steps (execution_id, idx, step_id, status, pending_deps, max_attempts, priority, ready_at_us) \
                 SELECT * FROM unnest($1::uuid[], $2::int2[], $3::text[], $4::text[], $5::int4[], $6::int4[], $7::int4[], $8::int8[])",
            )
            .bind(&s_ids)
            .bind(&s_idx)
            .bind(&s_step)
            .bind(&s_status)
            .bind(&s_deps)
            .bind(&s_max)
            .bind(&s_prio)
            .bind(&s_ready)
            .execute(&mut *conn)
            .await?;
        }
        let mut events = Events::default();
        for id in &inserted {
            events.push(*id, event::CREATED, None, None, None);
        }
        events.insert(&mut *conn, now).await?;
        Ok(inserted)
    }
}

fn step_view(row: &PgRow) -> Result<StepView, Error> {
    Ok(StepView {
        step_id: row.try_get("step_id")?,
        status: step_status(row.try_get("status")?)?,
        attempt: row.try_get("attempt")?,
        max_attempts: row.try_get("max_attempts")?,
        ready_at: row
            .try_get::<Option<i64>, _>("ready_at_us")?
            .map(|us| from_us(if us >= PARKED_US { us - PARKED_US } else { us })),
        started_at: row.try_get::<Option<i64>, _>("started_at_us")?.map(from_us),
        finished_at: row.try_get::<Option<i64>, _>("finished_at_us")?.map(from_us),
        output: row.try_get::<Option<Json<Value>>, _>("output")?.map(|j| j.0),
        error: row.try_get("error")?,
        lease_owner: row.try_get("lease_owner")?,
        waiting: row.try_get("waiting")?,
    })
}

fn execution_view(row: &PgRow, steps: Vec<StepView>) -> Result<ExecutionView, Error> {
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

async fn fail_execution(
    conn: &mut PgConnection,
    events: &mut Events,
    id: Uuid,
    step_id: &str,
    error: &str,
    now: Timestamp,
) -> Result<(), Error> {
    let now_us = to_us(now);
    sqlx::query(
        "UPDATE steps SET status = 'cancelled', finished_at_us = $1, lease_owner = NULL, lease_expires_at_us = NULL \
         WHERE execution_id = $2 AND status IN ('pending', 'ready', 'running')",
    )
    .bind(now_us)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let changed = sqlx::query(&format!(
        "UPDATE executions e SET status = 'failed', error = $1, started_at_us = {STARTED_AT}, finished_at_us = $2, updated_at_us = $2 \
         WHERE id = $3 AND status IN ('pending', 'running', 'paused')"
    ))
    .bind(format!("step `{step_id}` failed: {error}"))
    .bind(now_us)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() > 0 {
        events.push(id, event::FAILED, Some(step_id.to_string()), None, Some(serde_json::json!({ "error": error })));
    }
    Ok(())
}

#[async_trait::async_trait]
impl Store for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn wakeup(&self) -> Arc<Notify> {
        self.wakeup.clone()
    }

    async fn migrate(&self) -> Result<(), Error> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn register_package(
        &self,
        package: &Package,
        source: &str,
        now: Timestamp,
    ) -> Result<PackageVersionInfo, Error> {
        let mut tx = self.pool.begin().await?;
        // Serialises concurrent registrations of the same name so versions stay dense.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(&package.name).execute(&mut *tx).await?;
        let latest: Option<(i32, String, i64)> = sqlx::query_as(
            "SELECT v.version, v.content_hash, v.created_at_us FROM packages p \
             JOIN package_versions v ON v.name = p.name AND v.version = p.latest_version WHERE p.name = $1",
        )
        .bind(&package.name)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((version, hash, created)) = &latest {
            if *hash == package.content_hash {
                sqlx::query("UPDATE packages SET active = TRUE WHERE name = $1")
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
        sqlx::query("INSERT INTO package_versions (name, version, content_hash, source, created_at_us) VALUES ($1, $2, $3, $4, $5)")
            .bind(&package.name)
            .bind(version)
            .bind(&package.content_hash)
            .bind(source)
            .bind(to_us(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO packages (name, latest_version, active, updated_at_us) VALUES ($1, $2, TRUE, $3) \
             ON CONFLICT (name) DO UPDATE SET latest_version = excluded.latest_version, active = TRUE, updated_at_us = excluded.updated_at_us",
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
                sqlx::query_as("SELECT version, source FROM package_versions WHERE name = $1 AND version = $2")
                    .bind(name)
                    .bind(v)
                    .fetch_optional(&self.pool)
                    .await?
            }
            None => {
                sqlx::query_as(
                    "SELECT v.version, v.source FROM packages p JOIN package_versions v \
                     ON v.name = p.name AND v.version = p.latest_version WHERE p.name = $1 AND p.active",
                )
                .bind(name)
                .fetch_optional(&self.pool)
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
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(name, latest_version, active)| PackageSummary { name, latest_version, active })
            .collect())
    }

    async fn package_versions(&self, name: &str) -> Result<Vec<PackageVersionInfo>, Error> {
        let rows: Vec<(String, i32, String, i64)> = sqlx::query_as(
            "SELECT name, version, content_hash, created_at_us FROM package_versions WHERE name = $1 ORDER BY version",
        )
        .bind(name)
        .fetch_all(&self.pool)
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
        Ok(sqlx::query_scalar("SELECT source FROM package_versions WHERE name = $1 AND version = $2")
            .bind(name)
            .bind(version)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn set_package_active(&self, name: &str, active: bool) -> Result<(), Error> {
        let done = sqlx::query("UPDATE packages SET active = $1 WHERE name = $2")
            .bind(active)
            .bind(name)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(format!("package `{name}`")));
        }
        Ok(())
    }

    async fn start_executions(&self, batch: &[NewExecution], now: Timestamp) -> Result<Vec<Started>, Error> {
        let mut tx = self.pool.begin().await?;
        let with_ids: Vec<(Uuid, &NewExecution)> = batch.iter().map(|n| (crate::new_execution_id(), n)).collect();
        let inserted: std::collections::HashSet<Uuid> =
            self.insert_executions(&mut tx, &with_ids, now).await?.into_iter().collect();
        let mut out = Vec::with_capacity(batch.len());
        for (id, new) in &with_ids {
            if inserted.contains(id) {
                out.push(Started { execution_id: *id, created: true });
            } else {
                let key = new
                    .idempotency_key
                    .as_deref()
                    .ok_or_else(|| Error::Corrupt("insert skipped without an idempotency key".into()))?;
                let existing: Uuid = sqlx::query_scalar("SELECT id FROM executions WHERE idempotency_key = $1")
                    .bind(key)
                    .fetch_one(&mut *tx)
                    .await?;
                out.push(Started { execution_id: existing, created: false });
            }
        }
        if !inserted.is_empty() {
            Self::notify(&mut tx).await?;
        }
        tx.commit().await?;
        self.wakeup.notify_waiters();
        self.stats.count_started(&self.pool, inserted.len() as u64);
        Ok(out)
    }

    async fn claim(
        &self,
        worker: &str,
        max: usize,
        lease: Duration,
        now: Timestamp,
    ) -> Result<Vec<ClaimedStep>, Error> {
        let mut tx = self.pool.begin().await?;
        let mut events = Events::default();
        let claimed = self.claim_in(&mut tx, &mut events, worker, max, lease, now, true).await?;
        let claimed = claimed.finish(&mut tx, events, now).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn complete_and_claim(
        &self,
        batch: &[Completion],
        worker: &str,
        max: usize,
        lease: Duration,
        now: Timestamp,
    ) -> Result<(Vec<bool>, Vec<ClaimedStep>), Error> {
        let mut tries = 0;
        loop {
            match self.complete_and_claim_once(batch, worker, max, lease, now).await {
                Err(e) if is_retryable_conflict(&e) && tries < DEADLOCK_RETRIES_MAX => tries += 1,
                other => return other,
            }
        }
    }

    async fn heartbeat(
        &self,
        worker: &str,
        held: &[StepAttempt],
        lease: Duration,
        now: Timestamp,
    ) -> Result<Vec<StepAttempt>, Error> {
        if held.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = held.iter().map(|a| a.execution_id).collect();
        let idxs: Vec<i16> = held.iter().map(|a| a.step.0 as i16).collect();
        let attempts: Vec<i32> = held.iter().map(|a| a.attempt).collect();
        // Rows another transaction holds are skipped, not waited for: the completer locks the same
        // rows in its own order, and waiting made deadlocks that cost a second each (PostgreSQL's
        // deadlock_timeout) under load. A skipped row is being finished or taken right now; the next
        // heartbeat renews it if it is still ours. What is lost is read from the committed state.
        let lost: Vec<(Uuid, i16, i32)> = sqlx::query_as(
            "WITH u AS (SELECT * FROM unnest($2::uuid[], $3::int2[], $4::int4[]) AS u(id, idx, attempt)), \
             mine AS (SELECT s.execution_id, s.idx FROM steps s JOIN u ON s.execution_id = u.id AND s.idx = u.idx \
                AND s.attempt = u.attempt WHERE s.status = 'running' AND s.lease_owner = $5 FOR UPDATE OF s SKIP LOCKED), \
             renewed AS (UPDATE steps s SET lease_expires_at_us = $1 FROM mine \
                WHERE s.execution_id = mine.execution_id AND s.idx = mine.idx RETURNING 1) \
             SELECT u.id, u.idx, u.attempt FROM u WHERE NOT EXISTS (SELECT 1 FROM steps s WHERE s.execution_id = u.id \
                AND s.idx = u.idx AND s.attempt = u.attempt AND s.status = 'running' AND s.lease_owner = $5)",
        )
        .bind(to_us(now) + lease.as_micros() as i64)
        .bind(&ids)
        .bind(&idxs)
        .bind(&attempts)
        .bind(worker)
        .fetch_all(&self.pool)
        .await?;
        let lost: std::collections::HashSet<(Uuid, i16, i32)> = lost.into_iter().collect();
        Ok(held.iter().filter(|a| lost.contains(&(a.execution_id, a.step.0 as i16, a.attempt))).copied().collect())
    }

    async fn complete(&self, batch: &[Completion], now: Timestamp) -> Result<Vec<bool>, Error> {
        let mut tries = 0;
        loop {
            match self.complete_once(batch, now).await {
                Err(e) if is_retryable_conflict(&e) && tries < DEADLOCK_RETRIES_MAX => tries += 1,
                other => return other,
            }
        }
    }

    async fn release(&self, worker: &str, held: &[StepAttempt], _now: Timestamp) -> Result<(), Error> {
        if held.is_empty() {
            return Ok(());
        }
        let ids: Vec<Uuid> = held.iter().map(|a| a.execution_id).collect();
        let idxs: Vec<i16> = held.iter().map(|a| a.step.0 as i16).collect();
        let attempts: Vec<i32> = held.iter().map(|a| a.attempt).collect();
        let mut tx = self.pool.begin().await?;
        // The attempts were never run: give them back without spending them.
        sqlx::query(
            "UPDATE steps s SET status = 'ready', attempt = s.attempt - 1, lease_owner = NULL, lease_expires_at_us = NULL \
             FROM unnest($1::uuid[], $2::int2[], $3::int4[]) AS u(id, idx, attempt) \
             WHERE s.execution_id = u.id AND s.idx = u.idx AND s.attempt = u.attempt AND s.status = 'running' AND s.lease_owner = $4",
        )
        .bind(&ids)
        .bind(&idxs)
        .bind(&attempts)
        .bind(worker)
        .execute(&mut *tx)
        .await?;
        Self::notify(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn control(
        &self,
        id: Uuid,
        control: Control,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<ExecutionStatus, Error> {
        let mut tries = 0;
        loop {
            match self.control_once(id, control, reason, now).await {
                Err(e) if is_retryable_conflict(&e) && tries < DEADLOCK_RETRIES_MAX => tries += 1,
                other => return other,
            }
        }
    }

    async fn execution(&self, id: Uuid) -> Result<Option<ExecutionView>, Error> {
        let mut conn = self.pool.acquire().await?;
        Self::read_execution(&mut conn, id, false).await
    }

    async fn signal(&self, id: Uuid, name: &str, payload: &Value, now: Timestamp) -> Result<i64, Error> {
        let mut tx = self.pool.begin().await?;
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM executions WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let status = execution_status(&status.ok_or_else(|| Error::NotFound(format!("execution {id}")))?)?;
        if status.is_terminal() {
            return Err(Error::Conflict(format!("execution {id} is {}; it takes no more signals", status.as_str())));
        }
        let signal_id: i64 = sqlx::query_scalar(
            "INSERT INTO signals (execution_id, name, payload, created_at_us) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(id)
        .bind(name)
        .bind(sqlx::types::Json(payload))
        .bind(to_us(now))
        .fetch_one(&mut *tx)
        .await?;
        let woken = sqlx::query(
            "UPDATE steps SET ready_at_us = $2 WHERE execution_id = $1 AND status = 'ready' AND waiting AND ready_at_us > $2",
        )
        .bind(id)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let mut events = Events::default();
        events.push(
            id,
            event::SIGNAL,
            None,
            None,
            Some(serde_json::json!({ "name": name, "signal_id": signal_id, "woke_steps": woken })),
        );
        events.insert(&mut tx, now).await?;
        if woken > 0 {
            Self::notify(&mut tx).await?;
        }
        tx.commit().await?;
        if woken > 0 {
            self.wakeup.notify_waiters();
        }
        Ok(signal_id)
    }

    async fn signals(&self, id: Uuid) -> Result<Vec<SignalRecord>, Error> {
        let rows: Vec<(i64, String, sqlx::types::Json<Value>, i64)> =
            sqlx::query_as("SELECT id, name, payload, created_at_us FROM signals WHERE execution_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, payload, at)| SignalRecord { id, name, payload: payload.0, created_at: from_us(at) })
            .collect())
    }

    async fn list_executions(&self, f: &ExecutionFilter) -> Result<Vec<ExecutionSummary>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT id, package_name, package_version, {STATUS} AS status, created_by, team_id, created_at_us, finished_at_us FROM executions e \
             WHERE ($1::text IS NULL OR {STATUS} = $1) AND ($2::text IS NULL OR package_name = $2) AND ($3::text IS NULL OR created_by = $3) \
             AND ($4::int8 IS NULL OR created_at_us >= $4) AND ($5::int8 IS NULL OR created_at_us < $5) AND ($6::uuid IS NULL OR id < $6) \
             AND ($8::text IS NULL OR team_id = $8) AND ($9::text IS NULL OR params ->> $9 = $10) ORDER BY id DESC LIMIT $7"
        ))
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
        .fetch_all(&self.pool)
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
        history::read(&mut *self.pool.acquire().await?, id, after, limit).await
    }

    async fn step_duration_stats(&self, package_name: &str) -> Result<Vec<StepDurationStats>, Error> {
        let rows: Vec<(String, f64, i64)> = sqlx::query_as(
            "SELECT s.step_id, AVG(s.finished_at_us - s.started_at_us)::float8, COUNT(*) FROM steps s JOIN executions e ON e.id = s.execution_id \
             WHERE e.package_name = $1 AND s.status = 'succeeded' AND s.started_at_us IS NOT NULL GROUP BY s.step_id",
        )
        .bind(package_name)
        .fetch_all(&self.pool)
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
        let mut tx = self.pool.begin().await?;
        let id = crate::new_execution_id();
        let inserted = sqlx::query(
            "INSERT INTO schedule_ticks (package_name, schedule_name, tick_at_us, execution_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(&execution.package.name)
        .bind(schedule)
        .bind(to_us(tick))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(None);
        }
        self.insert_executions(&mut tx, &[(id, execution)], now).await?;
        Self::notify(&mut tx).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn sync_package_schedules(
        &self,
        package_name: &str,
        declared: &[ScheduleRow],
        now: Timestamp,
    ) -> Result<(), Error> {
        let mut tx = self.pool.begin().await?;
        let existing: Vec<String> =
            sqlx::query_scalar("SELECT name FROM schedules WHERE package_name = $1 AND source = 'package'")
                .bind(package_name)
                .fetch_all(&mut *tx)
                .await?;
        for name in existing.iter().filter(|n| !declared.iter().any(|d| &d.name == *n)) {
            sqlx::query("DELETE FROM schedules WHERE package_name = $1 AND name = $2")
                .bind(package_name)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        for d in declared {
            sqlx::query(
                "INSERT INTO schedules (package_name, name, cron, timezone, params, enabled, source, created_by, created_at_us, updated_at_us) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'package', NULL, $7, $8) \
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
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(schedule_row).collect()
    }

    async fn create_schedule(&self, d: &ScheduleRow, now: Timestamp) -> Result<(), Error> {
        let result = sqlx::query(
            "INSERT INTO schedules (package_name, name, cron, timezone, params, enabled, source, created_by, created_at_us, updated_at_us) \
             VALUES ($1, $2, $3, $4, $5, $6, 'api', $7, $8, $9)",
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
        .execute(&self.pool)
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
            "UPDATE schedules SET enabled = $1, updated_at_us = $2 WHERE package_name = $3 AND name = $4 \
             RETURNING package_name, name, cron, timezone, params, enabled, source, created_by",
        )
        .bind(enabled)
        .bind(to_us(now))
        .bind(package_name)
        .bind(name)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("schedule `{package_name}/{name}`")))?;
        schedule_row(&row)
    }

    async fn delete_schedule(&self, package_name: &str, name: &str) -> Result<ScheduleRow, Error> {
        let row = sqlx::query(
            "DELETE FROM schedules WHERE package_name = $1 AND name = $2 \
             RETURNING package_name, name, cron, timezone, params, enabled, source, created_by",
        )
        .bind(package_name)
        .bind(name)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("schedule `{package_name}/{name}`")))?;
        schedule_row(&row)
    }

    async fn last_schedule_tick(&self, package_name: &str, schedule: &str) -> Result<Option<Timestamp>, Error> {
        let us: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(tick_at_us) FROM schedule_ticks WHERE package_name = $1 AND schedule_name = $2",
        )
        .bind(package_name)
        .bind(schedule)
        .fetch_one(&self.pool)
        .await?;
        Ok(us.map(from_us))
    }

    async fn fail_exhausted(&self, now: Timestamp) -> Result<u64, Error> {
        let mut tx = self.pool.begin().await?;
        let message = "lease expired on the last attempt (worker lost)";
        let rows: Vec<(Uuid, String, i32)> = sqlx::query_as(
            "UPDATE steps SET status = 'failed', error = $2, finished_at_us = $1, lease_owner = NULL, lease_expires_at_us = NULL \
             WHERE status = 'running' AND lease_expires_at_us <= $1 AND attempt >= max_attempts RETURNING execution_id, step_id, attempt",
        )
        .bind(to_us(now))
        .bind(message)
        .fetch_all(&mut *tx)
        .await?;
        let mut events = Events::default();
        for (id, step_id, attempt) in &rows {
            events.push(*id, event::LEASE_EXPIRED, Some(step_id.clone()), Some(*attempt), None);
            fail_execution(&mut tx, &mut events, *id, step_id, message, now).await?;
        }
        events.insert(&mut tx, now).await?;
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    async fn delete_finished_before(&self, cutoff: Timestamp, limit: u32) -> Result<u64, Error> {
        let mut tx = self.pool.begin().await?;
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "DELETE FROM executions WHERE id IN (SELECT id FROM executions WHERE created_at_us < $1 AND finished_at_us < $1 \
             AND status IN ('completed', 'failed', 'cancelled') ORDER BY created_at_us LIMIT $2) RETURNING id",
        )
        .bind(to_us(cutoff))
        .bind(limit as i64)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM steps WHERE execution_id = ANY($1)").bind(&ids).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM events WHERE execution_id = ANY($1)").bind(&ids).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM signals WHERE execution_id = ANY($1)").bind(&ids).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(ids.len() as u64)
    }

    async fn queue_depth(&self, now: Timestamp) -> Result<u64, Error> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM steps s JOIN executions e ON e.id = s.execution_id \
             WHERE s.status = 'ready' AND s.ready_at_us <= $1 AND e.status IN ('pending', 'running')",
        )
        .bind(to_us(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(n as u64)
    }

    async fn worker_seen(&self, worker: &str, started: Timestamp, running: u32, now: Timestamp) -> Result<(), Error> {
        sqlx::query("INSERT INTO workers (id, started_at_us, last_seen_at_us, running_steps) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET last_seen_at_us = excluded.last_seen_at_us, running_steps = excluded.running_steps")
            .bind(worker)
            .bind(to_us(started))
            .bind(to_us(now))
            .bind(running as i32)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn workers_seen_since(&self, since: Timestamp) -> Result<Vec<WorkerInfo>, Error> {
        let rows: Vec<(String, i64, i64, i32)> = sqlx::query_as("SELECT id, started_at_us, last_seen_at_us, running_steps FROM workers WHERE last_seen_at_us >= $1 ORDER BY last_seen_at_us DESC")
            .bind(to_us(since))
            .fetch_all(&self.pool)
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
        let rows = sqlx::query(&format!(
            "SELECT e.id AS execution_id, e.package_name, e.status AS execution_status, e.created_at_us, e.finished_at_us AS execution_finished_at_us, \
             s.step_id, s.status, s.attempt, s.started_at_us, s.finished_at_us, s.error \
             FROM (SELECT id, package_name, {STATUS} AS status, created_at_us, finished_at_us FROM executions e \
                   WHERE ($1::text IS NULL OR {STATUS} = $1) AND ($2::text IS NULL OR package_name = $2) AND ($3::text IS NULL OR created_by = $3) \
                   AND ($4::int8 IS NULL OR created_at_us >= $4) AND ($5::int8 IS NULL OR created_at_us < $5) AND ($6::text IS NULL OR team_id = $6) \
                   AND ($8::text IS NULL OR params ->> $8 = $9) ORDER BY id DESC LIMIT $7) e JOIN steps s ON s.execution_id = e.id"
        ))
        .bind(f.status.map(|s| s.as_str()))
        .bind(&f.package_name)
        .bind(&f.created_by)
        .bind(f.created_after.map(to_us))
        .bind(f.created_before.map(to_us))
        .bind(&f.team_id)
        .bind(f.limit.clamp(1, 100_000) as i64)
        .bind(f.param.as_ref().map(|p| &p.0))
        .bind(f.param.as_ref().map(|p| &p.1))
        .fetch_all(&self.pool)
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
            sqlx::query_as(&format!("SELECT {STATUS}, COUNT(*) FROM executions e GROUP BY 1"))
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(|(s, n)| Ok((execution_status(&s)?, n as u64))).collect()
    }
}

impl PgStore {
    async fn control_once(
        &self,
        id: Uuid,
        control: Control,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<ExecutionStatus, Error> {
        let now_us = to_us(now);
        let mut tx = self.pool.begin().await?;
        let view =
            Self::read_execution(&mut tx, id, true).await?.ok_or_else(|| Error::NotFound(format!("execution {id}")))?;
        let package = self.load_package(&mut tx, &view.package_name, view.package_version).await?;
        let plan = plan::plan_control(&view, &package, control, now)?;
        if plan.no_op {
            return Ok(plan.status);
        }
        for w in &plan.steps {
            sqlx::query(
                "UPDATE steps SET status = $1, pending_deps = $2, ready_at_us = COALESCE($3, ready_at_us), max_attempts = $4, \
                 lease_owner = NULL, lease_expires_at_us = NULL, \
                 finished_at_us = CASE WHEN $1 = 'cancelled' THEN $5 ELSE NULL END, \
                 error = CASE WHEN $1 = 'cancelled' THEN error ELSE NULL END \
                 WHERE execution_id = $6 AND idx = $7",
            )
            .bind(w.status.as_str())
            .bind(w.pending_deps)
            .bind(w.ready_at.map(to_us))
            .bind(w.max_attempts)
            .bind(now_us)
            .bind(id)
            .bind(w.step.0 as i16)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE executions SET status = $1, steps_remaining = $2, updated_at_us = $3, started_at_us = $6, \
             finished_at_us = CASE WHEN $4 THEN $3 ELSE NULL END, error = CASE WHEN $4 THEN error ELSE NULL END WHERE id = $5",
        )
        .bind(plan.status.as_str())
        .bind(plan.steps_remaining)
        .bind(now_us)
        .bind(plan.finished)
        .bind(id)
        .bind(view.started_at.map(to_us))
        .execute(&mut *tx)
        .await?;
        if control == Control::Resume {
            sqlx::query(
                "UPDATE steps SET ready_at_us = ready_at_us - $2 WHERE execution_id = $1 AND status = 'ready' AND ready_at_us >= $2",
            )
            .bind(id)
            .bind(PARKED_US)
            .execute(&mut *tx)
            .await?;
        }
        let mut events = Events::default();
        events.push(id, event::for_control(control), None, None, reason.map(|r| serde_json::json!({ "reason": r })));
        events.insert(&mut tx, now).await?;
        Self::notify(&mut tx).await?;
        tx.commit().await?;
        Ok(plan.status)
    }
}

/// Creates a fresh database next to the one `admin_url` names and returns its URL. For tests and
/// benchmarks, which each get a database of their own.
pub async fn create_database(admin_url: &str, name: &str) -> Result<String, Error> {
    assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "database name must be an identifier");
    let mut conn = <PgConnection as sqlx::Connection>::connect(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
    Ok(database_url(admin_url, name))
}

/// `admin_url` with its database name replaced by `name` (query parameters kept).
pub fn database_url(admin_url: &str, name: &str) -> String {
    let (without_query, query) = admin_url.split_at(admin_url.find('?').unwrap_or(admin_url.len()));
    let host_start = without_query.find("://").map_or(0, |i| i + 3);
    let base = match without_query[host_start..].find('/') {
        Some(i) => &without_query[..host_start + i],
        None => without_query,
    };
    format!("{base}/{name}{query}")
}

/// Drops a database made by [`create_database`].
pub async fn drop_database(admin_url: &str, name: &str) -> Result<(), Error> {
    assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "database name must be an identifier");
    let mut conn = <PgConnection as sqlx::Connection>::connect(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await?;
    Ok(())
}

fn schedule_row(r: &PgRow) -> Result<ScheduleRow, Error> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintenance_is_due_once_per_multiple() {
        let counter = AtomicU64::new(0);
        let due: Vec<bool> = [9, 1, 5, 5, 25, 3].iter().map(|&n| crossed(&counter, n, 10)).collect();
        // 9 → 10 crosses, 10 → 15 no, 15 → 20 crosses, 20 → 45 crosses (once), 45 → 48 no.
        assert_eq!(due, [false, true, false, true, true, false]);
    }
}
