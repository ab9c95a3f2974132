//! `Records` on PostgreSQL.

super::records_impl!(crate::postgres::PgStore, sqlx::postgres::PgRow, pool, pool, super::for_postgres);
