//! Grouped bar charts, e.g. the sale prices of comparable properties.
//!
//! The value axis always includes zero (bars grow from it, up or down). Category labels wrap to two
//! lines under their group; value labels sit above bars when they fit the bar's share of the group.

use super::frame::{chrome, data_range, label_style, no_data, value_axis};
use super::scale::Scale;
use super::BarChart;
use crate::format::thousands;
use crate::wrap::{truncate_to_width, wrap_text};
use crate::{text_width, Color, Font, Page, Point, Rect, Stroke, TextStyle};

/// Space under the plot for two lines of category labels.
const CATEGORY_SPACE: f32 = 24.0;
/// Share of each group's width covered by its bars.
const FILL: f32 = 0.72;
/// Widest a single bar may get, so a chart with few categories does not show slabs.
const MAX_BAR: f32 = 44.0;

/// Draws `chart` inside `area` on `page`.
pub fn bar(page: &mut Page, area: Rect, chart: &BarChart) {
    let body = chrome(page, area, &chart.title, chart.unit, &chart.series);
    let n = chart.categories.len();
    let Some((lo, hi)) = data_range(&chart.series, n).filter(|_| n > 0 && !chart.series.is_empty()) else {
        no_data(page, body);
        return;
    };
    let (mut lo, mut hi) = (lo.min(0.0), hi.max(0.0));
    if chart.show_values {
        // Head-room so the label above the tallest bar stays inside the plot.
        let pad = (hi - lo).max(f64::MIN_POSITIVE) * 0.08;
        hi += if hi > 0.0 { pad } else { 0.0 };
        lo -= if lo < 0.0 { pad } else { 0.0 };
    }
    let scale = Scale::nice(lo, hi, 5);
    let plot = value_axis(page, body, &scale, CATEGORY_SPACE);
    if plot.w <= 0.0 || plot.h <= 0.0 {
        return;
    }
    let group_w = plot.w / n as f32;
    let s = chart.series.len();
    let bar_w = (group_w * FILL / s as f32).min(MAX_BAR);
    let gap = if s > 1 { (bar_w * 0.12).min(2.0) } else { 0.0 };
    let zero_y = plot.y + scale.fraction(0.0) * plot.h;
    let value_style = TextStyle::new(Font::Sans, 6.5).color(Color::TEXT);

    for (c, category) in chart.categories.iter().enumerate() {
        let group_x = plot.x + c as f32 * group_w;
        let cluster_x = group_x + (group_w - bar_w * s as f32) / 2.0;
        for (k, series) in chart.series.iter().enumerate() {
            let Some(&value) = series.values.get(c).filter(|v| v.is_finite()) else { continue };
            let value_y = plot.y + scale.fraction(value) * plot.h;
            let x = cluster_x + k as f32 * bar_w + gap / 2.0;
            let w = bar_w - gap;
            page.fill_rect(Rect::new(x, zero_y.min(value_y), w, (value_y - zero_y).abs()), series.color);
            if chart.show_values {
                let text = thousands(value, if value.fract() == 0.0 || value.abs() >= 100.0 { 0 } else { 1 });
                if text_width(value_style.font, value_style.size, &text) <= bar_w + gap + 6.0 {
                    let y = if value >= 0.0 {
                        value_y + 3.0
                    } else {
                        value_y - 3.0 - crate::style::CAP_HEIGHT * value_style.size
                    };
                    page.text_centered(x + w / 2.0, y, &text, &value_style);
                }
            }
        }
        draw_category(page, category, group_x + group_w / 2.0, group_w - 4.0, plot.y);
    }
    page.line(Point::new(plot.x, zero_y), Point::new(plot.right(), zero_y), Stroke::new(0.75, Color::MUTED));
}

/// A category label centred at `center` under the plot: at most two lines, the second shortened.
fn draw_category(page: &mut Page, category: &str, center: f32, width: f32, plot_bottom: f32) {
    let style = label_style();
    let mut lines = wrap_text(style.font, style.size, category, width.max(1.0));
    if lines.len() > 2 {
        let rest = lines[1..].join(" ");
        lines.truncate(1);
        lines.push(truncate_to_width(style.font, style.size, &rest, width));
    }
    for (i, line) in lines.iter().enumerate() {
        let baseline = plot_bottom - 9.0 - i as f32 * style.line_height();
        page.text_centered(center, baseline, line, &style);
    }
}
