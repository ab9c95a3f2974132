//! A report as an XLSX workbook: one sheet per section (figures first, then the chart's data,
//! then the table), every value in its typed cell: counts as integers, rates as percentages,
//! amounts as AED, dates as dates.

use xlsx::{Cell, Workbook};

use crate::report::{Report, Val};

fn cell(v: &Val) -> Cell {
    match v {
        Val::Empty => Cell::Empty,
        Val::Int(i) => Cell::Integer(*i),
        Val::Num(x) | Val::Hours(x) | Val::Minutes(x) => Cell::Number(*x),
        Val::Pct(x) => Cell::Percent(*x),
        Val::Aed(x) => Cell::Currency(*x),
        Val::Date(d) => Cell::Date(*d),
        Val::Text(t) => Cell::Text(t.clone()),
    }
}

fn header(v: &[String]) -> Vec<Cell> {
    v.iter().map(|s| Cell::Text(s.clone())).collect()
}

pub fn render(report: &Report) -> Vec<u8> {
    let mut wb = Workbook::new();
    wb.set_title(report.title.clone()).set_author(report.author.clone()).set_created(report.generated_at.naive_utc());
    for section in &report.sections {
        let sheet = wb.add_sheet(&section.title);
        sheet.set_column_width(0, 34.0).ok();
        let mut push = |row: Vec<Cell>| {
            // Reports are far below the grid's limits; a row that does not fit is dropped.
            let _ = sheet.push_row(row);
        };
        push(vec![Cell::Text(section.title.clone())]);
        if let Some(note) = &section.note {
            push(vec![Cell::Text(note.clone())]);
        }
        if !section.figures.is_empty() {
            push(vec![]);
            push(header(&["Figure".into(), "Value".into()]));
            for (label, v) in &section.figures {
                push(vec![Cell::Text(label.clone()), cell(v)]);
            }
        }
        // A charted section without a table gets its chart's data as one.
        if let (Some(c), None) = (&section.chart, &section.table) {
            push(vec![]);
            let mut h = vec!["Label".to_string()];
            h.extend(c.series.iter().map(|(n, _)| n.clone()));
            push(header(&h));
            for (i, label) in c.labels.iter().enumerate() {
                let mut row = vec![cell(label)];
                row.extend(c.series.iter().map(|(_, v)| v.get(i).copied().flatten().map_or(Cell::Empty, Cell::Number)));
                push(row);
            }
        }
        if let Some(t) = &section.table {
            push(vec![]);
            push(header(&t.columns));
            for row in &t.rows {
                push(row.iter().map(cell).collect());
            }
        }
    }
    wb.to_bytes()
}
