//! Users, teams and the audit log (admins).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::accounts::{NewUser, UserUpdate};
use uuid::Uuid;

use crate::auth::{password, Caller, Role};
use crate::contract::Contract;
use crate::routes::auth::UserView;
use crate::{json as body, ApiError, AppState};

pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::get("/api/v1/users").query::<ListQuery>().json::<UserList>(),
    Contract::post("/api/v1/users")
        .body::<CreateUser>()
        .json_status::<UserView>(201)
        .errors(&[(409, "conflict: the e-mail is taken.")]),
    Contract::get("/api/v1/users/{id}").uuids(&["id"]).json::<UserView>(),
    Contract::patch("/api/v1/users/{id}").uuids(&["id"]).body::<PatchUser>().json::<UserView>().errors(SELF_LOCKOUT),
    Contract::delete("/api/v1/users/{id}").uuids(&["id"]).json::<UserView>().errors(SELF_LOCKOUT),
    Contract::get("/api/v1/teams").json::<TeamList>(),
    Contract::post("/api/v1/teams")
        .body::<CreateTeam>()
        .json_status::<TeamView>(201)
        .errors(&[(409, "conflict: the name is taken.")]),
    Contract::get("/api/v1/audit").query::<AuditQuery>().json::<AuditPage>(),
];
const SELF_LOCKOUT: &[(u16, &str)] = &[(409, "self_lockout: an admin cannot deactivate or demote themself.")];

#[derive(Serialize, JsonSchema)]
struct UserList {
    users: Vec<UserView>,
    total: usize,
}

#[derive(Serialize, JsonSchema)]
struct TeamView {
    id: Uuid,
    name: String,
    created_at: DateTime<Utc>,
}

impl From<&store::accounts::Team> for TeamView {
    fn from(t: &store::accounts::Team) -> TeamView {
        TeamView { id: t.id, name: t.name.clone(), created_at: t.created_at }
    }
}

#[derive(Serialize, JsonSchema)]
struct TeamList {
    teams: Vec<TeamView>,
}

#[derive(Serialize, JsonSchema)]
struct AuditEntryView {
    id: i64,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    action: String,
    target: Option<String>,
    detail: Option<Value>,
    ip: Option<String>,
}

/// Newest first; pass `next_before` as `before` for the next page (null on the last one).
#[derive(Serialize, JsonSchema)]
struct AuditPage {
    entries: Vec<AuditEntryView>,
    next_before: Option<i64>,
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user).patch(update_user).delete(deactivate_user))
        .route("/teams", get(list_teams).post(create_team))
        .route("/audit", get(audit_log))
}

fn unprocessable(field: &str, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", format!("{field}: {message}"))
        .with("errors", json!([{ "field": field, "message": message }]))
}

fn parse_uuid(field: &str, s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| unprocessable(field, "must be a UUID"))
}

fn check_email(email: &str) -> Result<String, ApiError> {
    let e = email.trim().to_lowercase();
    let valid = e.len() <= 254
        && !e.contains(char::is_whitespace)
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        });
    if valid {
        Ok(e)
    } else {
        Err(unprocessable("email", "must be an e-mail address"))
    }
}

fn check_name(name: &str) -> Result<String, ApiError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 {
        return Err(unprocessable("name", "must be 1–100 characters"));
    }
    Ok(n.to_string())
}

fn check_role(role: &str) -> Result<String, ApiError> {
    Role::parse(role)
        .map(|r| r.as_str().to_string())
        .ok_or_else(|| unprocessable("role", "must be agent, team_leader or admin"))
}

fn check_password(p: &str) -> Result<(), ApiError> {
    if p.chars().count() < password::PASSWORD_MIN_CHARS {
        return Err(unprocessable(
            "password",
            &format!("must be at least {} characters", password::PASSWORD_MIN_CHARS),
        ));
    }
    Ok(())
}

async fn check_team(state: &AppState, team: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    let Some(team) = team else { return Ok(None) };
    let id = parse_uuid("team_id", team)?;
    state.accounts.team(id).await?.ok_or_else(|| unprocessable("team_id", "no such team"))?;
    Ok(Some(id))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    team_id: Option<String>,
}

async fn list_users(
    State(s): State<AppState>,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<UserList>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let team = q.team_id.as_deref().map(|t| parse_uuid("team_id", t)).transpose()?;
    let users = s.accounts.list_users(team).await?;
    Ok(Json(UserList { total: users.len(), users: users.iter().map(UserView::from).collect() }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CreateUser {
    email: String,
    name: String,
    password: String,
    role: String,
    team_id: Option<String>,
}

async fn create_user(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let req: CreateUser = body::parse(&bytes)?;
    let email = check_email(&req.email)?;
    let name = check_name(&req.name)?;
    let role = check_role(&req.role)?;
    check_password(&req.password)?;
    let team_id = check_team(&s, req.team_id.as_deref()).await?;
    let password_hash = password::hash(req.password).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
    })?;
    let user = s.accounts.create_user(&NewUser { email, name, password_hash, role, team_id }, s.rt.clock.now()).await?;
    s.audit(
        Some(caller.id()),
        "user.create",
        Some(user.id.to_string()),
        Some(json!({ "email": user.email, "role": user.role })),
        None,
    )
    .await;
    Ok((StatusCode::CREATED, Json(UserView::from(&user))))
}

async fn get_user(State(s): State<AppState>, Path(id): Path<String>) -> Result<Json<UserView>, ApiError> {
    let id = parse_uuid("id", &id)?;
    let user = s.accounts.user(id).await?.ok_or_else(|| ApiError::not_found(format!("user {id}")))?;
    Ok(Json(UserView::from(&user)))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PatchUser {
    name: Option<String>,
    role: Option<String>,
    /// `null` removes the user from their team.
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(with = "Option<String>")]
    team_id: Option<Option<String>>,
    active: Option<bool>,
    password: Option<String>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn double_option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    <Option<String> as Deserialize>::deserialize(d).map(Some)
}

async fn update_user(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<UserView>, ApiError> {
    let id = parse_uuid("id", &id)?;
    let req: PatchUser = body::parse(&bytes)?;
    if id == caller.id() && (req.active == Some(false) || req.role.as_deref().is_some_and(|r| r != "admin")) {
        return Err(ApiError::new(StatusCode::CONFLICT, "self_lockout", "you cannot deactivate or demote yourself"));
    }
    let mut update = UserUpdate {
        name: req.name.as_deref().map(check_name).transpose()?,
        role: req.role.as_deref().map(check_role).transpose()?,
        active: req.active,
        ..UserUpdate::default()
    };
    if let Some(team) = &req.team_id {
        update.team_id = Some(check_team(&s, team.as_deref()).await?);
    }
    if let Some(p) = req.password {
        check_password(&p)?;
        update.password_hash = Some(
            password::hash(p)
                .await
                .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error"))?,
        );
    }
    let now = s.rt.clock.now();
    let user = s.accounts.update_user(id, &update, now).await?;
    if update.active == Some(false) || update.password_hash.is_some() {
        s.accounts.revoke_user_tokens(id, now).await?;
    }
    s.audit(
        Some(caller.id()),
        "user.update",
        Some(id.to_string()),
        Some(
            json!({ "role": update.role, "active": update.active, "password_changed": update.password_hash.is_some() }),
        ),
        None,
    )
    .await;
    Ok(Json(UserView::from(&user)))
}

async fn deactivate_user(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    let id = parse_uuid("id", &id)?;
    if id == caller.id() {
        return Err(ApiError::new(StatusCode::CONFLICT, "self_lockout", "you cannot deactivate yourself"));
    }
    let now = s.rt.clock.now();
    let user = s.accounts.update_user(id, &UserUpdate { active: Some(false), ..UserUpdate::default() }, now).await?;
    s.accounts.revoke_user_tokens(id, now).await?;
    s.audit(Some(caller.id()), "user.deactivate", Some(id.to_string()), None, None).await;
    Ok(Json(UserView::from(&user)))
}

async fn list_teams(State(s): State<AppState>) -> Result<Json<TeamList>, ApiError> {
    let teams = s.accounts.list_teams().await?;
    Ok(Json(TeamList { teams: teams.iter().map(TeamView::from).collect() }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CreateTeam {
    name: String,
}

async fn create_team(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<TeamView>), ApiError> {
    let req: CreateTeam = body::parse(&bytes)?;
    let name = check_name(&req.name)?;
    let team = s.accounts.create_team(&name, s.rt.clock.now()).await?;
    s.audit(Some(caller.id()), "team.create", Some(team.id.to_string()), Some(json!({ "name": team.name })), None)
        .await;
    Ok((StatusCode::CREATED, Json(TeamView::from(&team))))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    before: Option<i64>,
    limit: Option<u32>,
}

async fn audit_log(
    State(s): State<AppState>,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let entries = s.accounts.audit_log(q.before, limit).await?;
    let next = (entries.len() as u32 == limit).then(|| entries.last().map(|e| e.id)).flatten();
    let entries = entries
        .into_iter()
        .map(|e| AuditEntryView {
            id: e.id,
            at: e.at,
            actor_id: e.actor_id,
            action: e.action,
            target: e.target,
            detail: e.detail,
            ip: e.ip,
        })
        .collect();
    Ok(Json(AuditPage { entries, next_before: next }))
}
