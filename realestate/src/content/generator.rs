//! `TemplateGenerator`: content from the templates, with the style's phrasing, deterministically (the
//! same request gives the same text, byte for byte).

use serde_json::Value;

use super::hashtags::hashtags;
use super::html::check_html;
use super::limits::{
    compose_social, fit_keep_footer, tidy, trim_at_word, BROCHURE_SECTION_MAX, EMAIL_SUBJECT_MAX,
    LISTING_DESCRIPTION_MAX, LISTING_TITLE_MAX, POSTCARD_BACK_MAX, POSTCARD_FRONT_MAX,
};
use super::templates::{builtin_templates, describe, Template};
use super::{
    prohibited_claim, template_context, ContentError, ContentGenerator, ContentKind, ContentRequest, GeneratedContent,
    Section,
};

/// The brochure's sections, in order; each is the template `brochure_<name>`.
pub const BROCHURE_SECTIONS: [&str; 5] = ["cover", "overview", "features", "location", "contact"];

/// Renders the templates: the built-ins, or the built-ins with some replaced by an admin's.
pub struct TemplateGenerator {
    tera: tera::Tera,
}

impl Default for TemplateGenerator {
    fn default() -> Self {
        TemplateGenerator::new()
    }
}

impl TemplateGenerator {
    /// With the built-in templates.
    pub fn new() -> TemplateGenerator {
        TemplateGenerator::with_overrides(Vec::new()).expect("the built-in templates compile (tested)")
    }

    /// The built-in templates, with `overrides` replacing those of the same name (or adding new ones).
    pub fn with_overrides(overrides: Vec<Template>) -> Result<TemplateGenerator, ContentError> {
        let mut templates = builtin_templates();
        for t in overrides {
            match templates.iter_mut().find(|b| b.name == t.name) {
                Some(slot) => *slot = t,
                None => templates.push(t),
            }
        }
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec!["_html"]);
        tera.add_raw_templates(templates.iter().map(|t| (t.name.as_str(), t.content.as_str())))
            .map_err(|e| ContentError::Template { name: "(set)".into(), message: describe(&e) })?;
        Ok(TemplateGenerator { tera })
    }

    /// Renders one template: plain text is tidied (see `limits::tidy`), HTML only trimmed.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, ContentError> {
        let out = self
            .tera
            .render(name, context)
            .map_err(|e| ContentError::Template { name: name.to_string(), message: describe(&e) })?;
        Ok(if name.ends_with("_html") { out.trim().to_string() } else { tidy(&out) })
    }

    /// The content for `req`, synchronously (the trait's `generate` is this).
    pub fn write(&self, req: &ContentRequest) -> Result<GeneratedContent, ContentError> {
        let context = template_context(req)?;
        let headline = context["headline"].as_str().unwrap_or_default().to_string();
        let mut ctx = tera_context(context)?;
        let mut out = GeneratedContent {
            kind: req.kind,
            channel: String::new(),
            style: req.content_style,
            title: headline.clone(),
            body: String::new(),
            html: None,
            hashtags: Vec::new(),
            sections: Vec::new(),
            generator: "template".into(),
        };
        match req.kind {
            ContentKind::Listing => {
                out.channel = "portal".into();
                out.title = trim_at_word(&self.render("listing_title", &ctx)?, LISTING_TITLE_MAX);
                out.body = fit_keep_footer(&self.render("listing_description", &ctx)?, LISTING_DESCRIPTION_MAX);
            }
            ContentKind::Email => {
                out.channel = "email".into();
                out.title = trim_at_word(&self.render("email_subject", &ctx)?, EMAIL_SUBJECT_MAX);
                ctx.insert("subject", &out.title);
                out.body = self.render("email_text", &ctx)?;
                let html = self.render("email_html", &ctx)?;
                check_html(&html).map_err(|e| ContentError::Template { name: "email_html".into(), message: e })?;
                out.html = Some(html);
            }
            ContentKind::Social(platform) => {
                out.channel = platform.as_str().into();
                let caption = self.render(&format!("social_{}", platform.as_str()), &ctx)?;
                let tags = hashtags(&req.property, req.content_style, platform);
                (out.body, out.hashtags) = compose_social(&caption, &tags, platform);
            }
            ContentKind::Postcard => {
                out.channel = "postcard".into();
                let front = trim_at_word(&self.render("postcard_front", &ctx)?, POSTCARD_FRONT_MAX);
                let back = fit_keep_footer(&self.render("postcard_back", &ctx)?, POSTCARD_BACK_MAX);
                out.body = format!("{front}\n\n{back}");
                out.sections = vec![section("front", front), section("back", back)];
            }
            ContentKind::Brochure => {
                out.channel = "brochure".into();
                for name in BROCHURE_SECTIONS {
                    let text = self.render(&format!("brochure_{name}"), &ctx)?;
                    out.sections.push(section(name, fit_keep_footer(&text, BROCHURE_SECTION_MAX)));
                }
                out.body = out.sections.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n\n");
            }
        }
        refuse_prohibited(&out)?;
        Ok(out)
    }
}

#[async_trait::async_trait]
impl ContentGenerator for TemplateGenerator {
    async fn generate(&self, req: &ContentRequest) -> Result<GeneratedContent, ContentError> {
        self.write(req)
    }
}

pub(crate) fn tera_context(context: Value) -> Result<tera::Context, ContentError> {
    tera::Context::from_value(context)
        .map_err(|e| ContentError::Template { name: "(context)".into(), message: describe(&e) })
}

pub(crate) fn section(name: &str, text: String) -> Section {
    Section { name: name.to_string(), text }
}

/// The last line of defence: no generated text may promise returns.
pub(crate) fn refuse_prohibited(out: &GeneratedContent) -> Result<(), ContentError> {
    let texts = [Some(&out.title), Some(&out.body), out.html.as_ref()];
    let sections = out.sections.iter().map(|s| &s.text);
    for text in texts.into_iter().flatten().chain(sections) {
        if let Some(phrase) = prohibited_claim(text) {
            return Err(ContentError::ProhibitedClaim(phrase.to_string()));
        }
    }
    Ok(())
}
