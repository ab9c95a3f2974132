//! `Domain` on PostgreSQL.

super::shared::domain_impl!(postgres, crate::postgres::PgStore, sqlx::postgres::PgRow, pool, pool);
