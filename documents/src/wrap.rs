//! Greedy word wrapping of text to a width, using the real font metrics.
//!
//! Paragraphs, table cells and chart labels all need text broken into lines that fit; doing it with the
//! same widths the viewer uses guarantees nothing overflows. Explicit `\n` starts a new line, runs of
//! spaces collapse, and a word wider than the whole line is split between characters.

use crate::{text_width, Font};

/// `text` broken into lines no wider than `max_width` points when set in `font` at `size`.
///
/// An empty `text` gives no lines; an empty line between two `\n` is kept as `""`.
pub fn wrap_text(font: Font, size: f32, text: &str, max_width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    if text.is_empty() {
        return lines;
    }
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if text_width(font, size, &candidate) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if text_width(font, size, word) <= max_width {
                line = word.to_string();
            } else {
                let mut pieces = split_word(font, size, word, max_width);
                line = pieces.pop().unwrap_or_default();
                lines.extend(pieces);
            }
        }
        lines.push(line);
    }
    lines
}

/// `word` cut into pieces that each fit `max_width` (at least one char per piece, so it terminates).
fn split_word(font: Font, size: f32, word: &str, max_width: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for c in word.chars() {
        piece.push(c);
        if text_width(font, size, &piece) > max_width && piece.chars().count() > 1 {
            piece.pop();
            pieces.push(std::mem::take(&mut piece));
            piece.push(c);
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

/// `text` shortened with a trailing "..." so it fits `max_width` (unchanged if it already fits).
pub(crate) fn truncate_to_width(font: Font, size: f32, text: &str, max_width: f32) -> String {
    if text_width(font, size, text) <= max_width {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>().trim_end().to_string() + "...";
        if text_width(font, size, &candidate) <= max_width {
            return candidate;
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_word_boundaries_within_width() {
        let text = "The subject property is a two-bedroom apartment on a high floor with full marina views.";
        let lines = wrap_text(Font::Sans, 10.0, text, 150.0);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(text_width(Font::Sans, 10.0, line) <= 150.0, "{line}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn honours_newlines_and_empty_input() {
        assert!(wrap_text(Font::Sans, 10.0, "", 100.0).is_empty());
        assert_eq!(wrap_text(Font::Sans, 10.0, "a\n\nb", 100.0), vec!["a", "", "b"]);
    }

    #[test]
    fn splits_words_longer_than_the_line() {
        let lines = wrap_text(Font::Sans, 10.0, "AAAAAAAAAAAAAAAAAAAA", 30.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), "AAAAAAAAAAAAAAAAAAAA");
        // Even a width smaller than one glyph terminates, one char per line.
        assert_eq!(wrap_text(Font::Sans, 10.0, "abc", 1.0), vec!["a", "b", "c"]);
    }

    #[test]
    fn truncates_with_ellipsis() {
        assert_eq!(truncate_to_width(Font::Sans, 10.0, "short", 100.0), "short");
        let t = truncate_to_width(Font::Sans, 10.0, "Marina Gate Tower 1, Apartment 2304", 80.0);
        assert!(t.ends_with("...") && text_width(Font::Sans, 10.0, &t) <= 80.0, "{t}");
    }
}
