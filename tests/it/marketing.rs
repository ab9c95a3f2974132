//! Marketing through the HTTP API: the compliance checker on agents' copy, templates (built-in and
//! admin-added, validated), and generated copy that must pass compliance.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use store::accounts::NewUser;
use tower::ServiceExt;

pub(crate) struct Fixture {
    pub router: axum::Router,
    pub rt: runtime::Runtime,
    pub estate: std::sync::Arc<realestate::Services>,
    pub agent: String,
    pub admin: String,
}

pub(crate) async fn fixture(stores: store::Stores, configured: bool) -> Fixture {
    fixture_with(stores, configured, false).await
}

/// `configured`: the brokerage settings pinned by a file (ORN 12345, BRN 67890); otherwise none
/// are set. `seeded`: load the Dubai market data first (what a CMA needs).
pub(crate) async fn fixture_with(stores: store::Stores, configured: bool, seeded: bool) -> Fixture {
    let settings_file = configured.then(|| realestate::compliance::Config {
        orn: Some("12345".into()),
        brn: Some("67890".into()),
        ..Default::default()
    });
    fixture_options(stores, realestate::Options { settings_file, demo_brokerage: false }, seeded).await
}

pub(crate) async fn fixture_options(stores: store::Stores, options: realestate::Options, seeded: bool) -> Fixture {
    let estate = if seeded {
        realestate::Services::launch(&stores, options).await.unwrap()
    } else {
        assert!(!options.demo_brokerage, "the demo brokerage is made by launch");
        match options.settings_file {
            Some(file) => realestate::Services::open_with(&stores, file).await.unwrap(),
            None => realestate::Services::open(&stores).await.unwrap(),
        }
    };
    // Community resolution needs the reference; transactions are not needed here.
    let mut registry = runtime::Registry::with_builtins();
    realestate::handlers::register(&mut registry, estate.clone());
    let rt = runtime::Runtime::new(stores.engine.clone(), registry);
    rt.register_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../packages")).await.unwrap_or_else(|e| {
        panic!("register the shipped packages: {}", e.iter().map(|e| e.to_string()).collect::<String>())
    });
    let now = chrono::Utc::now();
    let tokens = api::auth::token::Tokens::new(
        b"marketing-test-secret-0123456789abcd",
        "aura",
        "aura-api",
        Duration::from_secs(1800),
        Duration::from_secs(3600),
    );
    let mut issued = Vec::new();
    for (email, role) in [("agent@aura.test", "agent"), ("admin@aura.test", "admin")] {
        let u = stores
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
        issued.push(tokens.issue(&u, now));
    }
    let state = api::AppState::new(
        rt.clone(),
        stores.accounts.clone(),
        stores.analytics.clone(),
        estate.clone(),
        tokens,
        api::ApiConfig::default(),
    );
    Fixture {
        router: crate::contract::checked(api::router(state)),
        rt,
        estate,
        admin: issued.pop().unwrap(),
        agent: issued.pop().unwrap(),
    }
}

impl Fixture {
    pub async fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }
}

const GOOD_AD: &str = "Spacious 2-bedroom apartment in Dubai Marina, 1,250 sq ft, AED 2,400,000. \
    Trakheesi Permit No. 7112345678. AURA Real Estate, ORN 12345, agent BRN 67890.";

pub mod cases {
    use super::*;

    pub async fn compliance_templates_and_generated_copy(stores: store::Stores) {
        let f = fixture(stores.clone(), true).await;
        let (status, prop) = f
            .call("POST", "/api/v1/properties", &f.agent, Some(json!({
                "reference": "mk-1", "community": "Dubai Marina", "building": "Marina Gate", "property_type": "apartment",
                "bedrooms": 2, "bathrooms": 2, "size_sqft": 1250, "asking_price": 2_400_000, "permit_number": "7112345678",
            })))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{prop}");

        // The checker on an agent's own copy.
        let (status, ok) = f
            .call(
                "POST",
                "/api/v1/marketing/compliance/check",
                &f.agent,
                Some(json!({ "text": GOOD_AD, "channel": "portal", "property_id": "mk-1" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{ok}");
        assert_eq!(ok["compliant"], true, "{ok}");
        let bad = "Guaranteed 10% ROI, risk-free! The best investment in Dubai. AED 2,400,000. Permit 7112345678. ORN 12345 BRN 67890";
        let (_, report) = f
            .call(
                "POST",
                "/api/v1/marketing/compliance/check",
                &f.agent,
                Some(json!({ "text": bad, "channel": "instagram", "property_id": "mk-1" })),
            )
            .await;
        assert_eq!(report["compliant"], false);
        let rules: Vec<&str> =
            report["findings"].as_array().unwrap().iter().map(|x| x["rule"].as_str().unwrap()).collect();
        for r in ["guaranteed_returns", "risk_free_claim", "unverifiable_superlative"] {
            assert!(rules.contains(&r), "{r} missing in {rules:?}");
        }
        assert!(report["findings"][0]["fix_hint"].is_string());
        let (status, wrong) = f
            .call(
                "POST",
                "/api/v1/marketing/compliance/check",
                &f.agent,
                Some(json!({ "text": GOOD_AD, "channel": "carrier-pigeon" })),
            )
            .await;
        assert_eq!((status, wrong["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("channel")));
        let (status, catalogue) = f.call("GET", "/api/v1/marketing/compliance/rules", &f.agent, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(catalogue["rules"].as_array().unwrap().len() >= 20);

        // Templates: the built-ins are listed; an admin's template must render and comply.
        let (status, list) = f.call("GET", "/api/v1/marketing/templates?market=dubai", &f.agent, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(list["total"].as_u64().unwrap() >= 10, "{list}");
        let (status, _) = f.call("GET", "/api/v1/marketing/templates?category=social", &f.agent, None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = f
            .call(
                "PUT",
                "/api/v1/marketing/templates/my_ad",
                &f.agent,
                Some(json!({ "category": "social", "channel": "instagram", "content": "x" })),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "agents cannot manage templates");
        let (status, broken) = f
            .call(
                "PUT",
                "/api/v1/marketing/templates/my_ad",
                &f.admin,
                Some(json!({ "category": "social", "channel": "instagram", "content": "{{ unclosed" })),
            )
            .await;
        assert_eq!(
            (status, broken["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_fields")),
            "{broken}"
        );
        let (status, risky) = f
            .call("PUT", "/api/v1/marketing/templates/my_ad", &f.admin, Some(json!({ "category": "listing", "channel": "portal", "content": "Lovely home, only USD 650,000. Call us today." })))
            .await;
        assert_eq!(
            (status, risky["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("not_compliant")),
            "{risky}"
        );
        let (status, claim) = f
            .call(
                "PUT",
                "/api/v1/marketing/templates/my_ad",
                &f.admin,
                Some(
                    json!({ "category": "listing", "channel": "portal", "content": "Risk-free, guaranteed returns!" }),
                ),
            )
            .await;
        assert_eq!(
            (status, claim["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("content")),
            "{claim}"
        );

        // Generated copy passes the checker, in every content style.
        for style in ["luxury", "standard", "investment", "family"] {
            let (status, out) = f.call("POST", "/api/v1/marketing/content/generate", &f.agent, Some(json!({ "property_id": "mk-1", "kind": "listing", "content_style": style, "agent_phone": "+971 50 123 4567" }))).await;
            assert_eq!(status, StatusCode::OK, "{style}: {out}");
            assert_eq!(out["compliance"]["compliant"], true);
            assert!(out["content"]["body"].as_str().unwrap().contains("7112345678"));
        }
        let (status, x) = f
            .call(
                "POST",
                "/api/v1/marketing/content/generate",
                &f.agent,
                Some(json!({ "property_id": "mk-1", "kind": { "social": "x" }, "agent_phone": "+971 50 123 4567" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{x}");
        assert!(x["content"]["body"].as_str().unwrap().chars().count() <= 280);

        // A campaign: compliant copy per channel stored as assets, then the approval workflow.
        let (status, c) = f
            .call("POST", "/api/v1/marketing/campaigns", &f.agent, Some(json!({
                "property_id": "mk-1", "campaign_type": "new_listing", "target_channels": ["listing", "email", "social", "postcard", "brochure"],
                "budget": 5000, "target_audience": "luxury_buyers", "customizations": { "headline": "Marina living", "call_to_action": "Schedule Viewing" },
                "agent_phone": "+971 50 123 4567",
            })))
            .await;
        assert_eq!((status, c["status"].as_str()), (StatusCode::CREATED, Some("draft")), "{c}");
        let assets = c["assets"].as_array().unwrap();
        assert!(assets.len() >= 6, "listing, e-mail text and HTML, four social captions: {c}");
        let html =
            assets.iter().find(|a| a["content_type"].as_str().unwrap().starts_with("text/html")).expect("html e-mail");
        let req = Request::builder()
            .uri(html["url"].as_str().unwrap())
            .header("authorization", format!("Bearer {}", f.agent))
            .body(Body::empty())
            .unwrap();
        let res = f.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let page = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        assert!(page.contains("7112345678") && page.contains("AED"), "{page}");
        let id = c["campaign_id"].as_str().unwrap().to_string();
        let approval = |action: &str| json!({ "action": action, "notes": format!("{action} please") });
        let path = format!("/api/v1/marketing/campaigns/{id}/approval");
        assert_eq!(
            f.call("POST", &path, &f.agent, Some(approval("approve"))).await.0,
            StatusCode::CONFLICT,
            "a draft is not in review"
        );
        assert_eq!(f.call("POST", &path, &f.agent, Some(approval("submit"))).await.0, StatusCode::OK);
        let (status, denied) = f.call("POST", &path, &f.agent, Some(approval("approve"))).await;
        assert_eq!(
            (status, denied["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "agents do not approve"
        );
        assert_eq!(
            f.call("POST", &path, &f.agent, Some(approval("submit"))).await.0,
            StatusCode::CONFLICT,
            "already in review"
        );
        let (status, approved) = f.call("POST", &path, &f.admin, Some(approval("approve"))).await;
        assert_eq!((status, approved["status"].as_str()), (StatusCode::OK, Some("approved")), "{approved}");
        let trail: Vec<&str> =
            approved["approvals"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
        assert_eq!(trail, ["submit", "approve"]);
        let (status, bad) = f.call("POST", &path, &f.admin, Some(json!({ "action": "publish" }))).await;
        assert_eq!((status, bad["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("action")));
        // Nobody approves their own campaign, admins included.
        let (_, own) = f
            .call(
                "POST",
                "/api/v1/marketing/campaigns",
                &f.admin,
                Some(json!({ "property_id": prop["id"], "target_channels": ["x"] })),
            )
            .await;
        let own_path = format!("/api/v1/marketing/campaigns/{}/approval", own["campaign_id"].as_str().unwrap_or("x"));
        assert_eq!(f.call("POST", &own_path, &f.admin, Some(approval("submit"))).await.0, StatusCode::OK, "{own}");
        let (status, own_denied) = f.call("POST", &own_path, &f.admin, Some(approval("approve"))).await;
        assert_eq!((status, own_denied["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_campaign")));
        // Engagement recorded against the campaign, and its analytics.
        let events = format!("/api/v1/marketing/campaigns/{id}/events");
        for (kind, count, channel) in
            [("open", 40, "email"), ("click", 10, "email"), ("lead", 2, "email"), ("click", 5, "instagram")]
        {
            let (status, _) = f
                .call("POST", &events, &f.agent, Some(json!({ "kind": kind, "count": count, "channel": channel })))
                .await;
            assert_eq!(status, StatusCode::CREATED);
        }
        let (status, bad_kind) = f.call("POST", &events, &f.agent, Some(json!({ "kind": "teleport" }))).await;
        assert_eq!((status, bad_kind["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")));
        let (status, stats) =
            f.call("GET", &format!("/api/v1/marketing/campaigns/{id}/analytics"), &f.agent, None).await;
        assert_eq!(status, StatusCode::OK, "{stats}");
        assert_eq!(
            (
                stats["engagement"]["opens"].as_i64(),
                stats["engagement"]["clicks"].as_i64(),
                stats["engagement"]["leads"].as_i64()
            ),
            (Some(40), Some(15), Some(2))
        );
        assert_eq!(stats["rates"]["click_through"], 0.375);
        assert_eq!(stats["engagement"]["by_channel"]["instagram"]["click"], 5);
        assert_eq!(stats["approval"]["steps"], 2);
        assert!(stats["hours_to_decision"].is_null() || stats["approval"]["hours_to_decision"].as_f64().is_some());
        assert_eq!(stats["assets_by_type"]["application/pdf"], 2);

        let (_, list) = f.call("GET", "/api/v1/marketing/campaigns", &f.agent, None).await;
        assert_eq!(list["campaigns"].as_array().unwrap().len(), 1, "agents see their own campaigns only");

        // Social posts: the seed's test_social_media_content_creation, as written there.
        let (status, posts) = f
            .call("POST", "/api/v1/social/posts", &f.agent, Some(json!({
                "property_id": "mk-1", "platforms": ["instagram", "facebook", "linkedin"], "post_type": "new_listing",
                "content_style": "luxury", "include_property_details": true, "hashtags": "auto_generate",
            })))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{posts}");
        let list = posts["posts"].as_array().unwrap();
        assert!(list.len() >= 3);
        for p in list {
            assert!(p["character_count"].as_u64().unwrap() <= p["character_limit"].as_u64().unwrap());
            assert_eq!(p["status"], "draft");
        }
        let (status, x) = f
            .call(
                "POST",
                "/api/v1/social/posts",
                &f.agent,
                Some(json!({ "property_id": "mk-1", "platforms": ["x"], "hashtags": ["DubaiMarina", "#Luxury"] })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{x}");
        let x = &x["posts"][0];
        assert!(x["text"].as_str().unwrap().chars().count() <= 280);
        assert_eq!(x["hashtags"], json!(["#DubaiMarina", "#Luxury"]));
        let (status, too_many) = f
            .call(
                "POST",
                "/api/v1/social/posts",
                &f.agent,
                Some(json!({ "property_id": "mk-1", "platforms": ["x"], "hashtags": ["a", "b", "c", "d"] })),
            )
            .await;
        assert_eq!(
            (status, too_many["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("hashtags"))
        );
        let post_path = format!("/api/v1/social/posts/{}", x["post_id"].as_str().unwrap());
        let (status, risky) = f.call("PATCH", &post_path, &f.agent, Some(json!({ "text": "Guaranteed 12% returns, risk-free! AED 2,400,000. Permit 7112345678. ORN 12345 BRN 67890" }))).await;
        assert_eq!(
            (status, risky["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("not_compliant")),
            "{risky}"
        );
        let (status, edited) = f.call("PATCH", &post_path, &f.agent, Some(json!({ "text": "2-bed in Marina Gate, 1,250 sq ft, AED 2,400,000. Trakheesi Permit No. 7112345678. ORN 12345, BRN 67890." }))).await;
        assert_eq!(status, StatusCode::OK, "{edited}");
        assert!(edited["text"].as_str().unwrap().ends_with("#DubaiMarina #Luxury"));
        let (status, cancelled) = f.call("DELETE", &post_path, &f.agent, None).await;
        assert_eq!((status, cancelled["status"].as_str()), (StatusCode::OK, Some("cancelled")));
        assert_eq!(f.call("PATCH", &post_path, &f.agent, Some(json!({ "text": "x" }))).await.0, StatusCode::CONFLICT);
        let (status, tags) = f
            .call(
                "POST",
                "/api/v1/social/hashtags/research",
                &f.agent,
                Some(json!({ "community": "JVC", "property_type": "apartment", "platform": "instagram" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{tags}");
        assert_eq!(tags["hashtags"][0]["hashtag"], "#JVC");
        assert!(tags["hashtags"][0]["reason"].is_string());

        // The seed's test_marketing_full_package_creation: 201, processing, tracking_url; a worker
        // then produces the assets through the marketing_full_package execution.
        let (status, full) = f
            .call("POST", "/api/v1/marketing/campaigns/full-package", &f.agent, Some(json!({
                "property_id": "mk-1", "campaign_type": "new_listing", "target_channels": ["postcard", "email", "social"],
                "budget": 5000, "target_audience": "luxury_buyers",
                "customizations": { "headline": "Test Property Listing", "call_to_action": "Schedule Viewing" },
            })))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{full}");
        assert_eq!(full["status"], "processing");
        assert!(full["campaign_id"].is_string() && full["tracking_url"].is_string());
        let tracking = full["tracking_url"].as_str().unwrap().to_string();
        let worker_stop = tokio_util::sync::CancellationToken::new();
        let worker = tokio::spawn(
            runtime::Worker::new(&f.rt, {
                let mut cfg = runtime::WorkerConfig::new("marketing-test");
                cfg.poll = Duration::from_millis(100);
                cfg.heartbeat = Duration::from_millis(500);
                cfg
            })
            .run(worker_stop.clone()),
        );
        let mut done = Value::Null;
        for _ in 0..100 {
            let (_, c) = f.call("GET", &tracking, &f.agent, None).await;
            if c["status"] != "processing" {
                done = c;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        worker_stop.cancel();
        worker.await.unwrap();
        assert_eq!(done["status"], "draft", "{done}");
        assert!(done["assets"].as_array().unwrap().iter().any(|a| a["content_type"] == "application/pdf"), "{done}");

        // Without the brokerage's registration numbers nothing is generated.
        let unconfigured = fixture_without_users(stores).await;
        let (status, refused) = unconfigured
            .call(
                "POST",
                "/api/v1/marketing/content/generate",
                &unconfigured.agent,
                Some(json!({ "property_id": "mk-1", "kind": "listing" })),
            )
            .await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (StatusCode::CONFLICT, Some("compliance_not_configured")),
            "{refused}"
        );
    }

    /// A local OpenAI-compatible server answering every chat completion with `answer` (or 500).
    async fn model_server(answer: Option<&'static str>) -> String {
        let app = axum::Router::new().route(
            "/v1/chat/completions",
            axum::routing::post(move |body: axum::Json<Value>| async move {
                match answer {
                    Some(text) => (StatusCode::OK, axum::Json(json!({ "model": body["model"], "choices": [{ "index": 0, "message": { "role": "assistant", "content": text }, "finish_reason": "stop" }] }))),
                    None => (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(json!({ "error": "down" }))),
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/v1")
    }

    pub async fn configured_model_writes_copy_and_is_still_checked(stores: store::Stores) {
        for (answer, expect) in [
            (Some("Title: Marina living, ready now\n\nA bright two-bedroom apartment in Marina Gate with open marina views and a large balcony."), "openai"),
            (Some("Title: Invest now\n\nGuaranteed returns of 12% a year, completely risk-free."), "refused"),
            (None, "template"),
        ] {
            let db = crate::support::TestDb::new(crate::support::Backend::Sqlite).await;
            let fresh = store::open(&db.url).await.unwrap();
            fresh.engine.migrate().await.unwrap();
            let f = fixture(fresh, true).await;
            let mut config = realestate::content::OpenAiConfig::new(&model_server(answer).await, "test-key", "m1", "m2");
            config.timeout = Duration::from_secs(5);
            config.max_retries = 0;
            let _ = f.estate.ai.set(std::sync::Arc::new(realestate::content::OpenAiGenerator::new(config).unwrap()));
            let (status, _) = f.call("POST", "/api/v1/properties", &f.agent, Some(json!({
                "reference": "ai-1", "community": "Dubai Marina", "building": "Marina Gate", "property_type": "apartment",
                "bedrooms": 2, "size_sqft": 1250, "asking_price": 2_400_000, "permit_number": "7112345678",
            }))).await;
            assert_eq!(status, StatusCode::CREATED);
            let (status, out) = f.call("POST", "/api/v1/marketing/content/generate", &f.agent, Some(json!({ "property_id": "ai-1", "kind": "listing", "agent_phone": "+971 50 123 4567" }))).await;
            match expect {
                "openai" => {
                    assert_eq!(status, StatusCode::OK, "{out}");
                    assert!(out["content"]["generator"].as_str().unwrap().starts_with("openai:"), "{out}");
                    assert!(out["content"]["body"].as_str().unwrap().contains("7112345678"), "the disclosure is always appended: {out}");
                }
                "refused" => assert_eq!((status, out["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("not_compliant")), "{out}"),
                _ => {
                    assert_eq!(status, StatusCode::OK, "{out}");
                    assert!(!out["content"]["generator"].as_str().unwrap().starts_with("openai:"), "falls back to the templates: {out}");
                }
            }
            db.cleanup().await;
        }
        drop(stores);
    }

    /// A second app on the same database with no compliance configuration (same users' tokens).
    async fn fixture_without_users(stores: store::Stores) -> Fixture {
        let estate = realestate::Services::open(&stores).await.unwrap();
        let rt = runtime::Runtime::new(stores.engine.clone(), runtime::Registry::with_builtins());
        let now = chrono::Utc::now();
        let tokens = api::auth::token::Tokens::new(
            b"marketing-test-secret-0123456789abcd",
            "aura",
            "aura-api",
            Duration::from_secs(1800),
            Duration::from_secs(3600),
        );
        let agent = stores.accounts.user_by_email("agent@aura.test").await.unwrap().unwrap();
        let token = tokens.issue(&agent, now);
        let state = api::AppState::new(
            rt.clone(),
            stores.accounts.clone(),
            stores.analytics.clone(),
            estate.clone(),
            tokens,
            api::ApiConfig::default(),
        );
        Fixture { router: crate::contract::checked(api::router(state)), rt, estate, admin: token.clone(), agent: token }
    }
}

crate::accounts_test!(cases::compliance_templates_and_generated_copy);
crate::accounts_test!(cases::configured_model_writes_copy_and_is_still_checked);
