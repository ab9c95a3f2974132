//! A one-page CMA-style sample built only from the public API — title block, key figures, summary,
//! bar chart of comparables, line chart of a monthly index, header and footer — written to
//! /tmp/documents_sample.pdf so a person can open it and judge the layout.

use crate::support::{info, page_text, parse};
use documents::chart::{self, BarChart, LineChart, Series, PALETTE};
use documents::format::{aed, aed_per_sqft, thousands, Unit};
use documents::layout::ReportLayout;
use documents::table::{self, Column, Table};
use documents::{Align, Color, Document, Font, Point, Rect, TextStyle};

const SAMPLE_PATH: &str = "/tmp/documents_sample.pdf";

fn build_sample() -> Vec<u8> {
    let layout = ReportLayout::a4(
        "Comparative Market Analysis",
        "AURA Realty \u{b7} Dubai",
        "Prepared by Sara Khan \u{b7} BRN 48213 \u{b7} Indicative figures, not a formal valuation",
    );
    let body = layout.body();
    let mut meta = info();
    meta.title = "CMA \u{2013} Marina Gate 1, Apt 2304".to_string();
    let mut doc = Document::new(meta);
    let page = layout.add_page(&mut doc);
    let mut y = body.top();

    // Title block.
    {
        let p = doc.page(page);
        let title = TextStyle::new(Font::SansBold, 20.0).color(Color::NAVY);
        let subtitle = TextStyle::new(Font::Sans, 11.0);
        let muted = TextStyle::new(Font::Sans, 8.5).color(Color::MUTED);
        p.text(body.x, y - 18.0, "Marina Gate 1, Apartment 2304", &title);
        p.text(body.x, y - 36.0, "2 bedrooms \u{b7} 1,312 sqft \u{b7} Dubai Marina", &subtitle);
        p.text(body.x, y - 50.0, "Prepared for Mr. & Mrs. Al Mansouri \u{b7} 7 March 2025", &muted);
        y -= 64.0;
    }

    // Key figure cards.
    let cards = [
        ("Estimated value", "AED 2.35M \u{2013} 2.48M"),
        ("Median AED/sqft", "AED 1,842"),
        ("Comparables used", "6 sales, 6 months"),
    ];
    let gap = 12.0;
    let card_w = (body.w - 2.0 * gap) / 3.0;
    for (i, (label, value)) in cards.iter().enumerate() {
        let x = body.x + i as f32 * (card_w + gap);
        let card = Rect::new(x, y - 50.0, card_w, 50.0);
        let p = doc.page(page);
        p.rounded_rect(card, 5.0, Some(Color::STRIPE), None);
        p.fill_rect(Rect::new(x, y - 50.0, 3.0, 50.0), if i == 0 { Color::GOLD } else { Color::NAVY });
        p.text(x + 12.0, y - 17.0, label, &TextStyle::new(Font::Sans, 8.0).color(Color::MUTED));
        p.text(x + 12.0, y - 37.0, value, &TextStyle::new(Font::SansBold, 13.0).color(Color::NAVY));
    }
    y -= 50.0 + 20.0;

    // Key figures table (left) and summary paragraph (right).
    let column_w = (body.w - 20.0) / 2.0;
    let heading = TextStyle::new(Font::SansBold, 10.5);
    doc.page(page).text(body.x, y - 10.0, "Key figures", &heading);
    doc.page(page).text(body.x + column_w + 20.0, y - 10.0, "Summary", &heading);
    y -= 18.0;
    let mut figures =
        Table::new(vec![Column::new("Metric", 1.3, Align::Left), Column::new("Value", 1.0, Align::Right)]);
    let rows: [(&str, String); 7] = [
        ("Asking price", aed(2_450_000.0)),
        ("Built-up area", format!("{} sqft", thousands(1_312.0, 0))),
        ("Asking price per sqft", aed_per_sqft(2_450_000.0 / 1_312.0)),
        ("Median comparable price", aed(2_395_000.0)),
        ("Median comparable AED/sqft", aed_per_sqft(1_842.0)),
        ("Price change, 12 months", "+8.2%".to_string()),
        ("Average days on market", "41".to_string()),
    ];
    for (metric, value) in rows {
        figures.push_row([metric.to_string(), value]);
    }
    let end = table::draw(&mut doc, page, &figures, Point::new(body.x, y), column_w, body);
    let summary = "The subject is a high-floor two-bedroom with full marina views. Six sales of \
                   comparable units in Marina Gate and neighbouring towers closed between AED 2.15M and \
                   AED 2.48M over the last six months, at a median of AED 1,842 per sqft.\n\nWith its \
                   upgraded kitchen and view premium, we recommend listing at AED 2,450,000 and \
                   accepting offers from AED 2,380,000.";
    let body_text = TextStyle::new(Font::Sans, 9.0).line_spacing(1.4);
    let used = doc.page(page).paragraph(body.x + column_w + 20.0, y, column_w, summary, &body_text);
    y = end.y.min(y - used) - 22.0;

    // Bar chart of comparable prices.
    let comps = BarChart {
        title: "Comparable sales".to_string(),
        unit: Unit::Aed,
        categories: vec![
            "Marina Gate 1, #1906".into(),
            "Marina Gate 2, #3101".into(),
            "Damac Heights, #2208".into(),
            "Marina Gate 1, #1203".into(),
            "Emaar 6 Towers, #1510".into(),
            "Silverene Tower A, #2802".into(),
        ],
        series: vec![Series::new(
            "Sale price",
            vec![2_380_000.0, 2_480_000.0, 2_150_000.0, 2_290_000.0, 2_410_000.0, 2_335_000.0],
            PALETTE[0],
        )],
        show_values: true,
    };
    let bar_h = 185.0;
    chart::bar(doc.page(page), Rect::new(body.x, y - bar_h, body.w, bar_h), &comps);
    y -= bar_h + 22.0;

    // Line chart of a monthly index.
    let months = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"];
    let index = LineChart {
        title: "Dubai Marina \u{2013} average price per sqft, last 12 months".to_string(),
        unit: Unit::AedPerSqft,
        labels: months.iter().map(|m| m.to_string()).collect(),
        series: vec![
            Series::new(
                "2-bed apartments",
                vec![
                    1_702.0, 1_715.0, 1_731.0, 1_728.0, 1_756.0, 1_770.0, 1_781.0, 1_779.0, 1_801.0, 1_815.0, 1_830.0,
                    1_842.0,
                ],
                PALETTE[0],
            ),
            Series::new(
                "All apartments",
                vec![
                    1_655.0, 1_660.0, 1_672.0, 1_681.0, 1_690.0, 1_702.0, 1_711.0, 1_722.0, 1_731.0, 1_745.0, 1_752.0,
                    1_768.0,
                ],
                PALETTE[2],
            ),
        ],
    };
    let line_h = (y - body.y).min(175.0);
    chart::line(doc.page(page), Rect::new(body.x, y - line_h, body.w, line_h), &index);

    layout.decorate(&mut doc);
    doc.finish()
}

#[test]
fn sample_cma_page_is_written_for_inspection() {
    let bytes = build_sample();
    std::fs::write(SAMPLE_PATH, &bytes).expect("write sample PDF");
    crate::support::assert_xref_exact(&bytes);
    let pdf = parse(&bytes);
    assert_eq!(pdf.get_pages().len(), 1, "the sample fits one page");
    let text = page_text(&pdf, 1);
    for expected in ["Marina Gate 1, Apartment 2304", "Key figures", "Comparable sales", "AED/sqft", "Page 1 of 1"] {
        assert!(text.contains(expected), "missing {expected:?}");
    }
}
