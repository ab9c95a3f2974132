//! The shipped templates (`seeds/templates/*.tera`, embedded at compile time), their metadata, and the
//! check an admin's new template must pass before it is stored.
//!
//! A template whose name ends in `_html` is rendered with HTML escaping; all others as plain text.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{html::check_html, prohibited_claim, template_context, Agent, Brokerage, ContentKind, ContentRequest};
use crate::property::Property;

/// Where a template is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Listing,
    Email,
    Social,
    Print,
}

/// A content template and its metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// Unique; the generators look templates up by name (`listing_title`, `social_x`, `email_html`, …).
    pub name: String,
    pub category: Category,
    /// `portal`, `email`, `instagram`, `facebook`, `linkedin`, `x`, `postcard`, `brochure`.
    pub channel: String,
    pub market: String,
    /// The `customizations` keys the template reads (`headline`, `call_to_action`, …).
    pub customizable_fields: Vec<String>,
    /// Tera source.
    pub content: String,
}

impl Template {
    /// Rendered with HTML escaping.
    pub fn is_html(&self) -> bool {
        self.name.ends_with("_html")
    }
}

/// The longest template an admin may add.
pub const TEMPLATE_MAX_CHARS: usize = 100_000;

macro_rules! seed {
    ($file:literal) => {
        include_str!(concat!("../../../seeds/templates/", $file, ".tera"))
    };
}

/// (name, category, channel, customizable fields, content)
const BUILTINS: &[(&str, Category, &str, &[&str], &str)] = &[
    ("listing_title", Category::Listing, "portal", &["headline"], seed!("listing_title")),
    ("listing_description", Category::Listing, "portal", &["call_to_action"], seed!("listing_description")),
    ("email_subject", Category::Email, "email", &[], seed!("email_subject")),
    ("email_html", Category::Email, "email", &["headline", "call_to_action", "unsubscribe_url"], seed!("email_html")),
    ("email_text", Category::Email, "email", &["headline", "call_to_action", "unsubscribe_url"], seed!("email_text")),
    ("social_instagram", Category::Social, "instagram", &["headline", "call_to_action"], seed!("social_instagram")),
    ("social_facebook", Category::Social, "facebook", &["headline", "call_to_action"], seed!("social_facebook")),
    ("social_linkedin", Category::Social, "linkedin", &["headline", "call_to_action"], seed!("social_linkedin")),
    ("social_x", Category::Social, "x", &["headline", "call_to_action"], seed!("social_x")),
    ("postcard_front", Category::Print, "postcard", &["headline"], seed!("postcard_front")),
    ("postcard_back", Category::Print, "postcard", &["call_to_action"], seed!("postcard_back")),
    ("brochure_cover", Category::Print, "brochure", &["headline"], seed!("brochure_cover")),
    ("brochure_overview", Category::Print, "brochure", &[], seed!("brochure_overview")),
    ("brochure_features", Category::Print, "brochure", &[], seed!("brochure_features")),
    ("brochure_location", Category::Print, "brochure", &[], seed!("brochure_location")),
    ("brochure_contact", Category::Print, "brochure", &["call_to_action"], seed!("brochure_contact")),
];

/// The templates AURA ships for the Dubai market.
pub fn builtin_templates() -> Vec<Template> {
    BUILTINS
        .iter()
        .map(|(name, category, channel, fields, content)| Template {
            name: name.to_string(),
            category: *category,
            channel: channel.to_string(),
            market: "dubai".into(),
            customizable_fields: fields.iter().map(|f| f.to_string()).collect(),
            content: content.to_string(),
        })
        .collect()
}

/// Renders `content` with `sample` (a context as [`template_context`] builds it; see [`sample_context`])
/// and checks the result: it renders (no syntax error, no unknown variable), is not empty, is a
/// well-formed document if it is HTML, and makes no prohibited claim.
pub fn validate_template(content: &str, sample: &Value) -> Result<(), String> {
    if content.chars().count() > TEMPLATE_MAX_CHARS {
        return Err(format!("a template may have at most {TEMPLATE_MAX_CHARS} characters"));
    }
    let html = content.to_ascii_lowercase().contains("<html");
    let out = render_str(content, sample, html)?;
    if out.trim().is_empty() {
        return Err("the template renders to nothing".into());
    }
    if html {
        check_html(&out).map_err(|e| format!("the rendered HTML is not well-formed: {e}"))?;
    }
    if let Some(phrase) = prohibited_claim(&out) {
        return Err(format!("the rendered text makes a prohibited claim (`{phrase}`)"));
    }
    Ok(())
}

/// The context of a sample listing (a two-bedroom apartment in Dubai Marina), for [`validate_template`].
pub fn sample_context() -> Value {
    let req = ContentRequest {
        kind: ContentKind::Email,
        property: Property::from_body(&json!({
            "reference": "SAMPLE-001", "community": "Dubai Marina", "building": "Marina Gate 1", "unit": "1204",
            "property_type": "apartment", "bedrooms": 2, "bathrooms": 2.5, "size_sqft": 1250.0,
            "asking_price": 2_450_000.0, "permit_number": "7123456789", "view": "Marina",
            "features": ["Balcony", "Built-in wardrobes", "Covered parking"], "completion_status": "ready",
        }))
        .expect("the sample listing is a valid property"),
        content_style: super::ContentStyle::Standard,
        agent: Agent {
            name: "Sample Agent".into(),
            brn: "12345".into(),
            phone: "+971 50 000 0000".into(),
            email: "agent@example.com".into(),
        },
        brokerage: Brokerage { name: "Sample Realty".into(), orn: "54321".into(), disclaimers: Vec::new() },
        customizations: Value::Null,
    };
    template_context(&req).expect("the sample request is valid")
}

/// Renders one template source (used for validation; generators keep a compiled set).
pub(crate) fn render_str(content: &str, context: &Value, autoescape: bool) -> Result<String, String> {
    let ctx = tera::Context::from_value(context.clone()).map_err(|e| describe(&e))?;
    tera::Tera::one_off(content, &ctx, autoescape).map_err(|e| describe(&e))
}

/// A tera error with its causes: the top level alone only says which template failed.
pub(crate) fn describe(e: &tera::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
