//! The standard PDF fonts this crate can use, and measuring text set in them.
//!
//! The standard fonts need no embedding (every viewer and printer has them), which keeps files small and
//! the crate dependency-free. Twelve of the fourteen are offered: the Helvetica, Times and Courier
//! families. Symbol and ZapfDingbats are left out because they have their own built-in encodings, so the
//! `&str` → WinAnsi text path used everywhere here would print the wrong glyphs with them.

mod widths;
pub(crate) mod winansi;

/// One of the standard Type 1 fonts, always written with WinAnsiEncoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Font {
    Helvetica,
    HelveticaBold,
    HelveticaOblique,
    HelveticaBoldOblique,
    TimesRoman,
    TimesBold,
    TimesItalic,
    TimesBoldItalic,
    Courier,
    CourierBold,
    CourierOblique,
    CourierBoldOblique,
}

impl Font {
    /// Every font, in resource order.
    pub(crate) const ALL: [Font; 12] = [
        Font::Helvetica,
        Font::HelveticaBold,
        Font::HelveticaOblique,
        Font::HelveticaBoldOblique,
        Font::TimesRoman,
        Font::TimesBold,
        Font::TimesItalic,
        Font::TimesBoldItalic,
        Font::Courier,
        Font::CourierBold,
        Font::CourierOblique,
        Font::CourierBoldOblique,
    ];

    /// The PostScript name written as `/BaseFont`.
    pub fn base_name(self) -> &'static str {
        match self {
            Font::Helvetica => "Helvetica",
            Font::HelveticaBold => "Helvetica-Bold",
            Font::HelveticaOblique => "Helvetica-Oblique",
            Font::HelveticaBoldOblique => "Helvetica-BoldOblique",
            Font::TimesRoman => "Times-Roman",
            Font::TimesBold => "Times-Bold",
            Font::TimesItalic => "Times-Italic",
            Font::TimesBoldItalic => "Times-BoldItalic",
            Font::Courier => "Courier",
            Font::CourierBold => "Courier-Bold",
            Font::CourierOblique => "Courier-Oblique",
            Font::CourierBoldOblique => "Courier-BoldOblique",
        }
    }

    /// Position in [`Font::ALL`]; also the number in the resource name `/F{index}`.
    pub(crate) fn index(self) -> usize {
        Font::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }

    /// Advance width of one WinAnsi code, in 1/1000 em.
    fn code_width(self, code: u8) -> u16 {
        let table = match self {
            Font::Helvetica | Font::HelveticaOblique => &widths::HELVETICA,
            Font::HelveticaBold | Font::HelveticaBoldOblique => &widths::HELVETICA_BOLD,
            Font::TimesRoman => &widths::TIMES_ROMAN,
            Font::TimesBold => &widths::TIMES_BOLD,
            Font::TimesItalic => &widths::TIMES_ITALIC,
            Font::TimesBoldItalic => &widths::TIMES_BOLD_ITALIC,
            Font::Courier | Font::CourierBold | Font::CourierOblique | Font::CourierBoldOblique => return 600,
        };
        // Codes below 32 are never emitted (see `winansi::encode`); measure them as a space.
        table[usize::from(code.max(32)) - 32]
    }
}

/// Width in points of `text` set in `font` at `size` points, exactly as it will be drawn.
///
/// Characters outside WinAnsi are measured as the `?` that replaces them. No kerning is applied, in
/// measurement or in drawing, so the two always agree.
pub fn text_width(font: Font, size: f32, text: &str) -> f32 {
    let units: u32 = winansi::encode(text).iter().map(|&b| u32::from(font.code_width(b))).sum();
    units as f32 * size / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helvetica_widths_match_afm() {
        // "Hello": H 722 + e 556 + l 222 + l 222 + o 556 = 2278 units.
        assert!((text_width(Font::Helvetica, 10.0, "Hello") - 22.78).abs() < 1e-4);
        // Bold: H 722 + e 556 + l 278 + l 278 + o 611 = 2445 units.
        assert!((text_width(Font::HelveticaBold, 10.0, "Hello") - 24.45).abs() < 1e-4);
        assert_eq!(text_width(Font::HelveticaOblique, 12.0, "AED"), text_width(Font::Helvetica, 12.0, "AED"));
    }

    #[test]
    fn courier_is_monospaced_and_unknown_chars_measure_as_question_mark() {
        assert_eq!(text_width(Font::Courier, 10.0, "iiii"), 24.0);
        assert_eq!(text_width(Font::Helvetica, 10.0, "دبي"), text_width(Font::Helvetica, 10.0, "???"));
        assert_eq!(text_width(Font::Helvetica, 10.0, ""), 0.0);
    }

    #[test]
    fn resource_indexes_are_distinct() {
        for (i, f) in Font::ALL.iter().enumerate() {
            assert_eq!(f.index(), i);
        }
    }
}
