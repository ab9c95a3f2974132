//! Tenant isolation through package parameters, on both backends: agent B1 (team B) names agent
//! A1's (team A) records in every shipped package; scoped idempotency keys; packages the routes
//! depend on; and routes that leave no record behind when their execution cannot start.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use store::accounts::NewUser;
use tower::ServiceExt;
use uuid::Uuid;

struct Tenants {
    router: axum::Router,
    rt: runtime::Runtime,
    estate: std::sync::Arc<realestate::Services>,
    a1: String,
    a1_id: Uuid,
    team_a: Uuid,
    b1: String,
    b1_id: Uuid,
    leader_a: String,
    leader_b: String,
    admin: String,
}

async fn tenants(stores: store::Stores) -> Tenants {
    let (estate, rt) = crate::support::estate_runtime(&stores).await;
    let now = chrono::Utc::now();
    let tokens = api::auth::token::Tokens::new(
        b"isolation-test-secret-0123456789abc",
        "aura",
        "aura-api",
        Duration::from_secs(1800),
        Duration::from_secs(3600),
    );
    let team_a = stores.accounts.create_team("Team A", now).await.unwrap();
    let team_b = stores.accounts.create_team("Team B", now).await.unwrap();
    let mut users = Vec::new();
    for (email, role, team) in [
        ("a1@aura.test", "agent", Some(team_a.id)),
        ("b1@aura.test", "agent", Some(team_b.id)),
        ("leader.a@aura.test", "team_leader", Some(team_a.id)),
        ("leader.b@aura.test", "team_leader", Some(team_b.id)),
        ("admin@aura.test", "admin", None),
    ] {
        let new = NewUser {
            email: email.into(),
            name: email.into(),
            password_hash: "x".into(),
            role: role.into(),
            team_id: team,
        };
        let u = stores.accounts.create_user(&new, now).await.unwrap();
        users.push((tokens.issue(&u, now), u.id));
    }
    let state = api::AppState::new(
        rt.clone(),
        stores.accounts.clone(),
        stores.analytics.clone(),
        estate.clone(),
        tokens,
        api::ApiConfig::default(),
    );
    let mut users = users.into_iter();
    let (a1, a1_id) = users.next().unwrap();
    let (b1, b1_id) = users.next().unwrap();
    let (leader_a, _) = users.next().unwrap();
    let (leader_b, _) = users.next().unwrap();
    let (admin, _) = users.next().unwrap();
    Tenants {
        router: crate::contract::checked(api::router(state)),
        rt,
        estate,
        a1,
        a1_id,
        team_a: team_a.id,
        b1,
        b1_id,
        leader_a,
        leader_b,
        admin,
    }
}

impl Tenants {
    async fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call_with(method, path, token, body, None).await
    }

    async fn call_with(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
        idempotency_key: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        if let Some(k) = idempotency_key {
            req = req.header("idempotency-key", k);
        }
        let req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn execute(&self, token: &str, package: &str, parameters: Value) -> (StatusCode, Value) {
        let body = json!({ "package_name": package, "parameters": parameters });
        self.call("POST", "/api/v1/workflows/packages/execute", token, Some(body)).await
    }

    async fn execution_count(&self) -> usize {
        let (status, list) = self.call("GET", "/api/v1/workflows/executions?limit=200", &self.admin, None).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list["executions"].as_array().map_or(0, Vec::len)
    }
}

/// A1's records of every kind a shipped package takes, made through the routes (the CMA report
/// directly: valuing needs the market data, which these tests do not load).
struct A1Records {
    property: String,
    report: String,
    campaign: String,
    post: String,
    lead: String,
    client: String,
}

/// A property of A1's, made through the route.
async fn a1_property(t: &Tenants, reference: &str) -> Value {
    let (status, p) = t
        .call("POST", "/api/v1/properties", &t.a1, Some(json!({
            "reference": reference, "community": "Dubai Marina", "building": "Marina Gate", "property_type": "apartment",
            "bedrooms": 2, "bathrooms": 2, "size_sqft": 1250, "asking_price": 2_400_000, "permit_number": "7112345678",
        })))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    p
}

async fn a1_records(t: &Tenants) -> A1Records {
    let p = a1_property(t, "ISO-1").await;
    let property = p["id"].as_str().unwrap().to_string();
    let now = chrono::Utc::now();
    let report = Uuid::now_v7();
    t.estate
        .domain
        .create_cma_report(&store::domain::CmaReportRecord {
            id: report,
            owner_id: t.a1_id.to_string(),
            team_id: Some(t.team_a.to_string()),
            property_id: Some(property.parse().unwrap()),
            execution_id: None,
            status: "processing".into(),
            request: json!({ "subject": { "community": "Dubai Marina" }, "secret": "A1's valuation request" }),
            result: None,
            error: None,
            pdf_artifact_id: None,
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
    let (status, c) = t
        .call(
            "POST",
            "/api/v1/marketing/campaigns",
            &t.a1,
            Some(json!({
                "property_id": "ISO-1", "campaign_type": "new_listing", "target_channels": ["listing", "email"],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let (status, posts) = t
        .call("POST", "/api/v1/social/posts", &t.a1, Some(json!({ "property_id": "ISO-1", "platforms": ["facebook"] })))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{posts}");
    let (status, lead) = t
        .call(
            "POST",
            "/api/v1/leads",
            &t.a1,
            Some(json!({
                "name": "Omar Haddad", "email": "omar@example.com", "source": "portal", "budget_max": 2_500_000,
                "preferred_communities": ["Dubai Marina"], "contact_consent": true,
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    let (status, client) = t
        .call(
            "POST",
            "/api/v1/clients",
            &t.a1,
            Some(json!({
                "name": "Lina Saleh", "email": "lina@example.com", "client_type": "resident", "role": "seller",
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{client}");
    A1Records {
        property,
        report: report.to_string(),
        campaign: c["campaign_id"].as_str().unwrap().to_string(),
        post: posts["posts"][0]["post_id"].as_str().unwrap().to_string(),
        lead: lead["lead_id"].as_str().unwrap().to_string(),
        client: client["client_id"].as_str().unwrap().to_string(),
    }
}

/// Every shipped package that takes a record, with A1's record in its parameters.
fn matrix(r: &A1Records) -> Vec<(&'static str, Value)> {
    vec![
        ("new_listing_package", json!({ "property_id": r.property, "listing_price": 2_500_000 })),
        ("new_listing_package", json!({ "property_id": "ISO-1", "listing_price": 2_500_000 })),
        ("cma_report", json!({ "report_id": r.report })),
        ("marketing_full_package", json!({ "campaign_id": r.campaign })),
        ("campaign_distribution", json!({ "campaign_id": r.campaign, "recipients": ["x@example.com"] })),
        ("social_post_publish", json!({ "post_id": r.post })),
        ("lead_nurturing_package", json!({ "lead_id": r.lead })),
        ("client_onboarding_package", json!({ "client_id": r.client })),
    ]
}

fn worker(rt: &runtime::Runtime) -> (tokio_util::sync::CancellationToken, tokio::task::JoinHandle<()>) {
    let stop = tokio_util::sync::CancellationToken::new();
    let mut cfg = runtime::WorkerConfig::new("isolation");
    cfg.poll = Duration::from_millis(50);
    cfg.heartbeat = Duration::from_millis(500);
    cfg.lease = Duration::from_secs(10);
    (stop.clone(), tokio::spawn(runtime::Worker::new(rt, cfg).run(stop)))
}

pub mod cases {
    use super::*;

    /// B1 names A1's records in each package: refused as `not_found` before anything starts, as
    /// the REST routes answer for the same records; A1's team leader may.
    pub async fn another_teams_records_are_not_found_through_every_package(stores: store::Stores) {
        let t = tenants(stores).await;
        let r = a1_records(&t).await;
        let before = t.execution_count().await;
        for (package, params) in matrix(&r) {
            let (status, body) = t.execute(&t.b1, package, params.clone()).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (StatusCode::NOT_FOUND, Some("not_found")),
                "{package} {params}: {body}"
            );
            assert!(body.get("execution_id").is_none(), "{body}");
            // Team B's leader sees neither: running or scheduling it is refused the same way.
            let (status, body) = t.execute(&t.leader_b, package, params.clone()).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{package} {params}: {body}");
            let (status, body) = t
                .call("POST", "/api/v1/workflows/schedules", &t.leader_b, Some(json!({
                    "package_name": package, "name": format!("steal-{}", fastrand::u32(..)), "cron": "0 9 * * 1", "parameters": params,
                })))
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "schedule {package}: {body}");
        }
        assert_eq!(t.execution_count().await, before, "nothing was started for B1");
        // The same records over REST: not found for B1 either.
        for path in [
            format!("/api/v1/properties/{}", r.property),
            format!("/api/v1/marketing/campaigns/{}", r.campaign),
            format!("/api/v1/social/posts/{}", r.post),
            format!("/api/v1/leads/{}", r.lead),
            format!("/api/v1/clients/{}", r.client),
        ] {
            let (status, _) = t.call("GET", &path, &t.b1, None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
        // A1's team leader may run the CMA of A1's report; so may A1.
        let (status, body) = t.execute(&t.leader_a, "cma_report", json!({ "report_id": r.report })).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let (status, body) = t.execute(&t.a1, "marketing_full_package", json!({ "campaign_id": r.campaign })).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }

    /// An execution that reaches a worker with a record its creator may not see (started around
    /// the API, or the record changed hands since) fails at its first step with `not_found`, and
    /// nothing of the record reaches the execution's output.
    pub async fn a_step_refuses_a_record_its_creator_may_not_see(stores: store::Stores) {
        let t = tenants(stores).await;
        let r = a1_records(&t).await;
        let mut ids = Vec::new();
        for (package, params) in matrix(&r) {
            let started =
                t.rt.trigger(runtime::Trigger {
                    package: package.into(),
                    params,
                    created_by: Some(t.b1_id.to_string()),
                    ..Default::default()
                })
                .await
                .unwrap();
            ids.push((package, started.execution_id));
        }
        let w = worker(&t.rt);
        for (package, id) in ids {
            let mut view = None;
            for _ in 0..300 {
                let (_, v) = t.call("GET", &format!("/api/v1/workflows/executions/{id}"), &t.admin, None).await;
                if matches!(v["status"].as_str(), Some("failed" | "completed")) {
                    view = Some(v);
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let v = view.unwrap_or_else(|| panic!("{package} did not finish"));
            assert_eq!(v["status"], "failed", "{package}: {v}");
            let failed: Vec<&Value> =
                v["steps"].as_array().unwrap().iter().filter(|s| s["status"] == "failed").collect();
            assert!(!failed.is_empty(), "{package}: {v}");
            for step in failed {
                let error = step["error"].as_str().unwrap_or_default();
                assert!(error.starts_with("not_found:"), "{package}: {error}");
            }
            let outputs = v["outputs"].to_string();
            assert!(!outputs.contains("A1's valuation request") && !outputs.contains("Omar"), "{package}: {outputs}");
            assert_eq!(v["outputs"], json!({}), "{package}: no step wrote anything");
        }
        w.0.cancel();
        w.1.await.unwrap();
        // A1's lead and client were not touched.
        let (_, lead) = t.call("GET", &format!("/api/v1/leads/{}", r.lead), &t.a1, None).await;
        assert_eq!(lead["status"], "new", "{lead}");
        assert!(lead["execution_id"].is_null(), "{lead}");
    }

    /// An Idempotency-Key is the caller's, per package; the routes' own keys cannot be taken.
    pub async fn idempotency_keys_are_scoped_to_the_caller_and_package(stores: store::Stores) {
        let t = tenants(stores).await;
        let body = |package: &str| json!({ "package_name": package, "parameters": {} });
        let exec = "/api/v1/workflows/packages/execute";
        let (s1, first) = t.call_with("POST", exec, &t.a1, Some(body("engine_selftest")), Some("k-1")).await;
        let (s2, again) = t.call_with("POST", exec, &t.a1, Some(body("engine_selftest")), Some("k-1")).await;
        assert_eq!((s1, s2), (StatusCode::ACCEPTED, StatusCode::ACCEPTED), "{first} {again}");
        assert_eq!(first["execution_id"], again["execution_id"], "same caller, same package: same execution");
        assert_eq!(again["created"], false);
        let (_, theirs) = t.call_with("POST", exec, &t.b1, Some(body("engine_selftest")), Some("k-1")).await;
        assert_ne!(theirs["execution_id"], first["execution_id"], "another caller's key finds nothing of A1's");
        assert_eq!(theirs["created"], true);
        // B1 cannot see A1's execution through it either.
        let (status, _) = t
            .call(
                "GET",
                &format!("/api/v1/workflows/executions/{}", first["execution_id"].as_str().unwrap()),
                &t.b1,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // B1 takes the key the leads route will use for A1's lead, in advance: it changes nothing.
        let (_, lead) = t
            .call(
                "POST",
                "/api/v1/leads",
                &t.a1,
                Some(json!({
                    "name": "Omar Haddad", "email": "omar@example.com", "source": "portal", "contact_consent": true,
                })),
            )
            .await;
        let lead_id = lead["lead_id"].as_str().unwrap();
        let internal = format!("nurture:{lead_id}");
        let (_, squatted) = t.call_with("POST", exec, &t.b1, Some(body("engine_selftest")), Some(&internal)).await;
        let (status, nurture) = t.call("POST", &format!("/api/v1/leads/{lead_id}/nurture"), &t.a1, None).await;
        assert!(status.is_success(), "{nurture}");
        assert_ne!(nurture["execution_id"], squatted["execution_id"], "{nurture}");
        let (_, view) = t
            .call(
                "GET",
                &format!("/api/v1/workflows/executions/{}", nurture["execution_id"].as_str().unwrap()),
                &t.a1,
                None,
            )
            .await;
        assert_eq!(view["package_name"], "lead_nurturing_package", "{view}");
    }

    /// The packages routes start cannot be deactivated; a route whose package is gone anyway
    /// (deactivated in the store directly) answers not found and writes nothing.
    pub async fn route_packages_stay_active_and_routes_leave_nothing_behind(stores: store::Stores) {
        let t = tenants(stores).await;
        for (package, routes) in api::spec::ROUTE_PACKAGES {
            let (status, body) =
                t.call("DELETE", &format!("/api/v1/workflows/packages/{package}"), &t.admin, None).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("package_in_use")), "{body}");
            assert_eq!(body["dependants"], json!(routes), "{body}");
        }
        let (status, body) = t.call("DELETE", "/api/v1/workflows/packages/engine_selftest", &t.admin, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let _ = a1_property(&t, "ISO-2").await;
        for package in
            ["social_post_publish", "lead_nurturing_package", "client_onboarding_package", "marketing_full_package"]
        {
            t.rt.store.set_package_active(package, false).await.unwrap();
        }
        let (status, body) = t
            .call(
                "POST",
                "/api/v1/social/campaigns",
                &t.a1,
                Some(json!({
                    "property_id": "ISO-2", "platforms": ["instagram"], "duration_days": 7, "posts_per_week": 3,
                })),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body) = t
            .call("POST", "/api/v1/social/posts", &t.a1, Some(json!({
                "property_id": "ISO-2", "platforms": ["x"], "scheduled_at": chrono::Utc::now() + chrono::Duration::days(1),
            })))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body) = t
            .call("POST", "/api/v1/leads", &t.a1, Some(json!({
                "name": "Omar Haddad", "email": "omar@example.com", "source": "portal", "contact_consent": true, "nurture": true,
            })))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body) = t
            .call(
                "POST",
                "/api/v1/clients",
                &t.a1,
                Some(json!({
                    "name": "Lina Saleh", "email": "lina@example.com", "client_type": "resident", "role": "seller",
                })),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body) = t
            .call(
                "POST",
                "/api/v1/marketing/campaigns/full-package",
                &t.a1,
                Some(json!({
                    "property_id": "ISO-2", "campaign_type": "new_listing", "target_channels": ["listing"],
                })),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        // Nothing was written by the refused requests.
        for path in [
            "/api/v1/social/campaigns",
            "/api/v1/social/posts",
            "/api/v1/leads",
            "/api/v1/clients",
            "/api/v1/marketing/campaigns",
        ] {
            let (status, list) = t.call("GET", path, &t.a1, None).await;
            assert_eq!(status, StatusCode::OK, "{path}: {list}");
            let rows: usize = list.as_object().unwrap().values().filter_map(Value::as_array).map(Vec::len).sum();
            assert_eq!(rows, 0, "{path}: {list}");
        }
    }
}

crate::accounts_test!(cases::another_teams_records_are_not_found_through_every_package);
crate::accounts_test!(cases::a_step_refuses_a_record_its_creator_may_not_see);
crate::accounts_test!(cases::idempotency_keys_are_scoped_to_the_caller_and_package);
crate::accounts_test!(cases::route_packages_stay_active_and_routes_leave_nothing_behind);
