//! Bar and line charts drawn with vector operators: title, legend, value axis with grid lines and
//! thousands-separated tick labels, category labels.
//!
//! CMA reports compare sale prices (bars) and show market indices over time (lines). Charts draw inside
//! a given rectangle and never add pages. Empty data draws the frame with "No data available"; a single
//! value gets a sensible axis around it; non-finite values are skipped (a gap in a line).

mod bar;
mod frame;
mod line;
mod scale;

pub use bar::bar;
pub use line::line;

use crate::format::Unit;
use crate::Color;

/// Default series colours, in order: navy, gold, teal, slate, rose.
pub const PALETTE: [Color; 5] = [Color::NAVY, Color::GOLD, Color::TEAL, Color::hex(0x7B8794), Color::hex(0xC05A6B)];

/// A named sequence of values drawn in one colour. An empty name leaves the series out of the legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// One value per category (bar chart) or per x label (line chart); NaN or infinite values are skipped.
    pub values: Vec<f64>,
    pub color: Color,
}

impl Series {
    pub fn new(name: impl Into<String>, values: Vec<f64>, color: Color) -> Series {
        Series { name: name.into(), values, color }
    }
}

/// Grouped vertical bars: one group per category, one bar per series in each group.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub title: String,
    /// Shown above the value axis, e.g. "AED".
    pub unit: Unit,
    /// Category labels under the groups (wrapped to two lines, then shortened with "...").
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// Print each bar's value above it (when it fits the bar's width).
    pub show_values: bool,
}

/// Lines over ordered x labels (e.g. months), one line per series.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub unit: Unit,
    /// Labels along the x axis; some are skipped when they would collide.
    pub labels: Vec<String>,
    pub series: Vec<Series>,
}
