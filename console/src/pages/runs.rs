//! The runs list: `GET /api/v1/workflows/executions` with its filters (package, status, who
//! started it, the Dubai days it started between, a parameter's value) and cursor paging; several runs at once can be
//! cancelled or retried.

use axum::extract::{Form, Query, State};
use axum::http::Method;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use crate::api_client::Outgoing;
use crate::error::PageError;
use crate::session::Session;
use crate::urlencode::{encode, query};
use crate::{views, Api};

/// The statuses an execution can have, for the filter.
pub(crate) const STATUSES: &[&str] = &["pending", "running", "paused", "completed", "failed", "cancelled"];
/// The actions the list applies to every ticked run.
const BULK_ACTIONS: &[&str] = &["cancel", "retry"];
/// Dates in the filter are Dubai days (UTC+4 all year).
const DUBAI_OFFSET: &str = "+04:00";

#[derive(Deserialize, Default)]
pub(crate) struct Filters {
    package: Option<String>,
    status: Option<String>,
    /// `me`: only the runs the signed-in user started.
    mine: Option<String>,
    /// `YYYY-MM-DD`: started on or after this Dubai day.
    from: Option<String>,
    /// `YYYY-MM-DD`: started on or before this Dubai day.
    to: Option<String>,
    /// `name:value`: a parameter's value (`property_id:CON-1`).
    param: Option<String>,
    cursor: Option<String>,
    /// After a bulk action: how many runs took it and how many refused.
    done: Option<u32>,
    refused: Option<u32>,
}

/// A `YYYY-MM-DD` day as the instant it starts in Dubai (`end`: the instant the next day starts).
fn dubai_day(day: Option<&str>, end: bool) -> Result<Option<String>, PageError> {
    let Some(d) = day.map(str::trim).filter(|d| !d.is_empty()) else { return Ok(None) };
    let b = d.as_bytes();
    let valid = b.len() == 10 && b[4] == b'-' && b[7] == b'-' && d.chars().filter(|c| c.is_ascii_digit()).count() == 8;
    if !valid {
        return Err(PageError::BadRequest(format!("`{d}` is not a date (YYYY-MM-DD)")));
    }
    // The API compares instants; "to 2026-03-10" takes in the whole of the 10th.
    Ok(Some(if end { format!("{d}T23:59:59.999999{DUBAI_OFFSET}") } else { format!("{d}T00:00:00{DUBAI_OFFSET}") }))
}

pub(crate) async fn list(
    State(api): State<Api>,
    session: Session,
    Query(f): Query<Filters>,
) -> Result<Html<String>, PageError> {
    let me = session.me["id"].as_str().map(str::to_string);
    let mine = f.mine.as_deref() == Some("me");
    let (after, before) = (dubai_day(f.from.as_deref(), false)?, dubai_day(f.to.as_deref(), true)?);
    let filters = [
        ("package", f.package.as_deref()),
        ("status", f.status.as_deref()),
        ("mine", mine.then_some("me")),
        ("from", f.from.as_deref()),
        ("to", f.to.as_deref()),
        ("param", f.param.as_deref()),
    ];
    let asked = [
        ("package", f.package.as_deref()),
        ("status", f.status.as_deref()),
        ("created_by", if mine { me.as_deref() } else { None }),
        ("created_after", after.as_deref()),
        ("created_before", before.as_deref()),
        ("param", f.param.as_deref().map(str::trim).filter(|p| !p.is_empty())),
        ("cursor", f.cursor.as_deref()),
        ("limit", Some("25")),
    ];
    let runs = api.get(&session.caller, &format!("/api/v1/workflows/executions{}", query(&asked))).await?;
    let packages = api.get(&session.caller, "/api/v1/workflows/packages").await?;
    let mut ctx = views::page(&session, "runs");
    ctx.insert("runs", &runs["executions"]);
    ctx.insert("packages", &packages["packages"]);
    ctx.insert("statuses", STATUSES);
    ctx.insert("package", f.package.as_deref().unwrap_or_default());
    ctx.insert("status", f.status.as_deref().unwrap_or_default());
    ctx.insert("mine", &mine);
    ctx.insert("from", f.from.as_deref().unwrap_or_default());
    ctx.insert("to", f.to.as_deref().unwrap_or_default());
    ctx.insert("param", f.param.as_deref().unwrap_or_default());
    ctx.insert("filtered", &filters.iter().any(|(_, v)| v.is_some_and(|v| !v.is_empty())));
    ctx.insert("first_page", &f.cursor.is_none());
    ctx.insert("bulk", &f.done.map(|done| json!({ "done": done, "refused": f.refused.unwrap_or(0) })));
    if let Some(next) = runs["next_cursor"].as_str() {
        let mut next_query = filters.to_vec();
        next_query.push(("cursor", Some(next)));
        ctx.insert("next_page", &format!("/console/runs{}", query(&next_query)));
    }
    ctx.insert("first_page_url", &format!("/console/runs{}", query(&filters)));
    views::render("runs.html", &ctx)
}

/// `action=cancel|retry` for every ticked `id`, each through the API's control endpoint (which
/// refuses what the state machine forbids: a finished run cannot be cancelled).
pub(crate) async fn bulk(
    State(api): State<Api>,
    session: Session,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let action = match super::field(&form, "action") {
        Some(a) if BULK_ACTIONS.contains(&a) => a.to_string(),
        _ => return Err(PageError::BadRequest("action must be cancel or retry".into())),
    };
    let ids: Vec<&str> =
        form.iter().filter(|(k, _)| k == "id").map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect();
    if ids.is_empty() || ids.len() > 100 {
        return Err(PageError::BadRequest("tick between 1 and 100 runs".into()));
    }
    let (mut done, mut refused) = (0u32, 0u32);
    for id in ids {
        let path = format!("/api/v1/workflows/packages/{}/control", encode(id));
        match api.json(&session.caller, Method::POST, &path, Outgoing::Json(json!({ "action": action }))).await {
            Ok(_) => done += 1,
            Err(PageError::Api(_)) => refused += 1,
            Err(other) => return Err(other),
        }
    }
    Ok(Redirect::to(&format!("/console/runs?done={done}&refused={refused}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_days_are_dubai_days() {
        assert_eq!(dubai_day(Some("2026-03-10"), false).unwrap().unwrap(), "2026-03-10T00:00:00+04:00");
        assert_eq!(dubai_day(Some("2026-03-10"), true).unwrap().unwrap(), "2026-03-10T23:59:59.999999+04:00");
        assert_eq!(dubai_day(Some(" "), false).unwrap(), None);
        assert!(dubai_day(Some("10/03/2026"), false).is_err());
    }
}
