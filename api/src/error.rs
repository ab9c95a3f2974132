//! Every error the API returns: RFC 9457 `application/problem+json` with a stable `code`.
//!
//! Library errors are mapped here, once. Internal details (SQL, stack traces) never reach a
//! client: a 5xx says "internal error" and the cause is logged.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable, machine-readable: clients switch on this, never on `detail`.
    pub code: &'static str,
    pub detail: String,
    /// Extra members, e.g. `errors` with per-field or per-line findings.
    pub extra: Option<(&'static str, Value)>,
    /// Seconds a client should wait before retrying (`Retry-After`, on 429 and 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError { status, code, detail: detail.into(), extra: None, retry_after: None }
    }
    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("{} not found", what.into()))
    }
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, detail)
    }
    pub fn retry_after(mut self, wait: std::time::Duration) -> ApiError {
        // Whole seconds, rounded up: a client that waits what it is told is not refused again.
        self.retry_after = Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        self
    }
    pub fn with(mut self, key: &'static str, value: Value) -> ApiError {
        self.extra = Some((key, value));
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let mut body = json!({
            "type": format!("https://aura.dev/problems/{}", self.code),
            "title": title,
            "status": self.status.as_u16(),
            "code": self.code,
            "detail": self.detail,
        });
        if let Some((key, value)) = self.extra {
            body[key] = value;
        }
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(secs.max(1)));
        }
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/problem+json"));
        response
    }
}

impl From<runtime::Error> for ApiError {
    fn from(e: runtime::Error) -> ApiError {
        use runtime::Error as E;
        match e {
            E::PackageNotFound(name) => ApiError::not_found(format!("package `{name}`")),
            E::ExecutionNotFound(id) => ApiError::not_found(format!("execution {id}")),
            E::InvalidPackage(d) => {
                let errors: Vec<Value> =
                    d.0.iter()
                        .map(|d| json!({ "line": d.line, "column": d.column, "code": d.code, "message": d.message }))
                        .collect();
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_package", d.to_string())
                    .with("errors", Value::Array(errors))
            }
            E::InvalidParameters(errors) => {
                let list: Vec<Value> =
                    errors.iter().map(|e| json!({ "field": e.field, "message": e.message })).collect();
                let detail = errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ");
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_parameters", detail)
                    .with("errors", Value::Array(list))
            }
            E::Store(e) => e.into(),
        }
    }
}

impl From<store::Error> for ApiError {
    fn from(e: store::Error) -> ApiError {
        match e {
            store::Error::NotFound(what) => ApiError::not_found(what),
            store::Error::Conflict(what) => ApiError::new(StatusCode::CONFLICT, "conflict", what),
            store::Error::IllegalTransition(t) => {
                ApiError::new(StatusCode::CONFLICT, "illegal_transition", t.to_string())
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
        }
    }
}

impl From<realestate::access::Denied> for ApiError {
    fn from(e: realestate::access::Denied) -> ApiError {
        match e {
            realestate::access::Denied::NotFound { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
            }
            realestate::access::Denied::Store(e) => e.into(),
        }
    }
}

impl From<realestate::brokerage::SettingsError> for ApiError {
    fn from(e: realestate::brokerage::SettingsError) -> ApiError {
        use realestate::brokerage::SettingsError as E;
        match e {
            E::Missing => ApiError::new(StatusCode::CONFLICT, "compliance_not_configured", e.to_string()),
            E::Store(e) => e.into(),
            E::Corrupt(m) => {
                tracing::error!(error = %m, "brokerage settings unreadable");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
        }
    }
}
