//! Line charts, e.g. a monthly price index or average AED/sqft over time.
//!
//! The value axis fits the data (it need not include zero). Non-finite values break a line into
//! segments; a point with no neighbour still shows as a marker. X labels are thinned out evenly when
//! they would collide.

use super::frame::{chrome, data_range, label_style, no_data, value_axis};
use super::scale::Scale;
use super::LineChart;
use crate::{text_width, Color, Page, Point, Rect, Stroke};

/// Space under the plot for one line of x labels.
const LABEL_SPACE: f32 = 15.0;
/// Keep the first and last points off the plot's edges.
const INSET: f32 = 8.0;
/// Above this many points, markers are drawn only for isolated points.
const MAX_MARKED: usize = 24;

/// Draws `chart` inside `area` on `page`.
pub fn line(page: &mut Page, area: Rect, chart: &LineChart) {
    let body = chrome(page, area, &chart.title, chart.unit, &chart.series);
    let longest = chart.series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let n = chart.labels.len().max(longest);
    let Some((lo, hi)) = data_range(&chart.series, n) else {
        no_data(page, body);
        return;
    };
    let scale = Scale::nice(lo, hi, 5);
    let plot = value_axis(page, body, &scale, LABEL_SPACE);
    if plot.w <= 0.0 || plot.h <= 0.0 {
        return;
    }
    page.line(Point::new(plot.x, plot.y), Point::new(plot.right(), plot.y), Stroke::new(0.75, Color::MUTED));
    let x_at = |i: usize| {
        if n <= 1 {
            plot.x + plot.w / 2.0
        } else {
            plot.x + INSET + i as f32 * (plot.w - 2.0 * INSET) / (n - 1) as f32
        }
    };
    draw_labels(page, &chart.labels, n, plot, &x_at);

    for series in &chart.series {
        let mut segment: Vec<Point> = Vec::new();
        let mut segments: Vec<Vec<Point>> = Vec::new();
        for (i, value) in series.values.iter().take(n).enumerate() {
            if value.is_finite() {
                segment.push(Point::new(x_at(i), plot.y + scale.fraction(*value) * plot.h));
            } else if !segment.is_empty() {
                segments.push(std::mem::take(&mut segment));
            }
        }
        if !segment.is_empty() {
            segments.push(segment);
        }
        let stroke = Stroke::new(1.6, series.color);
        for points in &segments {
            page.polyline(points, stroke);
            if n <= MAX_MARKED || points.len() == 1 {
                for p in points {
                    page.circle(*p, 2.2, Some(series.color), Some(Stroke::new(0.8, Color::WHITE)));
                }
            }
        }
    }
}

/// X labels under their points, every `step`-th one so neighbours never touch.
fn draw_labels(page: &mut Page, labels: &[String], n: usize, plot: Rect, x_at: &dyn Fn(usize) -> f32) {
    let style = label_style();
    let widest = labels.iter().map(|l| text_width(style.font, style.size, l)).fold(0.0, f32::max);
    let spacing = if n > 1 { (plot.w - 2.0 * INSET) / (n - 1) as f32 } else { plot.w };
    let step = ((widest + 6.0) / spacing.max(0.1)).ceil().max(1.0) as usize;
    for (i, label) in labels.iter().enumerate().take(n).step_by(step) {
        page.text_centered(x_at(i), plot.y - 10.0, label, &style);
    }
}
