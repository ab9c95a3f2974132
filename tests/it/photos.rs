//! Listing photos through the HTTP API on both backends: uploads told apart by their bytes, the
//! limits, who may see them, and the photo really on the social image and in the brochure.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use store::accounts::NewUser;
use tower::ServiceExt;

const TERRACOTTA_JPEG: &[u8] = include_bytes!("../../raster/testdata/terracotta_120x80.jpg");
const TERRACOTTA: raster::Rgb = raster::Rgb(196, 98, 52);

struct Team {
    router: axum::Router,
    agent: String,
    leader: String,
    other_team: String,
}

async fn team(stores: store::Stores) -> Team {
    let (estate, rt) = crate::support::estate_runtime(&stores).await;
    let now = chrono::Utc::now();
    let tokens = api::auth::token::Tokens::new(
        b"photos-test-secret-0123456789abcdef",
        "aura",
        "aura-api",
        Duration::from_secs(1800),
        Duration::from_secs(3600),
    );
    let team_a = stores.accounts.create_team("Team A", now).await.unwrap();
    let team_b = stores.accounts.create_team("Team B", now).await.unwrap();
    let mut issued = Vec::new();
    for (email, role, team) in [
        ("a1@aura.test", "agent", team_a.id),
        ("leader.a@aura.test", "team_leader", team_a.id),
        ("b1@aura.test", "agent", team_b.id),
    ] {
        let new = NewUser {
            email: email.into(),
            name: "Sara Khan".into(),
            password_hash: "x".into(),
            role: role.into(),
            team_id: Some(team),
        };
        issued.push(tokens.issue(&stores.accounts.create_user(&new, now).await.unwrap(), now));
    }
    let state = api::AppState::new(
        rt,
        stores.accounts.clone(),
        stores.analytics.clone(),
        estate,
        tokens,
        api::ApiConfig::default(),
    );
    let mut issued = issued.into_iter();
    Team {
        router: crate::contract::checked(api::router(state)),
        agent: issued.next().unwrap(),
        leader: issued.next().unwrap(),
        other_team: issued.next().unwrap(),
    }
}

struct Reply {
    status: StatusCode,
    content_type: String,
    headers: axum::http::HeaderMap,
    bytes: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
}

impl Team {
    async fn send(&self, method: &str, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let mut req = Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
        if !content_type.is_empty() {
            req = req.header("content-type", content_type);
        }
        let res = self.router.clone().oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let content_type = headers.get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        Reply { status, content_type, headers, bytes: res.into_body().collect().await.unwrap().to_bytes().to_vec() }
    }

    async fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let (ctype, bytes) = match body {
            Some(v) => ("application/json", v.to_string().into_bytes()),
            None => ("", Vec::new()),
        };
        let r = self.send(method, path, token, ctype, bytes).await;
        (r.status, r.json())
    }
}

fn png(width: u32, height: u32, colour: raster::Rgb) -> Vec<u8> {
    raster::png::encode(&raster::Canvas::new(width, height, colour))
}

/// The images of a PDF: (width, height, decoded RGB bytes).
fn pdf_images(pdf: &[u8]) -> Vec<(i64, i64, Vec<u8>)> {
    documents::testing::images(&documents::testing::parse(pdf))
}

fn near(a: raster::Rgb, b: raster::Rgb) -> bool {
    a.0.abs_diff(b.0) <= 4 && a.1.abs_diff(b.1) <= 4 && a.2.abs_diff(b.2) <= 4
}

pub mod cases {
    use super::*;

    pub async fn photos_upload_list_serve_and_delete_within_the_team(stores: store::Stores) {
        let t = team(stores).await;
        let (status, p) = t
            .call("POST", "/api/v1/properties", &t.agent, Some(json!({
                "reference": "PH-1", "community": "Dubai Marina", "building": "Marina Gate", "property_type": "apartment",
                "bedrooms": 2, "bathrooms": 2, "size_sqft": 1250, "asking_price": 2_400_000, "permit_number": "7112345678",
            })))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        let base = "/api/v1/properties/PH-1/photos";

        // The bytes decide the type: a JPEG sent as image/png is stored as the JPEG it is.
        let up = t
            .send("POST", &format!("{base}?caption=Living%20room"), &t.agent, "image/png", TERRACOTTA_JPEG.to_vec())
            .await;
        assert_eq!(up.status, StatusCode::CREATED, "{}", up.json());
        let first = up.json();
        assert_eq!(
            (
                first["content_type"].as_str(),
                first["width"].as_i64(),
                first["height"].as_i64(),
                first["position"].as_i64()
            ),
            (Some("image/jpeg"), Some(120), Some(80), Some(1))
        );
        assert_eq!(first["caption"], "Living room");
        let blue = png(30, 20, raster::Rgb(40, 80, 200));
        let second = t.send("POST", base, &t.agent, "image/png", blue.clone()).await;
        assert_eq!((second.status, second.json()["position"].as_i64()), (StatusCode::CREATED, Some(2)));

        // What is not a PNG or JPEG, is damaged, too big or badly captioned is refused with a problem.
        for (body, ctype, status, code) in [
            (
                b"GIF89a\x01\x00\x01\x00".to_vec(),
                "image/png",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
            (b"\x89PNG\r\n\x1a\nbroken".to_vec(), "image/png", StatusCode::UNPROCESSABLE_ENTITY, "invalid_photo"),
            (TERRACOTTA_JPEG[..300].to_vec(), "image/jpeg", StatusCode::UNPROCESSABLE_ENTITY, "invalid_photo"),
            (Vec::new(), "image/jpeg", StatusCode::UNPROCESSABLE_ENTITY, "invalid_photo"),
            (vec![0xFF; 10 * 1024 * 1024 + 1], "image/jpeg", StatusCode::PAYLOAD_TOO_LARGE, "photo_too_large"),
            (vec![0xFF; 12 * 1024 * 1024], "image/jpeg", StatusCode::PAYLOAD_TOO_LARGE, "photo_too_large"),
        ] {
            let r = t.send("POST", base, &t.agent, ctype, body).await;
            assert_eq!((r.status, r.json()["code"].as_str()), (status, Some(code)), "{}", r.json());
            assert_eq!(r.content_type, "application/problem+json");
        }
        let long = "x".repeat(201);
        let r = t.send("POST", &format!("{base}?caption={long}"), &t.agent, "image/png", blue.clone()).await;
        assert_eq!(
            (r.status, r.json()["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("caption"))
        );

        // Listed in order; served as uploaded, with the decoded type.
        let (status, list) = t.call("GET", base, &t.agent, None).await;
        assert_eq!((status, list["total"].as_i64(), list["max"].as_i64()), (StatusCode::OK, Some(2), Some(20)));
        assert_eq!(list["photos"][0]["id"], first["id"]);
        let served = t.send("GET", first["url"].as_str().unwrap(), &t.agent, "", Vec::new()).await;
        assert_eq!((served.status, served.content_type.as_str()), (StatusCode::OK, "image/jpeg"));
        assert_eq!(served.bytes, TERRACOTTA_JPEG);
        assert_eq!(served.headers["x-content-type-options"], "nosniff");

        // The team leader sees the team's photos; another team's agent finds nothing, not even to delete.
        assert_eq!(t.call("GET", base, &t.leader, None).await.0, StatusCode::OK);
        let photo_path = first["url"].as_str().unwrap().to_string();
        assert_eq!(t.call("GET", base, &t.other_team, None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(t.send("GET", &photo_path, &t.other_team, "", Vec::new()).await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.send("POST", base, &t.other_team, "image/png", blue.clone()).await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.call("DELETE", &photo_path, &t.other_team, None).await.0, StatusCode::NOT_FOUND);

        // At most 20 a property.
        for _ in 2..20 {
            assert_eq!(t.send("POST", base, &t.agent, "image/png", blue.clone()).await.status, StatusCode::CREATED);
        }
        let full = t.send("POST", base, &t.agent, "image/png", blue.clone()).await;
        assert_eq!((full.status, full.json()["code"].as_str()), (StatusCode::CONFLICT, Some("too_many_photos")));

        // The main photo is the social image's hero and the brochure's first picture.
        let (status, posts) = t
            .call(
                "POST",
                "/api/v1/social/posts",
                &t.agent,
                Some(json!({ "property_id": "PH-1", "platforms": ["instagram"] })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{posts}");
        let image = t.send("GET", posts["posts"][0]["image_url"].as_str().unwrap(), &t.agent, "", Vec::new()).await;
        assert_eq!(image.content_type, "image/png");
        let card = raster::photo::decode(&image.bytes).unwrap();
        assert_eq!((card.width(), card.height()), (1080, 1080));
        let hero = card.get(540, 150).unwrap();
        assert!(near(hero, TERRACOTTA), "the photo fills the top of the image: {hero:?}");
        let (status, c) = t
            .call(
                "POST",
                "/api/v1/marketing/campaigns",
                &t.agent,
                Some(json!({
                    "property_id": "PH-1", "campaign_type": "new_listing", "target_channels": ["brochure"],
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        let pdf = c["assets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["content_type"] == "application/pdf")
            .expect("a brochure");
        let pdf = t.send("GET", pdf["url"].as_str().unwrap(), &t.agent, "", Vec::new()).await;
        let images = pdf_images(&pdf.bytes);
        let main = images.iter().find(|(w, h, _)| (*w, *h) == (120, 54)).expect("the main photo, cropped to its box");
        let px = |i: usize| raster::Rgb(main.2[i], main.2[i + 1], main.2[i + 2]);
        assert!(near(px(3 * (27 * 120 + 60)), TERRACOTTA), "the brochure carries the photo's pixels");
        assert!(images.iter().any(|(w, h, _)| (*w, *h) == (30, 20)), "the second photo in the row: {:?}", images.len());

        // Deleting a photo, then the property, leaves nothing behind.
        assert_eq!(t.call("DELETE", &photo_path, &t.agent, None).await.0, StatusCode::OK);
        assert_eq!(t.call("DELETE", &photo_path, &t.agent, None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(t.call("GET", base, &t.agent, None).await.1["total"].as_i64(), Some(19));
        assert_eq!(t.call("DELETE", "/api/v1/properties/PH-1", &t.agent, None).await.0, StatusCode::OK);
        assert_eq!(t.call("GET", base, &t.agent, None).await.0, StatusCode::NOT_FOUND);
    }
}

crate::accounts_test!(cases::photos_upload_list_serve_and_delete_within_the_team);
