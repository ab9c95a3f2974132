//! The session cookie: the API's access token (and its refresh token, to end just this session
//! on logout), HttpOnly so page scripts cannot read it, SameSite=Strict so other sites cannot send it.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use serde_json::Value;

use crate::api_client::{Api, Caller};
use crate::error::PageError;

pub(crate) const TOKEN_COOKIE: &str = "aura_console";
pub(crate) const REFRESH_COOKIE: &str = "aura_console_refresh";
const PATH: &str = "/console";

/// The value of cookie `name` in the request.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Whether the browser reached us over https (directly, or through a proxy that says so).
pub(crate) fn is_https(parts: &Parts) -> bool {
    over_https(&parts.uri, &parts.headers)
}

fn over_https(uri: &axum::http::Uri, headers: &HeaderMap) -> bool {
    uri.scheme_str() == Some("https")
        || headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p == "https")
}

fn set(name: &str, value: &str, max_age_secs: u64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={PATH}; Max-Age={max_age_secs}; HttpOnly; SameSite=Strict{secure}"
    ))
    .ok()
}

/// The cookies that start a session, from the API's login or refresh reply: the access token
/// lives as long as it is valid, the refresh token as long as it is (so the browser drops the
/// access cookie when it expires and [`renew`] can get a new one).
pub(crate) fn started(reply: &Value, secure: bool) -> Vec<HeaderValue> {
    let Some(access) = reply["access_token"].as_str() else { return Vec::new() };
    let ttl = reply["expires_in"].as_u64().unwrap_or(1800);
    let mut out: Vec<HeaderValue> = set(TOKEN_COOKIE, access, ttl, secure).into_iter().collect();
    if let Some(r) = reply["refresh_token"].as_str() {
        out.extend(set(REFRESH_COOKIE, r, reply["refresh_expires_in"].as_u64().unwrap_or(ttl), secure));
    }
    out
}

/// Keeps a session going past its access token: a request that brings only the refresh cookie
/// (the access cookie expired with its token) is given a new pair from `POST /auth/refresh` before
/// its page runs, and the response sets them. A refused refresh (reused, revoked, expired) clears
/// the cookies, and the page sends the user to sign in.
pub(crate) async fn renew(
    axum::extract::State(api): axum::extract::State<Api>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let headers = req.headers();
    let refresh = match (cookie(headers, TOKEN_COOKIE), cookie(headers, REFRESH_COOKIE)) {
        (None, Some(r)) => r.to_string(),
        _ => return next.run(req).await,
    };
    let secure = over_https(req.uri(), headers);
    let caller = Caller { token: None, peer: req.extensions().get::<ConnectInfo<SocketAddr>>().copied() };
    let body = crate::api_client::Outgoing::Json(serde_json::json!({ "refresh_token": refresh }));
    let reply = api.fetch(&caller, axum::http::Method::POST, "/auth/refresh", body, &[]).await;
    let cookies = match reply {
        Ok(r) if r.status.is_success() => started(&r.json(), secure),
        _ => Vec::new(),
    };
    if let Some(token) = cookies.first().and_then(|c| c.to_str().ok()).and_then(|c| c.split(';').next()) {
        // The page sees the new access token as if the browser had sent it.
        if let Ok(v) = HeaderValue::from_str(token) {
            req.headers_mut().append(header::COOKIE, v);
        }
    }
    let renewed = !cookies.is_empty();
    let mut response = next.run(req).await;
    let set_cookies = if renewed { cookies } else { cleared() };
    for c in set_cookies {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

/// The cookies that end a session.
pub(crate) fn cleared() -> Vec<HeaderValue> {
    [TOKEN_COOKIE, REFRESH_COOKIE].iter().filter_map(|n| set(n, "", 0, false)).collect()
}

fn peer(parts: &Parts) -> Option<ConnectInfo<SocketAddr>> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().copied()
}

/// The browser as an anonymous API caller (the login page).
pub(crate) struct Visitor(pub Caller);

impl FromRequestParts<Api> for Visitor {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, _: &Api) -> Result<Visitor, PageError> {
        Ok(Visitor(Caller { token: None, peer: peer(parts) }))
    }
}

/// A caller with a session cookie; not checked here (the API checks it on the call it is used for).
pub(crate) struct Token {
    pub caller: Caller,
    pub refresh: Option<String>,
}

impl FromRequestParts<Api> for Token {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, _: &Api) -> Result<Token, PageError> {
        let token = cookie(&parts.headers, TOKEN_COOKIE).ok_or(PageError::SignedOut)?;
        Ok(Token {
            caller: Caller { token: Some(token.to_string()), peer: peer(parts) },
            refresh: cookie(&parts.headers, REFRESH_COOKIE).map(str::to_string),
        })
    }
}

/// A signed-in user: the session cookie, and who the API says it belongs to (`GET /auth/me`,
/// with the permissions that decide what the pages offer).
pub(crate) struct Session {
    pub caller: Caller,
    pub me: Value,
}

impl Session {
    pub fn can(&self, permission: &str) -> bool {
        self.me["permissions"].as_array().is_some_and(|ps| ps.iter().any(|p| p == permission))
    }
}

impl FromRequestParts<Api> for Session {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<Session, PageError> {
        let Token { caller, .. } = Token::from_request_parts(parts, api).await?;
        let me = api.get(&caller, "/auth/me").await?;
        Ok(Session { caller, me })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; aura_console=tok.en; b=2"));
        assert_eq!(cookie(&h, TOKEN_COOKIE), Some("tok.en"));
        assert_eq!(cookie(&h, REFRESH_COOKIE), None);
    }

    #[test]
    fn session_cookies_are_http_only_and_strict() {
        let reply = serde_json::json!({ "access_token": "t", "expires_in": 60, "refresh_token": "r", "refresh_expires_in": 86400 });
        let c = started(&reply, true);
        assert_eq!(c.len(), 2);
        let text = c[0].to_str().unwrap();
        assert!(text.contains("HttpOnly") && text.contains("SameSite=Strict") && text.ends_with("Secure"), "{text}");
        assert!(
            text.contains("Max-Age=60") && c[1].to_str().unwrap().contains("Max-Age=86400"),
            "the refresh cookie outlives the access token"
        );
        let access_only = serde_json::json!({ "access_token": "t", "expires_in": 60 });
        assert!(!started(&access_only, false)[0].to_str().unwrap().contains("Secure"));
        assert!(started(&serde_json::json!({}), false).is_empty());
        assert!(cleared()[0].to_str().unwrap().contains("Max-Age=0"));
    }
}
