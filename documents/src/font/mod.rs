//! The fonts this crate sets text in, and measuring text exactly as it will be drawn.
//!
//! Every document embeds DejaVu Sans (regular and bold, from `seeds/fonts/`), subset to the glyphs it
//! uses. DejaVu covers Latin, Greek, Cyrillic and Arabic, so a client's name prints as written, in any of
//! the scripts Dubai's agents meet daily, instead of the `?` a standard PDF font would give. The oblique
//! styles are the upright faces slanted by [`OBLIQUE_SLANT`] when drawn; they measure the same.
//!
//! Text is shaped (see [`shape`]) for measuring and for drawing alike, so a right-aligned column ends where
//! it was measured to end, kerning and Arabic joining forms included.

pub(crate) mod shape;

use std::sync::OnceLock;

/// A typeface and style to set text in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Font {
    Sans,
    SansBold,
    SansOblique,
    SansBoldOblique,
}

/// One of the two embedded font files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Face {
    Regular,
    Bold,
}

/// Horizontal shear of the oblique styles (x += 0.2·y, about 11°, like Helvetica-Oblique's 12°).
pub(crate) const OBLIQUE_SLANT: f32 = 0.2;

static REGULAR: &[u8] = include_bytes!("../../../seeds/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../seeds/fonts/DejaVuSans-Bold.ttf");

impl Font {
    /// The font file this style is drawn from.
    pub(crate) fn face(self) -> Face {
        match self {
            Font::Sans | Font::SansOblique => Face::Regular,
            Font::SansBold | Font::SansBoldOblique => Face::Bold,
        }
    }

    /// Whether glyphs are slanted by [`OBLIQUE_SLANT`] when drawn.
    pub(crate) fn oblique(self) -> bool {
        matches!(self, Font::SansOblique | Font::SansBoldOblique)
    }

    /// The PostScript name of the embedded face (`DejaVuSans`, `DejaVuSans-Bold`).
    pub fn base_name(self) -> &'static str {
        match self.face() {
            Face::Regular => "DejaVuSans",
            Face::Bold => "DejaVuSans-Bold",
        }
    }
}

impl Face {
    /// The TrueType bytes, compiled into the binary so output never depends on installed fonts.
    pub(crate) fn data(self) -> &'static [u8] {
        match self {
            Face::Regular => REGULAR,
            Face::Bold => BOLD,
        }
    }

    /// The parsed face for shaping, built once per process.
    pub(crate) fn shaper(self) -> &'static rustybuzz::Face<'static> {
        static FACES: [OnceLock<rustybuzz::Face<'static>>; 2] = [OnceLock::new(), OnceLock::new()];
        let slot = match self {
            Face::Regular => &FACES[0],
            Face::Bold => &FACES[1],
        };
        slot.get_or_init(|| rustybuzz::Face::from_slice(self.data(), 0).expect("the bundled DejaVu font parses"))
    }
}

/// Width in points of `text` set in `font` at `size` points, exactly as it will be drawn (shaped, with
/// kerning and joining forms). Control characters are not drawn and measure nothing; tabs are spaces.
pub fn text_width(font: Font, size: f32, text: &str) -> f32 {
    shape::line(font.face(), text).iter().map(|run| run.advance()).sum::<f32>() * size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_come_from_the_embedded_faces() {
        // DejaVu Sans: "H" advances 1540/2048 em; bold is wider.
        let h = text_width(Font::Sans, 10.0, "H");
        assert!((h - 7.52).abs() < 0.01, "{h}");
        assert!(text_width(Font::SansBold, 10.0, "Hello") > text_width(Font::Sans, 10.0, "Hello"));
        assert_eq!(text_width(Font::SansOblique, 12.0, "AED"), text_width(Font::Sans, 12.0, "AED"));
        assert_eq!(text_width(Font::Sans, 10.0, ""), 0.0);
    }

    #[test]
    fn width_scales_with_size_and_tabs_are_spaces() {
        let w10 = text_width(Font::Sans, 10.0, "Dubai Marina");
        assert!((text_width(Font::Sans, 20.0, "Dubai Marina") - 2.0 * w10).abs() < 1e-3);
        assert_eq!(text_width(Font::Sans, 10.0, "a\tb"), text_width(Font::Sans, 10.0, "a b"));
        assert_eq!(text_width(Font::Sans, 10.0, "ab\u{7}"), text_width(Font::Sans, 10.0, "ab"));
    }

    #[test]
    fn arabic_has_real_glyphs_and_width() {
        let w = text_width(Font::Sans, 10.0, "دبي");
        assert!(w > 5.0, "{w}");
        let runs = shape::line(Face::Regular, "دبي");
        assert!(runs[0].glyphs.iter().all(|g| g.id != 0), "no .notdef: {runs:?}");
    }
}
