//! SMTP delivery through [`lettre`]: implicit TLS or required STARTTLS (rustls, system roots plus
//! optional extra ones), AUTH, a connection pool, and the message bytes exactly as
//! [`Message::to_rfc5322`] built them.
//!
//! This module keeps what lettre does not decide for us: which connections may carry credentials
//! (only encrypted ones, or loopback), a deadline on the whole send (lettre's Tokio transport
//! bounds only the connect), line-break normalisation of raw content, and the
//! transient/permanent verdict the workflow engine retries on.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use thiserror::Error;

use crate::message::{Message, MessageError};

/// The send deadline grows with the message at this floor throughput, so a large attachment on a
/// slow link is judged by progress rather than failing at a fixed total.
const MIN_BYTES_PER_SECOND: u64 = 64 * 1024;

/// Which protection the connection gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain TCP. Only sensible for a relay on this host or a trusted private link; credentials
    /// are refused unless the host is loopback.
    None,
    /// Plain TCP upgraded with STARTTLS before anything else is sent (RFC 3207); a server that
    /// does not offer STARTTLS fails the send rather than receiving the message in clear text.
    StartTls,
    /// TLS from the first byte ("implicit TLS", RFC 8314), usually port 465.
    Wrapper,
}

impl SmtpTls {
    /// The default for a host and port: nothing on loopback, implicit TLS on 465, otherwise
    /// required STARTTLS.
    pub fn default_for(host: &str, port: u16) -> SmtpTls {
        if is_loopback(host) {
            SmtpTls::None
        } else if port == 465 {
            SmtpTls::Wrapper
        } else {
            SmtpTls::StartTls
        }
    }
}

impl FromStr for SmtpTls {
    type Err = String;

    /// `none`, `starttls` or `tls` (implicit TLS), case-insensitively.
    fn from_str(s: &str) -> Result<SmtpTls, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(SmtpTls::None),
            "starttls" => Ok(SmtpTls::StartTls),
            "tls" => Ok(SmtpTls::Wrapper),
            _ => Err(format!("expected `starttls`, `tls` or `none`, got `{s}`")),
        }
    }
}

/// Where and how to connect.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// Name sent in EHLO (our host's name).
    pub helo_name: String,
    /// AUTH credentials (PLAIN or LOGIN, whichever the server offers); both or neither.
    pub username: Option<String>,
    pub password: Option<String>,
    /// Bound on connecting, and on a whole send (extended by the message's size at 64 KiB/s).
    pub timeout: Duration,
    pub tls: SmtpTls,
    /// PEM certificates trusted as roots besides the system's, for a relay with a private CA.
    pub extra_root_certificates_pem: Option<String>,
}

impl SmtpConfig {
    /// No credentials, EHLO name `localhost`, 30 s timeout, TLS per [`SmtpTls::default_for`].
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        let host = host.into();
        SmtpConfig {
            tls: SmtpTls::default_for(&host, port),
            host,
            port,
            helo_name: "localhost".to_string(),
            username: None,
            password: None,
            timeout: Duration::from_secs(30),
            extra_root_certificates_pem: None,
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
            .field("tls", &self.tls)
            .field("extra_root_certificates_pem", &self.extra_root_certificates_pem.as_ref().map(|_| "<pem>"))
            .finish()
    }
}

/// A server reply: the three-digit code and its text.
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

    fn from_response(response: &Response) -> Reply {
        Reply { code: response.code().into(), lines: response.message().map(str::to_string).collect() }
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.lines.join(" / "))
    }
}

/// Outcome of a successful send: the server took responsibility for every recipient (lettre
/// fails the whole send when any RCPT TO is refused, so there are no partial successes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReport {
    /// The server's reply to the end of DATA; its text usually carries the queue id.
    pub final_reply: Reply,
    pub accepted: Vec<String>,
}

type LettreError = lettre::transport::smtp::Error;

/// Why a send failed. [`SmtpError::is_transient`] tells the workflow engine whether to retry.
#[derive(Debug, Error)]
pub enum SmtpError {
    /// Bad arguments or configuration (e.g. CR/LF in an address, credentials for a clear-text
    /// connection): permanent, nothing was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The message could not be built: permanent.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// Could not connect, or the connection broke: transient.
    #[error("SMTP connection to {address} failed: {source}")]
    Connection { address: String, source: LettreError },
    /// The TLS handshake failed (untrusted or mismatched certificate, no common protocol):
    /// permanent, because the same server and configuration fail the same way until an operator
    /// changes one of them.
    #[error("TLS with {address} failed: {source}")]
    Tls { address: String, source: LettreError },
    #[error("SMTP send to {address} timed out after {timeout:?}")]
    Timeout { address: String, timeout: Duration },
    /// The server's reply could not be parsed: transient, since nothing was delivered and the
    /// likely cause is infrastructure (a restarting relay, a proxy in between).
    #[error("malformed reply from {address}: {source}")]
    Protocol { address: String, source: LettreError },
    /// The server lacks something this send needs: STARTTLS when it is required, an AUTH
    /// mechanism when credentials are set, 8BITMIME/SMTPUTF8 for non-ASCII. Permanent.
    #[error("{address} cannot take this send: {source}")]
    Unsupported { address: String, source: LettreError },
    /// The server answered a command with a 4xx or 5xx reply.
    #[error("{address} replied {reply}")]
    Rejected { address: String, reply: Reply },
}

impl SmtpError {
    /// True when the same send may succeed later: connection problems, timeouts, garbled replies
    /// and 4xx replies. False for 5xx replies, TLS failures, missing server features and invalid
    /// input.
    pub fn is_transient(&self) -> bool {
        match self {
            SmtpError::InvalidInput(_)
            | SmtpError::Message(_)
            | SmtpError::Tls { .. }
            | SmtpError::Unsupported { .. } => false,
            SmtpError::Connection { .. } | SmtpError::Timeout { .. } | SmtpError::Protocol { .. } => true,
            SmtpError::Rejected { reply, .. } => !reply.is_permanent_failure(),
        }
    }

    pub fn is_permanent(&self) -> bool {
        !self.is_transient()
    }

    /// The server reply behind the error, if there was one.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            SmtpError::Rejected { reply, .. } => Some(reply),
            _ => None,
        }
    }

    fn from_lettre(address: &str, connect_timeout: Duration, error: LettreError) -> SmtpError {
        let address = address.to_string();
        if let Some(code) = error.status() {
            // lettre keeps the reply's text as the error's source.
            let text = std::error::Error::source(&error).map(|s| s.to_string()).unwrap_or_default();
            return SmtpError::Rejected { address, reply: Reply { code: code.into(), lines: vec![text] } };
        }
        if error.is_timeout() {
            return SmtpError::Timeout { address, timeout: connect_timeout };
        }
        if error.is_response() {
            return SmtpError::Protocol { address, source: error };
        }
        if error.is_client() {
            return SmtpError::Unsupported { address, source: error };
        }
        // lettre reports handshake failures as connection errors; the rustls error inside the
        // I/O error tells them apart from a refused or reset connection.
        if error.is_tls() || caused_by_rustls(&error) {
            return SmtpError::Tls { address, source: error };
        }
        SmtpError::Connection { address, source: error }
    }
}

fn caused_by_rustls(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.is::<rustls::Error>() {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) {
                return true;
            }
        }
        current = e.source();
    }
    false
}

/// Sends messages to one SMTP server over a pool of connections. Cheap to clone (clones share the
/// pool). Build it inside a Tokio runtime: the pool's idle-connection reaper is a task.
#[derive(Clone)]
pub struct SmtpClient {
    config: SmtpConfig,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl fmt::Debug for SmtpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpClient").field("config", &self.config).finish_non_exhaustive()
    }
}

impl SmtpClient {
    /// Checks the configuration and builds the pooled transport; no connection is opened yet.
    ///
    /// Fails with [`SmtpError::InvalidInput`] for credentials on an unencrypted connection to a
    /// host other than loopback, half-set credentials, a bad EHLO name or unreadable extra roots.
    pub fn new(config: SmtpConfig) -> Result<Self, SmtpError> {
        let invalid = |m: String| SmtpError::InvalidInput(m);
        if config.helo_name.is_empty() || config.helo_name.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(invalid(format!("invalid HELO name {:?}", config.helo_name)));
        }
        let host = config.host.trim_start_matches('[').trim_end_matches(']').to_string();
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
            .port(config.port)
            .hello_name(ClientId::Domain(config.helo_name.clone()))
            .timeout(Some(config.timeout));
        match (&config.username, &config.password) {
            (Some(user), Some(password)) => {
                if user.contains('\0') || password.contains('\0') {
                    return Err(invalid("credentials contain NUL".to_string()));
                }
                // A password may cross the loopback interface in clear (a local relay), never the
                // network.
                if config.tls == SmtpTls::None && !is_loopback(&config.host) {
                    return Err(invalid(format!(
                        "refusing to send SMTP credentials in clear text to {}: use STARTTLS or TLS",
                        config.host
                    )));
                }
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            (None, None) => {}
            _ => return Err(invalid("username and password must be set together".to_string())),
        }
        if config.tls != SmtpTls::None {
            let mut parameters = TlsParameters::builder(host);
            if let Some(pem) = &config.extra_root_certificates_pem {
                let certificate = Certificate::from_pem(pem.as_bytes())
                    .map_err(|e| invalid(format!("extra SMTP root certificates: {e}")))?;
                parameters = parameters.add_root_certificate(certificate);
            }
            let parameters = parameters.build().map_err(|e| invalid(format!("SMTP TLS parameters: {e}")))?;
            builder = builder.tls(match config.tls {
                SmtpTls::StartTls => Tls::Required(parameters),
                _ => Tls::Wrapper(parameters),
            });
        }
        Ok(SmtpClient { transport: builder.build(), config })
    }

    pub fn config(&self) -> &SmtpConfig {
        &self.config
    }

    /// Delivers `data` (a complete RFC 5322 message) to `recipients` with the given envelope
    /// sender (`""` for the null reverse-path).
    ///
    /// Fails if the server refuses any recipient. Line breaks in `data` are normalised to CRLF
    /// (lettre dot-stuffs only after CRLF, and bare CR/LF enable "SMTP smuggling").
    ///
    /// The send runs in its own task and a timeout only stops waiting for it: cancelling lettre
    /// mid-command would put a connection with an unread reply back into the pool, and the next
    /// send would read that reply as its own. The abandoned send ends when the server answers or
    /// closes; if it then succeeds after all, a retry of the timed-out send delivers twice.
    pub async fn send(&self, envelope_from: &str, recipients: &[String], data: &[u8]) -> Result<SendReport, SmtpError> {
        check_path(envelope_from, "envelope sender", true)?;
        if recipients.is_empty() {
            return Err(SmtpError::InvalidInput("no recipients".to_string()));
        }
        for recipient in recipients {
            check_path(recipient, "recipient", false)?;
        }
        let parse = |path: &str| {
            lettre::Address::from_str(path)
                .map_err(|e| SmtpError::InvalidInput(format!("invalid address {path:?}: {e}")))
        };
        let from = if envelope_from.is_empty() { None } else { Some(parse(envelope_from)?) };
        let to = recipients.iter().map(|r| parse(r)).collect::<Result<Vec<_>, _>>()?;
        let envelope =
            lettre::address::Envelope::new(from, to).map_err(|e| SmtpError::InvalidInput(format!("envelope: {e}")))?;

        let mut content = normalize_line_breaks(data);
        // lettre ends DATA with CRLF "." CRLF itself: hand it the content without its last CRLF
        // so the server stores exactly `content`.
        content.truncate(content.len().saturating_sub(2));
        let deadline = self.config.timeout + Duration::from_secs(content.len() as u64 / MIN_BYTES_PER_SECOND);
        let transport = self.transport.clone();
        let task = tokio::spawn(async move { transport.send_raw(&envelope, &content).await });
        let address = format!("{}:{}", self.config.host, self.config.port);
        match tokio::time::timeout(deadline, task).await {
            Err(_) => Err(SmtpError::Timeout { address, timeout: deadline }),
            Ok(Err(join)) => std::panic::resume_unwind(join.into_panic()),
            Ok(Ok(Err(error))) => Err(SmtpError::from_lettre(&address, self.config.timeout, error)),
            Ok(Ok(Ok(response))) => {
                Ok(SendReport { final_reply: Reply::from_response(&response), accepted: recipients.to_vec() })
            }
        }
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
/// brackets would let the caller's data inject SMTP commands. (lettre's address parser rejects
/// these too; checking first gives one clear error either way.)
fn check_path(path: &str, what: &str, may_be_empty: bool) -> Result<(), SmtpError> {
    let bad = path.is_empty() && !may_be_empty
        || path.len() > 256
        || path.contains(|c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if bad {
        return Err(SmtpError::InvalidInput(format!("invalid {what} {path:?}")));
    }
    Ok(())
}

/// Every line break becomes CRLF (bare CR or LF are not allowed in SMTP), and the content ends
/// with CRLF.
fn normalize_line_breaks(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 64 + 2);
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if data.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            byte => out.push(byte),
        }
        i += 1;
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_become_crlf_and_the_content_ends_with_one() {
        assert_eq!(normalize_line_breaks(b""), b"\r\n");
        assert_eq!(normalize_line_breaks(b"a\r\n"), b"a\r\n");
        assert_eq!(normalize_line_breaks(b"a"), b"a\r\n");
        assert_eq!(normalize_line_breaks(b".\r\n..x\r\n"), b".\r\n..x\r\n");
        assert_eq!(normalize_line_breaks(b"bare\nlf\rcr\r\n.x"), b"bare\r\nlf\r\ncr\r\n.x\r\n");
    }

    #[test]
    fn error_classification() {
        let rejected =
            |code| SmtpError::Rejected { address: "mx:25".into(), reply: Reply { code, lines: vec!["x".into()] } };
        assert!(rejected(451).is_transient());
        assert!(rejected(550).is_permanent());
        assert!(SmtpError::Timeout { address: "mx:25".into(), timeout: Duration::from_millis(1) }.is_transient());
        assert!(SmtpError::InvalidInput("x".into()).is_permanent());
    }

    #[test]
    fn tls_mode_defaults_and_parsing() {
        assert_eq!(SmtpConfig::new("127.0.0.1", 25).tls, SmtpTls::None);
        assert_eq!(SmtpConfig::new("localhost", 587).tls, SmtpTls::None);
        assert_eq!(SmtpConfig::new("smtp.example.com", 587).tls, SmtpTls::StartTls);
        assert_eq!(SmtpConfig::new("smtp.example.com", 465).tls, SmtpTls::Wrapper);
        assert_eq!("STARTTLS".parse(), Ok(SmtpTls::StartTls));
        assert_eq!("tls".parse(), Ok(SmtpTls::Wrapper));
        assert_eq!("none".parse(), Ok(SmtpTls::None));
        assert!("ssl".parse::<SmtpTls>().is_err());
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
        let client = SmtpClient::new(SmtpConfig::new("127.0.0.1", 9)).unwrap();
        let rcpt = vec!["a@b.example".to_string()];
        let cases: Vec<(&str, Vec<String>)> = vec![
            ("x@y.example>\r\nRCPT TO:<evil@z.example", rcpt.clone()),
            ("x@y.example", vec![]),
            ("x@y.example", vec!["a@b.example>\r\nDATA".to_string()]),
            ("x@y.example", vec![String::new()]),
            ("not-an-address", rcpt.clone()),
        ];
        for (from, recipients) in cases {
            let error = client.send(from, &recipients, b"x").await.unwrap_err();
            assert!(matches!(error, SmtpError::InvalidInput(_)), "{error}");
            assert!(error.is_permanent());
        }
    }
}
