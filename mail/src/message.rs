//! MIME message builder: turns a [`Message`] into RFC 5322 / RFC 2045 bytes, purely and deterministically.
//!
//! Layout: `multipart/mixed` (only when there are attachments) holding either the bare
//! `text/plain` part or a `multipart/alternative` of `text/plain` then `text/html` (plain first:
//! RFC 2046 §5.1.4 orders alternatives from least to most faithful, and clients show the last
//! one they understand). Text parts are UTF-8 quoted-printable; attachments are base64.
//!
//! The output is 7-bit ASCII with CRLF line breaks only, so it passes any SMTP relay unchanged
//! and needs no 8BITMIME/SMTPUTF8 support.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::encoding::{base64_encode, base64_encode_lines, quoted_printable_encode};

/// RFC 5322 §2.1.1: lines SHOULD be at most 78 characters; we fold headers to this.
const FOLD_AT: usize = 78;
/// RFC 5322 §2.1.1: lines MUST be at most 998 characters.
const HARD_LINE_LIMIT: usize = 998;
/// Bytes of UTF-8 per RFC 2047 encoded-word: 39 bytes → 52 base64 chars → a 64-char word, which
/// fits after the longest header name we encode ("Reply-To:") within 78 columns.
const ENCODED_WORD_BYTES: usize = 39;
/// Headers the builder writes itself; letting callers add them would produce duplicates or
/// contradict the MIME structure (and `Bcc` would leak the blind copies).
const RESERVED_HEADERS: &[&str] = &[
    "date",
    "from",
    "sender",
    "to",
    "cc",
    "bcc",
    "reply-to",
    "subject",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
];

/// Why a message (or one of its addresses) cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MessageError {
    #[error("invalid address {input:?}: {reason}")]
    InvalidAddress { input: String, reason: &'static str },
    /// A value that ends up in a header contains CR or LF. Never stripped or escaped: the
    /// caller's data is wrong, and guessing could still let an attacker add headers.
    #[error("{field} contains a line break (CR or LF): refusing to build the message (header injection)")]
    HeaderInjection { field: String },
    #[error("invalid header {name:?}: {reason}")]
    InvalidHeader { name: String, reason: &'static str },
    #[error("invalid attachment {filename:?}: {reason}")]
    InvalidAttachment { filename: String, reason: &'static str },
    #[error("invalid Message-ID {id:?}: {reason}")]
    InvalidMessageId { id: String, reason: &'static str },
    #[error("the message has no To recipient")]
    NoRecipients,
}

fn reject_line_breaks(field: &str, value: &str) -> Result<(), MessageError> {
    if value.contains(['\r', '\n']) {
        return Err(MessageError::HeaderInjection { field: field.to_string() });
    }
    Ok(())
}

/// A mailbox: an optional display name and an e-mail address.
///
/// Construct through [`Address::new`], [`Address::with_name`] or [`Address::parse`] to validate
/// early; the fields are public, so [`Message::to_rfc5322`] validates again before writing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    pub name: Option<String>,
    pub email: String,
}

impl Address {
    /// An address without display name.
    pub fn new(email: impl Into<String>) -> Result<Self, MessageError> {
        let address = Address { name: None, email: email.into() };
        address.validate()?;
        Ok(address)
    }

    /// An address with display name (an empty name means none).
    pub fn with_name(name: impl Into<String>, email: impl Into<String>) -> Result<Self, MessageError> {
        let name = name.into();
        let address = Address { name: (!name.is_empty()).then_some(name), email: email.into() };
        address.validate()?;
        Ok(address)
    }

    /// Parses `a@b.example`, `Name <a@b.example>` or `"Last, First" <a@b.example>`.
    pub fn parse(input: &str) -> Result<Self, MessageError> {
        let invalid = |reason| MessageError::InvalidAddress { input: input.to_string(), reason };
        if input.contains(['\r', '\n']) {
            return Err(invalid("contains a line break"));
        }
        let trimmed = input.trim();
        let (name, email) = match trimmed.rfind('<') {
            Some(open) => {
                let Some(inner) = trimmed[open + 1..].strip_suffix('>') else {
                    return Err(invalid("expected '>' at the end"));
                };
                let raw_name = trimmed[..open].trim();
                let name = if raw_name.len() >= 2 && raw_name.starts_with('"') && raw_name.ends_with('"') {
                    unescape_quoted(&raw_name[1..raw_name.len() - 1])
                } else {
                    raw_name.to_string()
                };
                if name.contains(['<', '>']) {
                    return Err(invalid("display name contains '<' or '>'"));
                }
                (name, inner.trim())
            }
            None if trimmed.contains('>') => return Err(invalid("'>' without '<'")),
            None => (String::new(), trimmed),
        };
        Address::with_name(name, email)
    }

    /// Checks the e-mail address and display name.
    pub fn validate(&self) -> Result<(), MessageError> {
        validate_email(&self.email)?;
        if let Some(name) = &self.name {
            reject_line_breaks("display name", name)?;
            if name.chars().count() > 256 {
                return Err(MessageError::InvalidAddress {
                    input: self.email.clone(),
                    reason: "display name longer than 256 characters",
                });
            }
        }
        Ok(())
    }

    /// The header tokens for this mailbox (display name words, then `<email>`), for folding.
    fn header_tokens(&self) -> Result<Vec<String>, MessageError> {
        self.validate()?;
        let name = self.name.as_deref().filter(|n| !n.is_empty());
        let Some(name) = name else {
            return Ok(vec![self.email.clone()]);
        };
        let mut tokens: Vec<String> = if is_atom_phrase(name) {
            name.split(' ').map(str::to_string).collect()
        } else if is_printable_ascii(name) && !name.contains("=?") {
            vec![quote(name)]
        } else {
            encoded_words(name)
        };
        tokens.push(format!("<{}>", self.email));
        Ok(tokens)
    }
}

impl FromStr for Address {
    type Err = MessageError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Address::parse(s)
    }
}

/// Human-readable form (`Name <email>`), not header-encoded.
impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name.as_deref().filter(|n| !n.is_empty()) {
            Some(name) => write!(f, "{name} <{}>", self.email),
            None => f.write_str(&self.email),
        }
    }
}

fn unescape_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

fn is_printable_ascii(s: &str) -> bool {
    s.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

/// A display name that can be written as plain atoms separated by single spaces.
fn is_atom_phrase(s: &str) -> bool {
    !s.contains("=?") && s.split(' ').all(|word| !word.is_empty() && word.bytes().all(is_atext))
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Validates an addr-spec conservatively: the dot-atom forms only (no quoted local parts, no
/// domain literals), ASCII only (no SMTPUTF8), RFC 5321 length limits.
pub fn validate_email(email: &str) -> Result<(), MessageError> {
    let invalid = |reason| MessageError::InvalidAddress { input: email.to_string(), reason };
    if email.contains(['\r', '\n']) {
        return Err(invalid("contains a line break"));
    }
    if email.len() > 254 {
        return Err(invalid("longer than 254 characters"));
    }
    let mut halves = email.split('@');
    let (Some(local), Some(domain), None) = (halves.next(), halves.next(), halves.next()) else {
        return Err(invalid("must contain exactly one '@'"));
    };
    if local.is_empty() || local.len() > 64 {
        return Err(invalid("local part must be 1 to 64 characters"));
    }
    if !local.bytes().all(|b| is_atext(b) || b == b'.') {
        return Err(invalid("local part contains a character outside letters, digits and !#$%&'*+-/=?^_`{|}~."));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(invalid("local part has a leading, trailing or doubled '.'"));
    }
    if domain.is_empty() || domain.len() > 253 {
        return Err(invalid("domain must be 1 to 253 characters"));
    }
    for label in domain.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(invalid("domain labels must be 1 to 63 letters, digits or inner hyphens"));
        }
    }
    Ok(())
}

/// A file attached to the message (sent base64-encoded, `Content-Disposition: attachment`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Shown to the recipient; non-ASCII names are RFC 2231-encoded.
    pub filename: String,
    /// `type/subtype`, e.g. `application/pdf` (no parameters).
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Attachment {
    pub fn new(filename: impl Into<String>, content_type: impl Into<String>, bytes: Vec<u8>) -> Self {
        Attachment { filename: filename.into(), content_type: content_type.into(), bytes }
    }

    fn validate(&self) -> Result<(), MessageError> {
        let invalid = |reason| MessageError::InvalidAttachment { filename: self.filename.clone(), reason };
        reject_line_breaks("attachment filename", &self.filename)?;
        reject_line_breaks("attachment content type", &self.content_type)?;
        if self.filename.is_empty() || self.filename.len() > 255 {
            return Err(invalid("filename must be 1 to 255 bytes"));
        }
        if self.filename.chars().any(char::is_control) {
            return Err(invalid("filename contains control characters"));
        }
        let is_token =
            |s: &str| !s.is_empty() && s.bytes().all(|b| (33..=126).contains(&b) && !b"()<>@,;:\\\"/[]?=".contains(&b));
        match self.content_type.split_once('/') {
            Some((kind, subtype)) if is_token(kind) && is_token(subtype) => Ok(()),
            _ => Err(invalid("content type must be type/subtype without parameters")),
        }
    }
}

/// An e-mail to build. Every input of the output bytes is here: the builder reads no clock and no
/// random source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub from: Address,
    pub to: Vec<Address>,
    pub reply_to: Option<Address>,
    pub subject: String,
    /// Plain-text body (always sent). Line breaks (LF, CR or CRLF) become CRLF.
    pub text: String,
    /// Optional HTML alternative. Line breaks are normalised like `text`.
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    pub date: DateTime<Utc>,
    /// `id-left@id-right`, with or without the angle brackets. Also seeds the MIME boundaries.
    pub message_id: String,
    /// Extra headers such as `List-Unsubscribe`, written in order after the standard ones.
    /// Non-ASCII values are written as RFC 2047 encoded-words (fine for unstructured headers).
    pub headers: Vec<(String, String)>,
}

impl Message {
    /// The complete message (headers and body) as RFC 5322 bytes with CRLF line breaks.
    ///
    /// Deterministic: the same `Message` always yields the same bytes. Fails if a header value
    /// contains CR/LF, an address or attachment is invalid, or there is no To recipient.
    ///
    /// A single-part message ends with CRLF even when `text` does not (a message body is lines);
    /// in multipart messages the text parts decode to exactly the normalised text.
    pub fn to_rfc5322(&self) -> Result<Vec<u8>, MessageError> {
        if self.to.is_empty() {
            return Err(MessageError::NoRecipients);
        }
        let id = message_id_core(&self.message_id)?;
        let mut head = String::new();
        head.push_str(&format!("Date: {}\r\n", self.date.format("%a, %d %b %Y %H:%M:%S +0000")));
        head.push_str(&address_header("From", std::slice::from_ref(&self.from))?);
        head.push_str(&address_header("To", &self.to)?);
        if let Some(reply_to) = &self.reply_to {
            head.push_str(&address_header("Reply-To", std::slice::from_ref(reply_to))?);
        }
        head.push_str(&subject_header(&self.subject)?);
        head.push_str(&format!("Message-ID: <{id}>\r\n"));
        for (name, value) in &self.headers {
            head.push_str(&extra_header(name, value)?);
        }
        head.push_str("MIME-Version: 1.0\r\n");

        let text = Leaf::text("text/plain", &self.text);
        let html = self.html.as_deref().map(|html| Leaf::text("text/html", html));
        let attachments = self.attachments.iter().map(Leaf::attachment).collect::<Result<Vec<_>, _>>()?;

        // Boundaries come from the Message-ID (determinism) plus a salt. "=_" can never occur in
        // quoted-printable or base64 output, so the first salt always works for bodies; the check
        // still covers part headers (e.g. a filename that happens to contain the boundary).
        let seed = fnv1a64(id.as_bytes());
        let leaves: Vec<&Leaf> =
            [Some(&text)].into_iter().chain([html.as_ref()]).flatten().chain(&attachments).collect();
        let prefix = (0u32..)
            .map(|salt| format!("=_aura_{seed:016x}_{salt}_"))
            .find(|prefix| !leaves.iter().any(|leaf| leaf.contains(prefix)))
            .expect("some salt avoids every part");
        let alternative_boundary = format!("{prefix}alt");
        let mixed_boundary = format!("{prefix}mix");

        let body_part = match html {
            Some(html) => Leaf::multipart("alternative", &alternative_boundary, &[text, html]),
            None => text,
        };
        let top = if attachments.is_empty() {
            body_part
        } else {
            let mut parts = vec![body_part];
            parts.extend(attachments);
            Leaf::multipart("mixed", &mixed_boundary, &parts)
        };

        let mut out = head;
        out.push_str(&top.headers);
        out.push_str("\r\n");
        out.push_str(&top.body);
        if !top.body.is_empty() && !top.body.ends_with("\r\n") {
            out.push_str("\r\n");
        }
        Ok(out.into_bytes())
    }
}

/// One MIME entity before assembly: its header lines (each CRLF-terminated) and encoded body
/// (without the CRLF that precedes the next boundary delimiter).
struct Leaf {
    headers: String,
    body: String,
}

impl Leaf {
    fn text(content_type: &str, text: &str) -> Leaf {
        Leaf {
            headers: format!(
                "Content-Type: {content_type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
            ),
            body: quoted_printable_encode(&normalize_line_breaks(text)),
        }
    }

    fn attachment(attachment: &Attachment) -> Result<Leaf, MessageError> {
        attachment.validate()?;
        let mut headers = String::new();
        let mut content_type = HeaderWriter::new(&mut headers, "Content-Type");
        content_type.tokens(&parameter_tokens(&attachment.content_type, &[("name", &attachment.filename)]));
        content_type.finish();
        headers.push_str("Content-Transfer-Encoding: base64\r\n");
        let mut disposition = HeaderWriter::new(&mut headers, "Content-Disposition");
        disposition.tokens(&parameter_tokens("attachment", &[("filename", &attachment.filename)]));
        disposition.finish();
        Ok(Leaf { headers, body: base64_encode_lines(&attachment.bytes) })
    }

    fn multipart(subtype: &str, boundary: &str, parts: &[Leaf]) -> Leaf {
        let mut headers = String::new();
        let mut writer = HeaderWriter::new(&mut headers, "Content-Type");
        writer.tokens(&[format!("multipart/{subtype};"), format!("boundary=\"{boundary}\"")]);
        writer.finish();
        let mut body = String::new();
        for part in parts {
            body.push_str(&format!("--{boundary}\r\n"));
            body.push_str(&part.headers);
            body.push_str("\r\n");
            body.push_str(&part.body);
            body.push_str("\r\n");
        }
        body.push_str(&format!("--{boundary}--"));
        Leaf { headers, body }
    }

    fn contains(&self, needle: &str) -> bool {
        self.headers.contains(needle) || self.body.contains(needle)
    }
}

fn normalize_line_breaks(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            other => out.push(other),
        }
        i += 1;
    }
    out
}

/// FNV-1a: a stable, dependency-free hash (std's `DefaultHasher` is not guaranteed stable
/// across Rust versions, and the boundaries must be).
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, &b| (hash ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3))
}

fn message_id_core(raw: &str) -> Result<&str, MessageError> {
    reject_line_breaks("Message-ID", raw)?;
    let invalid = |reason| MessageError::InvalidMessageId { id: raw.to_string(), reason };
    let id = raw.trim();
    let id = id.strip_prefix('<').and_then(|s| s.strip_suffix('>')).unwrap_or(id);
    if id.is_empty() || id.len() > 250 {
        return Err(invalid("must be 1 to 250 characters"));
    }
    if !id.bytes().all(|b| (33..=126).contains(&b) && !b"<>\"\\(),;:[]".contains(&b)) {
        return Err(invalid("contains whitespace, non-ASCII or a special character"));
    }
    match id.split_once('@') {
        Some((left, right)) if !left.is_empty() && !right.is_empty() && !right.contains('@') => Ok(id),
        _ => Err(invalid("must be id-left@id-right")),
    }
}

/// RFC 2047 `B` encoded-words for `text`, each holding whole characters (§5: a multi-byte
/// character must not be split across words).
fn encoded_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut start = 0;
    let mut end = 0;
    for (index, c) in text.char_indices() {
        let next = index + c.len_utf8();
        if next - start > ENCODED_WORD_BYTES {
            words.push(&text[start..end]);
            start = index;
        }
        end = next;
    }
    if start < text.len() {
        words.push(&text[start..]);
    }
    words.into_iter().map(|chunk| format!("=?UTF-8?B?{}?=", base64_encode(chunk.as_bytes()))).collect()
}

/// Writes one header, folding between tokens (CRLF before the separating space) so lines stay
/// within 78 characters when the tokens allow it.
struct HeaderWriter<'a> {
    out: &'a mut String,
    column: usize,
    has_token: bool,
}

impl<'a> HeaderWriter<'a> {
    fn new(out: &'a mut String, name: &str) -> Self {
        out.push_str(name);
        out.push(':');
        HeaderWriter { column: name.len() + 1, out, has_token: false }
    }

    fn token(&mut self, token: &str) {
        if self.has_token && self.column + 1 + token.len() > FOLD_AT {
            self.out.push_str("\r\n");
            self.column = 0;
        }
        self.out.push(' ');
        self.out.push_str(token);
        self.column += 1 + token.len();
        self.has_token = true;
    }

    fn tokens(&mut self, tokens: &[String]) {
        for token in tokens {
            self.token(token);
        }
    }

    fn finish(self) {
        self.out.push_str("\r\n");
    }
}

fn address_header(name: &str, addresses: &[Address]) -> Result<String, MessageError> {
    let mut out = String::new();
    let mut writer = HeaderWriter::new(&mut out, name);
    for (i, address) in addresses.iter().enumerate() {
        let mut tokens = address.header_tokens()?;
        if i + 1 < addresses.len() {
            tokens.last_mut().expect("an address has at least one token").push(',');
        }
        writer.tokens(&tokens);
    }
    writer.finish();
    Ok(out)
}

/// Folds an unstructured ASCII value by inserting CRLF before existing whitespace only, so
/// unfolding (removing the CRLFs) restores the value exactly.
fn fold_unstructured(name: &str, value: &str) -> String {
    let mut out = format!("{name}:");
    if value.is_empty() {
        out.push_str("\r\n");
        return out;
    }
    out.push(' ');
    let mut column = out.len();
    let first_column = column;
    let bytes = value.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        // A segment is a whitespace run followed by a non-whitespace run.
        let mut end = start;
        while end < bytes.len() && matches!(bytes[end], b' ' | b'\t') {
            end += 1;
        }
        while end < bytes.len() && !matches!(bytes[end], b' ' | b'\t') {
            end += 1;
        }
        let segment = &value[start..end];
        let starts_with_space = segment.starts_with([' ', '\t']);
        if starts_with_space && column > first_column && column + segment.len() > FOLD_AT {
            out.push_str("\r\n");
            column = 0;
        }
        out.push_str(segment);
        column += segment.len();
        start = end;
    }
    out.push_str("\r\n");
    out
}

fn longest_line(header: &str) -> usize {
    header.split("\r\n").map(str::len).max().unwrap_or(0)
}

fn needs_encoded_words(value: &str) -> bool {
    !value.bytes().all(|b| b == b'\t' || (0x20..=0x7e).contains(&b)) || value.contains("=?")
}

fn encoded_header(name: &str, value: &str) -> String {
    let mut out = String::new();
    let mut writer = HeaderWriter::new(&mut out, name);
    writer.tokens(&encoded_words(value));
    writer.finish();
    out
}

fn subject_header(subject: &str) -> Result<String, MessageError> {
    reject_line_breaks("Subject", subject)?;
    if !needs_encoded_words(subject) {
        let folded = fold_unstructured("Subject", subject);
        // A word too long to fold is better sent encoded (words can always be split) than as a
        // line past 78 columns.
        if longest_line(&folded) <= FOLD_AT {
            return Ok(folded);
        }
    }
    Ok(encoded_header("Subject", subject))
}

fn extra_header(name: &str, value: &str) -> Result<String, MessageError> {
    reject_line_breaks(&format!("header {name:?}"), name)?;
    reject_line_breaks(&format!("header {name:?}"), value)?;
    let invalid = |reason| MessageError::InvalidHeader { name: name.to_string(), reason };
    if name.is_empty() || name.len() > 76 || !name.bytes().all(|b| (33..=126).contains(&b) && b != b':') {
        return Err(invalid("name must be 1 to 76 printable ASCII characters without ':'"));
    }
    if RESERVED_HEADERS.iter().any(|reserved| reserved.eq_ignore_ascii_case(name)) {
        return Err(invalid("set by the builder itself"));
    }
    if needs_encoded_words(value) {
        return Ok(encoded_header(name, value));
    }
    let folded = fold_unstructured(name, value);
    if longest_line(&folded) > HARD_LINE_LIMIT {
        return Err(invalid("a word in the value is longer than 998 characters"));
    }
    Ok(folded)
}

/// RFC 2231 attribute-char: token characters except `*`, `'` and `%`.
fn is_attribute_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b)
}

/// `value; attr="..."` tokens for a Content-Type / Content-Disposition header. Printable ASCII
/// values are quoted strings; anything else uses RFC 2231 `attr*=UTF-8''%XX`, split into numbered
/// continuations (`attr*0*=`, `attr*1*=`) so no line has to exceed 78 columns.
fn parameter_tokens(value: &str, parameters: &[(&str, &str)]) -> Vec<String> {
    let mut tokens = vec![value.to_string()];
    for (attribute, parameter) in parameters {
        if is_printable_ascii(parameter) {
            tokens.push(format!("{attribute}={}", quote(parameter)));
            continue;
        }
        // Encoded per character so continuation pieces can break between characters only:
        // decoders such as Python's decode each piece on its own and flag a split UTF-8 sequence.
        let encoded_chars: Vec<String> = parameter
            .chars()
            .map(|c| {
                let mut utf8 = [0u8; 4];
                c.encode_utf8(&mut utf8)
                    .bytes()
                    .map(|b| if is_attribute_char(b) { (b as char).to_string() } else { format!("%{b:02X}") })
                    .collect()
            })
            .collect();
        let total: usize = encoded_chars.iter().map(String::len).sum();
        if attribute.len() + total + 10 <= 70 {
            tokens.push(format!("{attribute}*=UTF-8''{}", encoded_chars.concat()));
            continue;
        }
        let mut pieces = vec![String::new()];
        for encoded in encoded_chars {
            let current = pieces.last_mut().expect("pieces is never empty");
            if !current.is_empty() && current.len() + encoded.len() > 54 {
                pieces.push(encoded);
            } else {
                current.push_str(&encoded);
            }
        }
        for (index, piece) in pieces.iter().enumerate() {
            let charset = if index == 0 { "UTF-8''" } else { "" };
            tokens.push(format!("{attribute}*{index}*={charset}{piece}"));
        }
    }
    let last = tokens.len() - 1;
    for token in &mut tokens[..last] {
        token.push(';');
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sample() -> Message {
        Message {
            from: Address::with_name("AURA Listings", "listings@aura.example").unwrap(),
            to: vec![Address::new("buyer@example.com").unwrap()],
            reply_to: None,
            subject: "Open house on Saturday".to_string(),
            text: "Hello\nWelcome".to_string(),
            html: None,
            attachments: vec![],
            date: Utc.with_ymd_and_hms(2025, 7, 1, 9, 5, 3).unwrap(),
            message_id: "campaign-42.recipient-7@aura.example".to_string(),
            headers: vec![],
        }
    }

    fn build(message: &Message) -> String {
        String::from_utf8(message.to_rfc5322().unwrap()).unwrap()
    }

    #[test]
    fn simple_text_message_layout() {
        let out = build(&sample());
        assert_eq!(
            out,
            "Date: Tue, 01 Jul 2025 09:05:03 +0000\r\n\
             From: AURA Listings <listings@aura.example>\r\n\
             To: buyer@example.com\r\n\
             Subject: Open house on Saturday\r\n\
             Message-ID: <campaign-42.recipient-7@aura.example>\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\
             \r\n\
             Hello\r\nWelcome\r\n"
        );
    }

    #[test]
    fn output_is_deterministic_and_ascii_crlf() {
        let mut message = sample();
        message.html = Some("<p>Hello</p>\n".to_string());
        message.attachments.push(Attachment::new("brochure.pdf", "application/pdf", (0..=255).collect()));
        message.subject = "Visite de la maison à Montréal — samedi".to_string();
        let a = message.to_rfc5322().unwrap();
        let b = message.to_rfc5322().unwrap();
        assert_eq!(a, b);
        assert!(a.is_ascii());
        for (i, &byte) in a.iter().enumerate() {
            if byte == b'\n' {
                assert_eq!(a[i - 1], b'\r', "bare LF at {i}");
            }
            if byte == b'\r' {
                assert_eq!(a.get(i + 1), Some(&b'\n'), "bare CR at {i}");
            }
        }
        for line in String::from_utf8(a).unwrap().split("\r\n") {
            assert!(line.len() <= 78, "{line:?}");
        }
    }

    #[test]
    fn non_ascii_subject_is_encoded_and_folded() {
        let mut message = sample();
        message.subject = "Maison à vendre — 3 chambres, vue sur le fleuve, quartier très recherché".to_string();
        let out = build(&message);
        let subject = out
            .split("\r\n")
            .skip_while(|l| !l.starts_with("Subject:"))
            .take_while(|l| l.starts_with("Subject:") || l.starts_with(' '));
        let lines: Vec<&str> = subject.collect();
        assert!(lines.len() > 1, "folded: {lines:?}");
        assert!(lines[0].starts_with("Subject: =?UTF-8?B?"));
        for line in &lines {
            assert!(line.len() <= 78);
            for word in line.split_whitespace().filter(|w| *w != "Subject:") {
                assert!(word.starts_with("=?UTF-8?B?") && word.ends_with("?="));
                assert!(word.len() <= 75, "RFC 2047 limit");
            }
        }
        let decoded = crate::parse::decode_encoded_words(&lines.concat()["Subject: ".len()..]);
        assert_eq!(decoded, message.subject);
    }

    #[test]
    fn encoded_words_keep_characters_whole() {
        let text = "€".repeat(30); // 3 bytes each
        let words = encoded_words(&text);
        assert!(words.len() > 1);
        let decoded: String = words
            .iter()
            .map(|w| {
                let b64 = &w["=?UTF-8?B?".len()..w.len() - 2];
                String::from_utf8(crate::encoding::base64_decode(b64.as_bytes()).unwrap()).unwrap()
            })
            .collect();
        assert_eq!(decoded, text);
        assert_eq!(encoded_words("é"), vec!["=?UTF-8?B?w6k=?=".to_string()]);
    }

    #[test]
    fn long_ascii_subject_is_folded_at_whitespace() {
        let mut message = sample();
        message.subject = "word ".repeat(30).trim_end().to_string();
        let out = build(&message);
        let start = out.find("Subject:").unwrap();
        let end = out[start..].find("\r\nMessage-ID").unwrap() + start;
        let header = &out[start..end];
        assert!(header.contains("\r\n "));
        assert!(longest_line(header) <= 78);
        assert_eq!(header.replace("\r\n", ""), format!("Subject: {}", message.subject));

        // "=?" in a plain subject would be misread as an encoded-word: encode it instead.
        message.subject = "Price =?UTF-8?B?x?=".to_string();
        assert!(build(&message).contains("Subject: =?UTF-8?B?"));
    }

    #[test]
    fn header_injection_is_rejected() {
        let mut message = sample();
        message.subject = "Hello\r\nBcc: victim@example.com".to_string();
        assert_eq!(message.to_rfc5322(), Err(MessageError::HeaderInjection { field: "Subject".to_string() }));

        let mut message = sample();
        message.subject = "Hello\nX: y".to_string();
        assert!(matches!(message.to_rfc5322(), Err(MessageError::HeaderInjection { .. })));

        let mut message = sample();
        message.from.name = Some("Evil\r\nBcc: x@y.example".to_string());
        assert!(matches!(message.to_rfc5322(), Err(MessageError::HeaderInjection { .. })));

        let mut message = sample();
        message.to[0].email = "a@b.example\r\nBcc: x@y.example".to_string();
        assert!(matches!(message.to_rfc5322(), Err(MessageError::InvalidAddress { .. })));

        let mut message = sample();
        message.headers.push(("List-Unsubscribe".to_string(), "<https://x>\r\nBcc: a@b.example".to_string()));
        assert!(matches!(message.to_rfc5322(), Err(MessageError::HeaderInjection { .. })));

        let mut message = sample();
        message.headers.push(("X-Bad\r\nBcc".to_string(), "v".to_string()));
        assert!(matches!(message.to_rfc5322(), Err(MessageError::HeaderInjection { .. })));

        let mut message = sample();
        message.attachments.push(Attachment::new("a.pdf\"\r\nX: y", "application/pdf", vec![]));
        assert!(matches!(message.to_rfc5322(), Err(MessageError::HeaderInjection { .. })));

        let mut message = sample();
        message.message_id = "a@b\r\nX: y".to_string();
        assert!(matches!(message.to_rfc5322(), Err(MessageError::HeaderInjection { .. })));
    }

    #[test]
    fn other_invalid_inputs() {
        let mut message = sample();
        message.to.clear();
        assert_eq!(message.to_rfc5322(), Err(MessageError::NoRecipients));

        let mut message = sample();
        message.headers.push(("Subject".to_string(), "second".to_string()));
        assert!(matches!(message.to_rfc5322(), Err(MessageError::InvalidHeader { .. })));

        let mut message = sample();
        message.headers.push(("Bad Name".to_string(), "v".to_string()));
        assert!(matches!(message.to_rfc5322(), Err(MessageError::InvalidHeader { .. })));

        let mut message = sample();
        message.attachments.push(Attachment::new("a.pdf", "application/pdf; x=y", vec![]));
        assert!(matches!(message.to_rfc5322(), Err(MessageError::InvalidAttachment { .. })));

        let mut message = sample();
        message.message_id = "no-at-sign".to_string();
        assert!(matches!(message.to_rfc5322(), Err(MessageError::InvalidMessageId { .. })));
        message.message_id = "<ok@host.example>".to_string();
        assert!(build(&message).contains("Message-ID: <ok@host.example>\r\n"));
    }

    #[test]
    fn extra_headers_are_written_in_order() {
        let mut message = sample();
        message.headers = vec![
            (
                "List-Unsubscribe".to_string(),
                "<mailto:unsub@aura.example?subject=u-7>, <https://aura.example/u/7>".to_string(),
            ),
            ("List-Unsubscribe-Post".to_string(), "List-Unsubscribe=One-Click".to_string()),
            ("X-Campaign".to_string(), "Été 2025".to_string()),
        ];
        let out = build(&message);
        let unsubscribe = out.find("List-Unsubscribe: <mailto:").unwrap();
        let post = out.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n").unwrap();
        let campaign = out.find("X-Campaign: =?UTF-8?B?").unwrap();
        assert!(unsubscribe < post && post < campaign);
        assert!(campaign < out.find("MIME-Version").unwrap());
    }

    #[test]
    fn address_parsing_and_validation() {
        let a = Address::parse("Jane Doe <jane@example.com>").unwrap();
        assert_eq!(a, Address { name: Some("Jane Doe".to_string()), email: "jane@example.com".to_string() });
        let b = Address::parse("  \"Doe, Jane \\\"JD\\\"\" <jane.doe+news@mail.example.co.uk> ").unwrap();
        assert_eq!(b.name.as_deref(), Some("Doe, Jane \"JD\""));
        assert_eq!(b.email, "jane.doe+news@mail.example.co.uk");
        let c: Address = "plain@example.com".parse().unwrap();
        assert_eq!(c.name, None);
        let d = Address::parse("<x@example.com>").unwrap();
        assert_eq!(d.name, None);
        assert_eq!(
            Address::parse("Émilie Tremblay <emilie@example.ca>").unwrap().name.as_deref(),
            Some("Émilie Tremblay")
        );
        assert_eq!(a.to_string(), "Jane Doe <jane@example.com>");

        let bad = [
            "",
            "no-at.example.com",
            "two@@example.com",
            "a@b@example.com",
            "with space@example.com",
            "a@exa mple.com",
            ".dot@example.com",
            "dot.@example.com",
            "do..t@example.com",
            "a@-example.com",
            "a@example..com",
            "a@",
            "@example.com",
            "Name <a@example.com",
            "Name a@example.com>",
            "Name <a@example.com> trailing",
            "a@example.com\r\n",
            "Evil\r\n <a@example.com>",
            "ünï@example.com",
        ];
        for input in bad {
            assert!(Address::parse(input).is_err(), "{input:?} should be rejected");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(Address::new(long_local).is_err());
        let long_total = format!("a@{}.com", "b.".repeat(130));
        assert!(Address::new(long_total).is_err());
        assert!(Address::new(format!("{}@example.com", "a".repeat(64))).is_ok());
        assert!(Address::new("user@localhost").is_ok());
    }

    #[test]
    fn display_names_are_encoded_as_needed() {
        let cases = [
            ("Jane Doe", "From: Jane Doe <j@x.example>\r\n"),
            ("Doe, Jane", "From: \"Doe, Jane\" <j@x.example>\r\n"),
            ("J. \"JD\" Doe", "From: \"J. \\\"JD\\\" Doe\" <j@x.example>\r\n"),
            ("Émilie", "From: =?UTF-8?B?w4ltaWxpZQ==?= <j@x.example>\r\n"),
        ];
        for (name, expected) in cases {
            let address = Address::with_name(name, "j@x.example").unwrap();
            assert_eq!(address_header("From", &[address]).unwrap(), expected);
        }
        let many: Vec<Address> = (0..6)
            .map(|i| Address::with_name(format!("Recipient Number {i}"), format!("r{i}@example.com")).unwrap())
            .collect();
        let header = address_header("To", &many).unwrap();
        assert!(longest_line(&header) <= 78);
        assert_eq!(header.matches(',').count(), 5);
    }

    #[test]
    fn attachment_filenames_use_rfc2231_when_needed() {
        let ascii = Leaf::attachment(&Attachment::new("brochure \"final\".pdf", "application/pdf", vec![1])).unwrap();
        assert!(ascii.headers.contains("Content-Disposition: attachment; filename=\"brochure \\\"final\\\".pdf\"\r\n"));
        assert!(ascii.headers.contains("Content-Type: application/pdf; name=\"brochure \\\"final\\\".pdf\"\r\n"));

        let short = Leaf::attachment(&Attachment::new("été.pdf", "application/pdf", vec![1])).unwrap();
        assert!(short.headers.contains("filename*=UTF-8''%C3%A9t%C3%A9.pdf\r\n"), "{}", short.headers);

        let long_name = format!("Fiche descriptive — résidence {}.pdf", "à vendre ".repeat(6));
        let long = Leaf::attachment(&Attachment::new(long_name, "application/pdf", vec![1])).unwrap();
        assert!(long.headers.contains("filename*0*=UTF-8''"));
        assert!(long.headers.contains("filename*1*="));
        assert!(longest_line(&long.headers) <= 78, "{}", long.headers);
        // Each continuation piece decodes to whole UTF-8 characters on its own.
        for piece in long.headers.split("filename*").skip(1) {
            let value = piece.split_once("*=").unwrap().1;
            let value = value.trim_start_matches("UTF-8''").split([';', '\r']).next().unwrap();
            let bytes = crate::parse::tests::percent_decode_for_tests(value);
            assert!(String::from_utf8(bytes).is_ok(), "{value}");
        }
    }

    #[test]
    fn structure_depends_on_parts() {
        let text_only = build(&sample());
        assert!(!text_only.contains("multipart"));

        let mut message = sample();
        message.html = Some("<p>Hi</p>".to_string());
        let alternative = build(&message);
        assert!(alternative.contains("Content-Type: multipart/alternative;"));
        assert!(!alternative.contains("multipart/mixed"));
        assert!(alternative.find("text/plain").unwrap() < alternative.find("text/html").unwrap());

        message.attachments.push(Attachment::new("a.pdf", "application/pdf", vec![1, 2, 3]));
        let mixed = build(&message);
        assert!(mixed.find("multipart/mixed").unwrap() < mixed.find("multipart/alternative").unwrap());

        message.html = None;
        let mixed_text = build(&message);
        assert!(mixed_text.contains("multipart/mixed") && !mixed_text.contains("multipart/alternative"));
    }

    #[test]
    fn boundary_avoids_colliding_content() {
        let mut message = sample();
        message.attachments.push(Attachment::new("x.pdf", "application/pdf", vec![]));
        let seed = fnv1a64(message.message_id.as_bytes());
        // A filename containing the salt-0 prefix forces salt 1.
        message.attachments[0].filename = format!("=_aura_{seed:016x}_0_mix.pdf");
        let out = build(&message);
        assert!(out.contains(&format!("boundary=\"=_aura_{seed:016x}_1_mix\"")), "{out}");
    }
}
