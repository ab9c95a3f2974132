//! The frame of a multi-page report: margins, a running header, and a footer with "Page N of M".
//!
//! "of M" is only known once every page exists (tables add pages as they overflow), so headers and
//! footers are drawn last, by [`ReportLayout::decorate`], onto every page of the document. In between,
//! content goes inside [`ReportLayout::body`].

use crate::{text_width, Color, Document, Font, PageId, PageSize, Point, Rect, Stroke, TextStyle};

/// Distances from the page edges, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
    pub left: f32,
}

impl Margins {
    /// The same margin on every side.
    pub const fn uniform(m: f32) -> Margins {
        Margins { top: m, right: m, bottom: m, left: m }
    }
}

/// Page size, margins and running texts of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportLayout {
    pub size: PageSize,
    pub margins: Margins,
    /// Header, left: usually the report title.
    pub header_left: String,
    /// Header, right: e.g. the agency or the date.
    pub header_right: String,
    /// Footer, left: e.g. agent name and licence (RERA/BRN) number. "Page N of M" sits on the right.
    pub footer_left: String,
    /// Colour of the header rule.
    pub accent: Color,
}

/// Height of the header band (text plus rule) below the top margin.
const HEADER_BAND: f32 = 22.0;
/// Height of the footer band (rule plus text) above the bottom margin.
const FOOTER_BAND: f32 = 20.0;
/// Gap between a band and the body.
const BAND_GAP: f32 = 14.0;

impl ReportLayout {
    /// A4 portrait with 40 pt side margins and 36 pt top and bottom margins.
    pub fn a4(
        header_left: impl Into<String>,
        header_right: impl Into<String>,
        footer_left: impl Into<String>,
    ) -> ReportLayout {
        ReportLayout {
            size: PageSize::A4,
            margins: Margins { top: 36.0, right: 40.0, bottom: 36.0, left: 40.0 },
            header_left: header_left.into(),
            header_right: header_right.into(),
            footer_left: footer_left.into(),
            accent: Color::NAVY,
        }
    }

    /// The content area of every page: inside the margins, between header and footer bands.
    pub fn body(&self) -> Rect {
        let m = &self.margins;
        let top = self.size.height - m.top - HEADER_BAND - BAND_GAP;
        let bottom = m.bottom + FOOTER_BAND + BAND_GAP;
        Rect::new(m.left, bottom, self.size.width - m.left - m.right, (top - bottom).max(0.0))
    }

    /// Appends a page of this layout's size.
    pub fn add_page(&self, doc: &mut Document) -> PageId {
        doc.add_page(self.size)
    }

    /// Draws the header and the footer ("Page N of M") on every page of `doc`. Call it once, after
    /// all pages exist and before [`Document::finish`].
    pub fn decorate(&self, doc: &mut Document) {
        let pages = doc.page_ids();
        let total = pages.len();
        for (i, id) in pages.into_iter().enumerate() {
            self.draw_header(doc, id);
            self.draw_footer(doc, id, i + 1, total);
        }
    }

    fn draw_header(&self, doc: &mut Document, id: PageId) {
        let m = self.margins;
        let (left, right) = (m.left, self.size.width - m.right);
        let top = self.size.height - m.top;
        let rule_y = top - HEADER_BAND;
        let title = TextStyle::new(Font::SansBold, 9.0);
        let side = TextStyle::new(Font::Sans, 8.0).color(Color::MUTED);
        let baseline = rule_y + 7.0;
        let right_w = text_width(side.font, side.size, &self.header_right);
        let title_text =
            crate::wrap::truncate_to_width(title.font, title.size, &self.header_left, right - left - right_w - 16.0);
        let page = doc.page(id);
        page.text(left, baseline, &title_text, &title);
        page.text_right(right, baseline, &self.header_right, &side);
        page.line(Point::new(left, rule_y), Point::new(right, rule_y), Stroke::new(1.0, self.accent));
    }

    fn draw_footer(&self, doc: &mut Document, id: PageId, number: usize, total: usize) {
        let m = self.margins;
        let (left, right) = (m.left, self.size.width - m.right);
        let rule_y = m.bottom + FOOTER_BAND;
        let style = TextStyle::new(Font::Sans, 7.5).color(Color::MUTED);
        let baseline = m.bottom + 4.0;
        let numbering = format!("Page {number} of {total}");
        let numbering_w = text_width(style.font, style.size, &numbering);
        let footer = crate::wrap::truncate_to_width(
            style.font,
            style.size,
            &self.footer_left,
            right - left - numbering_w - 16.0,
        );
        let page = doc.page(id);
        page.line(Point::new(left, rule_y), Point::new(right, rule_y), Stroke::new(0.5, Color::RULE));
        page.text(left, baseline, &footer, &style);
        page.text_right(right, baseline, &numbering, &style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_sits_inside_margins_and_bands() {
        let layout = ReportLayout::a4("CMA", "AURA", "Agent");
        let body = layout.body();
        assert_eq!(body.x, 40.0);
        assert_eq!(body.right(), 555.0);
        assert!(body.top() < 842.0 - 36.0 - HEADER_BAND);
        assert!(body.y > 36.0 + FOOTER_BAND);
        assert!(body.h > 600.0);
    }
}
