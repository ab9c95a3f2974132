//! What can go wrong while serving a page, and how each case looks to the user.

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;
use serde_json::Value;

use crate::session;

/// An API error as its problem+json document described it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Problem {
    pub status: u16,
    pub code: String,
    pub title: String,
    pub detail: String,
    /// Per-field or per-line entries (`invalid_parameters`, `invalid_package`, …), as sent.
    pub errors: Value,
}

impl Problem {
    pub fn from_reply(status: StatusCode, body: &Value) -> Problem {
        let text = |k: &str, default: &str| body[k].as_str().unwrap_or(default).to_string();
        Problem {
            status: status.as_u16(),
            code: text("code", "error"),
            title: text("title", status.canonical_reason().unwrap_or("Error")),
            detail: text("detail", "the API gave no detail"),
            errors: body.get("errors").cloned().unwrap_or(Value::Array(Vec::new())),
        }
    }

    pub(crate) fn local(status: StatusCode, code: &str, detail: &str) -> Problem {
        Problem {
            status: status.as_u16(),
            code: code.into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            detail: detail.into(),
            errors: Value::Array(Vec::new()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum PageError {
    /// No session cookie, or the API no longer accepts its token.
    #[error("not signed in")]
    SignedOut,
    /// The API refused the call; shown with its status and detail.
    #[error("{}", .0.detail)]
    Api(Problem),
    /// A POST whose Origin (or Referer) is not this site.
    #[error("cross-site request refused")]
    CrossSite,
    /// The console itself was asked for something it does not do (a form field it cannot read, …).
    #[error("{0}")]
    BadRequest(String),
    #[error("template: {0}")]
    Render(#[from] tera::Error),
    #[error("the API answered {0} with a body that could not be read")]
    BadReply(StatusCode),
}

impl PageError {
    fn problem(&self) -> Problem {
        match self {
            PageError::Api(p) => p.clone(),
            PageError::CrossSite => Problem::local(
                StatusCode::FORBIDDEN,
                "cross_site",
                "this form was not sent from the console's own pages; reload the page and try again",
            ),
            PageError::BadRequest(detail) => Problem::local(StatusCode::BAD_REQUEST, "bad_request", detail),
            PageError::Render(_) | PageError::BadReply(_) | PageError::SignedOut => {
                Problem::local(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the page could not be made")
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let PageError::SignedOut = self {
            let mut r = Redirect::to("/console/login").into_response();
            for cookie in session::cleared() {
                r.headers_mut().append(header::SET_COOKIE, cookie);
            }
            return r;
        }
        if matches!(self, PageError::Render(_) | PageError::BadReply(_)) {
            tracing::error!(error = %self, "console page failed");
        }
        let problem = self.problem();
        let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut ctx = tera::Context::new();
        ctx.insert("problem", &problem);
        let body = crate::views::render("error.html", &ctx)
            .unwrap_or_else(|_| Html(format!("<!doctype html><title>Error</title><p>{}</p>", problem.status)));
        (status, body).into_response()
    }
}
