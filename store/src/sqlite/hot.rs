//! The hot path's statements on the writer thread's connection: start executions, claim,
//! complete (with successors and execution completion), heartbeat and release. Each function
//! runs inside the transaction [`super::writer::Writer::run`] opened; none commits.
//!
//! Column encodings match what sqlx writes for the cold paths: UUIDs as 16-byte blobs, JSON as
//! text, booleans as 0/1, instants as microseconds.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use engine::{Package, StepIdx};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::Value;
use uuid::Uuid;

use crate::plan::{self, event, outcome_event, outcome_status};
use crate::types::*;
use crate::{Error, PackageCache};

fn uuid_at(row: &Row, i: usize) -> Result<Uuid, Error> {
    match row.get_ref(i)? {
        ValueRef::Blob(b) => Uuid::from_slice(b).map_err(|e| Error::Corrupt(format!("bad execution id: {e}"))),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(|t| Uuid::parse_str(t).ok())
            .ok_or_else(|| Error::Corrupt("bad execution id".into())),
        _ => Err(Error::Corrupt("execution id is not a blob".into())),
    }
}

fn json_at(row: &Row, i: usize) -> Result<Option<Value>, Error> {
    let text = match row.get_ref(i)? {
        ValueRef::Null => return Ok(None),
        ValueRef::Text(t) | ValueRef::Blob(t) => t,
        _ => return Err(Error::Corrupt("JSON column holds a number".into())),
    };
    serde_json::from_slice(text).map(Some).map_err(|e| Error::Corrupt(format!("stored JSON does not parse: {e}")))
}

fn load_package(conn: &Connection, cache: &PackageCache, name: &str, version: i32) -> Result<Arc<Package>, Error> {
    if let Some(p) = cache.get(name, version) {
        return Ok(p);
    }
    let source: String = conn
        .prepare_cached("SELECT source FROM package_versions WHERE name = ?1 AND version = ?2")?
        .query_row(params![name, version], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::Corrupt(format!("package {name} v{version} is missing")))?;
    cache.parse_stored(name, version, &source)
}

fn insert_event(
    conn: &Connection,
    execution_id: Uuid,
    at_us: i64,
    kind: &str,
    step_id: Option<&str>,
    attempt: Option<i32>,
    detail: Option<&Value>,
) -> Result<(), Error> {
    let detail = detail.map(Value::to_string);
    conn.prepare_cached(
        "INSERT INTO events (execution_id, at_us, kind, step_id, attempt, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![execution_id.as_bytes().as_slice(), at_us, kind, step_id, attempt, detail])?;
    Ok(())
}

pub(crate) fn start_executions(
    conn: &Connection,
    batch: &[NewExecution],
    now: Timestamp,
) -> Result<Vec<Started>, Error> {
    let now_us = to_us(now);
    let mut out = Vec::with_capacity(batch.len());
    for new in batch {
        if let Some(key) = &new.idempotency_key {
            let existing = conn
                .prepare_cached("SELECT id FROM executions WHERE idempotency_key = ?1")?
                .query_row([key], |r| Ok(uuid_at(r, 0)))
                .optional()?
                .transpose()?;
            if let Some(id) = existing {
                out.push(Started { execution_id: id, created: false });
                continue;
            }
        }
        let id = crate::new_execution_id();
        insert_execution(conn, id, new, now_us)?;
        out.push(Started { execution_id: id, created: true });
    }
    Ok(out)
}

/// Inserts an execution with its steps (those without dependencies ready) and its first event.
fn insert_execution(conn: &Connection, id: Uuid, new: &NewExecution, now_us: i64) -> Result<(), Error> {
    let id_bytes = id.as_bytes().as_slice();
    let package = &new.package;
    conn.prepare_cached(
        "INSERT INTO executions (id, package_name, package_version, status, params, priority, idempotency_key, \
         created_by, team_id, steps_remaining, created_at_us, updated_at_us) \
         VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        id_bytes,
        package.name,
        new.package_version,
        new.params.to_string(),
        new.priority,
        new.idempotency_key,
        new.created_by,
        new.team_id,
        package.steps.len() as i32,
        now_us,
    ])?;
    let mut insert_step = conn.prepare_cached(
        "INSERT INTO steps (execution_id, idx, step_id, status, pending_deps, max_attempts, priority, ready_at_us) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, step) in package.steps.iter().enumerate() {
        let deps = step.depends_on.len() as i32;
        let status = if deps == 0 { "ready" } else { "pending" };
        let ready_at = (deps == 0).then(|| now_us + step.delay.as_micros() as i64);
        insert_step.execute(params![
            id_bytes,
            i as i64,
            step.id,
            status,
            deps,
            step.retry.max_attempts as i32,
            new.priority,
            ready_at
        ])?;
    }
    insert_event(conn, id, now_us, event::CREATED, None, None, None)?;
    Ok(())
}

/// Starts the execution for one schedule tick unless any node already did.
pub(crate) fn fire_schedule(
    conn: &Connection,
    schedule: &str,
    tick: Timestamp,
    new: &NewExecution,
    now: Timestamp,
) -> Result<Option<Uuid>, Error> {
    let id = crate::new_execution_id();
    let inserted = conn
        .prepare_cached(
            "INSERT INTO schedule_ticks (package_name, schedule_name, tick_at_us, execution_id) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )?
        .execute(params![new.package.name, schedule, to_us(tick), id.as_bytes().as_slice()])?;
    if inserted == 0 {
        return Ok(None);
    }
    insert_execution(conn, id, new, to_us(now))?;
    Ok(Some(id))
}

/// Fails the steps whose lease expired on their last attempt, and their executions.
pub(crate) fn fail_exhausted(conn: &Connection, now: Timestamp) -> Result<u64, Error> {
    const LOST: &str = "lease expired on the last attempt (worker lost)";
    let now_us = to_us(now);
    let mut stmt = conn.prepare_cached(
        "UPDATE steps SET status = 'failed', error = ?2, finished_at_us = ?1, lease_owner = NULL, lease_expires_at_us = NULL \
         WHERE status = 'running' AND lease_expires_at_us <= ?1 AND attempt >= max_attempts \
         RETURNING execution_id, step_id, attempt",
    )?;
    let mut rows = stmt.query(params![now_us, LOST])?;
    let mut lost: Vec<(Uuid, String, i32)> = Vec::new();
    while let Some(row) = rows.next()? {
        lost.push((uuid_at(row, 0)?, row.get(1)?, row.get(2)?));
    }
    drop(rows);
    for (id, step_id, attempt) in &lost {
        insert_event(conn, *id, now_us, event::LEASE_EXPIRED, Some(step_id), Some(*attempt), None)?;
        fail_execution(conn, *id, step_id, LOST, now_us)?;
    }
    Ok(lost.len() as u64)
}

/// The claim's filters over `s`, with `?3` = now: steps that are due, and leases that ran out.
const READY: &str = "s.status = 'ready' AND s.ready_at_us <= ?3";
const EXPIRED: &str = "s.status = 'running' AND s.lease_expires_at_us <= ?3 AND s.attempt < s.max_attempts";

/// The claim's statement for steps matching `filter`.
fn claim_sql(filter: &str) -> String {
    // CROSS JOIN keeps SQLite's join order: walk the ready steps in index order (`steps_ready` is
    // already sorted by priority, ready_at) and stop at the LIMIT, looking each execution up by
    // key. With a plain JOIN the planner starts from `executions_by_status`, reads every pending
    // execution and all its steps and sorts them: a claim that costs O(backlog).
    format!(
        "UPDATE steps SET status = 'running', attempt = attempt + 1, lease_owner = ?1, lease_expires_at_us = ?2, \
         started_at_us = ?3, first_started_at_us = COALESCE(first_started_at_us, ?3), finished_at_us = NULL \
         WHERE (execution_id, idx) IN ( \
            SELECT s.execution_id, s.idx FROM steps s CROSS JOIN executions e ON e.id = s.execution_id \
            WHERE e.status IN ('pending', 'running') AND {filter} \
            ORDER BY s.priority DESC, s.ready_at_us LIMIT ?4) \
         RETURNING execution_id, idx, step_id, attempt, max_attempts"
    )
}

/// Steps matching `filter` (SQL over `s`, with `?3` = now) move to running for `worker`,
/// highest priority first; returns (execution, idx, step_id, attempt, max_attempts).
fn claim_rows(
    conn: &Connection,
    filter: &str,
    worker: &str,
    max: usize,
    lease: Duration,
    now_us: i64,
) -> Result<Vec<(Uuid, i64, String, i32, i32)>, Error> {
    let sql = claim_sql(filter);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![worker, now_us + lease.as_micros() as i64, now_us, max as i64])?;
    let mut out = Vec::with_capacity(max);
    while let Some(row) = rows.next()? {
        out.push((uuid_at(row, 0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?));
    }
    Ok(out)
}

/// What every claimed step of one execution shares.
struct ExecutionContext {
    package: Arc<Package>,
    params: Value,
    created_by: Option<String>,
    team_id: Option<String>,
}

pub(crate) fn claim(
    conn: &Connection,
    cache: &PackageCache,
    worker: &str,
    max: usize,
    lease: Duration,
    now: Timestamp,
    reclaim: bool,
) -> Result<Vec<ClaimedStep>, Error> {
    let now_us = to_us(now);
    let mut rows = claim_rows(conn, READY, worker, max, lease, now_us)?;
    let fresh = rows.len();
    // Expired leases are the claim loop's to reclaim; a hand-off takes ready steps only.
    if reclaim && rows.len() < max {
        rows.extend(claim_rows(conn, EXPIRED, worker, max - rows.len(), lease, now_us)?);
    }
    // A fan-out claims several steps of one execution: read it once.
    let mut contexts: HashMap<Uuid, Arc<ExecutionContext>> = HashMap::new();
    let mut claimed = Vec::with_capacity(rows.len());
    for (i, (execution_id, idx, step_id, attempt, max_attempts)) in rows.into_iter().enumerate() {
        let context = match contexts.get(&execution_id) {
            Some(c) => c.clone(),
            None => {
                let c = Arc::new(execution_context(conn, cache, execution_id, now_us)?);
                contexts.insert(execution_id, c.clone());
                c
            }
        };
        let step = StepIdx(idx as u16);
        let mut outputs = serde_json::Map::new();
        if !context.package.dag.predecessors(step).is_empty() {
            let mut stmt = conn.prepare_cached(
                "SELECT step_id, output FROM steps WHERE execution_id = ?1 AND status = 'succeeded' AND output IS NOT NULL",
            )?;
            let mut rows = stmt.query([execution_id.as_bytes().as_slice()])?;
            while let Some(row) = rows.next()? {
                if let Some(output) = json_at(row, 1)? {
                    outputs.insert(row.get(0)?, output);
                }
            }
        }
        insert_event(conn, execution_id, now_us, event::STEP_STARTED, Some(&step_id), Some(attempt), None)?;
        claimed.push(ClaimedStep {
            attempt: StepAttempt { execution_id, step, attempt },
            max_attempts,
            reclaimed: i >= fresh,
            package: context.package.clone(),
            params: context.params.clone(),
            outputs,
            created_by: context.created_by.clone(),
            team_id: context.team_id.clone(),
        });
    }
    Ok(claimed)
}

/// Reads what a claimed step needs from its execution, and marks a pending execution running.
fn execution_context(
    conn: &Connection,
    cache: &PackageCache,
    execution_id: Uuid,
    now_us: i64,
) -> Result<ExecutionContext, Error> {
    let id = execution_id.as_bytes().as_slice();
    let (name, version, params, status, created_by, team_id) = conn
        .prepare_cached(
            "SELECT package_name, package_version, params, status, created_by, team_id FROM executions WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i32>(1)?,
                json_at(r, 2),
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?;
    if status == "pending" {
        conn.prepare_cached(
            "UPDATE executions SET status = 'running', started_at_us = ?1, updated_at_us = ?1 WHERE id = ?2",
        )?
        .execute(params![now_us, id])?;
    }
    Ok(ExecutionContext {
        package: load_package(conn, cache, &name, version)?,
        params: params?.unwrap_or(Value::Null),
        created_by,
        team_id,
    })
}

/// Returns which completions applied and whether any step became ready (a wake-up is due).
pub(crate) fn complete(conn: &Connection, batch: &[Completion], now: Timestamp) -> Result<(Vec<bool>, bool), Error> {
    let now_us = to_us(now);
    let mut accepted = Vec::with_capacity(batch.len());
    let mut done = Vec::new();
    let mut failed = Vec::new();
    let mut woke = false;
    for c in batch {
        let a = c.attempt;
        let (output, error, ready_at) = match &c.outcome {
            Outcome::Succeeded { output } => (Some(output.to_string()), None, None),
            Outcome::Skipped => (None, None, None),
            Outcome::Retry { at, error } => (None, Some(error.as_str()), Some(to_us(*at))),
            Outcome::Failed { error } => (None, Some(error.as_str()), None),
            Outcome::Wait { until, reason } => (None, Some(reason.as_str()), Some(to_us(*until))),
        };
        let waiting = matches!(c.outcome, Outcome::Wait { .. });
        let status = outcome_status(&c.outcome).as_str();
        let finished_at = (status != "ready").then_some(now_us);
        let step_id: Option<String> = conn
            .prepare_cached(
                "UPDATE steps SET status = ?1, output = ?2, error = ?3, ready_at_us = COALESCE(?4, ready_at_us), \
                 finished_at_us = ?5, lease_owner = NULL, lease_expires_at_us = NULL, \
                 waiting = ?6, max_attempts = max_attempts + ?6 \
                 WHERE execution_id = ?7 AND idx = ?8 AND attempt = ?9 AND status = 'running' \
                 RETURNING step_id",
            )?
            .query_row(
                params![
                    status,
                    output,
                    error,
                    ready_at,
                    finished_at,
                    waiting as i32,
                    a.execution_id.as_bytes().as_slice(),
                    a.step.0 as i64,
                    a.attempt
                ],
                |r| r.get(0),
            )
            .optional()?;
        let Some(step_id) = step_id else {
            accepted.push(false);
            continue;
        };
        accepted.push(true);
        let detail = error.map(|e| serde_json::json!({ "error": e }));
        insert_event(
            conn,
            a.execution_id,
            now_us,
            outcome_event(&c.outcome),
            Some(&step_id),
            Some(a.attempt),
            detail.as_ref(),
        )?;
        match &c.outcome {
            Outcome::Succeeded { .. } | Outcome::Skipped => done.push((a.execution_id, c.package.as_ref(), a.step)),
            Outcome::Retry { .. } | Outcome::Wait { .. } => woke = true,
            Outcome::Failed { error } => failed.push((a.execution_id, step_id, error.clone())),
        }
    }

    let updates = plan::successor_updates(done.iter().copied());
    for u in &updates {
        let became_ready: Option<String> = conn
            .prepare_cached(
                "UPDATE steps SET pending_deps = pending_deps - ?1, \
                 status = CASE WHEN pending_deps - ?1 <= 0 THEN 'ready' ELSE status END, \
                 ready_at_us = CASE WHEN pending_deps - ?1 <= 0 THEN ?2 ELSE ready_at_us END \
                 WHERE execution_id = ?3 AND idx = ?4 AND status = 'pending' \
                 RETURNING CASE WHEN status = 'ready' THEN step_id END",
            )?
            .query_row(
                params![u.done_deps, now_us + u.delay_us, u.execution_id.as_bytes().as_slice(), u.step.0 as i64],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten();
        if let Some(step_id) = became_ready {
            woke = true;
            insert_event(conn, u.execution_id, now_us, event::STEP_READY, Some(&step_id), None, None)?;
        }
    }

    let mut per_execution: BTreeMap<Uuid, i32> = BTreeMap::new();
    for (id, _, _) in &done {
        *per_execution.entry(*id).or_default() += 1;
    }
    for (id, n) in per_execution {
        let status: Option<String> = conn
            .prepare_cached(
                "UPDATE executions SET steps_remaining = steps_remaining - ?1, updated_at_us = ?2, \
                 status = CASE WHEN steps_remaining - ?1 <= 0 AND status IN ('pending', 'running', 'paused') \
                   THEN 'completed' ELSE status END, \
                 finished_at_us = CASE WHEN steps_remaining - ?1 <= 0 AND status IN ('pending', 'running', 'paused') \
                   THEN ?2 ELSE finished_at_us END \
                 WHERE id = ?3 RETURNING status",
            )?
            .query_row(params![n, now_us, id.as_bytes().as_slice()], |r| r.get(0))
            .optional()?;
        if status.as_deref() == Some("completed") {
            insert_event(conn, id, now_us, event::COMPLETED, None, None, None)?;
        }
    }
    for (id, step_id, error) in failed {
        fail_execution(conn, id, &step_id, &error, now_us)?;
    }
    Ok((accepted, woke))
}

/// A step failed for good: the rest of its execution is cancelled and the execution fails.
fn fail_execution(conn: &Connection, id: Uuid, step_id: &str, error: &str, now_us: i64) -> Result<(), Error> {
    let id_bytes = id.as_bytes().as_slice();
    conn.prepare_cached(
        "UPDATE steps SET status = 'cancelled', finished_at_us = ?1, lease_owner = NULL, lease_expires_at_us = NULL \
         WHERE execution_id = ?2 AND status IN ('pending', 'ready', 'running')",
    )?
    .execute(params![now_us, id_bytes])?;
    let changed = conn
        .prepare_cached(
            "UPDATE executions SET status = 'failed', error = ?1, finished_at_us = ?2, updated_at_us = ?2 \
             WHERE id = ?3 AND status IN ('pending', 'running', 'paused')",
        )?
        .execute(params![format!("step `{step_id}` failed: {error}"), now_us, id_bytes])?;
    if changed > 0 {
        let detail = serde_json::json!({ "error": error });
        insert_event(conn, id, now_us, event::FAILED, Some(step_id), None, Some(&detail))?;
    }
    Ok(())
}

pub(crate) fn heartbeat(
    conn: &Connection,
    worker: &str,
    held: &[StepAttempt],
    lease: Duration,
    now: Timestamp,
) -> Result<Vec<StepAttempt>, Error> {
    let expires = to_us(now) + lease.as_micros() as i64;
    let mut stmt = conn.prepare_cached(
        "UPDATE steps SET lease_expires_at_us = ?1 WHERE execution_id = ?2 AND idx = ?3 AND attempt = ?4 \
         AND status = 'running' AND lease_owner = ?5",
    )?;
    let mut lost = Vec::new();
    for a in held {
        if stmt.execute(params![expires, a.execution_id.as_bytes().as_slice(), a.step.0 as i64, a.attempt, worker])?
            == 0
        {
            lost.push(*a);
        }
    }
    Ok(lost)
}

pub(crate) fn release(conn: &Connection, worker: &str, held: &[StepAttempt]) -> Result<(), Error> {
    // The attempt was never run: give it back without spending it.
    let mut stmt = conn.prepare_cached(
        "UPDATE steps SET status = 'ready', attempt = attempt - 1, lease_owner = NULL, lease_expires_at_us = NULL \
         WHERE execution_id = ?1 AND idx = ?2 AND attempt = ?3 AND status = 'running' AND lease_owner = ?4",
    )?;
    for a in held {
        stmt.execute(params![a.execution_id.as_bytes().as_slice(), a.step.0 as i64, a.attempt, worker])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The claim's query plan on the real schema: what EXPLAIN QUERY PLAN prints, one line a step.
    fn plan(filter: &str) -> Vec<String> {
        let conn = Connection::open_in_memory().unwrap();
        for migration in super::super::MIGRATOR.iter() {
            conn.execute_batch(&migration.sql).unwrap();
        }
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", claim_sql(filter))).unwrap();
        let rows = stmt.query_map(params!["w", 0, 0, 128], |row| row.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).collect()
    }

    #[test]
    fn the_ready_claim_walks_steps_ready_and_stops_at_its_limit() {
        let plan = plan(READY);
        // Steps first, in index order; each execution looked up by its id; no sort of the backlog.
        let position = |prefix: &str| plan.iter().position(|l| l.starts_with(prefix));
        let steps = position("SCAN s USING INDEX steps_ready").unwrap_or_else(|| panic!("{plan:#?}"));
        let execution = position("SEARCH e ").unwrap_or_else(|| panic!("{plan:#?}"));
        assert!(steps < execution && plan[execution].contains("id=?"), "{plan:#?}");
        assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{plan:#?}");
    }
}
