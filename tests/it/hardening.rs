//! Server hardening: sessions that end at once, lockouts a stranger cannot cause, `Retry-After`,
//! large document uploads, and a real socket server that drops silent and idle connections.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::api::{App, A1_EMAIL, A1_PW};
use crate::support::{Backend, TestDb};

async fn login_from(app: &App, ip: &str, email: &str, password: &str) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut req = Request::builder()
        .method("POST")
        .uri("/auth/login")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "email": email, "password": password }).to_string()))
        .unwrap();
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    let res = app.call(req).await;
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
    (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

pub mod cases {
    use super::*;

    /// Logout ends the session's access token at once; so does a reused refresh token.
    pub async fn logout_and_revocation_end_access_tokens(app: &App) {
        let (status, _, first) = login_from(app, "10.0.0.1", A1_EMAIL, A1_PW).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        let access = first["access_token"].as_str().unwrap().to_string();
        assert_eq!(app.get("/auth/me", &access).await.0, StatusCode::OK);
        let (status, _) = app.post("/auth/logout", &access, json!({ "refresh_token": first["refresh_token"] })).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = app.get("/auth/me", &access).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the logged-out session's access token: {body}");

        // Another session: its refresh token is used twice (stolen), which ends the session.
        let (_, _, second) = login_from(app, "10.0.0.1", A1_EMAIL, A1_PW).await;
        let access = second["access_token"].as_str().unwrap().to_string();
        let refresh = json!({ "refresh_token": second["refresh_token"] });
        let (status, rotated) = app.post("/auth/refresh", "", refresh.clone()).await;
        assert_eq!(status, StatusCode::OK, "{rotated}");
        let rotated_access = rotated["access_token"].as_str().unwrap().to_string();
        assert_eq!(app.get("/auth/me", &rotated_access).await.0, StatusCode::OK);
        let (status, _) = app.post("/auth/refresh", "", refresh).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        for token in [&access, &rotated_access] {
            assert_eq!(app.get("/auth/me", token).await.0, StatusCode::UNAUTHORIZED);
        }
        // A session of its own is unaffected by the others ending.
        let (_, _, third) = login_from(app, "10.0.0.1", A1_EMAIL, A1_PW).await;
        assert_eq!(app.get("/auth/me", third["access_token"].as_str().unwrap()).await.0, StatusCode::OK);
    }

    /// A stranger's wrong passwords from one address lock that address out of the account, with
    /// `Retry-After`; the user signing in from their own address is not locked out.
    pub async fn a_stranger_cannot_lock_out_the_user(app: &App) {
        for i in 0..5 {
            let (status, _, _) = login_from(app, "203.0.113.9", A1_EMAIL, &format!("guess-{i}")).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        let (status, headers, body) = login_from(app, "203.0.113.9", A1_EMAIL, A1_PW).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts")));
        let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!(retry >= 1, "Retry-After in whole seconds: {retry}");
        let (status, _, body) = login_from(app, "198.51.100.7", A1_EMAIL, A1_PW).await;
        assert_eq!(status, StatusCode::OK, "the user from their own address: {body}");
    }

    /// A 2 MiB KYC document is accepted (the route allows 10 MiB; the API's default is 1 MiB).
    pub async fn large_documents_upload(app: &App) {
        // No onboarding package in this app: a client id that does not exist is enough to show
        // the body limit is the route's (a 404 from the handler, not a 413 from the limit).
        let mut pdf = b"%PDF-1.4\n".to_vec();
        pdf.resize(2 * 1024 * 1024, b' ');
        let path = format!("/api/v1/clients/{}/documents?doc_type=passport", uuid::Uuid::now_v7());
        let (status, _, body) =
            app.raw("POST", &path, &app.a1_token, &[("content-type", "application/pdf")], pdf).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let mut huge = b"%PDF-1.4\n".to_vec();
        huge.resize(11 * 1024 * 1024, b' ');
        let (status, _, body) =
            app.raw("POST", &path, &app.a1_token, &[("content-type", "application/pdf")], huge).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    }
}

macro_rules! app_test {
    ($name:ident) => {
        mod $name {
            use crate::support::{Backend, TestDb};
            async fn run(backend: Backend) {
                let db = TestDb::new(backend).await;
                let app = crate::api::App::new(&db).await;
                super::cases::$name(&app).await;
                app.shutdown().await;
                db.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Backend::Postgres).await;
            }
        }
    };
}

app_test!(logout_and_revocation_end_access_tokens);
app_test!(a_stranger_cannot_lock_out_the_user);
app_test!(large_documents_upload);

/// Reads until the server closes the connection; what was read.
async fn read_to_close(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut out))
        .await
        .expect("the server closes the connection")
        .expect("read");
    out
}

/// The real server: a connection that sends nothing, or goes quiet after a request, is closed;
/// past the connection limit, a client waits until a connection frees up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_idle_connections_are_closed() {
    let db = TestDb::new(Backend::Sqlite).await;
    let app = App::new(&db).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = api::server::ServerLimits {
        header_read_timeout: Duration::from_millis(300),
        max_connections: 2,
        shutdown_grace: Duration::from_secs(1),
    };
    let stop = tokio_util::sync::CancellationToken::new();
    let server = tokio::spawn(api::server::serve(listener, api::router(app.state.clone()), limits, stop.clone()));

    // Sends nothing: closed without an answer.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    read_to_close(&mut silent).await;
    // One request, then quiet on a kept-alive connection: answered, then closed.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    let answer = String::from_utf8_lossy(&read_to_close(&mut idle).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // Two silent connections hold both slots; the third client waits in the accept queue.
    let a = tokio::net::TcpStream::connect(addr).await.unwrap();
    let b = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    third.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await.unwrap();
    // The holders time out, their slots free up, and the third client is answered.
    let answer = String::from_utf8_lossy(&read_to_close(&mut third).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop((a, b));

    stop.cancel();
    server.await.unwrap();
    app.shutdown().await;
    db.cleanup().await;
}
