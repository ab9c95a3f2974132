//! Exports of a [`crate::report::Report`]: a PDF with a chart per charted section
//! ([`pdf::render`]) and an XLSX workbook with typed cells, one sheet per section
//! ([`xlsx::render`]).

pub mod pdf;
#[cfg(test)]
mod read_back;
pub mod xlsx;

/// The export formats a request may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pdf" => Some(Format::Pdf),
            "xlsx" | "excel" => Some(Format::Xlsx),
            _ => None,
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }
    pub fn render(self, report: &crate::report::Report) -> Result<Vec<u8>, ExportError> {
        match self {
            Format::Pdf => Ok(pdf::render(report)),
            Format::Xlsx => xlsx::render(report).map_err(ExportError::Xlsx),
        }
    }
}

/// A report the renderer refused (the PDF renderer cannot fail; the XLSX writer checks Excel's
/// limits on every cell and name).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the workbook could not be written: {0}")]
    Xlsx(#[source] rust_xlsxwriter::XlsxError),
}

/// A safe attachment file name: letters, digits, `-` and `_` only.
pub fn filename(stem: &str, format: Format) -> String {
    let clean: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(80)
        .collect();
    format!("{}.{}", if clean.is_empty() { "export" } else { &clean }, format.extension())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::{metric, Kpi};
    use crate::overview::{trends, Daily, DayRow};
    use crate::period::Period;
    use crate::report::{overview_section, trend_section, Report, Val};
    use chrono::{NaiveDate, TimeZone, Utc};

    /// Every string the PDF shows, page by page.
    pub(crate) fn pdf_text(bytes: &[u8]) -> String {
        documents::testing::text(bytes)
    }

    fn sample() -> Report {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let daily = Daily::from_rows(&[
            DayRow { day: today, metric: metric::CMA_PRODUCED.into(), value: 2.0 },
            DayRow { day: today, metric: metric::WORKFLOW_COMPLETED.into(), value: 3.0 },
            DayRow { day: today, metric: metric::WORKFLOW_FAILED.into(), value: 1.0 },
        ]);
        let t = trends(&daily, &[Kpi::CmasProduced, Kpi::WorkflowSuccessRate], Period::Days7, today);
        Report {
            title: "Performance dashboard".into(),
            subtitle: "Team A \u{b7} last 7 days".into(),
            author: "AURA".into(),
            generated_at: Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap(),
            sections: vec![
                overview_section(&daily.totals(Period::Days7.window(today)), Period::Days7.window(today)),
                trend_section("CMA reports produced", &t[..1]),
                trend_section("Workflow success rate", &t[1..]),
            ],
        }
    }

    use super::read_back::read_workbook;

    #[test]
    fn pdf_has_the_figures_and_a_chart_per_trend() {
        let text = pdf_text(&Format::Pdf.render(&sample()).unwrap());
        assert!(text.contains("Performance dashboard"));
        assert!(text.contains("CMA reports produced by day"), "chart title missing:\n{text}");
        assert!(text.contains("Workflow success rate by day"));
        assert!(text.contains("75.0%"));
        assert!(text.contains("Page 1 of"));
    }

    #[test]
    fn xlsx_cells_keep_their_types() {
        use calamine::DataType;
        let bytes = Format::Xlsx.render(&sample()).unwrap();
        let sheets = read_workbook(&bytes);
        let names: Vec<&str> = sheets.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(names, ["Performance overview", "CMA reports produced", "Workflow success rate"]);
        let find = |sheet: usize, label: &str| {
            sheets[sheet].1.iter().find(|r| r[0].value.get_string() == Some(label)).cloned().unwrap()
        };
        let cmas = find(0, "CMA reports produced");
        assert_eq!(cmas[1].value.as_f64(), Some(2.0));
        assert_eq!(cmas[1].format.as_deref(), Some(xlsx::INTEGER_FORMAT));
        let rate = find(0, "Workflow success rate");
        assert_eq!(rate[1].value.as_f64(), Some(0.75));
        assert_eq!(rate[1].format.as_deref(), Some(xlsx::PERCENT_FORMAT));
        let from = find(0, "From");
        assert!(from[1].value.is_datetime());
        assert_eq!(from[1].value.as_date(), NaiveDate::from_ymd_opt(2026, 3, 4));
        assert_eq!(from[1].format.as_deref(), Some(xlsx::DATE_FORMAT));
        // The trend table: a date column and the daily values.
        let last = sheets[1].1.last().unwrap();
        assert_eq!(last[0].value.as_date(), NaiveDate::from_ymd_opt(2026, 3, 10));
        assert_eq!(last[2].value.as_f64(), Some(2.0));
        assert_eq!(last[2].format.as_deref(), Some(xlsx::INTEGER_FORMAT));
        // The titles are text without a number format.
        assert_eq!(sheets[0].1[0][0].value.get_string(), Some("Performance overview"));
        assert_eq!(sheets[0].1[0][0].format, None);
    }

    #[test]
    fn xlsx_carries_the_report_properties_and_is_deterministic() {
        use calamine::Reader;
        let bytes = Format::Xlsx.render(&sample()).unwrap();
        assert_eq!(bytes, Format::Xlsx.render(&sample()).unwrap(), "same report, same bytes");
        let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let p = wb.workbook_properties().unwrap();
        assert_eq!(p.title.as_deref(), Some("Performance dashboard"));
        assert_eq!(p.creator.as_deref(), Some("AURA"));
        assert_eq!(p.created.as_deref(), Some("2026-03-10T09:00:00Z"));
    }

    #[test]
    fn xlsx_shows_amounts_in_aed_and_odd_dates_as_text() {
        use calamine::DataType;
        let mut section = crate::report::Section::new("Valuation");
        section.figures = vec![
            ("Estimated value".into(), Val::Aed(2_450_000.0)),
            ("Listed".into(), Val::Date(NaiveDate::from_ymd_opt(1850, 1, 2).unwrap())),
            ("Yield".into(), Val::Num(f64::NAN)),
        ];
        let report = Report { sections: vec![section], ..sample() };
        let sheets = read_workbook(&Format::Xlsx.render(&report).unwrap());
        let rows = &sheets[0].1;
        assert_eq!(rows[3][1].value.as_f64(), Some(2_450_000.0));
        assert_eq!(rows[3][1].format.as_deref(), Some(xlsx::CURRENCY_FORMAT));
        assert_eq!(rows[4][1].value.get_string(), Some("1850-01-02"));
        assert!(rows[5][1].value.is_string(), "no NaN number in the file: {:?}", rows[5][1]);
    }

    #[test]
    fn filenames_are_safe() {
        assert_eq!(filename("overview 30d/../x", Format::Xlsx), "overview_30d____x.xlsx");
        assert_eq!(Format::parse("XLSX"), Some(Format::Xlsx));
        assert_eq!(Format::parse("csv"), None);
    }
}
