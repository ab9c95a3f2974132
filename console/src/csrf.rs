//! Cross-site request forgery: besides the SameSite=Strict cookie, every state-changing request
//! must carry an Origin (or, failing that, a Referer) naming this very host.

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::PageError;

pub(crate) async fn same_origin_posts(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) || same_origin(req.headers()) {
        next.run(req).await
    } else {
        PageError::CrossSite.into_response()
    }
}

/// The authority (`host[:port]`) of an absolute URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let text = |name| headers.get(name).and_then(|v: &axum::http::HeaderValue| v.to_str().ok());
    // A present Origin decides alone ("null" included); browsers send it on every POST.
    let source = match text(header::ORIGIN) {
        Some(origin) => authority(origin),
        None => text(header::REFERER).and_then(authority),
    };
    source.is_some_and(|a| a.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (k.clone(), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn origin_or_referer_must_name_the_host() {
        let host = (header::HOST, "127.0.0.1:8080");
        assert!(same_origin(&headers(&[host.clone(), (header::ORIGIN, "http://127.0.0.1:8080")])));
        assert!(same_origin(&headers(&[host.clone(), (header::REFERER, "http://127.0.0.1:8080/console/runs?x=1")])));
        assert!(!same_origin(&headers(&[host.clone(), (header::ORIGIN, "https://evil.example")])));
        assert!(!same_origin(&headers(&[host.clone(), (header::ORIGIN, "null")])));
        assert!(!same_origin(&headers(&[
            host.clone(),
            (header::ORIGIN, "https://evil.example"),
            (header::REFERER, "http://127.0.0.1:8080/")
        ])));
        assert!(!same_origin(&headers(&[host])), "neither header");
        assert!(!same_origin(&headers(&[(header::ORIGIN, "http://127.0.0.1:8080")])), "no Host");
    }
}
