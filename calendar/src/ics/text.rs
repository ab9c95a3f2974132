//! RFC 5545 lexical helpers: TEXT escaping, parameter quoting, UTC date-times, line folding.

use chrono::{DateTime, Utc};

/// Longest content line in octets, excluding the CRLF (RFC 5545 §3.1).
pub const MAX_LINE_OCTETS: usize = 75;

/// Escapes a TEXT value (§3.3.11): backslash, semicolon and comma get a backslash, any newline
/// (LF, CRLF or lone CR) becomes `\n`. Other ASCII controls except TAB are not allowed in TEXT,
/// so they are dropped rather than producing a file strict parsers reject.
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if is_forbidden_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Quotes a parameter value such as CN. DQUOTE cannot appear even inside quotes, so it and
/// newlines use RFC 6868 caret encoding (`^'`, `^n`, `^^`), which modern clients decode.
pub fn quote_param(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '^' => out.push_str("^^"),
            '"' => out.push_str("^'"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("^n");
            }
            '\n' => out.push_str("^n"),
            c if is_forbidden_control(c) => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A `mailto:` calendar address. Whitespace and controls are removed because a URI value is not
/// escaped in iCalendar and a stray newline would otherwise inject a property.
pub fn mailto(email: &str) -> String {
    let clean: String = email.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    format!("mailto:{clean}")
}

/// UTC DATE-TIME in form #2 (§3.3.5): `YYYYMMDDTHHMMSSZ`; sub-second precision is dropped.
pub fn utc_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Appends one content line, folded so no physical line exceeds 75 octets, then CRLF.
/// Continuation lines start with a space that counts toward their 75 octets; a fold never
/// falls inside a multi-byte UTF-8 character (§3.1 requires octets, clients require valid UTF-8).
pub fn push_folded(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

/// CONTROL in RFC 5545's grammar: US-ASCII controls except HTAB.
fn is_forbidden_control(c: char) -> bool {
    c.is_ascii_control() && c != '\t'
}
