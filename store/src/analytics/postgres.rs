//! [`Analytics`](super::Analytics) on PostgreSQL: `?N` bind parameters become `$N`, and a
//! transaction-scoped advisory lock keeps two nodes' rollups from interleaving their
//! delete-and-insert of the same days; a full rebuild ends with `VACUUM (ANALYZE)`.

/// `?1` → `$1`: the shared SQL is written once for both backends.
fn dollar(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(|n| n.is_ascii_digit()) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

super::analytics_impl!(
    crate::postgres::PgStore,
    sqlx::postgres::PgRow,
    pool,
    pool,
    dollar,
    Some("SELECT pg_advisory_xact_lock(720020)"),
    // A rebuild rewrites the whole table: fresh statistics and visibility map at once, so the
    // dashboard's index-only scans do not wait for autovacuum.
    Some("VACUUM (ANALYZE) performance_metrics")
);
