//! [`Accounts`](super::Accounts) on SQLite: writes on the single writer connection, reads on the reader pool.

super::shared::accounts_impl!(sqlite, crate::sqlite::SqliteStore, sqlx::sqlite::SqliteRow, reader, writer);
