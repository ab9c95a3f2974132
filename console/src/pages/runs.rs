//! The runs list: `GET /api/v1/workflows/executions` with its filters and cursor paging.

use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

use crate::error::PageError;
use crate::session::Session;
use crate::urlencode::query;
use crate::{views, Api};

/// The statuses an execution can have, for the filter.
pub(crate) const STATUSES: &[&str] = &["pending", "running", "paused", "completed", "failed", "cancelled"];

#[derive(Deserialize, Default)]
pub(crate) struct Filters {
    package: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
}

pub(crate) async fn list(
    State(api): State<Api>,
    session: Session,
    Query(f): Query<Filters>,
) -> Result<Html<String>, PageError> {
    let filters = [("package", f.package.as_deref()), ("status", f.status.as_deref())];
    let mut asked = filters.to_vec();
    asked.push(("cursor", f.cursor.as_deref()));
    asked.push(("limit", Some("25")));
    let runs = api.get(&session.caller, &format!("/api/v1/workflows/executions{}", query(&asked))).await?;
    let packages = api.get(&session.caller, "/api/v1/workflows/packages").await?;
    let mut ctx = views::page(&session, "runs");
    ctx.insert("runs", &runs["executions"]);
    ctx.insert("packages", &packages["packages"]);
    ctx.insert("statuses", STATUSES);
    ctx.insert("package", f.package.as_deref().unwrap_or_default());
    ctx.insert("status", f.status.as_deref().unwrap_or_default());
    ctx.insert("first_page", &f.cursor.is_none());
    if let Some(next) = runs["next_cursor"].as_str() {
        let mut next_query = filters.to_vec();
        next_query.push(("cursor", Some(next)));
        ctx.insert("next_page", &format!("/console/runs{}", query(&next_query)));
    }
    ctx.insert("first_page_url", &format!("/console/runs{}", query(&filters)));
    views::render("runs.html", &ctx)
}
