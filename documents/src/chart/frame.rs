//! The parts every chart shares: title, unit label and legend above the plot, the value axis with grid
//! lines and tick labels, and the "No data available" state.
//!
//! Bar and line charts only differ in what they draw inside the plot rectangle this file computes, so
//! their frames always look alike.

use super::scale::Scale;
use super::Series;
use crate::format::Unit;
use crate::{text_width, Color, Font, Page, Point, Rect, Stroke, TextStyle};

pub(crate) fn title_style() -> TextStyle {
    TextStyle::new(Font::SansBold, 10.5)
}

/// Axis labels and the unit.
pub(crate) fn label_style() -> TextStyle {
    TextStyle::new(Font::Sans, 7.5).color(Color::MUTED)
}

fn legend_style() -> TextStyle {
    TextStyle::new(Font::Sans, 7.5)
}

const TITLE_BLOCK: f32 = 17.0;
const LEGEND_ROW: f32 = 11.0;
const SWATCH: f32 = 7.0;
const SWATCH_GAP: f32 = 4.0;
const ITEM_GAP: f32 = 12.0;

/// Draws the title, then a row with the unit on the left and the legend on the right (wrapping to more
/// rows if needed), and returns the area left below them.
pub(crate) fn chrome(page: &mut Page, area: Rect, title: &str, unit: Unit, series: &[Series]) -> Rect {
    let mut top = area.top();
    if !title.is_empty() {
        let style = title_style();
        page.text(area.x, style.baseline_in(top, 13.0), title, &style);
        top -= TITLE_BLOCK;
    }
    let named: Vec<&Series> = series.iter().filter(|s| !s.name.is_empty()).collect();
    let unit_label = unit.label();
    if named.is_empty() && unit_label.is_empty() {
        return Rect::new(area.x, area.y, area.w, (top - area.y).max(0.0));
    }
    let label = label_style();
    if !unit_label.is_empty() {
        page.text(area.x, label.baseline_in(top, LEGEND_ROW), unit_label, &label);
    }
    let reserved = if unit_label.is_empty() { 0.0 } else { text_width(label.font, label.size, unit_label) + ITEM_GAP };
    let rows = legend_rows(&named, area.w - reserved);
    let legend = legend_style();
    for (r, row) in rows.iter().enumerate() {
        let row_top = top - r as f32 * LEGEND_ROW;
        let baseline = legend.baseline_in(row_top, LEGEND_ROW);
        let row_width: f32 = row.iter().map(|s| item_width(s)).sum::<f32>() + ITEM_GAP * (row.len() - 1) as f32;
        let mut x = area.right() - row_width;
        for s in row {
            page.fill_rect(Rect::new(x, baseline - 0.5, SWATCH, SWATCH), s.color);
            page.text(x + SWATCH + SWATCH_GAP, baseline, &s.name, &legend);
            x += item_width(s) + ITEM_GAP;
        }
    }
    top -= rows.len().max(1) as f32 * LEGEND_ROW + 4.0;
    Rect::new(area.x, area.y, area.w, (top - area.y).max(0.0))
}

fn item_width(s: &Series) -> f32 {
    let style = legend_style();
    SWATCH + SWATCH_GAP + text_width(style.font, style.size, &s.name)
}

/// Legend items split into rows no wider than `width` (each row holds at least one item).
fn legend_rows<'a>(items: &[&'a Series], width: f32) -> Vec<Vec<&'a Series>> {
    let mut rows: Vec<Vec<&Series>> = Vec::new();
    let mut used = 0.0;
    for &item in items {
        let w = item_width(item);
        match rows.last_mut() {
            Some(row) if used + ITEM_GAP + w <= width => {
                row.push(item);
                used += ITEM_GAP + w;
            }
            _ => {
                rows.push(vec![item]);
                used = w;
            }
        }
    }
    rows
}

/// Draws horizontal grid lines and right-aligned tick labels for `scale` in `area`, keeping
/// `bottom_reserved` points free below the plot for category labels. Returns the plot rectangle.
pub(crate) fn value_axis(page: &mut Page, area: Rect, scale: &Scale, bottom_reserved: f32) -> Rect {
    let label = label_style();
    let ticks = scale.ticks();
    let labels: Vec<String> = ticks.iter().map(|&t| scale.label(t)).collect();
    let label_w = labels.iter().map(|l| text_width(label.font, label.size, l)).fold(0.0, f32::max);
    // Half a label's height stays free above the top tick so its label is not clipped by the legend.
    let plot = Rect::new(
        area.x + label_w + 6.0,
        area.y + bottom_reserved,
        (area.w - label_w - 8.0).max(0.0),
        (area.h - bottom_reserved - 5.0).max(0.0),
    );
    for (value, text) in ticks.iter().zip(&labels) {
        let y = plot.y + scale.fraction(*value) * plot.h;
        page.line(Point::new(plot.x, y), Point::new(plot.right(), y), Stroke::new(0.5, Color::RULE));
        page.text_right(plot.x - 5.0, y - crate::style::CAP_HEIGHT / 2.0 * label.size, text, &label);
    }
    plot
}

/// The empty state: a light panel with a centred note.
pub(crate) fn no_data(page: &mut Page, area: Rect) {
    if area.w <= 0.0 || area.h <= 0.0 {
        return;
    }
    page.rounded_rect(area, 4.0, Some(Color::STRIPE), None);
    let style = TextStyle::new(Font::Sans, 9.0).color(Color::MUTED);
    let baseline = style.baseline_in(area.top(), area.h);
    page.text_centered(area.x + area.w / 2.0, baseline, "No data available", &style);
}

/// The smallest and largest finite values across `series`, looking at the first `n` values of each.
pub(crate) fn data_range(series: &[Series], n: usize) -> Option<(f64, f64)> {
    series.iter().flat_map(|s| s.values.iter().take(n)).filter(|v| v.is_finite()).fold(None, |acc, &v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}
