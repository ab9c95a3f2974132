//! Text helpers shared by the rules: normalisation, excerpts, clause windows, negation, name
//! matching and number parsing/formatting. Byte offsets always refer to the normalised text.

use regex::Regex;

/// Longest excerpt, in characters.
pub(crate) const EXCERPT_CHARS: usize = 80;

/// Maps Arabic-Indic digits and separators to ASCII, odd spaces to spaces and curly quotes to
/// straight ones, so the patterns see one spelling. Character count is preserved.
pub(crate) fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            '\u{066B}' => '.',
            '\u{066C}' => ',',
            '\u{00A0}' | '\u{2007}' | '\u{2009}' | '\u{202F}' => ' ',
            '\u{2018}' | '\u{2019}' | '\u{02BC}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2010}' | '\u{2011}' => '-',
            '\r' => '\n',
            c => c,
        })
        .collect()
}

/// The text at `start..end` with some context from the same line, at most [`EXCERPT_CHARS`]
/// characters, cut at spaces and marked with "…" where cut.
pub(crate) fn excerpt(text: &str, start: usize, end: usize) -> String {
    let matched = text[start..end].trim();
    let n = matched.chars().count();
    if n + 2 >= EXCERPT_CHARS {
        let cut: String = matched.chars().take(EXCERPT_CHARS - 1).collect();
        return if n > EXCERPT_CHARS { format!("{}…", cut.trim_end()) } else { matched.to_string() };
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let before: Vec<usize> = text[line_start..start].char_indices().map(|(i, _)| line_start + i).collect();
    let after: Vec<usize> = text[end..line_end].char_indices().map(|(i, c)| end + i + c.len_utf8()).collect();
    let room = EXCERPT_CHARS - n - 2;
    let take_after = after.len().min(room - (room / 2).min(before.len()));
    let take_before = before.len().min(room - take_after);

    let mut s = if take_before == 0 { start } else { before[before.len() - take_before] };
    let mut e = if take_after == 0 { end } else { after[take_after - 1] };
    if s > line_start {
        if let Some(i) = text[s..start].find(char::is_whitespace) {
            s += i + 1;
        }
    }
    if e < line_end {
        if let Some(i) = text[end..e].rfind(char::is_whitespace) {
            e = end + i;
        }
    }
    let core = text[s..e].trim();
    let lead = if s > line_start { "…" } else { "" };
    let tail = if e < line_end { "…" } else { "" };
    format!("{lead}{core}{tail}")
}

fn abbreviation_before(text: &str, dot: usize) -> bool {
    let word: String = text[..dot].chars().rev().take_while(|c| c.is_alphabetic()).collect();
    let word: String = word.chars().rev().collect::<String>().to_lowercase();
    word.chars().count() == 1
        || matches!(
            word.as_str(),
            "no" | "sq"
                | "ft"
                | "approx"
                | "dr"
                | "mr"
                | "mrs"
                | "ms"
                | "st"
                | "nr"
                | "vs"
                | "incl"
                | "excl"
                | "ref"
                | "tel"
                | "mob"
                | "acc"
                | "num"
        )
}

fn is_separator(text: &str, i: usize, c: char) -> bool {
    match c {
        '\n' | '|' | ';' | '•' | '·' | '!' | '?' => true,
        '.' => text[i + 1..].starts_with(char::is_whitespace) && !abbreviation_before(text, i),
        _ => false,
    }
}

/// The clause (line, sentence or `|`/`;`/`•`-separated part) around `start..end`.
pub(crate) fn clause(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = text[..start]
        .char_indices()
        .rev()
        .find(|&(i, c)| is_separator(text, i, c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let e =
        text[end..].char_indices().find(|&(i, c)| is_separator(text, end + i, c)).map_or(text.len(), |(i, _)| end + i);
    (s, e)
}

/// Up to `max` characters before `start`, within its clause.
pub(crate) fn before_window(text: &str, start: usize, max: usize) -> &str {
    let (s, _) = clause(text, start, start);
    let w = &text[s..start];
    let skip = w.chars().count().saturating_sub(max);
    &w[w.char_indices().nth(skip).map_or(w.len(), |(i, _)| i)..]
}

/// Up to `max` characters after `end`, within its clause.
pub(crate) fn after_window(text: &str, end: usize, max: usize) -> &str {
    let (_, e) = clause(text, end, end);
    let w = &text[end..e];
    &w[..w.char_indices().nth(max).map_or(w.len(), |(i, _)| i)]
}

const NEGATORS: &[&str] = &[
    "no", "not", "non", "never", "without", "nor", "neither", "none", "isn't", "aren't", "cannot", "can't", "don't",
    "doesn't", "won't", "wasn't", "weren't", "nothing",
];

/// Whether one of the three words before `start` (same clause, after the last comma or colon)
/// negates what follows: "no investment is risk-free", "returns are not guaranteed".
pub(crate) fn negated(text: &str, start: usize) -> bool {
    let window = before_window(text, start, 60);
    let tail = window.rsplit([',', ':', '(', ')', '—', '–']).next().unwrap_or("");
    tail.split_whitespace().rev().take(3).any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'').to_lowercase();
        NEGATORS.contains(&w.as_str())
    })
}

/// The word right before `start`, lower-cased, without punctuation.
pub(crate) fn previous_word(text: &str, start: usize) -> String {
    text[..start]
        .split_whitespace()
        .next_back()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// Lower-cased words separated by single spaces (punctuation dropped), padded with spaces so
/// `contains(" word ")` matches whole words.
pub(crate) fn squash(text: &str) -> String {
    let words: Vec<String> =
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    format!(" {} ", words.join(" "))
}

/// Whether `needle` occurs in `haystack` as whole words, ignoring case, spacing and punctuation.
pub(crate) fn contains_words(haystack: &str, needle: &str) -> bool {
    let n = squash(needle);
    !n.trim().is_empty() && squash(haystack).contains(&n)
}

/// Whether the text names `name`, also by its short form: "Jumeirah Village Circle (JVC)"
/// matches "Jumeirah Village Circle" or "JVC".
pub(crate) fn mentions(text: &str, name: &str) -> bool {
    let (main, alias) = match (name.find('('), name.rfind(')')) {
        (Some(o), Some(c)) if o < c => (format!("{}{}", &name[..o], &name[c + 1..]), Some(&name[o + 1..c])),
        _ => (name.to_string(), None),
    };
    contains_words(text, name) || contains_words(text, &main) || alias.is_some_and(|a| contains_words(text, a))
}

/// Parses "1,450,000", "1.45" with a magnitude ("M", "million", "k", "bn").
pub(crate) fn parse_amount(number: &str, magnitude: &str) -> Option<f64> {
    let value: f64 = number.replace(',', "").parse().ok()?;
    let factor = match magnitude.trim().to_lowercase().as_str() {
        "" => 1.0,
        "k" | "thousand" => 1e3,
        "m" | "mn" | "mln" | "million" => 1e6,
        "bn" | "billion" => 1e9,
        _ => return None,
    };
    Some(value * factor)
}

/// The digits of a string ("0123-4567" → "01234567").
pub(crate) fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// 1450000 → "1,450,000"; 1076.4 → "1,076.4".
pub(crate) fn group(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    let whole = rounded.trunc().abs() as u64;
    let mut out = String::new();
    for (i, c) in whole.to_string().chars().rev().enumerate() {
        if i > 0 && i % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let mut s: String = out.chars().rev().collect();
    let frac = ((rounded.abs() - whole as f64) * 10.0).round() as u64;
    if frac > 0 {
        s.push_str(&format!(".{frac}"));
    }
    s
}

/// Every match of any of `patterns`, without overlaps (the earliest, then the longest, wins).
/// A capture group named `hit` narrows the span.
pub(crate) fn find_all(text: &str, patterns: &[&Regex]) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = patterns
        .iter()
        .flat_map(|re| {
            re.captures_iter(text).map(|c| {
                let m = c.name("hit").unwrap_or_else(|| c.get(0).expect("group 0"));
                (m.start(), m.end())
            })
        })
        .collect();
    spans.sort_by_key(|&(s, e)| (s, std::cmp::Reverse(e)));
    let mut out: Vec<(usize, usize)> = Vec::new();
    for span in spans {
        if out.last().is_none_or(|&(_, e)| span.0 >= e) {
            out.push(span);
        }
    }
    out
}

/// Whether `a` and `b` overlap.
pub(crate) fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}
