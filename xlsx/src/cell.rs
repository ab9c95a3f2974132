//! Typed cell values and the Excel date serial conversion.
//!
//! Spreadsheets have no date type: a date is a number ("serial") plus a date number format. We use the 1900
//! date system with epoch 1899-12-30, which matches Excel for every date from 1900-03-01 on (Excel's fictitious
//! 1900-02-29 shifts earlier serials by one) and matches LibreOffice everywhere.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// One cell value. The variant decides both the stored value and the number format Excel displays.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing is written; the cell is absent from the sheet XML.
    Empty,
    /// A string (stored once in the shared-string table). Characters illegal in XML 1.0 are dropped and the
    /// text is truncated to Excel's 32,767-character cell limit.
    Text(String),
    /// A decimal shown as `#,##0.00`. NaN/infinity cannot be stored as numbers, so they become `#NUM!`.
    Number(f64),
    /// A whole number shown as `#,##0`. Excel holds numbers as doubles, so magnitudes beyond 2^53 lose precision.
    Integer(i64),
    /// TRUE/FALSE.
    Bool(bool),
    /// A calendar date shown as `yyyy-mm-dd`.
    Date(NaiveDate),
    /// A wall-clock date and time shown as `yyyy-mm-dd hh:mm` (convert to the reporting time zone first).
    DateTime(NaiveDateTime),
    /// A fraction shown as a percentage: `0.125` displays as `12.5%`.
    Percent(f64),
    /// An amount in UAE dirhams shown as `#,##0 "AED"`.
    Currency(f64),
}

impl Cell {
    /// Whether nothing will be written for this cell.
    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&String> for Cell {
    fn from(s: &String) -> Self {
        Cell::Text(s.clone())
    }
}

impl From<f64> for Cell {
    fn from(x: f64) -> Self {
        Cell::Number(x)
    }
}

impl From<i64> for Cell {
    fn from(x: i64) -> Self {
        Cell::Integer(x)
    }
}

impl From<i32> for Cell {
    fn from(x: i32) -> Self {
        Cell::Integer(i64::from(x))
    }
}

impl From<u32> for Cell {
    fn from(x: u32) -> Self {
        Cell::Integer(i64::from(x))
    }
}

impl From<bool> for Cell {
    fn from(b: bool) -> Self {
        Cell::Bool(b)
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Self {
        Cell::Date(d)
    }
}

impl From<NaiveDateTime> for Cell {
    fn from(d: NaiveDateTime) -> Self {
        Cell::DateTime(d)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    /// `None` becomes an empty cell, which is what a missing metric should look like in an export.
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

fn epoch() -> NaiveDate {
    // 1899-12-30 is a valid date, so this never falls back.
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default()
}

/// Excel serial (1900 date system) of a date: days since 1899-12-30. 2024-01-01 → 45292.
pub fn date_to_serial(date: NaiveDate) -> i64 {
    (date - epoch()).num_days()
}

/// Excel serial of a date-time: the date serial plus the fraction of the day elapsed.
pub fn datetime_to_serial(dt: NaiveDateTime) -> f64 {
    let t = dt.time();
    let secs = f64::from(t.num_seconds_from_midnight()) + f64::from(t.nanosecond().min(999_999_999)) / 1e9;
    date_to_serial(dt.date()) as f64 + secs / 86_400.0
}

/// Inverse of [`datetime_to_serial`], rounded to the millisecond (Excel's own resolution), so values written
/// from whole seconds come back exactly. `None` for non-finite or out-of-range serials.
pub fn serial_to_datetime(serial: f64) -> Option<NaiveDateTime> {
    if !serial.is_finite() || serial.abs() > 1e8 {
        return None;
    }
    let total_ms = (serial * 86_400_000.0).round() as i64;
    let days = total_ms.div_euclid(86_400_000);
    let ms = total_ms.rem_euclid(86_400_000);
    let date = epoch().checked_add_signed(Duration::try_days(days)?)?;
    let time = NaiveTime::from_num_seconds_from_midnight_opt((ms / 1000) as u32, ((ms % 1000) * 1_000_000) as u32)?;
    Some(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn known_serials() {
        assert_eq!(date_to_serial(d(1900, 3, 1)), 61);
        assert_eq!(date_to_serial(d(2024, 1, 1)), 45292);
        assert_eq!(date_to_serial(d(1899, 12, 31)), 1);
        let noon = d(2024, 3, 15).and_hms_opt(12, 0, 0).unwrap();
        assert_eq!(datetime_to_serial(noon), 45366.5);
    }

    #[test]
    fn serial_round_trip_to_the_second() {
        let dt = d(2031, 7, 9).and_hms_opt(23, 59, 59).unwrap();
        assert_eq!(serial_to_datetime(datetime_to_serial(dt)), Some(dt));
        assert_eq!(serial_to_datetime(f64::NAN), None);
    }
}
