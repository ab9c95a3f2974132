//! Accounts: users, teams, refresh tokens and the audit log.
//!
//! A second trait beside [`crate::Store`], implemented by the same two backends, so that the
//! engine's contract stays about executions only. Passwords arrive already hashed; tokens arrive
//! already hashed: this layer never sees a secret.

pub mod access;
mod postgres;
pub mod rbac;
mod rows;
mod shared;
mod sqlite;

use serde_json::Value;
use uuid::Uuid;

use crate::{Error, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    /// Lower-cased.
    pub email: String,
    pub name: String,
    pub password_hash: String,
    /// `agent`, `team_leader` or `admin` (checked by the API, stored as text).
    pub role: String,
    pub team_id: Option<Uuid>,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub team_id: Option<Uuid>,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub name: Option<String>,
    pub role: Option<String>,
    /// `Some(None)` removes the user from their team.
    pub team_id: Option<Option<Uuid>>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: Uuid,
    pub name: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    pub id: Uuid,
    /// All tokens rotated from one login share a family.
    pub family_id: Uuid,
    pub user_id: Uuid,
    /// SHA-256 (hex) of the opaque token the client holds.
    pub token_hash: String,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub expires_at: Timestamp,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshUse {
    /// First use of a live token: it is now used up; issue its successor in the same family.
    Valid(RefreshToken),
    /// The token was already used or revoked: its whole family is now revoked.
    Reused {
        user_id: Uuid,
        family_id: Uuid,
    },
    Expired,
    Unknown,
}

#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub actor_id: Option<Uuid>,
    /// E.g. `auth.login`, `package.upload`, `execution.control`.
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<Value>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: Timestamp,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<Value>,
    pub ip: Option<String>,
}

#[async_trait::async_trait]
pub trait Accounts: Send + Sync + 'static {
    /// Fails with `Error::Conflict` when the e-mail is taken (case-insensitively).
    async fn create_user(&self, user: &NewUser, now: Timestamp) -> Result<User, Error>;
    async fn user(&self, id: Uuid) -> Result<Option<User>, Error>;
    async fn user_by_email(&self, email: &str) -> Result<Option<User>, Error>;
    /// All users, or the members of one team, ordered by e-mail.
    async fn list_users(&self, team_id: Option<Uuid>) -> Result<Vec<User>, Error>;
    /// `Error::NotFound` for an unknown id.
    async fn update_user(&self, id: Uuid, update: &UserUpdate, now: Timestamp) -> Result<User, Error>;
    async fn count_users(&self) -> Result<u64, Error>;

    /// Fails with `Error::Conflict` when the name is taken.
    async fn create_team(&self, name: &str, now: Timestamp) -> Result<Team, Error>;
    async fn team(&self, id: Uuid) -> Result<Option<Team>, Error>;
    async fn list_teams(&self) -> Result<Vec<Team>, Error>;

    async fn insert_refresh_token(&self, token: &NewRefreshToken, now: Timestamp) -> Result<(), Error>;
    /// Uses a refresh token up, atomically: two concurrent uses of one token yield one `Valid`
    /// and one `Reused`.
    async fn use_refresh_token(&self, token_hash: &str, now: Timestamp) -> Result<RefreshUse, Error>;
    /// Revokes the family of the token with this hash (logout); unknown hashes are ignored.
    async fn revoke_refresh_token(&self, token_hash: &str, now: Timestamp) -> Result<(), Error>;
    /// Revokes every refresh token of a user (deactivation, password change).
    async fn revoke_user_tokens(&self, user_id: Uuid, now: Timestamp) -> Result<(), Error>;
    /// Whether the session (refresh-token family) was ended by logout, reuse or revocation: its
    /// access tokens stop working at once. Revocation always covers a whole family.
    async fn session_revoked(&self, family_id: Uuid) -> Result<bool, Error>;

    async fn append_audit(&self, entry: &NewAuditEntry, now: Timestamp) -> Result<(), Error>;
    /// Newest first; `before_id` pages backwards.
    async fn audit_log(&self, before_id: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>, Error>;
}
