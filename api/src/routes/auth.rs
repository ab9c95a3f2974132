//! `/auth/*`: login, refresh-token rotation, logout, and who am I.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use store::accounts::{NewRefreshToken, RefreshUse, User};
use uuid::Uuid;

use crate::auth::{password, token, Caller, Role};
use crate::contract::Contract;
use crate::{json as body, ApiError, AppState};

/// Both mounts: the seed's `/auth/...` and `/api/v1/auth/...`.
pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::post("/auth/login").body::<LoginRequest>().json::<Session>().errors(LOGIN_ERRORS),
    Contract::post("/auth/refresh").body::<RefreshRequest>().json::<Session>().errors(REFRESH_ERRORS),
    Contract::post("/auth/logout").body::<LogoutRequest>().json::<LoggedOut>(),
    Contract::get("/auth/me").json::<Me>(),
    Contract::post("/api/v1/auth/login").body::<LoginRequest>().json::<Session>().errors(LOGIN_ERRORS),
    Contract::post("/api/v1/auth/refresh").body::<RefreshRequest>().json::<Session>().errors(REFRESH_ERRORS),
    Contract::post("/api/v1/auth/logout").body::<LogoutRequest>().json::<LoggedOut>(),
    Contract::get("/api/v1/auth/me").json::<Me>(),
];
const LOGIN_ERRORS: &[(u16, &str)] = &[
    (401, "invalid_credentials: wrong e-mail or password, or a deactivated account."),
    (413, "body_too_large"),
    (429, "too_many_attempts: per address or per account; Retry-After says when."),
];
const REFRESH_ERRORS: &[(u16, &str)] =
    &[(401, "invalid_refresh_token, or refresh_token_reused (the whole session is revoked)."), (413, "body_too_large")];

/// A user as the API shows them.
#[derive(Serialize, JsonSchema)]
pub(crate) struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    #[schemars(extend("enum" = ["agent", "team_leader", "admin"]))]
    pub role: String,
    pub team_id: Option<Uuid>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> UserView {
        UserView {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.clone(),
            team_id: u.team_id,
            active: u.active,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// Tokens for a signed-in session.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Session {
    access_token: String,
    #[schemars(extend("const" = "bearer"))]
    token_type: &'static str,
    /// Seconds the access token is valid.
    expires_in: u64,
    refresh_token: String,
    refresh_expires_in: u64,
    user: UserView,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct LoggedOut {
    logged_out: bool,
}

/// The signed-in user, their permissions and their role's rank (agent 1, team leader 2, admin 3).
#[derive(Serialize, JsonSchema)]
pub(crate) struct Me {
    #[serde(flatten)]
    user: UserView,
    permissions: Vec<&'static str>,
    role_level: u8,
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/logout", post(logout))
        .route("/me", get(me))
}

/// The client address, when the server was started with connection info (tests have none).
pub(crate) fn client_ip(req: &Request) -> Option<String> {
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
}

async fn read_json<T: serde::de::DeserializeOwned>(req: Request) -> Result<T, ApiError> {
    let bytes = axum::body::to_bytes(req.into_body(), crate::BODY_BYTES_MAX)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "request body too large"))?;
    body::parse(&bytes)
}

fn too_many(retry_after: std::time::Duration) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!("too many login attempts; retry in {} s", retry_after.as_secs().max(1)),
    )
    .retry_after(retry_after)
}

/// Issues an access token and a refresh token in `family`.
async fn issue(state: &AppState, user: &User, family: uuid::Uuid) -> Result<Session, ApiError> {
    let now = state.rt.clock.now();
    let access = state.tokens.issue_in_session(user, Some(family), now);
    let (refresh, hash) = token::new_refresh_token();
    let expires_at = now + chrono::Duration::from_std(state.tokens.refresh_ttl).unwrap_or_default();
    let record =
        NewRefreshToken { id: uuid::Uuid::new_v4(), family_id: family, user_id: user.id, token_hash: hash, expires_at };
    state.accounts.insert_refresh_token(&record, now).await?;
    Ok(Session {
        access_token: access,
        token_type: "bearer",
        expires_in: state.tokens.access_ttl.as_secs(),
        refresh_token: refresh,
        refresh_expires_in: state.tokens.refresh_ttl.as_secs(),
        user: user.into(),
    })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    email: String,
    password: String,
}

async fn login(State(state): State<AppState>, req: Request) -> Result<Json<Session>, ApiError> {
    let ip = client_ip(&req);
    let body: LoginRequest = read_json(req).await?;
    let email = body.email.trim().to_lowercase();
    let now = Instant::now();
    let client = ip.as_deref().unwrap_or("unknown");
    state.login_by_ip.check(client, now).map_err(too_many)?;
    // Failed attempts on an account count per client address: a stranger guessing from elsewhere
    // cannot lock out the user who knows the password (the per-address limit above bounds them).
    let account_key = format!("{client}|{email}");
    state.login_by_account.check(&account_key, now).map_err(too_many)?;
    let user = state.accounts.user_by_email(&email).await?;
    // Verify against a dummy hash for unknown accounts so timing does not reveal them.
    let stored = user.as_ref().map_or_else(|| password::dummy_hash().to_string(), |u| u.password_hash.clone());
    let ok = password::verify(body.password, stored).await;
    match user {
        Some(user) if ok && user.active => {
            state.login_by_account.reset(&account_key);
            state.audit(Some(user.id), "auth.login", Some(email), None, ip).await;
            Ok(Json(issue(&state, &user, uuid::Uuid::new_v4()).await?))
        }
        _ => {
            state.audit(None, "auth.login_failed", Some(email), None, ip).await;
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "e-mail or password is wrong, or the account is deactivated",
            ))
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RefreshRequest {
    refresh_token: String,
}

async fn refresh(State(state): State<AppState>, req: Request) -> Result<Json<Session>, ApiError> {
    let ip = client_ip(&req);
    let body: RefreshRequest = read_json(req).await?;
    let hash = token::hash_refresh_token(body.refresh_token.trim());
    let invalid =
        || ApiError::new(StatusCode::UNAUTHORIZED, "invalid_refresh_token", "refresh token is invalid or expired");
    match state.accounts.use_refresh_token(&hash, state.rt.clock.now()).await? {
        RefreshUse::Valid(t) => {
            let user = state.accounts.user(t.user_id).await?.filter(|u| u.active).ok_or_else(invalid)?;
            Ok(Json(issue(&state, &user, t.family_id).await?))
        }
        RefreshUse::Reused { user_id, family_id } => {
            state.audit(Some(user_id), "auth.refresh_reuse", Some(family_id.to_string()), None, ip).await;
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "refresh_token_reused",
                "refresh token was already used; all tokens of this session are revoked",
            ))
        }
        RefreshUse::Expired | RefreshUse::Unknown => Err(invalid()),
    }
}

/// Without `refresh_token` (or with no body), every session of the caller is revoked.
#[derive(Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
struct LogoutRequest {
    refresh_token: Option<String>,
}

async fn logout(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> Result<Json<LoggedOut>, ApiError> {
    let ip = client_ip(&req);
    let bytes = axum::body::to_bytes(req.into_body(), crate::BODY_BYTES_MAX).await.unwrap_or_default();
    let body: LogoutRequest = if bytes.is_empty() { LogoutRequest::default() } else { body::parse(&bytes)? };
    let now = state.rt.clock.now();
    match body.refresh_token {
        Some(t) => state.accounts.revoke_refresh_token(&token::hash_refresh_token(t.trim()), now).await?,
        None => state.accounts.revoke_user_tokens(caller.id(), now).await?,
    }
    state.audit(Some(caller.id()), "auth.logout", None, None, ip).await;
    Ok(Json(LoggedOut { logged_out: true }))
}

async fn me(Extension(caller): Extension<Caller>) -> Json<Me> {
    Json(Me {
        user: (&caller.user).into(),
        permissions: caller.role.permissions().collect(),
        role_level: match caller.role {
            Role::Agent => 1,
            Role::TeamLeader => 2,
            Role::Admin => 3,
        },
    })
}
