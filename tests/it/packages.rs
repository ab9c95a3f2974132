//! The shipped packages end to end through the HTTP API on each backend: New Listing (one request,
//! eight checkpointed steps, five deliverables), Lead Nurturing and Client Onboarding.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use crate::marketing::{fixture_with, Fixture};

pub(crate) fn worker(rt: &runtime::Runtime, name: &str) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let stop = CancellationToken::new();
    let mut cfg = runtime::WorkerConfig::new(name);
    cfg.poll = Duration::from_millis(100);
    cfg.heartbeat = Duration::from_millis(500);
    cfg.lease = Duration::from_secs(10);
    let handle = tokio::spawn(runtime::Worker::new(rt, cfg).run(stop.clone()));
    (stop, handle)
}

pub(crate) async fn stop((token, handle): (CancellationToken, tokio::task::JoinHandle<()>)) {
    token.cancel();
    handle.await.unwrap();
}

/// Polls `path` until `done` holds (at most 60 s).
pub(crate) async fn wait_for(f: &Fixture, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..600 {
        let (_, v) = f.call("GET", path, &f.agent, None).await;
        if done(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} did not reach the expected state: {}", f.call("GET", path, &f.agent, None).await.1);
}

pub mod cases {
    use super::*;

    pub async fn new_listing_runs_end_to_end(stores: store::Stores) {
        let f = fixture_with(stores.clone(), true, true).await;
        let (status, p) = f
            .call("POST", "/api/v1/properties", &f.agent, Some(json!({
                "reference": "NL-1", "community": "Dubai Marina", "building": "Marina Gate", "property_type": "apartment",
                "bedrooms": 2, "bathrooms": 2, "size_sqft": 1250, "asking_price": 2_400_000, "permit_number": "7112345678",
                "features": ["Sea view", "Balcony", "Covered parking"], "view": "Sea", "completion_status": "ready",
            })))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        let (status, started) = f
            .call(
                "POST",
                "/api/v1/workflows/packages/execute",
                &f.agent,
                Some(json!({
                    "package_name": "new_listing_package",
                    "parameters": { "property_id": "NL-1", "listing_price": 3_200_000, "marketing_budget": 15000,
                                    "customizations": { "agent_phone": "+971 50 123 4567" } },
                })),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{started}");
        let id = started["execution_id"].as_str().unwrap().to_string();
        let w = worker(&f.rt, "new-listing");
        let done = wait_for(&f, &format!("/api/v1/workflows/executions/{id}"), |v| {
            matches!(v["status"].as_str(), Some("completed" | "failed"))
        })
        .await;
        stop(w).await;
        assert_eq!(done["status"], "completed", "{}", serde_json::to_string_pretty(&done["steps"]).unwrap());

        let out = &done["outputs"];
        assert!(out["property_analysis"]["data_quality"]["score"].as_f64().unwrap() > 0.6, "{out}");
        assert!(out["property_analysis"]["comparable_supply"]["transactions_last_12_months"].as_i64().unwrap() > 0);
        assert!(out["cma_generation"]["summary"]["estimated_value"].as_f64().unwrap() > 500_000.0);
        assert!(out["pricing_recommendation"]["recommendation"]["position"].is_string());
        assert!(out["photography_scheduling"]["drone"].as_bool().unwrap(), "drone above AED 3M");
        assert_eq!(out["photography_scheduling"]["slots"].as_array().unwrap().len(), 3);
        assert_eq!(out["social_media_content"]["posts"].as_array().unwrap().len(), 4);
        assert!(out["listing_optimization"]["title"].as_str().unwrap().chars().count() <= 50);
        assert_eq!(out["final_review"]["passed"], true);
        // The seed's deliverables, each naming its record and files.
        let deliverables = done["deliverables"].as_array().unwrap();
        let names: Vec<&str> = deliverables.iter().map(|d| d["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            ["CMA Report", "Marketing Campaign", "Social Media Content", "Property Listing", "Photography Schedule"]
        );
        for d in deliverables {
            assert_eq!(d["status"], "succeeded", "{d}");
            assert!(d["output"]["record_id"].is_string(), "{d}");
            assert!(!d["output"]["files"].as_array().unwrap().is_empty(), "{d}");
        }
        // The campaign is a draft in luxury style (above AED 2M), waiting for approval.
        let campaign = out["marketing_campaign_creation"]["campaign_id"].as_str().unwrap();
        let (_, c) = f.call("GET", &format!("/api/v1/marketing/campaigns/{campaign}"), &f.agent, None).await;
        assert_eq!(c["status"], "draft", "{c}");
        // The .ics opens as a calendar with three events.
        let ics_id = out["photography_scheduling"]["files"][0]["artifact_id"].as_str().unwrap();
        let (_, ics) = f.estate.domain.artifact(ics_id.parse().unwrap()).await.unwrap().unwrap();
        let ics = String::from_utf8(ics).unwrap();
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.matches("BEGIN:VEVENT").count() == 3, "{ics}");
        // The CMA report is a real report with its PDF.
        let report = out["cma_generation"]["cma_report_id"].as_str().unwrap();
        let (status, r) = f.call("GET", &format!("/api/v1/cma/reports/{report}"), &f.agent, None).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        // The launch counts on the agent's dashboard, once.
        let (_, overview) = f.call("GET", "/api/v1/analytics/dashboard/overview?period=7d", &f.agent, None).await;
        assert_eq!(overview["performance_overview"]["listings_launched"], 1, "{overview}");
    }

    /// The agent's loop when the review says no: fix what it names, retry the step, done.
    pub async fn failed_final_review_is_fixed_and_retried_from_its_step(stores: store::Stores) {
        let f = fixture_with(stores.clone(), true, true).await;
        // An agency that wants complete listings: the review asks for a data quality of 0.9.
        let source = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../packages/new_listing_package.toml"),
        )
        .unwrap()
        .replace("quality_min = 0.6", "quality_min = 0.9");
        f.rt.register_package(&source).await.unwrap();
        let (status, p) = f
            .call(
                "POST",
                "/api/v1/properties",
                &f.agent,
                Some(json!({
                    "reference": "NL-2", "community": "Dubai Marina", "property_type": "apartment", "bedrooms": 2,
                    "size_sqft": 1250, "asking_price": 2_400_000, "permit_number": "7112345678",
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        let (_, started) = f
            .call("POST", "/api/v1/workflows/packages/execute", &f.agent, Some(json!({
                "package_name": "new_listing_package", "parameters": { "property_id": "NL-2", "listing_price": 2_400_000 },
            })))
            .await;
        let id = started["execution_id"].as_str().unwrap().to_string();
        let w = worker(&f.rt, "review-retry");
        let path = format!("/api/v1/workflows/executions/{id}");
        let failed = wait_for(&f, &path, |v| matches!(v["status"].as_str(), Some("completed" | "failed"))).await;
        assert_eq!(failed["status"], "failed", "{}", failed["steps"]);
        let review =
            failed["steps"].as_array().unwrap().iter().find(|s| s["step_id"] == "final_review").unwrap().clone();
        assert_eq!(review["status"], "failed");
        assert!(review["error"].as_str().unwrap().contains("data quality"), "{review}");
        // Every other step kept its checkpoint.
        let succeeded = failed["steps"].as_array().unwrap().iter().filter(|s| s["status"] == "succeeded").count();
        assert_eq!(succeeded, 7);

        let (status, fixed) = f
            .call(
                "PATCH",
                &format!("/api/v1/properties/{}", p["id"].as_str().unwrap()),
                &f.agent,
                Some(json!({
                    "building": "Marina Gate", "bathrooms": 2, "view": "Sea", "completion_status": "ready",
                    "features": ["Sea view", "Balcony", "Gym"],
                    "photos": ["living.jpg", "kitchen.jpg", "bedroom.jpg", "view.jpg", "pool.jpg"],
                })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{fixed}");
        let (status, retried) = f
            .call("POST", &format!("/api/v1/workflows/executions/{id}/steps/final_review/retry"), &f.agent, None)
            .await;
        assert_eq!(status, StatusCode::OK, "{retried}");
        let done = wait_for(&f, &path, |v| matches!(v["status"].as_str(), Some("completed" | "failed"))).await;
        stop(w).await;
        assert_eq!(done["status"], "completed", "{}", done["steps"]);
        assert_eq!(done["outputs"]["final_review"]["passed"], true);
        // Only the review ran again.
        let (_, events) = f.call("GET", &format!("/api/v1/workflows/executions/{id}/events"), &f.agent, None).await;
        let starts = |step: &str| {
            events["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "step_started" && e["step_id"] == step)
                .count()
        };
        assert_eq!((starts("cma_generation"), starts("final_review")), (1, 2), "{events}");
    }
}

crate::accounts_test!(cases::new_listing_runs_end_to_end);
crate::accounts_test!(cases::failed_final_review_is_fixed_and_retried_from_its_step);

pub mod leads {
    use super::*;
    use std::sync::Arc;

    pub async fn lead_nurturing_drips_until_the_lead_replies(stores: store::Stores) {
        let f = fixture_with(stores.clone(), true, true).await;
        // Days compressed to fractions of a second: the waits are real, only shorter.
        let _ = f.estate.time_scale.set(2e-6);
        let sink = mail::testing::SmtpSink::start().await;
        let _ = f.estate.mailer.set(Arc::new(realestate::mailer::SmtpMailer::new(sink.config()).unwrap()));
        let (status, p) = f
            .call("POST", "/api/v1/properties", &f.agent, Some(json!({
                "reference": "LN-1", "community": "Dubai Marina", "building": "Marina Gate", "property_type": "apartment",
                "bedrooms": 2, "size_sqft": 1250, "asking_price": 2_400_000, "permit_number": "7112345678",
            })))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        let lead = |email: &str| {
            json!({
                "name": "Omar Haddad", "email": email, "source": "referral", "budget_min": 2_000_000, "budget_max": 2_600_000,
                "preferred_communities": ["dubai marina"], "property_type": "apartment", "bedrooms": 2,
                "contact_consent": true, "nurture": true,
            })
        };
        let (status, first) = f.call("POST", "/api/v1/leads", &f.agent, Some(lead("omar@example.com"))).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(first["preferred_communities"], json!(["Dubai Marina"]), "aliases resolved");
        let w = worker(&f.rt, "nurture");
        let first_exec = first["execution_id"].as_str().unwrap().to_string();
        let done = wait_for(&f, &format!("/api/v1/workflows/executions/{first_exec}"), |v| {
            matches!(v["status"].as_str(), Some("completed" | "failed"))
        })
        .await;
        assert_eq!(done["status"], "completed", "{}", done["steps"]);
        let out = &done["outputs"];
        assert_eq!(out["score_lead"]["segment"], "hot", "{}", out["score_lead"]);
        assert!(out["score_lead"]["components"].as_array().unwrap().iter().all(|c| c["reason"].is_string()));
        assert_eq!(out["match_listings"]["matches"][0]["reference"], "LN-1");
        assert_eq!(out["summary"]["emails_sent"], 3, "{}", out["summary"]);
        assert!(out["summary"]["call_task"].is_string(), "a hot lead becomes a call task");
        let mails = sink.wait_for(3, Duration::from_secs(5)).await.expect("three e-mails");
        let parsed = mail::parse_message(&mails[0].data).unwrap();
        let text = parsed.find_body("text/plain").unwrap().body_text();
        assert!(text.contains("7112345678") && text.contains("ORN 12345"), "{text}");
        let (_, tasks) = f.call("GET", "/api/v1/tasks", &f.agent, None).await;
        assert_eq!(tasks["tasks"].as_array().unwrap().len(), 1, "{tasks}");

        // A second lead replies after the first e-mail: the drip stops at once.
        let (_, second) = f.call("POST", "/api/v1/leads", &f.agent, Some(lead("lina@example.com"))).await;
        let exec = second["execution_id"].as_str().unwrap().to_string();
        let status_path = format!("/api/v1/workflows/packages/status/{exec}");
        wait_for(&f, &status_path, |v| {
            v["steps"].as_array().unwrap().iter().any(|s| s["step_id"] == "send_1" && s["status"] == "succeeded")
        })
        .await;
        let lead_path = format!("/api/v1/leads/{}", second["lead_id"].as_str().unwrap());
        let (status, replied) = f.call("PATCH", &lead_path, &f.agent, Some(json!({ "status": "replied" }))).await;
        assert_eq!((status, replied["status"].as_str()), (StatusCode::OK, Some("replied")), "{replied}");
        let done = wait_for(&f, &format!("/api/v1/workflows/executions/{exec}"), |v| v["status"] == "completed").await;
        stop(w).await;
        assert_eq!(done["outputs"]["summary"]["stopped"], "lead replied", "{}", done["outputs"]["summary"]);
        assert!(done["outputs"]["summary"]["emails_sent"].as_u64().unwrap() <= 2);
        let lead_path = format!("/api/v1/leads/{}", first["lead_id"].as_str().unwrap());
        let (status, _) = f.call("PATCH", &lead_path, &f.agent, Some(json!({ "status": "converted" }))).await;
        assert_eq!(status, StatusCode::OK);
        let (_, overview) = f.call("GET", "/api/v1/analytics/dashboard/overview?period=7d", &f.agent, None).await;
        let leads = &overview["performance_overview"]["leads"];
        assert_eq!((leads["handled"].as_f64(), leads["converted"].as_f64()), (Some(2.0), Some(1.0)), "{overview}");

        // Bad input names its fields; a CSV import reports rows by line.
        let (status, bad) =
            f.call("POST", "/api/v1/leads", &f.agent, Some(json!({ "name": "", "source": "tv" }))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let fields: Vec<&str> =
            bad["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"name") && fields.contains(&"source"), "{bad}");
        let csv = "name,email,source,budget_max,preferred_communities,contact_consent\n\
                   Aisha,aisha@example.com,portal,1500000,JVC;Dubai Marina,yes\n\
                   Raj,raj@example.com,website,900000,,no\n\
                   Bad,not-an-email,portal,abc,,yes\n";
        let req = axum::http::Request::builder()
            .method("POST")
            .uri("/api/v1/leads/import")
            .header("authorization", format!("Bearer {}", f.agent))
            .header("content-type", "text/csv")
            .body(axum::body::Body::from(csv))
            .unwrap();
        use tower::ServiceExt;
        let res = f.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
        let report: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!((report["created"].as_u64(), report["rejected"].as_u64()), (Some(2), Some(1)), "{report}");
        assert_eq!(report["errors"][0]["line"], 4);
    }
}

crate::accounts_test!(leads::lead_nurturing_drips_until_the_lead_replies);

pub mod restart {
    use super::*;
    use std::sync::Arc;

    /// A drip outlives its worker: the first process stops while the lead's wait is pending; a new
    /// process on the same database sends the rest at their time.
    pub async fn lead_drip_survives_a_restart(stores: store::Stores) {
        let f = fixture_with(stores.clone(), true, false).await;
        let _ = f.estate.time_scale.set(1.0 / 86_400.0); // a day is a second
        let sink = mail::testing::SmtpSink::start().await;
        let _ = f.estate.mailer.set(Arc::new(realestate::mailer::SmtpMailer::new(sink.config()).unwrap()));
        let (_, lead) = f
            .call(
                "POST",
                "/api/v1/leads",
                &f.agent,
                Some(json!({
                    "name": "Lina Saleh", "email": "lina@example.com", "source": "portal", "budget_max": 900_000,
                    "preferred_communities": ["JVC"], "contact_consent": true, "nurture": true,
                })),
            )
            .await;
        let exec = lead["execution_id"].as_str().unwrap().to_string();
        let status = format!("/api/v1/workflows/packages/status/{exec}");
        let first = worker(&f.rt, "before-deploy");
        wait_for(&f, &status, |v| {
            v["steps"].as_array().unwrap().iter().any(|s| s["step_id"] == "wait_1" && s["waiting"] == true)
        })
        .await;
        stop(first).await;
        assert_eq!(sink.messages().len(), 1, "the first e-mail went before the restart");

        let mut registry = runtime::Registry::with_builtins();
        realestate::handlers::register(&mut registry, f.estate.clone());
        let restarted = runtime::Runtime::new(stores.engine.clone(), registry);
        let second = worker(&restarted, "after-deploy");
        let done = wait_for(&f, &format!("/api/v1/workflows/executions/{exec}"), |v| {
            matches!(v["status"].as_str(), Some("completed" | "failed"))
        })
        .await;
        stop(second).await;
        assert_eq!(done["status"], "completed", "{}", done["steps"]);
        assert_eq!(done["outputs"]["summary"]["emails_sent"], 3);
        assert_eq!(sink.wait_for(3, Duration::from_secs(5)).await.map(|m| m.len()), Some(3));
    }
}

crate::accounts_test!(restart::lead_drip_survives_a_restart);

pub mod clients {
    use super::*;
    use std::sync::Arc;

    async fn upload(
        f: &Fixture,
        client: &str,
        doc_type: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, Value) {
        use tower::ServiceExt;
        let req = axum::http::Request::builder()
            .method("POST")
            .uri(format!("/api/v1/clients/{client}/documents?doc_type={doc_type}"))
            .header("authorization", format!("Bearer {}", f.agent))
            .header("content-type", content_type)
            .body(axum::body::Body::from(bytes))
            .unwrap();
        let res = f.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    pub async fn client_onboarding_waits_for_documents_and_approval(stores: store::Stores) {
        let f = fixture_with(stores.clone(), true, false).await;
        // A day is half a second here: the reminder comes after 24 "hours".
        let _ = f.estate.time_scale.set(0.5 / 86_400.0);
        let sink = mail::testing::SmtpSink::start().await;
        let _ = f.estate.mailer.set(Arc::new(realestate::mailer::SmtpMailer::new(sink.config()).unwrap()));
        let (status, p) = f
            .call("POST", "/api/v1/properties", &f.agent, Some(json!({
                "reference": "CL-1", "community": "Dubai Marina", "building": "Marina Gate", "property_type": "apartment",
                "bedrooms": 2, "size_sqft": 1250, "asking_price": 2_400_000, "permit_number": "7112345678",
            })))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        let (status, bad) =
            f.call("POST", "/api/v1/clients", &f.agent, Some(json!({ "name": "X", "client_type": "alien" }))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let (status, c) = f
            .call(
                "POST",
                "/api/v1/clients",
                &f.agent,
                Some(json!({
                    "name": "Omar Haddad", "email": "omar@example.com", "client_type": "resident", "role": "seller",
                    "property_id": "CL-1", "exclusive": true, "nationality": "Jordan",
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        assert_eq!(c["required_documents"], json!(["emirates_id", "passport", "title_deed"]));
        let id = c["client_id"].as_str().unwrap().to_string();
        let tracking = c["tracking_url"].as_str().unwrap().to_string();
        let w = worker(&f.rt, "onboarding");
        let waiting = wait_for(&f, &tracking, |v| v["steps"][0]["waiting"] == true).await;
        assert!(
            waiting["steps"][0]["waiting_for"].as_str().unwrap().contains("emirates_id, passport, title_deed"),
            "{waiting}"
        );

        let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF".to_vec();
        assert_eq!(upload(&f, &id, "emirates_id", "application/pdf", pdf.clone()).await.0, StatusCode::CREATED);
        assert_eq!(
            upload(&f, &id, "passport", "image/png", b"\x89PNG\r\n\x1a\nrest".to_vec()).await.0,
            StatusCode::CREATED
        );
        let (status, refused) = upload(&f, &id, "passport", "text/plain", b"hello".to_vec()).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{refused}");
        let (status, refused) = upload(&f, &id, "title_deed", "application/pdf", b"not a pdf".to_vec()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        let (_, docs) = f.call("GET", &format!("/api/v1/clients/{id}/documents"), &f.agent, None).await;
        assert_eq!(docs["missing"], json!(["title_deed"]));
        assert_eq!(upload(&f, &id, "title_deed", "application/pdf", pdf).await.0, StatusCode::CREATED);

        // KYC completes on the upload; agreement, welcome pack and meeting follow; the approval waits,
        // and a reminder task appears when it is late.
        let waiting = wait_for(&f, &tracking, |v| {
            v["steps"].as_array().unwrap().iter().any(|s| s["step_id"] == "leader_approval" && s["waiting"] == true)
        })
        .await;
        assert_eq!(waiting["status"], "running");
        let reminded = wait_for(&f, "/api/v1/tasks", |v| {
            v["tasks"].as_array().unwrap().iter().any(|t| t["kind"] == "approve_client_file")
        })
        .await;
        assert!(!reminded["tasks"].as_array().unwrap().is_empty());
        let approve = format!("/api/v1/clients/{id}/approval");
        let (status, _) = f.call("POST", &approve, &f.agent, Some(json!({ "decision": "approve" }))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "agents cannot approve");
        let (status, approved) =
            f.call("POST", &approve, &f.admin, Some(json!({ "decision": "approve", "notes": "file complete" }))).await;
        assert_eq!((status, approved["status"].as_str()), (StatusCode::OK, Some("approved")), "{approved}");
        let execution = c["execution_id"].as_str().unwrap();
        let done = wait_for(&f, &format!("/api/v1/workflows/executions/{execution}"), |v| {
            matches!(v["status"].as_str(), Some("completed" | "failed"))
        })
        .await;
        stop(w).await;
        assert_eq!(done["status"], "completed", "{}", done["steps"]);
        assert_eq!(done["outputs"]["leader_approval"]["notes"], "file complete");
        let (_, overview) = f.call("GET", "/api/v1/analytics/dashboard/overview?period=7d", &f.agent, None).await;
        assert_eq!(overview["performance_overview"]["clients_onboarded"], 1, "{overview}");
        assert_eq!(done["outputs"]["agency_agreement"]["form"], "form-a");
        let local = done["outputs"]["first_meeting"]["local_time"].as_str().unwrap();
        assert!(!local.starts_with("Saturday") && !local.starts_with("Sunday"), "{local}");

        // The welcome pack arrived with the agreement attached.
        let mails = sink.wait_for(1, Duration::from_secs(5)).await.expect("welcome e-mail");
        let parsed = mail::parse_message(&mails[0].data).unwrap();
        let attachments = parsed.attachments();
        assert_eq!(attachments.len(), 1);
        let text = documents::testing::text(&attachments[0].body);
        assert!(text.contains("Form A") && text.contains("Omar Haddad") && text.contains("7112345678"), "{text}");
    }
}

crate::accounts_test!(clients::client_onboarding_waits_for_documents_and_approval);
