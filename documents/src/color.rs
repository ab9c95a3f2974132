//! RGB colours for fills, strokes and text.
//!
//! PDF's DeviceRGB takes components in 0–1; brand colours arrive as hex, so both constructors exist.
//! Components are clamped when written, so an out-of-range value can never produce an invalid operator.

/// An RGB colour, each component in 0.0–1.0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Color {
    pub r: f32,
    pub g: f32,
    pub b: f32,
}

impl Color {
    pub const BLACK: Color = Color::hex(0x000000);
    pub const WHITE: Color = Color::hex(0xFFFFFF);
    /// Body text: near-black reads softer than pure black in print.
    pub const TEXT: Color = Color::hex(0x1F2933);
    /// Secondary text: captions, axis labels, footers.
    pub const MUTED: Color = Color::hex(0x616E7C);
    /// Hairlines and grid lines.
    pub const RULE: Color = Color::hex(0xCBD2D9);
    /// AURA navy, for headers and the first data series.
    pub const NAVY: Color = Color::hex(0x1F3A5F);
    /// Accent gold, for the second data series and highlights.
    pub const GOLD: Color = Color::hex(0xC8963E);
    /// Teal, for a third data series.
    pub const TEAL: Color = Color::hex(0x2A9D8F);
    /// Very light grey-blue, for zebra stripes and panels.
    pub const STRIPE: Color = Color::hex(0xF1F4F8);

    /// A colour from components in 0.0–1.0.
    pub const fn rgb(r: f32, g: f32, b: f32) -> Color {
        Color { r, g, b }
    }

    /// A colour from `0xRRGGBB`.
    pub const fn hex(rgb: u32) -> Color {
        Color {
            r: ((rgb >> 16) & 0xFF) as f32 / 255.0,
            g: ((rgb >> 8) & 0xFF) as f32 / 255.0,
            b: (rgb & 0xFF) as f32 / 255.0,
        }
    }

    /// Components clamped to 0–1 (NaN becomes 0), ready to be written.
    pub(crate) fn clamped(self) -> [f32; 3] {
        let c = |v: f32| if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
        [c(self.r), c(self.g), c(self.b)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_splits_components() {
        let c = Color::hex(0xFF8000);
        assert_eq!(c.r, 1.0);
        assert!((c.g - 128.0 / 255.0).abs() < 1e-6);
        assert_eq!(c.b, 0.0);
    }

    #[test]
    fn clamped_limits_range_and_nan() {
        assert_eq!(Color::rgb(-1.0, 2.0, f32::NAN).clamped(), [0.0, 1.0, 0.0]);
    }
}
