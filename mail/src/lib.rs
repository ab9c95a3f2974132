//! `mail`: builds campaign e-mails (text + HTML alternative + attachments) as MIME and delivers them over SMTP.
//!
//! - [`message`]: [`Message`] → RFC 5322 bytes ([`Message::to_rfc5322`]).
//! - [`smtp`]: [`SmtpClient`], SMTP delivery through `lettre` (TLS or STARTTLS, AUTH, pooling).
//! - [`testing`]: [`SmtpSink`], a real minimal SMTP server on 127.0.0.1 for tests.
//! - [`parse`]: a small MIME reader used to verify what arrived (parts, filenames, decoded bytes).
//! - [`encoding`]: the base64 and quoted-printable codecs behind all of the above.
//!
//! # Invariants
//!
//! - The builder is pure and deterministic: the same [`Message`] always yields the same bytes.
//!   It reads no clock and no random source: `Date` comes from [`Message::date`], `Message-ID`
//!   from [`Message::message_id`], and the MIME boundaries are derived from the Message-ID (plus
//!   a counter that only moves if a boundary would occur in the content).
//! - Output is 7-bit ASCII with CRLF line breaks only; headers are folded to 78 columns where
//!   their words allow, encoded bodies never exceed 76 columns.
//! - Header injection is impossible: a CR or LF in anything that becomes a header (subject,
//!   display names, addresses, extra headers, filenames, Message-ID) is an error, never stripped.
//!   Envelope addresses given to the SMTP client are checked the same way against command
//!   injection.
//! - The SMTP client never reads a clock for content; time only bounds I/O (connecting, and a
//!   whole send, under [`SmtpConfig::timeout`] plus an allowance for the message's size).
//! - Every failure says whether retrying can help ([`SmtpError::is_transient`]): the workflow
//!   engine retries transient ones (4xx, connection trouble, timeouts), not permanent ones (5xx,
//!   invalid input, TLS failures, a server lacking STARTTLS or AUTH).
//!
//! # Transport security
//!
//! [`SmtpConfig::tls`] picks implicit TLS, required STARTTLS or none ([`SmtpTls`]); the default
//! is none only for loopback. Certificates are checked against the system's roots plus
//! [`SmtpConfig::extra_root_certificates_pem`]. Credentials are refused (before any connection)
//! when the connection would be clear text to a host other than loopback, and required STARTTLS
//! never falls back to clear text.

pub mod encoding;
pub mod message;
pub mod parse;
pub mod smtp;
pub mod testing;

pub use message::{validate_email, Address, Attachment, Message, MessageError};
pub use parse::{parse_message, ParseError, Part};
pub use smtp::{Reply, SendReport, SmtpClient, SmtpConfig, SmtpError, SmtpTls};
pub use testing::{ReceivedMessage, SinkOptions, SinkTls, SinkTlsMode, SmtpSink};
