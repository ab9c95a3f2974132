//! `GET /executions/{id}/stream`: Server-Sent Events of an execution's history as it happens.
//!
//! Each stored event is sent with its id, so a client that reconnects with `Last-Event-ID`
//! resumes where it stopped; after every batch a `progress` event (no id) carries the
//! percentage and ETA. The stream ends once the execution is terminal and everything was sent.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Extension;
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::json;
use uuid::Uuid;

use super::{parse_id, visible_status};
use crate::auth::Caller;
use crate::{ApiError, AppState};

/// How often the store is asked for new events while nothing arrives.
const POLL: Duration = Duration::from_millis(200);
const BATCH: u32 = 500;

struct Cursor {
    state: AppState,
    id: Uuid,
    after: i64,
    finished: bool,
}

pub(crate) async fn stream(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let id = parse_id(&id)?;
    visible_status(&s, &caller, id).await?;
    let after = match headers.get("last-event-id") {
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
            .ok_or_else(|| ApiError::bad_request("invalid_last_event_id", "Last-Event-ID must be an event id"))?,
        None => 0,
    };
    let cursor = Cursor { state: s, id, after, finished: false };
    let events = stream::unfold(cursor, next_batch).flat_map(|batch| stream::iter(batch.into_iter().map(Ok)));
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// Waits for the next events; `None` ends the stream.
async fn next_batch(mut c: Cursor) -> Option<(Vec<Event>, Cursor)> {
    if c.finished {
        return None;
    }
    loop {
        // The status is read before the events: once it is terminal, every event is stored, so
        // the batch read next is complete. (Read after, an execution finishing in between would
        // end the stream without its last events.)
        let before = c.state.rt.status(c.id).await.ok();
        let terminal = before.as_ref().is_none_or(|v| v.execution.status.is_terminal());
        let events = match c.state.rt.store.events(c.id, c.after, BATCH).await {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, "event stream read failed");
                return Some((
                    vec![Event::default().event("error").data("event store unavailable")],
                    Cursor { finished: true, ..c },
                ));
            }
        };
        if events.is_empty() {
            if terminal {
                return None;
            }
            tokio::time::sleep(POLL).await;
            continue;
        }
        let mut out: Vec<Event> = events
            .iter()
            .map(|e| {
                let data = json!({ "id": e.id, "kind": e.kind, "at": e.at, "step_id": e.step_id, "attempt": e.attempt, "detail": e.detail });
                Event::default().id(e.id.to_string()).event(e.kind.clone()).data(data.to_string())
            })
            .collect();
        c.after = events.last().map_or(c.after, |e| e.id);
        // Progress as of after these events (a fresh read unless already terminal).
        let status = if terminal { before } else { c.state.rt.status(c.id).await.ok() };
        if let Some(v) = status {
            let data = json!({
                "status": v.execution.status.as_str(),
                "progress_percentage": (v.progress.percentage * 10.0).round() / 10.0,
                "completed_steps": v.progress.completed,
                "total_steps": v.progress.total,
                "estimated_time_remaining": v.estimated_remaining.as_secs_f64(),
            });
            out.push(Event::default().event("progress").data(data.to_string()));
        }
        // Ends after this batch only if the store had nothing more to give.
        c.finished = terminal && events.len() < BATCH as usize;
        return Some((out, c));
    }
}
