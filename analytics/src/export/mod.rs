//! Exports of a [`crate::report::Report`]: a PDF with a chart per charted section
//! ([`pdf::render`]) and an XLSX workbook with typed cells, one sheet per section
//! ([`xlsx::render`]).

pub mod pdf;
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
    pub fn render(self, report: &crate::report::Report) -> Vec<u8> {
        match self {
            Format::Pdf => pdf::render(report),
            Format::Xlsx => xlsx::render(report),
        }
    }
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
    use crate::report::{overview_section, trend_section, Report};
    use chrono::{NaiveDate, TimeZone, Utc};

    /// Every string shown with `Tj`, page by page.
    pub(crate) fn pdf_text(bytes: &[u8]) -> String {
        let doc = lopdf::Document::load_mem(bytes).expect("lopdf parses the PDF");
        let mut out = Vec::new();
        for (_, id) in doc.get_pages() {
            let content = lopdf::content::Content::decode(&doc.get_page_content(id)).unwrap();
            for op in content.operations.iter().filter(|o| o.operator == "Tj") {
                out.push(op.operands[0].as_str().unwrap().iter().map(|&b| char::from(b)).collect::<String>());
            }
        }
        out.join("\n")
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

    #[test]
    fn pdf_has_the_figures_and_a_chart_per_trend() {
        let text = pdf_text(&Format::Pdf.render(&sample()));
        assert!(text.contains("Performance dashboard"));
        assert!(text.contains("CMA reports produced by day"), "chart title missing:\n{text}");
        assert!(text.contains("Workflow success rate by day"));
        assert!(text.contains("75.0%"));
        assert!(text.contains("Page 1 of"));
    }

    #[test]
    fn xlsx_cells_keep_their_types() {
        let sheets = ::xlsx::read_workbook(&Format::Xlsx.render(&sample())).expect("reads back");
        let names: Vec<&str> = sheets.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(names, ["Performance overview", "CMA reports produced", "Workflow success rate"]);
        let find = |sheet: usize, label: &str| {
            sheets[sheet].1.iter().find(|r| r.first().and_then(|c| c.as_text()) == Some(label)).cloned().unwrap()
        };
        let cmas = find(0, "CMA reports produced");
        assert_eq!(cmas[1].as_f64(), Some(2.0));
        let rate = find(0, "Workflow success rate");
        assert_eq!(rate[1].as_f64(), Some(0.75));
        assert!(rate[1].format().unwrap().contains('%'));
        let from = find(0, "From");
        assert_eq!(from[1].as_date(), NaiveDate::from_ymd_opt(2026, 3, 4));
        // The trend table: a date column and the daily values.
        let last = sheets[1].1.last().unwrap();
        assert_eq!(last[0].as_date(), NaiveDate::from_ymd_opt(2026, 3, 10));
        assert_eq!(last[2].as_f64(), Some(2.0));
    }

    #[test]
    fn filenames_are_safe() {
        assert_eq!(filename("overview 30d/../x", Format::Xlsx), "overview_30d____x.xlsx");
        assert_eq!(Format::parse("XLSX"), Some(Format::Xlsx));
        assert_eq!(Format::parse("csv"), None);
    }
}
