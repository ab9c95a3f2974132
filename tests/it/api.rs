//! The HTTP API, called without a socket (`api::router(state).oneshot(request)`), every answer checked against the OpenAPI document.
//!
//! Every test gets a fresh database with two teams and four users (an admin, the leader of team
//! A, agent A1 of team A, agent B1 of team B) and the `engine_selftest` package. Tests about the
//! database (executions, scoping, accounts) run on SQLite and on PostgreSQL via `api_test!`;
//! pure-HTTP concerns (token tampering, the route table) run on SQLite only.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use runtime::{Registry, Runtime, StepError, WorkerConfig};
use serde_json::{json, Value};
use store::accounts::{NewUser, Team, User};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use uuid::Uuid;

use crate::support::TestDb;

const SECRET: &[u8] = b"Zq8x!v2LmN4pR7tY0wK3bH6jD9fG1sQ5-test-only";
const OTHER_SECRET: &[u8] = b"Another!Secret#0123456789abcdefghijklmnop";
const ACCESS_TTL: Duration = Duration::from_secs(30 * 60);
const REFRESH_TTL: Duration = Duration::from_secs(14 * 24 * 3600);

pub const ADMIN_EMAIL: &str = "admin@aura.test";
pub const LEADER_EMAIL: &str = "leader.a@aura.test";
pub const A1_EMAIL: &str = "agent.a1@aura.test";
pub const B1_EMAIL: &str = "agent.b1@aura.test";
pub const ADMIN_PW: &str = "admin-password-123";
pub const LEADER_PW: &str = "leader-password-123";
pub const A1_PW: &str = "agent-a1-password";
pub const B1_PW: &str = "agent-b1-password";

/// The application over a fresh database, with its users signed in.
pub struct App {
    pub state: api::AppState,
    router: axum::Router,
    pub rt: Runtime,
    pub team_a: Team,
    pub team_b: Team,
    pub admin: User,
    pub leader: User,
    pub a1: User,
    pub b1: User,
    /// Access tokens from `/auth/login`.
    pub admin_token: String,
    pub leader_token: String,
    pub a1_token: String,
    pub b1_token: String,
    /// While true, the `api_fragile` handler fails permanently.
    pub fragile_broken: Arc<AtomicBool>,
    stop: CancellationToken,
    worker: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

fn selftest_source() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../packages/engine_selftest.toml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl App {
    pub async fn new(db: &TestDb) -> App {
        let stores = store::open(&db.url).await.expect("open");
        stores.engine.migrate().await.expect("migrate");

        let broken = Arc::new(AtomicBool::new(true));
        let mut registry = Registry::with_builtins();
        let b = broken.clone();
        registry.register_fn("api_fragile", move |_ctx, _input| {
            let b = b.clone();
            async move {
                if b.load(Ordering::SeqCst) {
                    Err(StepError::permanent("portal down"))
                } else {
                    Ok(json!({ "ok": true }))
                }
            }
        });
        let rt = Runtime::new(stores.engine.clone(), registry);
        rt.register_package(&selftest_source()).await.expect("register engine_selftest");

        let accounts = stores.accounts.clone();
        let now = chrono::Utc::now();
        let team_a = accounts.create_team("Team A", now).await.expect("team A");
        let team_b = accounts.create_team("Team B", now).await.expect("team B");
        let user = |email: &str, name: &str, role: &str, team: Option<Uuid>, pw: &str| {
            let (email, name, role, pw, accounts) =
                (email.to_string(), name.to_string(), role.to_string(), pw.to_string(), accounts.clone());
            async move {
                let password_hash = api::auth::password::hash(pw).await.expect("hash");
                accounts
                    .create_user(&NewUser { email, name, password_hash, role, team_id: team }, now)
                    .await
                    .expect("create user")
            }
        };
        let admin = user(ADMIN_EMAIL, "Admin", "admin", None, ADMIN_PW).await;
        let leader = user(LEADER_EMAIL, "Leader A", "team_leader", Some(team_a.id), LEADER_PW).await;
        let a1 = user(A1_EMAIL, "Agent A1", "agent", Some(team_a.id), A1_PW).await;
        let b1 = user(B1_EMAIL, "Agent B1", "agent", Some(team_b.id), B1_PW).await;

        let tokens = api::auth::token::Tokens::new(SECRET, "aura", "aura-api", ACCESS_TTL, REFRESH_TTL);
        let config = api::ApiConfig { login_attempts_per_account: 5, ..Default::default() };
        let estate = realestate::Services::open(&stores).await.expect("estate services");
        let state = api::AppState::new(rt.clone(), accounts.clone(), stores.analytics.clone(), estate, tokens, config);
        let router = crate::contract::checked(api::router(state.clone()));
        let mut app = App {
            state,
            router,
            rt,
            team_a,
            team_b,
            admin,
            leader,
            a1,
            b1,
            admin_token: String::new(),
            leader_token: String::new(),
            a1_token: String::new(),
            b1_token: String::new(),
            fragile_broken: broken,
            stop: CancellationToken::new(),
            worker: Mutex::new(None),
        };
        app.admin_token = app.login(ADMIN_EMAIL, ADMIN_PW).await;
        app.leader_token = app.login(LEADER_EMAIL, LEADER_PW).await;
        app.a1_token = app.login(A1_EMAIL, A1_PW).await;
        app.b1_token = app.login(B1_EMAIL, B1_PW).await;
        app
    }

    /// Starts one fast background worker (stopped by `shutdown`).
    pub fn start_worker(&self) {
        let mut cfg = WorkerConfig::new(format!("api-test-{:04x}", fastrand::u16(..)));
        cfg.lease = Duration::from_secs(2);
        cfg.heartbeat = Duration::from_millis(300);
        cfg.poll = Duration::from_millis(100);
        cfg.shutdown_grace = Duration::from_secs(2);
        let worker = runtime::Worker::new(&self.rt, cfg);
        let handle = tokio::spawn(worker.run(self.stop.clone()));
        let old = self.worker.lock().unwrap().replace(handle);
        assert!(old.is_none(), "one worker per app");
    }

    pub async fn shutdown(self) {
        self.stop.cancel();
        let handle = self.worker.lock().unwrap().take();
        if let Some(h) = handle {
            h.await.expect("worker task");
        }
    }

    /// Sends one request through the whole application.
    pub async fn call(&self, req: Request<Body>) -> axum::response::Response {
        self.router.clone().oneshot(req).await.expect("infallible")
    }

    /// A request; `token` "" sends no Authorization header.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        token: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (StatusCode, HeaderMap, Value) {
        let mut b = Request::builder().method(method).uri(path);
        if !token.is_empty() {
            b = b.header("authorization", format!("Bearer {token}"));
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let response = self.call(b.body(Body::from(body)).expect("request")).await;
        let status = response.status();
        let headers = response.headers().clone();
        // Every error, whichever layer produced it, is problem+json.
        if status.is_client_error() || status.is_server_error() {
            assert_eq!(
                headers.get("content-type").and_then(|v| v.to_str().ok()),
                Some("application/problem+json"),
                "{method} {path} answered {status} without a problem body"
            );
        }
        let bytes = tokio::time::timeout(Duration::from_secs(30), response.into_body().collect())
            .await
            .expect("body within 30 s")
            .expect("body")
            .to_bytes();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        (status, headers, value)
    }

    pub async fn send(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let (bytes, headers): (Vec<u8>, &[(&str, &str)]) = match body {
            Some(b) => (serde_json::to_vec(&b).unwrap(), &[("content-type", "application/json")]),
            None => (Vec::new(), &[]),
        };
        let (status, _, value) = self.raw(method, path, token, headers, bytes).await;
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.send("GET", path, token, None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.send("POST", path, token, Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.send("PATCH", path, token, Some(body)).await
    }
    pub async fn delete(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.send("DELETE", path, token, None).await
    }
    /// PUT or POST of a package file (TOML).
    pub async fn toml(&self, method: &str, path: &str, token: &str, source: &str) -> (StatusCode, Value) {
        let (status, _, value) =
            self.raw(method, path, token, &[("content-type", "application/toml")], source.as_bytes().to_vec()).await;
        (status, value)
    }

    pub async fn login_response(&self, email: &str, password: &str) -> (StatusCode, Value) {
        self.post("/auth/login", "", json!({ "email": email, "password": password })).await
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let (status, body) = self.login_response(email, password).await;
        assert_eq!(status, StatusCode::OK, "login {email}: {body}");
        body["access_token"].as_str().expect("access_token").to_string()
    }

    /// Starts `engine_selftest` as the token's user; returns the execution id.
    pub async fn execute(&self, token: &str, parameters: Value) -> String {
        let (status, body) = self
            .post(
                "/api/v1/workflows/packages/execute",
                token,
                json!({ "package_name": "engine_selftest", "parameters": parameters }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        body["execution_id"].as_str().expect("execution_id").to_string()
    }

    /// Polls the status endpoint until the execution is terminal.
    pub async fn wait_terminal(&self, id: &str, token: &str) -> Value {
        for _ in 0..600 {
            let (status, body) = self.get(&format!("/api/v1/workflows/packages/status/{id}"), token).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            if ["completed", "failed", "cancelled"].contains(&body["status"].as_str().unwrap_or_default()) {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("execution {id} not terminal within 30 s");
    }
}

/// Asserts a problem+json error: status, stable code and content type.
#[track_caller]
pub fn assert_problem(got: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(got.0, status, "expected {status} {code}, got {} {}", got.0, got.1);
    assert_eq!(got.1["code"], json!(code), "expected code {code}: {}", got.1);
    assert_eq!(got.1["status"], json!(status.as_u16()), "{}", got.1);
}

/// Runs a case on a fresh database of `backend` (expanded by `api_test!`).
macro_rules! api_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run_case!(Sqlite, $name);
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run_case!(Postgres, $name);
            }
        }
    };
}

macro_rules! run_case {
    ($backend:ident, $name:ident) => {{
        let db = $crate::support::TestDb::new($crate::support::Backend::$backend).await;
        let app = super::App::new(&db).await;
        super::cases::$name(&app).await;
        app.shutdown().await;
        db.cleanup().await;
    }};
}

/// Base64url without padding (JWT segments).
fn b64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// One Server-Sent Event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: Option<i64>,
    pub event: String,
    pub data: Value,
}

fn parse_sse(text: &str) -> Vec<SseEvent> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let (mut id, mut event, mut data) = (None, String::from("message"), Vec::new());
        let mut any = false;
        for line in block.lines() {
            if line.starts_with(':') || line.is_empty() {
                continue;
            }
            let (field, value) =
                line.split_once(':').map_or((line, ""), |(f, v)| (f, v.strip_prefix(' ').unwrap_or(v)));
            any = true;
            match field {
                "id" => id = Some(value.parse::<i64>().unwrap_or_else(|_| panic!("non-numeric SSE id {value:?}"))),
                "event" => event = value.to_string(),
                "data" => data.push(value.to_string()),
                _ => {}
            }
        }
        if any {
            let data = data.join("\n");
            let data = serde_json::from_str(&data).unwrap_or(Value::String(data));
            out.push(SseEvent { id, event, data });
        }
    }
    out
}

/// The execution's stream, read to its end (it ends once the execution is terminal).
async fn read_stream(app: &App, id: &str, token: &str, last_event_id: Option<i64>) -> (HeaderMap, Vec<SseEvent>) {
    let mut b = Request::builder()
        .uri(format!("/api/v1/workflows/executions/{id}/stream"))
        .header("authorization", format!("Bearer {token}"));
    if let Some(l) = last_event_id {
        b = b.header("last-event-id", l.to_string());
    }
    let response = app.call(b.body(Body::empty()).unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let bytes = tokio::time::timeout(Duration::from_secs(60), response.into_body().collect())
        .await
        .expect("the stream ends once the execution is terminal")
        .expect("stream body")
        .to_bytes();
    (headers, parse_sse(core::str::from_utf8(&bytes).expect("UTF-8 stream")))
}

fn ids_of(list: &Value, key: &str) -> Vec<String> {
    list[key].as_array().expect("array").iter().map(|e| e["execution_id"].as_str().unwrap().to_string()).collect()
}

const FRAGILE: &str = r#"
name = "fragile_api"
[[steps]]
id = "first"
handler = "noop"
[[steps]]
id = "second"
handler = "api_fragile"
depends_on = ["first"]
retry = { max_attempts = 1 }
[[steps]]
id = "third"
handler = "noop"
depends_on = ["second"]
"#;

pub mod cases {
    use super::*;

    /// The seed's integration test: log in, start the self-test package, read its status.
    pub async fn seed_login_execute_status(app: &App) {
        let (status, login) = app.login_response(A1_EMAIL, A1_PW).await;
        assert_eq!(status, StatusCode::OK, "{login}");
        assert!(login["access_token"].as_str().is_some_and(|t| t.split('.').count() == 3), "{login}");
        assert_eq!(login["token_type"], "bearer");
        assert_eq!(login["expires_in"], json!(1800));
        assert!(login["refresh_token"].as_str().is_some_and(|t| t.len() >= 32), "{login}");
        assert_eq!(login["user"]["email"], A1_EMAIL);
        assert!(login["user"].get("password_hash").is_none(), "never leak the hash");
        let token = login["access_token"].as_str().unwrap();

        let (status, started) = app
            .post(
                "/api/v1/workflows/packages/execute",
                token,
                json!({ "package_name": "engine_selftest", "parameters": { "work_ms": 10 } }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{started}");
        let id = started["execution_id"].as_str().expect("execution_id");
        Uuid::parse_str(id).expect("execution_id is a UUID");
        assert_eq!(started["status"], "pending");
        assert_eq!(started["created"], true);
        assert_eq!(started["status_url"], format!("/api/v1/workflows/packages/status/{id}"));

        let (status, body) = app.get(started["status_url"].as_str().unwrap(), token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["execution_id"], id);
        assert_eq!(body["status"], "pending");
        assert_eq!(body["progress_percentage"], json!(0.0));
        assert!(body.get("current_step").is_some(), "current_step key present (null before any step runs): {body}");
        assert_eq!(body["total_steps"], 6);
        assert_eq!(body["steps"].as_array().unwrap().len(), 6);
        assert!(body["estimated_time_remaining"].as_f64().unwrap() > 0.0);

        // The execution's detail: each reached step's input as its handler gets it.
        let (status, detail) = app.get(&format!("/api/v1/workflows/executions/{id}"), token).await;
        assert_eq!(status, StatusCode::OK, "{detail}");
        assert_eq!(detail["inputs"], json!({ "prepare": { "ms": 10 } }), "only the ready first step: {detail}");
    }

    pub async fn login_failures_and_deactivation(app: &App) {
        let wrong = app.login_response(A1_EMAIL, "not-the-password").await;
        assert_problem(&wrong, StatusCode::UNAUTHORIZED, "invalid_credentials");
        let unknown = app.login_response("nobody@aura.test", A1_PW).await;
        assert_problem(&unknown, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(wrong.1["detail"], unknown.1["detail"], "an unknown account is indistinguishable");
        // E-mail is case-insensitive and trimmed.
        let (status, _) = app.login_response("  AGENT.A1@aura.test ", A1_PW).await;
        assert_eq!(status, StatusCode::OK);
        // Malformed login bodies are problems too.
        let missing = app.post("/auth/login", "", json!({ "email": A1_EMAIL })).await;
        assert_problem(&missing, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");

        // Deactivation: the existing token stops working at once, and login is refused.
        let (status, _) = app.get("/auth/me", &app.b1_token).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = app.delete(&format!("/api/v1/users/{}", app.b1.id), &app.admin_token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["active"], false);
        assert_problem(&app.get("/auth/me", &app.b1_token).await, StatusCode::UNAUTHORIZED, "unauthorized");
        assert_problem(
            &app.get("/api/v1/workflows/packages", &app.b1_token).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );
        assert_problem(&app.login_response(B1_EMAIL, B1_PW).await, StatusCode::UNAUTHORIZED, "invalid_credentials");
        // Reactivated, the user can log in again.
        let (status, _) =
            app.patch(&format!("/api/v1/users/{}", app.b1.id), &app.admin_token, json!({ "active": true })).await;
        assert_eq!(status, StatusCode::OK);
        app.login(B1_EMAIL, B1_PW).await;
    }

    pub async fn me_refresh_rotation_and_logout(app: &App) {
        let (status, me) = app.get("/auth/me", &app.a1_token).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["email"], A1_EMAIL);
        assert_eq!(me["role"], "agent");
        assert_eq!(me["role_level"], 1);
        assert_eq!(me["team_id"], json!(app.team_a.id));
        let perms: Vec<&str> = me["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        assert!(perms.contains(&"workflows:execute_package"), "{perms:?}");
        assert!(!perms.contains(&"workflows:system_management"), "{perms:?}");
        let (_, me) = app.get("/api/v1/auth/me", &app.leader_token).await;
        assert_eq!(me["role"], "team_leader");
        assert_eq!(me["id"], json!(app.leader.id));
        let perms: Vec<&str> = me["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        assert!(
            perms.contains(&"workflows:execute_package") && perms.contains(&"workflows:manage_team_workflows"),
            "inherits: {perms:?}"
        );
        let (_, me) = app.get("/auth/me", &app.admin_token).await;
        assert_eq!(me["role"], "admin");
        assert_eq!(me["role_level"], 3);
        assert!(me["permissions"].as_array().unwrap().contains(&json!("system:manage_users")));

        // Rotation: each refresh token works once.
        let (_, login) = app.login_response(A1_EMAIL, A1_PW).await;
        let first = login["refresh_token"].as_str().unwrap().to_string();
        let (status, rotated) = app.post("/auth/refresh", "", json!({ "refresh_token": first })).await;
        assert_eq!(status, StatusCode::OK, "{rotated}");
        let second = rotated["refresh_token"].as_str().unwrap().to_string();
        assert_ne!(first, second);
        let access = rotated["access_token"].as_str().unwrap();
        assert_eq!(app.get("/auth/me", access).await.0, StatusCode::OK, "the rotated access token works");
        let (status, rotated) = app.post("/api/v1/auth/refresh", "", json!({ "refresh_token": second })).await;
        assert_eq!(status, StatusCode::OK, "the new refresh token works once: {rotated}");
        let third = rotated["refresh_token"].as_str().unwrap().to_string();
        // Reusing an old token is theft: it and its whole family are revoked.
        assert_problem(
            &app.post("/auth/refresh", "", json!({ "refresh_token": first })).await,
            StatusCode::UNAUTHORIZED,
            "refresh_token_reused",
        );
        let newest = app.post("/auth/refresh", "", json!({ "refresh_token": third })).await;
        assert_problem(&newest, StatusCode::UNAUTHORIZED, "refresh_token_reused");
        assert_problem(
            &app.post("/auth/refresh", "", json!({ "refresh_token": "nonsense" })).await,
            StatusCode::UNAUTHORIZED,
            "invalid_refresh_token",
        );
        // Another login's family is unaffected by that revocation.
        let (_, other) = app.login_response(A1_EMAIL, A1_PW).await;
        let other_refresh = other["refresh_token"].as_str().unwrap().to_string();
        let other_access = other["access_token"].as_str().unwrap().to_string();

        // Logout revokes the family of the given refresh token.
        let (status, body) = app.post("/auth/logout", &other_access, json!({ "refresh_token": other_refresh })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["logged_out"], true);
        let after = app.post("/auth/refresh", "", json!({ "refresh_token": other_refresh })).await;
        assert_problem(&after, StatusCode::UNAUTHORIZED, "refresh_token_reused");
        // Logout without a body revokes every refresh token of the user.
        let (_, l1) = app.login_response(A1_EMAIL, A1_PW).await;
        let (status, _, _) =
            app.raw("POST", "/api/v1/auth/logout", l1["access_token"].as_str().unwrap(), &[], Vec::new()).await;
        assert_eq!(status, StatusCode::OK);
        let revoked = app.post("/auth/refresh", "", json!({ "refresh_token": l1["refresh_token"] })).await;
        assert_eq!(revoked.0, StatusCode::UNAUTHORIZED, "{}", revoked.1);
        assert_problem(&app.post("/auth/logout", "", json!({})).await, StatusCode::UNAUTHORIZED, "unauthorized");
    }

    pub async fn login_rate_limit_per_account(app: &App) {
        for i in 0..5 {
            let r = app.login_response(LEADER_EMAIL, &format!("wrong-password-{i}")).await;
            assert_problem(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        }
        let sixth = app.login_response(LEADER_EMAIL, "wrong-password-6").await;
        assert_problem(&sixth, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
        // Even the right password is refused while the window lasts, also with another spelling.
        assert_problem(
            &app.login_response(LEADER_EMAIL, LEADER_PW).await,
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
        );
        assert_problem(
            &app.login_response(" Leader.A@AURA.test", LEADER_PW).await,
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
        );
        // Other accounts are unaffected.
        app.login(A1_EMAIL, A1_PW).await;
        // A successful login resets the account's count.
        for _ in 0..4 {
            assert_eq!(app.login_response(B1_EMAIL, "wrong-password").await.0, StatusCode::UNAUTHORIZED);
        }
        app.login(B1_EMAIL, B1_PW).await;
        for _ in 0..5 {
            assert_eq!(app.login_response(B1_EMAIL, "wrong-password").await.0, StatusCode::UNAUTHORIZED);
        }
    }

    pub async fn rbac_by_role(app: &App) {
        let source = selftest_source().replace("Runs built-in steps", "Runs the built-in steps");
        let path = "/api/v1/workflows/packages/engine_selftest";
        let new_user =
            |email: &str| json!({ "email": email, "name": "New", "password": "long-enough-pw", "role": "agent" });
        for token in [&app.a1_token, &app.leader_token] {
            assert_problem(&app.toml("PUT", path, token, &source).await, StatusCode::FORBIDDEN, "forbidden");
            assert_problem(
                &app.post("/api/v1/users", token, new_user("x@aura.test")).await,
                StatusCode::FORBIDDEN,
                "forbidden",
            );
            assert_problem(&app.delete(path, token).await, StatusCode::FORBIDDEN, "forbidden");
            assert_problem(&app.get("/api/v1/users", token).await, StatusCode::FORBIDDEN, "forbidden");
            assert_problem(&app.get("/api/v1/audit", token).await, StatusCode::FORBIDDEN, "forbidden");
            assert_problem(
                &app.get("/api/v1/analytics/health/system", token).await,
                StatusCode::FORBIDDEN,
                "forbidden",
            );
            assert_problem(
                &app.toml("POST", "/api/v1/workflows/packages/validate", token, &source).await,
                StatusCode::FORBIDDEN,
                "forbidden",
            );
            // What they may do.
            assert_eq!(app.get("/api/v1/workflows/packages", token).await.0, StatusCode::OK);
            assert_eq!(app.get("/api/v1/workflows/analytics", token).await.0, StatusCode::OK);
        }
        let (status, body) = app.toml("PUT", path, &app.admin_token, &source).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = app.post("/api/v1/users", &app.admin_token, new_user("x@aura.test")).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(app.get("/api/v1/analytics/health/system", &app.admin_token).await.0, StatusCode::OK);
        // A role change applies to the next request, not to the next login.
        let (status, _) =
            app.patch(&format!("/api/v1/users/{}", app.a1.id), &app.admin_token, json!({ "role": "admin" })).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(app.get("/api/v1/users", &app.a1_token).await.0, StatusCode::OK);
        let (status, _) =
            app.patch(&format!("/api/v1/users/{}", app.a1.id), &app.admin_token, json!({ "role": "agent" })).await;
        assert_eq!(status, StatusCode::OK);
        assert_problem(&app.get("/api/v1/users", &app.a1_token).await, StatusCode::FORBIDDEN, "forbidden");
    }

    pub async fn row_scoping(app: &App) {
        let a1_exec = app.execute(&app.a1_token, json!({})).await;
        let b1_exec = app.execute(&app.b1_token, json!({})).await;

        // B1 cannot see or touch A1's execution: it does not exist for them.
        let b = &app.b1_token;
        assert_problem(
            &app.get(&format!("/api/v1/workflows/packages/status/{a1_exec}"), b).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_problem(
            &app.get(&format!("/api/v1/workflows/executions/{a1_exec}"), b).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let control =
            app.post(&format!("/api/v1/workflows/packages/{a1_exec}/control"), b, json!({ "action": "pause" })).await;
        assert_problem(&control, StatusCode::NOT_FOUND, "not_found");
        assert_problem(
            &app.get(&format!("/api/v1/workflows/executions/{a1_exec}/events"), b).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_problem(
            &app.get(&format!("/api/v1/workflows/executions/{a1_exec}/stream"), b).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let retry =
            app.post(&format!("/api/v1/workflows/executions/{a1_exec}/steps/prepare/retry"), b, json!({})).await;
        assert_problem(&retry, StatusCode::NOT_FOUND, "not_found");
        let (status, list) = app.get("/api/v1/workflows/executions", b).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(ids_of(&list, "executions"), vec![b1_exec.clone()]);
        let (_, list) = app.get(&format!("/api/v1/workflows/executions?created_by={}", app.a1.id), b).await;
        assert_eq!(ids_of(&list, "executions"), Vec::<String>::new(), "an agent cannot widen their scope");
        // B1's pause was refused: the execution is untouched.
        let (_, st) = app.get(&format!("/api/v1/workflows/packages/status/{a1_exec}"), &app.a1_token).await;
        assert_eq!(st["status"], "pending");

        // A1 sees their own only.
        let (_, list) = app.get("/api/v1/workflows/executions", &app.a1_token).await;
        assert_eq!(ids_of(&list, "executions"), vec![a1_exec.clone()]);

        // The leader of team A sees team A's executions and may control them; not team B's.
        let l = &app.leader_token;
        let (_, list) = app.get("/api/v1/workflows/executions", l).await;
        assert_eq!(ids_of(&list, "executions"), vec![a1_exec.clone()]);
        assert_eq!(app.get(&format!("/api/v1/workflows/packages/status/{a1_exec}"), l).await.0, StatusCode::OK);
        assert_eq!(app.get(&format!("/api/v1/workflows/executions/{a1_exec}/events"), l).await.0, StatusCode::OK);
        let (status, body) =
            app.post(&format!("/api/v1/workflows/packages/{a1_exec}/control"), l, json!({ "action": "pause" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "paused");
        assert_problem(
            &app.get(&format!("/api/v1/workflows/packages/status/{b1_exec}"), l).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        // The admin sees everything, newest first.
        let (_, list) = app.get("/api/v1/workflows/executions", &app.admin_token).await;
        assert_eq!(ids_of(&list, "executions"), vec![b1_exec.clone(), a1_exec.clone()]);
        let (_, st) = app.get(&format!("/api/v1/workflows/packages/status/{a1_exec}"), &app.admin_token).await;
        assert_eq!(st["status"], "paused");
        let (_, list) = app.get("/api/v1/workflows/executions?status=paused", &app.admin_token).await;
        assert_eq!(ids_of(&list, "executions"), vec![a1_exec.clone()]);
        assert_problem(
            &app.get("/api/v1/workflows/executions?status=bogus", &app.admin_token).await,
            StatusCode::BAD_REQUEST,
            "invalid_query",
        );
        // Cursor paging.
        let (_, page) = app.get("/api/v1/workflows/executions?limit=1", &app.admin_token).await;
        assert_eq!(ids_of(&page, "executions"), vec![b1_exec.clone()]);
        let cursor = page["next_cursor"].as_str().expect("next_cursor").to_string();
        let (_, page) =
            app.get(&format!("/api/v1/workflows/executions?limit=1&cursor={cursor}"), &app.admin_token).await;
        assert_eq!(ids_of(&page, "executions"), vec![a1_exec.clone()]);
    }

    pub async fn package_catalog_and_upload(app: &App) {
        let admin = &app.admin_token;
        let (status, list) = app.get("/api/v1/workflows/packages", &app.a1_token).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["total"], 1);
        let p = &list["packages"][0];
        assert_eq!(p["name"], "engine_selftest");
        assert_eq!(p["version"], 1);
        assert_eq!(p["step_count"], 6);
        let params = p["parameters"].as_array().unwrap();
        let param = |name: &str| {
            params.iter().find(|x| x["name"] == name).unwrap_or_else(|| panic!("parameter {name}: {p}")).clone()
        };
        assert_eq!(param("work_ms")["type"], "integer");
        assert_eq!(param("work_ms")["min"], 0);
        assert_eq!(param("work_ms")["max"], 60000);
        assert_eq!(param("work_ms")["default"], 200);
        assert_eq!(param("include_optional")["type"], "boolean");
        assert_eq!(p["deliverables"][0]["step"], "report");

        let path = "/api/v1/workflows/packages/engine_selftest";
        let (status, pkg) = app.get(path, &app.a1_token).await;
        assert_eq!(status, StatusCode::OK, "{pkg}");
        let nodes: Vec<&str> =
            pkg["graph"]["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
        assert_eq!(nodes, ["prepare", "branch_a", "branch_b", "optional", "settle", "report"]);
        let edges = pkg["graph"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 7, "{edges:?}");
        assert!(edges.contains(&json!({ "from": "prepare", "to": "branch_a" })));
        assert!(edges.contains(&json!({ "from": "optional", "to": "report" })));
        assert_eq!(pkg["versions"].as_array().unwrap().len(), 1);
        assert_eq!(pkg["steps"][4]["delay_seconds"], json!(1.0));
        assert_eq!(pkg["steps"][3]["when"], "params.include_optional");
        assert_problem(
            &app.get("/api/v1/workflows/packages/nope", &app.a1_token).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        // A new version, then an identical upload (no new version).
        let v2 =
            selftest_source().replace("display_name = \"Engine self-test\"", "display_name = \"Engine self-test v2\"");
        let (status, body) = app.toml("PUT", path, admin, &v2).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["version"], 2);
        assert_eq!(body["created"], true);
        let (status, body) = app.toml("PUT", path, admin, &v2).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["version"], 2);
        assert_eq!(body["created"], false);
        let (_, pkg) = app.get(path, &app.a1_token).await;
        assert_eq!(pkg["version"], 2);
        assert_eq!(pkg["display_name"], "Engine self-test v2");
        assert_eq!(pkg["versions"].as_array().unwrap().len(), 2);
        assert_eq!(pkg["source"], v2.as_str(), "the TOML as it was uploaded");
        // An earlier version stays readable, as an execution of it shows it.
        let (status, v1) = app.get(&format!("{path}?version=1"), &app.a1_token).await;
        assert_eq!(status, StatusCode::OK, "{v1}");
        assert_eq!((v1["version"].as_i64(), v1["latest_version"].as_i64()), (Some(1), Some(2)));
        assert_eq!(v1["display_name"], "Engine self-test");
        assert_eq!(v1["source"], selftest_source().as_str());
        assert_problem(&app.get(&format!("{path}?version=9"), &app.a1_token).await, StatusCode::NOT_FOUND, "not_found");
        assert_problem(
            &app.get(&format!("{path}?version=two"), &app.a1_token).await,
            StatusCode::BAD_REQUEST,
            "invalid_query",
        );

        // Errors point at the file.
        let broken = "name = \"engine_selftest\"\n[[steps]]\nid = \"a\"\nhandler = \n";
        let r = app.toml("PUT", path, admin, broken).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_package");
        let errors = r.1["errors"].as_array().expect("errors");
        assert!(!errors.is_empty());
        assert!(
            errors
                .iter()
                .all(|e| e["line"].as_u64().is_some_and(|l| l >= 1) && e["column"].as_u64().is_some_and(|c| c >= 1)),
            "{errors:?}"
        );
        assert_eq!(errors[0]["line"], 4, "{errors:?}");
        let unknown_handler = "name = \"engine_selftest\"\n[[steps]]\nid = \"a\"\nhandler = \"no_such_handler\"\n";
        let r = app.toml("PUT", path, admin, unknown_handler).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_package");
        assert_eq!(r.1["errors"][0]["line"], 4, "{}", r.1);
        assert!(r.1["errors"][0]["column"].as_u64().is_some_and(|c| c >= 1), "{}", r.1);
        let r = app.toml("PUT", "/api/v1/workflows/packages/other_name", admin, &v2).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "name_mismatch");
        assert_problem(
            &app.get("/api/v1/workflows/packages/other_name", admin).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let (status, _, body) = app.raw("PUT", path, admin, &[], vec![0xff, 0xfe, 0x00]).await;
        assert_problem(&(status, body), StatusCode::BAD_REQUEST, "invalid_body");

        // Validation stores nothing.
        let (status, body) = app
            .toml(
                "POST",
                "/api/v1/workflows/packages/validate",
                admin,
                &FRAGILE.replace("fragile_api", "validated_only"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["valid"], true);
        assert_eq!(body["package"]["name"], "validated_only");
        assert_eq!(body["package"]["step_count"], 3);
        assert_problem(
            &app.get("/api/v1/workflows/packages/validated_only", admin).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let r = app.toml("POST", "/api/v1/workflows/packages/validate", admin, broken).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_package");
        assert_eq!(r.1["errors"][0]["line"], 4);

        // Deactivation: no new executions, the package leaves the catalogue.
        let (status, body) = app.delete(path, admin).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["active"], false);
        let r = app
            .post("/api/v1/workflows/packages/execute", &app.a1_token, json!({ "package_name": "engine_selftest" }))
            .await;
        assert_problem(&r, StatusCode::NOT_FOUND, "not_found");
        let (_, list) = app.get("/api/v1/workflows/packages", &app.a1_token).await;
        assert_eq!(list["total"], 0, "{list}");
        let (status, pkg) = app.get(path, admin).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(pkg["active"], false);
        assert_problem(&app.delete("/api/v1/workflows/packages/nope", admin).await, StatusCode::NOT_FOUND, "not_found");
    }

    pub async fn execute_validation_and_idempotency(app: &App) {
        let url = "/api/v1/workflows/packages/execute";
        let t = &app.a1_token;
        let r = app.post(url, t, json!({ "package_name": "engine_selftest", "parameters": { "work_ms": "fast", "include_optional": "yes" } })).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_parameters");
        let fields: Vec<&str> =
            r.1["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"work_ms") && fields.contains(&"include_optional"), "each bad field named: {}", r.1);
        let r =
            app.post(url, t, json!({ "package_name": "engine_selftest", "parameters": { "work_ms": 60001 } })).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_parameters");
        assert_eq!(r.1["errors"][0]["field"], "work_ms");
        let r =
            app.post(url, t, json!({ "package_name": "engine_selftest", "parameters": { "unknown_param": 1 } })).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_parameters");
        assert_eq!(r.1["errors"][0]["field"], "unknown_param");
        let r = app.post(url, t, json!({ "package_name": "engine_selftest", "surprise": true })).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
        assert!(r.1["detail"].as_str().unwrap().contains("surprise"), "{}", r.1);
        let r = app.post(url, t, json!({ "parameters": {} })).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
        let (status, headers, body) =
            app.raw("POST", url, t, &[("content-type", "application/json")], b"{\"package_name\": ".to_vec()).await;
        assert_problem(&(status, body.clone()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_json");
        assert_eq!(headers["content-type"], "application/problem+json");
        let (status, _, body) = app.raw("POST", url, t, &[], Vec::new()).await;
        assert_problem(&(status, body), StatusCode::BAD_REQUEST, "invalid_json");
        let r = app.post(url, t, json!({ "package_name": "no_such_package" })).await;
        assert_problem(&r, StatusCode::NOT_FOUND, "not_found");

        // Idempotency-Key: the same request twice starts one execution.
        let body =
            serde_json::to_vec(&json!({ "package_name": "engine_selftest", "parameters": { "work_ms": 5 } })).unwrap();
        let headers = [("content-type", "application/json"), ("idempotency-key", "order-42")];
        let (s1, _, first) = app.raw("POST", url, t, &headers, body.clone()).await;
        let (s2, _, second) = app.raw("POST", url, t, &headers, body.clone()).await;
        assert_eq!((s1, s2), (StatusCode::ACCEPTED, StatusCode::ACCEPTED), "{first} {second}");
        assert_eq!(first["execution_id"], second["execution_id"]);
        assert_eq!(first["created"], true);
        assert_eq!(second["created"], false);
        let (status, _, other) = app
            .raw("POST", url, t, &[("content-type", "application/json"), ("idempotency-key", "order-43")], body.clone())
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        assert_ne!(other["execution_id"], first["execution_id"]);
        let (_, list) = app.get("/api/v1/workflows/executions", t).await;
        assert_eq!(list["executions"].as_array().unwrap().len(), 2);
        let long = "k".repeat(256);
        let (status, _, body) =
            app.raw("POST", url, t, &[("content-type", "application/json"), ("idempotency-key", &long)], body).await;
        assert_problem(&(status, body), StatusCode::BAD_REQUEST, "invalid_idempotency_key");

        // The execution detail carries parameters with defaults applied.
        let id = first["execution_id"].as_str().unwrap();
        let (status, detail) = app.get(&format!("/api/v1/workflows/executions/{id}"), t).await;
        assert_eq!(status, StatusCode::OK, "{detail}");
        assert_eq!(detail["parameters"], json!({ "work_ms": 5, "include_optional": true }));
        assert_eq!(detail["created_by"], json!(app.a1.id.to_string()));
        assert_eq!(detail["deliverables"][0]["name"], "Self-test report");
    }

    pub async fn execution_controls(app: &App) {
        let t = &app.a1_token;
        let id = app.execute(t, json!({})).await;
        let control = format!("/api/v1/workflows/packages/{id}/control");
        let act = |action: &'static str| {
            let control = control.clone();
            async move { app.post(&control, t, json!({ "action": action, "reason": "test" })).await }
        };
        let (status, body) = act("pause").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({ "execution_id": id, "action": "pause", "status": "paused" }));
        let (status, body) = act("pause").await;
        assert_eq!(
            (status, &body["status"]),
            (StatusCode::OK, &json!("paused")),
            "repeating a command that holds is a no-op"
        );
        let (status, body) = act("resume").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "pending");
        assert_problem(&act("retry").await, StatusCode::CONFLICT, "illegal_transition");
        assert_problem(&act("explode").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_action");
        assert_problem(
            &app.post(&control, t, json!({ "verb": "pause" })).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        );

        // Retrying a step that has not failed.
        let retry = app.post(&format!("/api/v1/workflows/executions/{id}/steps/prepare/retry"), t, json!({})).await;
        assert_problem(&retry, StatusCode::CONFLICT, "step_not_retryable");
        let retry = app.post(&format!("/api/v1/workflows/executions/{id}/steps/nope/retry"), t, json!({})).await;
        assert_problem(&retry, StatusCode::NOT_FOUND, "not_found");

        let (status, body) = act("cancel").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "cancelled");
        assert_problem(&act("resume").await, StatusCode::CONFLICT, "illegal_transition");
        assert_problem(&act("pause").await, StatusCode::CONFLICT, "illegal_transition");
        let (_, st) = app.get(&format!("/api/v1/workflows/packages/status/{id}"), t).await;
        assert_eq!(st["status"], "cancelled");
        assert!(st["steps"].as_array().unwrap().iter().all(|s| s["status"] == "cancelled"), "{st}");

        // Malformed and unknown ids.
        let bad = app.post("/api/v1/workflows/packages/not-a-uuid/control", t, json!({ "action": "pause" })).await;
        assert_problem(&bad, StatusCode::BAD_REQUEST, "invalid_id");
        assert_problem(
            &app.get("/api/v1/workflows/packages/status/not-a-uuid", t).await,
            StatusCode::BAD_REQUEST,
            "invalid_id",
        );
        assert_problem(
            &app.get("/api/v1/workflows/executions/123/events", t).await,
            StatusCode::BAD_REQUEST,
            "invalid_id",
        );
        assert_problem(
            &app.get("/api/v1/workflows/executions/123/stream", t).await,
            StatusCode::BAD_REQUEST,
            "invalid_id",
        );
        let unknown = Uuid::now_v7();
        assert_problem(
            &app.get(&format!("/api/v1/workflows/packages/status/{unknown}"), t).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_problem(
            &app.post(&format!("/api/v1/workflows/packages/{unknown}/control"), t, json!({ "action": "pause" })).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        // The history: creation, the controls, and the cancellation, in id order.
        let (status, ev) = app.get(&format!("/api/v1/workflows/executions/{id}/events"), t).await;
        assert_eq!(status, StatusCode::OK, "{ev}");
        let events = ev["events"].as_array().unwrap();
        assert_eq!(events[0]["kind"], "execution_created", "{ev}");
        let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        let (_, page) = app.get(&format!("/api/v1/workflows/executions/{id}/events?after={}&limit=1", ids[0]), t).await;
        assert_eq!(page["events"].as_array().unwrap().len(), 1);
        assert_eq!(page["events"][0]["id"], ids[1]);
        assert_problem(
            &app.get(&format!("/api/v1/workflows/executions/{id}/events?after=x"), t).await,
            StatusCode::BAD_REQUEST,
            "invalid_query",
        );

        // The audit log recorded the controls.
        let (_, audit) = app.get("/api/v1/audit", &app.admin_token).await;
        let controls =
            audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "execution.control").count();
        assert_eq!(controls, 4, "pause, pause, resume, cancel; refused controls are not recorded: {audit}");
    }

    /// A step fails for good, the execution fails; the step retry endpoint resumes it.
    pub async fn failed_step_retry(app: &App) {
        let (status, body) = app.toml("PUT", "/api/v1/workflows/packages/fragile_api", &app.admin_token, FRAGILE).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        app.start_worker();
        let t = &app.a1_token;
        let (status, started) =
            app.post("/api/v1/workflows/packages/execute", t, json!({ "package_name": "fragile_api" })).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{started}");
        let id = started["execution_id"].as_str().unwrap().to_string();
        let st = app.wait_terminal(&id, t).await;
        assert_eq!(st["status"], "failed", "{st}");
        assert!(st["error"].as_str().unwrap().contains("portal down"), "{st}");
        let step =
            |st: &Value, id: &str| st["steps"].as_array().unwrap().iter().find(|s| s["step_id"] == id).unwrap().clone();
        assert_eq!(step(&st, "first")["status"], "succeeded");
        assert_eq!(step(&st, "second")["status"], "failed");
        assert_eq!(step(&st, "third")["status"], "cancelled");

        let done = app.post(&format!("/api/v1/workflows/executions/{id}/steps/first/retry"), t, json!({})).await;
        assert_problem(&done, StatusCode::CONFLICT, "step_not_retryable");
        let other =
            app.post(&format!("/api/v1/workflows/executions/{id}/steps/second/retry"), &app.b1_token, json!({})).await;
        assert_problem(&other, StatusCode::NOT_FOUND, "not_found");
        app.fragile_broken.store(false, Ordering::SeqCst);
        let (status, body) = app
            .post(
                &format!("/api/v1/workflows/executions/{id}/steps/second/retry"),
                t,
                json!({ "reason": "portal back" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "running");
        let st = app.wait_terminal(&id, t).await;
        assert_eq!(st["status"], "completed", "{st}");
        assert_eq!(step(&st, "second")["attempts"], 2);
        assert_eq!(st["progress_percentage"], json!(100.0));

        // Analytics shows both the failure reason and the recovery.
        let (status, a) = app.get("/api/v1/workflows/analytics?period=all", t).await;
        assert_eq!(status, StatusCode::OK, "{a}");
        let pkg = a["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["package_name"] == "fragile_api")
            .expect("entry")
            .clone();
        assert_eq!(pkg["runs"], 1);
        assert_eq!(pkg["completed"], 1);
        assert_problem(
            &app.get("/api/v1/workflows/analytics?period=1y", t).await,
            StatusCode::BAD_REQUEST,
            "invalid_query",
        );
    }

    /// SSE while a worker runs the package, replay with Last-Event-ID, then analytics and metrics.
    pub async fn stream_run_and_analytics(app: &App) {
        app.start_worker();
        let t = &app.a1_token;
        let id = app.execute(t, json!({ "work_ms": 20 })).await;
        let (headers, events) = read_stream(app, &id, t, None).await;
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/event-stream"), "{headers:?}");
        assert!(headers.contains_key("x-request-id"));

        let (status, stored) = app.get(&format!("/api/v1/workflows/executions/{id}/events"), t).await;
        assert_eq!(status, StatusCode::OK);
        let stored = stored["events"].as_array().unwrap().clone();
        let stored_pairs: Vec<(i64, String)> =
            stored.iter().map(|e| (e["id"].as_i64().unwrap(), e["kind"].as_str().unwrap().to_string())).collect();
        let with_id: Vec<&SseEvent> = events.iter().filter(|e| e.id.is_some()).collect();
        let streamed: Vec<(i64, String)> = with_id.iter().map(|e| (e.id.unwrap(), e.event.clone())).collect();
        assert_eq!(streamed, stored_pairs, "the stream carries exactly the stored history");
        // Every step's success, by step.
        let succeeded: Vec<&str> = with_id
            .iter()
            .filter(|e| e.event == "step_succeeded")
            .map(|e| e.data["step_id"].as_str().unwrap())
            .collect();
        for step in ["prepare", "branch_a", "branch_b", "optional", "settle", "report"] {
            assert_eq!(succeeded.iter().filter(|s| **s == step).count(), 1, "{step} in {succeeded:?}");
        }
        let ids: Vec<i64> = with_id.iter().map(|e| e.id.unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids strictly increase: {ids:?}");
        assert_eq!(with_id.last().unwrap().event, "execution_completed");
        for e in &with_id {
            assert_eq!(e.data["id"], json!(e.id.unwrap()), "data matches the event id");
        }
        let progress: Vec<&SseEvent> = events.iter().filter(|e| e.event == "progress").collect();
        assert!(!progress.is_empty());
        assert!(progress.iter().all(|p| p.id.is_none()), "progress events carry no id");
        let last = events.last().unwrap();
        assert_eq!(last.event, "progress", "{events:?}");
        assert_eq!(last.data["progress_percentage"], json!(100.0), "{:?}", last.data);
        assert_eq!(last.data["status"], "completed");
        let pct: Vec<f64> = progress.iter().map(|p| p.data["progress_percentage"].as_f64().unwrap()).collect();
        assert!(pct.windows(2).all(|w| w[0] <= w[1]), "progress never goes back: {pct:?}");

        // Reconnecting with Last-Event-ID replays only what followed.
        let early = stored_pairs[1].0;
        let (_, replay) = read_stream(app, &id, t, Some(early)).await;
        let replayed: Vec<(i64, String)> =
            replay.iter().filter(|e| e.id.is_some()).map(|e| (e.id.unwrap(), e.event.clone())).collect();
        assert_eq!(replayed, stored_pairs[2..].to_vec());
        let (_, none_left) = read_stream(app, &id, t, Some(stored_pairs.last().unwrap().0)).await;
        assert!(none_left.is_empty(), "{none_left:?}");
        let (status, _, body) = app
            .raw(
                "GET",
                &format!("/api/v1/workflows/executions/{id}/stream"),
                t,
                &[("last-event-id", "abc")],
                Vec::new(),
            )
            .await;
        assert_problem(&(status, body), StatusCode::BAD_REQUEST, "invalid_last_event_id");

        // The status and the execution detail after completion.
        let st = app.wait_terminal(&id, t).await;
        assert_eq!(st["status"], "completed");
        assert_eq!(st["progress_percentage"], json!(100.0));
        assert_eq!(st["current_step"], Value::Null);
        assert_eq!(st["estimated_time_remaining"], json!(0.0));
        let (_, detail) = app.get(&format!("/api/v1/workflows/executions/{id}"), t).await;
        assert_eq!(detail["deliverables"][0]["status"], "succeeded");

        // Analytics, scoped to the caller.
        let (status, a) = app.get("/api/v1/workflows/analytics", t).await;
        assert_eq!(status, StatusCode::OK, "{a}");
        assert_eq!(a["period"], "30d");
        let pkg = a["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["package_name"] == "engine_selftest")
            .unwrap_or_else(|| panic!("entry: {a}"))
            .clone();
        assert_eq!(pkg["runs"], 1);
        assert_eq!(pkg["completed"], 1);
        assert_eq!(pkg["success_rate"], json!(1.0));
        assert!(pkg["mean_duration_seconds"].as_f64().unwrap() >= 1.0, "the durable delay is 1 s: {pkg}");
        assert_eq!(pkg["steps"].as_array().unwrap().len(), 6);
        let (_, other) = app.get("/api/v1/workflows/analytics", &app.b1_token).await;
        assert_eq!(other["packages"], json!([]), "another agent's runs are not theirs");

        // Metrics count the completed execution and the HTTP requests.
        let (status, headers, metrics) = app.raw("GET", "/metrics", "", &[], Vec::new()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/plain"), "{headers:?}");
        let metrics = metrics.as_str().expect("text").to_string();
        assert!(metrics.contains("aura_executions{state=\"completed\"} 1\n"), "{metrics}");
        assert!(metrics.contains("aura_http_requests_total{route=\"/api/v1/workflows/packages/execute\",method=\"POST\",status=\"202\"} 1\n"), "{metrics}");

        let (status, health) = app.get("/api/v1/analytics/health/system", &app.admin_token).await;
        assert_eq!(status, StatusCode::OK, "{health}");
        assert!(health["workers_alive"].as_u64().unwrap() >= 1, "{health}");
        assert_eq!(health["executions"]["completed"], 1, "{health}");
    }

    pub async fn users_teams_and_audit(app: &App) {
        let admin = &app.admin_token;
        let body = json!({ "email": "New.Agent@aura.test", "name": "New Agent", "password": "new-agent-password", "role": "agent", "team_id": app.team_b.id });
        let (status, created) = app.post("/api/v1/users", admin, body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["email"], "new.agent@aura.test");
        assert_eq!(created["team_id"], json!(app.team_b.id));
        assert!(created.get("password_hash").is_none());
        let id = created["id"].as_str().unwrap().to_string();
        let mut dup = body.clone();
        dup["email"] = json!("NEW.AGENT@aura.test");
        assert_problem(&app.post("/api/v1/users", admin, dup).await, StatusCode::CONFLICT, "conflict");
        let mut short = body.clone();
        short["email"] = json!("other@aura.test");
        short["password"] = json!("short");
        let r = app.post("/api/v1/users", admin, short).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
        assert_eq!(r.1["errors"][0]["field"], "password");
        let mut bad_role = body.clone();
        bad_role["email"] = json!("other@aura.test");
        bad_role["role"] = json!("superuser");
        assert_problem(
            &app.post("/api/v1/users", admin, bad_role).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        );
        let mut bad_team = body.clone();
        bad_team["email"] = json!("other@aura.test");
        bad_team["team_id"] = json!(Uuid::now_v7());
        assert_problem(
            &app.post("/api/v1/users", admin, bad_team).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        );
        app.login("new.agent@aura.test", "new-agent-password").await;

        let (status, got) = app.get(&format!("/api/v1/users/{id}"), admin).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(got["role"], "agent");
        assert_problem(
            &app.get(&format!("/api/v1/users/{}", Uuid::now_v7()), admin).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_problem(
            &app.get("/api/v1/users/not-a-uuid", admin).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        );
        let (_, list) = app.get("/api/v1/users", admin).await;
        assert_eq!(list["total"], 5);
        let (_, team_b) = app.get(&format!("/api/v1/users?team_id={}", app.team_b.id), admin).await;
        let emails: Vec<&str> =
            team_b["users"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
        assert_eq!(emails, [B1_EMAIL, "new.agent@aura.test"]);

        let (status, patched) =
            app.patch(&format!("/api/v1/users/{id}"), admin, json!({ "role": "team_leader", "team_id": null })).await;
        assert_eq!(status, StatusCode::OK, "{patched}");
        assert_eq!(patched["role"], "team_leader");
        assert_eq!(patched["team_id"], Value::Null);
        assert_problem(
            &app.patch(&format!("/api/v1/users/{}", app.admin.id), admin, json!({ "role": "agent" })).await,
            StatusCode::CONFLICT,
            "self_lockout",
        );
        assert_problem(
            &app.delete(&format!("/api/v1/users/{}", app.admin.id), admin).await,
            StatusCode::CONFLICT,
            "self_lockout",
        );
        assert_problem(
            &app.patch(&format!("/api/v1/users/{id}"), admin, json!({ "email": "x@y.z" })).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        );
        assert_problem(
            &app.patch(&format!("/api/v1/users/{}", Uuid::now_v7()), admin, json!({ "name": "Ghost" })).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        let (status, gone) = app.delete(&format!("/api/v1/users/{id}"), admin).await;
        assert_eq!(status, StatusCode::OK, "{gone}");
        assert_eq!(gone["active"], false);
        assert_problem(
            &app.login_response("new.agent@aura.test", "new-agent-password").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );

        // Teams.
        let (status, team) = app.post("/api/v1/teams", admin, json!({ "name": "Team C" })).await;
        assert_eq!(status, StatusCode::CREATED, "{team}");
        assert_problem(
            &app.post("/api/v1/teams", admin, json!({ "name": "Team C" })).await,
            StatusCode::CONFLICT,
            "conflict",
        );
        let (_, teams) = app.get("/api/v1/teams", admin).await;
        assert_eq!(teams["teams"].as_array().unwrap().len(), 3);

        // The audit log, newest first, records logins (with failures) and package uploads.
        app.login_response(A1_EMAIL, "wrong-password").await;
        let source = selftest_source().replace("Engine self-test\"", "Engine self-test (audited)\"");
        let (status, _) = app.toml("PUT", "/api/v1/workflows/packages/engine_selftest", admin, &source).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, audit) = app.get("/api/v1/audit", admin).await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        let entries = audit["entries"].as_array().unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions[0], "package.upload", "{actions:?}");
        assert_eq!(entries[0]["target"], "engine_selftest@2");
        assert_eq!(entries[0]["actor_id"], json!(app.admin.id));
        for a in ["auth.login", "auth.login_failed", "user.create", "user.update", "user.deactivate", "team.create"] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }
        let logins = entries.iter().filter(|e| e["action"] == "auth.login" && e["target"] == A1_EMAIL).count();
        assert!(logins >= 1, "{actions:?}");
        let ids: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
        let (_, page) = app.get(&format!("/api/v1/audit?limit=2&before={}", ids[0]), admin).await;
        let page_ids: Vec<i64> =
            page["entries"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert_eq!(page_ids, ids[1..3].to_vec());
        assert_eq!(page["next_before"], json!(ids[2]));
    }

    pub async fn operations_endpoints(app: &App) {
        let (status, body) = app.get("/health", "").await;
        assert_eq!((status, body), (StatusCode::OK, json!({ "status": "ok" })));
        let (status, body) = app.get("/ready", "").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "ready");

        let (status, h) = app.get("/api/v1/analytics/health/system", &app.admin_token).await;
        assert_eq!(status, StatusCode::OK, "{h}");
        assert_eq!(h["workers_alive"], 0, "no worker runs");
        assert_eq!(h["queue_depth"], 0);
        assert!(h["database"]["latency_ms"].as_f64().is_some_and(|l| l >= 0.0), "{h}");
        assert_eq!(h["database"]["reachable"], true);
        assert_eq!(h["status"], "healthy");
        assert_problem(
            &app.get("/api/v1/analytics/health/system", &app.a1_token).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        // Work queued with no worker alive degrades the system.
        app.execute(&app.a1_token, json!({})).await;
        let (_, h) = app.get("/api/v1/analytics/health/system", &app.admin_token).await;
        assert_eq!(h["queue_depth"], 1, "{h}");
        assert_eq!(h["status"], "degraded");
        assert_eq!(h["executions"]["pending"], 1);

        let (status, _, metrics) = app.raw("GET", "/metrics", "", &[], Vec::new()).await;
        assert_eq!(status, StatusCode::OK);
        let metrics = metrics.as_str().unwrap();
        assert!(metrics.contains("aura_executions{state=\"completed\"} 0\n"), "{metrics}");
        assert!(metrics.contains("aura_executions{state=\"pending\"} 1\n"), "{metrics}");
        assert!(metrics.contains("aura_ready_queue_depth 1\n"), "{metrics}");
        assert!(metrics.contains("# TYPE aura_http_requests_total counter"), "{metrics}");
        assert!(
            metrics.contains(
                "aura_http_requests_total{route=\"/api/v1/analytics/health/system\",method=\"GET\",status=\"403\"} 1\n"
            ),
            "{metrics}"
        );
    }
}

api_test!(seed_login_execute_status);
api_test!(login_failures_and_deactivation);
api_test!(me_refresh_rotation_and_logout);
api_test!(login_rate_limit_per_account);
api_test!(rbac_by_role);
api_test!(row_scoping);
api_test!(package_catalog_and_upload);
api_test!(execute_validation_and_idempotency);
api_test!(execution_controls);
api_test!(failed_step_retry);
api_test!(stream_run_and_analytics);
api_test!(users_teams_and_audit);
api_test!(operations_endpoints);

/// Pure-HTTP concerns: SQLite only.
pub mod http {
    use super::*;

    pub async fn token_tampering(app: &App) {
        let me = "/auth/me";
        let check = |r: (StatusCode, Value), what: &str| {
            assert_eq!(r.0, StatusCode::UNAUTHORIZED, "{what}: {}", r.1);
            assert_eq!(r.1["code"], "unauthorized", "{what}: {}", r.1);
        };
        let (status, headers, body) = app.raw("GET", me, "", &[], Vec::new()).await;
        check((status, body), "no token");
        assert_eq!(headers["www-authenticate"], "Bearer");
        for header in ["Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer ", "Token abc", &app.a1_token] {
            let (status, _, body) = app.raw("GET", me, "", &[("authorization", header)], Vec::new()).await;
            check((status, body), &format!("Authorization: {header:.20}"));
        }
        check(app.get(me, "garbage").await, "garbage");
        check(app.get(me, "a.b.c").await, "three garbage segments");

        let now = chrono::Utc::now();
        let tokens = |secret: &[u8], iss: &str, aud: &str| {
            api::auth::token::Tokens::new(secret, iss, aud, ACCESS_TTL, REFRESH_TTL)
        };
        check(app.get(me, &tokens(OTHER_SECRET, "aura", "aura-api").issue(&app.admin, now)).await, "another secret");
        check(app.get(me, &tokens(SECRET, "elsewhere", "aura-api").issue(&app.admin, now)).await, "wrong issuer");
        check(app.get(me, &tokens(SECRET, "aura", "other-api").issue(&app.admin, now)).await, "wrong audience");
        check(app.get(me, &app.state.tokens.issue(&app.admin, now - chrono::Duration::hours(2))).await, "expired");
        let mut ghost = app.admin.clone();
        ghost.id = Uuid::new_v4();
        check(app.get(me, &app.state.tokens.issue(&ghost, now)).await, "unknown subject");
        // The control: the same construction with the right parameters is accepted.
        assert_eq!(app.get(me, &tokens(SECRET, "aura", "aura-api").issue(&app.admin, now)).await.0, StatusCode::OK);

        // `alg: none` with otherwise perfect claims.
        let claims = json!({
            "sub": app.admin.id.to_string(), "email": ADMIN_EMAIL, "role": "admin", "team": null,
            "iss": "aura", "aud": "aura-api", "iat": now.timestamp(), "exp": now.timestamp() + 600, "jti": Uuid::new_v4().to_string(),
        });
        let payload = b64url(claims.to_string().as_bytes());
        for alg in ["none", "None", "NONE"] {
            let header = b64url(json!({ "alg": alg, "typ": "JWT" }).to_string().as_bytes());
            check(app.get(me, &format!("{header}.{payload}.")).await, &format!("alg {alg}"));
        }
        // A valid signature over other claims: an agent's token re-labelled as the admin.
        let agent = app.a1_token.split('.').collect::<Vec<_>>();
        let forged = format!("{}.{payload}.{}", agent[0], agent[2]);
        check(app.get(me, &forged).await, "swapped payload");
        // HS512 with the right secret is still refused: the algorithm is pinned.
        let header = b64url(json!({ "alg": "HS512", "typ": "JWT" }).to_string().as_bytes());
        check(app.get(me, &format!("{header}.{payload}.{}", agent[2])).await, "algorithm switch");
        // The admin route is refused to every bad token, not only /auth/me.
        check(
            app.get("/api/v1/users", &format!("{}.{payload}.", b64url(br#"{"alg":"none"}"#))).await,
            "alg none on an admin route",
        );
    }

    /// The route table and the router agree: every declared route exists, non-public ones refuse
    /// anonymous callers, and each role gets exactly the routes its permissions allow.
    pub async fn route_table_matches_router(app: &App) {
        let fill = |path: &str| {
            path.split('/')
                .map(|seg| {
                    if seg.starts_with('{') {
                        if seg == "{name}" || seg == "{step_id}" {
                            "x".to_string()
                        } else {
                            Uuid::new_v4().to_string()
                        }
                    } else {
                        seg.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("/")
        };
        let roles = [
            (api::auth::Role::Agent, app.a1_token.clone()),
            (api::auth::Role::TeamLeader, app.leader_token.clone()),
            (api::auth::Role::Admin, app.admin_token.clone()),
        ];
        for spec in api::spec::ROUTES {
            let path = fill(spec.path);
            let what = format!("{} {}", spec.method, spec.path);
            let anon = app.raw(spec.method, &path, "", &[], Vec::new()).await;
            assert_ne!(anon.0, StatusCode::METHOD_NOT_ALLOWED, "{what}: not routed");
            assert_ne!(anon.2["detail"], "route not found", "{what}: not routed");
            match spec.access {
                api::spec::Access::Public => {
                    assert_ne!(anon.0, StatusCode::UNAUTHORIZED, "{what} is public: {}", anon.2);
                    assert_ne!(anon.0, StatusCode::FORBIDDEN, "{what} is public: {}", anon.2);
                }
                access => {
                    assert_eq!(anon.0, StatusCode::UNAUTHORIZED, "{what} without a token: {}", anon.2);
                    assert_eq!(anon.2["code"], "unauthorized", "{what}");
                    for (role, token) in &roles {
                        // Deactivating users or packages would spoil the following checks.
                        if spec.method == "DELETE" || path.ends_with("/logout") {
                            continue;
                        }
                        let (status, _, body) = app.raw(spec.method, &path, token, &[], Vec::new()).await;
                        let allowed = match access {
                            api::spec::Access::Permission(p) => role.has(p),
                            _ => true,
                        };
                        if allowed {
                            assert!(
                                status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                                "{what} as {role:?}: {status} {body}"
                            );
                            assert!(!status.is_server_error(), "{what} as {role:?}: {status} {body}");
                        } else {
                            assert_eq!(
                                (status, body["code"].as_str()),
                                (StatusCode::FORBIDDEN, Some("forbidden")),
                                "{what} as {role:?}: {body}"
                            );
                        }
                    }
                }
            }
        }
        // A path outside the table is a problem+json 404, not a 401.
        let (status, headers, body) = app.raw("GET", "/api/v1/nowhere", "", &[], Vec::new()).await;
        assert_problem(&(status, body), StatusCode::NOT_FOUND, "not_found");
        assert_eq!(headers["content-type"], "application/problem+json");
    }

    pub async fn plumbing(app: &App) {
        // Request ids: made up when absent, echoed when given, on successes and on errors.
        let (_, h1, _) = app.raw("GET", "/health", "", &[], Vec::new()).await;
        let (_, h2, _) = app.raw("GET", "/health", "", &[], Vec::new()).await;
        let id1 = h1["x-request-id"].to_str().unwrap();
        assert!(!id1.is_empty());
        assert_ne!(id1, h2["x-request-id"].to_str().unwrap());
        for (method, path, token) in [
            ("GET", "/health", ""),
            ("GET", "/auth/me", ""),
            ("GET", "/api/v1/users", app.a1_token.as_str()),
            ("POST", "/auth/login", ""),
            ("GET", "/nowhere", ""),
        ] {
            let (status, headers, body) =
                app.raw(method, path, token, &[("x-request-id", "trace-abc-123")], Vec::new()).await;
            assert_eq!(headers["x-request-id"], "trace-abc-123", "{method} {path}");
            if status.is_client_error() {
                assert_eq!(headers["content-type"], "application/problem+json", "{method} {path}");
                assert!(body["type"].as_str().unwrap().ends_with(body["code"].as_str().unwrap()), "{body}");
                assert_eq!(body["status"], status.as_u16());
                assert!(body["title"].is_string() && body["detail"].is_string(), "{body}");
            }
        }
        // An unusable request id is replaced.
        let (_, headers, _) = app.raw("GET", "/health", "", &[("x-request-id", "has spaces")], Vec::new()).await;
        assert_ne!(headers["x-request-id"], "has spaces");
        // Oversized bodies are refused before parsing.
        let big = vec![b' '; api::BODY_BYTES_MAX + 10];
        let (status, _, body) = app
            .raw(
                "PUT",
                "/api/v1/workflows/packages/engine_selftest",
                &app.admin_token,
                &[("content-type", "application/toml")],
                big,
            )
            .await;
        assert_problem(&(status, body), StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
        // A method the route lacks: 405 with Allow, as a problem.
        let (status, headers, body) = app.raw("PATCH", "/health", "", &[], Vec::new()).await;
        assert_problem(&(status, body), StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert!(headers["allow"].to_str().unwrap().contains("GET"), "{headers:?}");
        let (status, headers, body) = app.raw("POST", "/api/v1/users/x", &app.admin_token, &[], Vec::new()).await;
        assert_problem(&(status, body), StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert_eq!(headers["allow"], "GET, PATCH, DELETE");
        // HEAD is GET without a body, under GET's access rule.
        let head = app.call(Request::builder().method("HEAD").uri("/health").body(Body::empty()).unwrap()).await;
        assert_eq!(head.status(), StatusCode::OK);
        let head = app.call(Request::builder().method("HEAD").uri("/api/v1/users").body(Body::empty()).unwrap()).await;
        assert_eq!(head.status(), StatusCode::UNAUTHORIZED);

        // The OpenAPI document describes every route of the table.
        let (status, doc) = app.get("/openapi.json", "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(doc["openapi"], "3.1.0");
        for spec in api::spec::ROUTES {
            let op = &doc["paths"][spec.path][spec.method.to_lowercase()];
            assert!(op.is_object(), "{} {} missing from /openapi.json", spec.method, spec.path);
            if let api::spec::Access::Permission(p) = spec.access {
                assert_eq!(op["x-permission"], p);
            }
        }
        let declared: usize =
            doc["paths"].as_object().unwrap().values().map(|ops| ops.as_object().unwrap().len()).sum();
        assert_eq!(declared, api::spec::ROUTES.len());

        let (status, headers, html) = app.raw("GET", "/docs", "", &[], Vec::new()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"), "{headers:?}");
        let html = html.as_str().unwrap();
        assert!(html.starts_with("<!doctype html>") && html.contains("/openapi.json"));

        let (status, headers, metrics) = app.raw("GET", "/metrics", "", &[], Vec::new()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
        let metrics = metrics.as_str().unwrap();
        assert!(metrics.contains("aura_executions{state=\"completed\"}"), "{metrics}");
        assert!(
            metrics.contains("aura_http_requests_total{route=\"/health\",method=\"GET\",status=\"200\"}"),
            "{metrics}"
        );
    }
}

macro_rules! http_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::support::TestDb::new($crate::support::Backend::Sqlite).await;
                let app = super::App::new(&db).await;
                super::http::$name(&app).await;
                app.shutdown().await;
                db.cleanup().await;
            }
        }
    };
}

http_test!(token_tampering);
http_test!(route_table_matches_router);
http_test!(plumbing);
