//! [`Analytics`](super::Analytics) on SQLite: writes (records, the rollup's transaction) on the
//! single writer connection, reads on the reader pool.

super::analytics_impl!(
    crate::sqlite::SqliteStore,
    sqlx::sqlite::SqliteRow,
    reader,
    writer,
    |s: &str| s.to_string(),
    None::<&str>,
    None::<&str>
);
