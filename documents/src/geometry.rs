//! Points, rectangles and page sizes, in PDF points (1/72 inch).
//!
//! Everything in this crate uses PDF's native orientation: origin at the bottom-left, y grows upwards.
//! Page sizes carry an optional bleed so print products (postcards, brochures) can extend artwork past
//! the trim line; see [`PageSize::with_bleed`].

/// Points per inch.
const PT_PER_INCH: f32 = 72.0;

/// A position on a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

impl Point {
    pub const fn new(x: f32, y: f32) -> Point {
        Point { x, y }
    }
}

/// An axis-aligned rectangle: `(x, y)` is its bottom-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub const fn new(x: f32, y: f32, w: f32, h: f32) -> Rect {
        Rect { x, y, w, h }
    }

    /// The y of the top edge.
    pub fn top(&self) -> f32 {
        self.y + self.h
    }

    /// The x of the right edge.
    pub fn right(&self) -> f32 {
        self.x + self.w
    }

    /// The rectangle shrunk by `d` on every side (never below zero size).
    pub fn inset(&self, d: f32) -> Rect {
        Rect::new(self.x + d, self.y + d, (self.w - 2.0 * d).max(0.0), (self.h - 2.0 * d).max(0.0))
    }
}

/// The size of a page: the trim size (the finished product) plus an optional bleed on every side.
///
/// When `bleed > 0` the written MediaBox and BleedBox are the trim size grown by the bleed, and the
/// TrimBox marks the finished size. Drawing coordinates stay relative to the trim box: `(0, 0)` is the
/// trim's bottom-left corner, and artwork meant to bleed extends to `-bleed` and `width + bleed`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSize {
    /// Trim width in points.
    pub width: f32,
    /// Trim height in points.
    pub height: f32,
    /// Bleed on each side in points; 0 for office documents.
    pub bleed: f32,
}

impl PageSize {
    /// A4 portrait, 210 × 297 mm.
    pub const A4: PageSize = PageSize { width: 595.0, height: 842.0, bleed: 0.0 };
    /// A4 landscape.
    pub const A4_LANDSCAPE: PageSize = PageSize { width: 842.0, height: 595.0, bleed: 0.0 };
    /// US Letter portrait, 8.5 × 11 in.
    pub const LETTER: PageSize = PageSize { width: 612.0, height: 792.0, bleed: 0.0 };

    /// A page of `width` × `height` points, no bleed.
    pub const fn new(width: f32, height: f32) -> PageSize {
        PageSize { width, height, bleed: 0.0 }
    }

    /// A page of `width` × `height` inches, no bleed.
    pub fn inches(width: f32, height: f32) -> PageSize {
        PageSize::new(width * PT_PER_INCH, height * PT_PER_INCH)
    }

    /// The same trim size with `bleed` points of bleed on every side.
    pub fn with_bleed(self, bleed: f32) -> PageSize {
        PageSize { bleed: bleed.max(0.0), ..self }
    }

    /// The same trim size with `bleed` inches of bleed on every side (print shops ask for 0.125 in).
    pub fn with_bleed_inches(self, bleed: f32) -> PageSize {
        self.with_bleed(bleed * PT_PER_INCH)
    }

    /// Width of the MediaBox: trim plus bleed on both sides.
    pub fn media_width(&self) -> f32 {
        self.width + 2.0 * self.bleed
    }

    /// Height of the MediaBox: trim plus bleed on both sides.
    pub fn media_height(&self) -> f32 {
        self.height + 2.0 * self.bleed
    }

    /// The trim area in drawing coordinates: always `(0, 0, width, height)`.
    pub fn trim(&self) -> Rect {
        Rect::new(0.0, 0.0, self.width, self.height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcard_with_bleed_has_expected_media_size() {
        let p = PageSize::inches(6.0, 4.0).with_bleed_inches(0.125);
        assert_eq!((p.width, p.height), (432.0, 288.0));
        assert_eq!((p.media_width(), p.media_height()), (450.0, 306.0));
    }

    #[test]
    fn inset_never_goes_negative() {
        let r = Rect::new(0.0, 0.0, 10.0, 4.0).inset(3.0);
        assert_eq!((r.x, r.y, r.w, r.h), (3.0, 3.0, 4.0, 0.0));
        assert_eq!(Rect::new(1.0, 2.0, 3.0, 4.0).top(), 6.0);
        assert_eq!(Rect::new(1.0, 2.0, 3.0, 4.0).right(), 4.0);
    }
}
