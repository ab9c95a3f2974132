//! Marketing content for a listing: portal title and description, e-mail, social captions, postcard
//! and brochure text, written from a normalised property (see `property`).
//!
//! Two generators share one trait, [`ContentGenerator`]:
//! - [`TemplateGenerator`] renders the shipped `tera` templates (`seeds/templates/`) with deterministic
//!   phrasing chosen by [`ContentStyle`]: the same request always gives the same text;
//! - [`OpenAiGenerator`] asks an OpenAI-compatible chat-completions endpoint (primary model with retries,
//!   then a fallback model) and puts the answer through the same limits and disclosures.
//!
//! **Invariants:** every advertisement carries the Trakheesi permit number, the brokerage ORN and the
//! agent BRN; platform limits are enforced by trimming at word boundaries (never mid-word), with the
//! disclosure line kept whole; no output promises returns (see [`prohibited_claim`]).

mod context;
mod generator;
mod hashtags;
mod html;
mod limits;
mod openai;
mod phrasing;
mod templates;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::property::Property;

pub use context::template_context;
pub use generator::TemplateGenerator;
pub use hashtags::hashtags;
pub use hashtags::{community_tags, type_tag, CURATED as CURATED_HASHTAGS};
pub use html::check_html;
pub use limits::{compose_social, fit_keep_footer, trim_at_word, Limits};
pub use openai::{AiResponse, OpenAiConfig, OpenAiGenerator};
pub use phrasing::Phrasing;
pub use templates::{builtin_templates, sample_context, validate_template, Category, Template};

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContentKind {
    /// Portal listing (Property Finder / Bayut style): title and description.
    Listing,
    /// E-mail: subject, plain-text body and HTML body.
    Email,
    /// A social caption for one platform.
    Social(Platform),
    /// Postcard front and back text.
    Postcard,
    /// Brochure sections: cover, overview, features, location, contact.
    Brochure,
}

/// Social platforms, each with its own limits (see [`Platform::limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Instagram,
    Facebook,
    Linkedin,
    #[serde(alias = "twitter")]
    X,
}

impl Platform {
    pub const ALL: [Platform; 4] = [Platform::Instagram, Platform::Facebook, Platform::Linkedin, Platform::X];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Instagram => "instagram",
            Platform::Facebook => "facebook",
            Platform::Linkedin => "linkedin",
            Platform::X => "x",
        }
    }
}

/// The tone of the copy; each has its own vocabulary (see [`Phrasing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContentStyle {
    Luxury,
    #[default]
    Standard,
    Investment,
    Family,
}

impl ContentStyle {
    pub const ALL: [ContentStyle; 4] =
        [ContentStyle::Luxury, ContentStyle::Standard, ContentStyle::Investment, ContentStyle::Family];

    pub fn as_str(self) -> &'static str {
        match self {
            ContentStyle::Luxury => "luxury",
            ContentStyle::Standard => "standard",
            ContentStyle::Investment => "investment",
            ContentStyle::Family => "family",
        }
    }

    /// The seed's rule of thumb: luxury above AED 2,000,000, standard otherwise.
    pub fn for_price(asking_price_aed: Option<f64>) -> ContentStyle {
        match asking_price_aed {
            Some(p) if p > 2_000_000.0 => ContentStyle::Luxury,
            _ => ContentStyle::Standard,
        }
    }
}

/// The agent who advertises (RERA broker registration number: BRN).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    pub name: String,
    pub brn: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

/// The brokerage (RERA office registration number: ORN).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Brokerage {
    pub name: String,
    pub orn: String,
    /// The brokerage's required disclaimers, printed with the disclosure line on every piece.
    #[serde(default)]
    pub disclaimers: Vec<String>,
}

/// One piece of content to write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentRequest {
    pub kind: ContentKind,
    /// The listing, as `property::validate` made it.
    pub property: Property,
    #[serde(default)]
    pub content_style: ContentStyle,
    pub agent: Agent,
    pub brokerage: Brokerage,
    /// Optional: `headline`, `call_to_action`, `unsubscribe_url` (strings).
    #[serde(default)]
    pub customizations: Value,
}

/// A named part of a longer piece (postcard front/back, brochure sections).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Section {
    pub name: String,
    pub text: String,
}

/// What a generator wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GeneratedContent {
    pub kind: ContentKind,
    /// Where it goes: `portal`, `email`, `instagram`, `facebook`, `linkedin`, `x`, `postcard`, `brochure`.
    pub channel: String,
    pub style: ContentStyle,
    /// The listing title, the e-mail subject, or the headline of a social post, postcard or brochure.
    pub title: String,
    /// The text as published: for social posts it ends with the hashtags.
    pub body: String,
    /// The HTML body of an e-mail.
    pub html: Option<String>,
    pub hashtags: Vec<String>,
    pub sections: Vec<Section>,
    /// `template`, or `openai:<model>` for the model that answered.
    pub generator: String,
}

/// Why content could not be written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ContentError {
    #[error("invalid content request: {0}")]
    InvalidRequest(String),
    #[error("template `{name}`: {message}")]
    Template { name: String, message: String },
    #[error("the text makes a prohibited claim (`{0}`): returns and outcomes may not be promised")]
    ProhibitedClaim(String),
    #[error("AI client configuration: {0}")]
    Config(String),
    #[error("model `{model}` timed out")]
    Timeout { model: String },
    #[error("model `{model}` answered HTTP {status}: {message}")]
    Status { model: String, status: u16, message: String },
    #[error("model `{model}` could not be reached: {message}")]
    Transport { model: String, message: String },
    #[error("model `{model}` sent a malformed answer: {message}")]
    MalformedResponse { model: String, message: String },
    #[error("primary model failed ({primary}); fallback model failed ({fallback})")]
    AllModelsFailed { primary: Box<ContentError>, fallback: Box<ContentError> },
}

impl ContentError {
    /// Worth another attempt with the same model: timeouts, 429, 5xx and connection failures.
    pub fn is_retryable(&self) -> bool {
        match self {
            ContentError::Timeout { .. } | ContentError::Transport { .. } => true,
            ContentError::Status { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

/// Writes marketing content for a property.
#[async_trait::async_trait]
pub trait ContentGenerator: Send + Sync {
    async fn generate(&self, req: &ContentRequest) -> Result<GeneratedContent, ContentError>;
}

/// Phrases no advertisement may use (RERA: no promised returns or outcomes). Lower case.
pub const PROHIBITED_PHRASES: &[&str] =
    &["guarantee", "risk-free", "risk free", "assured return", "assured rental", "fixed return", "no risk"];

/// The first prohibited phrase in `text`, if any (case-insensitive).
pub fn prohibited_claim(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    PROHIBITED_PHRASES.iter().copied().find(|p| lower.contains(p))
}
