//! `Domain` on SQLite: writes through the single writer connection, reads from the reader pool.

super::shared::domain_impl!(sqlite, crate::sqlite::SqliteStore, sqlx::sqlite::SqliteRow, reader, writer);
