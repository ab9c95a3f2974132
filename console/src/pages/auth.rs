//! Sign in and out through the API's own `/auth/login` and `/auth/logout`.

use axum::extract::{Form, State};
use axum::http::{header, request::Parts, Method};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use tera::Context;

use super::field;
use crate::api_client::Outgoing;
use crate::error::{PageError, Problem};
use crate::session::{self, Token, Visitor};
use crate::{views, Api};

pub(crate) async fn form() -> Result<Response, PageError> {
    Ok(views::render("login.html", &Context::new())?.into_response())
}

pub(crate) async fn login(
    State(api): State<Api>,
    Visitor(visitor): Visitor,
    parts: Parts,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let email = field(&form, "email").unwrap_or_default().to_string();
    let password = form.iter().find(|(k, _)| k == "password").map(|(_, v)| v.clone()).unwrap_or_default();
    let reply = api
        .fetch(
            &visitor,
            Method::POST,
            "/auth/login",
            Outgoing::Json(json!({ "email": email, "password": password })),
            &[],
        )
        .await?;
    if !reply.status.is_success() {
        let mut ctx = Context::new();
        ctx.insert("email", &email);
        ctx.insert("problem", &Problem::from_reply(reply.status, &reply.json()));
        return Ok((reply.status, views::render("login.html", &ctx)?).into_response());
    }
    let body = reply.json();
    body["access_token"].as_str().ok_or(PageError::BadReply(reply.status))?;
    let mut response = Redirect::to("/console/runs").into_response();
    for cookie in session::started(&body, session::is_https(&parts)) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Ends this session at the API (its refresh-token family, so the access token dies too), then
/// forgets the cookie; an already expired session is simply forgotten.
pub(crate) async fn logout(State(api): State<Api>, token: Result<Token, PageError>) -> Response {
    if let Ok(Token { caller, refresh }) = token {
        let body = refresh.map_or(Outgoing::Empty, |r| Outgoing::Json(json!({ "refresh_token": r })));
        let _ = api.fetch(&caller, Method::POST, "/auth/logout", body, &[]).await;
    }
    PageError::SignedOut.into_response()
}
