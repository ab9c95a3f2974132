//! The web console through the router, as a browser without scripts would use it: sign in, the
//! runs list and an execution page, controls, another team's run (404), CSRF refusals, escaping.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use store::accounts::NewUser;
use tower::ServiceExt;

use crate::packages::{stop, worker};

pub(crate) const PASSWORD: &str = "console-password-1";
pub(crate) const HOST: &str = "aura.test";

/// An application with two teams: `agent@a` and `leader@a` in team A, `agent@b` in team B, and an admin.
pub(crate) struct Console {
    pub router: axum::Router,
    pub rt: runtime::Runtime,
}

pub(crate) async fn fixture(stores: store::Stores, seeded: bool) -> Console {
    let settings_file = Some(realestate::compliance::Config {
        brokerage_name: Some("Palm Coast Properties".into()),
        orn: Some("12345".into()),
        brn: Some("67890".into()),
        ..Default::default()
    });
    let f = crate::marketing::fixture_options(
        stores.clone(),
        realestate::Options { settings_file, demo_brokerage: false },
        seeded,
    )
    .await;
    let now = chrono::Utc::now();
    let hash = api::auth::password::hash(PASSWORD.into()).await.unwrap();
    let team_a = stores.accounts.create_team("Marina", now).await.unwrap();
    let team_b = stores.accounts.create_team("Downtown", now).await.unwrap();
    for (email, role, team) in [
        ("agent@a.test", "agent", Some(team_a.id)),
        ("leader@a.test", "team_leader", Some(team_a.id)),
        ("agent@b.test", "agent", Some(team_b.id)),
        ("boss@aura.test", "admin", None),
    ] {
        let user = NewUser {
            email: email.into(),
            name: format!("User {email}"),
            password_hash: hash.clone(),
            role: role.into(),
            team_id: team,
        };
        stores.accounts.create_user(&user, now).await.unwrap();
    }
    Console { router: f.router, rt: f.rt }
}

pub(crate) struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

impl Console {
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        cookie: &str,
        origin: Option<&str>,
        form: &[(&str, &str)],
    ) -> Page {
        let mut req = Request::builder().method(method).uri(path).header("host", HOST);
        if !cookie.is_empty() {
            req = req.header("cookie", cookie);
        }
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        let body = if method == "POST" {
            req = req.header("content-type", "application/x-www-form-urlencoded");
            Body::from(form_encode(form))
        } else {
            Body::empty()
        };
        let res = self.router.clone().oneshot(req.body(body).unwrap()).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Page {
        self.request("GET", path, cookie, None, &[]).await
    }

    /// A same-origin form post, as the console's own pages send it.
    pub async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> Page {
        self.request("POST", path, cookie, Some(&format!("http://{HOST}")), form).await
    }

    /// A same-origin `multipart/form-data` post: `(name, file name, media type, bytes)` per part,
    /// text fields without a file name.
    pub async fn post_multipart(&self, path: &str, cookie: &str, parts: &[(&str, Option<&str>, &str, &[u8])]) -> Page {
        let boundary = "aura-test-boundary-7f3a";
        let mut body = Vec::new();
        for (name, filename, media_type, bytes) in parts {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
            );
            if let Some(f) = filename {
                body.extend_from_slice(format!("; filename=\"{f}\"\r\nContent-Type: {media_type}").as_bytes());
            }
            body.extend_from_slice(b"\r\n\r\n");
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header("host", HOST)
            .header("cookie", cookie)
            .header("origin", format!("http://{HOST}"))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// A call to the REST API itself (JSON in and out) with a bearer token, for arranging data.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let mut req = Request::builder().method(method).uri(path).header("host", HOST);
        if !token.is_empty() {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let req = req.header("content-type", "application/json").body(Body::from(body.to_string())).unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    }

    /// An API access token for the user.
    pub async fn token(&self, email: &str) -> String {
        let (status, body) = self
            .api("POST", "/api/v1/auth/login", "", serde_json::json!({ "email": email, "password": PASSWORD }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_string()
    }

    /// Signs in through the login form and returns the session's `Cookie` header.
    pub async fn login(&self, email: &str) -> String {
        let page = self.post("/console/login", "", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let cookies: Vec<String> = page
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .inspect(|c| {
                assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Path=/console"), "{c}")
            })
            .map(|c| c.split(';').next().unwrap().to_string())
            .collect();
        assert_eq!(cookies.len(), 2, "access and refresh cookies");
        cookies.join("; ")
    }

    /// Waits (at most 30 s) until the execution page shows `status`.
    pub async fn wait_status(&self, id: &str, cookie: &str, status: &str) -> Page {
        let marker = format!("id=\"run-status\">{status}<");
        for _ in 0..300 {
            let page = self.get(&format!("/console/runs/{id}/live"), cookie).await;
            if page.body.contains(&marker) {
                return page;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("execution {id} never showed {status}");
    }
}

/// The execution id a launch redirected to.
pub(crate) fn launched(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page.location().strip_prefix("/console/runs/").expect("redirect to the run").to_string()
}

pub mod cases {
    use super::*;

    pub async fn sign_in_runs_and_an_execution(stores: store::Stores) {
        let c = fixture(stores, false).await;
        // Without a session everything leads to the login page; `/` leads to the console.
        let root = c.get("/", "").await;
        assert!(root.status.is_redirection() && root.location() == "/console", "{:?}", root.headers);
        let runs = c.get("/console/runs", "").await;
        assert_eq!((runs.status, runs.location()), (StatusCode::SEE_OTHER, "/console/login"));
        let login = c.get("/console/login", "").await;
        assert!(login.body.contains("name=\"password\""));
        assert!(c.get("/console/assets/htmx.min.js", "").await.body.contains("htmx"));
        // A wrong password is the API's refusal, shown; what was typed comes back escaped.
        let wrong =
            c.post("/console/login", "", &[("email", "<b>agent@a.test</b>"), ("password", "nope-nope-nope")]).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains("e-mail or password is wrong"), "{}", wrong.body);
        assert!(
            wrong.body.contains("&lt;b&gt;agent@a.test&lt;&#x2F;b&gt;") && !wrong.body.contains("<b>agent"),
            "{}",
            wrong.body
        );

        let agent = c.login("agent@a.test").await;
        let runs = c.get("/console/runs", &agent).await;
        assert_eq!(runs.status, StatusCode::OK, "{}", runs.body);
        assert!(runs.body.contains("No runs") && runs.body.contains("User agent@a.test"), "{}", runs.body);
        // An agent is not offered what only admins may do.
        assert!(!c.get("/console/packages", &agent).await.body.contains("Upload a new version"));

        // Launch from the form generated from the package's parameters.
        let form = c.get("/console/launch/engine_selftest", &agent).await;
        assert!(form.body.contains("name=\"work_ms\"") && form.body.contains("type=\"checkbox\""), "{}", form.body);
        let bad = c.post("/console/launch/engine_selftest", &agent, &[("work_ms", "999999")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "the API's validation: {}", bad.body);
        assert!(bad.body.contains("class=\"field-error\""), "{}", bad.body);
        let launch = c
            .post(
                "/console/launch/engine_selftest",
                &agent,
                &[("work_ms", "3000"), ("include_optional", "on"), ("launch_key", "k1")],
            )
            .await;
        let id = launched(&launch);
        // The same form sent twice starts one run.
        let again = c
            .post(
                "/console/launch/engine_selftest",
                &agent,
                &[("work_ms", "3000"), ("include_optional", "on"), ("launch_key", "k1")],
            )
            .await;
        assert_eq!(launched(&again), id);

        let page = c.get(&format!("/console/runs/{id}"), &agent).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for needle in [
            "<svg",
            "data-step=\"prepare\"",
            "data-step=\"report\"",
            "sse-connect=\"/console/runs/",
            "id=\"control-pause\"",
        ] {
            assert!(page.body.contains(needle), "{needle} in {}", page.body);
        }
        assert!(page.body.contains("id=\"control-resume\" class=\"\" disabled"), "resume is disabled while pending");
        let listed = c.get("/console/runs?package=engine_selftest", &agent).await;
        assert!(listed.body.contains(&id), "{}", listed.body);
        let filtered = c.get("/console/runs?status=failed", &agent).await;
        assert!(!filtered.body.contains(&id));

        // Controls: pause (before a worker runs it), resume, and the stream the page listens to.
        let paused = c.post(&format!("/console/runs/{id}/control"), &agent, &[("action", "pause")]).await;
        assert_eq!(paused.status, StatusCode::SEE_OTHER, "{}", paused.body);
        let live = c.wait_status(&id, &agent, "paused").await;
        assert!(!live.body.contains("id=\"control-resume\" class=\"\" disabled"), "resume is offered when paused");
        // An action the state forbids is the API's refusal, shown in place (htmx) or as a page.
        let refused = c.post(&format!("/console/runs/{id}/control"), &agent, &[("action", "retry")]).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        let w = worker(&c.rt, "console");
        c.post(&format!("/console/runs/{id}/control"), &agent, &[("action", "resume")]).await;
        let stream = c.get(&format!("/console/runs/{id}/stream"), &agent).await;
        assert_eq!(stream.status, StatusCode::OK);
        assert!(stream.headers["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        assert!(stream.body.contains("event: progress"), "{}", stream.body);
        let done = c.wait_status(&id, &agent, "completed").await;
        stop(w).await;
        assert!(done.body.contains("data-step=\"settle\" data-status=\"succeeded\""), "{}", done.body);
        assert!(done.body.contains("<summary>output</summary>"), "step outputs are shown");
        assert!(done.body.contains("hx-swap-oob"), "a finished run closes its stream");
        assert!(c.get("/console/runs?status=completed", &agent).await.body.contains(&id));

        // Another team's agent: the run does not exist for them, on every console path.
        let other = c.login("agent@b.test").await;
        let hidden = c.get(&format!("/console/runs/{id}"), &other).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
        assert!(hidden.body.contains("not_found"));
        assert!(!c.get("/console/runs", &other).await.body.contains(&id));
        assert_eq!(c.get(&format!("/console/runs/{id}/stream"), &other).await.status, StatusCode::NOT_FOUND);
        let control = c.post(&format!("/console/runs/{id}/control"), &other, &[("action", "cancel")]).await;
        assert_eq!(control.status, StatusCode::NOT_FOUND);
        // The team leader of the agent's team sees it.
        let leader = c.login("leader@a.test").await;
        assert_eq!(c.get(&format!("/console/runs/{id}"), &leader).await.status, StatusCode::OK);

        // Signing out ends the session at the API too: the old cookie no longer works.
        let out = c.post("/console/logout", &agent, &[]).await;
        assert_eq!((out.status, out.location()), (StatusCode::SEE_OTHER, "/console/login"));
        assert!(out.headers.get_all("set-cookie").iter().all(|v| v.to_str().unwrap().contains("Max-Age=0")));
        assert_eq!(c.get("/console/runs", &agent).await.location(), "/console/login");
    }

    pub async fn cross_site_posts_are_refused(stores: store::Stores) {
        let c = fixture(stores, false).await;
        let agent = c.login("agent@a.test").await;
        let id = launched(&c.post("/console/launch/engine_selftest", &agent, &[("work_ms", "100")]).await);
        let path = format!("/console/runs/{id}/control");
        for origin in [Some("https://evil.example"), Some("null"), None] {
            let page = c.request("POST", &path, &agent, origin, &[("action", "cancel")]).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{origin:?}: {}", page.body);
            assert!(page.body.contains("cross_site"));
        }
        // A login form posted from elsewhere is refused too (login CSRF).
        let page = c
            .request(
                "POST",
                "/console/login",
                "",
                Some("https://evil.example"),
                &[("email", "agent@a.test"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        // Nothing was cancelled.
        assert!(c.get(&format!("/console/runs/{id}/live"), &agent).await.body.contains("id=\"run-status\">pending<"));
        // A signal through the console reaches the API; a malformed name is the API's refusal.
        let signal = format!("/console/runs/{id}/signal");
        assert_eq!(c.post(&signal, &agent, &[("name", "approval")]).await.status, StatusCode::SEE_OTHER);
        let bad = c.post(&signal, &agent, &[("name", "Not A Name")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("invalid_signal"));
        let ok = c.post(&path, &agent, &[("action", "cancel")]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    }

    pub async fn packages_settings_and_properties(stores: store::Stores) {
        let c = fixture(stores, false).await;
        let admin = c.login("boss@aura.test").await;
        let list = c.get("/console/packages", &admin).await;
        assert!(
            list.body.contains("new_listing_package") && list.body.contains("Upload a new version"),
            "{}",
            list.body
        );
        let one = c.get("/console/packages/engine_selftest", &admin).await;
        assert!(one.body.contains("data-step=\"settle\"") && one.body.contains("v1"), "{}", one.body);
        // An invalid file: the validator's problems at their line and column, on the file.
        let source = "name = \"broken\"\n\n[[steps]]\nid = \"a\"\nhandler = \"noop\"\ndepends_on = [\"missing\"]\n";
        let refused = c.post("/console/packages", &admin, &[("source", source)]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(
            refused.body.contains("invalid_package") && refused.body.contains("class=\"problem-line\" data-line=\"6\""),
            "{}",
            refused.body
        );
        // A valid one becomes a package.
        let good = "name = \"console_made\"\n\n[[steps]]\nid = \"a\"\nhandler = \"noop\"\n";
        let stored = c.post("/console/packages", &admin, &[("source", good)]).await;
        assert_eq!(
            (stored.status, stored.location()),
            (StatusCode::SEE_OTHER, "/console/packages/console_made"),
            "{}",
            stored.body
        );
        // Its file is shown as stored, escaped; a second version leaves the first one readable.
        let page = c.get("/console/packages/console_made", &admin).await;
        assert!(page.body.contains("id=\"package-source\">name = &quot;console_made&quot;"), "{}", page.body);
        let v2 = "name = \"console_made\"\n\n[[steps]]\nid = \"a\"\nhandler = \"noop\"\n\n[[steps]]\nid = \"b\"\nhandler = \"noop\"\ndepends_on = [\"a\"]\n\n[[schedules]]\nname = \"morning\"\ncron = \"0 9 * * *\"\n";
        assert_eq!(c.post("/console/packages", &admin, &[("source", v2)]).await.status, StatusCode::SEE_OTHER);
        let latest = c.get("/console/packages/console_made", &admin).await;
        assert!(
            latest.body.contains("data-step=\"b\"") && latest.body.contains("?version=1\">v1</a>"),
            "{}",
            latest.body
        );
        let first = c.get("/console/packages/console_made?version=1", &admin).await;
        assert_eq!(first.status, StatusCode::OK);
        assert!(!first.body.contains("data-step=\"b\"") && first.body.contains("the latest is"), "{}", first.body);

        // Its schedule: the next runs at 09:00 Dubai time; an admin disables it, an agent only reads.
        let schedules = c.get("/console/schedules", &admin).await;
        let row = schedules.body.split("id=\"schedule-console_made-morning\"").nth(1).expect("the schedule's row");
        let row = row.split("</tr>").next().unwrap();
        assert_eq!(row.matches("09:00 (UTC+04:00)").count(), 3, "{row}");
        assert!(row.contains("Asia&#x2F;Dubai") && row.contains("value=\"false\""), "{row}");
        let off = c.post("/console/schedules/console_made/morning", &admin, &[("enabled", "false")]).await;
        assert_eq!((off.status, off.location()), (StatusCode::SEE_OTHER, "/console/schedules"), "{}", off.body);
        let schedules = c.get("/console/schedules", &admin).await;
        let row =
            schedules.body.split("id=\"schedule-console_made-morning\"").nth(1).unwrap().split("</tr>").next().unwrap();
        assert!(row.contains("disabled") && !row.contains("UTC+04:00") && row.contains("value=\"true\""), "{row}");
        let agent_view = c.get("/console/schedules", &c.login("agent@a.test").await).await;
        assert!(agent_view.body.contains("schedule-console_made-morning"), "{}", agent_view.body);
        assert!(!agent_view.body.contains("/console/schedules/console_made/morning"), "agents see no toggle");

        // Properties: the API's field errors next to the form; then one created and listed.
        let agent = c.login("agent@a.test").await;
        let bad = c.post("/console/properties", &agent, &[("reference", "P 1!"), ("bedrooms", "2")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("field-error"), "{}", bad.body);
        let made = c
            .post(
                "/console/properties",
                &agent,
                &[
                    ("reference", "CON-1"),
                    ("address", "Dubai Marina, Marina Gate"),
                    ("property_type", "apartment"),
                    ("bedrooms", "2"),
                    ("area_sqft", "1,250"),
                    ("asking_price", "2400000"),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        assert!(c.get("/console/properties", &agent).await.body.contains("CON-1"));
        assert!(!c.get("/console/properties", &c.login("agent@b.test").await).await.body.contains("CON-1"));

        // Editing: the form shows what is stored; a bad value is the API's field error, nothing is
        // saved; a good one is.
        let list = c.get("/console/properties", &agent).await;
        let edit = list
            .body
            .split("href=\"/console/properties/")
            .nth(1)
            .expect("an edit link")
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let form = c.get(&format!("/console/properties/{edit}"), &agent).await;
        assert!(form.body.contains("name=\"asking_price\" value=\"2400000"), "{}", form.body);
        let bad =
            c.post(&format!("/console/properties/{edit}"), &agent, &[("asking_price", "12"), ("bedrooms", "2")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("field-error"), "{}", bad.body);
        let good = c
            .post(
                &format!("/console/properties/{edit}"),
                &agent,
                &[("asking_price", "2,350,000"), ("features", "Sea view\nPool")],
            )
            .await;
        assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
        let form = c.get(&format!("/console/properties/{edit}"), &agent).await;
        assert!(form.body.contains("value=\"2350000") && form.body.contains("Sea view\nPool"), "{}", form.body);
        let other = c.get(&format!("/console/properties/{edit}"), &c.login("agent@b.test").await).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND, "another team's property");

        // Photos: a file chosen in the form reaches the API as the agent's upload; its thumbnail
        // is served through the console; a caption is escaped; a refusal is the API's problem;
        // a form from elsewhere is refused; the delete button removes it.
        let photos = format!("/console/properties/{edit}/photos");
        assert!(form.body.contains("No photos yet") && form.body.contains("enctype=\"multipart/form-data\""));
        let jpeg: &[u8] = include_bytes!("../../raster/testdata/terracotta_120x80.jpg");
        let up = c
            .post_multipart(
                &photos,
                &agent,
                &[("photo", Some("terrace.jpg"), "image/jpeg", jpeg), ("caption", None, "", b"Terrace <b>& pool</b>")],
            )
            .await;
        assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
        let page = c.get(&format!("/console/properties/{edit}"), &agent).await;
        assert!(
            page.body.contains("120 × 80") && page.body.contains("Terrace &lt;b&gt;&amp; pool&lt;&#x2F;b&gt;"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("<b>& pool"), "the caption is escaped");
        let thumb = page
            .body
            .split("src=\"/console/files/")
            .nth(1)
            .expect("a thumbnail")
            .split('"')
            .next()
            .unwrap()
            .replace("&#x2F;", "/");
        let served = c.get(&format!("/console/files/{thumb}"), &agent).await;
        assert_eq!(served.status, StatusCode::OK);
        assert_eq!(served.headers["content-type"], "image/jpeg");
        let elsewhere = c.get(&format!("/console/files/{thumb}"), &c.login("agent@b.test").await).await;
        assert_eq!(elsewhere.status, StatusCode::NOT_FOUND, "another team cannot load the photo");
        let text =
            c.post_multipart(&photos, &agent, &[("photo", Some("notes.txt"), "text/plain", b"not a photo")]).await;
        assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", text.body);
        assert!(text.body.contains("data-code=\"unsupported_media_type\""), "{}", text.body);
        let forged = c.request("POST", &photos, &agent, Some("https://evil.example"), &[("caption", "x")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "CSRF: another site's form");
        let delete = page
            .body
            .split("action=\"/console/properties/")
            .filter_map(|s| s.split('"').next())
            .find(|action| action.ends_with("/delete"))
            .map(|action| format!("/console/properties/{action}"))
            .expect("a delete button");
        assert_eq!(c.post(&delete, &agent, &[]).await.status, StatusCode::SEE_OTHER);
        assert!(c.get(&format!("/console/properties/{edit}"), &agent).await.body.contains("No photos yet"));

        // Settings: everyone reads them; only an admin gets the form.
        let read = c.get("/console/settings", &agent).await;
        assert!(
            read.body.contains("Palm Coast Properties")
                && !read.body.contains("<form method=\"post\" action=\"/console/settings\"")
        );
    }

    pub async fn leads_and_analytics(stores: store::Stores) {
        let c = fixture(stores, false).await;
        let token = c.token("agent@a.test").await;
        let (status, lead) = c
            .api(
                "POST",
                "/api/v1/leads",
                &token,
                serde_json::json!({
                    "name": "Layla <Haddad>", "email": "layla@example.com", "source": "portal", "contact_consent": true,
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{lead}");
        let id = lead["lead_id"].as_str().unwrap().to_string();

        // Leads: their state, escaped, filtered by status; another team sees none of them.
        let agent = c.login("agent@a.test").await;
        let page = c.get("/console/leads", &agent).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let row = page
            .body
            .split(&format!("id=\"lead-{id}\""))
            .nth(1)
            .expect("the lead's row")
            .split("</tr>")
            .next()
            .unwrap();
        assert!(
            row.contains("Layla &lt;Haddad&gt;") && row.contains("badge new") && row.contains("Start nurturing"),
            "{row}"
        );
        assert!(!c.get("/console/leads?status=converted", &agent).await.body.contains(&id));
        assert!(!c.get("/console/leads", &c.login("agent@b.test").await).await.body.contains(&id));
        // Nurturing starts the Lead Nurturing package and opens its run.
        let started = c.post(&format!("/console/leads/{id}/nurture"), &agent, &[]).await;
        assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
        let run = started.location().strip_prefix("/console/runs/").expect("redirect to the run").to_string();
        let run_page = c.get(&format!("/console/runs/{run}"), &agent).await;
        assert!(run_page.body.contains("lead_nurturing"), "{}", run_page.body);

        // The runs list narrowed to mine and to Dubai days; ticked runs cancelled together.
        let dubai_today = (chrono::Utc::now() + chrono::Duration::hours(4)).date_naive();
        let mine = c.get(&format!("/console/runs?mine=me&from={dubai_today}&to={dubai_today}"), &agent).await;
        assert!(mine.body.contains(&format!("value=\"{run}\"")), "{}", mine.body);
        let by_lead = c.get(&format!("/console/runs?param=lead_id%3A{id}"), &agent).await;
        assert!(by_lead.body.contains(&format!("value=\"{run}\"")), "the run found by its lead: {}", by_lead.body);
        assert!(!c.get("/console/runs?param=lead_id%3Anobody", &agent).await.body.contains(&run));
        assert_eq!(c.get("/console/runs?param=nocolon", &agent).await.status, StatusCode::BAD_REQUEST);
        let tomorrow = dubai_today.succ_opt().unwrap();
        let none = c.get(&format!("/console/runs?from={tomorrow}"), &agent).await;
        assert!(!none.body.contains(&run) && none.body.contains("match these filters"), "{}", none.body);
        assert_eq!(c.get("/console/runs?from=10%2F03%2F2026", &agent).await.status, StatusCode::BAD_REQUEST);
        let cancelled = c.post("/console/runs/bulk", &agent, &[("id", &run), ("action", "cancel")]).await;
        assert_eq!((cancelled.status, cancelled.location()), (StatusCode::SEE_OTHER, "/console/runs?done=1&refused=0"));
        let status = c.get(&format!("/console/runs/{run}/live"), &agent).await;
        assert!(status.body.contains("id=\"run-status\">cancelled<"), "{}", status.body);
        assert_eq!(c.post("/console/runs/bulk", &agent, &[("action", "cancel")]).await.status, StatusCode::BAD_REQUEST);
        let other =
            c.post("/console/runs/bulk", &c.login("agent@b.test").await, &[("id", &run), ("action", "retry")]).await;
        assert_eq!(other.location(), "/console/runs?done=0&refused=1", "another team's run is not theirs to retry");
        let shown = c.get(other.location(), &agent).await;
        assert!(shown.body.contains("id=\"bulk-result\"") && shown.body.contains("1 refused"), "{}", shown.body);
        let retried = c.post("/console/runs/bulk", &agent, &[("id", &run), ("action", "retry")]).await;
        assert_eq!(retried.location(), "/console/runs?done=1&refused=0", "a cancelled run can be retried");

        // The session outlives its access token: with only the refresh cookie left (the browser
        // dropped the expired access cookie) the page renders and new cookies are set; the spent
        // refresh token then opens nothing, and its cookies are cleared.
        let refresh_only: String = agent.split("; ").filter(|c| c.starts_with("aura_console_refresh=")).collect();
        assert!(!refresh_only.is_empty(), "{agent}");
        let renewed = c.get("/console/runs", &refresh_only).await;
        assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
        let set: Vec<&str> = renewed.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
        assert!(set.iter().any(|c| c.starts_with("aura_console=") && !c.contains("Max-Age=0")), "{set:?}");
        assert!(set.iter().any(|c| c.starts_with("aura_console_refresh=") && !c.contains("Max-Age=0")), "{set:?}");
        let spent = c.get("/console/runs", &refresh_only).await;
        assert_eq!((spent.status, spent.location()), (StatusCode::SEE_OTHER, "/console/login"), "{}", spent.body);
        assert!(spent.headers.get_all("set-cookie").iter().any(|v| v.to_str().unwrap().contains("Max-Age=0")));

        // Reusing a spent refresh token revoked its whole family: that session is over.
        assert_eq!(c.get("/console/runs", &agent).await.location(), "/console/login");

        // Analytics: the figures, a bar chart per trended KPI, the exports as files.
        let agent = c.login("agent@a.test").await;
        let page = c.get("/console/analytics?period=7d", &agent).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains("id=\"fig-listings\">0<") && page.body.contains("id=\"trend-listings_launched\""),
            "{}",
            page.body
        );
        assert_eq!(page.body.matches("<rect class=\"bar\"").count() % 7, 0, "7 daily bars per chart: {}", page.body);
        let xlsx = c.get("/console/analytics/export?format=xlsx&period=7d", &agent).await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
        assert!(xlsx.headers["content-disposition"].to_str().unwrap().ends_with(".xlsx\""));
        let pdf = c.get("/console/analytics/export?format=pdf&period=30d", &agent).await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert!(pdf.body.starts_with("%PDF"));
        assert_eq!(c.get("/console/analytics/export?format=csv", &agent).await.status, StatusCode::BAD_REQUEST);
    }
}

crate::accounts_test!(cases::sign_in_runs_and_an_execution);
crate::accounts_test!(cases::cross_site_posts_are_refused);
crate::accounts_test!(cases::packages_settings_and_properties);
crate::accounts_test!(cases::leads_and_analytics);
