//! Text measuring, drawing, wrapping and fitting with anti-aliased glyphs from compiled-in DejaVu Sans.
//!
//! Sizes (`px`) are em sizes, like CSS `font-size`. Layout is a simple left-to-right pen with pair
//! kerning: enough for Latin listing copy; complex scripts (Arabic shaping, bidi) are out of scope.

use std::sync::OnceLock;

use ab_glyph::{point, Font as _, FontRef, GlyphId, PxScale, ScaleFont};

use crate::canvas::{Canvas, Rgb};

static REGULAR_TTF: &[u8] = include_bytes!("../../seeds/fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../seeds/fonts/DejaVuSans-Bold.ttf");

/// The ellipsis appended when text is cut to fit.
pub const ELLIPSIS: char = '…';

/// One of the two compiled-in faces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Font {
    Regular,
    Bold,
}

impl Font {
    fn face(self) -> &'static FontRef<'static> {
        static REGULAR: OnceLock<FontRef<'static>> = OnceLock::new();
        static BOLD: OnceLock<FontRef<'static>> = OnceLock::new();
        // The fonts are part of the binary, so failing to parse them is a build defect, not input error.
        match self {
            Font::Regular => REGULAR.get_or_init(|| FontRef::try_from_slice(REGULAR_TTF).expect("DejaVuSans.ttf")),
            Font::Bold => BOLD.get_or_init(|| FontRef::try_from_slice(BOLD_TTF).expect("DejaVuSans-Bold.ttf")),
        }
    }

    /// ab_glyph scales by ascent−descent height; convert so `px` means the em size.
    fn scale(self, px: f32) -> PxScale {
        let f = self.face();
        let upem = f.units_per_em().unwrap_or(2048.0);
        PxScale::from(px.max(0.0) * f.height_unscaled() / upem)
    }
}

/// Distance from the baseline up to the top of the line box at size `px`.
pub fn ascent(font: Font, px: f32) -> f32 {
    font.face().as_scaled(font.scale(px)).ascent()
}

/// Baseline-to-baseline distance for stacked lines at size `px`.
pub fn line_height(font: Font, px: f32) -> f32 {
    let s = font.face().as_scaled(font.scale(px));
    s.ascent() - s.descent() + s.line_gap()
}

/// Glyphs of `text` with their pen x offsets (kerning applied), and the total advance width.
fn layout(font: Font, px: f32, text: &str) -> (Vec<(GlyphId, f32)>, f32) {
    let s = font.face().as_scaled(font.scale(px));
    let mut pen = 0.0;
    let mut prev: Option<GlyphId> = None;
    let mut glyphs = Vec::with_capacity(text.len());
    // Control characters would render as the .notdef box; they carry no ink, so skip them.
    for ch in text.chars().filter(|c| !c.is_control()) {
        let id = s.glyph_id(ch);
        if let Some(p) = prev {
            pen += s.kern(p, id);
        }
        glyphs.push((id, pen));
        pen += s.h_advance(id);
        prev = Some(id);
    }
    (glyphs, pen)
}

/// Advance width of `text` on one line at size `px`.
pub fn measure(font: Font, px: f32, text: &str) -> f32 {
    layout(font, px, text).1
}

/// Draw one line of `text` with its pen starting at `x` on `baseline_y`, blending glyph coverage over
/// the canvas (respecting its clip). Returns the advance width drawn.
pub fn draw_text(canvas: &mut Canvas, font: Font, px: f32, x: f32, baseline_y: f32, text: &str, colour: Rgb) -> f32 {
    let face = font.face();
    let scale = font.scale(px);
    let (glyphs, width) = layout(font, px, text);
    for (id, pen) in glyphs {
        let Some(outline) = face.outline_glyph(id.with_scale_and_position(scale, point(x + pen, baseline_y))) else {
            continue; // spaces and other blank glyphs
        };
        let b = outline.px_bounds();
        let (ox, oy) = (b.min.x.floor() as i32, b.min.y.floor() as i32);
        outline.draw(|gx, gy, cover| canvas.blend(ox + gx as i32, oy + gy as i32, colour, cover));
    }
    width
}

/// Greedy word wrap to `max_width`. Newlines force breaks; runs of spaces collapse; a word wider than
/// the line is split between characters so no returned line is wider than `max_width` (unless a single
/// character is).
pub fn wrap(font: Font, px: f32, text: &str, max_width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if measure(font, px, &candidate) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone: break it by characters if it still does not fit.
            for ch in word.chars() {
                let mut next = line.clone();
                next.push(ch);
                if !line.is_empty() && measure(font, px, &next) > max_width {
                    lines.push(std::mem::take(&mut line));
                    line.push(ch);
                } else {
                    line = next;
                }
            }
        }
        lines.push(line);
    }
    // Blank paragraphs are kept (they are deliberate), but not trailing ones.
    while lines.len() > 1 && lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// Cut `text` so that `text…` fits in `max_width`; returns it unchanged if it already fits, and an
/// empty string if not even the ellipsis does.
pub fn ellipsize(font: Font, px: f32, text: &str, max_width: f32) -> String {
    if measure(font, px, text) <= max_width {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let cut = |k: usize| {
        let mut s: String = chars[..k].iter().collect::<String>().trim_end().to_string();
        s.push(ELLIPSIS);
        s
    };
    // Binary search for the longest prefix that fits: width grows with the prefix, so this is
    // O(n log n) rather than re-measuring after every dropped character on very long input.
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if measure(font, px, &cut(mid)) <= max_width {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let best = cut(lo);
    if measure(font, px, &best) <= max_width {
        best
    } else {
        String::new()
    }
}

/// Text laid out to fit a box: the chosen size, line height and lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    pub font: Font,
    pub px: f32,
    pub line_height: f32,
    pub lines: Vec<String>,
}

impl Fitted {
    /// Height of the laid-out block.
    pub fn height(&self) -> f32 {
        self.lines.len() as f32 * self.line_height
    }

    /// Width of the widest line.
    pub fn width(&self) -> f32 {
        self.lines.iter().map(|l| measure(self.font, self.px, l)).fold(0.0, f32::max)
    }

    /// Draw the lines left-aligned with the top of the first line box at `top`.
    pub fn draw(&self, canvas: &mut Canvas, x: f32, top: f32, colour: Rgb) {
        let asc = ascent(self.font, self.px);
        for (i, line) in self.lines.iter().enumerate() {
            draw_text(canvas, self.font, self.px, x, top + asc + i as f32 * self.line_height, line, colour);
        }
    }
}

/// Fit `text` into a `max_width × max_height` box of at most `max_lines` lines: try sizes from
/// `max_px` down to `min_px` (1 px steps) and take the first at which it wraps within bounds; at
/// `min_px`, keep the lines that fit and end the last with "…". The result never exceeds `max_width`,
/// nor `max_height` unless even one line at `min_px` is taller (then one line is returned).
pub fn fit(font: Font, text: &str, sizes: (f32, f32), max_width: f32, max_height: f32, max_lines: usize) -> Fitted {
    let (max_px, min_px) = (sizes.0.max(sizes.1), sizes.1.min(sizes.0));
    let allowed = |px: f32| ((max_height / line_height(font, px)).floor() as usize).clamp(1, max_lines.max(1));
    let mut px = max_px;
    loop {
        let lines = wrap(font, px, text, max_width);
        if lines.len() <= allowed(px) {
            return Fitted { font, px, line_height: line_height(font, px), lines };
        }
        if px <= min_px {
            break;
        }
        px = (px - 1.0).max(min_px);
    }
    let n = allowed(min_px);
    let mut lines = wrap(font, min_px, text, max_width);
    lines.truncate(n);
    if let Some(last) = lines.last_mut() {
        // Force the ellipsis even if the kept line fits, since text after it was dropped.
        *last = ellipsize(font, min_px, &format!("{last}{ELLIPSIS}"), max_width);
    }
    Fitted { font, px: min_px, line_height: line_height(font, min_px), lines }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_grows_with_text_and_size() {
        let a = measure(Font::Regular, 20.0, "AED");
        assert!(a > 0.0);
        assert!(measure(Font::Regular, 20.0, "AED 2,450,000") > a);
        assert!((measure(Font::Regular, 40.0, "AED") - 2.0 * a).abs() < 0.01);
        assert!(measure(Font::Bold, 20.0, "AED") > a);
        assert_eq!(measure(Font::Regular, 20.0, ""), 0.0);
    }

    #[test]
    fn kerning_is_applied() {
        // DejaVu kerns "AV"; the pair must be narrower than its glyphs' plain advances.
        let pair = measure(Font::Regular, 100.0, "AV");
        let apart = measure(Font::Regular, 100.0, "A") + measure(Font::Regular, 100.0, "V");
        assert!(pair < apart, "{pair} vs {apart}");
    }

    #[test]
    fn wrap_respects_width_and_breaks_long_words() {
        let lines = wrap(Font::Regular, 20.0, "Stunning sea view apartment in Dubai Marina", 150.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| measure(Font::Regular, 20.0, l) <= 150.0));
        assert_eq!(lines.join(" "), "Stunning sea view apartment in Dubai Marina");
        let long = "x".repeat(200);
        let lines = wrap(Font::Bold, 20.0, &long, 100.0);
        assert!(lines.len() > 1 && lines.iter().all(|l| measure(Font::Bold, 20.0, l) <= 100.0));
        assert_eq!(lines.concat(), long);
        assert_eq!(wrap(Font::Regular, 20.0, "a\nb", 500.0), vec!["a", "b"]);
    }

    #[test]
    fn fit_shrinks_then_ellipsizes() {
        let short = fit(Font::Bold, "Marina View", (60.0, 30.0), 800.0, 200.0, 3);
        assert_eq!((short.px, short.lines.len()), (60.0, 1));
        let long = "Luxury waterfront living ".repeat(40);
        let f = fit(Font::Bold, &long, (60.0, 30.0), 800.0, 200.0, 3);
        assert_eq!(f.px, 30.0);
        assert!(f.lines.len() <= 3 && f.height() <= 200.0);
        assert!(f.lines.last().unwrap().ends_with(ELLIPSIS));
        assert!(f.width() <= 800.0);
        let mid =
            fit(Font::Bold, "Luxury waterfront living in the heart of the Marina", (60.0, 20.0), 1200.0, 1000.0, 1);
        assert!(mid.px < 60.0 && mid.px > 20.0 && mid.lines.len() == 1 && mid.width() <= 1200.0, "{mid:?}");
        assert!(!mid.lines[0].ends_with(ELLIPSIS));
    }

    #[test]
    fn ellipsize_cuts_to_width() {
        let s = ellipsize(Font::Regular, 20.0, "Dubai Marina, Marina Gate Tower 2", 120.0);
        assert!(s.ends_with(ELLIPSIS) && measure(Font::Regular, 20.0, &s) <= 120.0);
        assert_eq!(ellipsize(Font::Regular, 20.0, "Hi", 120.0), "Hi");
        assert_eq!(ellipsize(Font::Regular, 20.0, "Hello", 1.0), "");
    }
}
