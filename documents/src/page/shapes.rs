//! Vector drawing on a page: lines, polylines, rectangles (plain and rounded), circles, module grids.
//!
//! Each call wraps its path in `q … Q`, sets its own colours and width, and picks the paint operator from
//! what was asked: fill only (`f`), stroke only (`S`), both (`B`). Curves use the standard cubic Bézier
//! approximation of a quarter circle.

use super::{color_op, Page};
use crate::pdf::syntax::num;
use crate::{Color, Point, Rect, Stroke};

/// Control-point distance for a quarter circle of radius 1 drawn with one cubic Bézier.
const KAPPA: f32 = 0.552_284_8;

impl Page {
    /// A straight line from `from` to `to`.
    pub fn line(&mut self, from: Point, to: Point, stroke: Stroke) -> &mut Page {
        self.polyline(&[from, to], stroke)
    }

    /// Connected straight segments through `points` (round joins, for chart lines). Fewer than two
    /// points draw nothing.
    pub fn polyline(&mut self, points: &[Point], stroke: Stroke) -> &mut Page {
        if points.len() < 2 {
            return self;
        }
        let mut path = format!("{} m", pt(points[0]));
        for p in &points[1..] {
            path.push_str(&format!(" {} l", pt(*p)));
        }
        self.paint(&path, None, Some(stroke), "1 j 1 J")
    }

    /// A rectangle, filled and/or stroked.
    pub fn rect(&mut self, rect: Rect, fill: Option<Color>, stroke: Option<Stroke>) -> &mut Page {
        let path = format!("{} {} {} {} re", num(rect.x), num(rect.y), num(rect.w), num(rect.h));
        self.paint(&path, fill, stroke, "")
    }

    /// A filled rectangle with no outline.
    pub fn fill_rect(&mut self, rect: Rect, color: Color) -> &mut Page {
        self.rect(rect, Some(color), None)
    }

    /// A rectangle with corners rounded to `radius` (clamped to half the shorter side).
    pub fn rounded_rect(&mut self, rect: Rect, radius: f32, fill: Option<Color>, stroke: Option<Stroke>) -> &mut Page {
        let r = radius.max(0.0).min(rect.w.abs() / 2.0).min(rect.h.abs() / 2.0);
        if r <= 0.0 {
            return self.rect(rect, fill, stroke);
        }
        let (x0, y0, x1, y1) = (rect.x, rect.y, rect.right(), rect.top());
        let k = r * KAPPA;
        let p = |x: f32, y: f32| format!("{} {}", num(x), num(y));
        let path = [
            format!("{} m", p(x0 + r, y0)),
            format!("{} l", p(x1 - r, y0)),
            format!("{} {} {} c", p(x1 - r + k, y0), p(x1, y0 + r - k), p(x1, y0 + r)),
            format!("{} l", p(x1, y1 - r)),
            format!("{} {} {} c", p(x1, y1 - r + k), p(x1 - r + k, y1), p(x1 - r, y1)),
            format!("{} l", p(x0 + r, y1)),
            format!("{} {} {} c", p(x0 + r - k, y1), p(x0, y1 - r + k), p(x0, y1 - r)),
            format!("{} l", p(x0, y0 + r)),
            format!("{} {} {} c h", p(x0, y0 + r - k), p(x0 + r - k, y0), p(x0 + r, y0)),
        ]
        .join(" ");
        self.paint(&path, fill, stroke, "")
    }

    /// A circle around `center` (chart markers, bullets).
    pub fn circle(&mut self, center: Point, radius: f32, fill: Option<Color>, stroke: Option<Stroke>) -> &mut Page {
        let (cx, cy, r) = (center.x, center.y, radius.max(0.0));
        let k = r * KAPPA;
        let p = |x: f32, y: f32| format!("{} {}", num(x), num(y));
        let path = [
            format!("{} m", p(cx + r, cy)),
            format!("{} {} {} c", p(cx + r, cy + k), p(cx + k, cy + r), p(cx, cy + r)),
            format!("{} {} {} c", p(cx - k, cy + r), p(cx - r, cy + k), p(cx - r, cy)),
            format!("{} {} {} c", p(cx - r, cy - k), p(cx - k, cy - r), p(cx, cy - r)),
            format!("{} {} {} c h", p(cx + k, cy - r), p(cx + r, cy - k), p(cx + r, cy)),
        ]
        .join(" ");
        self.paint(&path, fill, stroke, "")
    }

    /// A grid of square modules, e.g. a QR code: `dark` holds `columns`-wide rows from the top row down,
    /// `true` for a filled module. The grid's top-left corner is `(x, top)`; each module is `module`
    /// points square. All modules are filled as one path, so adjacent squares print without seams.
    pub fn modules(&mut self, x: f32, top: f32, module: f32, columns: usize, dark: &[bool], color: Color) -> &mut Page {
        if columns == 0 || module <= 0.0 {
            return self;
        }
        let mut path = String::new();
        for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
            let (row, col) = (i / columns, i % columns);
            let (mx, my) = (x + col as f32 * module, top - (row + 1) as f32 * module);
            path.push_str(&format!("{} {} {} {} re ", num(mx), num(my), num(module), num(module)));
        }
        if path.is_empty() {
            return self;
        }
        self.paint(path.trim_end(), Some(color), None, "")
    }

    /// Emits `q [setup] [colours] path paint Q`; nothing when neither fill nor stroke is given.
    fn paint(&mut self, path: &str, fill: Option<Color>, stroke: Option<Stroke>, setup: &str) -> &mut Page {
        let operator = match (fill.is_some(), stroke.is_some()) {
            (true, true) => "B",
            (true, false) => "f",
            (false, true) => "S",
            (false, false) => return self,
        };
        let mut line = String::from("q ");
        if !setup.is_empty() {
            line.push_str(setup);
            line.push(' ');
        }
        if let Some(color) = fill {
            line.push_str(&color_op(color, "rg"));
            line.push(' ');
        }
        if let Some(s) = stroke {
            line.push_str(&format!("{} w {} ", num(s.width.max(0.0)), color_op(s.color, "RG")));
        }
        line.push_str(&format!("{path} {operator} Q"));
        self.op(&line);
        self
    }
}

fn pt(p: Point) -> String {
    format!("{} {}", num(p.x), num(p.y))
}
