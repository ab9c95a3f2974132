//! The listing card: a social-media image (1080×1080 or 1200×628) with price, facts, headline, agent
//! and brokerage lines, the advertising permit line and its QR code.
//!
//! Every text element gets a box; it is fitted (shrunk, then cut with "…") to that box and drawn with the
//! canvas clipped to it, so no input length can push ink into a neighbour. The QR code is laid out first
//! because its readability (≥ 4 px modules, 4-module quiet zone) outranks the size of any text.

use crate::canvas::{Canvas, Rgb};
use crate::png;
use crate::text::{self, Fitted, Font};

/// What a listing card shows. All strings are display-ready (already formatted and localised).
#[derive(Clone, Debug, PartialEq)]
pub struct ListingCard {
    pub headline: String,
    /// e.g. "AED 2,450,000"
    pub price: String,
    /// e.g. ["2 BR", "1,250 sqft", "Apartment", "Dubai Marina"], drawn as chips
    pub facts: Vec<String>,
    /// A short kicker above the headline, e.g. "JUST LISTED"; may be empty.
    pub tagline: String,
    /// e.g. "Sara Khan · BRN 12345 · +971 50 123 4567"
    pub agent_line: String,
    /// e.g. "Acme Realty · ORN 54321"
    pub brokerage_line: String,
    /// e.g. "Trakheesi Permit 7123456789"
    pub permit_line: String,
    /// QR module grid: (width, row-major dark flags), no quiet zone. A width of 0 draws no QR code.
    pub qr: (usize, Vec<bool>),
    /// Brand colour for the price, tagline and rules.
    pub accent: Rgb,
    /// The listing's main photo: it fills the navy area, clear at the top and under a navy scrim
    /// where the text sits (the text moves down and gets smaller to leave it room). `None` keeps
    /// the plain navy design.
    pub photo: Option<Canvas>,
}

/// Output format of a card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardSize {
    /// 1080×1080, Instagram / Facebook feed.
    Square,
    /// 1200×628, LinkedIn / X / Facebook link preview.
    Landscape,
}

impl CardSize {
    /// (width, height) in pixels.
    pub fn dimensions(self) -> (u32, u32) {
        match self {
            CardSize::Square => (1080, 1080),
            CardSize::Landscape => (1200, 628),
        }
    }
}

const NAVY_TOP: Rgb = Rgb(9, 25, 48);
const NAVY_BOTTOM: Rgb = Rgb(20, 48, 88);
const ON_NAVY: Rgb = Rgb::WHITE;
const ON_NAVY_MUTED: Rgb = Rgb(178, 194, 218);
const INK: Rgb = Rgb(14, 30, 56);
const INK_MUTED: Rgb = Rgb(84, 97, 120);

/// Render the card as PNG bytes (with Title and Software tEXt metadata). Deterministic.
pub fn listing_card_png(card: &ListingCard, size: CardSize) -> Vec<u8> {
    let canvas = listing_card_canvas(card, size);
    png::encode_with_text(&canvas, &[("Title", &card.headline), ("Software", "AURA")])
}

/// Render the card to a canvas, for callers that want to compose or inspect pixels.
pub fn listing_card_canvas(card: &ListingCard, size: CardSize) -> Canvas {
    render(card, size).0
}

/// A pixel rectangle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: u32,
    pub h: u32,
}

impl Rect {
    fn new(x: i32, y: i32, w: i32, h: i32) -> Rect {
        Rect { x, y, w: w.max(0) as u32, h: h.max(0) as u32 }
    }
}

/// Where the main parts ended up; tests use it to look at the right pixels.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(test), allow(dead_code))] // only tests read it
pub(crate) struct Regions {
    pub headline: Rect,
    /// Everything that is not the headline/price/facts block: agent, brokerage, permit and QR.
    pub footer: Rect,
    pub qr: Rect,
    /// Agent and brokerage lines.
    pub info: Rect,
    /// Where the photo is drawn, when there is one.
    pub hero: Option<Rect>,
}

/// Opacity of the navy scrim under the text on a photo: the text keeps its contrast on any photo.
const SCRIM_ALPHA: u8 = 225;

/// Type sizes for one format: (largest, smallest) em px per element.
struct Type {
    /// Where the block sits in its area: 0 at the top, 1 at the bottom.
    anchor: f32,
    tagline: (f32, f32),
    headline: (f32, f32),
    headline_lines: usize,
    price: (f32, f32),
    chip: f32,
    chip_rows: usize,
    gap: f32,
}

pub(crate) fn render(card: &ListingCard, size: CardSize) -> (Canvas, Regions) {
    let (w, h) = size.dimensions();
    let mut c = Canvas::new(w, h, NAVY_TOP);
    c.fill_gradient_v(0, 0, w, h, NAVY_TOP, NAVY_BOTTOM);
    let regions = match size {
        CardSize::Square => square(&mut c, card),
        CardSize::Landscape => landscape(&mut c, card),
    };
    c.clear_clip();
    (c, regions)
}

/// Module size for a QR of `width` modules: aim for `target` px per side, never under 4 px a module
/// (phone cameras need it at feed size), unless the symbol would not fit `max_side` at all.
fn qr_module_px(width: usize, target: u32, max_side: u32) -> u32 {
    let n = Canvas::qr_side(1, width).max(1);
    let m = (target / n).max(4);
    if m * n <= max_side {
        m
    } else {
        (max_side / n).max(1)
    }
}

fn square(c: &mut Canvas, card: &ListingCard) -> Regions {
    let (w, h) = (1080i32, 1080i32);
    let margin = 72;
    c.fill_rect(0, 0, w as u32, 10, card.accent);

    // Bottom strip: white, tall enough for the QR code.
    let (qw, dark) = (card.qr.0, &card.qr.1);
    let m = qr_module_px(qw, 264, 520) as i32;
    let side = if qw == 0 { 0 } else { Canvas::qr_side(m as u32, qw) as i32 };
    let quiet = 4 * m;
    let strip_h = 320.max(side - 2 * quiet + 2 * 52);
    let strip_y = h - strip_h;
    c.fill_rect(0, strip_y, w as u32, strip_h as u32, Rgb::WHITE);
    c.fill_rect(0, strip_y, w as u32, 6, card.accent);

    // Align the visible symbol (not its white quiet zone) with the right margin.
    let qr = Rect::new(w - margin - side + quiet, strip_y + 6 + (strip_h - 6 - side) / 2, side, side);
    if qw > 0 {
        c.draw_modules(qr.x, qr.y, m as u32, qw, dark);
    }
    let info_right = if qw > 0 { qr.x + quiet - 48 } else { w - margin };
    let info = Rect::new(margin, strip_y + 6, info_right - margin, strip_h - 6);
    stacked_lines(
        c,
        info,
        &[
            (Font::Bold, &card.agent_line, (34.0, 20.0), INK),
            (Font::Regular, &card.brokerage_line, (28.0, 18.0), INK_MUTED),
            (Font::Bold, &card.permit_line, (28.0, 18.0), INK),
        ],
        16.0,
    );

    if let Some(photo) = &card.photo {
        let hero = Rect::new(0, 10, w, strip_y - 10);
        photo_with_scrim(c, photo, hero, 270, 130);
        let bottom = strip_y - 40;
        let content = Rect::new(margin, bottom - 360, w - 2 * margin, 360);
        let ty = Type {
            anchor: 1.0,
            tagline: (26.0, 18.0),
            headline: (52.0, 30.0),
            headline_lines: 2,
            price: (76.0, 40.0),
            chip: 26.0,
            chip_rows: 1,
            gap: 22.0,
        };
        let headline = content_block(c, card, content, &ty);
        return Regions { headline, footer: Rect::new(0, strip_y, w, strip_h), qr, info, hero: Some(hero) };
    }
    let top = 10 + 64;
    let content = Rect::new(margin, top, w - 2 * margin, strip_y - 56 - top);
    let ty = Type {
        anchor: 0.45,
        tagline: (30.0, 20.0),
        headline: (66.0, 34.0),
        headline_lines: 3,
        price: (96.0, 44.0),
        chip: 30.0,
        chip_rows: 2,
        gap: 30.0,
    };
    let headline = content_block(c, card, content, &ty);
    Regions { headline, footer: Rect::new(0, strip_y, w, strip_h), qr, info, hero: None }
}

fn landscape(c: &mut Canvas, card: &ListingCard) -> Regions {
    let (w, h) = (1200i32, 628i32);
    let margin = 60;

    // Right panel: white, holding the QR code and the permit line under it.
    let (qw, dark) = (card.qr.0, &card.qr.1);
    let m = qr_module_px(qw, 272, 440) as i32;
    let side = if qw == 0 { 0 } else { Canvas::qr_side(m as u32, qw) as i32 };
    let quiet = 4 * m;
    let panel_w = 380.max(side - 2 * quiet + 2 * 56);
    let panel_x = w - panel_w;
    c.fill_rect(panel_x, 0, panel_w as u32, h as u32, Rgb::WHITE);
    c.fill_rect(panel_x, 0, 6, h as u32, card.accent);

    let text_w = (panel_w - 6 - 2 * 32) as f32;
    let permit = text::fit(Font::Bold, &card.permit_line, (26.0, 16.0), text_w, 64.0, 2);
    let visible = side - 2 * quiet;
    let gap = 22;
    // Centre on a two-line permit (the usual wrap at this width) whatever its real length, so the QR code
    // never moves with the text.
    let block = visible + gap + (2.0 * text::line_height(Font::Bold, 26.0)).ceil() as i32;
    let qr_top = (h - block) / 2;
    let qr = Rect::new(panel_x + 3 + (panel_w - 3 - side) / 2, qr_top - quiet, side, side);
    if qw > 0 {
        c.draw_modules(qr.x, qr.y, m as u32, qw, dark);
    }
    let permit_y = if qw > 0 { qr_top + visible + gap } else { (h - permit.height() as i32) / 2 };
    let permit_box = Rect::new(panel_x + 6 + 32, permit_y, text_w as i32, h - permit_y - 16);
    centred(c, permit_box, &permit, INK);

    // Left: content on navy, agent and brokerage at the foot.
    c.fill_rect(0, 0, panel_x as u32, 8, card.accent);
    let left_w = panel_x - 2 * margin + 8;
    let foot_h = 92;
    let foot_y = h - 36 - foot_h;

    let (top, ty, hero) = match &card.photo {
        Some(photo) => {
            let hero = Rect::new(0, 8, panel_x, h - 8);
            photo_with_scrim(c, photo, hero, 100, 140);
            let ty = Type {
                anchor: 1.0,
                tagline: (18.0, 14.0),
                headline: (38.0, 24.0),
                headline_lines: 2,
                price: (52.0, 30.0),
                chip: 18.0,
                chip_rows: 1,
                gap: 14.0,
            };
            (230, ty, Some(hero))
        }
        None => (8 + 48, LANDSCAPE_TYPE, None),
    };
    // The rule above the agent's line, drawn after the photo so it stays visible on it.
    c.fill_rect_alpha(margin, foot_y, left_w as u32, 2, Rgb::WHITE, 48);
    let info = Rect::new(margin, foot_y + 2, left_w, foot_h);
    stacked_lines(
        c,
        info,
        &[
            (Font::Bold, &card.agent_line, (24.0, 15.0), ON_NAVY),
            (Font::Regular, &card.brokerage_line, (21.0, 14.0), ON_NAVY_MUTED),
        ],
        10.0,
    );
    let content = Rect::new(margin, top, left_w, foot_y - 28 - top);
    let headline = content_block(c, card, content, &ty);
    Regions { headline, footer: Rect::new(panel_x, 0, panel_w, h), qr, info, hero }
}

/// The landscape card's type without a photo.
const LANDSCAPE_TYPE: Type = Type {
    anchor: 0.45,
    tagline: (22.0, 15.0),
    headline: (46.0, 26.0),
    headline_lines: 2,
    price: (66.0, 32.0),
    chip: 22.0,
    chip_rows: 2,
    gap: 20.0,
};

/// `photo` covering `area`, clear for its first `clear` rows, then a navy scrim growing over `ramp`
/// rows to [`SCRIM_ALPHA`] and staying there to the bottom.
fn photo_with_scrim(c: &mut Canvas, photo: &Canvas, area: Rect, clear: i32, ramp: i32) {
    c.draw_cover(photo, area.x, area.y, area.w, area.h);
    for row in clear..area.h as i32 {
        let alpha = ((row - clear) as f32 / ramp as f32).min(1.0) * SCRIM_ALPHA as f32;
        c.fill_rect_alpha(area.x, area.y + row, area.w, 1, NAVY_TOP, alpha.round() as u8);
    }
}

/// Tagline, headline, price and fact chips, top-down in `area`; the headline takes whatever height the
/// others leave. Returns the headline's box.
fn content_block(c: &mut Canvas, card: &ListingCard, area: Rect, ty: &Type) -> Rect {
    let width = area.w as f32;

    let tagline =
        text::fit(Font::Bold, &card.tagline, ty.tagline, width, text::line_height(Font::Bold, ty.tagline.0), 1);
    let tag_h = if card.tagline.trim().is_empty() { 0.0 } else { tagline.height() + ty.gap * 0.5 };
    let price = text::fit(Font::Bold, &card.price, ty.price, width, text::line_height(Font::Bold, ty.price.0), 1);
    let price_h = if card.price.trim().is_empty() { 0.0 } else { price.height() };
    let chips = chip_layout(&card.facts, ty.chip, width, ty.chip_rows);
    let chips_h = chips.iter().map(|ch| ch.y + ch.h).fold(0.0, f32::max);

    let (price_gap, chips_gap) =
        (if price_h > 0.0 { ty.gap } else { 0.0 }, if chips_h > 0.0 { ty.gap * 0.8 } else { 0.0 });
    let budget = (area.h as f32 - tag_h - price_h - chips_h - price_gap - chips_gap).max(0.0);
    let max_h = budget.min(ty.headline_lines as f32 * text::line_height(Font::Bold, ty.headline.0));
    let headline = text::fit(Font::Bold, &card.headline, ty.headline, width, max_h, ty.headline_lines);
    let head_h = if card.headline.trim().is_empty() { 0.0 } else { headline.height() };

    // Centre the block (a little high, which reads as balanced) instead of leaving a hole under it.
    let used = tag_h + head_h + price_gap + price_h + chips_gap + chips_h;
    let mut y = area.y as f32 + ((area.h as f32 - used) * ty.anchor).max(0.0).floor();
    if tag_h > 0.0 {
        let r = Rect::new(area.x, y as i32, area.w as i32, tagline.height().ceil() as i32);
        clipped(c, r, |c| tagline.draw(c, r.x as f32, r.y as f32, card.accent));
        y += tag_h;
    }
    let head_box = Rect::new(area.x, y as i32, area.w as i32, max_h.max(head_h).ceil() as i32);
    clipped(c, head_box, |c| headline.draw(c, head_box.x as f32, head_box.y as f32, ON_NAVY));
    y += head_h + price_gap;
    if price_h > 0.0 {
        let r = Rect::new(area.x, y as i32, area.w as i32, price.height().ceil() as i32);
        clipped(c, r, |c| price.draw(c, r.x as f32, r.y as f32, card.accent));
        y += price_h;
    }
    y += chips_gap;
    // Chips and everything else stay inside the content area even if the headline overran its budget.
    let rest = Rect::new(area.x, y as i32, area.w as i32, area.y + area.h as i32 - y as i32);
    clipped(c, rest, |c| {
        for chip in &chips {
            let (cx, cy) = (area.x + chip.x as i32, y as i32 + chip.y as i32);
            c.fill_pill_alpha(cx, cy, chip.w as u32, chip.h as u32, Rgb::WHITE, 30);
            // Centre on the cap height (0.73 em in DejaVu) so mixed-case labels sit visually centred.
            let baseline = cy as f32 + chip.h / 2.0 + 0.365 * ty.chip;
            text::draw_text(c, Font::Regular, ty.chip, cx as f32 + chip.pad, baseline, &chip.label, ON_NAVY);
        }
    });
    head_box
}

/// One fact chip, positioned relative to the chip block's top-left.
struct Chip {
    label: String,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    pad: f32,
}

/// Flow chips left to right, wrapping to at most `max_rows`; chips that do not fit are dropped whole
/// rather than half-drawn, and a single over-long label is cut with "…".
fn chip_layout(facts: &[String], px: f32, width: f32, max_rows: usize) -> Vec<Chip> {
    let (h, pad, gap) = ((px * 1.9).round(), (px * 0.75).round(), (px * 0.45).round());
    let mut chips = Vec::new();
    let (mut x, mut row) = (0.0, 0);
    for fact in facts.iter().map(|f| f.trim()).filter(|f| !f.is_empty()) {
        let label = text::ellipsize(Font::Regular, px, fact, width - 2.0 * pad);
        if label.is_empty() {
            continue;
        }
        let w = (text::measure(Font::Regular, px, &label) + 2.0 * pad).ceil();
        if x > 0.0 && x + w > width {
            row += 1;
            x = 0.0;
        }
        if row >= max_rows {
            break;
        }
        chips.push(Chip { label, x, y: row as f32 * (h + gap), w, h, pad });
        x += w + gap;
    }
    chips
}

/// Single-line items stacked and centred vertically in `area`, each fitted to its width.
fn stacked_lines(c: &mut Canvas, area: Rect, items: &[(Font, &String, (f32, f32), Rgb)], gap: f32) {
    let fitted: Vec<(Fitted, Rgb)> = items
        .iter()
        .filter(|(_, s, _, _)| !s.trim().is_empty())
        .map(|(font, s, sizes, colour)| {
            (text::fit(*font, s, *sizes, area.w as f32, text::line_height(*font, sizes.0), 1), *colour)
        })
        .collect();
    let total: f32 = fitted.iter().map(|(f, _)| f.height()).sum::<f32>() + gap * fitted.len().saturating_sub(1) as f32;
    let mut y = area.y as f32 + ((area.h as f32 - total) / 2.0).max(0.0);
    clipped(c, area, |c| {
        for (f, colour) in &fitted {
            f.draw(c, area.x as f32, y, *colour);
            y += f.height() + gap;
        }
    });
}

/// Fitted lines centred horizontally in `area`.
fn centred(c: &mut Canvas, area: Rect, f: &Fitted, colour: Rgb) {
    clipped(c, area, |c| {
        let asc = text::ascent(f.font, f.px);
        for (i, line) in f.lines.iter().enumerate() {
            let x = area.x as f32 + (area.w as f32 - text::measure(f.font, f.px, line)) / 2.0;
            text::draw_text(c, f.font, f.px, x, area.y as f32 + asc + i as f32 * f.line_height, line, colour);
        }
    });
}

/// Run `draw` with the canvas clipped to `r`, so whatever it draws stays inside.
fn clipped(c: &mut Canvas, r: Rect, draw: impl FnOnce(&mut Canvas)) {
    c.set_clip(r.x, r.y, r.w, r.h);
    draw(c);
    c.clear_clip();
}
