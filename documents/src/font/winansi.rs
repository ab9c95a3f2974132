//! Unicode → WinAnsiEncoding (Windows-1252), the byte encoding of every string drawn on a page.
//!
//! The standard fonts are used without embedding, so text must be in an encoding viewers know for them;
//! WinAnsi covers English and Western European text (accents, €, curly quotes, dashes, ©). Anything else
//! becomes `?` so that output is always valid and measurable; tabs become spaces.

/// The 27 characters Windows-1252 places in 0x80–0x9F (0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined).
const HIGH: [(char, u8); 27] = [
    ('\u{20AC}', 0x80), // €
    ('\u{201A}', 0x82), // ‚
    ('\u{0192}', 0x83), // ƒ
    ('\u{201E}', 0x84), // „
    ('\u{2026}', 0x85), // …
    ('\u{2020}', 0x86), // †
    ('\u{2021}', 0x87), // ‡
    ('\u{02C6}', 0x88), // ˆ
    ('\u{2030}', 0x89), // ‰
    ('\u{0160}', 0x8A), // Š
    ('\u{2039}', 0x8B), // ‹
    ('\u{0152}', 0x8C), // Œ
    ('\u{017D}', 0x8E), // Ž
    ('\u{2018}', 0x91), // ‘
    ('\u{2019}', 0x92), // ’
    ('\u{201C}', 0x93), // “
    ('\u{201D}', 0x94), // ”
    ('\u{2022}', 0x95), // •
    ('\u{2013}', 0x96), // –
    ('\u{2014}', 0x97), // —
    ('\u{02DC}', 0x98), // ˜
    ('\u{2122}', 0x99), // ™
    ('\u{0161}', 0x9A), // š
    ('\u{203A}', 0x9B), // ›
    ('\u{0153}', 0x9C), // œ
    ('\u{017E}', 0x9E), // ž
    ('\u{0178}', 0x9F), // Ÿ
];

/// The WinAnsi byte for `c`, or `b'?'` when it has none.
pub(crate) fn encode_char(c: char) -> u8 {
    match c {
        '\t' => b' ',
        ' '..='~' | '\u{A0}'..='\u{FF}' => c as u8,
        _ => HIGH.iter().find(|(u, _)| *u == c).map_or(b'?', |(_, b)| *b),
    }
}

/// `text` in WinAnsi, one byte per char.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    text.chars().map(encode_char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_latin1_pass_through() {
        assert_eq!(encode("AED 1,500 (café)"), b"AED 1,500 (caf\xE9)".to_vec());
    }

    #[test]
    fn cp1252_specials_map_into_0x80_range() {
        assert_eq!(encode("€ – — “x” •"), b"\x80 \x96 \x97 \x93x\x94 \x95".to_vec());
    }

    #[test]
    fn everything_else_becomes_question_mark() {
        assert_eq!(encode("دبي 🏠\n\u{7F}"), b"??? ???".to_vec());
        assert_eq!(encode("a\tb"), b"a b".to_vec());
    }
}
