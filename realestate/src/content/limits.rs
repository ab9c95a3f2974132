//! Length and hashtag limits per channel, and trimming that never cuts a word.
//!
//! Lengths are counted in Unicode scalar values (`chars`), as the portals and Meta count them.
//! X weighs some characters double, so the X template keeps to plain text.

use super::Platform;

/// The limits of one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_chars: usize,
    pub max_hashtags: usize,
}

pub const LISTING_TITLE_MAX: usize = 50;
pub const LISTING_DESCRIPTION_MAX: usize = 2_000;
/// RFC 5322 recommends header lines of at most 78 characters.
pub const EMAIL_SUBJECT_MAX: usize = 78;
pub const POSTCARD_FRONT_MAX: usize = 160;
pub const POSTCARD_BACK_MAX: usize = 700;
pub const BROCHURE_SECTION_MAX: usize = 2_000;
/// Below this many characters of caption, a social post drops hashtags rather than text.
const MIN_CAPTION_CHARS: usize = 140;

impl Platform {
    pub fn limits(self) -> Limits {
        match self {
            Platform::Instagram => Limits { max_chars: 2_200, max_hashtags: 30 },
            Platform::Facebook => Limits { max_chars: 63_206, max_hashtags: 5 },
            Platform::Linkedin => Limits { max_chars: 3_000, max_hashtags: 5 },
            Platform::X => Limits { max_chars: 280, max_hashtags: 3 },
        }
    }
}

/// Words a shortened text must not end on.
const DANGLING: &[&str] =
    &["a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "&", "|", "-"];

/// `text` in at most `max` characters, cut at a word boundary (never inside a word), without trailing
/// punctuation or a dangling connector ("in", "with", "|"). Empty if the first word alone is too long.
pub fn trim_at_word(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    let mut head = if text[cut..].starts_with(char::is_whitespace) {
        &text[..cut]
    } else {
        text[..cut].rfind(char::is_whitespace).map_or("", |i| &text[..i])
    };
    // Bounded: each pass removes at least one word.
    for _ in 0..DANGLING.len() {
        head = head.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–|(/".contains(c));
        match head.rsplit_once(char::is_whitespace) {
            Some((rest, last)) if DANGLING.contains(&last.to_lowercase().as_str()) => head = rest,
            _ => break,
        }
    }
    head.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–|(/".contains(c)).to_string()
}

/// Like [`trim_at_word`], with an ellipsis when something was cut (within `max`).
pub fn trim_with_ellipsis(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head = trim_at_word(text, max.saturating_sub(1));
    if head.is_empty() {
        head
    } else {
        format!("{head}…")
    }
}

/// Fits `text` in `max` characters keeping its last paragraph (the disclosure line: permit, ORN, BRN)
/// whole: the paragraphs before it are shortened at a word boundary.
pub fn fit_keep_footer(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    if let Some((head, footer)) = text.rsplit_once("\n\n") {
        let budget = max.saturating_sub(footer.chars().count() + 2);
        let head = trim_with_ellipsis(head, budget);
        if !head.is_empty() {
            return format!("{head}\n\n{footer}");
        }
        if footer.chars().count() <= max {
            return footer.to_string();
        }
    }
    trim_with_ellipsis(text, max)
}

/// A social post: the caption fitted to the platform with the hashtags after it. Hashtags are dropped
/// (last first) before the caption would shrink below a readable length.
pub fn compose_social(caption: &str, hashtags: &[String], platform: Platform) -> (String, Vec<String>) {
    let limits = platform.limits();
    let mut tags: Vec<String> = hashtags.iter().take(limits.max_hashtags).cloned().collect();
    let caption_len = caption.trim().chars().count();
    while !tags.is_empty() {
        let reserve = tags.join(" ").chars().count() + 2;
        let budget = limits.max_chars.saturating_sub(reserve);
        if budget >= caption_len.min(MIN_CAPTION_CHARS) {
            break;
        }
        tags.pop();
    }
    let reserve = if tags.is_empty() { 0 } else { tags.join(" ").chars().count() + 2 };
    let body = fit_keep_footer(caption, limits.max_chars.saturating_sub(reserve));
    let text = if tags.is_empty() { body } else { format!("{body}\n\n{}", tags.join(" ")) };
    (text, tags)
}

/// Trailing spaces off every line, at most one blank line in a row, no blank lines at either end.
/// Templates can then be written for readability without whitespace-control markers.
pub fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_never_cuts_a_word() {
        assert_eq!(trim_at_word("Exceptional 2-Bedroom Apartment in Dubai Marina", 30), "Exceptional 2-Bedroom");
        assert_eq!(trim_at_word("short", 30), "short");
        assert_eq!(trim_at_word("Bedroom Apartment", 12), "Bedroom");
        assert_eq!(trim_at_word("Supercalifragilistic", 5), "");
        assert_eq!(trim_at_word("Villa, with pool", 7), "Villa");
        let long = "word ".repeat(100);
        for max in 1..60 {
            let t = trim_at_word(&long, max);
            assert!(t.chars().count() <= max);
            assert!(t.split_whitespace().all(|w| w == "word"), "{t:?}");
        }
    }

    #[test]
    fn footer_survives_trimming() {
        let text = format!("{}\n\nPermit 123456 | ORN 1 | BRN 2", "lovely ".repeat(80));
        let fitted = fit_keep_footer(&text, 120);
        assert!(fitted.chars().count() <= 120);
        assert!(fitted.ends_with("Permit 123456 | ORN 1 | BRN 2"));
        assert!(fitted.contains("lovely…"));
    }

    #[test]
    fn tidy_collapses_blank_lines() {
        assert_eq!(tidy("\n a  \n\n\n\nb  \n\n"), "a\n\nb");
        assert_eq!(tidy("x\n  indented\n"), "x\n  indented");
    }
}
