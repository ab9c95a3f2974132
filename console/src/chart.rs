//! A KPI's series as bar coordinates for the analytics page's SVG (no script draws the charts).

use serde::Serialize;

const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 120.0;
/// Room under the bars for the first and last bucket's dates.
const AXIS: f64 = 16.0;
const GAP: f64 = 2.0;

#[derive(Debug, Serialize, PartialEq)]
pub(crate) struct Bar {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// The bucket's first day and its value, for the bar's tooltip.
    pub title: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Chart {
    pub width: f64,
    pub height: f64,
    pub axis_y: f64,
    pub bars: Vec<Bar>,
    pub first: String,
    pub last: String,
    pub max: f64,
}

/// Bars for `(bucket start, value)` points, scaled to the largest value (an empty or all-zero
/// series gets flat bars). Missing values count as zero.
pub(crate) fn bars(points: &[(String, Option<f64>)]) -> Chart {
    let n = points.len().max(1) as f64;
    let max = points.iter().filter_map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let plot = HEIGHT - AXIS;
    let w = ((WIDTH - GAP * (n - 1.0)) / n).max(1.0);
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, (start, v))| {
            let value = v.unwrap_or(0.0).max(0.0);
            let h = if max > 0.0 { (value / max * plot).max(if value > 0.0 { 1.0 } else { 0.0 }) } else { 0.0 };
            let round = |x: f64| (x * 10.0).round() / 10.0;
            Bar {
                x: round(i as f64 * (w + GAP)),
                y: round(plot - h),
                w: round(w),
                h: round(h),
                title: format!(
                    "{start}: {}",
                    v.map_or("—".to_string(), |v| format!("{}", (v * 100.0).round() / 100.0))
                ),
            }
        })
        .collect();
    Chart {
        width: WIDTH,
        height: HEIGHT,
        axis_y: HEIGHT - 3.0,
        bars,
        first: points.first().map(|p| p.0.clone()).unwrap_or_default(),
        last: points.last().map(|p| p.0.clone()).unwrap_or_default(),
        max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value() {
        let c =
            bars(&[("2026-03-01".into(), Some(1.0)), ("2026-03-02".into(), Some(4.0)), ("2026-03-03".into(), None)]);
        assert_eq!(c.bars.len(), 3);
        assert_eq!(c.bars[1].h, HEIGHT - AXIS);
        assert_eq!(c.bars[1].y, 0.0);
        assert_eq!(c.bars[0].h, ((HEIGHT - AXIS) / 4.0 * 10.0).round() / 10.0);
        assert_eq!(c.bars[2].h, 0.0);
        assert_eq!(c.bars[2].title, "2026-03-03: —");
        assert!(c.bars[2].x + c.bars[2].w <= WIDTH + 0.5);
        assert_eq!((c.first.as_str(), c.last.as_str(), c.max), ("2026-03-01", "2026-03-03", 4.0));
    }

    #[test]
    fn an_empty_or_zero_series_draws_flat() {
        assert!(bars(&[]).bars.is_empty());
        let c = bars(&[("a".into(), Some(0.0)), ("b".into(), Some(0.0))]);
        assert!(c.bars.iter().all(|b| b.h == 0.0 && b.y == HEIGHT - AXIS));
    }
}
