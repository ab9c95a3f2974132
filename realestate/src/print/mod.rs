//! Print assets for a listing: a 6 × 4 in direct-mail postcard (front and back, with 0.125 in bleed for
//! the print shop) and an A4 brochure of one or two pages. Both carry the Trakheesi advertising permit
//! number as text and as a QR code, and the agent's BRN and the brokerage's ORN.
//!
//! Where things come from:
//! - facts (bedrooms, size, price, community, features, permit) from the validated [`Property`];
//! - text from the content generators (`content::ContentKind::Postcard` / `Brochure`): postcard front and
//!   back are the `front` / `back` sections (the same `GeneratedContent` may be passed twice), brochure
//!   sections are drawn as headed paragraphs;
//! - the agent and brokerage from the caller's [`Contact`] (the requesting agent and the brokerage settings);
//!   fields it leaves empty are read from the disclosure and contact lines every generator writes
//!   (`… | ORN 54321 | BRN 12345 | Trakheesi Permit …`), and the agent's name falls back to
//!   [`PrintInfo::author`]. Those disclosure lines are printed as a structured block, not repeated as prose.
//!
//! **Layout rules:** on the postcard nothing but the background band crosses the 0.25 in safe margin
//! inside the trim; every text run is fitted to its box (shrunk in half-point steps down to a minimum,
//! then cut at a line end with "..."), so nothing overflows whatever the copy's length. The brochure
//! shrinks its running text until it fits two pages. Output is deterministic: no clock is read (the
//! creation date is [`PrintInfo::created`]).

use crate::content::GeneratedContent;
use crate::property::{CompletionStatus, Property};
use chrono::{DateTime, Datelike, Timelike, Utc};
use documents::format::thousands;
use documents::layout::ReportLayout;
use documents::table::{self, Column, Table};
use documents::{
    text_width, wrap_text, Align, Color, DocInfo, Document, Font, Page, PageId, PageSize, PdfDate, Point, Rect, Stroke,
    TextStyle,
};
use qrcode::{EcLevel, QrCode};

mod photos;
pub use photos::BROCHURE_PHOTOS_MAX;

/// Metadata of a print PDF: the viewer's title, the author, and the creation date (never the clock).
#[derive(Debug, Clone, PartialEq)]
pub struct PrintInfo {
    pub title: String,
    pub author: String,
    pub created: DateTime<Utc>,
}

/// Light modules around a QR code on every side (the standard's quiet zone for normal QR codes).
pub const QR_QUIET_ZONE_MODULES: usize = 4;

/// Points per inch.
const PT: f32 = 72.0;
/// Distance from the postcard's trim to anything that must not be cut: 0.25 in.
const POSTCARD_SAFE: f32 = 18.0;
/// Side of the permit QR code on the postcard, without its quiet zone (0.75 in; at least 0.6 in).
const POSTCARD_QR_SIDE: f32 = 0.75 * PT;
/// Side of the permit QR code in the brochure, without its quiet zone (1 in).
const BROCHURE_QR_SIDE: f32 = PT;
/// A blank line between paragraphs is this fraction of a line high.
const PARAGRAPH_GAP: f32 = 0.5;
/// At most this many of the property's features are listed in the brochure.
const BROCHURE_FEATURES_MAX: usize = 20;
/// Text on the navy band that is not the headline.
const ON_NAVY_SOFT: Color = Color::hex(0xD9E2EC);

/// The QR code of `payload` as a square grid of modules: `(width, dark)` where `dark` holds `width` rows
/// of `width` modules from the top row down, `true` for a dark module (no quiet zone included: leave
/// [`QR_QUIET_ZONE_MODULES`] light modules around it). Ready for `documents::Page::modules`.
///
/// Error correction level M (15 % of the symbol may be damaged), falling back to L for payloads too long
/// for M. A payload too long for any QR code (over 2,953 bytes) gives `(0, [])`: nothing to draw.
/// Deterministic: the same payload always gives the same grid.
pub fn qr_modules(payload: &str) -> (usize, Vec<bool>) {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .or_else(|_| QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::L));
    match code {
        Ok(code) => {
            let width = code.width();
            (width, code.into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect())
        }
        Err(_) => (0, Vec::new()),
    }
}

/// A 6 × 4 in postcard with 0.125 in bleed (MediaBox and BleedBox 450 × 306 pt, TrimBox 9 9 441 297).
///
/// Page 1, the front: a full-bleed navy band with the headline (`front.title`, or the first line of its
/// `front` section) and the rest of the front copy, then the key facts (bedrooms, size in sqft, price in
/// AED, community) and a compliance line. Page 2, the back: the back copy (`back`'s `back` section, or
/// its body), the call to action, agent and brokerage lines (name, BRN, phone, e-mail, ORN), the
/// Trakheesi permit number beside its QR code (0.75 in plus quiet zone), a postage box and a mailing-
/// address area. The QR encodes `permit_qr_payload`, or the permit number when it is empty.
pub fn postcard_pdf(
    property: &Property,
    contact: &Contact,
    front: &GeneratedContent,
    back: &GeneratedContent,
    permit_qr_payload: &str,
    info: PrintInfo,
) -> Vec<u8> {
    let texts = content_texts(&[front, back]);
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let facts = Facts::of(property, &texts);
    let contact = contact.clone().completed(&texts, &info.author);
    let payload = if permit_qr_payload.trim().is_empty() { facts.permit.as_str() } else { permit_qr_payload };
    let qr = qr_modules(payload);

    let mut doc_info = DocInfo::new(info.title.clone(), info.author.clone(), pdf_date(info.created));
    doc_info.subject = "Direct-mail postcard, 6 x 4 in with 0.125 in bleed".into();
    let mut doc = Document::new(doc_info);
    let size = PageSize::inches(6.0, 4.0).with_bleed_inches(0.125);

    let front_page = doc.add_page(size);
    let headline = first_nonempty(&[front.title.as_str(), section(front, "front").lines().next().unwrap_or("")]);
    let tagline = front_tagline(section(front, "front"), &headline);
    draw_postcard_front(doc.page(front_page), &facts, &contact, &headline, &tagline);

    let back_page = doc.add_page(size);
    let back_text = match section(back, "back") {
        "" => back.body.as_str(),
        s => s,
    };
    let (prose, cta) = split_copy(back_text);
    draw_postcard_back(doc.page(back_page), &facts, &contact, &prose, &cta, &qr);
    doc.finish()
}

/// An A4 brochure of one or two pages (running text shrinks until it fits two).
///
/// A title block (headline, type and location, price), two key-facts tables, the content's sections as
/// headed paragraphs (the `cover` section feeds the title block; the `features` section's bullet list is
/// replaced by the property's `features`), an agent and brokerage block with BRN and ORN beside the
/// Trakheesi permit number and its QR code (1 in plus quiet zone), and a running header and footer with
/// "Page N of M". The QR encodes `permit_qr_payload`, or the permit number when it is empty.
/// `photos` (the listing's, in order) are shown under the title block: the first across the page,
/// up to two more in a row beneath it.
pub fn brochure_pdf(
    property: &Property,
    contact: &Contact,
    content: &GeneratedContent,
    permit_qr_payload: &str,
    photos: &[raster::Canvas],
    info: PrintInfo,
) -> Vec<u8> {
    let texts = content_texts(&[content]);
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let facts = Facts::of(property, &texts);
    let contact = contact.clone().completed(&texts, &info.author);
    let payload = if permit_qr_payload.trim().is_empty() { facts.permit.as_str() } else { permit_qr_payload };
    let qr = qr_modules(payload);
    let brochure = Brochure { content, facts: &facts, contact: &contact, qr: &qr, photos, info: &info };
    let full = brochure.render(1.0);
    if full.page_count() == 1 {
        return full.finish();
    }
    // One page when slightly smaller running text gets there, else at most two.
    if let Some(one) = [0.94, 0.88].into_iter().map(|s| brochure.render(s)).find(|d| d.page_count() == 1) {
        return one.finish();
    }
    let mut doc = full;
    for scale in [0.92, 0.85, 0.78, 0.72, 0.66] {
        if doc.page_count() <= 2 {
            break;
        }
        doc = brochure.render(scale);
    }
    doc.finish()
}

// ---------------------------------------------------------------------------------------------------
// Facts and contact details
// ---------------------------------------------------------------------------------------------------

/// The property's facts, formatted for print (and for the social images).
pub(crate) struct Facts {
    /// "2", "Studio", or "-".
    pub(crate) beds: String,
    /// "2-bedroom", "Studio", or "".
    pub(crate) beds_long: String,
    /// "Apartment", "Hotel apartment", ...
    pub(crate) property_type: String,
    /// "1,250 sqft" or "-".
    pub(crate) size: String,
    /// "AED 2,450,000" or "Price on request".
    pub(crate) price: String,
    /// "AED 1,960" (per sqft), when price and size are known.
    pub(crate) price_per_sqft: Option<String>,
    pub(crate) bathrooms: Option<String>,
    pub(crate) community: String,
    pub(crate) building: String,
    pub(crate) view: String,
    pub(crate) status: String,
    pub(crate) reference: String,
    pub(crate) permit: String,
    pub(crate) features: Vec<String>,
}

impl Facts {
    /// The facts of a validated listing; the permit falls back to a "Permit …" label in `texts`.
    pub(crate) fn of(p: &Property, texts: &[&str]) -> Facts {
        let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
        let bedrooms = Some(p.bedrooms).filter(|b| *b >= 0);
        let size_sqft = Some(p.size_sqft).filter(|s| s.is_finite() && *s > 0.0);
        let price = p.asking_price.filter(|v| v.is_finite() && *v > 0.0);
        let permit = match text(&p.permit_number) {
            p if p.is_empty() => texts.iter().find_map(|t| labelled_value(t, "Permit")).unwrap_or_default(),
            p => p,
        };
        let features = p.features.iter().map(|f| f.trim()).filter(|f| !f.is_empty()).map(str::to_string).collect();
        Facts {
            beds: match bedrooms {
                Some(0) => "Studio".into(),
                Some(b) => b.to_string(),
                None => "-".into(),
            },
            beds_long: match bedrooms {
                Some(0) => "Studio".into(),
                Some(b) => format!("{b}-bedroom"),
                None => String::new(),
            },
            property_type: sentence_case(&p.property_type.as_str().replace('_', " ")),
            size: size_sqft.map_or("-".into(), |s| format!("{} sqft", thousands(s, 0))),
            price: price.map_or("Price on request".into(), |v| format!("AED {}", thousands(v, 0))),
            price_per_sqft: price.zip(size_sqft).map(|(v, s)| format!("AED {}", thousands(v / s, 0))),
            bathrooms: p.bathrooms.filter(|b| *b > 0.0).map(|b| {
                if b.fract() == 0.0 {
                    format!("{b:.0}")
                } else {
                    format!("{b}")
                }
            }),
            community: p.community.trim().to_string(),
            building: text(&p.building),
            view: text(&p.view),
            status: match p.completion_status {
                CompletionStatus::OffPlan => "Off-plan".into(),
                CompletionStatus::Ready => "Ready to move in".into(),
            },
            reference: p.reference().trim().to_string(),
            permit,
            features,
        }
    }

    /// "2-bedroom apartment" / "Studio apartment" / "Villa".
    pub(crate) fn kind(&self) -> String {
        let kind = if self.property_type.is_empty() { "Property" } else { self.property_type.as_str() };
        match self.beds_long.as_str() {
            "" => kind.to_string(),
            beds => format!("{beds} {}", kind.to_lowercase()),
        }
    }

    /// "Dubai Marina, Marina Gate 1".
    pub(crate) fn location(&self) -> String {
        [self.building.as_str(), self.community.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .rev()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Who advertises: the agent (BRN) and the brokerage (ORN). The caller knows them (the requesting agent
/// and the brokerage settings); [`Contact::completed`] fills what it left empty from the copy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contact {
    pub agent: String,
    pub brn: String,
    pub phone: String,
    pub email: String,
    pub brokerage: String,
    pub orn: String,
}

impl Contact {
    /// Empty fields filled from the generated lines (`… | ORN 54321 | BRN 12345 | …`, "Call: Name | +971 …"),
    /// and the agent's name, last of all, from `author`.
    pub fn completed(self, texts: &[&str], author: &str) -> Contact {
        let mut c = Contact {
            agent: self.agent.trim().to_string(),
            brn: self.brn.trim().to_string(),
            phone: self.phone.trim().to_string(),
            email: self.email.trim().to_string(),
            brokerage: self.brokerage.trim().to_string(),
            orn: self.orn.trim().to_string(),
        };
        let set = |slot: &mut String, value: &str| {
            if slot.is_empty() && !value.is_empty() {
                *slot = value.to_string();
            }
        };
        for line in texts.iter().flat_map(|t| t.lines()) {
            let segs: Vec<&str> = line.split(" | ").map(str::trim).collect();
            if segs.len() < 2 {
                continue;
            }
            for seg in &segs {
                if let Some(v) = seg.strip_prefix("ORN ") {
                    set(&mut c.orn, v.trim());
                } else if let Some(v) = seg.strip_prefix("BRN ") {
                    set(&mut c.brn, v.trim());
                } else if is_phone(seg) {
                    set(&mut c.phone, seg);
                } else if is_email(seg) {
                    set(&mut c.email, seg);
                }
            }
            let head = segs[0];
            let labelled = ["ORN ", "BRN ", "Permit ", "Trakheesi "].iter().any(|l| head.starts_with(l));
            if segs[1].starts_with("ORN ") && !labelled {
                set(&mut c.brokerage, head);
            } else if segs[1].starts_with("BRN ") && !labelled {
                set(&mut c.agent, head);
            } else if segs[1..].iter().any(|s| is_phone(s) || is_email(s)) {
                // "Call to arrange a viewing: Layla Haddad | +971 …"
                let name = head.rsplit_once(": ").map_or(head, |(_, n)| n).trim();
                if !name.is_empty() && !name.chars().any(|ch| ch.is_ascii_digit()) {
                    set(&mut c.agent, name);
                }
            }
        }
        set(&mut c.agent, author.trim());
        c
    }

    /// "BRN 12345 · +971 50 123 4567".
    fn agent_line(&self) -> String {
        let brn = if self.brn.is_empty() { String::new() } else { format!("BRN {}", self.brn) };
        join_dot(&[&brn, &self.phone])
    }

    /// "Palm & Co Real Estate · ORN 54321".
    fn brokerage_line(&self) -> String {
        let orn = if self.orn.is_empty() { String::new() } else { format!("ORN {}", self.orn) };
        join_dot(&[&self.brokerage, &orn])
    }
}

/// The value after `label ` in `text` (e.g. the permit after "Permit "), up to the next space or `|`.
fn labelled_value(text: &str, label: &str) -> Option<String> {
    let at = text.find(&format!("{label} "))?;
    let value: String = text[at + label.len() + 1..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '/')
        .collect();
    (!value.is_empty()).then_some(value)
}

/// A phone number segment: digits with spaces, dashes or brackets, optionally after a `+`.
fn is_phone(s: &str) -> bool {
    let body = s.strip_prefix('+').unwrap_or(s);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    digits >= 7
        && body.starts_with(|c: char| c.is_ascii_digit() || c == '(')
        && body.chars().all(|c| c.is_ascii_digit() || " -()".contains(c))
        && (s.starts_with('+') || s.starts_with('0') || s.contains(' '))
}

fn is_email(s: &str) -> bool {
    s.contains('@') && !s.contains(char::is_whitespace) && !s.starts_with('@') && !s.ends_with('@')
}

/// Every text of the given contents (title, body, sections), for the fallbacks that read them.
fn content_texts(contents: &[&GeneratedContent]) -> Vec<String> {
    contents
        .iter()
        .flat_map(|c| [c.title.clone(), c.body.clone()].into_iter().chain(c.sections.iter().map(|s| s.text.clone())))
        .collect()
}

/// The text of section `name`, or "".
fn section<'a>(content: &'a GeneratedContent, name: &str) -> &'a str {
    content.sections.iter().find(|s| s.name == name).map_or("", |s| s.text.trim())
}

/// A line of disclosure figures, printed as a structured block instead: "… | ORN … | BRN … | Permit …".
fn is_disclosure(paragraph: &str) -> bool {
    paragraph.contains(" | ") && ["ORN ", "BRN ", "Permit "].iter().any(|k| paragraph.contains(k))
}

/// A contact line, also printed as a structured block: "<call to action>: Name | +971 … | a@b.c".
fn is_contact_line(paragraph: &str) -> bool {
    let segs: Vec<&str> = paragraph.split(" | ").map(str::trim).collect();
    segs.len() >= 2 && segs[1..].iter().any(|s| is_phone(s) || is_email(s))
}

/// Copy split into its prose (disclosure and contact lines removed) and the call to action that led a
/// contact line ("Book a private viewing" from "Book a private viewing: Layla Haddad | +971 …").
fn split_copy(text: &str) -> (String, String) {
    let mut prose = Vec::new();
    let mut cta = String::new();
    for paragraph in paragraphs(text) {
        if is_disclosure(&paragraph) {
            continue;
        }
        if is_contact_line(&paragraph) {
            if let Some((lead, _)) = paragraph.split(" | ").next().unwrap_or("").rsplit_once(": ") {
                if cta.is_empty() {
                    cta = lead.trim().to_string();
                }
            }
            continue;
        }
        prose.push(paragraph);
    }
    (prose.join("\n\n"), cta)
}

/// `text` cut at blank lines into trimmed, non-empty paragraphs.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out
}

/// The front copy without the headline and without the facts line ("2-Bedroom Apartment | … | AED …")
/// or a bare price, which the key facts show.
fn front_tagline(front: &str, headline: &str) -> String {
    front
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != headline.trim())
        .filter(|l| !l.contains(" | ") && !l.starts_with("AED ") && *l != "Price on request")
        .collect::<Vec<_>>()
        .join(" ")
}

fn first_nonempty(candidates: &[&str]) -> String {
    candidates.iter().map(|s| s.trim()).find(|s| !s.is_empty()).unwrap_or("").to_string()
}

fn sentence_case(s: &str) -> String {
    let mut chars = s.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
        None => String::new(),
    }
}

/// The non-empty parts joined with " · ".
fn join_dot(parts: &[&str]) -> String {
    parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" \u{b7} ")
}

fn pdf_date(t: DateTime<Utc>) -> PdfDate {
    PdfDate::utc(
        t.year().clamp(0, 9999) as u16,
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    )
}

// ---------------------------------------------------------------------------------------------------
// Fitting text into boxes
// ---------------------------------------------------------------------------------------------------

/// Wrapped text at a chosen style; `""` lines are paragraph gaps ([`PARAGRAPH_GAP`] of a line high).
struct Block {
    style: TextStyle,
    lines: Vec<String>,
}

impl Block {
    fn height(&self) -> f32 {
        lines_height(&self.lines, self.style.line_height())
    }

    /// The widest line's width.
    fn width(&self) -> f32 {
        self.lines.iter().map(|l| text_width(self.style.font, self.style.size, l)).fold(0.0, f32::max)
    }

    /// Draws the lines from `top` down, aligned within `x..x + width`; returns the height used.
    fn draw(&self, page: &mut Page, x: f32, top: f32, width: f32, align: Align) -> f32 {
        let lh = self.style.line_height();
        let anchor = match align {
            Align::Left => x,
            Align::Center => x + width / 2.0,
            Align::Right => x + width,
        };
        let mut y = top;
        for line in &self.lines {
            if line.is_empty() {
                y -= lh * PARAGRAPH_GAP;
                continue;
            }
            page.text_aligned(anchor, baseline(y, &self.style), line, &self.style, align);
            y -= lh;
        }
        top - y
    }
}

/// The baseline that puts a line of `style` in a line box whose top is `top` (as documents' paragraphs do).
fn baseline(top: f32, style: &TextStyle) -> f32 {
    // DejaVu Sans's capitals are 0.729 em high: centre them in the line box.
    top - style.line_height() / 2.0 - 0.3645 * style.size
}

fn lines_height(lines: &[String], line_height: f32) -> f32 {
    lines.iter().map(|l| if l.is_empty() { line_height * PARAGRAPH_GAP } else { line_height }).sum()
}

/// `text` wrapped to `width`, paragraphs (split at blank lines) separated by a gap line.
fn wrap_paragraphs(font: Font, size: f32, text: &str, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, paragraph) in paragraphs(text).iter().enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        lines.extend(wrap_text(font, size, paragraph, width).into_iter().filter(|l| !l.is_empty()));
    }
    lines
}

/// `text` wrapped to `width` at the largest size from `style.size` down to `min` (half-point steps) whose
/// lines fit `max_height` and number at most `max_lines`. At `min`, what still does not fit is cut after
/// the last whole line that does, and that line ends in "...": the block never overflows its box.
fn fit(text: &str, style: TextStyle, min: f32, width: f32, max_height: f32, max_lines: usize) -> Block {
    let mut size = style.size;
    loop {
        let s = TextStyle { size, ..style };
        let lines = wrap_paragraphs(s.font, size, text, width);
        let lh = s.line_height();
        let count = lines.iter().filter(|l| !l.is_empty()).count();
        if count <= max_lines && lines_height(&lines, lh) <= max_height + 0.01 {
            return Block { style: s, lines };
        }
        if size <= min {
            return Block { style: s, lines: cut(lines, &s, width, max_height, max_lines) };
        }
        size = (size - 0.5).max(min);
    }
}

/// One line of `text`, shrunk towards `min` and then shortened with "..." until it fits `width`.
fn fit_line(text: &str, style: TextStyle, min: f32, width: f32) -> Block {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    fit(&one_line, style, min, width, f32::MAX, 1)
}

/// The lines that fit `max_height` and `max_lines`; when some are dropped the last kept one gets "...".
fn cut(lines: Vec<String>, style: &TextStyle, width: f32, max_height: f32, max_lines: usize) -> Vec<String> {
    let lh = style.line_height();
    let mut kept: Vec<String> = Vec::new();
    let (mut height, mut count) = (0.0, 0);
    let total = lines.len();
    for line in lines {
        let h = if line.is_empty() { lh * PARAGRAPH_GAP } else { lh };
        if height + h > max_height + 0.01 || (!line.is_empty() && count == max_lines) {
            break;
        }
        height += h;
        count += usize::from(!line.is_empty());
        kept.push(line);
    }
    let dropped = kept.len() < total;
    while kept.last().is_some_and(String::is_empty) {
        kept.pop();
    }
    if dropped {
        if let Some(last) = kept.pop() {
            kept.push(with_ellipsis(style.font, style.size, &last, width));
        }
    }
    kept
}

/// `text` ending in "...", shortened character by character until it fits `width`.
fn with_ellipsis(font: Font, size: f32, text: &str, width: f32) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    loop {
        let base: String = chars.iter().collect();
        let base = base.trim_end().trim_end_matches(['.', ',', ';', ':']);
        let candidate = format!("{base}...");
        if text_width(font, size, &candidate) <= width || chars.is_empty() {
            return candidate;
        }
        chars.pop();
    }
}

/// Draws a QR grid with its quiet zone as a white square whose bottom-left corner is `(x, y)`; returns
/// the square's side (0 when there is nothing to draw).
fn draw_qr(page: &mut Page, x: f32, y: f32, code_side: f32, qr: &(usize, Vec<bool>)) -> f32 {
    let (width, dark) = qr;
    if *width == 0 {
        return 0.0;
    }
    let module = code_side / *width as f32;
    let quiet = QR_QUIET_ZONE_MODULES as f32 * module;
    let side = code_side + 2.0 * quiet;
    page.fill_rect(Rect::new(x, y, side, side), Color::WHITE);
    page.modules(x + quiet, y + side - quiet, module, *width, dark, Color::BLACK);
    side
}

/// The side of [`draw_qr`]'s square for a code of `code_side`.
fn qr_block_side(code_side: f32, qr: &(usize, Vec<bool>)) -> f32 {
    if qr.0 == 0 {
        0.0
    } else {
        code_side * (1.0 + 2.0 * QR_QUIET_ZONE_MODULES as f32 / qr.0 as f32)
    }
}

// ---------------------------------------------------------------------------------------------------
// The postcard
// ---------------------------------------------------------------------------------------------------

fn draw_postcard_front(page: &mut Page, facts: &Facts, contact: &Contact, headline: &str, tagline: &str) {
    let size = page.size();
    let (w, h, bleed) = (size.width, size.height, size.bleed);
    let safe = Rect::new(POSTCARD_SAFE, POSTCARD_SAFE, w - 2.0 * POSTCARD_SAFE, h - 2.0 * POSTCARD_SAFE);

    // The band bleeds off the top and both sides; a gold rule (bleeding left and right) closes it.
    let band_bottom = 116.0;
    page.fill_rect(Rect::new(-bleed, band_bottom, w + 2.0 * bleed, h + bleed - band_bottom), Color::NAVY);
    page.fill_rect(Rect::new(-bleed, band_bottom - 4.0, w + 2.0 * bleed, 4.0), Color::GOLD);

    // Kicker, headline and tagline inside the band's safe area.
    let kicker = match facts.community.as_str() {
        "" => "FOR SALE".to_string(),
        c => format!("FOR SALE \u{b7} {}", c.to_uppercase()),
    };
    let kicker = fit_line(&kicker, TextStyle::new(Font::SansBold, 8.0).color(Color::GOLD), 6.0, safe.w);
    let mut top = safe.top();
    top -= kicker.draw(page, safe.x, top, safe.w, Align::Left) + 6.0;
    let room = top - (band_bottom + 14.0);
    let tag_style = TextStyle::new(Font::Sans, 10.5).color(ON_NAVY_SOFT).line_spacing(1.3);
    let tag = fit(tagline, tag_style, 8.0, safe.w, room * 0.4, 2);
    let tag_h = if tag.lines.is_empty() { 0.0 } else { tag.height() + 8.0 };
    let head_style = TextStyle::new(Font::SansBold, 26.0).color(Color::WHITE).line_spacing(1.12);
    let head = fit(headline, head_style, 13.0, safe.w, room - tag_h, 3);
    // Headline and tagline centred in the room the kicker leaves.
    top -= ((room - head.height() - tag_h) / 2.0).max(0.0);
    top -= head.draw(page, safe.x, top, safe.w, Align::Left) + 8.0;
    tag.draw(page, safe.x, top, safe.w, Align::Left);

    // Key facts: four columns between hairlines.
    let cells = [
        ("BEDROOMS", facts.beds.as_str(), 0.7),
        ("SIZE", facts.size.as_str(), 0.95),
        ("PRICE", facts.price.as_str(), 1.45),
        ("COMMUNITY", if facts.community.is_empty() { "-" } else { facts.community.as_str() }, 1.4),
    ];
    let total: f32 = cells.iter().map(|c| c.2).sum();
    let (facts_top, facts_bottom) = (band_bottom - 4.0 - 14.0, POSTCARD_SAFE + 22.0);
    let label = TextStyle::new(Font::SansBold, 6.5).color(Color::MUTED);
    let value = TextStyle::new(Font::SansBold, 14.0).color(Color::NAVY).line_spacing(1.15);
    let mut x = safe.x;
    for (i, (name, text, weight)) in cells.iter().enumerate() {
        let col_w = safe.w * weight / total;
        let pad = if i == 0 { 0.0 } else { 10.0 };
        if i > 0 {
            page.line(Point::new(x, facts_bottom + 4.0), Point::new(x, facts_top), Stroke::new(0.5, Color::RULE));
        }
        let inner = col_w - pad - 6.0;
        let used = fit_line(name, label, 5.5, inner).draw(page, x + pad, facts_top, inner, Align::Left) + 4.0;
        // A figure reads best on one line: shrink a little for that before breaking it over two.
        let room = facts_top - used - facts_bottom;
        let one = fit(text, value, 11.0, inner, room, 1);
        let block =
            if one.lines.len() == 1 && one.lines[0] == *text { one } else { fit(text, value, 8.0, inner, room, 2) };
        block.draw(page, x + pad, facts_top - used, inner, Align::Left);
        x += col_w;
    }

    // Compliance line along the bottom of the safe area.
    let permit = if facts.permit.is_empty() { String::new() } else { format!("Trakheesi Permit {}", facts.permit) };
    let orn = if contact.orn.is_empty() { String::new() } else { format!("ORN {}", contact.orn) };
    let brn = if contact.brn.is_empty() { String::new() } else { format!("BRN {}", contact.brn) };
    let line = join_dot(&[&contact.brokerage, &orn, &contact.agent, &brn, &permit]);
    let small = TextStyle::new(Font::Sans, 6.5).color(Color::MUTED);
    let block = fit(&line, small, 5.5, safe.w, 2.0 * small.line_height(), 2);
    block.draw(page, safe.x, safe.y + block.height(), safe.w, Align::Left);
}

fn draw_postcard_back(
    page: &mut Page,
    facts: &Facts,
    contact: &Contact,
    prose: &str,
    cta: &str,
    qr: &(usize, Vec<bool>),
) {
    let size = page.size();
    let (w, h) = (size.width, size.height);
    let gutter = 12.0;
    let left = Rect::new(POSTCARD_SAFE, POSTCARD_SAFE, w / 2.0 - gutter - POSTCARD_SAFE, h - 2.0 * POSTCARD_SAFE);
    let right = Rect::new(w / 2.0 + gutter, POSTCARD_SAFE, w - POSTCARD_SAFE - (w / 2.0 + gutter), left.h);
    page.line(Point::new(w / 2.0, left.y + 6.0), Point::new(w / 2.0, left.top() - 6.0), Stroke::new(0.5, Color::RULE));

    // Left: brokerage, copy, call to action, agent block, permit with its QR code.
    let mut top = left.top();
    let brand = if contact.brokerage.is_empty() { "AURA" } else { contact.brokerage.as_str() };
    let brand = fit_line(brand, TextStyle::new(Font::SansBold, 10.0).color(Color::NAVY), 7.0, left.w);
    top -= brand.draw(page, left.x, top, left.w, Align::Left) + 3.0;
    page.fill_rect(Rect::new(left.x, top - 1.5, 28.0, 1.5), Color::GOLD);
    top -= 9.0;

    let qr_side = draw_qr(page, left.x, left.y, POSTCARD_QR_SIDE, qr);
    let text_x = if qr_side > 0.0 { left.x + qr_side + 6.0 } else { left.x };
    let text_w = left.right() - text_x;
    // The permit's text starts level with the top of the code (inside its quiet zone).
    let mut permit_top =
        if qr_side > 0.0 { left.y + qr_side - (qr_side - POSTCARD_QR_SIDE) / 2.0 } else { left.y + 40.0 };
    let label = TextStyle::new(Font::SansBold, 6.5).color(Color::MUTED);
    permit_top -= fit_line("TRAKHEESI PERMIT", label, 5.5, text_w).draw(page, text_x, permit_top, text_w, Align::Left);
    let number = if facts.permit.is_empty() { "-" } else { facts.permit.as_str() };
    let number = fit_line(number, TextStyle::new(Font::SansBold, 12.0).color(Color::NAVY), 7.0, text_w);
    permit_top -= number.draw(page, text_x, permit_top, text_w, Align::Left) + 2.0;
    let hint = if qr_side > 0.0 { "Scan the code to check the advertising permit." } else { "" };
    let hint = fit(hint, TextStyle::new(Font::Sans, 6.5).color(Color::MUTED), 5.5, text_w, permit_top - left.y, 3);
    hint.draw(page, text_x, permit_top, text_w, Align::Left);

    // Agent block, stacked upwards from above the permit block.
    let detail = TextStyle::new(Font::Sans, 7.5).color(Color::TEXT).line_spacing(1.3);
    // Long names wrap to a second line rather than lose the BRN or ORN at their end.
    let name = TextStyle::new(Font::SansBold, 9.5).color(Color::NAVY).line_spacing(1.3);
    let mut agent_lines = vec![fit(&contact.agent, name, 7.0, left.w, 2.0 * name.line_height(), 2)];
    for text in [contact.agent_line(), contact.email.clone(), contact.brokerage_line()] {
        if !text.is_empty() {
            agent_lines.push(fit(&text, detail, 6.0, left.w, 2.0 * detail.line_height(), 2));
        }
    }
    let agent_h: f32 = agent_lines.iter().map(Block::height).sum();
    let agent_top = left.y + qr_side.max(40.0) + 8.0 + agent_h;
    let mut y = agent_top;
    for block in &agent_lines {
        y -= block.draw(page, left.x, y, left.w, Align::Left);
    }

    // Call to action just above the agent, the copy filling what is left above it.
    let cta_style = TextStyle::new(Font::SansBold, 8.5).color(Color::GOLD).line_spacing(1.25);
    let cta_block = fit(cta, cta_style, 7.0, left.w, 2.0 * 8.5 * 1.25, 2);
    let cta_h = if cta_block.lines.is_empty() { 0.0 } else { cta_block.height() + 2.0 };
    cta_block.draw(page, left.x, agent_top + 2.0 + cta_h, left.w, Align::Left);
    let body_bottom = agent_top + cta_h + 8.0;
    let body_style = TextStyle::new(Font::Sans, 9.0).color(Color::TEXT).line_spacing(1.3);
    let body = fit(prose, body_style, 6.5, left.w, (top - body_bottom).max(0.0), usize::MAX);
    body.draw(page, left.x, top, left.w, Align::Left);

    // Right: postage box and the mailing-address area.
    let stamp = Rect::new(right.right() - 50.0, right.top() - 58.0, 50.0, 58.0);
    page.rect(stamp, None, Some(Stroke::new(0.75, Color::RULE)));
    let tiny = TextStyle::new(Font::Sans, 6.0).color(Color::MUTED);
    page.text_centered(stamp.x + stamp.w / 2.0, stamp.y + stamp.h / 2.0 + 1.0, "POSTAGE", &tiny);
    page.text_centered(stamp.x + stamp.w / 2.0, stamp.y + stamp.h / 2.0 - 7.0, "PAID", &tiny);

    let lines_top = right.y + 128.0;
    page.text(right.x, lines_top + 12.0, "MAIL TO", &TextStyle::new(Font::SansBold, 6.5).color(Color::MUTED));
    for i in 0..4 {
        let y = lines_top - 22.0 * i as f32;
        page.line(Point::new(right.x, y), Point::new(right.right(), y), Stroke::new(0.5, Color::RULE));
    }
}

// ---------------------------------------------------------------------------------------------------
// The brochure
// ---------------------------------------------------------------------------------------------------

struct Brochure<'a> {
    content: &'a GeneratedContent,
    facts: &'a Facts,
    contact: &'a Contact,
    qr: &'a (usize, Vec<bool>),
    photos: &'a [raster::Canvas],
    info: &'a PrintInfo,
}

/// Where the next thing goes: the page and the y of its top.
struct Cursor {
    page: PageId,
    y: f32,
}

impl Brochure<'_> {
    fn layout(&self) -> ReportLayout {
        let c = self.contact;
        let header_right = join_dot(&[&c.brokerage, &self.info.created.format("%-d %B %Y").to_string()]);
        let brn = if c.brn.is_empty() { String::new() } else { format!("BRN {}", c.brn) };
        let orn = if c.orn.is_empty() { String::new() } else { format!("ORN {}", c.orn) };
        let permit = format!("Trakheesi Permit {}", self.facts.permit);
        let footer = join_dot(&[&c.agent, &brn, &c.brokerage, &orn, &permit]);
        let mut layout = ReportLayout::a4(self.info.title.clone(), header_right, footer);
        layout.accent = Color::GOLD;
        layout
    }

    /// The whole brochure with running text at `scale` times its normal size.
    fn render(&self, scale: f32) -> Document {
        let layout = self.layout();
        let mut info = DocInfo::new(self.info.title.clone(), self.info.author.clone(), pdf_date(self.info.created));
        info.subject = "Property brochure".into();
        let mut doc = Document::new(info);
        let body = layout.body();
        let page = layout.add_page(&mut doc);
        let mut at = Cursor { page, y: body.top() };

        self.title_block(&mut doc, &mut at, body);
        photos::draw(&mut doc, &mut at, body, self.photos);
        self.key_facts(&mut doc, &mut at, body);

        let text = TextStyle::new(Font::Sans, 9.5 * scale).line_spacing(1.4);
        let mut features_drawn = false;
        for s in self.content.sections.iter().filter(|s| s.name != "cover" && s.name != "contact") {
            let heading = sentence_case(&s.name.replace('_', " "));
            if s.name == "features" {
                let (lead, bullets): (Vec<&str>, Vec<&str>) =
                    s.text.lines().map(str::trim).filter(|l| !l.is_empty()).partition(|l| !is_bullet(l));
                let items: Vec<String> = if self.facts.features.is_empty() {
                    bullets.iter().map(|b| strip_bullet(b).to_string()).collect()
                } else {
                    self.facts.features.iter().take(BROCHURE_FEATURES_MAX).cloned().collect()
                };
                self.heading(&mut doc, &layout, &mut at, &heading, text.line_height() * 2.0);
                paragraph(&mut doc, &layout, &mut at, &lead.join(" "), &text);
                bullet_columns(&mut doc, &layout, &mut at, &items, &text);
                features_drawn = true;
            } else {
                let (prose, _) = split_copy(&s.text);
                if prose.is_empty() {
                    continue;
                }
                self.heading(&mut doc, &layout, &mut at, &heading, text.line_height() * 2.0);
                for p in paragraphs(&prose) {
                    paragraph(&mut doc, &layout, &mut at, &p, &text);
                }
            }
            at.y -= 6.0 * scale;
        }
        if !features_drawn && !self.facts.features.is_empty() {
            self.heading(&mut doc, &layout, &mut at, "Features", text.line_height() * 2.0);
            let items: Vec<String> = self.facts.features.iter().take(BROCHURE_FEATURES_MAX).cloned().collect();
            bullet_columns(&mut doc, &layout, &mut at, &items, &text);
            at.y -= 6.0 * scale;
        }

        self.contact_block(&mut doc, &layout, &mut at, scale);
        layout.decorate(&mut doc);
        doc
    }

    fn title_block(&self, doc: &mut Document, at: &mut Cursor, body: Rect) {
        let pad = 16.0;
        let inner = body.w - 2.0 * pad;
        let cover = section(self.content, "cover");
        let title = first_nonempty(&[self.content.title.as_str(), cover.lines().next().unwrap_or("")]);
        let title = fit(
            &title,
            TextStyle::new(Font::SansBold, 24.0).color(Color::WHITE).line_spacing(1.15),
            15.0,
            inner,
            f32::MAX,
            2,
        );
        let subtitle = join_dot(&[&self.facts.kind(), &self.facts.location()]);
        let subtitle = fit(
            &subtitle,
            TextStyle::new(Font::Sans, 11.0).color(ON_NAVY_SOFT).line_spacing(1.3),
            8.0,
            inner,
            f32::MAX,
            2,
        );
        let price = fit_line(&self.facts.price, TextStyle::new(Font::SansBold, 16.0).color(Color::GOLD), 10.0, inner);
        let h = pad + title.height() + 6.0 + subtitle.height() + 8.0 + price.height() + pad;
        let p = doc.page(at.page);
        p.rounded_rect(Rect::new(body.x, at.y - h, body.w, h), 6.0, Some(Color::NAVY), None);
        p.fill_rect(Rect::new(body.x + pad, at.y - h, 60.0, 3.0), Color::GOLD);
        let mut y = at.y - pad;
        y -= title.draw(p, body.x + pad, y, inner, Align::Left) + 6.0;
        y -= subtitle.draw(p, body.x + pad, y, inner, Align::Left) + 8.0;
        price.draw(p, body.x + pad, y, inner, Align::Left);
        at.y -= h + 16.0;
    }

    fn key_facts(&self, doc: &mut Document, at: &mut Cursor, body: Rect) {
        let f = self.facts;
        let pp = f.price_per_sqft.clone().map(|v| format!("{v}/sqft"));
        let first: Vec<(&str, String)> = [
            ("Bedrooms", Some(f.beds.clone())),
            ("Bathrooms", f.bathrooms.clone()),
            ("Size", Some(f.size.clone())),
            ("Asking price", Some(f.price.clone())),
            ("Price per sqft", pp),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect();
        let second: Vec<(&str, String)> = [
            ("Type", f.property_type.clone()),
            ("Community", f.community.clone()),
            ("Building", f.building.clone()),
            ("View", f.view.clone()),
            ("Status", f.status.clone()),
            ("Reference", f.reference.clone()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        for row in [first, second] {
            if row.is_empty() {
                continue;
            }
            let columns = row.iter().map(|(k, v)| Column::new(*k, column_weight(k, v), Align::Left)).collect();
            let mut t = Table::new(columns);
            t.style.stripe = None;
            t.style.body = TextStyle::new(Font::SansBold, 9.5).color(Color::NAVY);
            t.style.header = TextStyle::new(Font::SansBold, 7.5).color(Color::WHITE);
            t.push_row(row.iter().map(|(_, v)| v.clone()));
            let end = table::draw(doc, at.page, &t, Point::new(body.x, at.y), body.w, body);
            at.page = end.page;
            at.y = end.y - 8.0;
        }
        at.y -= 8.0;
    }

    /// A section heading with a short gold rule; `keep` more points must fit below it on the page. Known
    /// sections carry their Arabic name on the right, as bilingual brochures in Dubai do.
    fn heading(&self, doc: &mut Document, layout: &ReportLayout, at: &mut Cursor, text: &str, keep: f32) {
        let style = TextStyle::new(Font::SansBold, 12.0).color(Color::NAVY);
        ensure_space(doc, layout, at, 24.0 + keep);
        let body = layout.body();
        let arabic = arabic_heading(text).map(|ar| fit_line(ar, style, 9.0, body.w / 3.0));
        let room = body.w - arabic.as_ref().map_or(0.0, |a| a.width() + 16.0);
        let block = fit_line(text, style, 9.0, room);
        let p = doc.page(at.page);
        if let Some(ar) = &arabic {
            ar.draw(p, body.x, at.y, body.w, Align::Right);
        }
        at.y -= block.draw(p, body.x, at.y, body.w, Align::Left) + 2.0;
        p.fill_rect(Rect::new(body.x, at.y - 1.5, 24.0, 1.5), Color::GOLD);
        at.y -= 8.0;
    }

    /// A panel with the contact copy over three columns (agent, brokerage, permit) and the permit's QR
    /// code on the right, then a short note on the permit.
    fn contact_block(&self, doc: &mut Document, layout: &ReportLayout, at: &mut Cursor, scale: f32) {
        let body = layout.body();
        let c = self.contact;
        let (pad, gap) = (14.0, 12.0);
        let qr_side = qr_block_side(BROCHURE_QR_SIDE, self.qr);
        let inner_x = body.x + pad + 4.0;
        let text_w = body.right() - pad - inner_x - if qr_side > 0.0 { qr_side + gap } else { 0.0 };
        let col_w = (text_w - 2.0 * gap) / 3.0;

        let label = TextStyle::new(Font::SansBold, 7.0).color(Color::MUTED);
        let detail = TextStyle::new(Font::Sans, 9.0).line_spacing(1.4);
        let strong = TextStyle::new(Font::SansBold, 12.0).color(Color::NAVY).line_spacing(1.2);
        let (prose, cta) = split_copy(section(self.content, "contact"));
        let copy = if prose.is_empty() { cta } else { prose };
        let copy_style = TextStyle::new(Font::SansOblique, 9.5 * scale).line_spacing(1.4);
        let copy = fit(&copy, copy_style, 7.0, text_w, 4.0 * copy_style.line_height(), 4);

        let column = |title: &str, name: &str, lines: &[String]| -> Vec<(Block, f32)> {
            let mut blocks = vec![(fit_line(title, label, 6.0, col_w), 3.0)];
            if !name.is_empty() {
                blocks.push((fit(name, strong, 9.0, col_w, 2.0 * strong.line_height(), 2), 2.0));
            }
            for line in lines.iter().filter(|l| !l.is_empty()) {
                blocks.push((fit_line(line, detail, 7.0, col_w), 0.0));
            }
            blocks
        };
        let brn = if c.brn.is_empty() { String::new() } else { format!("RERA BRN {}", c.brn) };
        let orn = if c.orn.is_empty() { String::new() } else { format!("RERA ORN {}", c.orn) };
        let hint = if qr_side > 0.0 { "Scan the code to check the permit." } else { "" };
        let columns = [
            column("AGENT \u{b7} الوكيل", &c.agent, &[brn, c.phone.clone(), c.email.clone()]),
            column("BROKERAGE \u{b7} الوساطة", &c.brokerage, &[orn]),
            column(
                "TRAKHEESI PERMIT \u{b7} تصريح تراخيصي",
                if self.facts.permit.is_empty() { "-" } else { &self.facts.permit },
                &[],
            ),
        ];
        let hint =
            fit(hint, TextStyle::new(Font::Sans, 7.5).color(Color::MUTED).line_spacing(1.3), 6.0, col_w, 40.0, 3);
        let col_h = |blocks: &[(Block, f32)]| blocks.iter().map(|(b, g)| b.height() + g).sum::<f32>();
        let permit_h = col_h(&columns[2]) + 2.0 + hint.height();
        let columns_h = col_h(&columns[0]).max(col_h(&columns[1])).max(permit_h);
        let copy_h = if copy.lines.is_empty() { 0.0 } else { copy.height() + 10.0 };
        let h = (copy_h + columns_h).max(qr_side) + 2.0 * pad;

        let note = "Advertised under the Trakheesi permit shown, issued by the Dubai Land Department. Details are as provided by the seller and may change; please verify them before you buy.";
        let note_style = TextStyle::new(Font::Sans, 7.0).color(Color::MUTED).line_spacing(1.35);
        let note = fit(note, note_style, 6.0, body.w, 40.0, 3);
        let note_ar = fit(NOTE_AR, note_style, 6.0, body.w, 40.0, 3);
        ensure_space(doc, layout, at, h + 10.0 + note.height() + 2.0 + note_ar.height());
        let p = doc.page(at.page);
        let panel = Rect::new(body.x, at.y - h, body.w, h);
        p.rounded_rect(panel, 6.0, Some(Color::STRIPE), None);
        p.fill_rect(Rect::new(panel.x, panel.y + 6.0, 3.0, panel.h - 12.0), Color::GOLD);
        let mut y = panel.top() - pad;
        y -= copy.draw(p, inner_x, y, text_w, Align::Left);
        if copy_h > 0.0 {
            y -= 10.0;
        }
        for (i, blocks) in columns.iter().enumerate() {
            let x = inner_x + i as f32 * (col_w + gap);
            let mut cy = y;
            for (block, g) in blocks {
                cy -= block.draw(p, x, cy, col_w, Align::Left) + g;
            }
            if i == 2 {
                hint.draw(p, x, cy - 2.0, col_w, Align::Left);
            }
        }
        if qr_side > 0.0 {
            let qr_y = panel.y + (panel.h - qr_side) / 2.0;
            draw_qr(p, panel.right() - pad - qr_side, qr_y, BROCHURE_QR_SIDE, self.qr);
        }
        at.y = panel.y - 10.0;
        note.draw(p, body.x, at.y, body.w, Align::Left);
        at.y -= note.height() + 2.0;
        note_ar.draw(p, body.x, at.y, body.w, Align::Right);
        at.y -= note_ar.height();
    }
}

/// The permit note in Arabic, printed under the English one.
const NOTE_AR: &str = "يُعلن عن هذا العقار بموجب تصريح تراخيصي المبين، الصادر عن دائرة الأراضي والأملاك في دبي. التفاصيل كما قدّمها البائع وقد تتغير، يرجى التحقق منها قبل الشراء.";

/// The Arabic name of a brochure section heading, for the sections the generator writes.
fn arabic_heading(english: &str) -> Option<&'static str> {
    Some(match english.to_ascii_lowercase().as_str() {
        "overview" => "نظرة عامة",
        "location" => "الموقع",
        "features" => "المزايا",
        "investment" => "الاستثمار",
        "lifestyle" => "أسلوب الحياة",
        "amenities" => "المرافق",
        "description" => "الوصف",
        _ => return None,
    })
}

/// Relative width of a key-facts column: enough for its header and value on one line where possible.
fn column_weight(header: &str, value: &str) -> f32 {
    let h = text_width(Font::SansBold, 7.5, header);
    let v = text_width(Font::SansBold, 9.5, value);
    h.max(v).clamp(40.0, 160.0) + 12.0
}

fn is_bullet(line: &str) -> bool {
    line.starts_with("- ") || line.starts_with("\u{2022} ") || line.starts_with("* ")
}

fn strip_bullet(line: &str) -> &str {
    line.trim_start_matches(['-', '*', '\u{2022}']).trim()
}

/// Moves to a new page when fewer than `needed` points remain above the body's bottom.
fn ensure_space(doc: &mut Document, layout: &ReportLayout, at: &mut Cursor, needed: f32) {
    let body = layout.body();
    if at.y - needed < body.y {
        at.page = layout.add_page(doc);
        at.y = body.top();
    }
}

/// A paragraph full width, line by line so it can continue on the next page; bullet lines get a bullet.
fn paragraph(doc: &mut Document, layout: &ReportLayout, at: &mut Cursor, text: &str, style: &TextStyle) {
    let body = layout.body();
    let lh = style.line_height();
    let mut prose = Vec::new();
    let flush = |doc: &mut Document, at: &mut Cursor, prose: &mut Vec<&str>| {
        if prose.is_empty() {
            return;
        }
        for line in wrap_text(style.font, style.size, &prose.join(" "), body.w) {
            ensure_space(doc, layout, at, lh);
            doc.page(at.page).text(body.x, baseline(at.y, style), &line, style);
            at.y -= lh;
        }
        prose.clear();
    };
    let mut bullets = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if is_bullet(line) {
            flush(doc, at, &mut prose);
            bullets.push(strip_bullet(line).to_string());
        } else {
            if !bullets.is_empty() {
                bullet_list(doc, layout, at, &bullets, style, body.x, body.w);
                bullets.clear();
            }
            prose.push(line);
        }
    }
    flush(doc, at, &mut prose);
    bullet_list(doc, layout, at, &bullets, style, body.x, body.w);
    at.y -= lh * PARAGRAPH_GAP;
}

/// Bullets one under the other in a column `x..x + width`.
fn bullet_list(
    doc: &mut Document,
    layout: &ReportLayout,
    at: &mut Cursor,
    items: &[String],
    style: &TextStyle,
    x: f32,
    width: f32,
) {
    let lh = style.line_height();
    for item in items {
        let lines = wrap_text(style.font, style.size, item, width - 12.0);
        ensure_space(doc, layout, at, lh * lines.len().min(3) as f32);
        let p = doc.page(at.page);
        p.circle(Point::new(x + 3.0, baseline(at.y, style) + 0.3 * style.size), 1.6, Some(Color::GOLD), None);
        for line in lines {
            ensure_space(doc, layout, at, lh);
            doc.page(at.page).text(x + 12.0, baseline(at.y, style), &line, style);
            at.y -= lh;
        }
    }
}

/// Bullets in two columns, filled row by row (each row as tall as its taller item).
fn bullet_columns(doc: &mut Document, layout: &ReportLayout, at: &mut Cursor, items: &[String], style: &TextStyle) {
    let body = layout.body();
    let gap = 20.0;
    let col_w = (body.w - gap) / 2.0;
    let lh = style.line_height();
    for pair in items.chunks(2) {
        let wrapped: Vec<Vec<String>> =
            pair.iter().map(|item| wrap_text(style.font, style.size, item, col_w - 12.0)).collect();
        let rows = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        ensure_space(doc, layout, at, lh * rows as f32);
        let p = doc.page(at.page);
        for (i, lines) in wrapped.iter().enumerate() {
            let x = body.x + i as f32 * (col_w + gap);
            p.circle(Point::new(x + 3.0, baseline(at.y, style) + 0.3 * style.size), 1.6, Some(Color::GOLD), None);
            for (n, line) in lines.iter().enumerate() {
                p.text(x + 12.0, baseline(at.y - n as f32 * lh, style), line, style);
            }
        }
        at.y -= lh * rows as f32 + 2.0;
    }
    at.y -= lh * PARAGRAPH_GAP;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Agent, Brokerage, ContentKind, ContentRequest, ContentStyle, Section, TemplateGenerator};
    use serde_json::{json, Value};

    fn marina() -> Property {
        property(json!({
            "reference": "MAR-2BR-1204", "community": "Dubai Marina", "building": "Marina Gate 1", "unit": "1204",
            "property_type": "apartment", "bedrooms": 2, "bathrooms": 2.5, "size_sqft": 1250.0,
            "asking_price": 2_450_000.0, "permit_number": "7123456789", "view": "Marina",
            "features": ["Balcony with marina views", "Built-in wardrobes", "Covered parking", "Gym and pool",
                "Concierge and 24-hour security", "Walk to Dubai Marina Mall and the tram"],
            "completion_status": "ready"
        }))
    }

    fn property(body: Value) -> Property {
        Property::from_body(&body).expect("a valid property body")
    }

    fn contact() -> Contact {
        Contact {
            agent: "Layla Haddad".into(),
            brn: "12345".into(),
            phone: "+971 50 123 4567".into(),
            email: "layla@example.com".into(),
            brokerage: "Palm & Co Real Estate".into(),
            orn: "54321".into(),
        }
    }

    fn generate(kind: ContentKind, property: &Property) -> GeneratedContent {
        let req = ContentRequest {
            kind,
            property: property.clone(),
            content_style: ContentStyle::Luxury,
            agent: Agent {
                name: "Layla Haddad".into(),
                brn: "12345".into(),
                phone: "+971 50 123 4567".into(),
                email: "layla@example.com".into(),
            },
            brokerage: Brokerage { name: "Palm & Co Real Estate".into(), orn: "54321".into(), disclaimers: Vec::new() },
            customizations: Value::Null,
        };
        TemplateGenerator::new().write(&req).expect("template content")
    }

    fn info(title: &str) -> PrintInfo {
        PrintInfo {
            title: title.into(),
            author: "Layla Haddad".into(),
            created: DateTime::parse_from_rfc3339("2026-03-07T09:30:00Z").unwrap().with_timezone(&Utc),
        }
    }

    const PAYLOAD: &str = "https://trakheesi.dubailand.gov.ae/rev/permit/7123456789";

    use documents::testing::{parse, runs, Run};

    fn page_box(doc: &lopdf::Document, number: u32, key: &[u8]) -> Option<Vec<f32>> {
        let id = doc.get_pages()[&number];
        let array = doc.get_dictionary(id).unwrap().get(key).ok()?.as_array().ok()?.clone();
        Some(array.iter().map(|o| o.as_float().expect("number in box")).collect())
    }

    fn all_text(runs: &[Run]) -> String {
        runs.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join("\n")
    }

    /// Every run lies inside `area`: start, end (measured), baseline minus descender, cap height.
    fn assert_inside(runs: &[Run], area: Rect, what: &str) {
        assert!(!runs.is_empty(), "{what}: no text");
        for r in runs {
            let ok = r.x >= area.x - 0.01
                && r.right() <= area.right() + 0.01
                && r.y - 0.21 * r.size >= area.y - 0.01
                && r.y + 0.72 * r.size <= area.top() + 0.01;
            assert!(ok, "{what}: {r:?} (ends at {}) leaves {area:?}", r.right());
        }
    }

    fn postcard_for(property: &Property) -> Vec<u8> {
        let card = generate(ContentKind::Postcard, property);
        postcard_pdf(property, &contact(), &card, &card, PAYLOAD, info("Postcard - Marina Gate 1"))
    }

    #[test]
    fn postcard_has_two_pages_with_bleed_boxes() {
        let pdf = postcard_for(&marina());
        let doc = parse(&pdf);
        assert_eq!(doc.get_pages().len(), 2);
        for page in [1, 2] {
            assert_eq!(page_box(&doc, page, b"MediaBox").unwrap(), vec![0.0, 0.0, 450.0, 306.0]);
            assert_eq!(page_box(&doc, page, b"BleedBox").unwrap(), vec![0.0, 0.0, 450.0, 306.0]);
            assert_eq!(page_box(&doc, page, b"TrimBox").unwrap(), vec![9.0, 9.0, 441.0, 297.0]);
        }
        let _ = std::fs::write("/tmp/aura_postcard.pdf", &pdf);
    }

    #[test]
    fn postcard_prints_facts_permit_and_contact_inside_the_safe_area() {
        let pdf = postcard_for(&marina());
        let doc = parse(&pdf);
        let safe = Rect::new(POSTCARD_SAFE, POSTCARD_SAFE, 432.0 - 2.0 * POSTCARD_SAFE, 288.0 - 2.0 * POSTCARD_SAFE);
        let front = runs(&doc, 1);
        let back = runs(&doc, 2);
        assert_inside(&front, safe, "front");
        assert_inside(&back, safe, "back");
        let front = all_text(&front);
        for fact in ["2", "1,250 sqft", "AED 2,450,000", "Dubai Marina", "BEDROOMS", "COMMUNITY"] {
            assert!(front.contains(fact), "front lacks {fact}: {front}");
        }
        let back = all_text(&back);
        for part in
            ["7123456789", "TRAKHEESI PERMIT", "Layla Haddad", "BRN 12345", "ORN 54321", "+971 50 123 4567", "MAIL TO"]
        {
            assert!(back.contains(part), "back lacks {part}: {back}");
        }
        assert!(!back.contains(" | ORN "), "the disclosure line is printed as a block, not as prose: {back}");
    }

    #[test]
    fn postcard_fits_very_long_copy_without_overflow() {
        let property = marina();
        let long = "A remarkably long sentence about marina living and sunsets over the water. ".repeat(40);
        let content = GeneratedContent {
            kind: ContentKind::Postcard,
            channel: "postcard".into(),
            style: ContentStyle::Standard,
            title: "An exceptionally long headline that would never fit on a postcard front in one line at all, really"
                .into(),
            body: String::new(),
            html: None,
            hashtags: Vec::new(),
            sections: vec![
                Section { name: "front".into(), text: format!("Headline\n{long}") },
                Section { name: "back".into(), text: long.clone() },
            ],
            generator: "template".into(),
        };
        let mut property2 = property.clone();
        property2.community = "Jumeirah Village Circle (JVC) District Twelve and Beyond".into();
        property2.asking_price = Some(123_456_789_012.0);
        let long_contact = Contact {
            agent: "Dr. Alexandra Montgomery-Fitzwilliam Al Maktoum".into(),
            brn: "99999".into(),
            phone: "+971 4 000 0000".into(),
            email: String::new(),
            brokerage: "An Extraordinarily Long Brokerage Name Real Estate Brokers LLC".into(),
            orn: "11111".into(),
        };
        let pdf = postcard_pdf(&property2, &long_contact, &content, &content, "", info("Long"));
        let _ = std::fs::write(std::env::temp_dir().join("aura_postcard_long.pdf"), &pdf);
        let doc = parse(&pdf);
        let safe = Rect::new(POSTCARD_SAFE, POSTCARD_SAFE, 432.0 - 2.0 * POSTCARD_SAFE, 288.0 - 2.0 * POSTCARD_SAFE);
        assert_inside(&runs(&doc, 1), safe, "front");
        let back = runs(&doc, 2);
        assert_inside(&back, safe, "back");
        // The body copy stays above the agent block: no two runs overlap vertically in the left column.
        let mut left: Vec<&Run> = back.iter().filter(|r| r.x < 216.0).collect();
        left.sort_by(|a, b| b.y.total_cmp(&a.y));
        for pair in left.windows(2) {
            let (upper, lower) = (pair[0], pair[1]);
            let overlap_x = upper.x < lower.right() && lower.x < upper.right();
            assert!(!overlap_x || upper.y - lower.y >= 0.9 * lower.size, "{upper:?} over {lower:?}");
        }
        // Without a payload the QR code encodes the permit number itself.
        assert!(all_text(&back).contains("7123456789"));
    }

    #[test]
    fn qr_grid_is_square_odd_and_deterministic() {
        let (width, dark) = qr_modules(PAYLOAD);
        assert!(width >= 21 && width % 2 == 1, "width {width}");
        assert_eq!((width - 17) % 4, 0, "a QR version's width is 17 + 4v");
        assert_eq!(dark.len(), width * width);
        assert_eq!(qr_modules(PAYLOAD), (width, dark.clone()), "same payload, same grid");
        assert_ne!(qr_modules("7123456789").1, dark);
        // The three finder patterns: a dark 7x7 ring with a dark 3x3 centre, top-left, top-right, bottom-left.
        for (cx, cy) in [(0, 0), (width - 7, 0), (0, width - 7)] {
            for y in 0..7 {
                for x in 0..7 {
                    let ring = x == 0 || y == 0 || x == 6 || y == 6;
                    let centre = (2..=4).contains(&x) && (2..=4).contains(&y);
                    assert_eq!(dark[(cy + y) * width + cx + x], ring || centre, "finder at ({cx},{cy})");
                }
            }
        }
        let (tiny, _) = qr_modules("7123456789");
        assert_eq!(tiny, 21);
        assert_eq!(qr_modules(&"x".repeat(4000)), (0, Vec::new()), "too long for any QR code");
    }

    /// Decodes a module grid with an independent reader, rendered with its quiet zone at 4 px a module.
    fn decode(width: usize, dark: &[bool]) -> String {
        let (scale, quiet) = (4, QR_QUIET_ZONE_MODULES);
        let side = (width + 2 * quiet) * scale;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = ((x / scale) as isize - quiet as isize, (y / scale) as isize - quiet as isize);
            let inside = (0..width as isize).contains(&mx) && (0..width as isize).contains(&my);
            if inside && dark[my as usize * width + mx as usize] {
                0
            } else {
                255
            }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code found");
        grids[0].decode().expect("decodes").1
    }

    #[test]
    fn qr_grid_decodes_to_the_payload() {
        for payload in [PAYLOAD, "7123456789", "Trakheesi 6543210987"] {
            let (width, dark) = qr_modules(payload);
            assert_eq!(decode(width, &dark), payload);
            assert_eq!(decode(width, &dark), decode(width, &qr_modules(payload).1), "deterministic");
        }
    }

    #[test]
    fn brochure_is_one_or_two_a4_pages_with_permit_and_page_numbers() {
        let property = marina();
        let content = generate(ContentKind::Brochure, &property);
        let pdf = brochure_pdf(&property, &contact(), &content, PAYLOAD, &[], info("Brochure - Marina Gate 1"));
        let doc = parse(&pdf);
        let pages = doc.get_pages().len() as u32;
        assert!((1..=2).contains(&pages), "{pages} pages");
        let mut text = String::new();
        for page in 1..=pages {
            assert_eq!(page_box(&doc, page, b"MediaBox").unwrap(), vec![0.0, 0.0, 595.0, 842.0]);
            assert!(page_box(&doc, page, b"TrimBox").is_none(), "office paper, no bleed");
            let r = runs(&doc, page);
            assert_inside(&r, Rect::new(40.0, 36.0, 515.0, 842.0 - 72.0), "brochure page");
            text.push_str(&all_text(&r));
            assert!(text.contains(&format!("Page {page} of {pages}")), "page numbering");
        }
        for part in [
            "7123456789",
            "TRAKHEESI PERMIT",
            "RERA BRN 12345",
            "RERA ORN 54321",
            "Palm & Co Real Estate",
            "AED 2,450,000",
            "1,250 sqft",
            "Concierge and 24-hour security",
            "Overview",
            "Location",
            "Features",
        ] {
            assert!(text.contains(part), "brochure lacks {part}: {text}");
        }
        let _ = std::fs::write("/tmp/aura_brochure.pdf", &pdf);
    }

    #[test]
    fn brochure_shows_the_listing_photos_under_the_title() {
        let property = marina();
        let content = generate(ContentKind::Brochure, &property);
        let terracotta = raster::Rgb(196, 98, 52);
        let photos = [raster::Canvas::new(120, 80, terracotta), raster::Canvas::new(90, 60, raster::Rgb(40, 80, 200))];
        let pdf = brochure_pdf(&property, &contact(), &content, PAYLOAD, &photos, info("Brochure with photos"));
        let _ = std::fs::write(std::env::temp_dir().join("aura_brochure_photos.pdf"), &pdf);
        let doc = parse(&pdf);
        let mut images = documents::testing::images(&doc);
        images.sort();
        // The main photo cropped to 20:9 at its own width, the second to 3:2; their pixels are the photos'.
        assert_eq!(images.iter().map(|(w, h, _)| (*w, *h)).collect::<Vec<_>>(), vec![(90, 60), (120, 54)]);
        assert!(images[1].2.chunks(3).all(|p| p == [196, 98, 52]), "the main photo's pixels are embedded");
        let pages = doc.get_pages().len() as u32;
        assert!((1..=2).contains(&pages), "{pages} pages");
        assert!(all_text(&runs(&doc, 1)).contains("AED 2,450,000"), "the facts still follow");
    }

    #[test]
    fn brochure_with_long_sections_still_fits_two_pages() {
        let property = marina();
        let mut content = generate(ContentKind::Brochure, &property);
        let long = "Spacious interiors, generous light and calm streets make this a home to settle into. ".repeat(24);
        for s in content.sections.iter_mut().filter(|s| s.name == "overview" || s.name == "location") {
            s.text = format!("{long}\n\n{long}");
        }
        let pdf = brochure_pdf(&property, &contact(), &content, "", &[], info("Long brochure"));
        let _ = std::fs::write(std::env::temp_dir().join("aura_brochure_long.pdf"), &pdf);
        let doc = parse(&pdf);
        let pages = doc.get_pages().len() as u32;
        assert!((1..=2).contains(&pages), "{pages} pages");
        for page in 1..=pages {
            assert_inside(&runs(&doc, page), Rect::new(40.0, 36.0, 515.0, 842.0 - 72.0), "long brochure page");
        }
    }

    #[test]
    fn sparse_inputs_still_render_with_the_permit() {
        let property = property(json!({"community": "Jumeirah Village Circle (JVC)", "property_type": "villa",
            "bedrooms": 0, "size_sqft": 900.0, "permit_number": "6543210987"}));
        let empty = GeneratedContent {
            kind: ContentKind::Brochure,
            channel: "brochure".into(),
            style: ContentStyle::Standard,
            title: String::new(),
            body: String::new(),
            html: None,
            hashtags: Vec::new(),
            sections: Vec::new(),
            generator: "template".into(),
        };
        let card = postcard_pdf(&property, &Contact::default(), &empty, &empty, "", info("Sparse"));
        let doc = parse(&card);
        assert_eq!(doc.get_pages().len(), 2);
        assert!(all_text(&runs(&doc, 1)).contains("Price on request"));
        assert!(all_text(&runs(&doc, 1)).contains("Studio"));
        assert!(all_text(&runs(&doc, 2)).contains("6543210987"));
        let brochure = brochure_pdf(&property, &Contact::default(), &empty, "", &[], info("Sparse"));
        let doc = parse(&brochure);
        assert_eq!(doc.get_pages().len(), 1);
        assert!(all_text(&runs(&doc, 1)).contains("6543210987"));
    }

    #[test]
    fn output_is_deterministic_and_contact_is_read_from_the_copy() {
        let property = marina();
        let card = generate(ContentKind::Postcard, &property);
        let a = postcard_pdf(&property, &contact(), &card, &card, PAYLOAD, info("P"));
        let b = postcard_pdf(&property, &contact(), &card, &card, PAYLOAD, info("P"));
        assert_eq!(a, b);
        let brochure = generate(ContentKind::Brochure, &property);
        let texts = content_texts(&[&brochure]);
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let c = Contact::default().completed(&texts, "fallback");
        assert_eq!(
            (c.agent.as_str(), c.brn.as_str(), c.phone.as_str(), c.email.as_str()),
            ("Layla Haddad", "12345", "+971 50 123 4567", "layla@example.com")
        );
        assert_eq!((c.brokerage.as_str(), c.orn.as_str()), ("Palm & Co Real Estate", "54321"));
        let texts = content_texts(&[&card]);
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let c = Contact::default().completed(&texts, "fallback");
        assert_eq!((c.agent.as_str(), c.brn.as_str(), c.orn.as_str()), ("Layla Haddad", "12345", "54321"));
        assert_eq!(Contact::default().completed(&[], "Sara Khan").agent, "Sara Khan");
        let given = Contact { agent: "Omar".into(), ..Contact::default() };
        assert_eq!(given.completed(&texts, "fallback").agent, "Omar", "the caller's contact comes first");
    }
}
