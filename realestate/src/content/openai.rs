//! `OpenAiGenerator`: copy from an OpenAI-compatible chat-completions endpoint (the seed's
//! `ai_request_with_fallback`): the primary model with retries and exponential backoff on 429, 5xx,
//! timeouts and connection failures, then the fallback model. The answer goes through the same limits,
//! disclosures and prohibited-claim check as the templates; the e-mail and brochure frames are the
//! templates' own.

use std::time::Duration;

use serde_json::{json, Value};

use super::generator::{refuse_prohibited, section, tera_context, BROCHURE_SECTIONS};
use super::hashtags::hashtags;
use super::html::check_html;
use super::limits::{
    compose_social, fit_keep_footer, trim_at_word, EMAIL_SUBJECT_MAX, LISTING_DESCRIPTION_MAX, LISTING_TITLE_MAX,
    POSTCARD_BACK_MAX, POSTCARD_FRONT_MAX,
};
use super::{
    prohibited_claim, template_context, ContentError, ContentGenerator, ContentKind, ContentRequest, GeneratedContent,
    Phrasing, Platform, TemplateGenerator,
};

/// The longest wait between two attempts, whatever the backoff or `Retry-After` says.
const BACKOFF_MAX: Duration = Duration::from_secs(10);
/// How much of an error body is kept in the error.
const ERROR_BODY_CHARS: usize = 300;
const RETRIES_MAX: u32 = 10;

/// Where and how to call the model. `api_key` is never printed (see the `Debug` impl).
#[derive(Clone)]
pub struct OpenAiConfig {
    /// Up to the version, without `/chat/completions`: `https://api.openai.com/v1`.
    pub base_url: String,
    pub api_key: String,
    pub primary_model: String,
    /// Tried once the primary has failed; empty for none.
    pub fallback_model: String,
    /// For one HTTP attempt, connection to last byte.
    pub timeout: Duration,
    /// Further attempts per model after the first (at most 10).
    pub max_retries: u32,
    /// The first wait; doubled on each retry.
    pub backoff: Duration,
}

impl OpenAiConfig {
    /// With the seed's defaults: 30 s timeout, 2 retries, 500 ms first backoff.
    pub fn new(base_url: &str, api_key: &str, primary_model: &str, fallback_model: &str) -> OpenAiConfig {
        OpenAiConfig {
            base_url: base_url.to_string(),
            api_key: api_key.to_string(),
            primary_model: primary_model.to_string(),
            fallback_model: fallback_model.to_string(),
            timeout: Duration::from_secs(30),
            max_retries: 2,
            backoff: Duration::from_millis(500),
        }
    }
}

impl std::fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("primary_model", &self.primary_model)
            .field("fallback_model", &self.fallback_model)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("backoff", &self.backoff)
            .finish()
    }
}

/// A model's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AiResponse {
    /// The model that answered (the primary or the fallback).
    pub model: String,
    /// `choices[0].message.content`.
    pub content: String,
    /// HTTP requests made, over both models.
    pub attempts: u32,
}

/// A failed attempt, with the server's `Retry-After` if it sent one.
struct Failure {
    error: ContentError,
    retry_after: Option<Duration>,
}

impl From<ContentError> for Failure {
    fn from(error: ContentError) -> Failure {
        Failure { error, retry_after: None }
    }
}

pub struct OpenAiGenerator {
    config: OpenAiConfig,
    url: String,
    client: reqwest::Client,
    templates: TemplateGenerator,
}

impl OpenAiGenerator {
    pub fn new(config: OpenAiConfig) -> Result<OpenAiGenerator, ContentError> {
        let bad = |m: &str| ContentError::Config(m.to_string());
        let base = config.base_url.trim().trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(bad("base_url must be an http:// or https:// URL"));
        }
        if config.primary_model.trim().is_empty() {
            return Err(bad("primary_model is required"));
        }
        if config.timeout.is_zero() {
            return Err(bad("timeout must be positive"));
        }
        if config.max_retries > RETRIES_MAX {
            return Err(bad("max_retries may be at most 10"));
        }
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| ContentError::Config(format!("HTTP client: {e}")))?;
        Ok(OpenAiGenerator {
            url: format!("{base}/chat/completions"),
            config,
            client,
            templates: TemplateGenerator::new(),
        })
    }

    /// The primary model (with retries), then the fallback model (with retries).
    pub async fn ai_request_with_fallback(&self, system: &str, prompt: &str) -> Result<AiResponse, ContentError> {
        let messages = json!([
            { "role": "system", "content": system },
            { "role": "user", "content": prompt },
        ]);
        let mut attempts = 0;
        let primary = &self.config.primary_model;
        let primary_error = match self.request_model(primary, &messages, &mut attempts).await {
            Ok(content) => return Ok(AiResponse { model: primary.clone(), content, attempts }),
            Err(e) => e,
        };
        let fallback = self.config.fallback_model.trim();
        let same_credentials_refused = matches!(primary_error, ContentError::Status { status: 401 | 403, .. });
        if fallback.is_empty() || fallback == primary || same_credentials_refused {
            return Err(primary_error);
        }
        tracing::warn!(%primary, %fallback, error = %primary_error, "primary AI model failed, trying the fallback");
        match self.request_model(fallback, &messages, &mut attempts).await {
            Ok(content) => Ok(AiResponse { model: fallback.to_string(), content, attempts }),
            Err(e) => Err(ContentError::AllModelsFailed { primary: Box::new(primary_error), fallback: Box::new(e) }),
        }
    }

    /// One model, retried while the failure is retryable.
    async fn request_model(&self, model: &str, messages: &Value, attempts: &mut u32) -> Result<String, ContentError> {
        let mut last = None;
        for retry in 0..=self.config.max_retries {
            if retry > 0 {
                let exponential = self.config.backoff.saturating_mul(1 << (retry - 1).min(16));
                let wait = match &last {
                    Some(Failure { retry_after: Some(after), .. }) => exponential.max(*after),
                    _ => exponential,
                };
                tokio::time::sleep(wait.min(BACKOFF_MAX)).await;
            }
            *attempts += 1;
            match self.request_once(model, messages).await {
                Ok(content) => return Ok(content),
                Err(f) if f.error.is_retryable() => {
                    tracing::debug!(model, retry, error = %f.error, "AI request failed, retrying");
                    last = Some(f);
                }
                Err(f) => return Err(f.error),
            }
        }
        Err(last.map(|f| f.error).expect("at least one attempt was made"))
    }

    async fn request_once(&self, model: &str, messages: &Value) -> Result<String, Failure> {
        let transport = |e: reqwest::Error| {
            Failure::from(if e.is_timeout() {
                ContentError::Timeout { model: model.to_string() }
            } else {
                ContentError::Transport { model: model.to_string(), message: e.to_string() }
            })
        };
        let malformed =
            |m: String| Failure::from(ContentError::MalformedResponse { model: model.to_string(), message: m });
        let response = self
            .client
            .post(&self.url)
            .bearer_auth(&self.config.api_key)
            .json(&json!({ "model": model, "messages": messages }))
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let bytes = response.bytes().await.map_err(transport)?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&bytes);
            let message = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| v.pointer("/error/message").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_else(|| text.chars().take(ERROR_BODY_CHARS).collect());
            let error = ContentError::Status { model: model.to_string(), status: status.as_u16(), message };
            return Err(Failure { error, retry_after });
        }
        let body: Value = serde_json::from_slice(&bytes).map_err(|e| malformed(format!("not JSON: {e}")))?;
        let content = body
            .pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("no choices[0].message.content".into()))?;
        if content.trim().is_empty() {
            return Err(malformed("empty choices[0].message.content".into()));
        }
        Ok(content.to_string())
    }
}

#[async_trait::async_trait]
impl ContentGenerator for OpenAiGenerator {
    async fn generate(&self, req: &ContentRequest) -> Result<GeneratedContent, ContentError> {
        let context = template_context(req)?;
        let (system, prompt) = prompt(req, &context);
        let answer = self.ai_request_with_fallback(&system, &prompt).await?;
        if let Some(phrase) = prohibited_claim(&answer.content) {
            return Err(ContentError::ProhibitedClaim(phrase.to_string()));
        }
        let malformed = |m: &str| ContentError::MalformedResponse { model: answer.model.clone(), message: m.into() };
        let (ai_title, paragraphs) = parse_answer(&answer.content);
        if paragraphs.is_empty() {
            return Err(malformed("the answer has a title but no body"));
        }
        let custom_headline = context.pointer("/custom/headline").and_then(Value::as_str).map(str::to_string);
        let title = custom_headline.unwrap_or(ai_title);
        let text = |key: &str| context[key].as_str().unwrap_or_default().to_string();
        let prose = paragraphs.join("\n\n");

        let mut out = GeneratedContent {
            kind: req.kind,
            channel: String::new(),
            style: req.content_style,
            title: title.clone(),
            body: String::new(),
            html: None,
            hashtags: Vec::new(),
            sections: Vec::new(),
            generator: format!("openai:{}", answer.model),
        };
        match req.kind {
            ContentKind::Listing => {
                out.channel = "portal".into();
                out.title = trim_at_word(&title, LISTING_TITLE_MAX);
                let footer = disclosure_with_reference(&context);
                out.body = fit_keep_footer(&format!("{prose}\n\n{footer}"), LISTING_DESCRIPTION_MAX);
            }
            ContentKind::Email => {
                out.channel = "email".into();
                out.title = trim_at_word(&title, EMAIL_SUBJECT_MAX);
                let mut ctx = tera_context(context.clone())?;
                ctx.insert("headline", &title);
                ctx.insert("subject", &out.title);
                ctx.insert("paragraphs", &paragraphs);
                out.body = self.templates.render("email_text", &ctx)?;
                let html = self.templates.render("email_html", &ctx)?;
                check_html(&html).map_err(|e| ContentError::Template { name: "email_html".into(), message: e })?;
                out.html = Some(html);
            }
            ContentKind::Social(platform) => {
                out.channel = platform.as_str().into();
                let footer = match platform {
                    Platform::X => text("disclosure_short"),
                    _ => text("disclosure"),
                };
                let tags = hashtags(&req.property, req.content_style, platform);
                (out.body, out.hashtags) = compose_social(&format!("{prose}\n\n{footer}"), &tags, platform);
            }
            ContentKind::Postcard => {
                out.channel = "postcard".into();
                let price = context.pointer("/p/price").and_then(Value::as_str).unwrap_or_default();
                let front = trim_at_word(&format!("{title}\n{price}"), POSTCARD_FRONT_MAX);
                let back = fit_keep_footer(&format!("{prose}\n\n{}", text("disclosure")), POSTCARD_BACK_MAX);
                out.body = format!("{front}\n\n{back}");
                out.sections = vec![section("front", front), section("back", back)];
            }
            ContentKind::Brochure => {
                out.channel = "brochure".into();
                let mut ctx = tera_context(context.clone())?;
                ctx.insert("headline", &title);
                for name in BROCHURE_SECTIONS {
                    let text = match name {
                        "overview" => prose.clone(),
                        _ => self.templates.render(&format!("brochure_{name}"), &ctx)?,
                    };
                    out.sections.push(section(name, text));
                }
                out.body = out.sections.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n\n");
            }
        }
        refuse_prohibited(&out)?;
        Ok(out)
    }
}

fn disclosure_with_reference(context: &Value) -> String {
    let disclosure = context["disclosure"].as_str().unwrap_or_default();
    match context.pointer("/p/reference").and_then(Value::as_str) {
        Some(r) if !r.is_empty() => format!("{disclosure} | Ref {r}"),
        _ => disclosure.to_string(),
    }
}

/// The system and user messages for one request.
fn prompt(req: &ContentRequest, context: &Value) -> (String, String) {
    let style = Phrasing::of(req.content_style);
    let system = "You write real-estate marketing copy for licensed agents in Dubai. Use only the facts given: \
do not invent amenities, distances, prices or figures. Never promise or imply returns, rental yields, capital \
growth or any other outcome. No hashtags, no emojis, no markdown. Reply in plain text: the first line is the \
title, then a blank line, then the body in short paragraphs."
        .to_string();
    let (what, title_max, body_max) = match req.kind {
        ContentKind::Listing => ("a property-portal listing (Property Finder, Bayut)", LISTING_TITLE_MAX, 1_500),
        ContentKind::Email => {
            ("a marketing e-mail to prospective buyers; the title is the subject", EMAIL_SUBJECT_MAX, 1_200)
        }
        ContentKind::Social(Platform::Instagram) => ("an Instagram caption", 80, 1_200),
        ContentKind::Social(Platform::Facebook) => ("a Facebook post", 80, 1_200),
        ContentKind::Social(Platform::Linkedin) => ("a LinkedIn post for a professional audience", 80, 1_500),
        ContentKind::Social(Platform::X) => ("a post on X", 60, 150),
        ContentKind::Postcard => ("the back of a printed postcard", 60, 400),
        ContentKind::Brochure => ("the overview section of a printed brochure", 80, 1_500),
    };
    let user = format!(
        "Write {what} in a {tone} tone (words that fit: {vocabulary}).\n\
Title: at most {title_max} characters. Body: at most {body_max} characters.\n\
End with this call to action: {cta}.\n\
Property facts (JSON): {facts}",
        tone = req.content_style.as_str(),
        vocabulary = style.vocabulary.join(", "),
        cta = context["cta"].as_str().unwrap_or_default(),
        facts = context["p"],
    );
    (system, user)
}

/// (title, body paragraphs) from a plain-text answer, tolerating markdown, "Title:" labels and hashtags.
fn parse_answer(content: &str) -> (String, Vec<String>) {
    let clean = |line: &str| {
        let line = line.trim().trim_start_matches('#').trim().trim_matches('*').trim();
        let line = ["Title:", "Subject:", "Headline:"].iter().fold(line, |l, p| l.strip_prefix(p).unwrap_or(l));
        line.trim().trim_matches('*').trim().trim_matches('"').trim().to_string()
    };
    let mut lines = content.lines().skip_while(|l| l.trim().is_empty());
    let title = lines.next().map(clean).unwrap_or_default();
    let rest: Vec<&str> = lines.collect();
    let paragraphs = rest
        .join("\n")
        .split("\n\n")
        .map(|p| {
            p.split_whitespace()
                .filter(|w| !(w.starts_with('#') && w.len() > 1))
                .map(|w| w.trim_matches('*'))
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|p| !p.is_empty())
        .collect();
    (title, paragraphs)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::extract::State;
    use axum::http::{header, HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::post;
    use axum::{Json, Router};

    use super::*;
    use crate::content::tests::{marina_apartment, request};
    use crate::content::ContentStyle;

    enum Reply {
        Content(&'static str),
        Status(u16),
        Raw(&'static str),
        Hang,
    }

    type Script = Box<dyn Fn(usize, &Value) -> Reply + Send + Sync>;

    struct Mock {
        bodies: Mutex<Vec<Value>>,
        auth: Mutex<Vec<String>>,
        script: Script,
    }

    impl Mock {
        fn models(&self) -> Vec<String> {
            self.bodies.lock().unwrap().iter().map(|b| b["model"].as_str().unwrap().to_string()).collect()
        }
    }

    async fn completions(State(mock): State<Arc<Mock>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
        let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        mock.auth.lock().unwrap().push(auth);
        let n = {
            let mut bodies = mock.bodies.lock().unwrap();
            bodies.push(body.clone());
            bodies.len() - 1
        };
        match (mock.script)(n, &body) {
            Reply::Content(text) => Json(json!({
                "id": "chatcmpl-test", "object": "chat.completion", "model": body["model"],
                "choices": [{ "index": 0, "message": { "role": "assistant", "content": text }, "finish_reason": "stop" }],
            }))
            .into_response(),
            Reply::Status(code) => {
                (StatusCode::from_u16(code).unwrap(), Json(json!({ "error": { "message": "upstream trouble" } })))
                    .into_response()
            }
            Reply::Raw(text) => ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
            Reply::Hang => {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Json(json!({})).into_response()
            }
        }
    }

    /// A chat-completions server on 127.0.0.1 (never anything else), answering per `script`.
    async fn server(script: impl Fn(usize, &Value) -> Reply + Send + Sync + 'static) -> (OpenAiConfig, Arc<Mock>) {
        let mock = Arc::new(Mock { bodies: Mutex::default(), auth: Mutex::default(), script: Box::new(script) });
        let app = Router::new().route("/v1/chat/completions", post(completions)).with_state(mock.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let mut config = OpenAiConfig::new(&format!("http://{addr}/v1/"), "test-key", "gpt-primary", "gpt-fallback");
        config.timeout = Duration::from_secs(5);
        config.backoff = Duration::from_millis(5);
        (config, mock)
    }

    const ANSWER: &str =
        "Marina Living, Two Bedrooms\n\nA bright two-bedroom apartment in Dubai Marina. #Dubai\n\nCall today to view.";

    #[tokio::test]
    async fn primary_is_retried_after_server_errors() {
        let (config, mock) = server(|n, _| if n < 2 { Reply::Status(500) } else { Reply::Content(ANSWER) }).await;
        let ai = OpenAiGenerator::new(config).unwrap();
        let answer = ai.ai_request_with_fallback("system", "prompt").await.unwrap();
        assert_eq!(answer.model, "gpt-primary");
        assert_eq!(answer.content, ANSWER);
        assert_eq!(answer.attempts, 3);
        assert_eq!(mock.models(), ["gpt-primary"; 3]);
        assert!(mock.auth.lock().unwrap().iter().all(|a| a == "Bearer test-key"));
        let body = &mock.bodies.lock().unwrap()[0];
        assert_eq!(body["messages"][0]["role"], "system");
        assert_eq!(body["messages"][1]["content"], "prompt");
    }

    #[tokio::test]
    async fn fallback_model_answers_when_the_primary_keeps_failing() {
        let (config, mock) =
            server(|_, body| if body["model"] == "gpt-primary" { Reply::Status(500) } else { Reply::Content(ANSWER) })
                .await;
        let ai = OpenAiGenerator::new(config).unwrap();
        let answer = ai.ai_request_with_fallback("system", "prompt").await.unwrap();
        assert_eq!(answer.model, "gpt-fallback");
        assert_eq!(mock.models(), ["gpt-primary", "gpt-primary", "gpt-primary", "gpt-fallback"]);
        assert_eq!(answer.attempts, 4);
    }

    #[tokio::test]
    async fn rate_limits_are_retried() {
        let (config, mock) = server(|n, _| if n == 0 { Reply::Status(429) } else { Reply::Content(ANSWER) }).await;
        let answer = OpenAiGenerator::new(config).unwrap().ai_request_with_fallback("s", "p").await.unwrap();
        assert_eq!((answer.model.as_str(), answer.attempts), ("gpt-primary", 2));
        assert_eq!(mock.models().len(), 2);
    }

    #[tokio::test]
    async fn timeouts_become_errors() {
        let (mut config, mock) = server(|_, _| Reply::Hang).await;
        config.timeout = Duration::from_millis(150);
        config.max_retries = 1;
        let err = OpenAiGenerator::new(config).unwrap().ai_request_with_fallback("s", "p").await.unwrap_err();
        match err {
            ContentError::AllModelsFailed { primary, fallback } => {
                assert_eq!(*primary, ContentError::Timeout { model: "gpt-primary".into() });
                assert_eq!(*fallback, ContentError::Timeout { model: "gpt-fallback".into() });
            }
            other => panic!("expected both models to time out, got {other:?}"),
        }
        assert_eq!(mock.models(), ["gpt-primary", "gpt-primary", "gpt-fallback", "gpt-fallback"]);
    }

    #[tokio::test]
    async fn malformed_json_is_an_error_and_not_retried() {
        let (config, mock) = server(|_, _| Reply::Raw("{\"choices\": [{\"message\": ")).await;
        let err = OpenAiGenerator::new(config).unwrap().ai_request_with_fallback("s", "p").await.unwrap_err();
        let ContentError::AllModelsFailed { primary, fallback } = err else { panic!("expected AllModelsFailed") };
        assert!(matches!(*primary, ContentError::MalformedResponse { ref model, .. } if model == "gpt-primary"));
        assert!(matches!(*fallback, ContentError::MalformedResponse { .. }));
        assert_eq!(mock.models(), ["gpt-primary", "gpt-fallback"]);
    }

    #[tokio::test]
    async fn a_reply_without_content_is_malformed() {
        let (config, _) = server(|_, _| Reply::Raw(r#"{"choices": []}"#)).await;
        let err = OpenAiGenerator::new(config).unwrap().ai_request_with_fallback("s", "p").await.unwrap_err();
        assert!(err.to_string().contains("choices[0].message.content"), "{err}");
    }

    #[tokio::test]
    async fn refused_credentials_skip_retries_and_fallback() {
        let (config, mock) = server(|_, _| Reply::Status(401)).await;
        let err = OpenAiGenerator::new(config).unwrap().ai_request_with_fallback("s", "p").await.unwrap_err();
        assert!(matches!(err, ContentError::Status { status: 401, ref message, .. } if message == "upstream trouble"));
        assert_eq!(mock.models(), ["gpt-primary"]);
    }

    #[tokio::test]
    async fn generated_posts_keep_limits_and_disclosures() {
        let (config, _) = server(|_, _| Reply::Content(ANSWER)).await;
        let ai = OpenAiGenerator::new(config).unwrap();
        let x = ai
            .generate(&request(ContentKind::Social(Platform::X), marina_apartment(), ContentStyle::Luxury))
            .await
            .unwrap();
        assert_eq!(x.generator, "openai:gpt-primary");
        assert!(x.body.chars().count() <= 280, "{}", x.body);
        assert!(x.body.contains("Permit 7123456789") && x.body.contains("ORN 54321") && x.body.contains("BRN 12345"));
        let (prose, tags) = x.body.rsplit_once("\n\n").unwrap();
        assert!(!prose.contains('#') && tags == x.hashtags.join(" ") && x.hashtags.len() <= 3, "{}", x.body);

        let email =
            ai.generate(&request(ContentKind::Email, marina_apartment(), ContentStyle::Standard)).await.unwrap();
        let html = email.html.unwrap();
        assert_eq!(check_html(&html), Ok(()));
        assert!(html.contains("A bright two-bedroom apartment in Dubai Marina.") && html.contains("7123456789"));
        assert_eq!(email.title, "Marina Living, Two Bedrooms");

        let listing =
            ai.generate(&request(ContentKind::Listing, marina_apartment(), ContentStyle::Family)).await.unwrap();
        assert!(listing.title.chars().count() <= 50 && listing.body.ends_with("Ref MAR-2BR-1204"));
    }

    #[tokio::test]
    async fn answers_that_promise_returns_are_refused() {
        let (config, _) = server(|_, _| Reply::Content("Great deal\n\nGuaranteed 9% returns every year.")).await;
        let ai = OpenAiGenerator::new(config).unwrap();
        let err = ai.generate(&request(ContentKind::Listing, marina_apartment(), ContentStyle::Investment)).await;
        assert_eq!(err, Err(ContentError::ProhibitedClaim("guarantee".into())));
    }

    #[test]
    fn configuration_is_checked_and_the_key_never_printed() {
        let config = OpenAiConfig::new("ftp://example.invalid", "sk-secret", "m", "f");
        assert!(!format!("{config:?}").contains("sk-secret"));
        assert!(matches!(OpenAiGenerator::new(config), Err(ContentError::Config(_))));
        let (title, paragraphs) = parse_answer("**Title:** Nice home\n\nLine one #tag\nline two\n\n\nEnd");
        assert_eq!(title, "Nice home");
        assert_eq!(paragraphs, ["Line one line two", "End"]);
    }
}
