//! `xlsx`: a dependency-light Office Open XML spreadsheet (`.xlsx`) writer for AURA analytics exports, plus a
//! small reader used to verify what was written.
//!
//! Cells are typed ([`Cell`]): numbers are stored as numbers, dates as real Excel date serials with a date
//! number format, text in the shared-string table, and each report section gets its own sheet.
//!
//! ```ignore
//! let mut wb = xlsx::Workbook::new();
//! let sheet = wb.add_sheet("Listings");
//! sheet.set_header(true).set_column_width(0, 30.0)?;
//! sheet.push_row(["Tower", "Listed", "Price", "Yield"])?;
//! sheet.push_row(vec![Cell::from("Marina Gate"), Cell::Date(d), Cell::Currency(2_450_000.0), Cell::Percent(0.062)])?;
//! let bytes = wb.to_bytes();
//! ```
//!
//! Invariants:
//! - **Pure**: no file, network or clock access; the caller decides where the bytes go.
//! - **Deterministic**: the same workbook always serialises to the same bytes (fixed ZIP timestamps, first-use
//!   shared-string order, fixed style table, no creation date unless supplied).
//! - **Always openable**: grid limits (1,048,576 rows × 16,384 columns) are enforced when cells are added;
//!   sheet names are sanitised or validated; text is XML-escaped, stripped of characters XML 1.0 forbids and
//!   cut to Excel's 32,767-character cell limit; non-finite numbers become `#NUM!` error cells.
//!
//! Modules: [`zip`] (minimal ZIP writer/reader), [`workbook`] (package assembly), [`read`] (reader).

mod cell;
mod error;
pub mod read;
mod refs;
mod sheet;
mod styles;
pub mod workbook;
mod xml;
pub mod zip;

pub use cell::{date_to_serial, datetime_to_serial, serial_to_datetime, Cell};
pub use error::XlsxError;
pub use read::{read_workbook, ReadCell, ReadError, ReadSheet};
pub use refs::{cell_reference, column_letters, parse_cell_reference, MAX_COLUMNS, MAX_ROWS};
pub use sheet::Sheet;
pub use styles::{CURRENCY_FORMAT, DATETIME_FORMAT, DATE_FORMAT, DECIMAL_FORMAT, INTEGER_FORMAT, PERCENT_FORMAT};
pub use workbook::{sanitize_sheet_name, validate_sheet_name, Workbook, MAX_SHEET_NAME_LEN, MAX_TEXT_LEN};
