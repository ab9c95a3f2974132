//! Authentication and authorization.
//!
//! Every route is declared in [`crate::spec::ROUTES`] with the permission it needs; one middleware
//! ([`authorize`]) looks the matched route up, authenticates the bearer token, loads the user
//! (so deactivation takes effect at once) and checks the permission. A route missing from the
//! table is refused: access control fails closed.

pub mod password;
pub mod ratelimit;

pub mod token;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use store::accounts::access::{Reach, Viewer};
use store::accounts::User;
use uuid::Uuid;

use crate::spec::Access;
use crate::{ApiError, AppState};
pub use store::accounts::rbac::{self, Role};

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub role: Role,
}

impl Caller {
    pub fn id(&self) -> Uuid {
        self.user.id
    }

    pub fn has(&self, permission: &str) -> bool {
        self.role.has(permission)
    }

    /// The caller as a viewer of records: the one visibility rule, shared with the step handlers
    /// (`store::accounts::access`).
    pub fn viewer(&self) -> Viewer {
        Viewer {
            user_id: self.user.id.to_string(),
            team_id: self.user.team_id.map(|t| t.to_string()),
            reach: Reach::of(self.role),
        }
    }

    /// Row scoping for records owned by a user and a team: an agent sees their own, a team
    /// leader their team's, an admin everything.
    pub fn can_see(&self, owner: Option<&str>, team: Option<&str>) -> bool {
        self.viewer().can_see(owner, team)
    }

    /// The (owner, team) filter a listing applies for this caller.
    pub fn scope(&self) -> (Option<String>, Option<String>) {
        self.viewer().scope()
    }
}

fn unauthorized(detail: &str) -> Response {
    let mut r = ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", detail).into_response();
    r.headers_mut().insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer"));
    r
}

/// Authenticates the request's bearer token into a `Caller`.
pub async fn authenticate(state: &AppState, headers: &axum::http::HeaderMap) -> Result<Caller, Response> {
    let Some(header) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Err(unauthorized("missing bearer token"));
    };
    let token = header.to_str().ok().and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")));
    let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
        return Err(unauthorized("Authorization must be `Bearer <token>`"));
    };
    // The wall clock, as jsonwebtoken uses for `exp` and `nbf` (the runtime clock may be simulated).
    let claims = state.tokens.verify(token, runtime::SystemClock.now()).map_err(|e| {
        tracing::debug!(error = %e, "token rejected");
        unauthorized("invalid or expired token")
    })?;
    let id = Uuid::parse_str(&claims.sub).map_err(|_| unauthorized("invalid token subject"))?;
    if let Some(sid) = &claims.sid {
        // Logout and revocation end a session's access tokens at once, not when they expire.
        let session = Uuid::parse_str(sid).map_err(|_| unauthorized("invalid token session"))?;
        match state.accounts.session_revoked(session).await {
            Ok(false) => {}
            Ok(true) => return Err(unauthorized("the session has ended; sign in again")),
            Err(e) => return Err(ApiError::from(e).into_response()),
        }
    }
    let user = match state.accounts.user(id).await {
        Ok(Some(u)) if u.active => u,
        Ok(_) => return Err(unauthorized("account not found or deactivated")),
        Err(e) => return Err(ApiError::from(e).into_response()),
    };
    let role = Role::parse(&user.role).ok_or_else(|| unauthorized("account has an unknown role"))?;
    Ok(Caller { user, role })
}

/// The access-control middleware for every route.
pub async fn authorize(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(path) = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()) else {
        // Unmatched requests reach the fallback (404).
        return next.run(req).await;
    };
    // HEAD is GET without the body (axum answers it with the GET handler).
    let method = if req.method() == axum::http::Method::HEAD { "GET" } else { req.method().as_str() };
    let Some(spec) = crate::spec::find(method, &path) else {
        // A declared path with another method: 405, without running anything.
        let allowed: Vec<&str> = crate::spec::ROUTES.iter().filter(|r| r.path == path).map(|r| r.method).collect();
        if !allowed.is_empty() {
            let mut r = ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{} is not allowed here", req.method()),
            )
            .into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(&allowed.join(", ")) {
                r.headers_mut().insert(axum::http::header::ALLOW, v);
            }
            return r;
        }
        tracing::error!(method = %req.method(), %path, "route missing from the route table; refusing");
        return ApiError::new(StatusCode::FORBIDDEN, "forbidden", "route has no declared permission").into_response();
    };
    match spec.access {
        Access::Public => next.run(req).await,
        Access::Authenticated | Access::Permission(_) => {
            let caller = match authenticate(&state, req.headers()).await {
                Ok(c) => c,
                Err(r) => return r,
            };
            if let Access::Permission(p) = spec.access {
                if !caller.has(p) {
                    return ApiError::new(StatusCode::FORBIDDEN, "forbidden", format!("requires permission `{p}`"))
                        .into_response();
                }
            }
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
    }
}
