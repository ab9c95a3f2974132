//! The analytics overview for the user's scope (an agent sees their own, a team leader the
//! team's): the period's figures, each KPI's trend as a bar chart, goals, the agents' breakdown,
//! and the PDF and XLSX exports.

use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{Html, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api_client::Outgoing;
use crate::error::PageError;
use crate::session::Session;
use crate::{chart, views, Api};

/// The periods the API knows.
const PERIODS: &[&str] = &["7d", "30d", "90d", "ytd"];

#[derive(Deserialize)]
pub(crate) struct OverviewQuery {
    period: Option<String>,
    format: Option<String>,
}

fn period(q: &OverviewQuery) -> &str {
    q.period.as_deref().filter(|p| PERIODS.contains(p)).unwrap_or("30d")
}

pub(crate) async fn overview(
    State(api): State<Api>,
    session: Session,
    Query(q): Query<OverviewQuery>,
) -> Result<Html<String>, PageError> {
    let period = period(&q);
    let o = api.get(&session.caller, &format!("/api/v1/analytics/dashboard/overview?period={period}")).await?;
    let trends: Vec<Value> = o["kpi_trends"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let points: Vec<(String, Option<f64>)> = t["series"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| (p["start"].as_str().unwrap_or_default().to_string(), p["value"].as_f64()))
                .collect();
            json!({ "trend": t, "chart": chart::bars(&points) })
        })
        .collect();
    let mut ctx = views::page(&session, "analytics");
    ctx.insert("o", &o);
    ctx.insert("trends", &trends);
    ctx.insert("periods", PERIODS);
    ctx.insert("period", period);
    views::render("analytics.html", &ctx)
}

/// The overview as a PDF or XLSX file, passed through from the API with its headers.
pub(crate) async fn export(
    State(api): State<Api>,
    session: Session,
    Query(q): Query<OverviewQuery>,
) -> Result<Response, PageError> {
    let format = match q.format.as_deref() {
        Some(f @ ("pdf" | "xlsx")) => f,
        _ => return Err(PageError::BadRequest("format must be pdf or xlsx".into())),
    };
    let path = format!("/api/v1/analytics/dashboard/overview/export?format={format}&period={}", period(&q));
    let response = api.send(&session.caller, Method::GET, &path, Outgoing::Empty, &[]).await;
    super::files::pass_through(response).await
}
