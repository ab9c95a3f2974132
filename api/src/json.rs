//! JSON request bodies parsed into problem+json errors instead of axum's plain-text rejections.

use axum::body::Bytes;
use serde::de::DeserializeOwned;

use crate::ApiError;

pub(crate) fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    if body.is_empty() {
        return Err(ApiError::bad_request("invalid_json", "request body is empty; expected a JSON object"));
    }
    serde_json::from_slice(body).map_err(|e| {
        let code = if e.is_data() { "invalid_body" } else { "invalid_json" };
        ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, code, format!("request body: {e}"))
    })
}
