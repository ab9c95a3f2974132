//! The console's static files, compiled into the binary: the vendored htmx (2.0.11) and its SSE
//! extension (2.2.4), both from the npm registry under the 0BSD licence (`assets/LICENSE.*`), and
//! the stylesheet.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &str)] = &[
    ("htmx.min.js", "text/javascript; charset=utf-8", include_str!("../assets/htmx.min.js")),
    ("htmx-ext-sse.min.js", "text/javascript; charset=utf-8", include_str!("../assets/htmx-ext-sse.min.js")),
    ("console.css", "text/css; charset=utf-8", include_str!("../assets/console.css")),
];

pub(crate) async fn file(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, text)) => {
            ([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=3600")], *text)
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
