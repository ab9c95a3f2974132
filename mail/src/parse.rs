//! A small RFC 5322 / MIME reader: headers, nested multipart parts, decoded bodies and filenames.
//!
//! It exists to verify messages (ours, as received by a test SMTP server), not to be a general
//! mail parser: it handles what well-formed MIME mail uses (folding, quoted and RFC 2231
//! parameters, RFC 2047 encoded-words, base64 and quoted-printable) and rejects bodies whose
//! transfer encoding is broken instead of guessing.

use thiserror::Error;

use crate::encoding::{base64_decode, quoted_printable_decode, DecodeError};

/// Header fields as (name, value) pairs, in order.
type Headers = Vec<(String, String)>;

/// Deeper nesting than this is treated as hostile rather than recursed into.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("malformed header line {0:?}")]
    MalformedHeader(String),
    #[error("multipart entity without a boundary parameter")]
    MissingBoundary,
    #[error("MIME nesting deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("unsupported Content-Transfer-Encoding {0:?}")]
    UnknownTransferEncoding(String),
    #[error("invalid base64 body: {0}")]
    Base64(#[from] DecodeError),
}

/// One MIME entity. The top-level message is a `Part` too (its headers are the message headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Header fields in order, unfolded, values trimmed, names as written.
    pub headers: Vec<(String, String)>,
    /// Lower-case `type/subtype`; `text/plain` when absent (RFC 2045 §5.2).
    pub content_type: String,
    /// Content-Type parameters: lower-case names, unquoted values, RFC 2231 continuations joined
    /// and decoded.
    pub params: Vec<(String, String)>,
    /// Lower-case disposition type (`attachment`, `inline`), if any.
    pub disposition: Option<String>,
    /// Content-Disposition `filename`, else Content-Type `name`, decoded.
    pub filename: Option<String>,
    /// The body after transfer decoding; empty for multipart entities.
    pub body: Vec<u8>,
    /// Children of a multipart entity, in order.
    pub parts: Vec<Part>,
}

impl Part {
    /// The first header with this name (case-insensitive), unfolded and trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// All headers with this name, in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
    }

    /// A header with RFC 2047 encoded-words decoded (e.g. `Subject`).
    pub fn header_decoded(&self, name: &str) -> Option<String> {
        self.header(name).map(decode_encoded_words)
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn is_multipart(&self) -> bool {
        self.content_type.starts_with("multipart/")
    }

    pub fn is_attachment(&self) -> bool {
        self.disposition.as_deref() == Some("attachment")
    }

    /// This part and all its descendants, depth-first in document order.
    pub fn walk(&self) -> Vec<&Part> {
        let mut out = vec![self];
        for part in &self.parts {
            out.extend(part.walk());
        }
        out
    }

    /// The non-multipart parts, in document order.
    pub fn leaves(&self) -> Vec<&Part> {
        self.walk().into_iter().filter(|p| !p.is_multipart()).collect()
    }

    /// Parts with `Content-Disposition: attachment`, in document order.
    pub fn attachments(&self) -> Vec<&Part> {
        self.walk().into_iter().filter(|p| p.is_attachment()).collect()
    }

    /// The first non-attachment leaf of this content type (e.g. `text/html`).
    pub fn find_body(&self, content_type: &str) -> Option<&Part> {
        self.leaves().into_iter().find(|p| !p.is_attachment() && p.content_type.eq_ignore_ascii_case(content_type))
    }

    /// The body as text (lossy UTF-8; `iso-8859-1` bodies are mapped byte for byte).
    pub fn body_text(&self) -> String {
        decode_charset(self.param("charset").unwrap_or("utf-8"), &self.body)
            .unwrap_or_else(|| String::from_utf8_lossy(&self.body).into_owned())
    }
}

/// Parses a whole message (as received: headers, blank line, body).
pub fn parse_message(data: &[u8]) -> Result<Part, ParseError> {
    parse_part(data, 0)
}

fn parse_part(data: &[u8], depth: usize) -> Result<Part, ParseError> {
    if depth > MAX_DEPTH {
        return Err(ParseError::TooDeep);
    }
    let (headers, body) = split_headers(data)?;
    let find = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let (content_type, params) = match find("Content-Type") {
        Some(value) => {
            let (kind, params) = parse_parameterized(value);
            // A value without a slash is malformed; RFC 2045 §5.2 says to treat it as the default.
            if kind.contains('/') {
                (kind, params)
            } else {
                ("text/plain".to_string(), params)
            }
        }
        None => ("text/plain".to_string(), Vec::new()),
    };
    let (disposition, disposition_params) = match find("Content-Disposition") {
        Some(value) => {
            let (kind, params) = parse_parameterized(value);
            (Some(kind), params)
        }
        None => (None, Vec::new()),
    };
    let lookup =
        |params: &[(String, String)], name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let filename = lookup(&disposition_params, "filename")
        .or_else(|| lookup(&params, "name"))
        .map(|name| decode_encoded_words(&name));

    let mut part = Part {
        headers: headers.clone(),
        content_type,
        params,
        disposition,
        filename,
        body: Vec::new(),
        parts: Vec::new(),
    };
    if part.is_multipart() {
        let boundary = part.param("boundary").ok_or(ParseError::MissingBoundary)?.to_string();
        for child in split_multipart(body, &boundary) {
            part.parts.push(parse_part(child, depth + 1)?);
        }
    } else {
        let encoding = find("Content-Transfer-Encoding").unwrap_or("7bit").trim().to_ascii_lowercase();
        part.body = match encoding.as_str() {
            "base64" => base64_decode(body)?,
            "quoted-printable" => quoted_printable_decode(body),
            "7bit" | "8bit" | "binary" => body.to_vec(),
            other => return Err(ParseError::UnknownTransferEncoding(other.to_string())),
        };
    }
    Ok(part)
}

/// Splits at the first empty line; unfolds continuation lines (removing only the line break, as
/// RFC 5322 §2.2.3 says). Accepts bare LF line breaks too.
fn split_headers(data: &[u8]) -> Result<(Headers, &[u8]), ParseError> {
    let mut headers: Headers = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let (line, next) = next_line(data, pos);
        if line.is_empty() {
            return Ok((finish_headers(headers), &data[next..]));
        }
        let text = String::from_utf8_lossy(line);
        if line[0] == b' ' || line[0] == b'\t' {
            match headers.last_mut() {
                Some((_, value)) => value.push_str(&text),
                None => return Err(ParseError::MalformedHeader(text.into_owned())),
            }
        } else {
            match text.split_once(':') {
                Some((name, value)) if !name.is_empty() && !name.contains([' ', '\t']) => {
                    headers.push((name.to_string(), value.to_string()));
                }
                _ => return Err(ParseError::MalformedHeader(text.into_owned())),
            }
        }
        pos = next;
    }
    // Headers only, no body.
    Ok((finish_headers(headers), &data[data.len()..]))
}

fn finish_headers(headers: Headers) -> Headers {
    headers.into_iter().map(|(name, value)| (name, value.trim().to_string())).collect()
}

/// The line starting at `pos` without its terminator, and the position after the terminator.
fn next_line(data: &[u8], pos: usize) -> (&[u8], usize) {
    match data[pos..].iter().position(|&b| b == b'\n') {
        Some(i) => {
            let end = pos + i;
            let content_end = if end > pos && data[end - 1] == b'\r' { end - 1 } else { end };
            (&data[pos..content_end], end + 1)
        }
        None => (&data[pos..], data.len()),
    }
}

/// The body parts between `--boundary` delimiter lines (RFC 2046 §5.1.1). The line break before
/// a delimiter belongs to the delimiter, not to the part. The preamble and epilogue are dropped;
/// a missing close delimiter ends the last part at the end of the data.
fn split_multipart<'a>(body: &'a [u8], boundary: &str) -> Vec<&'a [u8]> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut parts = Vec::new();
    let mut current: Option<usize> = None;
    let mut pos = 0;
    while pos < body.len() {
        let (line, next) = next_line(body, pos);
        if let Some(rest) = line.strip_prefix(delimiter) {
            let (closing, rest) = match rest.strip_prefix(b"--") {
                Some(rest) => (true, rest),
                None => (false, rest),
            };
            if rest.iter().all(|&b| b == b' ' || b == b'\t') {
                if let Some(start) = current {
                    let end = if pos >= 2 && &body[pos - 2..pos] == b"\r\n" {
                        pos - 2
                    } else if pos >= 1 && body[pos - 1] == b'\n' {
                        pos - 1
                    } else {
                        pos
                    };
                    parts.push(&body[start..end.max(start)]);
                }
                if closing {
                    return parts;
                }
                current = Some(next);
            }
        }
        pos = next;
    }
    if let Some(start) = current {
        parts.push(&body[start.min(body.len())..]);
    }
    parts
}

/// Parses `value; name=token; name="quoted"; name*0*=UTF-8''...` into the lower-cased value and
/// parameters, joining RFC 2231 continuations and preferring extended values over plain ones.
fn parse_parameterized(header: &str) -> (String, Vec<(String, String)>) {
    let mut segments = split_unquoted(header, ';').into_iter();
    let value = segments.next().unwrap_or_default().trim().to_ascii_lowercase();

    struct Raw {
        name: String,
        section: Option<u32>,
        extended: bool,
        value: String,
    }
    let mut raws = Vec::new();
    for segment in segments {
        let Some((name, raw_value)) = segment.split_once('=') else {
            continue;
        };
        let mut name = name.trim().to_ascii_lowercase();
        let raw_value = raw_value.trim();
        let extended = name.ends_with('*');
        if extended {
            name.pop();
        }
        let section = match name.rsplit_once('*') {
            Some((base, number)) if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
                let section = number.parse().ok();
                name = base.to_string();
                section
            }
            _ => None,
        };
        let value = if raw_value.starts_with('"') { unquote(raw_value) } else { raw_value.to_string() };
        raws.push(Raw { name, section, extended, value });
    }

    let mut params: Vec<(String, String)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for raw in &raws {
        if !names.contains(&raw.name) {
            names.push(raw.name.clone());
        }
    }
    for name in names {
        let mut pieces: Vec<&Raw> =
            raws.iter().filter(|r| r.name == name && (r.section.is_some() || r.extended)).collect();
        let plain = raws.iter().find(|r| r.name == name && r.section.is_none() && !r.extended);
        let value = if pieces.is_empty() {
            plain.map(|r| r.value.clone()).unwrap_or_default()
        } else {
            pieces.sort_by_key(|r| r.section.unwrap_or(0));
            let mut charset = String::from("us-ascii");
            let mut bytes = Vec::new();
            for (index, piece) in pieces.iter().enumerate() {
                if piece.extended {
                    let mut text = piece.value.as_str();
                    if index == 0 {
                        // charset'language'value
                        let mut fields = text.splitn(3, '\'');
                        if let (Some(cs), Some(_lang), Some(rest)) = (fields.next(), fields.next(), fields.next()) {
                            charset = cs.to_string();
                            text = rest;
                        }
                    }
                    bytes.extend(percent_decode(text));
                } else {
                    bytes.extend_from_slice(piece.value.as_bytes());
                }
            }
            decode_charset(&charset, &bytes).unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned())
        };
        params.push((name, value));
    }
    (value, params)
}

/// Splits on `separator` outside double quotes (honouring backslash escapes inside them).
fn split_unquoted(text: &str, separator: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if quoted && c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == separator && !quoted {
            out.push(&text[start..i]);
            start = i + 1;
        }
    }
    out.push(&text[start..]);
    out
}

fn unquote(text: &str) -> String {
    let inner = text.strip_prefix('"').unwrap_or(text);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '"' => break,
            other => out.push(other),
        }
    }
    out
}

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // Checked digit by digit: from_str_radix would also accept a sign ("%+5").
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
                .and_then(|hex| std::str::from_utf8(hex).ok());
            if let Some(value) = hex.and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Bytes in a charset we can decode without tables; `None` for others.
fn decode_charset(charset: &str, bytes: &[u8]) -> Option<String> {
    let charset = charset.split('*').next().unwrap_or("").trim().to_ascii_lowercase();
    match charset.as_str() {
        "utf-8" | "utf8" | "us-ascii" | "ascii" => Some(String::from_utf8_lossy(bytes).into_owned()),
        "iso-8859-1" | "latin1" | "latin-1" => Some(bytes.iter().map(|&b| b as char).collect()),
        _ => None,
    }
}

/// Decodes RFC 2047 encoded-words (`=?charset?B|Q?text?=`) in a header value. Whitespace between
/// two adjacent encoded-words is dropped (§6.2); words in unknown charsets are left as they are.
pub fn decode_encoded_words(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    let mut previous_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, candidate) = rest.split_at(start);
        match decode_one_word(candidate) {
            Some((decoded, consumed)) => {
                let only_space = before.chars().all(|c| c == ' ' || c == '\t');
                if !(previous_was_word && only_space) {
                    out.push_str(before);
                }
                out.push_str(&decoded);
                rest = &candidate[consumed..];
                previous_was_word = true;
            }
            None => {
                out.push_str(before);
                out.push_str("=?");
                rest = &candidate[2..];
                previous_was_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes one encoded-word at the start of `text`; returns the text and bytes consumed.
fn decode_one_word(text: &str) -> Option<(String, usize)> {
    let body = text.strip_prefix("=?")?;
    let charset_end = body.find('?')?;
    let charset = &body[..charset_end];
    let after_charset = &body[charset_end + 1..];
    let mut chars = after_charset.chars();
    let encoding = chars.next()?.to_ascii_uppercase();
    if chars.next()? != '?' {
        return None;
    }
    let payload_and_rest = &after_charset[2..];
    let payload_end = payload_and_rest.find("?=")?;
    let payload = &payload_and_rest[..payload_end];
    if charset.is_empty() || charset.contains(char::is_whitespace) || payload.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match encoding {
        'B' => base64_decode(payload.as_bytes()).ok()?,
        'Q' => {
            let underscores = payload.replace('_', " ");
            quoted_printable_decode(underscores.as_bytes())
        }
        _ => return None,
    };
    let decoded = decode_charset(charset, &bytes)?;
    let consumed = 2 + charset_end + 1 + 2 + payload_end + 2;
    Some((decoded, consumed))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn percent_decode_for_tests(text: &str) -> Vec<u8> {
        percent_decode(text)
    }

    #[test]
    fn parses_headers_with_folding() {
        let data = b"Subject: a long\r\n  folded subject\r\nX-Empty:\r\nTo: a@b.example\r\n\r\nbody\r\n";
        let part = parse_message(data).unwrap();
        assert_eq!(part.header("subject"), Some("a long  folded subject"));
        assert_eq!(part.header("X-Empty"), Some(""));
        assert_eq!(part.content_type, "text/plain");
        assert_eq!(part.body, b"body\r\n");
        assert!(matches!(parse_message(b"no colon here\r\n\r\n"), Err(ParseError::MalformedHeader(_))));
        assert!(matches!(parse_message(b" leading fold\r\n\r\n"), Err(ParseError::MalformedHeader(_))));
    }

    #[test]
    fn parses_nested_multipart_with_preamble_and_epilogue() {
        let data = b"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
preamble\r\n\
--outer\r\n\
Content-Type: multipart/alternative; boundary=inner\r\n\r\n\
--inner\r\n\
Content-Type: text/plain; charset=\"utf-8\"\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\n\
caf=C3=A9 =\r\nsoft\r\n\
--inner\r\n\
Content-Type: text/html\r\n\r\n\
<p>x</p>\r\n\
--inner--\r\n\
--outer \r\n\
Content-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename*0*=UTF-8''%C3%A9t%C3%A9; filename*1=\".bin\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n\
AAEC\r\n/w==\r\n\
--outer--\r\n\
epilogue\r\n";
        let message = parse_message(data).unwrap();
        assert!(message.is_multipart());
        assert_eq!(message.parts.len(), 2);
        let leaves = message.leaves();
        assert_eq!(leaves.len(), 3);
        assert_eq!(leaves[0].body_text(), "café soft");
        assert_eq!(leaves[1].body, b"<p>x</p>");
        assert_eq!(message.find_body("text/html").unwrap().body, b"<p>x</p>");
        let attachments = message.attachments();
        assert_eq!(attachments.len(), 1);
        assert_eq!(attachments[0].filename.as_deref(), Some("été.bin"));
        assert_eq!(attachments[0].body, [0, 1, 2, 255]);
    }

    #[test]
    fn parameters_quoting_and_precedence() {
        let (value, params) = parse_parameterized("Attachment; filename=\"a; b \\\"c\\\".pdf\"; size=10");
        assert_eq!(value, "attachment");
        assert_eq!(params, vec![("filename".into(), "a; b \"c\".pdf".into()), ("size".into(), "10".into())]);
        let (_, params) = parse_parameterized("attachment; filename=\"fallback.pdf\"; filename*=UTF-8''%E2%82%AC.pdf");
        assert_eq!(params, vec![("filename".into(), "€.pdf".into())]);
        let (_, params) = parse_parameterized("text/plain; title*=iso-8859-1'fr'%E9t%E9");
        assert_eq!(params, vec![("title".into(), "été".into())]);
    }

    #[test]
    fn decodes_encoded_words() {
        assert_eq!(decode_encoded_words("=?UTF-8?B?w6l0w6k=?="), "été");
        assert_eq!(decode_encoded_words("=?utf-8?q?caf=C3=A9_cr=C3=A8me?="), "café crème");
        assert_eq!(decode_encoded_words("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?="), "ab");
        assert_eq!(decode_encoded_words("x =?UTF-8?B?w6k=?= y"), "x é y");
        assert_eq!(decode_encoded_words("not =? a word ?= here"), "not =? a word ?= here");
        assert_eq!(decode_encoded_words("=?x-unknown?B?AA==?="), "=?x-unknown?B?AA==?=");
    }

    #[test]
    fn rejects_broken_bodies_and_missing_boundary() {
        let bad_base64 = b"Content-Transfer-Encoding: base64\r\n\r\n!!!!\r\n";
        assert!(matches!(parse_message(bad_base64), Err(ParseError::Base64(_))));
        let no_boundary = b"Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\n--x--\r\n";
        assert_eq!(parse_message(no_boundary), Err(ParseError::MissingBoundary));
        let unknown = b"Content-Transfer-Encoding: x-uuencode\r\n\r\nbody";
        assert!(matches!(parse_message(unknown), Err(ParseError::UnknownTransferEncoding(_))));
    }

    #[test]
    fn unterminated_multipart_takes_the_rest() {
        let data = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo";
        let message = parse_message(data).unwrap();
        let bodies: Vec<&[u8]> = message.parts.iter().map(|p| p.body.as_slice()).collect();
        assert_eq!(bodies, vec![&b"one"[..], &b"two"[..]]);
    }
}
