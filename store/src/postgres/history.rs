//! The event log on PostgreSQL: one row per execution per transaction.
//!
//! A transaction's events for one execution are stored together, as a JSON array in one row,
//! the way Temporal stores a workflow's history as one batch per transaction. Each row inserted is
//! a heap tuple, an index entry and a WAL record; a single-step job used to write three of them
//! (started; succeeded and completed) and now writes two, and a DAG step handed off inside the
//! completion that readied it writes about one.
//!
//! Ids stay one per event: the events sequence steps by [`ID_STRIDE`], a row's id is its first
//! event's and entry `k` has `id + k`. Rows written before the batches keep their ids as
//! single-entry rows, so cursors taken then still work.

use std::collections::HashMap;

use serde_json::Value;
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::types::{from_us, to_us, EventRecord, Timestamp};
use crate::Error;

/// The events sequence's increment (migration 0026), hence the most entries one row may hold.
pub(super) const ID_STRIDE: usize = 1024;

/// One entry of a row's array: `[kind, step_id, attempt, detail]`.
type Entry = (String, Option<String>, Option<i32>, Option<Value>);

/// A transaction's events, grouped by execution in the order they were pushed.
#[derive(Default)]
pub(super) struct Events {
    ids: Vec<Uuid>,
    /// Each row's entries, as the JSON array text the statement casts to `json`.
    entries: Vec<String>,
    counts: Vec<usize>,
    /// The row an execution's next event goes into.
    open: HashMap<Uuid, usize>,
}

impl Events {
    /// Appends the rows in order; `$1` is the time, `$2`/`$3` the executions and their entries.
    pub(super) const INSERT: &'static str = "INSERT INTO events (execution_id, at_us, entries) \
         SELECT u.id, $1, u.entries::json \
         FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS u(id, entries, n) ORDER BY u.n";

    pub(super) fn push(
        &mut self,
        id: Uuid,
        kind: &'static str,
        step: Option<String>,
        attempt: Option<i32>,
        detail: Option<Value>,
    ) {
        let row = match self.open.get(&id) {
            Some(&row) if self.counts[row] < ID_STRIDE => row,
            _ => {
                self.ids.push(id);
                self.entries.push(String::from("["));
                self.counts.push(0);
                self.open.insert(id, self.ids.len() - 1);
                self.ids.len() - 1
            }
        };
        let text = &mut self.entries[row];
        if self.counts[row] > 0 {
            text.push(',');
        }
        self.counts[row] += 1;
        // Serialising strings, integers and a `Value` cannot fail.
        let entry = serde_json::to_string(&(kind, step, attempt, detail)).expect("an event serialises");
        text.push_str(&entry);
    }

    pub(super) fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The executions and entry arrays to bind as `$2` and `$3` of [`Events::INSERT`].
    pub(super) fn rows(mut self) -> (Vec<Uuid>, Vec<String>) {
        for text in &mut self.entries {
            text.push(']');
        }
        (self.ids, self.entries)
    }

    pub(super) async fn insert(self, conn: &mut PgConnection, now: Timestamp) -> Result<(), Error> {
        if self.is_empty() {
            return Ok(());
        }
        let (ids, entries) = self.rows();
        sqlx::query(Self::INSERT).bind(to_us(now)).bind(&ids).bind(&entries).execute(conn).await?;
        Ok(())
    }
}

/// Up to `limit` events of one execution with ids above `after`, in order.
pub(super) async fn read(
    conn: &mut PgConnection,
    execution_id: Uuid,
    after: i64,
    limit: u32,
) -> Result<Vec<EventRecord>, Error> {
    // A row whose first id is at or below `after` may still hold later entries; every row the
    // filter passes holds at least one, so `limit` rows are enough.
    let rows: Vec<(i64, i64, Json<Vec<Entry>>)> = sqlx::query_as(
        "SELECT id, at_us, entries FROM events \
         WHERE execution_id = $1 AND id > $2 AND id + json_array_length(entries) - 1 > $3 \
         ORDER BY id LIMIT $4",
    )
    .bind(execution_id)
    .bind(after.saturating_sub(ID_STRIDE as i64))
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    let mut events = Vec::new();
    for (first, at_us, Json(entries)) in rows {
        for (k, (kind, step_id, attempt, detail)) in entries.into_iter().enumerate() {
            let id = first + k as i64;
            if id <= after {
                continue;
            }
            if events.len() == limit as usize {
                return Ok(events);
            }
            events.push(EventRecord { id, execution_id, at: from_us(at_us), kind, step_id, attempt, detail });
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_execution_in_push_order() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut events = Events::default();
        events.push(a, "step_succeeded", Some("x".into()), Some(1), None);
        events.push(b, "step_started", Some("y".into()), Some(2), None);
        events.push(a, "execution_completed", None, None, Some(serde_json::json!({ "k": "v" })));
        let (ids, entries) = events.rows();
        assert_eq!(ids, [a, b]);
        assert_eq!(
            entries,
            [
                r#"[["step_succeeded","x",1,null],["execution_completed",null,null,{"k":"v"}]]"#,
                r#"[["step_started","y",2,null]]"#
            ]
        );
    }

    #[test]
    fn a_full_row_starts_another() {
        let a = Uuid::from_u128(1);
        let mut events = Events::default();
        for _ in 0..ID_STRIDE + 1 {
            events.push(a, "step_ready", None, None, None);
        }
        let (ids, entries) = events.rows();
        assert_eq!(ids, [a, a]);
        let parsed: Vec<Vec<Entry>> = entries.iter().map(|e| serde_json::from_str(e).unwrap()).collect();
        assert_eq!((parsed[0].len(), parsed[1].len()), (ID_STRIDE, 1));
    }

    /// Migration 0026 on a database that already holds events in the old one-row-per-event
    /// table: every event keeps its id, kind, step, attempt, detail and time, cursors taken before
    /// the migration still resume where they were, and the next batch's ids start above them.
    #[tokio::test]
    async fn migration_0026_keeps_old_events_and_their_ids() {
        use sqlx::Connection;

        let admin =
            std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("aura_test_history_{}", Uuid::new_v4().simple());
        let url = super::super::create_database(&admin, &name)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL is required for this test and was not reachable at {admin} ({e})"));
        let mut conn = PgConnection::connect(&url).await.unwrap();
        let migrations = || super::super::MIGRATOR.iter();
        for m in migrations().filter(|m| m.version < 26) {
            sqlx::raw_sql(&m.sql).execute(&mut conn).await.unwrap();
        }
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        sqlx::query(
            "INSERT INTO events (execution_id, at_us, kind, step_id, attempt, detail) VALUES \
             ($1, 10, 'execution_started', NULL, NULL, '{\"by\": \"agent\"}'), \
             ($1, 11, 'step_started', 'fetch', 1, NULL), \
             ($2, 12, 'step_started', 'other', 2, NULL), \
             ($1, 13, 'step_failed', 'fetch', 1, '{\"error\": \"timeout\"}')",
        )
        .bind(a)
        .bind(b)
        .execute(&mut conn)
        .await
        .unwrap();

        let m26 = migrations().find(|m| m.version == 26).expect("migration 0026");
        sqlx::raw_sql(&m26.sql).execute(&mut conn).await.unwrap();

        let seen = |events: Vec<EventRecord>| -> Vec<(i64, i64, String, Option<String>, Option<i32>, Option<Value>)> {
            events.into_iter().map(|e| (e.id, to_us(e.at), e.kind, e.step_id, e.attempt, e.detail)).collect()
        };
        let s = |t: &str| Some(t.to_string());
        assert_eq!(
            seen(read(&mut conn, a, 0, 10).await.unwrap()),
            [
                (1, 10, "execution_started".into(), None, None, Some(serde_json::json!({ "by": "agent" }))),
                (2, 11, "step_started".into(), s("fetch"), Some(1), None),
                (4, 13, "step_failed".into(), s("fetch"), Some(1), Some(serde_json::json!({ "error": "timeout" }))),
            ]
        );
        assert_eq!(
            seen(read(&mut conn, b, 0, 10).await.unwrap()),
            [(3, 12, "step_started".into(), s("other"), Some(2), None)]
        );
        // A cursor taken before the migration resumes after the same event.
        let after_two: Vec<i64> = read(&mut conn, a, 2, 10).await.unwrap().iter().map(|e| e.id).collect();
        assert_eq!(after_two, [4]);

        // New batches continue above every old id, on a stride boundary, entries numbered within.
        let mut events = Events::default();
        events.push(a, "step_started", s("fetch"), Some(2), None);
        events.push(a, "step_succeeded", s("fetch"), Some(2), None);
        events.insert(&mut conn, from_us(20)).await.unwrap();
        let after_old: Vec<(i64, String)> =
            read(&mut conn, a, 4, 10).await.unwrap().into_iter().map(|e| (e.id, e.kind)).collect();
        let first = ID_STRIDE as i64;
        assert_eq!(after_old, [(first, "step_started".into()), (first + 1, "step_succeeded".into())]);

        drop(conn);
        super::super::drop_database(&admin, &name).await.unwrap();
    }
}
