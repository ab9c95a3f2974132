//! Tables across pages: the header repeats on every page, no row is lost or duplicated, and the
//! report footer counts the pages the table added.

use crate::support::{info, page_text, parse};
use documents::layout::ReportLayout;
use documents::table::{self, Column, Table};
use documents::{Align, Document, Point};

fn comparables(rows: usize) -> Table {
    let mut t = Table::new(vec![
        Column::new("Community", 3.0, Align::Left),
        Column::new("Beds", 1.0, Align::Center),
        Column::new("Size (sqft)", 1.5, Align::Right),
        Column::new("Sale price (AED)", 2.0, Align::Right),
    ]);
    for i in 0..rows {
        t.push_row([
            format!("Row {i:03} Dubai Marina"),
            "2".to_string(),
            "1,250".to_string(),
            documents::format::thousands(2_000_000.0 + i as f64 * 1_000.0, 0),
        ]);
    }
    t
}

#[test]
fn three_page_table_repeats_its_header_and_footer_counts_pages() {
    let layout = ReportLayout::a4("Comparables", "AURA", "Prepared by AURA");
    let body = layout.body();
    let mut doc = Document::new(info());
    let first = layout.add_page(&mut doc);
    let rows = 80;
    let end = table::draw(&mut doc, first, &comparables(rows), Point::new(body.x, body.top()), body.w, body);
    layout.decorate(&mut doc);

    assert_eq!(doc.page_count(), 3, "80 rows of ~20 pt need three A4 pages");
    assert_eq!(end.pages_added, 2);
    assert_eq!(end.page, doc.page_ids()[2]);
    assert!(end.y >= body.y && end.y < body.top());

    let pdf = parse(&doc.finish());
    let mut seen = Vec::new();
    for n in 1..=3 {
        let text = page_text(&pdf, n);
        for header in ["Community", "Beds", "Size (sqft)", "Sale price (AED)"] {
            assert!(text.contains(header), "page {n} repeats header {header:?}");
        }
        assert!(text.contains(&format!("Page {n} of 3")), "page {n} footer");
        seen.extend(text.lines().filter_map(|l| l.trim().strip_prefix("Row ")).map(|r| r[..3].to_string()));
    }
    let expected: Vec<String> = (0..rows).map(|i| format!("{i:03}")).collect();
    assert_eq!(seen, expected, "every row exactly once, in order");
}

#[test]
fn table_that_fits_stays_on_its_page() {
    let layout = ReportLayout::a4("Key figures", "", "");
    let body = layout.body();
    let mut doc = Document::new(info());
    let page = layout.add_page(&mut doc);
    let end = table::draw(&mut doc, page, &comparables(5), Point::new(body.x, body.top()), body.w, body);
    assert_eq!((end.page, end.pages_added, doc.page_count()), (page, 0, 1));
    // Header plus five rows of one line each.
    let row = 9.0 * 1.25 + 9.0;
    assert!((body.top() - end.y - 6.0 * row).abs() < 0.01, "{}", end.y);
}

#[test]
fn table_starting_low_on_a_page_moves_to_a_new_page() {
    let layout = ReportLayout::a4("", "", "");
    let body = layout.body();
    let mut doc = Document::new(info());
    let page = layout.add_page(&mut doc);
    let end = table::draw(&mut doc, page, &comparables(3), Point::new(body.x, body.y + 20.0), body.w, body);
    assert_eq!(end.pages_added, 1);
    let pdf = parse(&doc.finish());
    assert!(!page_text(&pdf, 1).contains("Community"), "no orphaned header at the bottom of page 1");
    assert!(page_text(&pdf, 2).contains("Community"));
}

#[test]
fn long_cells_wrap_instead_of_overlapping() {
    let mut t = Table::new(vec![Column::new("Notes", 1.0, Align::Left), Column::new("Value", 1.0, Align::Right)]);
    t.push_row(["Corner unit with upgraded kitchen, full sea view and two parking spaces", "AED 2,450,000"]);
    let mut doc = Document::new(info());
    let page = doc.add_page(documents::PageSize::A4);
    let frame = documents::Rect::new(40.0, 40.0, 515.0, 760.0);
    let end = table::draw(&mut doc, page, &t, Point::new(40.0, 800.0), 200.0, frame);
    let row = 9.0 * 1.25 + 9.0;
    assert!(800.0 - end.y > 2.0 * row, "the row grew to hold several lines");
    let text = page_text(&parse(&doc.finish()), 1);
    assert!(text.contains("Corner unit with"), "{text}");
}
