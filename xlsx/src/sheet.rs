//! A worksheet: a grid of typed cells plus column widths and header presentation.
//!
//! Every mutation checks Excel's grid limits, so a `Sheet` can always be serialised; that is what lets
//! `Workbook::to_bytes` stay infallible for grid-related problems.

use std::collections::BTreeMap;

use crate::cell::Cell;
use crate::error::XlsxError;
use crate::refs::{MAX_COLUMNS, MAX_ROWS};

/// One worksheet. Create it with [`crate::Workbook::add_sheet`].
///
/// Row and column *indexes* taken by methods here are **0-based** (like the `rows` vector); the first row of
/// the grid is spreadsheet row 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    name: String,
    rows: Vec<Vec<Cell>>,
    column_widths: BTreeMap<usize, f64>,
    bold_header: bool,
    freeze_header: bool,
}

impl Sheet {
    /// Only the workbook creates sheets, because it owns name sanitising and uniqueness.
    pub(crate) fn new(name: String) -> Self {
        Self { name, rows: Vec::new(), column_widths: BTreeMap::new(), bold_header: false, freeze_header: false }
    }

    /// The (sanitised) sheet name as it appears on the tab.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The grid, row by row. Rows may have different lengths; missing cells are empty.
    pub fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }

    /// Appends a row. Errors if the sheet already has 1,048,576 rows or the row is wider than 16,384 cells.
    pub fn push_row<I, C>(&mut self, cells: I) -> Result<&mut Self, XlsxError>
    where
        I: IntoIterator<Item = C>,
        C: Into<Cell>,
    {
        if self.rows.len() >= MAX_ROWS {
            return Err(XlsxError::RowOutOfRange(self.rows.len() + 1));
        }
        let row: Vec<Cell> = cells.into_iter().map(Into::into).collect();
        if row.len() > MAX_COLUMNS {
            return Err(XlsxError::ColumnOutOfRange(row.len()));
        }
        self.rows.push(row);
        Ok(self)
    }

    /// Sets one cell by 0-based indexes, growing the grid with empty cells as needed.
    pub fn set_cell(
        &mut self,
        row_index: usize,
        column_index: usize,
        cell: impl Into<Cell>,
    ) -> Result<&mut Self, XlsxError> {
        if row_index >= MAX_ROWS {
            return Err(XlsxError::RowOutOfRange(row_index.saturating_add(1)));
        }
        if column_index >= MAX_COLUMNS {
            return Err(XlsxError::ColumnOutOfRange(column_index.saturating_add(1)));
        }
        if self.rows.len() <= row_index {
            self.rows.resize_with(row_index + 1, Vec::new);
        }
        let row = &mut self.rows[row_index];
        if row.len() <= column_index {
            row.resize(column_index + 1, Cell::Empty);
        }
        row[column_index] = cell.into();
        Ok(self)
    }

    /// Sets the width of a column (0-based index) in Excel character units (`0..=255`).
    pub fn set_column_width(&mut self, column_index: usize, width: f64) -> Result<&mut Self, XlsxError> {
        if column_index >= MAX_COLUMNS {
            return Err(XlsxError::ColumnOutOfRange(column_index.saturating_add(1)));
        }
        if !(0.0..=255.0).contains(&width) {
            return Err(XlsxError::InvalidColumnWidth(width));
        }
        self.column_widths.insert(column_index, width);
        Ok(self)
    }

    /// The explicit width of a column (0-based index), if one was set.
    pub fn column_width(&self, column_index: usize) -> Option<f64> {
        self.column_widths.get(&column_index).copied()
    }

    /// Explicit column widths, keyed by 0-based column index, in ascending order.
    pub fn column_widths(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.column_widths.iter().map(|(&c, &w)| (c, w))
    }

    /// Renders the first row in bold.
    pub fn set_bold_header(&mut self, bold: bool) -> &mut Self {
        self.bold_header = bold;
        self
    }

    /// Freezes the first row so it stays visible while scrolling.
    pub fn set_freeze_header(&mut self, freeze: bool) -> &mut Self {
        self.freeze_header = freeze;
        self
    }

    /// Bold and frozen first row together: the usual presentation for a table with column titles.
    pub fn set_header(&mut self, on: bool) -> &mut Self {
        self.set_bold_header(on).set_freeze_header(on)
    }

    /// Whether the first row is bold.
    pub fn bold_header(&self) -> bool {
        self.bold_header
    }

    /// Whether the first row is frozen.
    pub fn freeze_header(&self) -> bool {
        self.freeze_header
    }
}
