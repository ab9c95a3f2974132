//! Cross-cutting HTTP concerns: request ids, per-route metrics and timeouts, CORS.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tracing::Instrument;

use crate::{ApiError, AppState};

pub const REQUEST_ID: &str = "x-request-id";

/// Uses the caller's `X-Request-Id` (if sane) or makes one; it is echoed in the response and
/// attached to every log line of the request.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let value = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("invalid"));
    req.headers_mut().insert(REQUEST_ID, value.clone());
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    let mut response = next.run(req).instrument(span).await;
    response.headers_mut().insert(REQUEST_ID, value);
    response
}

/// Request counts by route template, method and status.
#[derive(Default)]
pub struct HttpMetrics {
    counts: Mutex<BTreeMap<(String, String, u16), u64>>,
}

impl HttpMetrics {
    pub fn render(&self, out: &mut String) {
        let name = "aura_http_requests_total";
        let _ = writeln!(out, "# HELP {name} HTTP requests by route, method and status.\n# TYPE {name} counter");
        for ((route, method, status), n) in self.counts.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "{name}{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}");
        }
    }
}

/// Counts every request, applies the request timeout (except to streams), and logs slow or
/// failed requests once.
pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().to_string();
    let started = Instant::now();
    let streaming = route.ends_with("/stream");
    let response = if streaming {
        next.run(req).await
    } else {
        match tokio::time::timeout(state.config.request_timeout, next.run(req)).await {
            Ok(r) => r,
            Err(_) => ApiError::new(StatusCode::REQUEST_TIMEOUT, "timeout", "request took too long").into_response(),
        }
    };
    let response = as_problem(response);
    let status = response.status().as_u16();
    *state
        .http_metrics
        .counts
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry((route.clone(), method.clone(), status))
        .or_default() += 1;
    let ms = started.elapsed().as_millis() as u64;
    if status >= 500 {
        tracing::error!(%route, %method, status, ms, "request failed");
    } else {
        tracing::debug!(%route, %method, status, ms, "request");
    }
    response
}

/// Axum's own rejections (a body over the limit, a method the route lacks, …) are plain text or
/// empty; they leave as problem+json like every other error, keeping their status and headers.
fn as_problem(response: Response) -> Response {
    let status = response.status();
    let is_problem =
        response.headers().get(axum::http::header::CONTENT_TYPE).is_some_and(|v| v == "application/problem+json");
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let detail = status.canonical_reason().unwrap_or("error").to_lowercase();
    let (parts, _) = response.into_parts();
    let mut problem = ApiError::new(status, code, detail).into_response();
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    problem
}

pub fn cors(origins: &[String]) -> CorsLayer {
    if origins.is_empty() {
        return CorsLayer::new();
    }
    let list: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new().allow_origin(AllowOrigin::list(list)).allow_methods(tower_http::cors::Any).allow_headers([
        axum::http::header::AUTHORIZATION,
        axum::http::header::CONTENT_TYPE,
        "idempotency-key".parse().expect("header name"),
    ])
}
