//! Analytics: the `Analytics` store on both backends (record, rollup, scoped totals, goals,
//! dashboards), and the dashboard API on a fixed data set whose KPIs are computed by hand here,
//! with scoping per role, goals, custom dashboards and the PDF/XLSX exports read back.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{NaiveDate, TimeZone};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use store::accounts::{NewUser, User};
use store::analytics::{GoalFilter, MetricEvent, MetricScope, NewGoal};
use store::domain::{CampaignEvent, CampaignRecord, CmaReportRecord, SocialPostRecord};
use store::{Completion, NewExecution, Outcome, Store, Timestamp};
use tower::ServiceExt;
use uuid::Uuid;

/// The fixed "now": 10 March 2026, noon in Dubai.
fn now() -> Timestamp {
    chrono::Utc.with_ymd_and_hms(2026, 3, 10, 8, 0, 0).unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
}

/// Noon in Dubai `n` days before today, plus `secs`.
fn ago(n: i64, secs: i64) -> Timestamp {
    now() - chrono::Duration::days(n) + chrono::Duration::seconds(secs)
}

struct FixedClock;

impl runtime::Clock for FixedClock {
    fn now(&self) -> Timestamp {
        now()
    }
}

/// Runs one single-step execution of `package` for `user` from `start` to `start + secs`.
async fn execution(engine: &Arc<dyn Store>, package: &str, user: Option<&User>, start: Timestamp, secs: i64, ok: bool) {
    let src = format!("name = \"{package}\"\n\n[[steps]]\nid = \"only\"\nhandler = \"noop\"\n");
    let pkg = crate::support::package(&src);
    let info = engine.register_package(&pkg, &src, start).await.unwrap();
    let new = NewExecution {
        package: Arc::new(pkg),
        package_version: info.version,
        params: json!({}),
        priority: 0,
        idempotency_key: None,
        created_by: user.map(|u| u.id.to_string()),
        team_id: user.and_then(|u| u.team_id).map(|t| t.to_string()),
    };
    engine.start_executions(&[new], start).await.unwrap();
    let claimed = engine.claim("analytics-test", 10, Duration::from_secs(3600), start).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let outcome = if ok { Outcome::Succeeded { output: json!({}) } } else { Outcome::Failed { error: "boom".into() } };
    let done = engine
        .complete(
            &[Completion { attempt: claimed[0].attempt, package: claimed[0].package.clone(), outcome }],
            start + chrono::Duration::seconds(secs),
        )
        .await
        .unwrap();
    assert_eq!(done, vec![true]);
}

struct People {
    admin: User,
    leader: User,
    a1: User,
    a2: User,
    b1: User,
}

async fn people(stores: &store::Stores) -> People {
    let acc = &stores.accounts;
    let team_a = acc.create_team("Marina Team", now()).await.unwrap();
    let team_b = acc.create_team("Downtown Team", now()).await.unwrap();
    let mk = |email: &str, name: &str, role: &str, team: Option<Uuid>| NewUser {
        email: email.into(),
        name: name.into(),
        password_hash: "x".into(),
        role: role.into(),
        team_id: team,
    };
    People {
        admin: acc.create_user(&mk("admin@aura.test", "Admin", "admin", None), now()).await.unwrap(),
        leader: acc
            .create_user(&mk("lead@aura.test", "Layla Leader", "team_leader", Some(team_a.id)), now())
            .await
            .unwrap(),
        a1: acc.create_user(&mk("a1@aura.test", "Amir One", "agent", Some(team_a.id)), now()).await.unwrap(),
        a2: acc.create_user(&mk("a2@aura.test", "Aisha Two", "agent", Some(team_a.id)), now()).await.unwrap(),
        b1: acc.create_user(&mk("b1@aura.test", "Bilal B", "agent", Some(team_b.id)), now()).await.unwrap(),
    }
}

fn team(u: &User) -> Option<String> {
    u.team_id.map(|t| t.to_string())
}

fn cma(owner: &User, at: Timestamp, status: &str) -> CmaReportRecord {
    CmaReportRecord {
        id: Uuid::now_v7(),
        owner_id: owner.id.to_string(),
        team_id: team(owner),
        property_id: None,
        execution_id: None,
        status: status.into(),
        request: json!({ "prepared_by": owner.name }),
        result: None,
        error: None,
        pdf_artifact_id: None,
        created_at: at,
        updated_at: at,
    }
}

fn campaign(owner: &User, at: Timestamp) -> CampaignRecord {
    CampaignRecord {
        id: Uuid::now_v7(),
        owner_id: owner.id.to_string(),
        team_id: team(owner),
        property_id: Uuid::now_v7(),
        campaign_type: "full_package".into(),
        status: "draft".into(),
        request: json!({}),
        assets: json!([]),
        execution_id: None,
        error: None,
        created_at: at,
        updated_at: at,
    }
}

fn post(owner: &User, at: Timestamp, status: &str) -> SocialPostRecord {
    SocialPostRecord {
        id: Uuid::now_v7(),
        owner_id: owner.id.to_string(),
        team_id: team(owner),
        property_id: Uuid::now_v7(),
        platform: "instagram".into(),
        post_type: "listing".into(),
        status: status.into(),
        text: "Marina view".into(),
        hashtags: json!([]),
        scheduled_at: None,
        created_at: at,
        updated_at: at,
        image_artifact_id: None,
        social_campaign_id: None,
        theme: None,
        execution_id: None,
        published_at: None,
    }
}

/// The fixed data set. Hand-computed for the 7-day window (4–10 March) and the previous one
/// (25 February – 3 March); see `overview_kpis_scoping_and_goals` for the figures.
async fn dataset(stores: &store::Stores, p: &People) {
    let e = &stores.engine;
    // A1: two CMAs packages (600 s each) and a failed one (300 s) yesterday, a marketing package
    // (1200 s) two days ago; one CMA package ten days ago (the previous period).
    execution(e, "cma_report", Some(&p.a1), ago(1, 0), 600, true).await;
    execution(e, "cma_report", Some(&p.a1), ago(1, 3600), 600, true).await;
    execution(e, "cma_report", Some(&p.a1), ago(1, 7200), 300, false).await;
    execution(e, "marketing_full_package", Some(&p.a1), ago(2, 0), 1200, true).await;
    execution(e, "cma_report", Some(&p.a1), ago(10, 0), 600, true).await;
    // A2: a marketing package today; B1: two CMA packages three days ago; one with no creator.
    execution(e, "marketing_full_package", Some(&p.a2), ago(0, -3600), 600, true).await;
    execution(e, "cma_report", Some(&p.b1), ago(3, 0), 60, true).await;
    execution(e, "cma_report", Some(&p.b1), ago(3, 100), 60, true).await;
    execution(e, "engine_selftest", None, ago(1, 0), 5, true).await;

    let d = &stores.domain;
    for r in [
        cma(&p.a1, ago(1, 0), "completed"),
        cma(&p.a1, ago(1, 60), "completed"),
        cma(&p.a1, ago(1, 120), "failed"),
        cma(&p.a1, ago(9, 0), "completed"),
        cma(&p.b1, ago(3, 0), "completed"),
    ] {
        d.create_cma_report(&r).await.unwrap();
    }
    let c1 = campaign(&p.a1, ago(2, 0));
    let c2 = campaign(&p.a2, ago(5, 0));
    d.create_campaign(&c1).await.unwrap();
    d.create_campaign(&c2).await.unwrap();
    let (lead, a1) = (p.leader.id.to_string(), p.a1.id.to_string());
    d.transition_campaign(c1.id, "draft", "in_review", &a1, "submit", None, ago(2, 10)).await.unwrap();
    d.transition_campaign(c1.id, "in_review", "approved", &lead, "approve", None, ago(1, 0)).await.unwrap();
    d.transition_campaign(c1.id, "approved", "distributed", &a1, "distribute", None, ago(0, -60)).await.unwrap();
    d.transition_campaign(c2.id, "draft", "in_review", &a1, "submit", None, ago(5, 10)).await.unwrap();
    d.transition_campaign(c2.id, "in_review", "approved", &lead, "approve", None, ago(4, 0)).await.unwrap();
    for (kind, count) in [("lead", 3), ("click", 10)] {
        let ev = CampaignEvent {
            campaign_id: c1.id,
            at: ago(0, -30),
            kind: kind.into(),
            channel: None,
            count,
            detail: None,
        };
        d.add_campaign_event(&ev).await.unwrap();
    }
    d.create_social_posts(&[
        post(&p.a1, ago(1, 0), "draft"),
        post(&p.a1, ago(1, 1), "draft"),
        post(&p.a1, ago(1, 2), "published"),
    ])
    .await
    .unwrap();

    // Recorded as they happened (the leads and listings features call `record`).
    let ev =
        |m: &str, u: &User, v: f64, at: Timestamp| MetricEvent::new(m, &u.id.to_string(), team(u).as_deref(), v, at);
    stores
        .analytics
        .record_many(&[
            ev("lead_handled", &p.a1, 5.0, ago(1, 0)),
            ev("lead_converted", &p.a1, 2.0, ago(0, -3600)),
            ev("listing_launched", &p.a1, 1.0, ago(2, 0)),
            ev("lead_handled", &p.a2, 2.0, ago(3, 0)),
            ev("lead_converted", &p.a2, 1.0, ago(3, 0)),
            ev("listing_launched", &p.b1, 1.0, ago(3, 0)),
        ])
        .await
        .unwrap();
    stores.analytics.rebuild().await.unwrap();
}

pub mod store_cases {
    use super::*;

    fn totals(rows: &[store::analytics::DayTotal], metric: &str) -> f64 {
        rows.iter().filter(|r| r.metric == metric).map(|r| r.value).sum()
    }

    pub async fn record_rollup_and_totals(stores: store::Stores) {
        let p = people(&stores).await;
        dataset(&stores, &p).await;
        let a = &stores.analytics;
        let week = (today() - chrono::Duration::days(6), today());
        let a1 = MetricScope::User(p.a1.id.to_string());
        let rows = a.daily_totals(&a1, week.0, week.1).await.unwrap();
        assert_eq!(totals(&rows, "workflow_completed"), 3.0);
        assert_eq!(totals(&rows, "workflow_failed"), 1.0);
        assert_eq!(totals(&rows, "workflow_seconds"), 2700.0);
        assert_eq!(totals(&rows, "package_completed:cma_report"), 2.0);
        assert_eq!(totals(&rows, "cma_produced"), 2.0);
        assert_eq!(totals(&rows, "campaign_approved"), 1.0);
        assert_eq!(totals(&rows, "campaign_lead"), 3.0);
        assert_eq!(totals(&rows, "post_published"), 1.0);
        assert_eq!(totals(&rows, "lead_handled"), 5.0);
        let yesterday = rows.iter().find(|r| r.metric == "cma_produced").unwrap();
        assert_eq!(yesterday.day, today() - chrono::Duration::days(1));

        assert_eq!(a.last_rollup_day().await.unwrap(), Some(today()));

        // Idempotent: rolling up again (a window or everything) changes nothing.
        let before = a.daily_totals(&MetricScope::All, week.0, week.1).await.unwrap();
        a.rollup(week.0, week.1).await.unwrap();
        a.rebuild().await.unwrap();
        let mut after = a.daily_totals(&MetricScope::All, week.0, week.1).await.unwrap();
        let mut before = before;
        let key = |r: &store::analytics::DayTotal| (r.day, r.metric.clone());
        before.sort_by_key(key);
        after.sort_by_key(key);
        assert_eq!(before, after);

        // Recording increments; the rollup leaves recorded rows alone and refuses its own names.
        a.record(&MetricEvent::new("lead_handled", &p.a1.id.to_string(), team(&p.a1).as_deref(), 1.0, ago(1, 5)))
            .await
            .unwrap();
        a.rollup(week.0, week.1).await.unwrap();
        let rows = a.daily_totals(&a1, week.0, week.1).await.unwrap();
        assert_eq!(totals(&rows, "lead_handled"), 6.0);
        let refused = a.record(&MetricEvent::new("cma_produced", "u", None, 1.0, now())).await;
        assert!(matches!(refused, Err(store::Error::Conflict(_))), "{refused:?}");

        // A new source row appears after the next rollup of its day only.
        let d = &stores.domain;
        d.create_cma_report(&cma(&p.a1, ago(0, 0), "completed")).await.unwrap();
        let count = |rows: &[store::analytics::DayTotal]| totals(rows, "cma_produced");
        assert_eq!(count(&a.daily_totals(&a1, week.0, week.1).await.unwrap()), 2.0);
        a.rollup(today(), today()).await.unwrap();
        assert_eq!(count(&a.daily_totals(&a1, week.0, week.1).await.unwrap()), 3.0);

        // Scopes: team A vs everyone; per-user totals.
        let team_a = MetricScope::Team(team(&p.a1).unwrap());
        let rows = a.daily_totals(&team_a, week.0, week.1).await.unwrap();
        assert_eq!(totals(&rows, "workflow_completed"), 4.0);
        let rows = a.daily_totals(&MetricScope::All, week.0, week.1).await.unwrap();
        assert_eq!(totals(&rows, "workflow_completed"), 6.0, "the execution without a creator is not counted");
        let users = a.user_totals(&team_a, week.0, week.1).await.unwrap();
        let a2 = users.iter().find(|u| u.user_id == p.a2.id.to_string() && u.metric == "workflow_completed").unwrap();
        assert_eq!(a2.value, 1.0);
        assert!(users.iter().all(|u| u.user_id != p.b1.id.to_string()));
    }

    pub async fn goals_and_dashboards(stores: store::Stores) {
        let p = people(&stores).await;
        let a = &stores.analytics;
        assert_eq!(a.last_rollup_day().await.unwrap(), None, "never rolled up");
        let march = (NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
        let goal = |scope: &str, subject: String, team: Option<String>| NewGoal {
            scope: scope.into(),
            subject_id: subject,
            team_id: team,
            kpi: "cmas_produced".into(),
            target: 10.0,
            period_start: march.0,
            period_end: march.1,
            created_by: p.leader.id.to_string(),
        };
        let g1 = a.create_goal(&goal("user", p.a1.id.to_string(), team(&p.a1)), now()).await.unwrap();
        let g2 = a.create_goal(&goal("team", team(&p.a1).unwrap(), team(&p.a1)), now()).await.unwrap();
        let g3 = a.create_goal(&goal("user", p.b1.id.to_string(), team(&p.b1)), now()).await.unwrap();
        assert_eq!((g1.period_start, g1.period_end, g1.target), (march.0, march.1, 10.0));
        let ids = |f: GoalFilter| async move {
            let mut v: Vec<Uuid> = a.goals(&f).await.unwrap().into_iter().map(|g| g.id).collect();
            v.sort();
            v
        };
        let sorted = |mut v: Vec<Uuid>| {
            v.sort();
            v
        };
        assert_eq!(ids(GoalFilter { all: true, ..Default::default() }).await, sorted(vec![g1.id, g2.id, g3.id]));
        // An agent: their goals and their team's.
        let agent = GoalFilter { user_id: Some(p.a1.id.to_string()), team_id: team(&p.a1), ..Default::default() };
        assert_eq!(ids(agent).await, sorted(vec![g1.id, g2.id]));
        let a2 = GoalFilter { user_id: Some(p.a2.id.to_string()), team_id: team(&p.a2), ..Default::default() };
        assert_eq!(ids(a2).await, vec![g2.id]);
        // A leader: the team's and every member's.
        let leader = GoalFilter { team_id: team(&p.leader), team_members: true, ..Default::default() };
        assert_eq!(ids(leader).await, sorted(vec![g1.id, g2.id]));

        let owner = p.a1.id.to_string();
        let w = json!([{ "kind": "kpi", "kpi": "cmas_produced" }]);
        let d = a.create_dashboard(&owner, "Mine", &w, now()).await.unwrap();
        assert_eq!(a.dashboard(d.id).await.unwrap().unwrap().widgets, w);
        let later = now() + chrono::Duration::seconds(5);
        let w2 = json!([{ "kind": "trend", "kpis": ["leads_handled"] }]);
        let u = a.update_dashboard(d.id, "Renamed", &w2, later).await.unwrap();
        assert_eq!((u.name.as_str(), &u.widgets, u.updated_at, u.created_at), ("Renamed", &w2, later, d.created_at));
        assert_eq!(a.list_dashboards(&owner).await.unwrap().len(), 1);
        assert!(a.list_dashboards(&p.a2.id.to_string()).await.unwrap().is_empty());
        assert!(a.delete_dashboard(d.id).await.unwrap());
        assert!(!a.delete_dashboard(d.id).await.unwrap());
        assert!(a.dashboard(d.id).await.unwrap().is_none());
        assert!(matches!(a.update_dashboard(d.id, "x", &w, now()).await, Err(store::Error::NotFound(_))));
    }
}

crate::accounts_test!(store_cases::record_rollup_and_totals);
crate::accounts_test!(store_cases::goals_and_dashboards);

// --- through the API ---

struct App {
    router: axum::Router,
    p: People,
    tokens: std::collections::HashMap<&'static str, String>,
    estate: Arc<realestate::Services>,
    stores: store::Stores,
}

async fn app(stores: store::Stores, market: bool) -> App {
    let p = people(&stores).await;
    dataset(&stores, &p).await;
    let estate = if market {
        realestate::Services::start(&stores).await.unwrap()
    } else {
        realestate::Services::open(&stores).await.unwrap()
    };
    let mut rt = runtime::Runtime::new(stores.engine.clone(), runtime::Registry::with_builtins());
    rt.clock = Arc::new(FixedClock);
    let issuer = api::auth::token::Tokens::new(
        b"analytics-test-secret-0123456789abcdef",
        "aura",
        "aura-api",
        Duration::from_secs(1800),
        Duration::from_secs(3600),
    );
    let real_now = chrono::Utc::now();
    let mut tokens = std::collections::HashMap::new();
    for (k, u) in [("admin", &p.admin), ("leader", &p.leader), ("a1", &p.a1), ("a2", &p.a2), ("b1", &p.b1)] {
        tokens.insert(k, issuer.issue(u, real_now));
    }
    let state = api::AppState::new(
        rt,
        stores.accounts.clone(),
        stores.analytics.clone(),
        estate.clone(),
        issuer,
        api::ApiConfig::default(),
    );
    App { router: crate::contract::checked(api::router(state)), p, tokens, estate, stores }
}

impl App {
    async fn raw(
        &self,
        method: &str,
        path: &str,
        who: &str,
        body: Option<Value>,
    ) -> (StatusCode, Vec<(String, String)>, Vec<u8>) {
        let mut req =
            Request::builder().method(method).uri(path).header("authorization", format!("Bearer {}", self.tokens[who]));
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers =
            res.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
        (status, headers, res.into_body().collect().await.unwrap().to_bytes().to_vec())
    }

    async fn call(&self, method: &str, path: &str, who: &str, body: Option<Value>) -> (StatusCode, Value) {
        let (status, _, bytes) = self.raw(method, path, who, body).await;
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str, who: &str) -> Value {
        let (status, v) = self.call("GET", path, who, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path} as {who}: {v}");
        v
    }
}

fn trend<'a>(v: &'a Value, kpi: &str) -> &'a Value {
    v["kpi_trends"].as_array().unwrap().iter().find(|t| t["kpi"] == kpi).unwrap_or_else(|| panic!("no trend {kpi}"))
}

fn close(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-4)
}

/// Every string a PDF shows, page by page.
fn pdf_text(bytes: &[u8]) -> String {
    documents::testing::text(bytes)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

#[path = "../../analytics/src/export/read_back.rs"]
mod read_back;
use read_back::{read_workbook, ReadCell};

fn figure(sheet: &[Vec<ReadCell>], label: &str) -> ReadCell {
    sheet
        .iter()
        .find(|r| r.first().and_then(|c| c.as_text()) == Some(label))
        .and_then(|r| r.get(1).cloned())
        .unwrap_or_else(|| panic!("no row {label}"))
}

pub mod api_cases {
    use super::*;

    pub async fn overview_kpis_scoping_and_goals(stores: store::Stores) {
        let app = app(stores, false).await;
        let p = &app.p;
        let url = "/api/v1/analytics/dashboard/overview?period=7d";

        // Agent A1, 7 days (4–10 March), by hand:
        //   workflows 3 completed + 1 failed → success 0.75; durations 600+600+300+1200 s over 4
        //   → 11.25 min; time saved 2 CMA packages x 3 h + 1 marketing package x 4 h = 10 h;
        //   CMAs 2 (the failed one is not counted; 1 in the previous period → +1, +100%);
        //   leads 5 handled, 2 converted → 0.4; 3 leads from campaign events; 3 posts, 1 published.
        let v = app.get(url, "a1").await;
        assert_eq!(v["scope"]["kind"], "user");
        assert_eq!(v["window"]["start"], "2026-03-04");
        assert_eq!(v["window"]["previous_end"], "2026-03-03");
        let o = &v["performance_overview"];
        assert_eq!(o["cma_reports_produced"], 2);
        assert_eq!(o["listings_launched"], 1);
        assert_eq!(o["campaigns"], json!({ "created": 1, "approved": 1, "distributed": 1 }));
        assert_eq!(o["social_posts"], json!({ "created": 3, "published": 1 }));
        assert_eq!(o["leads"]["handled"], 5);
        assert_eq!(o["leads"]["converted"], 2);
        assert_eq!(o["leads"]["from_campaigns"], 3);
        assert!(close(&o["leads"]["conversion_rate"], 0.4));
        assert_eq!(o["workflows"]["completed"], 3);
        assert_eq!(o["workflows"]["failed"], 1);
        assert!(close(&o["workflows"]["success_rate"], 0.75));
        assert!(close(&o["workflows"]["average_duration_minutes"], 11.25));
        assert_eq!(o["workflows"]["time_saved_hours"], 10);
        assert!(o["workflows"]["time_saved_basis"].as_str().unwrap().starts_with("Estimate"));
        let cmas = trend(&v, "cmas_produced");
        assert_eq!((cmas["current"].clone(), cmas["previous"].clone()), (json!(2), json!(1)));
        assert_eq!(
            (cmas["change"].clone(), cmas["change_pct"].clone(), cmas["direction"].clone()),
            (json!(1), json!(1), json!("up"))
        );
        let series = cmas["series"].as_array().unwrap();
        assert_eq!(series.len(), 7);
        assert_eq!(series[5], json!({ "start": "2026-03-09", "end": "2026-03-09", "value": 2 }));
        let rate = trend(&v, "workflow_success_rate");
        assert!(close(&rate["current"], 0.75) && close(&rate["previous"], 1.0));
        assert!(close(&rate["change_pct"], -0.25));
        assert!(v.get("agent_breakdown").is_none());

        // The seed's path answers the same.
        let same = app.get("/api/v1/cma/analytics/dashboard/overview?period=7d", "a1").await;
        assert_eq!(same["performance_overview"], v["performance_overview"]);

        // Scoping: an agent cannot look at a colleague or a team; a leader only at their team.
        let (s, _) = app.call("GET", &format!("{url}&user_id={}", p.a2.id), "a1", None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app.call("GET", &format!("{url}&team_id={}", p.a1.team_id.unwrap()), "a1", None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app.call("GET", &format!("{url}&user_id={}", p.b1.id), "leader", None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, e) = app.call("GET", "/api/v1/analytics/dashboard/overview?period=2w", "a1", None).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_period")));

        // Team leader: team A = A1 + A2 (+ the leader). Workflows 4 + 1 failed → 0.8; time saved
        // 10 + 4 = 14 h; campaigns created 2 (C2 on 5 March), approved 2, distributed 1;
        // leads 7 handled, 3 converted → 3/7.
        let v = app.get(url, "leader").await;
        assert_eq!(v["scope"]["kind"], "team");
        let o = &v["performance_overview"];
        assert_eq!(o["workflows"]["completed"], 4);
        assert!(close(&o["workflows"]["success_rate"], 0.8));
        assert_eq!(o["workflows"]["time_saved_hours"], 14);
        assert_eq!(o["campaigns"], json!({ "created": 2, "approved": 2, "distributed": 1 }));
        assert!(close(&o["leads"]["conversion_rate"], 3.0 / 7.0));
        let breakdown = v["agent_breakdown"].as_array().unwrap();
        assert_eq!(breakdown.len(), 3, "every member of the team: {breakdown:?}");
        let row = |id: Uuid| breakdown.iter().find(|r| r["user_id"] == json!(id)).unwrap();
        assert_eq!(row(p.a1.id)["kpis"]["workflows_completed"], 3);
        assert_eq!(row(p.a2.id)["kpis"]["workflows_completed"], 1);
        assert_eq!(row(p.a2.id)["kpis"]["leads_converted"], 1);
        assert_eq!(row(p.leader.id)["kpis"]["workflows_completed"], 0);
        let one = app.get(&format!("{url}&user_id={}", p.a2.id), "leader").await;
        assert_eq!(one["performance_overview"]["workflows"]["completed"], 1);

        // Admin: everyone. Workflows 6 completed (the creator-less one is not anyone's),
        // time saved 20 h, CMAs 3, listings 2.
        let v = app.get(url, "admin").await;
        assert_eq!(v["scope"]["kind"], "all");
        let o = &v["performance_overview"];
        assert_eq!(o["workflows"]["completed"], 6);
        assert_eq!(o["workflows"]["time_saved_hours"], 20);
        assert_eq!(o["cma_reports_produced"], 3);
        assert_eq!(o["listings_launched"], 2);
        assert_eq!(v["agent_breakdown"].as_array().unwrap().len(), 3, "users with activity: A1, A2, B1");
        let b = app.get(&format!("{url}&user_id={}", p.b1.id), "admin").await;
        assert_eq!(b["performance_overview"]["cma_reports_produced"], 1);

        // Longer periods bucket by week and by month.
        let v = app.get("/api/v1/analytics/dashboard/overview?period=90d", "a1").await;
        assert_eq!(trend(&v, "cmas_produced")["bucket"], "week");
        assert_eq!(trend(&v, "cmas_produced")["current"], 3);
        let v = app.get("/api/v1/analytics/dashboard/overview?period=ytd", "a1").await;
        assert_eq!(trend(&v, "cmas_produced")["series"].as_array().unwrap().len(), 3);

        // Goals. March has 31 days; on the 10th, 10/31 has elapsed.
        let march = |scope: &str, subject: Option<Uuid>, kpi: &str, target: f64| {
            json!({ "scope": scope, "subject_id": subject, "kpi": kpi, "target": target,
                    "period_start": "2026-03-01", "period_end": "2026-03-31" })
        };
        // Team A's CMAs in March: 2 + 1 (1 March) = 3 < 10 x 10/31 = 3.2258 → behind.
        let (s, g) = app
            .call("POST", "/api/v1/analytics/goals", "leader", Some(march("team", None, "cmas_produced", 10.0)))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{g}");
        assert_eq!(g["progress"]["actual"], 3.0);
        assert!(close(&g["progress"]["expected_by_now"], 10.0 * 10.0 / 31.0));
        assert_eq!(g["progress"]["status"], "behind");
        // A1's own: 2 conversions of 2 → achieved.
        let (s, g) =
            app.call("POST", "/api/v1/analytics/goals", "a1", Some(march("user", None, "leads_converted", 2.0))).await;
        assert_eq!(s, StatusCode::CREATED, "{g}");
        assert_eq!(g["progress"]["status"], "achieved");
        let (s, _) =
            app.call("POST", "/api/v1/analytics/goals", "a1", Some(march("team", None, "cmas_produced", 5.0))).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .call("POST", "/api/v1/analytics/goals", "a1", Some(march("user", Some(p.a2.id), "cmas_produced", 5.0)))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, g) = app
            .call(
                "POST",
                "/api/v1/analytics/goals",
                "leader",
                Some(march("user", Some(p.a2.id), "workflow_success_rate", 0.9)),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{g}");
        assert_eq!(g["progress"]["status"], "on_track", "A2's one workflow succeeded: 1.0 >= 0.9");
        let (s, e) =
            app.call("POST", "/api/v1/analytics/goals", "a1", Some(march("user", None, "revenue", -1.0))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["errors"].as_array().unwrap().len(), 2, "{e}");

        let mine = app.get("/api/v1/analytics/goals", "a1").await;
        assert_eq!(mine["goals"].as_array().unwrap().len(), 2, "A1's own and the team's");
        assert_eq!(app.get("/api/v1/analytics/goals", "leader").await["goals"].as_array().unwrap().len(), 3);
        assert_eq!(app.get("/api/v1/analytics/goals", "b1").await["goals"].as_array().unwrap().len(), 0);
        let v = app.get("/api/v1/analytics/dashboard/overview?period=30d", "a1").await;
        let goals = v["goal_progress"].as_array().unwrap();
        assert_eq!(goals.len(), 2);
        assert!(goals.iter().any(|g| g["scope"] == "team" && g["progress"]["actual"] == 3.0));
    }

    pub async fn dashboards_and_exports(stores: store::Stores) {
        let app = app(stores, true).await;
        let p = &app.p;

        // Validation names the widget.
        let bad = json!({ "name": "Mine", "widgets": [
            { "kind": "kpi", "kpi": "cmas_produced" },
            { "kind": "pie" },
        ]});
        let (s, e) = app.call("POST", "/api/v1/analytics/dashboards", "a1", Some(bad)).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_fields")));
        let errors = e["errors"].as_array().unwrap();
        assert_eq!(errors[0]["index"], 1);
        assert!(errors[0]["message"].as_str().unwrap().contains("pie"));
        let bad = json!({ "name": "Mine", "widgets": [
            { "kind": "kpi", "kpi": "cmas_produced" },
            { "kind": "market_chart", "community": "Atlantis Nowhere" },
        ]});
        let (s, e) = app.call("POST", "/api/v1/analytics/dashboards", "a1", Some(bad)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!((e["errors"][0]["index"].clone(), e["errors"][0]["field"].clone()), (json!(1), json!("community")));
        let (s, _) = app
            .call(
                "POST",
                "/api/v1/analytics/dashboards",
                "a1",
                Some(json!({ "name": "x", "widgets": [
                { "kind": "kpi", "kpi": "cmas_produced", "filters": { "user_id": p.a2.id } } ] })),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a colleague's figures are not the agent's to show");

        let widgets = json!([
            { "kind": "kpi", "kpi": "cmas_produced", "period": "7d" },
            { "kind": "trend", "kpis": ["workflows_completed", "workflow_success_rate"], "period": "7d" },
            { "kind": "table", "kpis": ["leads_handled", "leads_converted"], "group_by": "day", "period": "7d" },
            { "kind": "market_chart", "community": "Dubai Marina", "forecast_months": 3 },
        ]);
        let (s, d) = app
            .call("POST", "/api/v1/analytics/dashboards", "a1", Some(json!({ "name": "My week", "widgets": widgets })))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let id = d["dashboard_id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/analytics/dashboards/{id}");
        let v = app.get(&path, "a1").await;
        let data = v["data"].as_array().unwrap();
        assert_eq!(data[0]["data"]["current"], 2);
        assert_eq!(data[1]["data"][0]["current"], 3);
        let rows = data[2]["data"]["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 7);
        assert_eq!(rows[5], json!(["2026-03-09", 5, 0]));
        assert!(data[3]["data"]["points"].as_array().is_some_and(|p| !p.is_empty()));
        // Someone else's dashboard does not exist for them.
        for method in ["GET", "DELETE"] {
            let (s, _) = app.call(method, &path, "a2", None).await;
            assert_eq!(s, StatusCode::NOT_FOUND);
        }
        assert_eq!(app.get("/api/v1/analytics/dashboards", "a2").await["dashboards"], json!([]));
        assert_eq!(app.get("/api/v1/analytics/dashboards", "a1").await["dashboards"].as_array().unwrap().len(), 1);

        // Dashboard exports.
        let (s, h, pdf) = app.raw("GET", &format!("{path}/export?format=pdf"), "a1", None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(header(&h, "content-type"), "application/pdf");
        assert!(header(&h, "content-disposition").starts_with("attachment; filename=\"aura-dashboard-"));
        let text = pdf_text(&pdf);
        assert!(text.contains("My week"));
        assert!(text.contains("CMA reports produced by day"), "{text}");
        assert!(text.contains("median AED/sqft by month, with forecast"));
        let (s, h, bytes) = app.raw("GET", &format!("{path}/export?format=xlsx"), "a1", None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(header(&h, "content-disposition").ends_with(".xlsx\""));
        let sheets = read_workbook(&bytes);
        assert_eq!(sheets.len(), 4);
        let table = &sheets[2].1;
        let last = table.last().unwrap();
        assert_eq!(last[0].as_date(), Some(today()));
        assert_eq!(last[2].as_f64(), Some(2.0), "2 conversions today");
        let (s, e) = app.call("GET", &format!("{path}/export?format=csv"), "a1", None).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_format")));

        // Update and delete.
        let (s, u) = app
            .call(
                "PUT",
                &path,
                "a1",
                Some(json!({ "name": "Renamed", "widgets": [{ "kind": "kpi", "kpi": "leads_handled" }] })),
            )
            .await;
        assert_eq!((s, u["name"].as_str()), (StatusCode::OK, Some("Renamed")));
        let (s, _) = app.call("DELETE", &path, "a1", None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = app.call("GET", &path, "a1", None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // Overview export for the team leader: typed cells, one sheet per section.
        let (s, h, bytes) =
            app.raw("GET", "/api/v1/analytics/dashboard/overview/export?format=xlsx&period=7d", "leader", None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(header(&h, "content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert_eq!(header(&h, "content-disposition"), "attachment; filename=\"aura-overview-7d-2026-03-10.xlsx\"");
        let sheets = read_workbook(&bytes);
        let names: Vec<&str> = sheets.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(names[0], "Performance overview");
        assert!(names.contains(&"Agents") && names.contains(&"Workflow success rate"), "{names:?}");
        let overview = &sheets[0].1;
        assert_eq!(figure(overview, "Workflows completed").as_f64(), Some(4.0));
        let rate = figure(overview, "Workflow success rate");
        assert!((rate.as_f64().unwrap() - 0.8).abs() < 1e-9 && rate.format().unwrap().contains('%'));
        assert_eq!(figure(overview, "From").as_date(), NaiveDate::from_ymd_opt(2026, 3, 4));
        assert_eq!(figure(overview, "Time saved (estimate)").as_f64(), Some(14.0));
        let (s, h, pdf) =
            app.raw("GET", "/api/v1/analytics/dashboard/overview/export?format=pdf&period=7d", "leader", None).await;
        assert_eq!((s, header(&h, "content-type")), (StatusCode::OK, "application/pdf"));
        let text = pdf_text(&pdf);
        assert!(text.contains("Marina Team"));
        assert!(text.contains("Workflow success rate by day") && text.contains("Leads handled by day"));
        assert!(text.contains("Amir One"), "the agents table");

        // CMA report export: a completed report as XLSX; the PDF only once rendered.
        let subject = realestate::property::Property::from_body(&json!({ "community": "Dubai Marina",
            "building": "Marina Gate", "property_type": "apartment", "bedrooms": 2, "size_sqft": 1250.0 }))
        .unwrap();
        let result = realestate::cma::generate(
            &app.estate.market.market(),
            &subject,
            &realestate::cma::AnalysisOptions::default(),
            NaiveDate::from_ymd_opt(2026, 2, 15).unwrap(),
        )
        .unwrap();
        let mut r = cma(&p.a1, ago(0, 0), "processing");
        r.request = json!({ "subject": subject, "prepared_by": "Amir One" });
        app.stores.domain.create_cma_report(&r).await.unwrap();
        app.stores.domain.finish_cma_report(r.id, "completed", Some(&result), None, None, now()).await.unwrap();
        let path = format!("/api/v1/cma/reports/{}/export", r.id);
        let (s, e) = app.call("GET", &format!("{path}?format=pdf"), "a1", None).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("not_ready")));
        let (s, _) = app.call("GET", &format!("{path}?format=xlsx"), "b1", None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _, bytes) = app.raw("GET", &format!("{path}?format=xlsx"), "a1", None).await;
        assert_eq!(s, StatusCode::OK);
        let sheets = read_workbook(&bytes);
        let names: Vec<&str> = sheets.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(names, ["Valuation", "Comparables", "Pricing", "Market"]);
        let estimate = figure(&sheets[0].1, "Estimated value");
        assert!((estimate.as_f64().unwrap() - result["valuation"]["estimated_value"].as_f64().unwrap()).abs() < 0.5);
        assert!(estimate.format().unwrap().contains("AED"));
        let comps = &sheets[1].1;
        let first = comps.iter().find(|r| r.first().is_some_and(|c| c.is_date())).expect("a comparable row");
        assert!(first[0].as_date().is_some() && first[5].as_f64().unwrap() > 100_000.0);

        // Neighbourhood comparison.
        let v = app
            .get(
                "/api/v1/analytics/insights/neighbourhoods?communities=Dubai%20Marina,JVC&property_type=apartment",
                "a1",
            )
            .await;
        let list = v["communities"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["rank_by_yoy_change"], 1);
        assert!(list.iter().all(|c| c["median_price_per_sqft"].as_f64().unwrap() > 0.0));
        let (s, _) =
            app.call("GET", "/api/v1/analytics/insights/neighbourhoods?communities=Dubai%20Marina", "a1", None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

crate::accounts_test!(api_cases::overview_kpis_scoping_and_goals);
crate::accounts_test!(api_cases::dashboards_and_exports);
