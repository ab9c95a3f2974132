//! Error type for building workbooks.
//!
//! Every limit Excel enforces (grid size, sheet-name rules, column widths) is reported here at the point where
//! the caller adds data, so `Workbook::to_bytes` never has to produce a file Excel would refuse to open.

use crate::zip::ZipError;

/// Errors raised while building or serialising a workbook.
///
/// Row and column numbers in messages are 1-based, as a spreadsheet user sees them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum XlsxError {
    /// Column number outside `1..=16384` (`A..=XFD`).
    #[error("column number {0} is outside 1..={max}", max = crate::MAX_COLUMNS)]
    ColumnOutOfRange(usize),
    /// Row number outside `1..=1048576`.
    #[error("row number {0} is outside 1..={max}", max = crate::MAX_ROWS)]
    RowOutOfRange(usize),
    /// A sheet name that Excel would reject (only from the strict `try_add_sheet` / `validate_sheet_name`).
    #[error("invalid sheet name {name:?}: {reason}")]
    InvalidSheetName { name: String, reason: &'static str },
    /// A sheet name equal (case-insensitively, as Excel compares them) to an existing one.
    #[error("duplicate sheet name {0:?} (sheet names are compared case-insensitively)")]
    DuplicateSheetName(String),
    /// Column widths are in character units and Excel accepts `0..=255`.
    #[error("column width {0} is not a finite number in 0..=255")]
    InvalidColumnWidth(f64),
    /// The package could not be assembled (only when a part exceeds the non-ZIP64 limits).
    #[error(transparent)]
    Zip(#[from] ZipError),
}
