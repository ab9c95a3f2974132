//! `Records` on PostgreSQL.

super::records_impl!(postgres, crate::postgres::PgStore, sqlx::postgres::PgRow, pool, pool);
