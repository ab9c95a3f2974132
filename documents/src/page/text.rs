//! Drawing text on a page: single lines (left, right, centred) and wrapped paragraphs.
//!
//! Text is placed with its baseline at the given y and shaped when the document is rendered (any script
//! DejaVu covers, Arabic right to left). Alignment uses the same shaping as [`crate::text_width`], so
//! right-aligned columns line up exactly.

use super::{Op, Page};
use crate::{text_width, wrap_text, Align, Point, TextStyle};

impl Page {
    /// Draws `text` with its baseline starting at `(x, y)`.
    pub fn text(&mut self, x: f32, y: f32, text: &str, style: &TextStyle) -> &mut Page {
        if text.is_empty() {
            return self;
        }
        self.push(Op::Text {
            at: Point::new(x, y),
            font: style.font,
            size: style.size,
            color: style.color,
            text: text.to_string(),
        })
    }

    /// Draws `text` on baseline `y`, aligned to the anchor `x`: starting there, centred on it, or
    /// ending there.
    pub fn text_aligned(&mut self, x: f32, y: f32, text: &str, style: &TextStyle, align: Align) -> &mut Page {
        let width = text_width(style.font, style.size, text);
        let start = match align {
            Align::Left => x,
            Align::Center => x - width / 2.0,
            Align::Right => x - width,
        };
        self.text(start, y, text, style)
    }

    /// Draws `text` so that it ends at `x_right`.
    pub fn text_right(&mut self, x_right: f32, y: f32, text: &str, style: &TextStyle) -> &mut Page {
        self.text_aligned(x_right, y, text, style, Align::Right)
    }

    /// Draws `text` centred on `x_center`.
    pub fn text_centered(&mut self, x_center: f32, y: f32, text: &str, style: &TextStyle) -> &mut Page {
        self.text_aligned(x_center, y, text, style, Align::Center)
    }

    /// Draws `text` wrapped to `width`, in lines of `style.line_height()` from `top` downwards, and
    /// returns the height used (`lines × line_height`; 0 for empty text).
    pub fn paragraph(&mut self, x: f32, top: f32, width: f32, text: &str, style: &TextStyle) -> f32 {
        self.paragraph_aligned(x, top, width, text, style, Align::Left)
    }

    /// [`Page::paragraph`] with each line aligned within `x..x + width`.
    pub fn paragraph_aligned(
        &mut self,
        x: f32,
        top: f32,
        width: f32,
        text: &str,
        style: &TextStyle,
        align: Align,
    ) -> f32 {
        let lines = wrap_text(style.font, style.size, text, width);
        let line_height = style.line_height();
        let anchor = match align {
            Align::Left => x,
            Align::Center => x + width / 2.0,
            Align::Right => x + width,
        };
        for (i, line) in lines.iter().enumerate() {
            let baseline = style.baseline_in(top - i as f32 * line_height, line_height);
            self.text_aligned(anchor, baseline, line, style, align);
        }
        lines.len() as f32 * line_height
    }
}
