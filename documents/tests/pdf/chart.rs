//! Charts as a reader sees them: titles, legends, tick labels with thousands separators, category
//! labels, and graceful handling of empty data and single points.

use crate::support::{info, page_text, parse};
use documents::chart::{self, BarChart, LineChart, Series, PALETTE};
use documents::format::Unit;
use documents::{Document, PageSize, Rect};

fn render(draw: impl FnOnce(&mut documents::Page)) -> String {
    let mut doc = Document::new(info());
    let p = doc.add_page(PageSize::A4);
    draw(doc.page(p));
    page_text(&parse(&doc.finish()), 1)
}

#[test]
fn bar_chart_has_title_ticks_categories_and_legend() {
    let chart = BarChart {
        title: "Comparable sale prices".to_string(),
        unit: Unit::Aed,
        categories: vec!["Marina Gate 1".into(), "Marina Gate 2".into(), "Damac Heights".into()],
        series: vec![
            Series::new("Sale price", vec![2_350_000.0, 2_480_000.0, 2_150_000.0], PALETTE[0]),
            Series::new("Asking price", vec![2_450_000.0, 2_600_000.0, 2_200_000.0], PALETTE[1]),
        ],
        show_values: true,
    };
    let text = render(|p| chart::bar(p, Rect::new(40.0, 400.0, 515.0, 220.0), &chart));
    for expected in ["Comparable sale prices", "AED", "Sale price", "Asking price", "Marina Gate 1", "Damac Heights"] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    assert!(text.contains("1,000,000") && text.contains("2,000,000"), "tick labels with separators: {text}");
    assert!(text.contains("2,480,000"), "value label: {text}");
}

#[test]
fn line_chart_has_title_ticks_and_labels() {
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"];
    let chart = LineChart {
        title: "Dubai Marina price index".to_string(),
        unit: Unit::AedPerSqft,
        labels: months.iter().map(|m| m.to_string()).collect(),
        series: vec![Series::new("AED/sqft", vec![1_710.0, 1_745.0, f64::NAN, 1_802.0, 1_815.0, 1_850.0], PALETTE[0])],
    };
    let text = render(|p| chart::line(p, Rect::new(40.0, 400.0, 515.0, 200.0), &chart));
    assert!(text.contains("Dubai Marina price index"), "{text}");
    assert!(text.contains("1,700") && text.contains("1,850"), "ticks with separators: {text}");
    for m in months {
        assert!(text.contains(m), "x label {m}: {text}");
    }
}

#[test]
fn empty_charts_say_no_data() {
    let bar = BarChart {
        title: "Nothing sold".into(),
        unit: Unit::Aed,
        categories: vec![],
        series: vec![],
        show_values: false,
    };
    let line = LineChart {
        title: "No index".into(),
        unit: Unit::Plain,
        labels: vec!["Jan".into()],
        series: vec![Series::new("", vec![f64::NAN], PALETTE[0])],
    };
    let text = render(|p| {
        chart::bar(p, Rect::new(40.0, 500.0, 300.0, 150.0), &bar);
        chart::line(p, Rect::new(40.0, 300.0, 300.0, 150.0), &line);
    });
    assert!(text.contains("Nothing sold") && text.contains("No index"), "{text}");
    assert_eq!(text.matches("No data available").count(), 2, "{text}");
}

#[test]
fn single_points_render() {
    let bar = BarChart {
        title: "One comparable".into(),
        unit: Unit::AedPerSqft,
        categories: vec!["Only".into()],
        series: vec![Series::new("", vec![1_850.0], PALETTE[0])],
        show_values: true,
    };
    let line = LineChart {
        title: "One month".into(),
        unit: Unit::AedPerSqft,
        labels: vec!["Mar 2025".into()],
        series: vec![Series::new("Index", vec![1_850.0], PALETTE[2])],
    };
    let text = render(|p| {
        chart::bar(p, Rect::new(40.0, 500.0, 300.0, 150.0), &bar);
        chart::line(p, Rect::new(40.0, 300.0, 300.0, 150.0), &line);
    });
    assert!(text.contains("1,850") && text.contains("Only") && text.contains("Mar 2025"), "{text}");
    assert!(!text.contains("No data available"), "{text}");
}

#[test]
fn crowded_x_labels_are_thinned() {
    let labels: Vec<String> = (1..=36).map(|m| format!("2024-{m:02}")).collect();
    let chart = LineChart {
        title: String::new(),
        unit: Unit::Plain,
        labels: labels.clone(),
        series: vec![Series::new("", (0..36).map(|i| 100.0 + i as f64).collect(), PALETTE[0])],
    };
    let text = render(|p| chart::line(p, Rect::new(40.0, 400.0, 250.0, 150.0), &chart));
    let shown = labels.iter().filter(|l| text.contains(l.as_str())).count();
    assert!((3..36).contains(&shown), "{shown} labels shown");
    assert!(text.contains("2024-01"), "the first label is always shown");
}
