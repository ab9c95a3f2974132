//! What both backends' `Accounts` implementations share: the user column list, e-mail
//! normalisation, unique-violation mapping, and the row decoders (the same text for `SqliteRow`
//! and `PgRow`, written once and instantiated per row type).

use crate::Error;

pub(super) const USER_COLUMNS: &str =
    "id, email, name, password_hash, role, team_id, active, created_at_us, updated_at_us";

pub(super) fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Maps a unique violation to `Error::Conflict(what already exists)`.
pub(super) fn conflict(e: sqlx::Error, what: impl FnOnce() -> String) -> Error {
    match e {
        sqlx::Error::Database(ref d) if d.is_unique_violation() => {
            Error::Conflict(format!("{} already exists", what()))
        }
        e => Error::Database(e),
    }
}

/// Expands to `user_row`, `team_row` and `audit_row` for one row type.
macro_rules! row_decoders {
    ($row:ty) => {
        fn user_row(row: &$row) -> Result<User, Error> {
            Ok(User {
                id: row.try_get("id")?,
                email: row.try_get("email")?,
                name: row.try_get("name")?,
                password_hash: row.try_get("password_hash")?,
                role: row.try_get("role")?,
                team_id: row.try_get("team_id")?,
                active: row.try_get("active")?,
                created_at: from_us(row.try_get("created_at_us")?),
                updated_at: from_us(row.try_get("updated_at_us")?),
            })
        }

        fn team_row(row: &$row) -> Result<Team, Error> {
            Ok(Team {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                created_at: from_us(row.try_get("created_at_us")?),
            })
        }

        fn audit_row(row: &$row) -> Result<AuditEntry, Error> {
            Ok(AuditEntry {
                id: row.try_get("id")?,
                at: from_us(row.try_get("at_us")?),
                actor_id: row.try_get("actor_id")?,
                action: row.try_get("action")?,
                target: row.try_get("target")?,
                detail: row.try_get::<Option<Json<Value>>, _>("detail")?.map(|j| j.0),
                ip: row.try_get("ip")?,
            })
        }
    };
}

pub(super) use row_decoders;
