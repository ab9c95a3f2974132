//! A report as an A4 PDF: per section a heading, the figures in a two-column table, the chart
//! (line or bar) and the table, paginated with "Page N of M".

use chrono::{Datelike, Timelike};
use documents::chart::{self, BarChart, LineChart, Series, PALETTE};
use documents::format::thousands;
use documents::layout::ReportLayout;
use documents::table::{self, Column, Table};
use documents::{Align, Color, DocInfo, Document, Font, PdfDate, Point, Rect, TextStyle};

use crate::report::{ChartKind, Report, Val};

/// How a value reads in the PDF.
pub fn display(v: &Val) -> String {
    match v {
        Val::Empty => "\u{2013}".into(),
        Val::Int(i) => thousands(*i as f64, 0),
        Val::Num(x) => thousands(*x, if x.fract() == 0.0 { 0 } else { 2 }),
        Val::Pct(x) => format!("{:.1}%", x * 100.0),
        Val::Hours(x) => format!("{} h", thousands(*x, 1)),
        Val::Minutes(x) => format!("{} min", thousands(*x, 1)),
        Val::Aed(x) => documents::format::aed(*x),
        Val::Date(d) => d.format("%Y-%m-%d").to_string(),
        Val::Text(t) => t.clone(),
    }
}

fn ensure_space(doc: &mut Document, layout: &ReportLayout, page: &mut documents::PageId, y: &mut f32, needed: f32) {
    if *y - needed < layout.body().y {
        *page = layout.add_page(doc);
        *y = layout.body().top();
    }
}

pub fn render(report: &Report) -> Vec<u8> {
    let g = report.generated_at;
    let layout = ReportLayout::a4(
        report.title.clone(),
        format!("AURA \u{b7} Dubai \u{b7} {}", g.format("%-d %B %Y")),
        format!("{} \u{b7} generated {} UTC", report.subtitle, g.format("%Y-%m-%d %H:%M")),
    );
    let date = PdfDate::utc(
        g.year() as u16,
        g.month() as u8,
        g.day() as u8,
        g.hour() as u8,
        g.minute() as u8,
        g.second() as u8,
    );
    let mut doc = Document::new(DocInfo::new(report.title.clone(), report.author.clone(), date));
    let body = layout.body();
    let mut page = layout.add_page(&mut doc);
    let mut y = body.top();
    let heading = TextStyle::new(Font::SansBold, 12.0).color(Color::NAVY);
    let muted = TextStyle::new(Font::Sans, 8.0).color(Color::MUTED).line_spacing(1.3);
    {
        let p = doc.page(page);
        p.text(body.x, y - 18.0, &report.title, &TextStyle::new(Font::SansBold, 18.0).color(Color::NAVY));
        p.text(body.x, y - 34.0, &report.subtitle, &TextStyle::new(Font::Sans, 10.0));
    }
    y -= 50.0;
    for section in &report.sections {
        ensure_space(&mut doc, &layout, &mut page, &mut y, 80.0);
        doc.page(page).text(body.x, y - 12.0, &section.title, &heading);
        y -= 20.0;
        if let Some(note) = &section.note {
            let used = doc.page(page).paragraph(body.x, y, body.w, note, &muted);
            y -= used + 6.0;
        }
        if !section.figures.is_empty() {
            let mut t =
                Table::new(vec![Column::new("Figure", 2.0, Align::Left), Column::new("Value", 1.0, Align::Right)]);
            for (label, v) in &section.figures {
                t.push_row([label.clone(), display(v)]);
            }
            let end = table::draw(&mut doc, page, &t, Point::new(body.x, y), body.w * 0.7, body);
            page = end.page;
            y = end.y - 12.0;
        }
        if let Some(c) = &section.chart {
            let h = 170.0;
            ensure_space(&mut doc, &layout, &mut page, &mut y, h + 10.0);
            let labels: Vec<String> = c.labels.iter().map(display).collect();
            let series: Vec<Series> = c
                .series
                .iter()
                .enumerate()
                .map(|(i, (name, values))| {
                    Series::new(name.clone(), values.iter().map(|v| v.unwrap_or(f64::NAN)).collect(), PALETTE[i % 5])
                })
                .collect();
            let area = Rect::new(body.x, y - h, body.w, h);
            match c.kind {
                ChartKind::Line => chart::line(
                    doc.page(page),
                    area,
                    &LineChart { title: c.title.clone(), unit: c.unit, labels, series },
                ),
                ChartKind::Bar => chart::bar(
                    doc.page(page),
                    area,
                    &BarChart {
                        title: c.title.clone(),
                        unit: c.unit,
                        categories: labels,
                        series: series
                            .into_iter()
                            .map(|mut s| {
                                // Bars have no gaps: nothing is drawn as zero.
                                s.values.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = 0.0);
                                s
                            })
                            .collect(),
                        show_values: false,
                    },
                ),
            }
            y -= h + 14.0;
        }
        if let Some(t) = &section.table {
            ensure_space(&mut doc, &layout, &mut page, &mut y, 60.0);
            let n = t.columns.len().max(1);
            let mut pdf_table = Table::new(
                t.columns
                    .iter()
                    .enumerate()
                    .map(|(i, h)| {
                        Column::new(h.clone(), 1.0, if i == 0 || n == 1 { Align::Left } else { Align::Right })
                    })
                    .collect(),
            );
            for row in &t.rows {
                pdf_table.push_row(row.iter().map(display));
            }
            let end = table::draw(&mut doc, page, &pdf_table, Point::new(body.x, y), body.w, body);
            page = end.page;
            y = end.y - 16.0;
        }
        y -= 6.0;
    }
    layout.decorate(&mut doc);
    doc.finish()
}
