//! A report as an XLSX workbook: one sheet per section (figures first, then the chart's data,
//! then the table), every value in its typed cell: counts as integers, rates as percentages,
//! amounts as AED, dates as dates.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use rust_xlsxwriter::{ColNum, DocProperties, ExcelDateTime, Format, RowNum, Workbook, Worksheet, XlsxError};

use crate::report::{Report, Section, Val};

pub const INTEGER_FORMAT: &str = "#,##0";
pub const DECIMAL_FORMAT: &str = "#,##0.00";
pub const PERCENT_FORMAT: &str = "0.0%";
pub const CURRENCY_FORMAT: &str = "#,##0 \"AED\"";
pub const DATE_FORMAT: &str = "yyyy-mm-dd";

/// Excel's limits: a cell holds 32,767 UTF-16 units, a sheet name 31.
const MAX_TEXT_LEN: usize = 32_767;
const MAX_SHEET_NAME_LEN: usize = 31;

struct Formats {
    integer: Format,
    decimal: Format,
    percent: Format,
    currency: Format,
    date: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            integer: Format::new().set_num_format(INTEGER_FORMAT),
            decimal: Format::new().set_num_format(DECIMAL_FORMAT),
            percent: Format::new().set_num_format(PERCENT_FORMAT),
            currency: Format::new().set_num_format(CURRENCY_FORMAT),
            date: Format::new().set_num_format(DATE_FORMAT),
        }
    }
}

/// Writes a sheet top to bottom, one row at a time.
struct SheetWriter<'a> {
    sheet: &'a mut Worksheet,
    formats: &'a Formats,
    row: RowNum,
}

impl SheetWriter<'_> {
    fn next_row(&mut self) -> Result<(), XlsxError> {
        self.row = self.row.checked_add(1).ok_or(XlsxError::RowColumnLimitError)?;
        Ok(())
    }

    fn text_row<'s>(&mut self, cells: impl IntoIterator<Item = &'s str>) -> Result<(), XlsxError> {
        for (i, s) in cells.into_iter().enumerate() {
            self.text(column(i)?, s)?;
        }
        self.next_row()
    }

    fn value_row<'v>(&mut self, cells: impl IntoIterator<Item = &'v Val>) -> Result<(), XlsxError> {
        for (i, v) in cells.into_iter().enumerate() {
            self.value(column(i)?, v)?;
        }
        self.next_row()
    }

    fn text(&mut self, col: ColNum, s: &str) -> Result<(), XlsxError> {
        self.sheet.write_string(self.row, col, within_cell_limit(s))?;
        Ok(())
    }

    fn value(&mut self, col: ColNum, v: &Val) -> Result<(), XlsxError> {
        let (row, f) = (self.row, self.formats);
        let number = |x: f64, format: &Format, sheet: &mut Worksheet| {
            sheet.write_number_with_format(row, col, x, format).map(drop)
        };
        match v {
            Val::Empty => Ok(()),
            Val::Int(i) => number(*i as f64, &f.integer, self.sheet),
            Val::Num(x) | Val::Hours(x) | Val::Minutes(x) => number(*x, &f.decimal, self.sheet),
            Val::Pct(x) => number(*x, &f.percent, self.sheet),
            Val::Aed(x) => number(*x, &f.currency, self.sheet),
            // Excel's dates run from 1900 to 9999; a date outside them is still shown, as text.
            Val::Date(d) => match excel_date(*d) {
                Ok(date) => self.sheet.write_datetime_with_format(row, col, &date, &f.date).map(drop),
                Err(_) => self.text(col, &d.to_string()),
            },
            Val::Text(t) => self.text(col, t),
        }
    }
}

fn column(i: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    // Month and day always fit a u8.
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

fn excel_datetime(t: DateTime<Utc>) -> Result<ExcelDateTime, XlsxError> {
    excel_date(t.date_naive())?.and_hms(t.hour() as u16, t.minute() as u8, t.second())
}

/// A long note is cut rather than failing the whole export.
fn within_cell_limit(s: &str) -> &str {
    truncate_utf16(s, MAX_TEXT_LEN)
}

fn truncate_utf16(s: &str, max_units: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max_units {
            return &s[..i];
        }
    }
    s
}

/// A section title as a sheet name Excel accepts: no `[]:*?/\` or control characters, no leading
/// or trailing apostrophe, at most 31 characters, not the reserved `History`, and unique (Excel
/// compares names case-insensitively) by a ` (2)`, ` (3)`… suffix.
fn sheet_name(title: &str, taken: &[String]) -> String {
    let replaced: String =
        title.chars().filter(|c| !c.is_control()).map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).collect();
    let trim = |c: char| c == '\'' || c.is_whitespace();
    let base = truncate_utf16(replaced.trim_matches(trim), MAX_SHEET_NAME_LEN).trim_end_matches(trim);
    let base = match base {
        "" => "Sheet".to_owned(),
        b if b.eq_ignore_ascii_case("history") => format!("{b}_"),
        b => b.to_owned(),
    };
    let is_taken = |name: &str| taken.iter().any(|t| t.to_lowercase() == name.to_lowercase());
    let mut name = base.clone();
    let mut n = 2;
    while is_taken(&name) {
        let suffix = format!(" ({n})");
        name = format!("{}{suffix}", truncate_utf16(&base, MAX_SHEET_NAME_LEN - suffix.len()));
        n += 1;
    }
    name
}

fn write_section(sheet: &mut Worksheet, formats: &Formats, section: &Section) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 34)?;
    let mut w = SheetWriter { sheet, formats, row: 0 };
    w.text_row([section.title.as_str()])?;
    if let Some(note) = &section.note {
        w.text_row([note.as_str()])?;
    }
    if !section.figures.is_empty() {
        w.next_row()?;
        w.text_row(["Figure", "Value"])?;
        for (label, v) in &section.figures {
            w.text(0, label)?;
            w.value(1, v)?;
            w.next_row()?;
        }
    }
    // A charted section without a table gets its chart's data as one.
    if let (Some(c), None) = (&section.chart, &section.table) {
        w.next_row()?;
        w.text_row(std::iter::once("Label").chain(c.series.iter().map(|(name, _)| name.as_str())))?;
        for (i, label) in c.labels.iter().enumerate() {
            let values: Vec<Val> =
                c.series.iter().map(|(_, v)| v.get(i).copied().flatten().map_or(Val::Empty, Val::Num)).collect();
            w.value_row(std::iter::once(label).chain(&values))?;
        }
    }
    if let Some(t) = &section.table {
        w.next_row()?;
        w.text_row(t.columns.iter().map(String::as_str))?;
        for row in &t.rows {
            w.value_row(row)?;
        }
    }
    Ok(())
}

/// The workbook's bytes. The same report always gives the same bytes: the creation date is the
/// report's, and the writer stamps every ZIP entry with one fixed time.
pub fn render(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // The writer's default creation date is the clock's; it is always replaced by the report's,
    // so an out-of-range `generated_at` fails the export rather than let the clock in.
    let created = excel_datetime(report.generated_at)?;
    let properties =
        DocProperties::new().set_title(&report.title).set_author(&report.author).set_creation_datetime(&created);
    wb.set_properties(&properties);
    let formats = Formats::new();
    let mut names = Vec::with_capacity(report.sections.len());
    for section in &report.sections {
        let name = sheet_name(&section.title, &names);
        let sheet = wb.add_worksheet();
        sheet.set_name(&name)?;
        names.push(name);
        write_section(sheet, &formats, section)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = Vec::new();
        for title in ["Leads / agent: [Q1]", "leads _ agent_ _Q1_", "", "History", "'quoted'", &"x".repeat(40)] {
            let name = sheet_name(title, &taken);
            taken.push(name);
        }
        assert_eq!(taken[0], "Leads _ agent_ _Q1_");
        assert_eq!(taken[1], "leads _ agent_ _Q1_ (2)");
        assert_eq!(taken[2], "Sheet");
        assert_eq!(taken[3], "History_");
        assert_eq!(taken[4], "quoted");
        assert_eq!(taken[5], "x".repeat(31));
        assert_eq!(sheet_name(&"x".repeat(40), &taken), format!("{} (2)", "x".repeat(27)));
    }

    #[test]
    fn text_is_cut_at_the_cell_limit_on_a_character_boundary() {
        let long = "\u{1F3E0}".repeat(20_000); // two UTF-16 units each
        assert_eq!(within_cell_limit(&long).chars().count(), 16_383);
        assert_eq!(within_cell_limit("short"), "short");
    }
}
