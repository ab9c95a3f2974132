//! A1-style cell references: column letters and their inverse.
//!
//! Columns use bijective base 26 (`A..Z`, `AA..ZZ`, `AAA..XFD`); there is no zero digit, which is why the
//! conversion subtracts one before every division instead of using plain base 26.

use crate::error::XlsxError;

/// Number of columns in an Excel 2007+ sheet (`A..=XFD`).
pub const MAX_COLUMNS: usize = 16_384;
/// Number of rows in an Excel 2007+ sheet.
pub const MAX_ROWS: usize = 1_048_576;

/// Letters for a **1-based** column number: 1 → `A`, 27 → `AA`, 16384 → `XFD`.
///
/// Errors for 0 and for anything beyond [`MAX_COLUMNS`], because Excel cannot address those columns.
pub fn column_letters(column: usize) -> Result<String, XlsxError> {
    if column == 0 || column > MAX_COLUMNS {
        return Err(XlsxError::ColumnOutOfRange(column));
    }
    Ok(letters_unchecked(column))
}

/// Bijective base-26 without the range check; callers guarantee `column >= 1`.
pub(crate) fn letters_unchecked(mut column: usize) -> String {
    let mut buf = [0u8; 8];
    let mut i = buf.len();
    while column > 0 {
        let rem = (column - 1) % 26;
        i -= 1;
        buf[i] = b'A' + rem as u8;
        column = (column - 1) / 26;
    }
    // Only ASCII capitals were written, so this cannot fail.
    String::from_utf8_lossy(&buf[i..]).into_owned()
}

/// An `A1` reference for a **1-based** row and column number, e.g. `(3, 2)` → `B3`.
pub fn cell_reference(row: usize, column: usize) -> Result<String, XlsxError> {
    if row == 0 || row > MAX_ROWS {
        return Err(XlsxError::RowOutOfRange(row));
    }
    let mut s = column_letters(column)?;
    s.push_str(&row.to_string());
    Ok(s)
}

/// Parses an `A1` reference (absolute markers `$` allowed) into **1-based** `(row, column)`.
///
/// Returns `None` for malformed references or ones outside the Excel grid.
pub fn parse_cell_reference(reference: &str) -> Option<(usize, usize)> {
    let s = reference.trim();
    let bytes = s.as_bytes();
    let mut i = 0;
    if bytes.get(i) == Some(&b'$') {
        i += 1;
    }
    let mut column = 0usize;
    let letters_start = i;
    while let Some(&b) = bytes.get(i) {
        if !b.is_ascii_alphabetic() {
            break;
        }
        column = column * 26 + usize::from(b.to_ascii_uppercase() - b'A' + 1);
        if column > MAX_COLUMNS {
            return None;
        }
        i += 1;
    }
    if i == letters_start {
        return None;
    }
    if bytes.get(i) == Some(&b'$') {
        i += 1;
    }
    let digits = &s[i..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let row: usize = digits.parse().ok()?;
    if row == 0 || row > MAX_ROWS {
        return None;
    }
    Some((row, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_parse_are_inverse_over_whole_range() {
        for c in 1..=MAX_COLUMNS {
            let l = column_letters(c).unwrap();
            assert_eq!(parse_cell_reference(&format!("{l}1")), Some((1, c)), "{l}");
        }
    }

    #[test]
    fn parse_rejects_malformed() {
        for bad in ["", "A", "1", "A0", "XFE1", "A1048577", "A-1", "1A", "A1B"] {
            assert_eq!(parse_cell_reference(bad), None, "{bad}");
        }
        assert_eq!(parse_cell_reference("$b$7"), Some((7, 2)));
    }
}
