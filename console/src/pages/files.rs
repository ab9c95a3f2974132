//! Downloads of deliverables (assets, CMA PDFs) and listing photos through the console, so the
//! cookie's session works for a plain link or an `<img>`; the API checks who may read the file.

use axum::extract::{Path, State};
use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};

use crate::api_client::Outgoing;
use crate::error::{PageError, Problem};
use crate::session::Token;
use crate::Api;

/// The API files the console hands out: marketing assets, CMA report PDFs and property photos.
/// The console is no general proxy.
pub(crate) fn allowed(path: &str) -> bool {
    let safe = !path.contains("..") && !path.contains('?') && !path.contains('#');
    let asset = path.strip_prefix("api/v1/marketing/assets/").is_some_and(|id| !id.is_empty() && !id.contains('/'));
    let cma = path
        .strip_prefix("api/v1/cma/reports/")
        .and_then(|rest| rest.strip_suffix("/pdf"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'));
    let photo = path.strip_prefix("api/v1/properties/").is_some_and(|rest| {
        let parts: Vec<&str> = rest.split('/').collect();
        matches!(parts.as_slice(), [id, "photos", photo] if !id.is_empty() && !photo.is_empty())
    });
    safe && (asset || cma || photo)
}

pub(crate) async fn download(
    State(api): State<Api>,
    token: Token,
    Path(path): Path<String>,
) -> Result<Response, PageError> {
    if !allowed(&path) {
        return Err(PageError::Api(Problem::from_reply(
            axum::http::StatusCode::NOT_FOUND,
            &serde_json::json!({ "code": "not_found", "detail": "no such file" }),
        )));
    }
    let response = api.send(&token.caller, Method::GET, &format!("/{path}"), Outgoing::Empty, &[]).await;
    pass_through(response).await
}

/// An API file reply handed to the browser as a download (its type, length, name and tag kept),
/// or the API's refusal as a console error.
pub(crate) async fn pass_through(response: Response) -> Result<Response, PageError> {
    if response.status().is_success() {
        let (parts, body) = response.into_parts();
        let mut out = Response::new(body);
        *out.status_mut() = parts.status;
        for name in [header::CONTENT_TYPE, header::CONTENT_LENGTH, header::CONTENT_DISPOSITION, header::ETAG] {
            if let Some(v) = parts.headers.get(&name) {
                out.headers_mut().insert(name, v.clone());
            }
        }
        // A file is never a page of the console: no sniffing, no scripts even if it were HTML.
        out.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
        out.headers_mut().insert(header::CONTENT_SECURITY_POLICY, header::HeaderValue::from_static("sandbox"));
        return Ok(out.into_response());
    }
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap_or_default();
    crate::api_client::Reply { status, body: bytes }.into_result()?;
    Err(PageError::BadReply(status))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_assets_cma_pdfs_and_photos_are_offered() {
        assert!(super::allowed("api/v1/marketing/assets/0198-ab"));
        assert!(super::allowed("api/v1/cma/reports/0198-ab/pdf"));
        assert!(super::allowed("api/v1/properties/0198-ab/photos/0198-cd"));
        for path in [
            "api/v1/users",
            "api/v1/marketing/assets/",
            "api/v1/marketing/assets/a/b",
            "api/v1/cma/reports/x/export",
            "api/v1/marketing/assets/../../users",
            "api/v1/cma/reports/a/../../pdf",
            "api/v1/properties/0198-ab",
            "api/v1/properties/0198-ab/photos",
            "api/v1/properties/0198-ab/photos/x/y",
            "api/v1/properties//photos/x",
        ] {
            assert!(!super::allowed(path), "{path}");
        }
    }
}
