//! Writing PDF tokens: numbers, literal strings, text strings.
//!
//! Every byte that reaches a content stream or dictionary passes through here, so escaping and number
//! formatting are right in one place: PDF has no exponent notation, and `(`, `)`, `\` in strings must be
//! escaped or the file is corrupt.

/// `v` as a PDF real: at most 3 decimals, trailing zeros trimmed, never exponent notation or `-0`.
/// Non-finite values are written as 0 so a bad coordinate cannot corrupt the file.
pub(crate) fn num(v: f32) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let mut s = format!("{:.3}", v);
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    if s == "-0" {
        s = "0".to_string();
    }
    s
}

/// Appends `bytes` as a literal string `( … )`, escaping `(`, `)`, `\` and line-break bytes.
pub(crate) fn push_literal(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'(');
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
    out.push(b')');
}

/// A text string for the Info dictionary: a literal string when `text` is printable ASCII, otherwise
/// UTF-16BE with a byte-order mark as a hex string, so any Unicode title survives.
pub(crate) fn text_string(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    if text.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        push_literal(&mut out, text.as_bytes());
        return out;
    }
    out.extend_from_slice(b"<FEFF");
    for unit in text.encode_utf16() {
        out.extend_from_slice(format!("{unit:04X}").as_bytes());
    }
    out.push(b'>');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_compact_and_never_exponential() {
        assert_eq!(num(595.0), "595");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(12.3456), "12.346");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(1e-12), "0");
        assert_eq!(num(1e9), "1000000000");
        assert_eq!(num(f32::NAN), "0");
    }

    #[test]
    fn literal_strings_escape_delimiters() {
        let mut out = Vec::new();
        push_literal(&mut out, br"a(b)c\d");
        assert_eq!(out, br"(a\(b\)c\\d)".to_vec());
    }

    #[test]
    fn text_strings_use_utf16_for_non_ascii() {
        assert_eq!(text_string("CMA (Marina)"), br"(CMA \(Marina\))".to_vec());
        assert_eq!(text_string("é"), b"<FEFF00E9>".to_vec());
    }
}
