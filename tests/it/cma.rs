//! The CMA through the HTTP API on each backend, with the shipped Dubai data: properties, quick
//! valuation, a CMA report produced by a durable execution (JSON and PDF), trends, and imports.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use store::accounts::NewUser;
use tower::ServiceExt;

pub struct Fixture {
    router: axum::Router,
    token: String,
    admin_token: String,
    stop: tokio_util::sync::CancellationToken,
    worker: tokio::task::JoinHandle<()>,
}

impl Fixture {
    pub async fn new(stores: store::Stores) -> Fixture {
        let estate = realestate::Services::start(&stores).await.expect("seed and load market");
        let mut registry = runtime::Registry::with_builtins();
        realestate::handlers::register(&mut registry, estate.clone());
        let rt = runtime::Runtime::new(stores.engine.clone(), registry);
        let source = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../packages/cma_report.toml"),
        )
        .unwrap();
        rt.register_package(&source).await.expect("register cma_report");
        let now = chrono::Utc::now();
        let tokens = api::auth::token::Tokens::new(
            b"cma-test-secret-0123456789abcdefghij",
            "aura",
            "aura-api",
            Duration::from_secs(1800),
            Duration::from_secs(3600),
        );
        let mut issued = Vec::new();
        for (email, role) in [("agent@aura.test", "agent"), ("admin@aura.test", "admin")] {
            let user = stores
                .accounts
                .create_user(
                    &NewUser {
                        email: email.into(),
                        name: "Sara Khan".into(),
                        password_hash: "x".into(),
                        role: role.into(),
                        team_id: None,
                    },
                    now,
                )
                .await
                .unwrap();
            issued.push(tokens.issue(&user, now));
        }
        let state = api::AppState::new(
            rt.clone(),
            stores.accounts.clone(),
            stores.analytics.clone(),
            estate,
            tokens,
            api::ApiConfig::default(),
        );
        let mut cfg = runtime::WorkerConfig::new("cma-test");
        cfg.poll = Duration::from_millis(100);
        cfg.heartbeat = Duration::from_millis(500);
        let stop = tokio_util::sync::CancellationToken::new();
        let worker = tokio::spawn(runtime::Worker::new(&rt, cfg).run(stop.clone()));
        Fixture {
            router: crate::contract::checked(api::router(state)),
            admin_token: issued.pop().unwrap(),
            token: issued.pop().unwrap(),
            stop,
            worker,
        }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
        content_type: &str,
        raw: Option<&str>,
    ) -> (StatusCode, Vec<u8>, String) {
        let mut req = Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
        let body = match (body, raw) {
            (Some(v), _) => {
                req = req.header("content-type", "application/json");
                Body::from(v.to_string())
            }
            (None, Some(r)) => {
                req = req.header("content-type", content_type);
                Body::from(r.to_string())
            }
            _ => Body::empty(),
        };
        let res = self.router.clone().oneshot(req.body(body).unwrap()).await.unwrap();
        let status = res.status();
        let ctype = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        (status, res.into_body().collect().await.unwrap().to_bytes().to_vec(), ctype)
    }

    async fn json(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let (status, bytes, _) = self.call(method, path, &self.token, body, "", None).await;
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    pub async fn stop(self) {
        self.stop.cancel();
        self.worker.await.unwrap();
    }
}

pub mod cases {
    use super::*;

    pub async fn cma_end_to_end(stores: store::Stores) {
        let f = Fixture::new(stores).await;

        // A property in the seed's shape: address gives community and building, area_sqft the size.
        let (status, p) = f
            .json("POST", "/api/v1/properties", Some(json!({
                "reference": "test_prop_123", "address": "Dubai Marina, Marina Heights Tower", "property_type": "apartment",
                "bedrooms": 2, "bathrooms": 2, "area_sqft": 1250, "asking_price": 2_400_000, "permit_number": "7112345678",
            })))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        assert_eq!(
            (p["community"].as_str(), p["building"].as_str()),
            (Some("Dubai Marina"), Some("Marina Heights Tower"))
        );
        let (status, dup) = f.json("POST", "/api/v1/properties", Some(json!({ "reference": "test_prop_123", "community": "JVC", "property_type": "apartment", "bedrooms": 1, "size_sqft": 700 }))).await;
        assert_eq!((status, dup["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
        let (status, bad) = f.json("POST", "/api/v1/properties", Some(json!({ "reference": "x", "community": "Atlantis Deep", "property_type": "apartment", "bedrooms": 40, "size_sqft": -5 }))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> =
            bad["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["community", "bedrooms", "size_sqft"], "{bad}");
        let (status, got) = f.json("GET", "/api/v1/properties/test_prop_123", None).await;
        assert_eq!((status, got["id"].clone()), (StatusCode::OK, p["id"].clone()));

        // Quick valuation by alias.
        let (status, v) = f.json("POST", "/api/v1/cma/valuation/quick", Some(json!({ "community": "JVC", "property_type": "apartment", "bedrooms": 1, "area_sqft": 750, "valuation_date": "2026-02-15" }))).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let est = v["estimated_value"].as_f64().unwrap();
        assert!(v["value_range"]["low"].as_f64().unwrap() <= est && est <= v["value_range"]["high"].as_f64().unwrap());
        assert!((300_000.0..5_000_000.0).contains(&est), "{est}");
        assert!(!v["comparables"].as_array().unwrap().is_empty());
        assert!(v["confidence"].as_f64().unwrap() > 0.0);
        let (status, unknown) = f.json("POST", "/api/v1/cma/valuation/quick", Some(json!({ "community": "Dubai Marena", "property_type": "apartment", "bedrooms": 1, "area_sqft": 750 }))).await;
        assert_eq!(
            (status, unknown["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_fields")),
            "{unknown}"
        );
        assert!(
            unknown["errors"][0]["suggestions"].as_array().unwrap().iter().any(|s| s == "Dubai Marina"),
            "{unknown}"
        );
        let (status, zero) = f
            .json(
                "POST",
                "/api/v1/cma/valuation/quick",
                Some(json!({ "community": "JVC", "property_type": "apartment", "bedrooms": 1, "area_sqft": 0 })),
            )
            .await;
        assert_eq!(
            (status, zero["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("size_sqft")),
            "{zero}"
        );

        // The seed's TestAURAIntegration.test_cma_report_generation, as written there.
        let (status, seed) = f
            .json("POST", "/api/v1/cma/reports", Some(json!({
                "subject_property": { "address": "Dubai Marina, Marina Heights Tower", "bedrooms": 2, "bathrooms": 2, "area_sqft": 1200, "property_type": "apartment" },
                "analysis_options": { "comparable_count": 6, "radius_km": 2.0, "time_frame_months": 12, "include_market_trends": true },
            })))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{seed}");
        assert!(seed["cma_report_id"].is_string());
        assert_eq!(seed["status"], "processing");

        // A CMA report as a durable execution.
        let (status, started) = f
            .json("POST", "/api/v1/cma/reports", Some(json!({ "property_id": "test_prop_123", "analysis_options": { "comparable_count": 6, "time_frame_months": 24, "include_market_trends": true }, "valuation_date": "2026-02-15" })))
            .await;
        assert_eq!((status, started["status"].as_str()), (StatusCode::ACCEPTED, Some("processing")), "{started}");
        let id = started["cma_report_id"].as_str().unwrap().to_string();
        let mut report = Value::Null;
        for _ in 0..300 {
            let (_, r) = f.json("GET", &format!("/api/v1/cma/reports/{id}"), None).await;
            if r["status"] != "processing" {
                report = r;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(report["status"], "completed", "{report}");
        let comps = report["comparables"].as_array().unwrap();
        assert!(!comps.is_empty() && comps.len() <= 6);
        assert!(comps.iter().all(|c| c["similarity"].as_f64().is_some() && c["adjustments"].is_array()));
        assert!(report["valuation"]["estimated_value"].as_f64().unwrap() > 0.0);
        for k in ["quick_sale", "market", "premium"] {
            assert!(report["pricing_recommendation"][k]["price_aed"].as_f64().unwrap() > 0.0);
        }
        assert!(!report["market"]["points"].as_array().unwrap().is_empty());
        let (status, pdf, ctype) =
            f.call("GET", &format!("/api/v1/cma/reports/{id}/pdf"), &f.token, None, "", None).await;
        assert_eq!((status, ctype.as_str()), (StatusCode::OK, "application/pdf"));
        assert!(pdf.starts_with(b"%PDF-1.") && pdf.len() > 5_000);
        let (_, list) = f.json("GET", "/api/v1/cma/reports", None).await;
        assert_eq!(list["reports"][0]["cma_report_id"].as_str(), Some(id.as_str()));

        // Trends and the seed's market insights.
        let (status, t) = f
            .json("GET", "/api/v1/cma/market/trends?community=JVC&property_type=apartment&forecast_months=6", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{t}");
        assert_eq!(t["forecast"]["points"].as_array().unwrap().len(), 6);
        let (status, ins) = f
            .json("GET", "/api/v1/analytics/insights/market?location=Dubai%20Marina&property_type=apartment", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{ins}");
        assert!(ins["market_overview"]["median_price_per_sqft"].as_f64().is_some());

        // Imports report bad rows by line; only admins may import.
        let csv = "txn_id,date,community,property_type,bedrooms,size_sqft,price_aed\nT-NEW-1,2026-03-01,Dubai Marina,apartment,2,1200,2300000\nT-NEW-2,yesterday,Dubai Marina,apartment,2,1200,2300000\n";
        let (status, _, _) =
            f.call("POST", "/api/v1/market/transactions/import", &f.token, None, "text/csv", Some(csv)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body, _) =
            f.call("POST", "/api/v1/market/transactions/import", &f.admin_token, None, "text/csv", Some(csv)).await;
        let report: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!((report["inserted"].as_u64(), report["errors"][0]["line"].as_u64()), (Some(1), Some(3)));
        f.stop().await;
    }
}

crate::accounts_test!(cases::cma_end_to_end);
