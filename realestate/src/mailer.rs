//! Sending campaign e-mails. `SmtpMailer` hands messages to an SMTP relay (the `mail` crate's
//! client); without one configured, `ArtifactMailer` keeps every message as a standard `.eml`
//! artefact (RFC 5322, opens in any mail program), so distribution works and can be inspected on a
//! machine with no mail server.

use std::sync::Arc;

use store::domain::{Artifact, Domain};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct MailReceipt {
    /// `smtp` or `outbox`.
    pub transport: &'static str,
    /// The relay's reply (queue id) or the `.eml` artefact's id.
    pub reference: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Permanent(String),
}

/// The HTML alternative of a plain-text e-mail: escaped, paragraphs at blank lines, line breaks kept.
pub fn text_to_html(text: &str) -> String {
    let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!("<html><body><p>{}</p></body></html>", escaped.replace("\n\n", "</p><p>").replace('\n', "<br>"))
}

/// A step that sends retries what may pass later (a relay that is down) and fails on a refusal.
impl From<MailError> for runtime::StepError {
    fn from(e: MailError) -> runtime::StepError {
        match e {
            MailError::Transient(m) => runtime::StepError::Retryable(m),
            MailError::Permanent(m) => runtime::StepError::Permanent(m),
        }
    }
}

#[async_trait::async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(
        &self,
        message: &mail::Message,
        owner: Option<(&str, Option<&str>)>,
    ) -> Result<MailReceipt, MailError>;
}

pub struct SmtpMailer {
    client: mail::SmtpClient,
}

impl SmtpMailer {
    /// Fails on a configuration the client refuses (e.g. credentials without TLS to a remote
    /// relay), so a bad setup stops the server at start rather than failing every send.
    pub fn new(config: mail::SmtpConfig) -> Result<SmtpMailer, mail::SmtpError> {
        Ok(SmtpMailer { client: mail::SmtpClient::new(config)? })
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(
        &self,
        message: &mail::Message,
        _owner: Option<(&str, Option<&str>)>,
    ) -> Result<MailReceipt, MailError> {
        match self.client.send_message(message).await {
            Ok(report) => Ok(MailReceipt { transport: "smtp", reference: report.final_reply.text() }),
            Err(e) if e.is_transient() => Err(MailError::Transient(e.to_string())),
            Err(e) => Err(MailError::Permanent(e.to_string())),
        }
    }
}

pub struct ArtifactMailer {
    domain: Arc<dyn Domain>,
}

impl ArtifactMailer {
    pub fn new(domain: Arc<dyn Domain>) -> ArtifactMailer {
        ArtifactMailer { domain }
    }
}

#[async_trait::async_trait]
impl Mailer for ArtifactMailer {
    async fn send(
        &self,
        message: &mail::Message,
        owner: Option<(&str, Option<&str>)>,
    ) -> Result<MailReceipt, MailError> {
        let bytes = message.to_rfc5322().map_err(|e| MailError::Permanent(e.to_string()))?;
        let sha = crate::artifacts::sha256_hex(&bytes);
        let artifact = Artifact {
            id: Uuid::now_v7(),
            owner_id: owner.map(|(o, _)| o.to_string()),
            team_id: owner.and_then(|(_, t)| t.map(str::to_string)),
            kind: "email_outbox".into(),
            filename: format!("{}.eml", message.message_id.trim_matches(|c| c == '<' || c == '>').replace('@', "_at_")),
            content_type: "message/rfc822".into(),
            size_bytes: bytes.len() as i64,
            sha256: sha,
            created_at: message.date,
        };
        self.domain.put_artifact(&artifact, &bytes).await.map_err(|e| MailError::Transient(e.to_string()))?;
        Ok(MailReceipt { transport: "outbox", reference: artifact.id.to_string() })
    }
}
