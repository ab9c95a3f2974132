//! `/api/v1/analytics`: the performance dashboard (also at the seed's
//! `/api/v1/cma/analytics/dashboard/overview`), goals, custom dashboards, neighbourhood
//! comparison, and PDF/XLSX exports of the overview, of a dashboard and of a CMA report.
//!
//! Scoping: an agent sees their own figures, a team leader their team's (with a per-agent
//! breakdown) or one member's, an admin everything. A user or team the caller may not see
//! answers 404, like any other row. The figures come from `performance_metrics` only (see
//! `store::analytics`); the arithmetic is the pure `analytics` crate.

use std::collections::BTreeMap;

use analytics::export::{filename, Format};
use analytics::goals::{GoalRequest, ProgressView, Scope};
use analytics::kpi::{Kpi, Totals};
use analytics::overview::{self as ov, Daily, DayRow, Figure, PerformanceOverview, Trend, TrendView};
use analytics::period::{self, Period, Window};
use analytics::report::{self, Report, Section, Val};
use analytics::widgets::{GroupBy, Widget, WidgetKind};
use analytics::{AnalyticsError, FieldError};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::accounts::User;
use store::analytics::{Dashboard, Goal, GoalFilter, MetricScope, NewGoal};
use uuid::Uuid;
use valuation::Trends;

use crate::auth::Caller;
use crate::contract::{Answer, Contract};
use crate::{json as body, ApiError, AppState};

const EXPORTS: Answer =
    Answer::File(&["application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"]);
pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::get("/api/v1/analytics/dashboard/overview").query::<OverviewQuery>().json::<OverviewView>(),
    Contract::get("/api/v1/cma/analytics/dashboard/overview").query::<OverviewQuery>().json::<OverviewView>(),
    Contract::get("/api/v1/analytics/dashboard/overview/export").query::<OverviewQuery>().answer(200, EXPORTS),
    Contract::get("/api/v1/analytics/goals").json::<GoalList>(),
    Contract::post("/api/v1/analytics/goals").body::<analytics::goals::GoalRequest>().json_status::<GoalView>(201),
    Contract::get("/api/v1/analytics/dashboards").json::<DashboardList>(),
    Contract::post("/api/v1/analytics/dashboards").body::<DashboardBody>().json_status::<DashboardView>(201),
    Contract::get("/api/v1/analytics/dashboards/{id}").uuids(&["id"]).json::<DashboardWithData>(),
    Contract::put("/api/v1/analytics/dashboards/{id}").uuids(&["id"]).body::<DashboardBody>().json::<DashboardView>(),
    Contract::delete("/api/v1/analytics/dashboards/{id}").uuids(&["id"]).answer(204, Answer::Empty),
    Contract::get("/api/v1/analytics/dashboards/{id}/export")
        .uuids(&["id"])
        .query::<ExportQuery>()
        .answer(200, EXPORTS),
    Contract::get("/api/v1/analytics/insights/neighbourhoods")
        .query::<NeighbourhoodQuery>()
        .json::<NeighbourhoodComparison>(),
    Contract::get("/api/v1/cma/reports/{id}/export")
        .uuids(&["id"])
        .query::<ExportQuery>()
        .answer(200, EXPORTS)
        .errors(&[(409, "report_not_ready: the report's execution has not finished.")]),
];

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/analytics/dashboard/overview", get(overview))
        .route("/cma/analytics/dashboard/overview", get(overview))
        .route("/analytics/dashboard/overview/export", get(overview_export))
        .route("/analytics/goals", get(list_goals).post(create_goal))
        .route("/analytics/dashboards", get(list_dashboards).post(create_dashboard))
        .route("/analytics/dashboards/{id}", get(get_dashboard).put(update_dashboard).delete(delete_dashboard))
        .route("/analytics/dashboards/{id}/export", get(dashboard_export))
        .route("/analytics/insights/neighbourhoods", get(neighbourhoods))
        .route("/cma/reports/{id}/export", get(cma_export))
}

fn invalid(e: AnalyticsError) -> ApiError {
    match e {
        AnalyticsError::InvalidPeriod(_) => ApiError::bad_request("invalid_period", e.to_string()),
        AnalyticsError::UnknownKpi(_) => ApiError::bad_request("unknown_kpi", e.to_string()),
        AnalyticsError::Invalid(errors) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_fields",
            AnalyticsError::Invalid(errors.clone()).to_string(),
        )
        .with("errors", json!(errors)),
    }
}

fn fields(errors: Vec<FieldError>) -> ApiError {
    invalid(AnalyticsError::Invalid(errors))
}

fn parse_id(id: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::not_found(format!("{what} {id}")))
}

/// Today in Dubai, from the runtime's clock.
fn today(s: &AppState) -> NaiveDate {
    period::dubai_day(s.rt.clock.now())
}

/// Whose figures a request shows.
struct Subject {
    scope: MetricScope,
    /// `user`, `team` or `all`.
    kind: &'static str,
    label: String,
    /// The team of a user subject, for the goals that apply to them.
    team_of_user: Option<String>,
    /// Users listed in the per-agent breakdown (team and all scopes).
    members: Option<Vec<User>>,
}

fn sees_all(c: &Caller) -> bool {
    c.has("analytics:view_all")
}

fn leads_team(c: &Caller) -> Option<Uuid> {
    c.user.team_id.filter(|_| c.has("analytics:view_team"))
}

async fn subject(s: &AppState, c: &Caller, user_id: Option<&str>, team_id: Option<&str>) -> Result<Subject, ApiError> {
    if let Some(uid) = user_id.filter(|u| !u.is_empty()) {
        let id = parse_id(uid, "user")?;
        let user = s.accounts.user(id).await?.ok_or_else(|| ApiError::not_found(format!("user {uid}")))?;
        let visible = id == c.id() || sees_all(c) || leads_team(c).is_some_and(|t| user.team_id == Some(t));
        if !visible {
            return Err(ApiError::not_found(format!("user {uid}")));
        }
        return Ok(Subject {
            scope: MetricScope::User(id.to_string()),
            kind: "user",
            label: user.name.clone(),
            team_of_user: user.team_id.map(|t| t.to_string()),
            members: None,
        });
    }
    let team = match team_id.filter(|t| !t.is_empty()) {
        Some(tid) => {
            let id = parse_id(tid, "team")?;
            if !(sees_all(c) || leads_team(c) == Some(id)) {
                return Err(ApiError::not_found(format!("team {tid}")));
            }
            Some(id)
        }
        None if sees_all(c) => None,
        None => match leads_team(c) {
            Some(t) => Some(t),
            None => {
                return Ok(Subject {
                    scope: MetricScope::User(c.id().to_string()),
                    kind: "user",
                    label: c.user.name.clone(),
                    team_of_user: c.user.team_id.map(|t| t.to_string()),
                    members: None,
                })
            }
        },
    };
    match team {
        Some(id) => {
            let t = s.accounts.team(id).await?.ok_or_else(|| ApiError::not_found(format!("team {id}")))?;
            Ok(Subject {
                scope: MetricScope::Team(id.to_string()),
                kind: "team",
                label: t.name,
                team_of_user: None,
                members: Some(s.accounts.list_users(Some(id)).await?),
            })
        }
        None => Ok(Subject {
            scope: MetricScope::All,
            kind: "all",
            label: "All teams".into(),
            team_of_user: None,
            members: Some(s.accounts.list_users(None).await?),
        }),
    }
}

type Time = chrono::DateTime<chrono::Utc>;

/// Whose figures these are.
#[derive(Serialize, JsonSchema)]
struct ScopeView {
    #[schemars(extend("enum" = ["user", "team", "all"]))]
    kind: &'static str,
    user_id: Option<String>,
    team_id: Option<String>,
    label: String,
}

fn scope_view(sub: &Subject) -> ScopeView {
    let (user, team) = match &sub.scope {
        MetricScope::User(u) => (Some(u.clone()), sub.team_of_user.clone()),
        MetricScope::Team(t) => (None, Some(t.clone())),
        MetricScope::All => (None, None),
    };
    ScopeView { kind: sub.kind, user_id: user, team_id: team, label: sub.label.clone() }
}

/// A goal with its progress today.
#[derive(Serialize, JsonSchema)]
struct GoalView {
    goal_id: Uuid,
    scope: String,
    subject_id: String,
    team_id: Option<String>,
    kpi: String,
    target: f64,
    period_start: NaiveDate,
    period_end: NaiveDate,
    created_by: String,
    created_at: Time,
    kpi_label: &'static str,
    progress: ProgressView,
}

#[derive(Serialize, JsonSchema)]
struct GoalList {
    goals: Vec<GoalView>,
}

/// The dashboard overview; `agent_breakdown` only for a team or everyone.
#[derive(Serialize, JsonSchema)]
struct OverviewView {
    period: &'static str,
    scope: ScopeView,
    window: WindowView,
    generated_at: Time,
    performance_overview: PerformanceOverview,
    kpi_trends: Vec<TrendView>,
    goal_progress: Vec<GoalView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent_breakdown: Option<Vec<AgentFigures>>,
}

/// The period's days and the previous period's, in Dubai.
#[derive(Serialize, JsonSchema)]
struct WindowView {
    start: NaiveDate,
    end: NaiveDate,
    previous_start: NaiveDate,
    previous_end: NaiveDate,
    time_zone: &'static str,
}

#[derive(Serialize, JsonSchema)]
struct AgentFigures {
    user_id: Uuid,
    name: String,
    role: String,
    /// Every KPI by its key.
    kpis: BTreeMap<&'static str, Figure>,
}

#[derive(Serialize, JsonSchema)]
struct DashboardView {
    dashboard_id: Uuid,
    owner_id: String,
    name: String,
    /// The widget definitions as saved.
    widgets: Value,
    created_at: Time,
    updated_at: Time,
    export_urls: ExportUrls,
}

#[derive(Serialize, JsonSchema)]
struct ExportUrls {
    pdf: String,
    xlsx: String,
}

#[derive(Serialize, JsonSchema)]
struct DashboardList {
    dashboards: Vec<DashboardView>,
}

/// A dashboard with each widget's figures (or why a widget has none).
#[derive(Serialize, JsonSchema)]
struct DashboardWithData {
    #[serde(flatten)]
    dashboard: DashboardView,
    data: Vec<WidgetView>,
}

#[derive(Serialize, JsonSchema)]
struct WidgetView {
    kind: &'static str,
    title: String,
    /// Absent when the widget could not be evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<&'static str>,
    /// Absent for a market chart, and when the widget could not be evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<ScopeView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<WidgetData>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<WidgetError>,
}

/// A widget's figures, by its kind: one trend, several, a table, or a market's trends.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
enum WidgetData {
    Trend(TrendView),
    Trends(Vec<TrendView>),
    Table(TableView),
    Market(Box<Trends>),
}

#[derive(Serialize, JsonSchema)]
struct TableView {
    columns: Vec<String>,
    /// Cells are numbers, text, dates or null.
    rows: Vec<Vec<Value>>,
}

#[derive(Serialize, JsonSchema)]
struct WidgetError {
    code: &'static str,
    detail: String,
}

/// Communities side by side, best year-on-year change first.
#[derive(Serialize, JsonSchema)]
struct NeighbourhoodComparison {
    property_type: String,
    forecast_months: usize,
    communities: Vec<NeighbourhoodRow>,
}

#[derive(Serialize, JsonSchema)]
struct NeighbourhoodRow {
    community: String,
    latest_month: Option<String>,
    median_price_per_sqft: Option<f64>,
    yoy_change: Option<f64>,
    sales_last_12_months: i64,
    forecast_month: Option<String>,
    forecast_price_per_sqft: Option<f64>,
    forecast_change: Option<f64>,
    rank_by_yoy_change: usize,
}

async fn daily(s: &AppState, scope: &MetricScope, from: NaiveDate, to: NaiveDate) -> Result<Daily, ApiError> {
    let rows = s.analytics.daily_totals(scope, from, to).await?;
    Ok(Daily::from_rows(
        &rows.into_iter().map(|r| DayRow { day: r.day, metric: r.metric, value: r.value }).collect::<Vec<_>>(),
    ))
}

/// Daily totals covering a period and its previous period.
async fn period_daily(s: &AppState, scope: &MetricScope, p: Period, today: NaiveDate) -> Result<Daily, ApiError> {
    daily(s, scope, p.previous(today).start.min(p.window(today).start), today).await
}

fn goal_scope(g: &Goal) -> MetricScope {
    if g.scope == "team" {
        MetricScope::Team(g.subject_id.clone())
    } else {
        MetricScope::User(g.subject_id.clone())
    }
}

/// A goal with its progress; reuses `known` daily totals when they cover the goal's subject.
async fn goal_progress(
    s: &AppState,
    g: &Goal,
    today: NaiveDate,
    known: Option<(&MetricScope, &Daily)>,
) -> Result<GoalView, ApiError> {
    let scope = goal_scope(g);
    let window = Window::new(g.period_start, g.period_end);
    let kpi = Kpi::parse(&g.kpi).map_err(invalid)?;
    let actual = match known.filter(|(sc, _)| **sc == scope) {
        Some((_, d)) => kpi.value(&d.totals(window)),
        None => kpi.value(&daily(s, &scope, window.start, window.end.min(today)).await?.totals(window)),
    };
    let p = analytics::goals::progress(kpi, g.target, window, actual, today);
    Ok(GoalView {
        goal_id: g.id,
        scope: g.scope.clone(),
        subject_id: g.subject_id.clone(),
        team_id: g.team_id.clone(),
        kpi: g.kpi.clone(),
        target: g.target,
        period_start: g.period_start,
        period_end: g.period_end,
        created_by: g.created_by.clone(),
        created_at: g.created_at,
        kpi_label: kpi.label(),
        progress: p.view(),
    })
}

fn goal_filter(sub: &Subject) -> GoalFilter {
    match &sub.scope {
        MetricScope::All => GoalFilter { all: true, ..GoalFilter::default() },
        MetricScope::Team(t) => GoalFilter { team_id: Some(t.clone()), team_members: true, ..GoalFilter::default() },
        MetricScope::User(u) => {
            GoalFilter { user_id: Some(u.clone()), team_id: sub.team_of_user.clone(), ..GoalFilter::default() }
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct OverviewQuery {
    period: Option<String>,
    user_id: Option<String>,
    team_id: Option<String>,
    format: Option<String>,
}

fn query<T>(q: Result<Query<T>, axum::extract::rejection::QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(q)| q).map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
}

/// Everything the overview shows, computed once for JSON and for the exports.
struct Overview {
    subject: Subject,
    period: Period,
    today: NaiveDate,
    totals: Totals,
    trends: Vec<Trend>,
    goals: Vec<(Goal, GoalView)>,
    breakdown: Vec<(User, Totals)>,
}

/// At most this many goals are evaluated on a dashboard (each may need one query).
const GOALS_SHOWN: usize = 20;

async fn compute(s: &AppState, c: &Caller, q: &OverviewQuery) -> Result<Overview, ApiError> {
    let period = Period::parse(q.period.as_deref().unwrap_or("30d")).map_err(invalid)?;
    let today = today(s);
    let subject = subject(s, c, q.user_id.as_deref(), q.team_id.as_deref()).await?;
    let d = period_daily(s, &subject.scope, period, today).await?;
    let window = period.window(today);
    let totals = d.totals(window);
    let trends = ov::trends(&d, &ov::TRENDED, period, today);
    let mut goals = Vec::new();
    for g in s.analytics.goals(&goal_filter(&subject)).await? {
        if goals.len() >= GOALS_SHOWN {
            break;
        }
        // Goals running during the period (a finished goal is still worth seeing there).
        if g.period_end < window.start || g.period_start > window.end {
            continue;
        }
        let v = goal_progress(s, &g, today, Some((&subject.scope, &d))).await?;
        goals.push((g, v));
    }
    let mut breakdown = Vec::new();
    if let Some(members) = &subject.members {
        let rows = s.analytics.user_totals(&subject.scope, window.start, window.end).await?;
        let per = ov::per_user(&rows.into_iter().map(|r| (r.user_id, r.metric, r.value)).collect::<Vec<_>>());
        for u in members {
            let t = per.get(&u.id.to_string()).cloned().unwrap_or_default();
            // Admins see every user with activity; a team leader sees every member.
            if subject.kind == "all" && t.0.is_empty() {
                continue;
            }
            breakdown.push((u.clone(), t));
        }
    }
    Ok(Overview { subject, period, today, totals, trends, goals, breakdown })
}

fn overview_view(o: Overview, now: Time) -> OverviewView {
    let window = o.period.window(o.today);
    let previous = o.period.previous(o.today);
    let agent_breakdown = o.subject.members.is_some().then(|| {
        o.breakdown
            .iter()
            .map(|(u, t)| AgentFigures {
                user_id: u.id,
                name: u.name.clone(),
                role: u.role.clone(),
                kpis: ov::agent_kpis(t),
            })
            .collect()
    });
    OverviewView {
        period: o.period.as_str(),
        scope: scope_view(&o.subject),
        window: WindowView {
            start: window.start,
            end: window.end,
            previous_start: previous.start,
            previous_end: previous.end,
            time_zone: "Asia/Dubai",
        },
        generated_at: now,
        performance_overview: ov::overview_figures(&o.totals),
        kpi_trends: o.trends.iter().map(|t| t.view(o.period.bucket().as_str())).collect(),
        goal_progress: o.goals.into_iter().map(|(_, v)| v).collect(),
        agent_breakdown,
    }
}

async fn overview(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    q: Result<Query<OverviewQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<OverviewView>, ApiError> {
    let q = query(q)?;
    let o = compute(&s, &caller, &q).await?;
    Ok(Json(overview_view(o, s.rt.clock.now())))
}

fn export_format(f: Option<&str>) -> Result<Format, ApiError> {
    let f = f.ok_or_else(|| ApiError::bad_request("invalid_format", "give format=pdf or format=xlsx"))?;
    Format::parse(f)
        .ok_or_else(|| ApiError::bad_request("invalid_format", format!("unknown format `{f}` (use pdf or xlsx)")))
}

fn attachment(format: Format, stem: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", filename(stem, format))),
        ],
        bytes,
    )
        .into_response()
}

/// Runs a renderer off the async threads (a long report takes a few milliseconds of CPU).
async fn render(format: Format, report: Report) -> Result<Vec<u8>, ApiError> {
    let rendered = tokio::task::spawn_blocking(move || format.render(&report))
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error"))?;
    rendered.map_err(|e| {
        tracing::error!(error = %e, "export not rendered");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "export_failed", "the export could not be rendered")
    })
}

fn overview_report(o: &Overview, caller: &Caller, now: chrono::DateTime<chrono::Utc>) -> Report {
    let window = o.period.window(o.today);
    let mut sections = vec![report::overview_section(&o.totals, window)];
    for t in &o.trends {
        sections.push(report::trend_section(t.kpi.label(), std::slice::from_ref(t)));
    }
    if !o.goals.is_empty() {
        let mut g = Section::new("Goals");
        g.table = Some(report::Table {
            columns: ["KPI", "Scope", "From", "To", "Target", "Actual", "Progress", "Status"]
                .map(String::from)
                .to_vec(),
            rows: o
                .goals
                .iter()
                .map(|(goal, v)| {
                    let p = &v.progress;
                    vec![
                        Val::text(v.kpi_label),
                        Val::text(goal.scope.clone()),
                        Val::Date(goal.period_start),
                        Val::Date(goal.period_end),
                        Val::Num(goal.target),
                        Val::Num(p.actual),
                        Val::Pct(p.progress),
                        Val::text(p.status),
                    ]
                })
                .collect(),
        });
        sections.push(g);
    }
    if !o.breakdown.is_empty() {
        let rows: Vec<(Val, Totals)> =
            o.breakdown.iter().map(|(u, t)| (Val::text(u.name.clone()), t.clone())).collect();
        // The headline KPIs only: a table must stay readable on an A4 page.
        let kpis = [
            Kpi::ListingsLaunched,
            Kpi::CmasProduced,
            Kpi::CampaignsApproved,
            Kpi::LeadsHandled,
            Kpi::LeadsConverted,
            Kpi::WorkflowsCompleted,
            Kpi::WorkflowSuccessRate,
            Kpi::TimeSavedHours,
        ];
        sections.push(report::kpi_table("Agents", "Agent", &rows, &kpis));
    }
    Report {
        title: "Performance dashboard".into(),
        subtitle: format!("{} \u{b7} {} ({} to {})", o.subject.label, o.period.as_str(), window.start, window.end),
        author: caller.user.name.clone(),
        generated_at: now,
        sections,
    }
}

async fn overview_export(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    q: Result<Query<OverviewQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let format = export_format(q.format.as_deref())?;
    let o = compute(&s, &caller, &q).await?;
    let now = s.rt.clock.now();
    let bytes = render(format, overview_report(&o, &caller, now)).await?;
    Ok(attachment(format, &format!("aura-overview-{}-{}", o.period.as_str(), o.today), bytes))
}

// --- goals ---

async fn list_goals(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<GoalList>, ApiError> {
    let filter = if sees_all(&caller) {
        GoalFilter { all: true, ..GoalFilter::default() }
    } else {
        GoalFilter {
            user_id: Some(caller.id().to_string()),
            team_id: caller.user.team_id.map(|t| t.to_string()),
            team_members: leads_team(&caller).is_some(),
            ..GoalFilter::default()
        }
    };
    let today = today(&s);
    let mut out = Vec::new();
    for g in s.analytics.goals(&filter).await?.iter().take(100) {
        out.push(goal_progress(&s, g, today, None).await?);
    }
    Ok(Json(GoalList { goals: out }))
}

async fn create_goal(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<GoalView>), ApiError> {
    let req: GoalRequest = body::parse(&bytes)?;
    let (scope, kpi, _) = analytics::goals::validate(&req).map_err(invalid)?;
    let (subject_id, team_id) = match scope {
        Scope::User => {
            let id = match req.subject_id.as_deref() {
                Some(u) => parse_id(u, "user")?,
                None => caller.id(),
            };
            let user = s.accounts.user(id).await?.ok_or_else(|| ApiError::not_found(format!("user {id}")))?;
            let may =
                id == caller.id() || sees_all(&caller) || leads_team(&caller).is_some_and(|t| user.team_id == Some(t));
            if !may {
                return Err(ApiError::not_found(format!("user {id}")));
            }
            (id, user.team_id)
        }
        Scope::Team => {
            let id = match req.subject_id.as_deref() {
                Some(t) => parse_id(t, "team")?,
                None => caller
                    .user
                    .team_id
                    .ok_or_else(|| fields(vec![FieldError::new("subject_id", "you are in no team; name one")]))?,
            };
            if !(sees_all(&caller) || leads_team(&caller) == Some(id)) {
                if caller.user.team_id == Some(id) {
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "forbidden",
                        "only the team leader or an admin sets team goals",
                    ));
                }
                return Err(ApiError::not_found(format!("team {id}")));
            }
            s.accounts.team(id).await?.ok_or_else(|| ApiError::not_found(format!("team {id}")))?;
            (id, Some(id))
        }
    };
    let goal = NewGoal {
        scope: scope.as_str().into(),
        subject_id: subject_id.to_string(),
        team_id: team_id.map(|t| t.to_string()),
        kpi: kpi.key().into(),
        target: req.target,
        period_start: req.period_start,
        period_end: req.period_end,
        created_by: caller.id().to_string(),
    };
    let g = s.analytics.create_goal(&goal, s.rt.clock.now()).await?;
    let v = goal_progress(&s, &g, today(&s), None).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

// --- custom dashboards ---

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DashboardBody {
    name: String,
    widgets: Value,
}

/// Validates a dashboard body: the widgets' shape (pure), then what needs the store: filters the
/// caller may see and communities the market knows.
async fn check_dashboard(s: &AppState, c: &Caller, b: &DashboardBody) -> Result<(String, Vec<Widget>), ApiError> {
    let mut errors = Vec::new();
    let name = analytics::widgets::validate_name(&b.name).map_err(|e| errors.push(e)).ok();
    let widgets = match analytics::widgets::validate(&b.widgets) {
        Ok(w) => w,
        Err(AnalyticsError::Invalid(mut e)) => {
            errors.append(&mut e);
            Vec::new()
        }
        Err(e) => return Err(invalid(e)),
    };
    for (i, w) in widgets.iter().enumerate() {
        if w.filters.user_id.is_some() || w.filters.team_id.is_some() {
            if let Err(e) = subject(s, c, w.filters.user_id.as_deref(), w.filters.team_id.as_deref()).await {
                if e.status == StatusCode::NOT_FOUND {
                    errors.push(FieldError::at(i, "filters", "no such user or team visible to you"));
                } else {
                    return Err(e);
                }
            }
        }
        if let WidgetKind::MarketChart { community, .. } = &w.kind {
            if let realestate::property::CommunityMatch::Unknown { suggestions } = s.estate.market.resolve(community) {
                errors.push(FieldError::at(
                    i,
                    "community",
                    format!("unknown community `{community}`; did you mean {}?", suggestions.join(", ")),
                ));
            }
        }
    }
    match name {
        Some(n) if errors.is_empty() => Ok((n, widgets)),
        _ => Err(fields(errors)),
    }
}

fn dashboard_view(d: &Dashboard) -> DashboardView {
    DashboardView {
        dashboard_id: d.id,
        owner_id: d.owner_id.clone(),
        name: d.name.clone(),
        widgets: d.widgets.clone(),
        created_at: d.created_at,
        updated_at: d.updated_at,
        export_urls: ExportUrls {
            pdf: format!("/api/v1/analytics/dashboards/{}/export?format=pdf", d.id),
            xlsx: format!("/api/v1/analytics/dashboards/{}/export?format=xlsx", d.id),
        },
    }
}

/// The caller's own dashboard; anyone else's is 404.
async fn owned(s: &AppState, c: &Caller, id: &str) -> Result<Dashboard, ApiError> {
    let uuid = parse_id(id, "dashboard")?;
    match s.analytics.dashboard(uuid).await? {
        Some(d) if d.owner_id == c.id().to_string() => Ok(d),
        _ => Err(ApiError::not_found(format!("dashboard {id}"))),
    }
}

async fn list_dashboards(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<DashboardList>, ApiError> {
    let list = s.analytics.list_dashboards(&caller.id().to_string()).await?;
    Ok(Json(DashboardList { dashboards: list.iter().map(dashboard_view).collect() }))
}

async fn create_dashboard(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<DashboardView>), ApiError> {
    let b: DashboardBody = body::parse(&bytes)?;
    let (name, _) = check_dashboard(&s, &caller, &b).await?;
    let d = s.analytics.create_dashboard(&caller.id().to_string(), &name, &b.widgets, s.rt.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(dashboard_view(&d))))
}

async fn update_dashboard(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<DashboardView>, ApiError> {
    let d = owned(&s, &caller, &id).await?;
    let b: DashboardBody = body::parse(&bytes)?;
    let (name, _) = check_dashboard(&s, &caller, &b).await?;
    let d = s.analytics.update_dashboard(d.id, &name, &b.widgets, s.rt.clock.now()).await?;
    Ok(Json(dashboard_view(&d)))
}

async fn delete_dashboard(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let d = owned(&s, &caller, &id).await?;
    s.analytics.delete_dashboard(d.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One widget's data (JSON) and its report section.
async fn evaluate(s: &AppState, c: &Caller, w: &Widget, today: NaiveDate) -> Result<(WidgetView, Section), ApiError> {
    let title = w.display_title();
    let mut v = WidgetView {
        kind: w.kind_str(),
        title: title.clone(),
        period: Some(w.period.as_str()),
        scope: None,
        data: None,
        error: None,
    };
    if let WidgetKind::MarketChart { community, property_type, forecast_months } = &w.kind {
        let t = market_trends(s, community, property_type, *forecast_months)?;
        let section = report::market_section(&title, &json!(t));
        v.data = Some(WidgetData::Market(Box::new(t)));
        return Ok((v, section));
    }
    let sub = subject(s, c, w.filters.user_id.as_deref(), w.filters.team_id.as_deref()).await?;
    v.scope = Some(scope_view(&sub));
    let d = period_daily(s, &sub.scope, w.period, today).await?;
    let bucket = w.period.bucket().as_str();
    let section = match &w.kind {
        WidgetKind::Kpi(k) => {
            let t = ov::trend(&d, *k, w.period, today);
            v.data = Some(WidgetData::Trend(t.view(bucket)));
            report::trend_section(&title, &[t])
        }
        WidgetKind::Trend(ks) => {
            let ts = ov::trends(&d, ks, w.period, today);
            v.data = Some(WidgetData::Trends(ts.iter().map(|t| t.view(bucket)).collect()));
            report::trend_section(&title, &ts)
        }
        WidgetKind::Table { kpis, group_by } => {
            let window = w.period.window(today);
            let rows: Vec<(Val, Totals)> = match group_by {
                GroupBy::Agent => {
                    let rows = s.analytics.user_totals(&sub.scope, window.start, window.end).await?;
                    let per =
                        ov::per_user(&rows.into_iter().map(|r| (r.user_id, r.metric, r.value)).collect::<Vec<_>>());
                    let names: BTreeMap<String, String> = match &sub.members {
                        Some(m) => m.iter().map(|u| (u.id.to_string(), u.name.clone())).collect(),
                        None => BTreeMap::from([(c.id().to_string(), sub.label.clone())]),
                    };
                    per.into_iter().map(|(u, t)| (Val::text(names.get(&u).cloned().unwrap_or(u)), t)).collect()
                }
                GroupBy::Day | GroupBy::Week | GroupBy::Month => {
                    let b = match group_by {
                        GroupBy::Day => period::Bucket::Day,
                        GroupBy::Week => period::Bucket::Week,
                        _ => period::Bucket::Month,
                    };
                    period::buckets(window, b).into_iter().map(|bw| (Val::Date(bw.start), d.totals(bw))).collect()
                }
            };
            let first = if *group_by == GroupBy::Agent { "Agent" } else { "From" };
            let section = report::kpi_table(&title, first, &rows, kpis);
            let table = section.table.clone().unwrap_or_default();
            v.data = Some(WidgetData::Table(TableView {
                columns: table.columns,
                rows: table.rows.iter().map(|r| r.iter().map(val_json).collect()).collect(),
            }));
            section
        }
        WidgetKind::MarketChart { .. } => unreachable!("handled above"),
    };
    Ok((v, section))
}

fn val_json(v: &Val) -> Value {
    match v {
        Val::Empty => Value::Null,
        Val::Int(i) => json!(i),
        Val::Num(x) | Val::Pct(x) | Val::Hours(x) | Val::Minutes(x) | Val::Aed(x) => json!(ov::round4(*x)),
        Val::Date(d) => json!(d),
        Val::Text(t) => json!(t),
    }
}

async fn get_dashboard(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<DashboardWithData>, ApiError> {
    let d = owned(&s, &caller, &id).await?;
    let widgets = analytics::widgets::validate(&d.widgets).map_err(invalid)?;
    let today = today(&s);
    let mut data = Vec::new();
    for w in &widgets {
        // A widget that can no longer be shown (its user changed teams, its market data is gone)
        // says why; the rest of the dashboard still answers.
        data.push(match evaluate(&s, &caller, w, today).await {
            Ok((v, _)) => v,
            Err(e) if e.status.is_client_error() => WidgetView {
                kind: w.kind_str(),
                title: w.display_title(),
                period: None,
                scope: None,
                data: None,
                error: Some(WidgetError { code: e.code, detail: e.detail }),
            },
            Err(e) => return Err(e),
        });
    }
    Ok(Json(DashboardWithData { dashboard: dashboard_view(&d), data }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    format: Option<String>,
}

async fn dashboard_export(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    q: Result<Query<ExportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let format = export_format(query(q)?.format.as_deref())?;
    let d = owned(&s, &caller, &id).await?;
    let widgets = analytics::widgets::validate(&d.widgets).map_err(invalid)?;
    let today = today(&s);
    let mut sections = Vec::new();
    for w in &widgets {
        sections.push(match evaluate(&s, &caller, w, today).await {
            Ok((_, section)) => section,
            Err(e) if e.status.is_client_error() => {
                let mut section = Section::new(w.display_title());
                section.note = Some(format!("Not available: {}", e.detail));
                section
            }
            Err(e) => return Err(e),
        });
    }
    let now = s.rt.clock.now();
    let report = Report {
        title: d.name.clone(),
        subtitle: format!("Custom dashboard \u{b7} {today}"),
        author: caller.user.name.clone(),
        generated_at: now,
        sections,
    };
    let bytes = render(format, report).await?;
    Ok(attachment(format, &format!("aura-dashboard-{}", d.id), bytes))
}

// --- market ---

fn market_trends(s: &AppState, community: &str, property_type: &str, months: usize) -> Result<Trends, ApiError> {
    let ptype = valuation::PropertyType::parse(property_type)
        .ok_or_else(|| fields(vec![FieldError::new("property_type", "must be apartment, villa or hotel_apartment")]))?;
    let name = match s.estate.market.resolve(community) {
        realestate::property::CommunityMatch::Found(c) => c,
        realestate::property::CommunityMatch::Unknown { suggestions } => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_community",
                format!("unknown community `{community}`"),
            )
            .with(
                "errors",
                json!([{ "field": "community", "message": "unknown community", "suggestions": suggestions }]),
            ))
        }
    };
    s.estate.market.market().trends(&name, ptype, months).map_err(crate::routes::cma::valuation_error)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NeighbourhoodQuery {
    /// Comma-separated community names (2 to 8).
    communities: Option<String>,
    property_type: Option<String>,
    forecast_months: Option<usize>,
}

/// Compares communities side by side: latest median AED/sqft, year-on-year change, last
/// 12 months' sales, and the forecast at the horizon; ranked by year-on-year change.
async fn neighbourhoods(
    State(s): State<AppState>,
    q: Result<Query<NeighbourhoodQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<NeighbourhoodComparison>, ApiError> {
    let q = query(q)?;
    let list: Vec<String> =
        q.communities.unwrap_or_default().split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
    if !(2..=8).contains(&list.len()) {
        return Err(fields(vec![FieldError::new("communities", "give 2 to 8 comma-separated communities")]));
    }
    let months = q.forecast_months.unwrap_or(6);
    if months > 24 {
        return Err(fields(vec![FieldError::new("forecast_months", "must be at most 24")]));
    }
    let ptype = q.property_type.unwrap_or_else(|| "apartment".into());
    let mut rows = Vec::new();
    for c in &list {
        let t = market_trends(&s, c, &ptype, months)?;
        let last = t.points.last();
        let volume_12m: i64 = t.points.iter().rev().take(12).map(|p| p.volume as i64).sum();
        let horizon = t.forecast.points.last();
        let latest = last.map(|p| p.median_psf);
        let forecast = horizon.map(|p| p.value);
        rows.push(NeighbourhoodRow {
            community: t.community.clone(),
            latest_month: last.map(|p| p.month.clone()),
            median_price_per_sqft: latest,
            yoy_change: t.yoy_change,
            sales_last_12_months: volume_12m,
            forecast_month: horizon.map(|p| p.month.clone()),
            forecast_price_per_sqft: forecast,
            forecast_change: match (latest, forecast) {
                (Some(a), Some(b)) if a > 0.0 => Some(ov::round4(b / a - 1.0)),
                _ => None,
            },
            rank_by_yoy_change: 0,
        });
    }
    rows.sort_by(|a, b| {
        let y = |r: &NeighbourhoodRow| r.yoy_change.unwrap_or(f64::NEG_INFINITY);
        y(b).total_cmp(&y(a))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank_by_yoy_change = i + 1;
    }
    Ok(Json(NeighbourhoodComparison { property_type: ptype, forecast_months: months, communities: rows }))
}

// --- CMA report export ---

async fn cma_export(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    q: Result<Query<ExportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let format = export_format(query(q)?.format.as_deref())?;
    let r = crate::routes::cma::visible_report(&s, &caller, &id).await?;
    let not_ready = || {
        ApiError::new(
            StatusCode::CONFLICT,
            "not_ready",
            format!("the report is {}; it cannot be exported yet", r.status),
        )
    };
    let stem = format!("cma-report-{}", r.id);
    match format {
        // The PDF is the report's own, rendered once by its execution.
        Format::Pdf => {
            let artifact = r.pdf_artifact_id.ok_or_else(not_ready)?;
            let (_, bytes) =
                s.estate.domain.artifact(artifact).await?.ok_or_else(|| ApiError::not_found("report PDF"))?;
            Ok(attachment(format, &stem, bytes))
        }
        Format::Xlsx => {
            let result = r.result.as_ref().ok_or_else(not_ready)?;
            let report = Report {
                title: "Comparative Market Analysis".into(),
                subtitle: format!("Report {}", r.id),
                author: r.request["prepared_by"].as_str().unwrap_or(&caller.user.name).to_string(),
                generated_at: s.rt.clock.now(),
                sections: report::cma_sections(result),
            };
            Ok(attachment(format, &stem, render(format, report).await?))
        }
    }
}
