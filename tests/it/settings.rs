//! The brokerage settings as data, through the HTTP API on each backend: a production install
//! with none waits (the New Listing's campaign step waits durably, then goes on when an admin
//! saves them); a development install starts with marked demo settings; saves are validated,
//! compare-and-set and audited; a settings file pins them.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::marketing::{fixture_options, fixture_with, Fixture};
use crate::packages::{stop, wait_for, worker};

const REAL: &str = r#"{ "brokerage_name": "Palm Coast Properties", "orn": "24680", "brn": "13579",
    "required_disclaimers": ["Prices are indicative."], "disclaimer_exempt_channels": ["sms"],
    "media_council_permit_number": "MC-2026-118" }"#;

async fn put(f: &Fixture, token: &str, body: &str, if_match: Option<&str>) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method("PUT")
        .uri("/api/v1/settings/brokerage")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    if let Some(v) = if_match {
        req = req.header("if-match", v);
    }
    let res = f.router.clone().oneshot(req.body(Body::from(body.to_string())).unwrap()).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn add_property(f: &Fixture, reference: &str) {
    let (status, p) = f
        .call("POST", "/api/v1/properties", &f.agent, Some(json!({
            "reference": reference, "community": "Dubai Marina", "building": "Marina Gate", "property_type": "apartment",
            "bedrooms": 2, "bathrooms": 2, "size_sqft": 1250, "asking_price": 2_400_000, "permit_number": "7112345678",
            "features": ["Sea view", "Balcony", "Covered parking"], "view": "Sea", "completion_status": "ready",
        })))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
}

async fn artifact_text(f: &Fixture, id: &Value) -> String {
    let (_, bytes) = f.estate.domain.artifact(id.as_str().unwrap().parse().unwrap()).await.unwrap().unwrap();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub mod cases {
    use super::*;

    pub async fn a_new_listing_waits_for_the_settings_and_goes_on_when_saved(stores: store::Stores) {
        let f = fixture_with(stores.clone(), false, true).await;
        let (status, none) = f.call("GET", "/api/v1/settings/brokerage", &f.agent, None).await;
        assert_eq!(status, StatusCode::OK, "{none}");
        assert_eq!((none["ready"].as_bool(), none["source"].as_str()), (Some(false), Some("none")), "{none}");

        add_property(&f, "ST-1").await;
        let (status, started) = f
            .call(
                "POST",
                "/api/v1/workflows/packages/execute",
                &f.agent,
                Some(json!({
                    "package_name": "new_listing_package",
                    "parameters": { "property_id": "ST-1", "listing_price": 2_400_000, "target_timeline": "2_weeks" },
                })),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{started}");
        let path = format!("/api/v1/workflows/executions/{}", started["execution_id"].as_str().unwrap());
        let w = worker(&f.rt, "settings-wait");
        let step =
            |v: &Value, id: &str| v["steps"].as_array().unwrap().iter().find(|s| s["step_id"] == id).cloned().unwrap();
        let waiting = wait_for(&f, &path, |v| step(v, "marketing_campaign_creation")["waiting"] == true).await;
        assert_eq!(waiting["status"], "running", "waiting is not failing: {waiting}");
        let campaign = step(&waiting, "marketing_campaign_creation");
        assert!(
            campaign["waiting_for"].as_str().unwrap().contains("PUT /api/v1/settings/brokerage"),
            "the reason says what to do: {campaign}"
        );
        assert_eq!(campaign["attempts"], 1, "waiting spends no attempt: {campaign}");

        // Agents may read, not save; a bad document is refused field by field and changes nothing.
        let (status, _) = put(&f, &f.agent, REAL, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, bad) =
            put(&f, &f.admin, r#"{ "brokerage_name": "", "orn": "12a45", "brn": "00000" }"#, None).await;
        assert_eq!((status, bad["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_fields")), "{bad}");
        let fields: Vec<&str> =
            bad["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["brokerage_name", "orn", "brn"], "{bad}");
        let (status, unknown) = put(&f, &f.admin, r#"{ "orn": "12345", "demo": true }"#, None).await;
        assert_eq!(
            (status, unknown["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")),
            "{unknown}"
        );
        let (status, stale) = put(&f, &f.admin, REAL, Some("\"3\"")).await;
        assert_eq!(
            (status, stale["code"].as_str()),
            (StatusCode::PRECONDITION_FAILED, Some("version_conflict")),
            "{stale}"
        );

        // The save wakes the waiting execution, which completes with the saved numbers.
        let (status, saved) = put(&f, &f.admin, REAL, None).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        assert_eq!(
            (saved["version"].as_i64(), saved["ready"].as_bool(), saved["demo"].as_bool(), saved["source"].as_str()),
            (Some(1), Some(true), Some(false), Some("database")),
            "{saved}"
        );
        assert_eq!(saved["woken_executions"], 1, "{saved}");
        let done = wait_for(&f, &path, |v| matches!(v["status"].as_str(), Some("completed" | "failed"))).await;
        stop(w).await;
        assert_eq!(done["status"], "completed", "{}", done["steps"]);
        let files = done["outputs"]["marketing_campaign_creation"]["files"].as_array().unwrap().clone();
        let email = files.iter().find(|a| a["filename"] == "email.txt").expect("the e-mail copy");
        let text = artifact_text(&f, &email["artifact_id"]).await;
        assert!(text.contains("ORN 24680") && text.contains("BRN 13579"), "{text}");
        assert!(text.contains("Palm Coast Properties") && !text.contains("DEMO"), "{text}");

        // A second save must name the version it read; the log has both saves' author and version.
        let (status, again) = put(&f, &f.admin, REAL, Some("\"1\"")).await;
        assert_eq!((status, again["version"].as_i64()), (StatusCode::OK, Some(2)), "{again}");
        let (status, stale) = put(&f, &f.admin, REAL, Some("\"1\"")).await;
        assert_eq!((status, stale["current_version"].as_i64()), (StatusCode::PRECONDITION_FAILED, Some(2)), "{stale}");
        let log = f.estate.accounts.audit_log(None, 50).await.unwrap();
        let saves: Vec<i64> = log
            .iter()
            .filter(|e| e.action == "settings.brokerage.update")
            .filter_map(|e| e.detail.as_ref().and_then(|d| d["version"].as_i64()))
            .collect();
        assert_eq!(saves, [2, 1], "newest first");
    }

    pub async fn a_development_install_starts_with_marked_demo_settings(stores: store::Stores) {
        let options = realestate::Options { settings_file: None, demo_brokerage: true };
        let f = fixture_options(stores.clone(), options, true).await;
        let (_, demo) = f.call("GET", "/api/v1/settings/brokerage", &f.agent, None).await;
        assert_eq!((demo["demo"].as_bool(), demo["ready"].as_bool()), (Some(true), Some(true)), "{demo}");
        assert!(demo["notice"].as_str().unwrap().contains("DEMO"), "{demo}");

        // Compliance reports say the numbers are placeholders.
        let (status, report) = f
            .call("POST", "/api/v1/marketing/compliance/check", &f.agent, Some(json!({
                "channel": "portal", "text": "2-bedroom apartment in Dubai Marina. AURA Demo Realty, ORN 00000, agent BRN 00000.",
            })))
            .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert!(report["notice"].as_str().unwrap().contains("demo brokerage settings"), "{report}");

        // Every asset a campaign makes is marked: copy, PDF brochure, images.
        add_property(&f, "DM-1").await;
        let (status, c) = f
            .call("POST", "/api/v1/marketing/campaigns", &f.agent, Some(json!({
                "property_id": "DM-1", "campaign_type": "new_listing", "target_channels": ["listing", "email", "social", "brochure"],
            })))
            .await;
        assert_eq!((status, c["status"].as_str()), (StatusCode::CREATED, Some("draft")), "{c}");
        let assets = c["assets"].as_array().unwrap();
        let texts: Vec<&Value> = assets.iter().filter(|a| a["filename"].as_str().unwrap().ends_with(".txt")).collect();
        assert!(texts.len() >= 3, "{c}");
        for a in texts {
            let text = artifact_text(&f, &a["artifact_id"]).await;
            assert!(
                text.starts_with("*** DEMO \u{2014} not for publication"),
                "{} is not marked: {text}",
                a["filename"]
            );
        }
        assert!(assets.iter().any(|a| a["content_type"] == "application/pdf"), "{c}");
        assert!(assets.iter().any(|a| a["content_type"] == "image/png"), "{c}");

        // The admin's first save replaces the demo.
        let (status, saved) = put(&f, &f.admin, REAL, None).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        assert_eq!((saved["demo"].as_bool(), saved["version"].as_i64()), (Some(false), Some(2)), "{saved}");
        // A restart does not bring the demo back.
        let again =
            realestate::Services::launch(&stores, realestate::Options { settings_file: None, demo_brokerage: true })
                .await
                .unwrap();
        assert!(!again.settings().await.unwrap().demo());
    }

    pub async fn a_settings_file_pins_them(stores: store::Stores) {
        let f = fixture_with(stores, true, false).await;
        let (_, pinned) = f.call("GET", "/api/v1/settings/brokerage", &f.agent, None).await;
        assert_eq!(
            (pinned["source"].as_str(), pinned["settings"]["orn"].as_str()),
            (Some("file"), Some("12345")),
            "{pinned}"
        );
        let (status, refused) = put(&f, &f.admin, REAL, None).await;
        assert_eq!((status, refused["code"].as_str()), (StatusCode::CONFLICT, Some("settings_pinned")), "{refused}");
    }
}

crate::accounts_test!(cases::a_new_listing_waits_for_the_settings_and_goes_on_when_saved);
crate::accounts_test!(cases::a_development_install_starts_with_marked_demo_settings);
crate::accounts_test!(cases::a_settings_file_pins_them);
