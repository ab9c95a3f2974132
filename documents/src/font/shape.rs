//! Turning a line of text into positioned glyphs: bidi reordering, then shaping.
//!
//! A line is split into directional runs by the Unicode Bidirectional Algorithm, in visual order (left to
//! right as printed), and each run is shaped with rustybuzz in its own direction: Arabic gets its joining
//! forms and reads right to left, numbers and Latin names inside it stay left to right. Measuring
//! ([`crate::text_width`]) and drawing both go through [`line`], so they cannot disagree.

use std::ops::Range;

use rustybuzz::{Direction, UnicodeBuffer};
use unicode_bidi::ParagraphBidiInfo;

use super::Face;

/// One glyph of a run; advances and offsets in em (multiply by the font size for points).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShapedGlyph {
    pub(crate) id: u16,
    pub(crate) advance: f32,
    pub(crate) x_offset: f32,
    pub(crate) y_offset: f32,
    /// The bytes of [`ShapedRun::text`] this glyph's cluster stands for.
    pub(crate) text: Range<usize>,
}

/// A run of one direction, glyphs in visual order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShapedRun {
    /// The run's characters in logical (reading) order.
    pub(crate) text: String,
    pub(crate) rtl: bool,
    pub(crate) glyphs: Vec<ShapedGlyph>,
}

impl ShapedRun {
    /// The run's width in em.
    pub(crate) fn advance(&self) -> f32 {
        self.glyphs.iter().map(|g| g.advance).sum()
    }
}

/// `text` as shaped runs in visual order. Control characters are dropped and tabs become spaces, since
/// neither has a glyph; an empty or all-control `text` gives no runs.
pub(crate) fn line(face: Face, text: &str) -> Vec<ShapedRun> {
    let clean: String =
        text.chars().filter_map(|c| if c == '\t' { Some(' ') } else { (!c.is_control()).then_some(c) }).collect();
    if clean.is_empty() {
        return Vec::new();
    }
    let bidi = ParagraphBidiInfo::new(&clean, None);
    if !bidi.has_rtl() {
        return vec![run(face, &clean, false)];
    }
    let (levels, runs) = bidi.visual_runs(0..clean.len());
    runs.into_iter().map(|range| run(face, &clean[range.clone()], levels[range.start].is_rtl())).collect()
}

fn run(face: Face, text: &str, rtl: bool) -> ShapedRun {
    let shaper = face.shaper();
    let em = shaper.units_per_em() as f32;
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_direction(if rtl { Direction::RightToLeft } else { Direction::LeftToRight });
    let shaped = rustybuzz::shape(shaper, &[], buffer);
    // A cluster covers the text from its start to the next cluster's start, whatever the visual order.
    let mut starts: Vec<usize> = shaped.glyph_infos().iter().map(|i| i.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let end_of = |start: usize| starts.iter().copied().find(|&s| s > start).unwrap_or(text.len());
    let glyphs = shaped
        .glyph_infos()
        .iter()
        .zip(shaped.glyph_positions())
        .map(|(info, pos)| {
            let start = info.cluster as usize;
            ShapedGlyph {
                id: info.glyph_id as u16,
                advance: pos.x_advance as f32 / em,
                x_offset: pos.x_offset as f32 / em,
                y_offset: pos.y_offset as f32 / em,
                text: start..end_of(start),
            }
        })
        .collect();
    ShapedRun { text: text.to_string(), rtl, glyphs }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_is_one_left_to_right_run_with_one_glyph_per_letter() {
        let runs = line(Face::Regular, "Marina Gate");
        assert_eq!(runs.len(), 1);
        assert!(!runs[0].rtl);
        assert_eq!(runs[0].glyphs.len(), 11);
        assert_eq!(runs[0].glyphs[1].text, 1..2);
    }

    #[test]
    fn arabic_is_right_to_left_with_clusters_covering_the_text() {
        let runs = line(Face::Regular, "عمر حداد");
        assert_eq!(runs.len(), 1);
        assert!(runs[0].rtl);
        // Visual order: the last letter comes first.
        let first = &runs[0].glyphs[0];
        assert_eq!(&runs[0].text[first.text.clone()], "د");
        let covered: usize = runs[0].glyphs.iter().map(|g| g.text.len()).sum();
        assert_eq!(covered, runs[0].text.len());
    }

    #[test]
    fn mixed_lines_split_into_runs_in_visual_order() {
        let runs = line(Face::Regular, "Client: عمر حداد, Dubai");
        let texts: Vec<(&str, bool)> = runs.iter().map(|r| (r.text.as_str(), r.rtl)).collect();
        assert_eq!(texts, vec![("Client: ", false), ("عمر حداد", true), (", Dubai", false)]);
        // A number after Arabic belongs to the Arabic run's visual order (UAX #9): it prints to its left.
        let runs = line(Face::Regular, "Unit عمر 2026");
        let texts: Vec<&str> = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, vec!["Unit ", "2026", "عمر "]);
    }

    #[test]
    fn control_characters_vanish_and_tabs_are_spaces() {
        assert!(line(Face::Regular, "\u{1}\u{2}").is_empty());
        let runs = line(Face::Regular, "a\tb\n");
        assert_eq!(runs[0].text, "a b");
    }
}
