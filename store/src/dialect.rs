//! SQL written once, in PostgreSQL's dialect, and turned into SQLite's at compile time.
//!
//! The twin stores (`domain`, `accounts`) share one implementation per trait, written as a macro
//! over the backend. Each statement goes through [`sql!`](crate::sql): for PostgreSQL the text is
//! used as written; for SQLite a `const fn` rewrites it while the crate compiles, so no statement is
//! rewritten or even allocated at run time. The rewrite keeps the text's length (what it removes
//! becomes spaces), which lets it produce a fixed-size array in a constant:
//!
//! - `$N` parameters become `?N` (SQLite binds numbered parameters the same way);
//! - `::type` casts are blanked (PostgreSQL needs the type of a NULL parameter; SQLite takes any);
//! - `FOR UPDATE` is blanked (SQLite has one writer connection, so a row cannot change under a
//!   transaction that is writing).
//!
//! Anything else must already mean the same on both: the conformance suite runs every statement
//! on both backends.

/// The statement for the backend: `sql!(postgres, "…", COLUMNS, "…")` or `sql!(sqlite, …)`. The
/// parts are constant `&str` expressions, joined in order.
#[macro_export]
macro_rules! sql {
    (postgres, $($part:expr),+ $(,)?) => { $crate::sql!(@join false, $($part),+) };
    (sqlite, $($part:expr),+ $(,)?) => { $crate::sql!(@join true, $($part),+) };
    (@join $sqlite:expr, $($part:expr),+) => {{
        const PARTS: &[&str] = &[$($part),+];
        const LEN: usize = $crate::dialect::joined_len(PARTS);
        const BYTES: [u8; LEN] = $crate::dialect::join::<LEN>(PARTS, $sqlite);
        const TEXT: &str = $crate::dialect::as_str(&BYTES);
        TEXT
    }};
}

/// The length of the parts joined.
pub const fn joined_len(parts: &[&str]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < parts.len() {
        n += parts[i].len();
        i += 1;
    }
    n
}

/// The parts joined, rewritten for SQLite when `sqlite` is set.
pub const fn join<const N: usize>(parts: &[&str], sqlite: bool) -> [u8; N] {
    let mut out = [b' '; N];
    let mut at = 0;
    let mut i = 0;
    while i < parts.len() {
        let part = parts[i].as_bytes();
        let mut j = 0;
        while j < part.len() {
            out[at] = part[j];
            at += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(at == N, "the parts' length changed");
    if sqlite {
        to_sqlite(&mut out);
    }
    out
}

/// The bytes as text (they came from `&str` parts and only ASCII was replaced by ASCII).
pub const fn as_str(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => panic!("SQL text is not UTF-8"),
    }
}

const fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `word` starts at `at`, on word boundaries, ignoring ASCII case.
const fn word_at(s: &[u8], at: usize, word: &[u8]) -> bool {
    if at + word.len() > s.len() || (at > 0 && is_word(s[at - 1])) {
        return false;
    }
    let mut k = 0;
    while k < word.len() {
        if s[at + k].to_ascii_uppercase() != word[k] {
            return false;
        }
        k += 1;
    }
    at + word.len() == s.len() || !is_word(s[at + word.len()])
}

/// PostgreSQL's text to SQLite's, in place and keeping the length. Quoted literals are left alone.
const fn to_sqlite(s: &mut [u8]) {
    let mut i = 0;
    let mut quoted = false;
    while i < s.len() {
        let b = s[i];
        if b == b'\'' {
            quoted = !quoted;
            i += 1;
            continue;
        }
        if quoted {
            i += 1;
            continue;
        }
        if b == b'$' && i + 1 < s.len() && s[i + 1].is_ascii_digit() {
            s[i] = b'?';
            i += 1;
        } else if b == b':' && i + 1 < s.len() && s[i + 1] == b':' {
            s[i] = b' ';
            s[i + 1] = b' ';
            i += 2;
            while i < s.len() && is_word(s[i]) {
                s[i] = b' ';
                i += 1;
            }
        } else if word_at(s, i, b"FOR") {
            // `FOR UPDATE` only; the whitespace between the two words is kept.
            let mut j = i + 3;
            while j < s.len() && s[j].is_ascii_whitespace() {
                j += 1;
            }
            if j > i + 3 && word_at(s, j, b"UPDATE") {
                let end = j + 6;
                while i < end {
                    if !s[i].is_ascii_whitespace() {
                        s[i] = b' ';
                    }
                    i += 1;
                }
            } else {
                i += 3;
            }
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    const COLUMNS: &str = "id, name";

    #[test]
    fn postgres_text_is_kept_and_joined() {
        assert_eq!(
            crate::sql!(postgres, "SELECT ", COLUMNS, " FROM t WHERE ($1::text IS NULL OR name = $1)"),
            "SELECT id, name FROM t WHERE ($1::text IS NULL OR name = $1)"
        );
    }

    #[test]
    fn sqlite_gets_numbered_parameters_and_no_casts() {
        let s = crate::sql!(
            sqlite,
            "SELECT ",
            COLUMNS,
            " FROM t WHERE ($1::text IS NULL OR name = $1) AND n > $12::BIGINT"
        );
        assert_eq!(
            s.split_whitespace().collect::<Vec<_>>().join(" "),
            "SELECT id, name FROM t WHERE (?1 IS NULL OR name = ?1) AND n > ?12"
        );
    }

    #[test]
    fn sqlite_drops_for_update_only() {
        let s = crate::sql!(sqlite, "SELECT a FROM t WHERE id = $1 FOR\n UPDATE");
        assert_eq!(s.split_whitespace().collect::<Vec<_>>().join(" "), "SELECT a FROM t WHERE id = ?1");
        let s = crate::sql!(sqlite, "SELECT before, for_update FROM t ORDER BY formula");
        assert_eq!(s, "SELECT before, for_update FROM t ORDER BY formula");
    }

    #[test]
    fn quoted_text_is_left_alone() {
        let s = crate::sql!(sqlite, "SELECT 'a::b $1 FOR UPDATE' FROM t WHERE x = $2");
        assert_eq!(s, "SELECT 'a::b $1 FOR UPDATE' FROM t WHERE x = ?2");
    }
}
