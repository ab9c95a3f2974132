//! The console's only way to data: the API's router, called in-process as a REST client would.

use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;

use crate::error::{PageError, Problem};

/// JSON replies above this are refused (downloads are streamed, never collected).
const REPLY_BYTES_MAX: usize = 16 * 1024 * 1024;

/// The API, as the console sees it.
#[derive(Clone)]
pub struct Api {
    router: Router,
}

/// Whom a call is made for: the signed-in user's access token, and the browser's address (the
/// API's login limiter counts attempts per client address).
#[derive(Clone, Default)]
pub(crate) struct Caller {
    pub token: Option<String>,
    pub peer: Option<ConnectInfo<SocketAddr>>,
}

/// A request body sent to the API.
pub(crate) enum Outgoing {
    Empty,
    Json(Value),
    Toml(String),
    /// A file as the raw body, with its media type (a photo upload).
    File(&'static str, Bytes),
}

/// A reply read to the end.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body on success, the API's problem otherwise (a 401 means the session is over).
    pub fn into_result(self) -> Result<Value, PageError> {
        if self.status.is_success() {
            return Ok(self.json());
        }
        if self.status == StatusCode::UNAUTHORIZED {
            return Err(PageError::SignedOut);
        }
        Err(PageError::Api(Problem::from_reply(self.status, &self.json())))
    }
}

impl Api {
    pub fn new(router: Router) -> Api {
        Api { router }
    }

    /// Sends one request and returns the API's response as it is (streams stay streams).
    pub(crate) async fn send(
        &self,
        caller: &Caller,
        method: Method,
        path: &str,
        body: Outgoing,
        extra: &[(HeaderName, HeaderValue)],
    ) -> Response {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(token) = &caller.token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        for (name, value) in extra {
            req = req.header(name, value);
        }
        let (content_type, body) = match body {
            Outgoing::Empty => (None, Body::empty()),
            Outgoing::Json(v) => (Some("application/json"), Body::from(v.to_string())),
            Outgoing::Toml(s) => (Some("application/toml"), Body::from(s)),
            Outgoing::File(media_type, bytes) => (Some(media_type), Body::from(bytes)),
        };
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let mut req = match req.body(body) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, path, "console built an invalid API request");
                let mut r = Response::new(Body::empty());
                *r.status_mut() = StatusCode::BAD_REQUEST;
                return r;
            }
        };
        if let Some(peer) = caller.peer {
            req.extensions_mut().insert(peer);
        }
        self.router.clone().oneshot(req).await.unwrap_or_else(|never| match never {})
    }

    /// Sends one request and reads the reply.
    pub(crate) async fn fetch(
        &self,
        caller: &Caller,
        method: Method,
        path: &str,
        body: Outgoing,
        extra: &[(HeaderName, HeaderValue)],
    ) -> Result<Reply, PageError> {
        let response = self.send(caller, method, path, body, extra).await;
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, REPLY_BYTES_MAX).await.map_err(|_| PageError::BadReply(parts.status))?;
        Ok(Reply { status: parts.status, body })
    }

    /// A JSON call: the body on success, the API's problem otherwise.
    pub(crate) async fn json(
        &self,
        caller: &Caller,
        method: Method,
        path: &str,
        body: Outgoing,
    ) -> Result<Value, PageError> {
        self.fetch(caller, method, path, body, &[]).await?.into_result()
    }

    pub(crate) async fn get(&self, caller: &Caller, path: &str) -> Result<Value, PageError> {
        self.json(caller, Method::GET, path, Outgoing::Empty).await
    }
}
