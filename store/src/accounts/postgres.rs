//! [`Accounts`](super::Accounts) on PostgreSQL.

super::shared::accounts_impl!(postgres, crate::postgres::PgStore, sqlx::postgres::PgRow, pool, pool);
