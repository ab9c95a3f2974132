//! Async SMTP client (RFC 5321) over plain TCP: EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT.
//!
//! One connection per [`SmtpClient::send`]: campaign sends are retried by the workflow engine,
//! and a fresh connection per attempt keeps every attempt independent of the previous one's
//! state. No TLS (see the crate documentation): talk to a local relay or a TLS sidecar.

use std::fmt;
use std::io;
use std::time::Duration;

use thiserror::Error;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::encoding::base64_encode;
use crate::message::{Message, MessageError};

/// RFC 5321 §4.5.3.1.5 caps reply lines at 512 octets; we allow more for lenient servers but
/// still bound memory against a peer that never sends a line break.
const MAX_REPLY_LINE: usize = 8192;
/// Bound on continuation lines in one reply, for the same reason.
const MAX_REPLY_LINES: usize = 512;
/// DATA is written in chunks, each under the timeout, so a large attachment on a slow link is
/// judged by progress rather than by total transfer time.
const WRITE_CHUNK: usize = 64 * 1024;

/// Where and how to connect.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// Name sent in EHLO/HELO (our host's name).
    pub helo_name: String,
    /// AUTH PLAIN credentials; used only when both are set and the server advertises PLAIN.
    pub username: Option<String>,
    pub password: Option<String>,
    /// Bound on connecting and on every single read or write.
    pub timeout: Duration,
}

impl SmtpConfig {
    /// No credentials, HELO name `localhost`, 30 s timeout.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        SmtpConfig {
            host: host.into(),
            port,
            helo_name: "localhost".to_string(),
            username: None,
            password: None,
            timeout: Duration::from_secs(30),
        }
    }
}

/// Hand-written so the password never reaches a log through `{:?}`.
impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("helo_name", &self.helo_name)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A server reply: the three-digit code and the text of each line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    /// The text lines joined by newlines (for the final DATA reply: the queue id text).
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// 4xx: the server may accept the same command later.
    pub fn is_transient_failure(&self) -> bool {
        (400..500).contains(&self.code)
    }

    /// 5xx: retrying the same command will not help.
    pub fn is_permanent_failure(&self) -> bool {
        (500..600).contains(&self.code)
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.lines.join(" / "))
    }
}

/// The protocol step an error happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Connect,
    Greeting,
    Ehlo,
    Helo,
    Auth,
    MailFrom,
    RcptTo,
    /// The `DATA` command itself (expects 354).
    Data,
    /// Sending the message content and waiting for the server's verdict on it.
    MessageContent,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Connect => "connect",
            Stage::Greeting => "greeting",
            Stage::Ehlo => "EHLO",
            Stage::Helo => "HELO",
            Stage::Auth => "AUTH",
            Stage::MailFrom => "MAIL FROM",
            Stage::RcptTo => "RCPT TO",
            Stage::Data => "DATA",
            Stage::MessageContent => "message content",
        })
    }
}

/// A recipient the server refused at RCPT TO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientRejection {
    pub recipient: String,
    pub reply: Reply,
}

/// Outcome of a successful send: the server took responsibility for the accepted recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReport {
    /// The server's reply to the end of DATA; its text usually carries the queue id.
    pub final_reply: Reply,
    pub accepted: Vec<String>,
    /// Recipients refused at RCPT TO (4xx ones may succeed on a later attempt).
    pub rejected: Vec<RecipientRejection>,
    /// Whether AUTH PLAIN was performed.
    pub authenticated: bool,
    /// Whether the server spoke ESMTP (false after falling back to HELO).
    pub esmtp: bool,
}

/// Why a send failed. [`SmtpError::is_transient`] tells the workflow engine whether to retry.
#[derive(Debug, Error)]
pub enum SmtpError {
    /// Bad arguments (e.g. CR/LF in an address): permanent, nothing was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The message could not be built: permanent.
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error("could not connect to {address}: {source}")]
    Connect { address: String, source: io::Error },
    #[error("timed out after {timeout:?} during {stage}")]
    Timeout { stage: Stage, timeout: Duration },
    #[error("I/O error during {stage}: {source}")]
    Io { stage: Stage, source: io::Error },
    #[error("server closed the connection during {stage}")]
    ConnectionClosed { stage: Stage },
    #[error("malformed server reply during {stage}: {detail}")]
    Protocol { stage: Stage, detail: String },
    /// The server answered a command with a failure (or unexpected) code.
    #[error("server replied {reply} to {stage}")]
    Rejected { stage: Stage, reply: Reply },
    #[error("all recipients rejected: {}", .rejected.iter().map(|r| format!("{} ({})", r.recipient, r.reply)).collect::<Vec<_>>().join(", "))]
    AllRecipientsRejected { rejected: Vec<RecipientRejection> },
}

impl SmtpError {
    /// True when the same send may succeed later: connection problems, timeouts, garbled replies
    /// and 4xx replies. False for 5xx replies and invalid input.
    ///
    /// Garbled replies count as transient because nothing was delivered and the likely cause is
    /// infrastructure (a restarting relay), where losing the mail is worse than a bounded retry.
    pub fn is_transient(&self) -> bool {
        match self {
            SmtpError::InvalidInput(_) | SmtpError::Message(_) => false,
            SmtpError::Connect { .. }
            | SmtpError::Timeout { .. }
            | SmtpError::Io { .. }
            | SmtpError::ConnectionClosed { .. }
            | SmtpError::Protocol { .. } => true,
            SmtpError::Rejected { reply, .. } => !reply.is_permanent_failure(),
            // Retrying helps if any recipient was only deferred.
            SmtpError::AllRecipientsRejected { rejected } => rejected.iter().any(|r| !r.reply.is_permanent_failure()),
        }
    }

    pub fn is_permanent(&self) -> bool {
        !self.is_transient()
    }

    /// The server reply behind the error, if there was one.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            SmtpError::Rejected { reply, .. } => Some(reply),
            SmtpError::AllRecipientsRejected { rejected } => rejected.first().map(|r| &r.reply),
            _ => None,
        }
    }
}

/// Sends messages to one SMTP server. Cheap to clone; holds no connection between sends.
#[derive(Debug, Clone)]
pub struct SmtpClient {
    config: SmtpConfig,
}

impl SmtpClient {
    pub fn new(config: SmtpConfig) -> Self {
        SmtpClient { config }
    }

    pub fn config(&self) -> &SmtpConfig {
        &self.config
    }

    /// Delivers `data` (a complete RFC 5322 message) to `recipients` with the given envelope
    /// sender (`""` for the null reverse-path).
    ///
    /// Succeeds when the server accepts the message for at least one recipient; the others are
    /// listed in [`SendReport::rejected`]. Line breaks in `data` are normalised to CRLF and lines
    /// starting with `.` are dot-stuffed.
    pub async fn send(&self, envelope_from: &str, recipients: &[String], data: &[u8]) -> Result<SendReport, SmtpError> {
        check_path(envelope_from, "envelope sender", true)?;
        if recipients.is_empty() {
            return Err(SmtpError::InvalidInput("no recipients".to_string()));
        }
        for recipient in recipients {
            check_path(recipient, "recipient", false)?;
        }
        let credentials = match (&self.config.username, &self.config.password) {
            (Some(user), Some(password)) => {
                if user.contains('\0') || password.contains('\0') {
                    return Err(SmtpError::InvalidInput("credentials contain NUL".to_string()));
                }
                // This client has no TLS: a password may only cross the loopback interface (a
                // local relay or a TLS sidecar), never the network in clear text.
                if !is_loopback(&self.config.host) {
                    return Err(SmtpError::InvalidInput(format!(
                        "refusing to send SMTP credentials in clear text to {}: use a relay or TLS sidecar on this host",
                        self.config.host
                    )));
                }
                Some((user.as_str(), password.as_str()))
            }
            (None, None) => None,
            _ => return Err(SmtpError::InvalidInput("username and password must be set together".to_string())),
        };
        if self.config.helo_name.is_empty()
            || self.config.helo_name.contains(|c: char| c.is_whitespace() || c.is_control())
        {
            return Err(SmtpError::InvalidInput(format!("invalid HELO name {:?}", self.config.helo_name)));
        }

        let mut connection = Connection::open(&self.config).await?;
        let result = connection.transaction(&self.config.helo_name, credentials, envelope_from, recipients, data).await;
        match &result {
            // The connection is still in a sane state after a reply: say goodbye politely. After
            // I/O trouble or a timeout its state is unknown, so it is just dropped.
            Ok(_) | Err(SmtpError::Rejected { .. }) | Err(SmtpError::AllRecipientsRejected { .. }) => {
                connection.quit().await;
            }
            Err(_) => {}
        }
        result
    }

    /// Builds `message` and sends it to all its To addresses, with its From address as the
    /// envelope sender.
    pub async fn send_message(&self, message: &Message) -> Result<SendReport, SmtpError> {
        let data = message.to_rfc5322()?;
        let recipients: Vec<String> = message.to.iter().map(|a| a.email.clone()).collect();
        self.send(&message.from.email, &recipients, &data).await
    }
}

/// Whether `host` names this machine: `localhost`, or a loopback address.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Envelope paths go inside `<...>` on a command line: anything that could end the line or the
/// brackets would let the caller's data inject SMTP commands.
fn check_path(path: &str, what: &str, may_be_empty: bool) -> Result<(), SmtpError> {
    let bad = path.is_empty() && !may_be_empty
        || path.len() > 256
        || path.contains(|c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if bad {
        return Err(SmtpError::InvalidInput(format!("invalid {what} {path:?}")));
    }
    Ok(())
}

/// Dot-stuffs a message for DATA (RFC 5321 §4.5.2) and appends the end marker: line breaks
/// become CRLF (bare CR/LF are not allowed in SMTP and enable "SMTP smuggling"), a line starting
/// with `.` gets a second `.`, a final CRLF is added if missing, then `.` CRLF.
pub fn dot_stuff(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 64 + 5);
    let mut line_start = true;
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if data.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                line_start = true;
            }
            b'\n' => {
                out.extend_from_slice(b"\r\n");
                line_start = true;
            }
            byte => {
                if line_start && byte == b'.' {
                    out.push(b'.');
                }
                out.push(byte);
                line_start = false;
            }
        }
        i += 1;
    }
    if !line_start {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// Capabilities from the EHLO reply that we use.
#[derive(Debug, Default)]
struct Extensions {
    auth_plain: bool,
}

impl Extensions {
    fn parse(reply: &Reply) -> Self {
        let mut extensions = Extensions::default();
        // The first line is the server's greeting name; capabilities follow.
        for line in reply.lines.iter().skip(1) {
            let upper = line.to_ascii_uppercase();
            // "AUTH=..." is the pre-standard form some servers still send.
            let mechanisms = upper.strip_prefix("AUTH ").or_else(|| upper.strip_prefix("AUTH="));
            if let Some(mechanisms) = mechanisms {
                if mechanisms.split_whitespace().any(|m| m == "PLAIN") {
                    extensions.auth_plain = true;
                }
            }
        }
        extensions
    }
}

struct Connection {
    stream: BufReader<TcpStream>,
    timeout: Duration,
}

impl Connection {
    async fn open(config: &SmtpConfig) -> Result<Self, SmtpError> {
        let host = config.host.trim_start_matches('[').trim_end_matches(']');
        let address = format!("{}:{}", config.host, config.port);
        let stream = match timeout(config.timeout, TcpStream::connect((host, config.port))).await {
            Err(_) => return Err(SmtpError::Timeout { stage: Stage::Connect, timeout: config.timeout }),
            Ok(Err(source)) => return Err(SmtpError::Connect { address, source }),
            Ok(Ok(stream)) => stream,
        };
        // Commands are small and we wait for each reply: Nagle would only add latency.
        let _ = stream.set_nodelay(true);
        Ok(Connection { stream: BufReader::new(stream), timeout: config.timeout })
    }

    async fn transaction(
        &mut self,
        helo_name: &str,
        credentials: Option<(&str, &str)>,
        envelope_from: &str,
        recipients: &[String],
        data: &[u8],
    ) -> Result<SendReport, SmtpError> {
        let greeting = self.read_reply(Stage::Greeting).await?;
        expect(greeting, 220, Stage::Greeting)?;

        let ehlo = self.command(&format!("EHLO {helo_name}"), Stage::Ehlo).await?;
        let (esmtp, extensions) = if ehlo.code == 250 {
            (true, Extensions::parse(&ehlo))
        } else if ehlo.is_permanent_failure() {
            // A server that does not know EHLO (500/502) still speaks RFC 821 SMTP.
            let helo = self.command(&format!("HELO {helo_name}"), Stage::Helo).await?;
            expect(helo, 250, Stage::Helo)?;
            (false, Extensions::default())
        } else {
            return Err(SmtpError::Rejected { stage: Stage::Ehlo, reply: ehlo });
        };

        let mut authenticated = false;
        if let Some((user, password)) = credentials {
            if extensions.auth_plain {
                // RFC 4616: authorization identity (empty), NUL, user, NUL, password.
                let token = base64_encode(format!("\0{user}\0{password}").as_bytes());
                let mut reply = self.command(&format!("AUTH PLAIN {token}"), Stage::Auth).await?;
                if reply.code == 334 {
                    // Servers that ignore the initial response ask for it again.
                    reply = self.command(&token, Stage::Auth).await?;
                }
                expect(reply, 235, Stage::Auth)?;
                authenticated = true;
            }
        }

        let mail = self.command(&format!("MAIL FROM:<{envelope_from}>"), Stage::MailFrom).await?;
        expect(mail, 250, Stage::MailFrom)?;

        let mut accepted = Vec::new();
        let mut rejected = Vec::new();
        for recipient in recipients {
            let reply = self.command(&format!("RCPT TO:<{recipient}>"), Stage::RcptTo).await?;
            if reply.code == 250 || reply.code == 251 {
                accepted.push(recipient.clone());
            } else {
                rejected.push(RecipientRejection { recipient: recipient.clone(), reply });
            }
        }
        if accepted.is_empty() {
            return Err(SmtpError::AllRecipientsRejected { rejected });
        }

        let data_reply = self.command("DATA", Stage::Data).await?;
        expect(data_reply, 354, Stage::Data)?;
        self.write(&dot_stuff(data), Stage::MessageContent).await?;
        let final_reply = self.read_reply(Stage::MessageContent).await?;
        let final_reply = expect(final_reply, 250, Stage::MessageContent)?;

        Ok(SendReport { final_reply, accepted, rejected, authenticated, esmtp })
    }

    /// Best effort: the outcome is already decided, so a failing QUIT changes nothing.
    async fn quit(&mut self) {
        if self.write(b"QUIT\r\n", Stage::MessageContent).await.is_ok() {
            let _ = self.read_reply(Stage::MessageContent).await;
        }
    }

    async fn command(&mut self, line: &str, stage: Stage) -> Result<Reply, SmtpError> {
        let mut bytes = Vec::with_capacity(line.len() + 2);
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        self.write(&bytes, stage).await?;
        self.read_reply(stage).await
    }

    async fn write(&mut self, bytes: &[u8], stage: Stage) -> Result<(), SmtpError> {
        for chunk in bytes.chunks(WRITE_CHUNK) {
            match timeout(self.timeout, self.stream.get_mut().write_all(chunk)).await {
                Err(_) => return Err(SmtpError::Timeout { stage, timeout: self.timeout }),
                Ok(Err(source)) => return Err(SmtpError::Io { stage, source }),
                Ok(Ok(())) => {}
            }
        }
        Ok(())
    }

    async fn read_line(&mut self, stage: Stage) -> Result<Vec<u8>, SmtpError> {
        let mut line = Vec::new();
        let mut limited = (&mut self.stream).take(MAX_REPLY_LINE as u64);
        match timeout(self.timeout, limited.read_until(b'\n', &mut line)).await {
            Err(_) => Err(SmtpError::Timeout { stage, timeout: self.timeout }),
            Ok(Err(source)) => Err(SmtpError::Io { stage, source }),
            Ok(Ok(_)) if line.ends_with(b"\n") => {
                line.pop();
                if line.ends_with(b"\r") {
                    line.pop();
                }
                Ok(line)
            }
            Ok(Ok(_)) if line.len() >= MAX_REPLY_LINE => {
                Err(SmtpError::Protocol { stage, detail: format!("reply line longer than {MAX_REPLY_LINE} bytes") })
            }
            Ok(Ok(_)) => Err(SmtpError::ConnectionClosed { stage }),
        }
    }

    /// Reads one possibly multi-line reply (`250-first`, `250-second`, `250 last`).
    async fn read_reply(&mut self, stage: Stage) -> Result<Reply, SmtpError> {
        let mut code = None;
        let mut lines = Vec::new();
        loop {
            let line = self.read_line(stage).await?;
            let protocol = |detail: String| SmtpError::Protocol { stage, detail };
            let shown = || String::from_utf8_lossy(&line).into_owned();
            if line.len() < 3 || !line[..3].iter().all(u8::is_ascii_digit) {
                return Err(protocol(format!("expected a reply code, got {:?}", shown())));
            }
            let this_code = (line[0] - b'0') as u16 * 100 + (line[1] - b'0') as u16 * 10 + (line[2] - b'0') as u16;
            if !(200..600).contains(&this_code) {
                return Err(protocol(format!("reply code out of range in {:?}", shown())));
            }
            if code.is_some_and(|c| c != this_code) {
                return Err(protocol(format!("reply code changed within a multi-line reply: {:?}", shown())));
            }
            code = Some(this_code);
            let more = match line.get(3) {
                None | Some(b' ') => false,
                Some(b'-') => true,
                Some(_) => return Err(protocol(format!("bad separator after the reply code in {:?}", shown()))),
            };
            let text = line.get(4..).unwrap_or_default();
            lines.push(String::from_utf8_lossy(text).into_owned());
            if !more {
                return Ok(Reply { code: this_code, lines });
            }
            if lines.len() >= MAX_REPLY_LINES {
                return Err(protocol(format!("more than {MAX_REPLY_LINES} lines in one reply")));
            }
        }
    }
}

fn expect(reply: Reply, code: u16, stage: Stage) -> Result<Reply, SmtpError> {
    if reply.code == code {
        Ok(reply)
    } else {
        Err(SmtpError::Rejected { stage, reply })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing_and_line_breaks() {
        assert_eq!(dot_stuff(b""), b".\r\n");
        assert_eq!(dot_stuff(b"a\r\n"), b"a\r\n.\r\n");
        assert_eq!(dot_stuff(b"a"), b"a\r\n.\r\n");
        assert_eq!(dot_stuff(b".\r\n..x\r\nmid.dle\r\n"), b"..\r\n...x\r\nmid.dle\r\n.\r\n");
        assert_eq!(dot_stuff(b".first"), b"..first\r\n.\r\n");
        assert_eq!(dot_stuff(b"bare\nlf\rcr\r\n.x"), b"bare\r\nlf\r\ncr\r\n..x\r\n.\r\n");
    }

    #[test]
    fn extensions_parse_auth_forms() {
        let reply = |lines: &[&str]| Reply { code: 250, lines: lines.iter().map(|s| s.to_string()).collect() };
        assert!(Extensions::parse(&reply(&["mx", "PIPELINING", "AUTH LOGIN PLAIN"])).auth_plain);
        assert!(Extensions::parse(&reply(&["mx", "auth=plain"])).auth_plain);
        assert!(!Extensions::parse(&reply(&["mx", "AUTH LOGIN CRAM-MD5"])).auth_plain);
        // The greeting line is not a capability.
        assert!(!Extensions::parse(&reply(&["AUTH PLAIN"])).auth_plain);
    }

    #[test]
    fn error_classification() {
        let reply = |code| Reply { code, lines: vec!["x".to_string()] };
        assert!(SmtpError::Rejected { stage: Stage::MailFrom, reply: reply(451) }.is_transient());
        assert!(SmtpError::Rejected { stage: Stage::MailFrom, reply: reply(550) }.is_permanent());
        assert!(SmtpError::Timeout { stage: Stage::Greeting, timeout: Duration::from_millis(1) }.is_transient());
        assert!(SmtpError::ConnectionClosed { stage: Stage::Data }.is_transient());
        assert!(SmtpError::InvalidInput("x".into()).is_permanent());
        let rejection = |code| RecipientRejection { recipient: "a@b.example".into(), reply: reply(code) };
        assert!(SmtpError::AllRecipientsRejected { rejected: vec![rejection(550)] }.is_permanent());
        assert!(SmtpError::AllRecipientsRejected { rejected: vec![rejection(550), rejection(452)] }.is_transient());
    }

    #[test]
    fn config_debug_hides_password() {
        let mut config = SmtpConfig::new("localhost", 25);
        config.username = Some("user".into());
        config.password = Some("hunter2".into());
        let shown = format!("{config:?}");
        assert!(shown.contains("user") && !shown.contains("hunter2"));
    }

    #[tokio::test]
    async fn invalid_input_is_rejected_before_connecting() {
        // Port 9 (discard) on loopback: nothing is listening, but validation must fail first.
        let client = SmtpClient::new(SmtpConfig::new("127.0.0.1", 9));
        let rcpt = vec!["a@b.example".to_string()];
        let cases: Vec<(&str, Vec<String>)> = vec![
            ("x@y.example>\r\nRCPT TO:<evil@z.example", rcpt.clone()),
            ("x@y.example", vec![]),
            ("x@y.example", vec!["a@b.example>\r\nDATA".to_string()]),
            ("x@y.example", vec![String::new()]),
        ];
        for (from, recipients) in cases {
            let error = client.send(from, &recipients, b"x").await.unwrap_err();
            assert!(matches!(error, SmtpError::InvalidInput(_)), "{error}");
            assert!(error.is_permanent());
        }
    }
}
