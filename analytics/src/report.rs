//! A typed report model shared by both exports: sections of headline figures, a chart and a
//! table, with values that keep their type (a count stays an integer, a date a date) so the XLSX
//! gets real numbers and dates and the PDF formats them for reading.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::kpi::{Kpi, Totals, Unit};
use crate::overview::Trend;
use crate::period::Window;

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Empty,
    Int(i64),
    Num(f64),
    /// A fraction shown as a percentage.
    Pct(f64),
    Hours(f64),
    Minutes(f64),
    Aed(f64),
    Date(NaiveDate),
    Text(String),
}

impl Val {
    /// A KPI value with its unit; no value stays empty.
    pub fn kpi(kpi: Kpi, v: Option<f64>) -> Val {
        match v {
            None => Val::Empty,
            Some(x) => match kpi.unit() {
                Unit::Count if x.fract() == 0.0 => Val::Int(x as i64),
                Unit::Count => Val::Num(x),
                Unit::Ratio => Val::Pct(x),
                Unit::Hours => Val::Hours(x),
                Unit::Minutes => Val::Minutes(x),
            },
        }
    }

    pub fn text(s: impl Into<String>) -> Val {
        Val::Text(s.into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Line,
    Bar,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub kind: ChartKind,
    pub title: String,
    pub unit: documents::format::Unit,
    /// One label per point (dates for trends).
    pub labels: Vec<Val>,
    /// Name and values; `None` is a gap.
    pub series: Vec<(String, Vec<Option<f64>>)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Val>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: String,
    pub note: Option<String>,
    pub figures: Vec<(String, Val)>,
    pub chart: Option<Chart>,
    pub table: Option<Table>,
}

impl Section {
    pub fn new(title: impl Into<String>) -> Section {
        Section { title: title.into(), note: None, figures: Vec::new(), chart: None, table: None }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub title: String,
    pub subtitle: String,
    pub author: String,
    pub generated_at: DateTime<Utc>,
    pub sections: Vec<Section>,
}

/// A section for one KPI trend: current, previous and change as figures, the points as a chart
/// (a line, bars for few points) and as a table.
pub fn trend_section(title: &str, trends: &[Trend]) -> Section {
    let mut s = Section::new(title);
    for t in trends {
        s.figures.push((format!("{} (this period)", t.kpi.label()), Val::kpi(t.kpi, t.current)));
        s.figures.push((format!("{} (previous period)", t.kpi.label()), Val::kpi(t.kpi, t.previous)));
        s.figures.push((format!("{} change", t.kpi.label()), t.change_pct.map_or(Val::Empty, Val::Pct)));
    }
    let Some(first) = trends.first() else { return s };
    let windows: Vec<Window> = first.points.iter().map(|(w, _)| *w).collect();
    let kind = if windows.len() <= 12 { ChartKind::Bar } else { ChartKind::Line };
    s.chart = Some(Chart {
        kind,
        title: format!("{title} by {}", if windows.iter().all(|w| w.days() == 1) { "day" } else { "period" }),
        unit: documents::format::Unit::Plain,
        labels: windows.iter().map(|w| Val::Date(w.start)).collect(),
        series: trends
            .iter()
            .map(|t| {
                let scale = if t.kpi.unit() == Unit::Ratio { 100.0 } else { 1.0 };
                let name = if scale == 100.0 { format!("{} (%)", t.kpi.label()) } else { t.kpi.label().to_string() };
                (name, t.points.iter().map(|(_, v)| v.map(|x| x * scale)).collect())
            })
            .collect(),
    });
    let mut columns = vec!["From".to_string(), "To".to_string()];
    columns.extend(trends.iter().map(|t| t.kpi.label().to_string()));
    let rows = windows
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut row = vec![Val::Date(w.start), Val::Date(w.end)];
            row.extend(trends.iter().map(|t| Val::kpi(t.kpi, t.points.get(i).and_then(|p| p.1))));
            row
        })
        .collect();
    s.table = Some(Table { columns, rows });
    s
}

/// The performance overview's figures.
pub fn overview_section(totals: &Totals, window: Window) -> Section {
    let mut s = Section::new("Performance overview");
    s.note = Some(format!("{} to {}. {}", window.start, window.end, crate::kpi::TIME_SAVED_BASIS));
    s.figures.push(("From".into(), Val::Date(window.start)));
    s.figures.push(("To".into(), Val::Date(window.end)));
    for k in Kpi::ALL {
        s.figures.push((k.label().to_string(), Val::kpi(k, k.value(totals))));
    }
    s
}

/// Rows of named totals (agents, days, …) with one column per KPI.
pub fn kpi_table(title: &str, first_column: &str, rows: &[(Val, Totals)], kpis: &[Kpi]) -> Section {
    let mut s = Section::new(title);
    let mut columns = vec![first_column.to_string()];
    columns.extend(kpis.iter().map(|k| k.label().to_string()));
    s.table = Some(Table {
        columns,
        rows: rows
            .iter()
            .map(|(name, t)| {
                let mut row = vec![name.clone()];
                row.extend(kpis.iter().map(|k| Val::kpi(*k, k.value(t))));
                row
            })
            .collect(),
    });
    s
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// A market trends result (`valuation` trends JSON: `points` with `month`, `median_psf`, `volume`,
/// `forecast.points` with `month`, `value`, `low`, `high`) as a section with a line chart.
pub fn market_section(title: &str, trends: &Value) -> Section {
    let mut s = Section::new(title);
    let points = trends["points"].as_array().cloned().unwrap_or_default();
    let forecast = trends["forecast"]["points"].as_array().cloned().unwrap_or_default();
    s.figures.push(("Community".into(), Val::text(trends["community"].as_str().unwrap_or(""))));
    s.figures.push(("Year-on-year change".into(), trends["yoy_change"].as_f64().map_or(Val::Empty, Val::Pct)));
    if let Some(last) = points.last() {
        s.figures.push(("Latest month".into(), Val::text(last["month"].as_str().unwrap_or(""))));
        s.figures.push(("Median AED/sqft".into(), num(&last["median_psf"]).map_or(Val::Empty, Val::Num)));
    }
    let recent: Vec<&Value> = points.iter().skip(points.len().saturating_sub(24)).collect();
    let n = recent.len() + forecast.len();
    let mut history: Vec<Option<f64>> = recent.iter().map(|p| num(&p["median_psf"])).collect();
    history.resize(n, None);
    let mut projected: Vec<Option<f64>> = vec![None; recent.len()];
    projected.extend(forecast.iter().map(|p| num(&p["value"])));
    let mut labels: Vec<Val> = recent.iter().map(|p| Val::text(p["month"].as_str().unwrap_or(""))).collect();
    labels.extend(forecast.iter().map(|p| Val::text(p["month"].as_str().unwrap_or(""))));
    s.chart = Some(Chart {
        kind: ChartKind::Line,
        title: format!("{title}: median AED/sqft by month, with forecast"),
        unit: documents::format::Unit::AedPerSqft,
        labels,
        series: vec![("Median AED/sqft".into(), history), ("Forecast".into(), projected)],
    });
    let mut rows: Vec<Vec<Val>> = recent
        .iter()
        .map(|p| {
            vec![
                Val::text(p["month"].as_str().unwrap_or("")),
                num(&p["median_psf"]).map_or(Val::Empty, Val::Num),
                p["volume"].as_i64().map_or(Val::Empty, Val::Int),
                Val::text("actual"),
            ]
        })
        .collect();
    rows.extend(forecast.iter().map(|p| {
        vec![
            Val::text(p["month"].as_str().unwrap_or("")),
            num(&p["value"]).map_or(Val::Empty, Val::Num),
            Val::Empty,
            Val::text("forecast"),
        ]
    }));
    s.table =
        Some(Table { columns: vec!["Month".into(), "Median AED/sqft".into(), "Sales".into(), "Kind".into()], rows });
    s
}

/// A stored CMA report result as sections: valuation, comparables, pricing, market.
pub fn cma_sections(result: &Value) -> Vec<Section> {
    let v = &result["valuation"];
    let mut valuation = Section::new("Valuation");
    let money = |x: &Value| num(x).map_or(Val::Empty, Val::Aed);
    let subject = &result["subject"];
    valuation.figures = vec![
        ("Community".into(), Val::text(subject["community"].as_str().unwrap_or(""))),
        ("Building".into(), Val::text(subject["building"].as_str().unwrap_or(""))),
        ("Size (sqft)".into(), num(&subject["size_sqft"]).map_or(Val::Empty, Val::Num)),
        (
            "Valuation date".into(),
            result["valuation_date"].as_str().and_then(|d| d.parse().ok()).map_or(Val::Empty, Val::Date),
        ),
        ("Estimated value".into(), money(&v["estimated_value"])),
        ("Range low".into(), money(&v["value_range"]["low"])),
        ("Range high".into(), money(&v["value_range"]["high"])),
        ("Price per sqft".into(), num(&v["price_per_sqft"]).map_or(Val::Empty, Val::Num)),
        ("Confidence".into(), num(&v["confidence"]).map_or(Val::Empty, Val::Pct)),
        ("Method".into(), Val::text(v["method"].as_str().unwrap_or(""))),
    ];
    let comps = result["comparables"].as_array().cloned().unwrap_or_default();
    let mut comparables = Section::new("Comparables");
    comparables.table = Some(Table {
        columns: [
            "Date",
            "Building",
            "Community",
            "Bedrooms",
            "Size (sqft)",
            "Sale price",
            "Similarity",
            "Adjusted price",
        ]
        .map(String::from)
        .to_vec(),
        rows: comps
            .iter()
            .map(|c| {
                let t = &c["transaction"];
                vec![
                    t["date"].as_str().and_then(|d| d.parse().ok()).map_or(Val::Empty, Val::Date),
                    Val::text(t["building"].as_str().unwrap_or("")),
                    Val::text(t["community"].as_str().unwrap_or("")),
                    t["bedrooms"].as_i64().map_or(Val::Empty, Val::Int),
                    num(&t["size_sqft"]).map_or(Val::Empty, Val::Num),
                    money(&t["price_aed"]),
                    num(&c["similarity"]).map_or(Val::Empty, Val::Pct),
                    money(&c["adjusted_price"]),
                ]
            })
            .collect(),
    });
    comparables.chart = (!comps.is_empty()).then(|| Chart {
        kind: ChartKind::Bar,
        title: "Adjusted comparable prices".into(),
        unit: documents::format::Unit::Aed,
        labels: (1..=comps.len()).map(|i| Val::text(format!("#{i}"))).collect(),
        series: vec![
            ("Sale price".into(), comps.iter().map(|c| num(&c["transaction"]["price_aed"])).collect()),
            ("Adjusted to subject".into(), comps.iter().map(|c| num(&c["adjusted_price"])).collect()),
        ],
    });
    let p = &result["pricing_recommendation"];
    let mut pricing = Section::new("Pricing");
    pricing.table = Some(Table {
        columns: ["Strategy", "List price", "AED/sqft", "Rationale"].map(String::from).to_vec(),
        rows: [("Quick sale", "quick_sale"), ("Market", "market"), ("Premium", "premium")]
            .iter()
            .map(|(name, key)| {
                vec![
                    Val::text(*name),
                    money(&p[*key]["price_aed"]),
                    num(&p[*key]["price_per_sqft"]).map_or(Val::Empty, Val::Num),
                    Val::text(p[*key]["rationale"].as_str().unwrap_or("")),
                ]
            })
            .collect(),
    });
    let mut out = vec![valuation, comparables, pricing];
    if result["market"]["points"].as_array().is_some_and(|p| !p.is_empty()) {
        out.push(market_section("Market", &result["market"]));
    }
    out
}
