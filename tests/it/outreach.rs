//! Getting a listing out: social images on campaigns, distribution of approved campaigns (e-mail
//! through a real local SMTP server, posts through the outbox and a webhook), scheduled posts that
//! publish at their time and survive a restart, cancelled posts, the social content calendar and
//! stored hashtag research.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{json, Value};
use store::records::{Filter, Table};
use tokio_util::sync::CancellationToken;

use crate::marketing::{fixture, Fixture};

const PROPERTY: &str = r#"{
    "reference": "out-1", "community": "Dubai Marina", "building": "Marina Gate", "property_type": "apartment",
    "bedrooms": 2, "bathrooms": 2, "size_sqft": 1250, "asking_price": 2400000, "permit_number": "7112345678"
}"#;

async fn property(f: &Fixture) {
    let (status, p) =
        f.call("POST", "/api/v1/properties", &f.agent, Some(serde_json::from_str(PROPERTY).unwrap())).await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
}

fn worker(rt: &runtime::Runtime, name: &str) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let stop = CancellationToken::new();
    let mut cfg = runtime::WorkerConfig::new(name);
    cfg.poll = Duration::from_millis(100);
    cfg.heartbeat = Duration::from_millis(500);
    cfg.lease = Duration::from_secs(5);
    let handle = tokio::spawn(runtime::Worker::new(rt, cfg).run(stop.clone()));
    (stop, handle)
}

async fn stop((token, handle): (CancellationToken, tokio::task::JoinHandle<()>)) {
    token.cancel();
    handle.await.unwrap();
}

/// Polls `path` until `done` holds (at most 30 s).
async fn wait_for(f: &Fixture, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..300 {
        let (_, v) = f.call("GET", path, &f.agent, None).await;
        if done(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} did not reach the expected state: {}", f.call("GET", path, &f.agent, None).await.1);
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    (u32::from_be_bytes(bytes[16..20].try_into().unwrap()), u32::from_be_bytes(bytes[20..24].try_into().unwrap()))
}

async fn download(f: &Fixture, url: &str) -> Vec<u8> {
    let id = url.rsplit('/').next().unwrap();
    let (_, bytes) = f.estate.domain.artifact(id.parse().unwrap()).await.unwrap().expect("artefact");
    bytes
}

/// A local webhook receiver: every JSON body POSTed to it.
async fn webhook() -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let s = s.clone();
            async move {
                s.lock().unwrap().push(body);
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

pub mod cases {
    use super::*;

    pub async fn approved_campaign_is_distributed_by_email_and_social(stores: store::Stores) {
        let f = fixture(stores.clone(), true).await;
        let sink = mail::testing::SmtpSink::start().await;
        let _ = f.estate.mailer.set(Arc::new(realestate::mailer::SmtpMailer::new(sink.config()).unwrap()));
        let (hook, hooked) = webhook().await;
        let _ = f
            .estate
            .publisher
            .set(Arc::new(realestate::publish::OutboxPublisher::new(stores.records.clone(), Some(hook))));
        property(&f).await;
        let (status, c) = f
            .call(
                "POST",
                "/api/v1/marketing/campaigns",
                &f.agent,
                Some(json!({
                    "property_id": "out-1", "target_channels": ["email", "brochure", "instagram", "linkedin"],
                    "agent_phone": "+971 50 123 4567",
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        // Each network's feed image, at its size.
        let mut sizes = Vec::new();
        for a in c["assets"].as_array().unwrap().iter().filter(|a| a["content_type"] == "image/png") {
            sizes.push(png_size(&download(&f, a["url"].as_str().unwrap()).await));
        }
        sizes.sort();
        assert_eq!(sizes, vec![(1080, 1080), (1200, 628)], "{c}");
        let id = c["campaign_id"].as_str().unwrap().to_string();
        let (_, listed) = f.call("GET", &format!("/api/v1/marketing/campaigns/{id}/assets"), &f.agent, None).await;
        assert_eq!(listed["assets"], c["assets"]);
        assert!(listed["assets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["sha256"].as_str().is_some_and(|h| h.len() == 64)));
        let distribute = format!("/api/v1/marketing/campaigns/{id}/distribute");
        let recipients = json!({ "recipients": ["buyer@example.com", "Omar Investor <omar@example.org>"] });

        // Only approved campaigns go out.
        let (status, refused) = f.call("POST", &distribute, &f.agent, Some(recipients.clone())).await;
        assert_eq!((status, refused["code"].as_str()), (StatusCode::CONFLICT, Some("not_approved")), "{refused}");
        let (status, bad) =
            f.call("POST", &distribute, &f.agent, Some(json!({ "recipients": ["not an address"] }))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(bad["errors"][0]["field"], "recipients[0]");
        let approval = format!("/api/v1/marketing/campaigns/{id}/approval");
        assert_eq!(f.call("POST", &approval, &f.agent, Some(json!({ "action": "submit" }))).await.0, StatusCode::OK);
        assert_eq!(f.call("POST", &approval, &f.admin, Some(json!({ "action": "approve" }))).await.0, StatusCode::OK);

        let (status, accepted) = f.call("POST", &distribute, &f.agent, Some(recipients.clone())).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
        assert_eq!(accepted["status"], "distributed");
        let w = worker(&f.rt, "distribution-test");
        let tracking = accepted["tracking_url"].as_str().unwrap().to_string();
        let done = wait_for(&f, &tracking, |v| v["status"] == "completed" || v["status"] == "failed").await;
        stop(w).await;
        assert_eq!(done["status"], "completed", "{done}");

        // Both messages arrived over SMTP, HTML and text, with the brochure attached.
        let messages = sink.wait_for(2, Duration::from_secs(5)).await.expect("two e-mails");
        let mut to: Vec<String> = messages.iter().flat_map(|m| m.recipients.clone()).collect();
        to.sort();
        assert_eq!(to, vec!["buyer@example.com", "omar@example.org"]);
        for m in &messages {
            let parsed = mail::parse_message(&m.data).expect("valid MIME");
            assert!(parsed.find_body("text/html").unwrap().body_text().contains("7112345678"));
            assert!(parsed.find_body("text/plain").is_some());
            let attachments = parsed.attachments();
            assert_eq!(attachments.len(), 1);
            assert_eq!(attachments[0].content_type, "application/pdf");
            assert!(attachments[0].body.starts_with(b"%PDF-"));
        }
        // The posts went to the outbox and the webhook, once each; every delivery is recorded.
        assert_eq!(hooked.lock().unwrap().len(), 2);
        let outbox =
            stores.records.list(Table::SocialOutbox, &Filter { limit: 100, ..Default::default() }).await.unwrap();
        assert_eq!(outbox.len(), 2);
        assert!(outbox.iter().all(|r| r.status == "delivered"));
        let (_, d) = f.call("GET", &format!("/api/v1/marketing/campaigns/{id}/deliveries"), &f.agent, None).await;
        let d = d["deliveries"].as_array().unwrap();
        assert_eq!(d.len(), 4, "{d:?}");
        assert!(d.iter().all(|x| x["status"] == "sent"), "{d:?}");
        let (_, stats) = f.call("GET", &format!("/api/v1/marketing/campaigns/{id}/analytics"), &f.agent, None).await;
        assert_eq!(stats["deliveries"]["total"], 4, "{stats}");
        // Once distributed, never again.
        let (status, _) = f.call("POST", &distribute, &f.agent, Some(recipients)).await;
        assert_eq!(status, StatusCode::CONFLICT);
    }

    pub async fn scheduled_post_publishes_at_its_time_after_a_restart(stores: store::Stores) {
        let f = fixture(stores.clone(), true).await;
        property(&f).await;
        let at = chrono::Utc::now() + chrono::Duration::seconds(3);
        let (status, created) = f
            .call(
                "POST",
                "/api/v1/social/posts",
                &f.agent,
                Some(json!({
                    "property_id": "out-1", "platforms": ["instagram"], "scheduled_at": at,
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let post = &created["posts"][0];
        assert_eq!(post["status"], "scheduled");
        let image = download(&f, post["image_url"].as_str().unwrap()).await;
        assert_eq!(png_size(&image), (1080, 1080));
        let path = format!("/api/v1/social/posts/{}", post["post_id"].as_str().unwrap());
        let execution = post["execution_id"].as_str().unwrap().to_string();

        // The first worker starts the step, which waits for the post's time; then it stops.
        let first = worker(&f.rt, "before-restart");
        let status_path = format!("/api/v1/workflows/packages/status/{execution}");
        let waiting = wait_for(&f, &status_path, |v| v["steps"][0]["waiting"] == true).await;
        assert!(waiting["steps"][0]["waiting_for"].as_str().unwrap().starts_with("publishing at"), "{waiting}");
        stop(first).await;
        assert_eq!(f.call("GET", &path, &f.agent, None).await.1["status"], "scheduled");

        // A new process (runtime and worker) on the same database publishes it at its time.
        let mut registry = runtime::Registry::with_builtins();
        realestate::handlers::register(&mut registry, f.estate.clone());
        let restarted = runtime::Runtime::new(stores.engine.clone(), registry);
        let second = worker(&restarted, "after-restart");
        let published = wait_for(&f, &path, |v| v["status"] == "published").await;
        stop(second).await;
        let published_at: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(published["published_at"].clone()).unwrap();
        assert!(published_at >= at, "published at {published_at}, scheduled for {at}");
        let outbox =
            stores.records.list(Table::SocialOutbox, &Filter { limit: 10, ..Default::default() }).await.unwrap();
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].body["text"], published["text"]);
    }

    pub async fn cancelled_post_ends_its_timer_at_once(stores: store::Stores) {
        let f = fixture(stores.clone(), true).await;
        property(&f).await;
        let at = chrono::Utc::now() + chrono::Duration::days(2);
        let (status, created) = f
            .call(
                "POST",
                "/api/v1/social/posts",
                &f.agent,
                Some(json!({
                    "property_id": "out-1", "platforms": ["linkedin"], "scheduled_at": at,
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let post = &created["posts"][0];
        let execution = post["execution_id"].as_str().unwrap().to_string();
        let status_path = format!("/api/v1/workflows/packages/status/{execution}");
        let w = worker(&f.rt, "cancel-test");
        wait_for(&f, &status_path, |v| v["steps"][0]["waiting"] == true).await;
        let path = format!("/api/v1/social/posts/{}", post["post_id"].as_str().unwrap());
        let (status, cancelled) = f.call("DELETE", &path, &f.agent, None).await;
        assert_eq!((status, cancelled["status"].as_str()), (StatusCode::OK, Some("cancelled")), "{cancelled}");
        let done = wait_for(&f, &status_path, |v| v["status"] == "completed").await;
        stop(w).await;
        assert_eq!(done["steps"][0]["output_summary"]["status"], "cancelled", "{done}");
        let outbox =
            stores.records.list(Table::SocialOutbox, &Filter { limit: 10, ..Default::default() }).await.unwrap();
        assert!(outbox.is_empty());
    }

    pub async fn drafts_are_scheduled_and_scheduled_posts_moved(stores: store::Stores) {
        let f = fixture(stores.clone(), true).await;
        property(&f).await;
        let (_, draft) = f
            .call(
                "POST",
                "/api/v1/social/posts",
                &f.agent,
                Some(json!({ "property_id": "out-1", "platforms": ["facebook"] })),
            )
            .await;
        let draft = &draft["posts"][0];
        assert_eq!(draft["status"], "draft");
        let (_, later) = f
            .call("POST", "/api/v1/social/posts", &f.agent, Some(json!({
                "property_id": "out-1", "platforms": ["x"], "scheduled_at": chrono::Utc::now() + chrono::Duration::days(2),
            })))
            .await;
        let later = &later["posts"][0];
        let w = worker(&f.rt, "reschedule");
        let later_status = format!("/api/v1/workflows/packages/status/{}", later["execution_id"].as_str().unwrap());
        wait_for(&f, &later_status, |v| v["steps"][0]["waiting"] == true).await;

        // A draft gets a time (and its timer); a scheduled post is moved to sooner (its timer wakes).
        let soon = chrono::Utc::now() + chrono::Duration::seconds(1);
        for post in [draft, later] {
            let path = format!("/api/v1/social/posts/{}", post["post_id"].as_str().unwrap());
            let (status, moved) = f.call("PATCH", &path, &f.agent, Some(json!({ "scheduled_at": soon }))).await;
            assert_eq!((status, moved["status"].as_str()), (StatusCode::OK, Some("scheduled")), "{moved}");
            assert!(moved["execution_id"].is_string(), "{moved}");
        }
        for post in [draft, later] {
            let path = format!("/api/v1/social/posts/{}", post["post_id"].as_str().unwrap());
            let published = wait_for(&f, &path, |v| v["status"] == "published").await;
            let at: chrono::DateTime<chrono::Utc> = serde_json::from_value(published["published_at"].clone()).unwrap();
            assert!(at >= soon, "{published}");
        }
        stop(w).await;
        let (status, _) = f
            .call(
                "PATCH",
                &format!("/api/v1/social/posts/{}", later["post_id"].as_str().unwrap()),
                &f.agent,
                Some(json!({ "scheduled_at": soon })),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "a published post is not moved");
    }

    pub async fn social_calendar_spreads_posts_at_dubai_times(stores: store::Stores) {
        let f = fixture(stores.clone(), true).await;
        property(&f).await;
        let before = chrono::Utc::now();
        let (status, c) = f
            .call(
                "POST",
                "/api/v1/social/campaigns",
                &f.agent,
                Some(json!({
                    "property_id": "out-1", "platforms": ["instagram", "linkedin"], "duration_days": 14,
                    "posts_per_week": 3, "budget": 3000, "target_audience": { "segment": "investors" },
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        let posts = c["posts"].as_array().unwrap();
        assert_eq!(posts.len(), 12, "three a week for two weeks on each of two networks: {c}");
        let budget: u64 =
            c["platform_summary"].as_array().unwrap().iter().map(|p| p["budget_aed"].as_u64().unwrap()).sum();
        assert_eq!(budget, 3000);
        for p in posts {
            assert_eq!(p["status"], "scheduled");
            assert!(p["execution_id"].is_string() && p["image_url"].is_string());
            let at: chrono::DateTime<chrono::Utc> = serde_json::from_value(p["scheduled_at"].clone()).unwrap();
            assert!(at >= before && at < before + chrono::Duration::days(14), "{at}");
            let local = at.with_timezone(&chrono_tz::Asia::Dubai);
            use chrono::{Datelike, Timelike};
            if p["platform"] == "linkedin" {
                assert!(
                    !matches!(local.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun),
                    "LinkedIn on a weekend: {local}"
                );
                assert!((8..=12).contains(&local.hour()), "{local}");
            }
        }
        // Four-hour spacing per network; one image per network shared by its posts.
        let images: std::collections::BTreeSet<&str> = posts.iter().map(|p| p["image_url"].as_str().unwrap()).collect();
        assert_eq!(images.len(), 2);
        let to = (before + chrono::Duration::days(15)).to_rfc3339();
        let (status, cal) =
            f.call("GET", &format!("/api/v1/social/calendar?to={}", urlencode(&to)), &f.agent, None).await;
        assert_eq!(status, StatusCode::OK, "{cal}");
        assert_eq!(cal["total_posts"], 12, "{cal}");
        let (_, list) = f.call("GET", "/api/v1/social/campaigns", &f.agent, None).await;
        assert_eq!(list["campaigns"].as_array().unwrap().len(), 1);

        // Hashtag research is answered and kept.
        let (status, tags) = f
            .call(
                "POST",
                "/api/v1/social/hashtags/research",
                &f.agent,
                Some(json!({ "community": "Dubai Marina", "platform": "instagram" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{tags}");
        let stored =
            stores.records.list(Table::HashtagResearch, &Filter { limit: 10, ..Default::default() }).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].id.to_string(), tags["research_id"].as_str().unwrap());
        // Bad input names its field.
        let (status, bad) = f
            .call(
                "POST",
                "/api/v1/social/campaigns",
                &f.agent,
                Some(json!({ "property_id": "out-1", "platforms": ["myspace"] })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(bad["errors"][0]["field"], "platforms");
    }

    fn urlencode(s: &str) -> String {
        s.replace('+', "%2B").replace(':', "%3A")
    }
}

crate::accounts_test!(cases::approved_campaign_is_distributed_by_email_and_social);
crate::accounts_test!(cases::scheduled_post_publishes_at_its_time_after_a_restart);
crate::accounts_test!(cases::cancelled_post_ends_its_timer_at_once);
crate::accounts_test!(cases::social_calendar_spreads_posts_at_dubai_times);
crate::accounts_test!(cases::drafts_are_scheduled_and_scheduled_posts_moved);
