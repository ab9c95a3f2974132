//! Small value types describing how things are drawn: text style, stroke, horizontal alignment.
//!
//! Kept apart from the page so the table, chart and layout helpers can share and store them.

use crate::{Color, Font};

/// Height of capitals and digits in em (DejaVu Sans: 1493 of 2048 units).
pub(crate) const CAP_HEIGHT: f32 = 0.729;

/// Font, size and colour of a run of text, plus the line spacing used when it wraps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub font: Font,
    /// Size in points.
    pub size: f32,
    pub color: Color,
    /// Baseline-to-baseline distance as a multiple of `size` (1.25 by default).
    pub line_spacing: f32,
}

impl TextStyle {
    /// `font` at `size` points in [`Color::TEXT`].
    pub fn new(font: Font, size: f32) -> TextStyle {
        TextStyle { font, size, color: Color::TEXT, line_spacing: 1.25 }
    }

    /// The same style in another colour.
    pub fn color(self, color: Color) -> TextStyle {
        TextStyle { color, ..self }
    }

    /// The same style with another line spacing factor.
    pub fn line_spacing(self, line_spacing: f32) -> TextStyle {
        TextStyle { line_spacing, ..self }
    }

    /// Baseline-to-baseline distance in points.
    pub fn line_height(&self) -> f32 {
        self.size * self.line_spacing
    }

    /// The baseline that vertically centres capitals and digits in a line box whose top is `top`.
    pub(crate) fn baseline_in(&self, top: f32, box_height: f32) -> f32 {
        // DejaVu Sans's cap height is 0.729 em; centring the caps looks right for labels and numbers.
        top - box_height / 2.0 - CAP_HEIGHT / 2.0 * self.size
    }
}

/// Line width and colour of a stroke.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stroke {
    /// Width in points.
    pub width: f32,
    pub color: Color,
}

impl Stroke {
    pub const fn new(width: f32, color: Color) -> Stroke {
        Stroke { width, color }
    }
}

/// Horizontal alignment of text relative to an anchor or within a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}
