//! [`Accounts`](super::Accounts)' implementation, for PostgreSQL and SQLite alike. On PostgreSQL a
//! refresh token's use locks its row (`FOR UPDATE`), so two concurrent uses of one token give one
//! `Valid` and one `Reused`; on SQLite the single writer connection serialises them.
//!
//! Written once for both backends: `$db` picks the SQL dialect (each statement goes through
//! [`crate::sql!`], so SQLite's text is made at compile time), `$store` and `$row` the types,
//! `$read` and `$write` the pools (PostgreSQL has one; SQLite reads from a pool and writes
//! through its single writer connection).

macro_rules! accounts_impl {
    ($db:ident, $store:ty, $row:ty, $read:ident, $write:ident) => {
        use serde_json::Value;
        use sqlx::types::Json;
        use sqlx::Row;
        use uuid::Uuid;

        use super::{
            Accounts, AuditEntry, NewAuditEntry, NewRefreshToken, NewUser, RefreshToken, RefreshUse, Team, User, UserUpdate,
        };
        use crate::types::{from_us, to_us};
        use crate::{Error, Timestamp};

        use super::rows::{conflict, normalize_email, USER_COLUMNS};

        super::rows::row_decoders!($row);

        #[async_trait::async_trait]
        impl Accounts for $store {
            async fn create_user(&self, user: &NewUser, now: Timestamp) -> Result<User, Error> {
                let email = normalize_email(&user.email);
                let row = sqlx::query(crate::sql!($db, "INSERT INTO users (id, email, name, password_hash, role, team_id, active, created_at_us, updated_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $7) RETURNING ", USER_COLUMNS))
                .bind(Uuid::now_v7())
                .bind(&email)
                .bind(&user.name)
                .bind(&user.password_hash)
                .bind(&user.role)
                .bind(user.team_id)
                .bind(to_us(now))
                .fetch_one(&self.$write)
                .await
                .map_err(|e| conflict(e, || format!("a user with e-mail `{email}`")))?;
                user_row(&row)
            }

            async fn user(&self, id: Uuid) -> Result<Option<User>, Error> {
                sqlx::query(crate::sql!($db, "SELECT ", USER_COLUMNS, " FROM users WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.$read)
                    .await?
                    .as_ref()
                    .map(user_row)
                    .transpose()
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<User>, Error> {
                sqlx::query(crate::sql!($db, "SELECT ", USER_COLUMNS, " FROM users WHERE email = $1"))
                    .bind(normalize_email(email))
                    .fetch_optional(&self.$read)
                    .await?
                    .as_ref()
                    .map(user_row)
                    .transpose()
            }

            async fn list_users(&self, team_id: Option<Uuid>) -> Result<Vec<User>, Error> {
                let rows = match team_id {
                    Some(team) => {
                        sqlx::query(crate::sql!($db, "SELECT ", USER_COLUMNS, " FROM users WHERE team_id = $1 ORDER BY email"))
                            .bind(team)
                            .fetch_all(&self.$read)
                            .await?
                    }
                    None => {
                        sqlx::query(crate::sql!($db, "SELECT ", USER_COLUMNS, " FROM users ORDER BY email")).fetch_all(&self.$read).await?
                    }
                };
                rows.iter().map(user_row).collect()
            }

            async fn update_user(&self, id: Uuid, update: &UserUpdate, now: Timestamp) -> Result<User, Error> {
                let row = sqlx::query(crate::sql!($db, "UPDATE users SET name = COALESCE($1, name), role = COALESCE($2, role), \
                     team_id = CASE WHEN $3 THEN $4 ELSE team_id END, active = COALESCE($5, active), \
                     password_hash = COALESCE($6, password_hash), updated_at_us = $7 \
                     WHERE id = $8 RETURNING ", USER_COLUMNS))
                .bind(update.name.as_deref())
                .bind(update.role.as_deref())
                .bind(update.team_id.is_some())
                .bind(update.team_id.flatten())
                .bind(update.active)
                .bind(update.password_hash.as_deref())
                .bind(to_us(now))
                .bind(id)
                .fetch_optional(&self.$write)
                .await?
                .ok_or_else(|| Error::NotFound(format!("user {id}")))?;
                user_row(&row)
            }

            async fn count_users(&self) -> Result<u64, Error> {
                let n: i64 = sqlx::query_scalar(crate::sql!($db, "SELECT COUNT(*) FROM users")).fetch_one(&self.$read).await?;
                Ok(n as u64)
            }

            async fn create_team(&self, name: &str, now: Timestamp) -> Result<Team, Error> {
                let row = sqlx::query(
                    crate::sql!($db, "INSERT INTO teams (id, name, created_at_us) VALUES ($1, $2, $3) RETURNING id, name, created_at_us"),
                )
                .bind(Uuid::now_v7())
                .bind(name)
                .bind(to_us(now))
                .fetch_one(&self.$write)
                .await
                .map_err(|e| conflict(e, || format!("a team named `{name}`")))?;
                team_row(&row)
            }

            async fn team(&self, id: Uuid) -> Result<Option<Team>, Error> {
                sqlx::query(crate::sql!($db, "SELECT id, name, created_at_us FROM teams WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.$read)
                    .await?
                    .as_ref()
                    .map(team_row)
                    .transpose()
            }

            async fn list_teams(&self) -> Result<Vec<Team>, Error> {
                sqlx::query(crate::sql!($db, "SELECT id, name, created_at_us FROM teams ORDER BY name"))
                    .fetch_all(&self.$read)
                    .await?
                    .iter()
                    .map(team_row)
                    .collect()
            }

            async fn insert_refresh_token(&self, token: &NewRefreshToken, now: Timestamp) -> Result<(), Error> {
                sqlx::query(
                    crate::sql!($db, "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, expires_at_us, created_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6)"),
                )
                .bind(token.id)
                .bind(token.family_id)
                .bind(token.user_id)
                .bind(&token.token_hash)
                .bind(to_us(token.expires_at))
                .bind(to_us(now))
                .execute(&self.$write)
                .await
                .map_err(|e| conflict(e, || "a refresh token with this hash".to_string()))?;
                Ok(())
            }

            async fn use_refresh_token(&self, token_hash: &str, now: Timestamp) -> Result<RefreshUse, Error> {
                // The row lock makes a concurrent use of the same token wait for this one to commit, then
                // see it used.
                let mut tx = self.begin_write().await?;
                let Some(row) = sqlx::query(
                    crate::sql!($db, "SELECT id, family_id, user_id, expires_at_us, used_at_us, revoked_at_us \
                     FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE"),
                )
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?
                else {
                    return Ok(RefreshUse::Unknown);
                };
                let token = RefreshToken {
                    id: row.try_get("id")?,
                    family_id: row.try_get("family_id")?,
                    user_id: row.try_get("user_id")?,
                    expires_at: from_us(row.try_get("expires_at_us")?),
                };
                let used: Option<i64> = row.try_get("used_at_us")?;
                let revoked: Option<i64> = row.try_get("revoked_at_us")?;
                if used.is_some() || revoked.is_some() {
                    sqlx::query(crate::sql!($db, "UPDATE refresh_tokens SET revoked_at_us = $1 WHERE family_id = $2 AND revoked_at_us IS NULL"))
                        .bind(to_us(now))
                        .bind(token.family_id)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    return Ok(RefreshUse::Reused { user_id: token.user_id, family_id: token.family_id });
                }
                if now >= token.expires_at {
                    return Ok(RefreshUse::Expired);
                }
                sqlx::query(crate::sql!($db, "UPDATE refresh_tokens SET used_at_us = $1 WHERE id = $2"))
                    .bind(to_us(now))
                    .bind(token.id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(RefreshUse::Valid(token))
            }

            async fn revoke_refresh_token(&self, token_hash: &str, now: Timestamp) -> Result<(), Error> {
                sqlx::query(
                    crate::sql!($db, "UPDATE refresh_tokens SET revoked_at_us = $1 WHERE revoked_at_us IS NULL \
                     AND family_id IN (SELECT family_id FROM refresh_tokens WHERE token_hash = $2)"),
                )
                .bind(to_us(now))
                .bind(token_hash)
                .execute(&self.$write)
                .await?;
                Ok(())
            }

            async fn revoke_user_tokens(&self, user_id: Uuid, now: Timestamp) -> Result<(), Error> {
                sqlx::query(crate::sql!($db, "UPDATE refresh_tokens SET revoked_at_us = $1 WHERE user_id = $2 AND revoked_at_us IS NULL"))
                    .bind(to_us(now))
                    .bind(user_id)
                    .execute(&self.$write)
                    .await?;
                Ok(())
            }

            async fn session_revoked(&self, family_id: Uuid) -> Result<bool, Error> {
                let row = sqlx::query(
                    crate::sql!($db, "SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND revoked_at_us IS NOT NULL) AS revoked"),
                )
                .bind(family_id)
                .fetch_one(&self.$read)
                .await?;
                Ok(row.try_get::<bool, _>("revoked")?)
            }

            async fn append_audit(&self, entry: &NewAuditEntry, now: Timestamp) -> Result<(), Error> {
                sqlx::query(
                    crate::sql!($db, "INSERT INTO audit_log (at_us, actor_id, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6)"),
                )
                .bind(to_us(now))
                .bind(entry.actor_id)
                .bind(&entry.action)
                .bind(entry.target.as_deref())
                .bind(entry.detail.as_ref().map(Json))
                .bind(entry.ip.as_deref())
                .execute(&self.$write)
                .await?;
                Ok(())
            }

            async fn audit_log(&self, before_id: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>, Error> {
                sqlx::query(
                    crate::sql!($db, "SELECT id, at_us, actor_id, action, target, detail, ip FROM audit_log \
                     WHERE $1::BIGINT IS NULL OR id < $1 ORDER BY id DESC LIMIT $2"),
                )
                .bind(before_id)
                .bind(i64::from(limit))
                .fetch_all(&self.$read)
                .await?
                .iter()
                .map(audit_row)
                .collect()
            }
        }
    };
}
pub(super) use accounts_impl;
