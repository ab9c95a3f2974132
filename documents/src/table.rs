//! Tables that flow across pages: a header row, body rows, column widths and alignments, zebra
//! striping, and automatic page breaks that repeat the header.
//!
//! CMA reports list dozens of comparables, so a table must continue on new pages by itself. Cells wrap
//! inside their column (rows grow to fit), so no text ever overlaps a neighbour. New pages are inserted
//! right after the current one with the same size; the body on every page is bounded by a `frame`
//! (typically [`crate::layout::ReportLayout::body`]).

use crate::wrap::wrap_text;
use crate::{Align, Color, Document, PageId, Point, Rect, Stroke, TextStyle};

/// One column: its header text, its share of the table width, and how its cells are aligned.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    /// Relative weight: a column of weight 2 is twice as wide as one of weight 1.
    pub width: f32,
    pub align: Align,
}

impl Column {
    pub fn new(header: impl Into<String>, width: f32, align: Align) -> Column {
        Column { header: header.into(), width, align }
    }
}

/// How a table looks.
#[derive(Debug, Clone, PartialEq)]
pub struct TableStyle {
    pub body: TextStyle,
    pub header: TextStyle,
    pub header_fill: Color,
    /// Background of every other body row (the 2nd, 4th, …); `None` for no striping.
    pub stripe: Option<Color>,
    /// Hairline drawn under every body row; `None` for none.
    pub rule: Option<Stroke>,
    /// Horizontal padding inside each cell, in points.
    pub padding_x: f32,
    /// Vertical padding above and below cell text, in points.
    pub padding_y: f32,
}

impl Default for TableStyle {
    fn default() -> TableStyle {
        TableStyle {
            body: TextStyle::new(crate::Font::Sans, 9.0),
            header: TextStyle::new(crate::Font::SansBold, 9.0).color(Color::WHITE),
            header_fill: Color::NAVY,
            stripe: Some(Color::STRIPE),
            rule: Some(Stroke::new(0.5, Color::RULE)),
            padding_x: 6.0,
            padding_y: 4.5,
        }
    }
}

/// A table: columns, rows of cell texts, and a style. Missing cells are blank; extra cells are ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    pub style: TableStyle,
}

impl Table {
    /// A table with these columns, no rows yet, and the default style.
    pub fn new(columns: Vec<Column>) -> Table {
        Table { columns, rows: Vec::new(), style: TableStyle::default() }
    }

    /// Appends a row of cells.
    pub fn push_row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }
}

/// Where a drawn table ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableEnd {
    /// The page holding the last row.
    pub page: PageId,
    /// The y of the bottom edge of the last row: continue the layout below it.
    pub y: f32,
    /// How many pages the table added for its overflow.
    pub pages_added: usize,
}

/// Draws `table` with its top-left corner at `origin`, `width` points wide, starting on `page`.
///
/// Rows never go below `frame.y`; a row that does not fit moves to a new page inserted after the
/// current one, where the header is repeated at `frame.top()`. A row taller than a whole frame is drawn
/// anyway on its own page (and overflows it) rather than looping.
pub fn draw(doc: &mut Document, page: PageId, table: &Table, origin: Point, width: f32, frame: Rect) -> TableEnd {
    let widths = column_widths(&table.columns, width);
    let style = &table.style;
    let headers: Vec<&str> = table.columns.iter().map(|c| c.header.as_str()).collect();
    let header_h = row_height(&headers, &widths, &style.header, style);

    let mut page = page;
    let mut y = origin.y;
    let mut pages_added = 0;
    let first_row_h = table.rows.first().map_or(0.0, |r| row_height(&cells(r), &widths, &style.body, style));
    if y - header_h - first_row_h < frame.y && y < frame.top() {
        page = doc.insert_page_after(page, doc.page_size(page));
        pages_added += 1;
        y = frame.top();
    }
    draw_header(doc, page, table, &widths, origin.x, y, header_h);
    y -= header_h;

    let mut rows_on_page = 0;
    for (i, row) in table.rows.iter().enumerate() {
        let cells = cells(row);
        let h = row_height(&cells, &widths, &style.body, style);
        if y - h < frame.y && rows_on_page > 0 {
            page = doc.insert_page_after(page, doc.page_size(page));
            pages_added += 1;
            y = frame.top();
            draw_header(doc, page, table, &widths, origin.x, y, header_h);
            y -= header_h;
            rows_on_page = 0;
        }
        let p = doc.page(page);
        let row_rect = Rect::new(origin.x, y - h, width, h);
        if let Some(stripe) = style.stripe.filter(|_| i % 2 == 1) {
            p.fill_rect(row_rect, stripe);
        }
        draw_cells(p, &cells, table, &widths, origin.x, y, &style.body);
        if let Some(rule) = style.rule {
            p.line(Point::new(origin.x, y - h), Point::new(origin.x + width, y - h), rule);
        }
        y -= h;
        rows_on_page += 1;
    }
    TableEnd { page, y, pages_added }
}

fn cells(row: &[String]) -> Vec<&str> {
    row.iter().map(String::as_str).collect()
}

/// Column widths in points: weights scaled to `total` (equal shares if the weights are unusable).
fn column_widths(columns: &[Column], total: f32) -> Vec<f32> {
    let sum: f32 = columns.iter().map(|c| c.width.max(0.0)).sum();
    columns
        .iter()
        .map(|c| if sum > 0.0 { total * c.width.max(0.0) / sum } else { total / columns.len() as f32 })
        .collect()
}

/// Height of a row: its tallest wrapped cell plus padding (at least one line).
fn row_height(cells: &[&str], widths: &[f32], text: &TextStyle, style: &TableStyle) -> f32 {
    let lines = widths
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let cell = cells.get(i).copied().unwrap_or("");
            wrap_text(text.font, text.size, cell, w - 2.0 * style.padding_x).len()
        })
        .max()
        .unwrap_or(0)
        .max(1);
    lines as f32 * text.line_height() + 2.0 * style.padding_y
}

fn draw_header(doc: &mut Document, page: PageId, table: &Table, widths: &[f32], x: f32, top: f32, h: f32) {
    let width: f32 = widths.iter().sum();
    let p = doc.page(page);
    p.fill_rect(Rect::new(x, top - h, width, h), table.style.header_fill);
    let headers: Vec<&str> = table.columns.iter().map(|c| c.header.as_str()).collect();
    draw_cells(p, &headers, table, widths, x, top, &table.style.header);
}

/// Draws each cell's wrapped lines inside its column, aligned per column, from the row's top `top`.
fn draw_cells(
    page: &mut crate::Page,
    cells: &[&str],
    table: &Table,
    widths: &[f32],
    x: f32,
    top: f32,
    text: &TextStyle,
) {
    let pad_x = table.style.padding_x;
    let mut left = x;
    for (i, (column, w)) in table.columns.iter().zip(widths).enumerate() {
        let cell = cells.get(i).copied().unwrap_or("");
        let lines = wrap_text(text.font, text.size, cell, w - 2.0 * pad_x);
        let anchor = match column.align {
            Align::Left => left + pad_x,
            Align::Center => left + w / 2.0,
            Align::Right => left + w - pad_x,
        };
        for (n, line) in lines.iter().enumerate() {
            let line_top = top - table.style.padding_y - n as f32 * text.line_height();
            let baseline = text.baseline_in(line_top, text.line_height());
            page.text_aligned(anchor, baseline, line, text, column.align);
        }
        left += w;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_proportional_and_fall_back_to_equal() {
        let cols = vec![Column::new("a", 1.0, Align::Left), Column::new("b", 3.0, Align::Right)];
        assert_eq!(column_widths(&cols, 400.0), vec![100.0, 300.0]);
        let zero = vec![Column::new("a", 0.0, Align::Left), Column::new("b", 0.0, Align::Left)];
        assert_eq!(column_widths(&zero, 400.0), vec![200.0, 200.0]);
    }

    #[test]
    fn rows_grow_to_fit_wrapped_cells() {
        let style = TableStyle::default();
        let one = row_height(&["short"], &[200.0], &style.body, &style);
        let many =
            row_height(&["a fairly long cell text that must wrap in a narrow column"], &[60.0], &style.body, &style);
        assert!(many > 2.0 * one - 2.0 * style.padding_y, "{one} {many}");
    }
}
