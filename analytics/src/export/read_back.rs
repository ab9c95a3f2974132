//! Test support: a workbook read back by an independent reader (calamine). Shared by this crate's
//! unit tests and the integration tests (`tests/it/analytics.rs` includes this file by path).
#![allow(dead_code)]

use chrono::NaiveDate;

/// A workbook cell as calamine sees it: the value, and the number format the cell is shown with
/// (a date is a number with a date format).
#[derive(Debug, Clone)]
pub struct ReadCell {
    pub value: calamine::Data,
    pub format: Option<String>,
}

impl ReadCell {
    /// A real number (text that looks like one is not).
    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            calamine::Data::Float(x) => Some(x),
            calamine::Data::Int(i) => Some(i as f64),
            _ => None,
        }
    }
    pub fn as_text(&self) -> Option<&str> {
        calamine::DataType::get_string(&self.value)
    }
    pub fn is_date(&self) -> bool {
        calamine::DataType::is_datetime(&self.value)
    }
    pub fn as_date(&self) -> Option<NaiveDate> {
        self.is_date().then(|| calamine::DataType::as_date(&self.value)).flatten()
    }
    pub fn format(&self) -> Option<&str> {
        self.format.as_deref()
    }
}

/// Every sheet of a workbook, by name, as rows of cells from A1.
pub fn read_workbook(bytes: &[u8]) -> Vec<(String, Vec<Vec<ReadCell>>)> {
    use calamine::Reader;
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("calamine opens the workbook");
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let values = wb.worksheet_range(&name).unwrap();
            let styles = wb.worksheet_style(&name).unwrap();
            let (height, width) = values.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
            let rows = (0..height)
                .map(|r| {
                    (0..width)
                        .map(|c| ReadCell {
                            value: values.get_value((r, c)).cloned().unwrap_or_default(),
                            format: styles
                                .get((r, c))
                                .and_then(|s| s.number_format.as_ref())
                                .map(|f| f.format_code.clone()),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}
