//! `SmtpSink`: a minimal real SMTP server on 127.0.0.1, for tests only.
//!
//! It speaks enough RFC 5321 for [`crate::SmtpClient`] and common clients (EHLO/HELO, AUTH
//! PLAIN, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), optionally over implicit TLS
//! or STARTTLS with a certificate the test supplies ([`SinkTls`]), and keeps every accepted
//! message in memory. It delivers nothing, enforces no real policy and must never face a network:
//! it binds to loopback only. It is public so the workspace's integration tests can use it too.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::encoding::base64_decode;
use crate::smtp::{SmtpConfig, SmtpTls};

/// Command lines longer than this end the session (RFC 5321 allows 512; we are lenient).
const MAX_COMMAND_LINE: usize = 4096;
/// Bound on one message, so a runaway client cannot exhaust the test process's memory.
const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// Behaviour switches for failure-path tests.
#[derive(Debug, Clone, Default)]
pub struct SinkOptions {
    /// Recipients answered with `550` at RCPT TO (compared case-insensitively).
    pub reject_recipients: Vec<String>,
    /// Answer the first MAIL FROM of the sink's lifetime with `451` (transient), later ones
    /// normally: models a relay that is briefly unavailable, to test retries.
    pub fail_first_mail_from: bool,
    /// Store the first message of the sink's lifetime, then wait this long before saying so:
    /// models a relay that accepts slowly, to test a client's timeout.
    pub delay_first_data_reply: Option<Duration>,
    /// Advertise AUTH PLAIN and require these credentials before MAIL FROM.
    pub credentials: Option<(String, String)>,
    /// Answer EHLO with `502`, like an RFC 821-only server.
    pub reject_ehlo: bool,
    /// Serve TLS with this certificate; `None`: plain SMTP, no STARTTLS offered.
    pub tls: Option<SinkTls>,
}

/// How the sink serves TLS, and with which certificate.
#[derive(Debug, Clone)]
pub struct SinkTls {
    pub mode: SinkTlsMode,
    /// PEM certificate chain, leaf first.
    pub certificate_chain_pem: String,
    /// PEM private key of the leaf certificate.
    pub private_key_pem: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkTlsMode {
    /// TLS from the first byte (like port 465).
    Implicit,
    /// Plain until the client sends STARTTLS, which is offered; AUTH is offered only after it, as
    /// real submission servers do.
    StartTls,
}

/// A message the sink accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// The MAIL FROM path (without angle brackets; empty for the null sender).
    pub from: String,
    /// The accepted RCPT TO paths, in order.
    pub recipients: Vec<String>,
    /// The message content after dot-unstuffing, including its final CRLF.
    pub data: Vec<u8>,
    /// Whether the message arrived over TLS.
    pub encrypted: bool,
}

struct Shared {
    options: SinkOptions,
    tls_acceptor: Option<TlsAcceptor>,
    messages: Mutex<Vec<ReceivedMessage>>,
    count: watch::Sender<usize>,
    failed_first_mail_from: AtomicBool,
    delayed_first_data_reply: AtomicBool,
    next_queue_id: AtomicU64,
    connections: AtomicUsize,
}

/// A test SMTP server; stops when dropped.
pub struct SmtpSink {
    address: SocketAddr,
    shared: Arc<Shared>,
    count: watch::Receiver<usize>,
    accept_task: JoinHandle<()>,
}

impl SmtpSink {
    /// Starts a sink that accepts everything, serving from a task on the current Tokio runtime.
    /// Panics if it cannot bind (it is a test helper).
    pub async fn start() -> SmtpSink {
        Self::start_with(SinkOptions::default()).await
    }

    /// Starts a sink with failure-path options.
    pub async fn start_with(options: SinkOptions) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the test SMTP sink on 127.0.0.1:0");
        let address = listener.local_addr().expect("local address of the test SMTP sink");
        let (count_tx, count_rx) = watch::channel(0);
        let tls_acceptor = options.tls.as_ref().map(tls_acceptor);
        let shared = Arc::new(Shared {
            tls_acceptor,
            options,
            messages: Mutex::new(Vec::new()),
            count: count_tx,
            failed_first_mail_from: AtomicBool::new(false),
            delayed_first_data_reply: AtomicBool::new(false),
            next_queue_id: AtomicU64::new(1),
            connections: AtomicUsize::new(0),
        });
        let accept_task = tokio::spawn(accept_loop(listener, shared.clone()));
        SmtpSink { address, shared, count: count_rx, accept_task }
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// A client configuration pointing at this sink (5 s timeout, no credentials). With
    /// [`SinkOptions::tls`], the matching TLS mode and the sink's certificate as an extra root.
    pub fn config(&self) -> SmtpConfig {
        let mut config = SmtpConfig::new("127.0.0.1", self.port());
        config.timeout = Duration::from_secs(5);
        if let Some(tls) = &self.shared.options.tls {
            config.tls = match tls.mode {
                SinkTlsMode::Implicit => SmtpTls::Wrapper,
                SinkTlsMode::StartTls => SmtpTls::StartTls,
            };
            config.extra_root_certificates_pem = Some(tls.certificate_chain_pem.clone());
        }
        config
    }

    /// How many TCP connections clients opened so far (to see a pool reuse them).
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// The messages accepted so far, in order of acceptance.
    pub fn messages(&self) -> Vec<ReceivedMessage> {
        self.shared.messages.lock().expect("sink message list poisoned").clone()
    }

    /// Waits until at least `n` messages were accepted; `None` if that takes longer than `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Option<Vec<ReceivedMessage>> {
        let mut count = self.count.clone();
        let reached = tokio::time::timeout(timeout, count.wait_for(|&c| c >= n)).await.is_ok_and(|r| r.is_ok());
        reached.then(|| self.messages())
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every open session.
        self.accept_task.abort();
    }
}

/// Panics on a bad certificate or key (a test helper).
fn tls_acceptor(tls: &SinkTls) -> TlsAcceptor {
    let chain = CertificateDer::pem_slice_iter(tls.certificate_chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("the sink's certificate chain is PEM");
    let key = PrivateKeyDer::from_pem_slice(tls.private_key_pem.as_bytes()).expect("the sink's private key is PEM");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("rustls protocol versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("the sink's certificate and key match");
    TlsAcceptor::from(Arc::new(config))
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    shared.connections.fetch_add(1, Ordering::SeqCst);
                    sessions.spawn(session(stream, shared.clone()));
                }
                // E.g. too many open files: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

/// Reads one line (with its terminator) up to `limit` bytes; `None` at end of stream or when
/// the line is too long (either way the session is over).
async fn read_line<R: AsyncRead + Unpin>(reader: &mut BufReader<R>, limit: usize) -> Option<Vec<u8>> {
    let mut line = Vec::new();
    match (&mut *reader).take(limit as u64).read_until(b'\n', &mut line).await {
        Ok(_) if line.ends_with(b"\n") => Some(line),
        _ => None,
    }
}

fn trim_line(line: &[u8]) -> String {
    String::from_utf8_lossy(line).trim_end_matches(['\r', '\n']).to_string()
}

/// The path inside `<...>` after `MAIL FROM:` / `RCPT TO:`, ignoring ESMTP parameters.
fn path_argument(rest: &str) -> Option<String> {
    let rest = rest.trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_string())
}

fn check_auth(options: &SinkOptions, token: &str) -> bool {
    let Some((user, password)) = &options.credentials else {
        return false;
    };
    let Ok(decoded) = base64_decode(token.trim().as_bytes()) else {
        return false;
    };
    let fields: Vec<&[u8]> = decoded.split(|&b| b == 0).collect();
    fields.len() == 3 && fields[1] == user.as_bytes() && fields[2] == password.as_bytes()
}

async fn session(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let mode = shared.options.tls.as_ref().map(|t| t.mode);
    let acceptor = shared.tls_acceptor.clone();
    match (mode, acceptor) {
        (Some(SinkTlsMode::Implicit), Some(acceptor)) => {
            if let Ok(tls) = acceptor.accept(stream).await {
                converse(tls, &shared, Phase::ImplicitTls).await;
            }
        }
        (Some(SinkTlsMode::StartTls), Some(acceptor)) => {
            if let Some(plain) = converse(stream, &shared, Phase::BeforeStartTls).await {
                if let Ok(tls) = acceptor.accept(plain).await {
                    converse(tls, &shared, Phase::AfterStartTls).await;
                }
            }
        }
        _ => {
            converse(stream, &shared, Phase::Plain).await;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No TLS in this session.
    Plain,
    /// Plain, STARTTLS offered, AUTH refused until after it.
    BeforeStartTls,
    ImplicitTls,
    /// Encrypted by STARTTLS; RFC 3207: no second greeting, the client starts over with EHLO.
    AfterStartTls,
}

/// Serves SMTP commands on `stream` until QUIT or a broken connection (`None`), or until STARTTLS
/// is accepted in [`Phase::BeforeStartTls`] (`Some(stream)`, ready for the handshake).
async fn converse<S: AsyncRead + AsyncWrite + Unpin>(stream: S, shared: &Shared, phase: Phase) -> Option<S> {
    let (reader, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(reader);
    let options = &shared.options;
    let encrypted = matches!(phase, Phase::ImplicitTls | Phase::AfterStartTls);
    let mut authenticated = false;
    let mut from: Option<String> = None;
    let mut recipients: Vec<String> = Vec::new();

    if phase != Phase::AfterStartTls && writer.write_all(b"220 aura-smtp-sink ESMTP test server\r\n").await.is_err() {
        return None;
    }
    loop {
        let line = read_line(&mut reader, MAX_COMMAND_LINE).await?;
        let line = trim_line(&line);
        let upper = line.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            from = None;
            recipients.clear();
            if options.reject_ehlo {
                "502 5.5.1 EHLO not supported\r\n".to_string()
            } else {
                let auth = if options.credentials.is_some() && phase != Phase::BeforeStartTls {
                    "250-AUTH PLAIN\r\n"
                } else {
                    ""
                };
                let starttls = if phase == Phase::BeforeStartTls { "250-STARTTLS\r\n" } else { "" };
                format!("250-aura-smtp-sink\r\n250-8BITMIME\r\n{starttls}{auth}250 SIZE {MAX_MESSAGE_BYTES}\r\n")
            }
        } else if upper.starts_with("HELO") {
            from = None;
            recipients.clear();
            "250 aura-smtp-sink\r\n".to_string()
        } else if upper.starts_with("AUTH PLAIN") {
            let initial = line["AUTH PLAIN".len()..].trim().to_string();
            let token = if initial.is_empty() {
                if writer.write_all(b"334 \r\n").await.is_err() {
                    return None;
                }
                trim_line(&read_line(&mut reader, MAX_COMMAND_LINE).await?)
            } else {
                initial
            };
            if options.credentials.is_none() {
                "503 5.5.1 AUTH not advertised\r\n".to_string()
            } else if phase == Phase::BeforeStartTls {
                // RFC 4954 §4: a password must not cross before STARTTLS.
                "538 5.7.11 Encryption required for requested authentication mechanism\r\n".to_string()
            } else if check_auth(options, &token) {
                authenticated = true;
                "235 2.7.0 Authentication successful\r\n".to_string()
            } else {
                "535 5.7.8 Authentication credentials invalid\r\n".to_string()
            }
        } else if let Some(rest) = upper.strip_prefix("MAIL FROM:").map(|_| &line["MAIL FROM:".len()..]) {
            if options.credentials.is_some() && !authenticated {
                "530 5.7.0 Authentication required\r\n".to_string()
            } else if options.fail_first_mail_from && !shared.failed_first_mail_from.swap(true, Ordering::SeqCst) {
                "451 4.3.0 Temporarily unavailable, try again later\r\n".to_string()
            } else if let Some(path) = path_argument(rest) {
                from = Some(path);
                recipients.clear();
                "250 2.1.0 Ok\r\n".to_string()
            } else {
                "501 5.5.4 Syntax: MAIL FROM:<address>\r\n".to_string()
            }
        } else if let Some(rest) = upper.strip_prefix("RCPT TO:").map(|_| &line["RCPT TO:".len()..]) {
            match (from.is_some(), path_argument(rest)) {
                (false, _) => "503 5.5.1 Need MAIL first\r\n".to_string(),
                (true, None) => "501 5.5.4 Syntax: RCPT TO:<address>\r\n".to_string(),
                (true, Some(path)) if options.reject_recipients.iter().any(|r| r.eq_ignore_ascii_case(&path)) => {
                    format!("550 5.1.1 <{path}>: Recipient address rejected: User unknown\r\n")
                }
                (true, Some(path)) => {
                    recipients.push(path);
                    "250 2.1.5 Ok\r\n".to_string()
                }
            }
        } else if upper == "DATA" {
            match &from {
                Some(sender) if !recipients.is_empty() => {
                    if writer.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await.is_err() {
                        return None;
                    }
                    let data = read_data(&mut reader).await?;
                    let id = shared.next_queue_id.fetch_add(1, Ordering::SeqCst);
                    let message = ReceivedMessage {
                        from: sender.clone(),
                        recipients: std::mem::take(&mut recipients),
                        data,
                        encrypted,
                    };
                    let count = {
                        let mut messages = shared.messages.lock().expect("sink message list poisoned");
                        messages.push(message);
                        messages.len()
                    };
                    shared.count.send_replace(count);
                    from = None;
                    if let Some(delay) = options.delay_first_data_reply {
                        if !shared.delayed_first_data_reply.swap(true, Ordering::SeqCst) {
                            tokio::time::sleep(delay).await;
                        }
                    }
                    format!("250 2.0.0 Ok: queued as SINK{id:06}\r\n")
                }
                _ => "503 5.5.1 Need MAIL and RCPT first\r\n".to_string(),
            }
        } else if upper == "STARTTLS" && phase == Phase::BeforeStartTls {
            // Anything the client sent after STARTTLS in the same packet was written before the
            // handshake, in clear: a real server must not act on it (CVE-2011-0411), so neither do we.
            if !reader.buffer().is_empty() {
                return None;
            }
            if writer.write_all(b"220 2.0.0 Ready to start TLS\r\n").await.is_err() {
                return None;
            }
            return Some(reader.into_inner().unsplit(writer));
        } else if upper == "RSET" {
            from = None;
            recipients.clear();
            "250 2.0.0 Ok\r\n".to_string()
        } else if upper == "NOOP" {
            "250 2.0.0 Ok\r\n".to_string()
        } else if upper == "QUIT" {
            let _ = writer.write_all(b"221 2.0.0 Bye\r\n").await;
            return None;
        } else {
            "502 5.5.2 Command not recognized\r\n".to_string()
        };
        if writer.write_all(reply.as_bytes()).await.is_err() {
            return None;
        }
    }
}

/// Reads DATA content up to the `.` line, undoing dot-stuffing. `None` if the client went away
/// or sent too much.
async fn read_data<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    loop {
        let line = read_line(reader, MAX_MESSAGE_BYTES - data.len() + 3).await?;
        if line == b".\r\n" || line == b".\n" {
            return Some(data);
        }
        let content = line.strip_prefix(b".").unwrap_or(&line);
        data.extend_from_slice(content);
        if data.len() >= MAX_MESSAGE_BYTES {
            return None;
        }
    }
}
