//! Base64 (RFC 4648 / RFC 2045 §6.8) and quoted-printable (RFC 2045 §6.7) codecs.
//!
//! Written here rather than pulled in as a dependency: both are small, and owning them lets the
//! builder guarantee the exact line lengths and the "no `=_` in any encoded body" property that
//! the MIME boundaries rely on (see `message`).

use std::fmt::Write as _;

use thiserror::Error;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// RFC 2045 §6.8 / §6.7: encoded lines are at most 76 characters (not counting CRLF).
pub const MAX_ENCODED_LINE: usize = 76;

/// A body that is not valid in the transfer encoding it claims.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("byte {byte:#04x} at offset {offset} is not in the base64 alphabet")]
    InvalidBase64Byte { byte: u8, offset: usize },
    #[error("base64 data continues after '=' padding at offset {0}")]
    DataAfterPadding(usize),
    #[error("base64 data has an impossible length ({symbols} symbols, {padding} padding)")]
    InvalidBase64Length { symbols: usize, padding: usize },
}

/// Standard base64 with `=` padding, no line breaks.
pub fn base64_encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b0 = chunk[0] as u32;
        let b1 = chunk.get(1).copied().unwrap_or(0) as u32;
        let b2 = chunk.get(2).copied().unwrap_or(0) as u32;
        let n = (b0 << 16) | (b1 << 8) | b2;
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { ALPHABET[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { ALPHABET[n as usize & 63] as char } else { '=' });
    }
    out
}

/// Base64 split into lines of [`MAX_ENCODED_LINE`] characters joined by CRLF, without a trailing CRLF
/// (in MIME the CRLF after the last line belongs to the following boundary delimiter).
pub fn base64_encode_lines(input: &[u8]) -> String {
    let flat = base64_encode(input);
    let mut out = String::with_capacity(flat.len() + flat.len() / MAX_ENCODED_LINE * 2);
    // The alphabet is ASCII, so byte chunks are char chunks.
    for (i, line) in flat.as_bytes().chunks(MAX_ENCODED_LINE).enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        out.push_str(std::str::from_utf8(line).expect("base64 output is ASCII"));
    }
    out
}

fn base64_value(byte: u8) -> Option<u32> {
    Some(match byte {
        b'A'..=b'Z' => byte - b'A',
        b'a'..=b'z' => byte - b'a' + 26,
        b'0'..=b'9' => byte - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    } as u32)
}

/// Decodes base64, ignoring the whitespace and line breaks that MIME inserts.
///
/// Any other byte outside the alphabet is an error rather than skipped (RFC 2045 allows skipping,
/// but this decoder exists to check messages, and silently skipping would hide corruption).
/// Missing trailing padding is accepted, since some encoders omit it.
pub fn base64_decode(input: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut symbols = 0usize;
    let mut padding = 0usize;
    for (offset, &byte) in input.iter().enumerate() {
        match byte {
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            b'=' => {
                padding += 1;
                continue;
            }
            _ => {}
        }
        if padding > 0 {
            return Err(DecodeError::DataAfterPadding(offset));
        }
        let value = base64_value(byte).ok_or(DecodeError::InvalidBase64Byte { byte, offset })?;
        symbols += 1;
        acc = (acc << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // `%` rather than `is_multiple_of`: the workspace's rust-version (1.85) predates it.
    #[allow(clippy::manual_is_multiple_of)]
    let bad_length = symbols % 4 == 1 || padding > 2 || (padding > 0 && (symbols + padding) % 4 != 0);
    if bad_length {
        return Err(DecodeError::InvalidBase64Length { symbols, padding });
    }
    Ok(out)
}

/// Quoted-printable encoding of `input`, where CRLF pairs are hard line breaks.
///
/// Lone CR or LF bytes are not line breaks: they are encoded as `=0D` / `=0A`, so every input
/// round-trips byte for byte (callers that want text semantics normalise line breaks first).
/// `=` and every byte outside printable ASCII are encoded; a space or tab at the end of a line is
/// encoded too, because transports may strip trailing whitespace. Physical lines never exceed 76
/// characters; soft breaks (`=` CRLF) never split an `=XX` triplet.
pub fn quoted_printable_encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    let mut rest = input;
    let mut first = true;
    loop {
        if !first {
            out.push_str("\r\n");
        }
        first = false;
        match find_crlf(rest) {
            Some(i) => {
                encode_qp_line(&rest[..i], &mut out);
                rest = &rest[i + 2..];
            }
            None => {
                encode_qp_line(rest, &mut out);
                return out;
            }
        }
    }
}

fn find_crlf(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|w| w == b"\r\n")
}

fn encode_qp_line(line: &[u8], out: &mut String) {
    let mut column = 0;
    for (i, &byte) in line.iter().enumerate() {
        let last = i + 1 == line.len();
        let literal = match byte {
            b' ' | b'\t' => !last,
            b'=' => false,
            33..=126 => true,
            _ => false,
        };
        let width = if literal { 1 } else { 3 };
        // Keep room for the soft-break '=' unless this is the line's final token.
        let limit = if last { MAX_ENCODED_LINE } else { MAX_ENCODED_LINE - 1 };
        if column + width > limit {
            out.push_str("=\r\n");
            column = 0;
        }
        if literal {
            out.push(byte as char);
        } else {
            let _ = write!(out, "={byte:02X}");
        }
        column += width;
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    }
}

/// Decodes quoted-printable.
///
/// Lines may end in CRLF or a bare LF; the terminator found is kept for hard breaks. Trailing
/// whitespace on a line is dropped (RFC 2045 §6.7 rule 3: it was added in transport). A malformed
/// `=` sequence is kept literally, as RFC 2045 recommends for robustness.
pub fn quoted_printable_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    while !rest.is_empty() {
        let (line, terminator, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) if i > 0 && rest[i - 1] == b'\r' => (&rest[..i - 1], &b"\r\n"[..], &rest[i + 1..]),
            Some(i) => (&rest[..i], &b"\n"[..], &rest[i + 1..]),
            None => (rest, &b""[..], &rest[rest.len()..]),
        };
        let mut end = line.len();
        while end > 0 && matches!(line[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        let line = &line[..end];
        let (content, soft) = match line.last() {
            Some(b'=') => (&line[..line.len() - 1], true),
            _ => (line, false),
        };
        let mut i = 0;
        while i < content.len() {
            let byte = content[i];
            if byte == b'=' {
                if let (Some(hi), Some(lo)) =
                    (content.get(i + 1).copied().and_then(hex_value), content.get(i + 2).copied().and_then(hex_value))
                {
                    out.push(hi << 4 | lo);
                    i += 3;
                    continue;
                }
            }
            out.push(byte);
            i += 1;
        }
        if !soft {
            out.extend_from_slice(terminator);
        }
        rest = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rfc4648_vectors() {
        let vectors: [(&str, &str); 7] = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
            assert_eq!(base64_decode(encoded.as_bytes()).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn base64_all_bytes_round_trip_with_lines() {
        let all: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let encoded = base64_encode_lines(&all);
        for line in encoded.split("\r\n") {
            assert!(line.len() <= MAX_ENCODED_LINE);
        }
        assert_eq!(encoded.split("\r\n").next().unwrap().len(), 76);
        assert!(!encoded.ends_with("\r\n"));
        assert_eq!(base64_decode(encoded.as_bytes()).unwrap(), all);
        // Known value for the 0..=2 prefix and the high bytes.
        assert_eq!(base64_encode(&[0, 1, 2]), "AAEC");
        assert_eq!(base64_encode(&[0xfb, 0xff, 0xfe]), "+//+");
    }

    #[test]
    fn base64_rejects_garbage() {
        assert!(matches!(base64_decode(b"Zm9v!"), Err(DecodeError::InvalidBase64Byte { byte: b'!', offset: 4 })));
        assert!(matches!(base64_decode(b"Zg==Zg=="), Err(DecodeError::DataAfterPadding(4))));
        assert!(matches!(base64_decode(b"Z"), Err(DecodeError::InvalidBase64Length { .. })));
        assert!(matches!(base64_decode(b"Zg="), Err(DecodeError::InvalidBase64Length { .. })));
        // Unpadded input is accepted.
        assert_eq!(base64_decode(b"Zm8").unwrap(), b"fo");
    }

    #[test]
    fn qp_basic_vectors() {
        assert_eq!(quoted_printable_encode(b"a=b"), "a=3Db");
        assert_eq!(quoted_printable_encode("café".as_bytes()), "caf=C3=A9");
        assert_eq!(quoted_printable_encode(b"trailing \r\nnext\t"), "trailing=20\r\nnext=09");
        assert_eq!(quoted_printable_encode(b"in between\r\n"), "in between\r\n");
        assert_eq!(quoted_printable_encode(b"lone\nlf"), "lone=0Alf");
        assert_eq!(quoted_printable_encode(b""), "");
    }

    #[test]
    fn qp_rfc2045_soft_break_example() {
        // RFC 2045 §6.7 rule 5 example: soft line breaks vanish when decoding.
        let encoded = b"Now's the time =\r\nfor all folk to come=\r\n to the aid of their country.";
        assert_eq!(
            quoted_printable_decode(encoded),
            b"Now's the time for all folk to come to the aid of their country."
        );
    }

    #[test]
    fn qp_decoding_details() {
        // Lowercase hex, trailing transport whitespace, malformed '=' kept literally, LF lines.
        assert_eq!(quoted_printable_decode(b"caf=c3=a9  \r\nx"), "café\r\nx".as_bytes());
        assert_eq!(quoted_printable_decode(b"a=ZZb=4"), b"a=ZZb=4");
        assert_eq!(quoted_printable_decode(b"soft=\nhard\n"), b"softhard\n");
    }

    #[test]
    fn qp_long_lines_soft_break_at_76() {
        let line = "x".repeat(200);
        let encoded = quoted_printable_encode(line.as_bytes());
        for physical in encoded.split("\r\n") {
            assert!(physical.len() <= 76, "{physical:?}");
        }
        assert_eq!(encoded.split("\r\n").next().unwrap(), format!("{}=", "x".repeat(75)));
        assert_eq!(quoted_printable_decode(encoded.as_bytes()), line.as_bytes());

        // Exactly 76 characters needs no soft break.
        let exact = "y".repeat(76);
        assert_eq!(quoted_printable_encode(exact.as_bytes()), exact);
        // An =XX triplet is never split across a soft break.
        let tricky = format!("{}é", "z".repeat(74));
        let encoded = quoted_printable_encode(tricky.as_bytes());
        assert_eq!(encoded, format!("{}=\r\n=C3=A9", "z".repeat(74)));
    }

    #[test]
    fn qp_round_trips_arbitrary_bytes() {
        let mut data: Vec<u8> = (0..=255u8).collect();
        data.extend_from_slice(b"\r\n. leading dot\r\n \r\n\t\r\nend ");
        data.extend(std::iter::repeat_n(b'=', 100));
        let encoded = quoted_printable_encode(&data);
        assert!(encoded.bytes().all(|b| (32..127).contains(&b) || b"\r\n\t".contains(&b)));
        for physical in encoded.split("\r\n") {
            assert!(physical.len() <= 76);
            assert!(!physical.ends_with(' ') && !physical.ends_with('\t'));
        }
        assert!(!encoded.contains("=_"), "the boundary scheme relies on this");
        assert_eq!(quoted_printable_decode(encoded.as_bytes()), data);
    }
}
