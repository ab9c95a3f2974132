//! End-to-end tests: build a message, send it with `SmtpClient` to a real `SmtpSink`, parse what arrived.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use mail::{
    parse_message, Address, Attachment, Message, SinkOptions, SinkTls, SinkTlsMode, SmtpClient, SmtpConfig, SmtpError,
    SmtpSink, SmtpTls,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const WAIT: Duration = Duration::from_secs(5);

/// The sink's TLS identity: a committed, test-only self-signed certificate for 127.0.0.1.
fn sink_tls(mode: SinkTlsMode) -> SinkTls {
    SinkTls {
        mode,
        certificate_chain_pem: include_str!("tls/cert.pem").to_string(),
        private_key_pem: include_str!("tls/key.pem").to_string(),
    }
}

fn with_credentials(mut config: SmtpConfig, user: &str, password: &str) -> SmtpConfig {
    config.username = Some(user.to_string());
    config.password = Some(password.to_string());
    config
}

/// Bytes of a fake PDF that contain every byte value, so any transfer-encoding slip shows.
fn brochure_bytes() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    bytes.extend(0..=255u8);
    bytes.extend((0..=255u8).rev());
    bytes.extend_from_slice(b"\r\n.\r\n\n.\n%%EOF\n");
    bytes
}

fn campaign_message() -> Message {
    Message {
        from: Address::with_name("Agence Émile Immobilier", "listings@aura.example").unwrap(),
        to: vec![Address::parse("\"Tremblay, Émilie\" <emilie@example.com>").unwrap()],
        reply_to: Some(Address::new("agent-7@aura.example").unwrap()),
        subject: "Nouvelle inscription : maison à vendre — 3 chambres, vue sur le fleuve 🏡".to_string(),
        text: "Bonjour Émilie,\n\n\
               Une nouvelle propriété correspond à vos critères.\n\
               .\n\
               .a line that starts with a dot\n\
               trailing spaces   \n\
               a=b and a very long line that must be soft-wrapped by quoted-printable because it is far longer than seventy-six characters\n\
               \n-- \nAURA"
            .to_string(),
        html: Some("<html><body><p>Bonjour <b>Émilie</b>,</p>\n<p>.dot</p>\n</body></html>".to_string()),
        attachments: vec![
            Attachment::new("brochure.pdf", "application/pdf", brochure_bytes()),
            Attachment::new("Plan d'étage – rez-de-chaussée.png", "image/png", vec![0x89, b'P', b'N', b'G', 0, 255, 13, 10]),
        ],
        date: Utc.with_ymd_and_hms(2025, 7, 1, 14, 30, 0).unwrap(),
        message_id: "campaign-42.recipient-7@aura.example".to_string(),
        headers: vec![
            ("List-Unsubscribe".to_string(), "<https://aura.example/unsubscribe/7>".to_string()),
            ("List-Unsubscribe-Post".to_string(), "List-Unsubscribe=One-Click".to_string()),
        ],
    }
}

fn crlf(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n").replace('\n', "\r\n").into_bytes()
}

#[tokio::test]
async fn full_message_arrives_with_its_attachments() {
    let sink = SmtpSink::start().await;
    let client = SmtpClient::new(sink.config()).unwrap();
    let message = campaign_message();
    let built = message.to_rfc5322().unwrap();

    let report = client.send_message(&message).await.unwrap();
    assert_eq!(report.accepted, vec!["emilie@example.com".to_string()]);
    assert_eq!(report.final_reply.code, 250);
    assert!(report.final_reply.text().contains("queued as SINK"), "{}", report.final_reply);

    let received = sink.wait_for(1, WAIT).await.expect("message arrives");
    assert_eq!(received.len(), 1);
    let received = &received[0];
    assert_eq!(received.from, "listings@aura.example");
    assert_eq!(received.recipients, vec!["emilie@example.com".to_string()]);
    assert_eq!(received.data, built, "the sink got exactly the built bytes (dot-stuffing undone)");
    assert!(!received.encrypted, "plain SMTP to loopback by default");

    let parsed = parse_message(&received.data).unwrap();
    assert_eq!(parsed.header_decoded("Subject").unwrap(), message.subject);
    assert_eq!(parsed.header_decoded("From").unwrap(), "Agence Émile Immobilier <listings@aura.example>");
    assert_eq!(parsed.header("Reply-To"), Some("agent-7@aura.example"));
    assert_eq!(parsed.header("Date"), Some("Tue, 01 Jul 2025 14:30:00 +0000"));
    assert_eq!(parsed.header("Message-ID"), Some("<campaign-42.recipient-7@aura.example>"));
    assert_eq!(parsed.header("List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
    assert_eq!(parsed.content_type, "multipart/mixed");

    let alternative = &parsed.parts[0];
    assert_eq!(alternative.content_type, "multipart/alternative");
    let kinds: Vec<&str> = alternative.parts.iter().map(|p| p.content_type.as_str()).collect();
    assert_eq!(kinds, ["text/plain", "text/html"]);
    assert_eq!(parsed.find_body("text/plain").unwrap().body, crlf(&message.text));
    assert_eq!(parsed.find_body("text/html").unwrap().body, crlf(message.html.as_deref().unwrap()));
    assert_eq!(parsed.find_body("text/plain").unwrap().param("charset"), Some("utf-8"));

    let attachments = parsed.attachments();
    assert_eq!(attachments.len(), 2);
    for (got, want) in attachments.iter().zip(&message.attachments) {
        assert_eq!(got.filename.as_deref(), Some(want.filename.as_str()));
        assert_eq!(got.content_type, want.content_type);
        assert_eq!(got.body, want.bytes, "{} is byte-exact", want.filename);
    }
}

#[tokio::test]
async fn python_email_package_agrees() {
    let message = campaign_message();
    let built = message.to_rfc5322().unwrap();
    let Some(report) = python_report(&built) else {
        eprintln!("python3 not available: skipping the cross-check with Python's email package");
        return;
    };
    let lines: Vec<Vec<&str>> = report.lines().map(|l| l.split('\t').collect()).collect();
    let field = |name: &str| lines.iter().find(|l| l[0] == name).map(|l| l[1..].to_vec()).unwrap();
    assert_eq!(unhex(field("subject")[0]), message.subject.as_bytes());
    assert_eq!(unhex(field("from_name")[0]), "Agence Émile Immobilier".as_bytes());
    assert_eq!(unhex(field("to_name")[0]), "Tremblay, Émilie".as_bytes());
    assert_eq!(field("defects"), ["0"], "python reported defects:\n{report}");

    let parts: Vec<&Vec<&str>> = lines.iter().filter(|l| l[0] == "part").collect();
    let types: Vec<&str> = parts.iter().map(|p| p[1]).collect();
    assert_eq!(
        types,
        ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf", "image/png"]
    );
    let text = String::from_utf8(unhex(parts[2][3])).unwrap();
    assert_eq!(text.replace("\r\n", "\n"), message.text);
    let html = String::from_utf8(unhex(parts[3][3])).unwrap();
    assert_eq!(html.replace("\r\n", "\n"), message.html.clone().unwrap());
    for (part, want) in parts[4..].iter().zip(&message.attachments) {
        assert_eq!(unhex(part[2]), want.filename.as_bytes());
        assert_eq!(unhex(part[3]), want.bytes);
    }
}

#[test]
fn python_sees_no_defects_in_other_layouts() {
    let mut text_only = campaign_message();
    text_only.html = None;
    text_only.attachments.clear();
    let mut alternative = campaign_message();
    alternative.attachments.clear();
    let mut mixed_text = campaign_message();
    mixed_text.html = None;
    mixed_text.to = vec![
        Address::with_name("Doe, Jane \"JD\"", "jane@example.com").unwrap(),
        Address::with_name("John Q Public", "john@example.com").unwrap(),
        Address::new("plain@example.com").unwrap(),
    ];
    mixed_text.subject = "A plain ASCII subject that is long enough to need folding across more than one line".into();
    mixed_text.attachments[1].filename = format!("Fiche descriptive — {}.pdf", "résidence à vendre ".repeat(5));
    for message in [text_only, alternative, mixed_text] {
        let built = message.to_rfc5322().unwrap();
        let Some(report) = python_report(&built) else {
            eprintln!("python3 not available: skipping the cross-check with Python's email package");
            return;
        };
        assert!(report.ends_with("defects\t0\n"), "python reported defects:\n{report}");
        let subject = report.lines().find_map(|l| l.strip_prefix("subject\t")).unwrap();
        assert_eq!(unhex(subject), message.subject.as_bytes());
        let filenames: Vec<Vec<u8>> =
            report.lines().filter(|l| l.starts_with("part\t")).map(|l| unhex(l.split('\t').nth(2).unwrap())).collect();
        for attachment in &message.attachments {
            assert!(filenames.contains(&attachment.filename.clone().into_bytes()), "{report}");
        }
    }
}

/// Runs Python's `email` parser on `data`; `None` when python3 is not on PATH.
fn python_report(data: &[u8]) -> Option<String> {
    const SCRIPT: &str = r#"
import sys, email, email.policy
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
h = lambda s: (s or "").encode("utf-8").hex()
print("subject\t" + h(str(msg["subject"])))
print("from_name\t" + h(msg["from"].addresses[0].display_name))
print("to_name\t" + h(msg["to"].addresses[0].display_name))
defects = 0
for part in msg.walk():
    defects += len(part.defects)
    for value in part.values():
        defects += len(getattr(value, "defects", ()))
    if part.is_multipart():
        print("part\t" + part.get_content_type() + "\t\t")
    else:
        print("part\t" + part.get_content_type() + "\t" + h(part.get_filename()) + "\t" + part.get_payload(decode=True).hex())
print("defects\t" + str(defects))
"#;
    let mut child = match Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(_) => return None,
    };
    child.stdin.take().unwrap().write_all(data).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "python failed: {}", String::from_utf8_lossy(&output.stderr));
    Some(String::from_utf8(output.stdout).unwrap())
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

#[tokio::test]
async fn dot_stuffing_keeps_lines_that_start_with_a_dot() {
    let sink = SmtpSink::start().await;
    let client = SmtpClient::new(sink.config()).unwrap();
    let data = b"Subject: dots\r\n\r\n.\r\n..\r\n.leading\r\nmiddle.\r\n.\r\n";
    let recipients = vec!["a@example.com".to_string()];
    client.send("sender@example.com", &recipients, data).await.unwrap();
    let received = sink.wait_for(1, WAIT).await.unwrap();
    assert_eq!(received[0].data, data);

    // Bare LF input goes out as CRLF, and a missing final line break is added.
    client.send("sender@example.com", &recipients, b"Subject: lf\n\n.x\nend").await.unwrap();
    let received = sink.wait_for(2, WAIT).await.unwrap();
    assert_eq!(received[1].data, b"Subject: lf\r\n\r\n.x\r\nend\r\n");
}

#[tokio::test]
async fn a_refused_recipient_fails_the_whole_send() {
    // lettre aborts the transaction at the first refused RCPT TO: nobody gets the message, and
    // the error carries the refusal (550: permanent).
    let options = SinkOptions { reject_recipients: vec!["gone@example.com".to_string()], ..Default::default() };
    let sink = SmtpSink::start_with(options).await;
    let client = SmtpClient::new(sink.config()).unwrap();
    let recipients = vec!["here@example.com".to_string(), "GONE@example.com".to_string()];
    let error = client.send("sender@example.com", &recipients, b"Subject: x\r\n\r\nbody\r\n").await.unwrap_err();
    assert_eq!(error.reply().map(|r| r.code), Some(550), "{error:?}");
    assert!(error.to_string().contains("GONE@example.com"), "{error}");
    assert!(error.is_permanent());
    assert!(sink.messages().is_empty());

    client.send("sender@example.com", &recipients[..1], b"Subject: x\r\n\r\nbody\r\n").await.unwrap();
    let received = sink.wait_for(1, WAIT).await.unwrap();
    assert_eq!(received[0].recipients, vec!["here@example.com".to_string()]);
}

#[tokio::test]
async fn transient_451_is_retryable_and_a_retry_succeeds() {
    let sink = SmtpSink::start_with(SinkOptions { fail_first_mail_from: true, ..Default::default() }).await;
    let client = SmtpClient::new(sink.config()).unwrap();
    let message = campaign_message();

    let error = client.send_message(&message).await.unwrap_err();
    match &error {
        SmtpError::Rejected { reply, .. } => assert_eq!(reply.code, 451),
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.is_transient());
    assert_eq!(error.reply().map(|r| r.code), Some(451));
    assert!(sink.messages().is_empty());

    // What the workflow engine does with a transient error: try again.
    client.send_message(&message).await.unwrap();
    assert_eq!(sink.wait_for(1, WAIT).await.unwrap().len(), 1);
}

#[tokio::test]
async fn silent_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accept and hold the connection without ever answering.
    let silent = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buffer = [0u8; 64];
        let _ = socket.read(&mut buffer).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let mut config = SmtpConfig::new("127.0.0.1", port);
    config.timeout = Duration::from_millis(200);
    let started = Instant::now();
    let error =
        SmtpClient::new(config).unwrap().send("a@example.com", &["b@example.com".to_string()], b"x").await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(error, SmtpError::Timeout { .. }), "{error:?}");
    assert!(error.is_transient());
    assert!(elapsed >= Duration::from_millis(200) && elapsed < Duration::from_secs(3), "{elapsed:?}");
    silent.abort();
}

#[tokio::test]
async fn refused_connection_and_garbage_replies_are_transient() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut config = SmtpConfig::new("127.0.0.1", port);
    config.timeout = Duration::from_secs(2);
    let error =
        SmtpClient::new(config).unwrap().send("a@example.com", &["b@example.com".to_string()], b"x").await.unwrap_err();
    assert!(matches!(error, SmtpError::Connection { .. }), "{error:?}");
    assert!(error.is_transient());

    // Something that is not an SMTP server (here, an HTTP-ish reply).
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await.unwrap();
    });
    let mut config = SmtpConfig::new("127.0.0.1", port);
    config.timeout = Duration::from_secs(2);
    let error =
        SmtpClient::new(config).unwrap().send("a@example.com", &["b@example.com".to_string()], b"x").await.unwrap_err();
    assert!(matches!(error, SmtpError::Protocol { .. }), "{error:?}");
    assert!(error.is_transient());
    server.await.unwrap();
}

#[tokio::test]
async fn auth_plain_when_advertised() {
    let credentials = Some(("campaigns".to_string(), "s3cret pass".to_string()));
    let sink = SmtpSink::start_with(SinkOptions { credentials, ..Default::default() }).await;
    let recipients = vec!["a@example.com".to_string()];

    let mut config = sink.config();
    config.username = Some("campaigns".to_string());
    config.password = Some("s3cret pass".to_string());
    SmtpClient::new(config.clone()).unwrap().send("s@example.com", &recipients, b"x\r\n").await.unwrap();

    config.password = Some("wrong".to_string());
    let error = SmtpClient::new(config).unwrap().send("s@example.com", &recipients, b"x\r\n").await.unwrap_err();
    assert!(matches!(&error, SmtpError::Rejected { reply, .. } if reply.code == 535), "{error:?}");
    assert!(error.is_permanent());

    // Without credentials the server refuses MAIL FROM (530).
    let error = SmtpClient::new(sink.config()).unwrap().send("s@example.com", &recipients, b"x\r\n").await.unwrap_err();
    assert!(matches!(&error, SmtpError::Rejected { reply, .. } if reply.code == 530), "{error:?}");
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn credentials_never_cross_the_network_in_clear_text() {
    // A non-loopback address without TLS: refused when the client is built, before any
    // connection, so nothing (no password) is sent.
    let mut config = with_credentials(SmtpConfig::new("192.0.2.10", 25), "campaigns", "s3cret pass");
    assert_eq!(config.tls, SmtpTls::StartTls, "a remote host gets STARTTLS by default");
    config.tls = SmtpTls::None;
    let error = SmtpClient::new(config.clone()).unwrap_err();
    assert!(matches!(&error, SmtpError::InvalidInput(m) if m.contains("clear text")), "{error:?}");
    assert!(error.is_permanent());
    // The same credentials are fine once the connection is encrypted.
    for tls in [SmtpTls::StartTls, SmtpTls::Wrapper] {
        config.tls = tls;
        SmtpClient::new(config.clone()).unwrap();
    }
    for host in ["localhost", "127.0.0.1", "::1", "[::1]", "relay.localhost"] {
        assert!(mail::smtp::is_loopback(host), "{host}");
    }
    for host in ["smtp.example.com", "10.0.0.1", "192.0.2.10"] {
        assert!(!mail::smtp::is_loopback(host), "{host}");
    }
}

#[tokio::test]
async fn a_server_without_ehlo_is_refused_permanently() {
    // lettre speaks ESMTP only (no HELO fallback): an RFC 821-only server is a 5xx failure.
    let sink = SmtpSink::start_with(SinkOptions { reject_ehlo: true, ..Default::default() }).await;
    let error = SmtpClient::new(sink.config())
        .unwrap()
        .send("s@example.com", &["a@example.com".to_string()], b"x\r\n")
        .await
        .unwrap_err();
    assert_eq!(error.reply().map(|r| r.code), Some(502), "{error:?}");
    assert!(error.is_permanent());
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn concurrent_sends_all_arrive() {
    let sink = SmtpSink::start().await;
    let client = SmtpClient::new(sink.config()).unwrap();
    let mut tasks = Vec::new();
    for i in 0..5 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let data = format!("Subject: {i}\r\n\r\nbody {i}\r\n");
            client.send("s@example.com", &[format!("r{i}@example.com")], data.as_bytes()).await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let received = sink.wait_for(5, WAIT).await.unwrap();
    let mut recipients: Vec<String> = received.iter().map(|m| m.recipients[0].clone()).collect();
    recipients.sort();
    assert_eq!(recipients, (0..5).map(|i| format!("r{i}@example.com")).collect::<Vec<_>>());
    assert!(sink.wait_for(6, Duration::from_millis(50)).await.is_none());
}

#[tokio::test]
async fn sequential_sends_reuse_one_pooled_connection() {
    let sink = SmtpSink::start().await;
    let client = SmtpClient::new(sink.config()).unwrap();
    for i in 0..3 {
        client.send("s@example.com", &[format!("r{i}@example.com")], b"x\r\n").await.unwrap();
    }
    assert_eq!(sink.wait_for(3, WAIT).await.unwrap().len(), 3);
    assert_eq!(sink.connections(), 1);
}

#[tokio::test]
async fn implicit_tls_with_auth_delivers_the_exact_bytes() {
    let options = SinkOptions {
        tls: Some(sink_tls(SinkTlsMode::Implicit)),
        credentials: Some(("campaigns".to_string(), "s3cret pass".to_string())),
        ..Default::default()
    };
    let sink = SmtpSink::start_with(options).await;
    let config = with_credentials(sink.config(), "campaigns", "s3cret pass");
    assert_eq!(config.tls, SmtpTls::Wrapper);
    let message = campaign_message();
    let report = SmtpClient::new(config).unwrap().send_message(&message).await.unwrap();
    assert!(report.final_reply.text().contains("queued as SINK"), "{}", report.final_reply);
    let received = sink.wait_for(1, WAIT).await.unwrap();
    assert!(received[0].encrypted);
    assert_eq!(received[0].data, message.to_rfc5322().unwrap());
}

#[tokio::test]
async fn starttls_with_auth_delivers_the_exact_bytes() {
    let options = SinkOptions {
        tls: Some(sink_tls(SinkTlsMode::StartTls)),
        credentials: Some(("campaigns".to_string(), "s3cret pass".to_string())),
        ..Default::default()
    };
    let sink = SmtpSink::start_with(options).await;
    let config = with_credentials(sink.config(), "campaigns", "s3cret pass");
    assert_eq!(config.tls, SmtpTls::StartTls);
    let client = SmtpClient::new(config).unwrap();
    let message = campaign_message();
    client.send_message(&message).await.unwrap();
    // The second send goes over the same pooled, already encrypted and authenticated connection.
    client.send_message(&message).await.unwrap();
    let received = sink.wait_for(2, WAIT).await.unwrap();
    assert!(received.iter().all(|m| m.encrypted));
    assert_eq!(received[1].data, message.to_rfc5322().unwrap());
    assert_eq!(sink.connections(), 1);
}

#[tokio::test]
async fn required_starttls_never_falls_back_to_clear_text() {
    // The sink offers no STARTTLS (a misconfigured relay, or an attacker who stripped it): the
    // send fails permanently before AUTH or MAIL, so neither password nor message travels in clear.
    let options =
        SinkOptions { credentials: Some(("campaigns".to_string(), "s3cret pass".to_string())), ..Default::default() };
    let sink = SmtpSink::start_with(options).await;
    let mut config = with_credentials(sink.config(), "campaigns", "s3cret pass");
    config.tls = SmtpTls::StartTls;
    let error = SmtpClient::new(config).unwrap().send_message(&campaign_message()).await.unwrap_err();
    assert!(
        matches!(&error, SmtpError::Unsupported { source, .. } if source.to_string().contains("STARTTLS")),
        "{error:?}"
    );
    assert!(error.is_permanent());
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn an_untrusted_certificate_fails_permanently() {
    let sink =
        SmtpSink::start_with(SinkOptions { tls: Some(sink_tls(SinkTlsMode::Implicit)), ..Default::default() }).await;
    let mut config = sink.config();
    // Only the system's roots, which do not include the sink's self-signed certificate.
    config.extra_root_certificates_pem = None;
    let error = SmtpClient::new(config).unwrap().send_message(&campaign_message()).await.unwrap_err();
    assert!(matches!(error, SmtpError::Tls { .. }), "{error:?}");
    assert!(error.is_permanent());
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_timed_out_send_leaves_the_pool_coherent() {
    let options = SinkOptions { delay_first_data_reply: Some(Duration::from_millis(1500)), ..Default::default() };
    let sink = SmtpSink::start_with(options).await;
    let mut config = sink.config();
    config.timeout = Duration::from_millis(500);
    let client = SmtpClient::new(config).unwrap();
    let send = |n: usize| {
        let client = client.clone();
        async move { client.send("s@example.com", &[format!("r{n}@example.com")], format!("n: {n}\r\n").as_bytes()).await }
    };

    let error = send(1).await.unwrap_err();
    assert!(matches!(error, SmtpError::Timeout { .. }), "{error:?}");
    assert!(error.is_transient());
    // Meanwhile the first connection is still waiting for its reply: a second one serves this.
    assert!(send(2).await.unwrap().final_reply.text().contains("SINK000002"));
    // The abandoned send ends on its own: the server had taken the message, which is why a retry
    // of a timed-out send can deliver twice.
    let received = sink.wait_for(2, WAIT).await.unwrap();
    assert_eq!(received[0].data, b"n: 1\r\n");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Both pooled connections are in step: had the first gone back to the pool with its reply
    // unread, this send would take that stale "queued as SINK000001" for one of its own replies.
    for n in 3..5 {
        let report = send(n).await.unwrap();
        assert!(report.final_reply.text().contains(&format!("SINK00000{n}")), "{}", report.final_reply);
    }
    assert_eq!(sink.connections(), 2);
}
