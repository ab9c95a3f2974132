//! Vector drawing on a page: lines, polylines, rectangles (plain and rounded), circles, module grids.
//!
//! Each call records one path with its own colours and width, painted with what was asked: fill only,
//! stroke only, or both; neither draws nothing. Curves use the standard cubic Bézier approximation of a
//! quarter circle.

use super::{Op, Page, Segment};
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
        let mut segments = vec![Segment::Move(points[0])];
        segments.extend(points[1..].iter().map(|p| Segment::Line(*p)));
        self.paint(segments, None, Some(stroke), true)
    }

    /// A rectangle, filled and/or stroked.
    pub fn rect(&mut self, rect: Rect, fill: Option<Color>, stroke: Option<Stroke>) -> &mut Page {
        let mut segments = Vec::with_capacity(5);
        push_rect(&mut segments, rect);
        self.paint(segments, fill, stroke, false)
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
        let p = Point::new;
        let segments = vec![
            Segment::Move(p(x0 + r, y0)),
            Segment::Line(p(x1 - r, y0)),
            Segment::Cubic(p(x1 - r + k, y0), p(x1, y0 + r - k), p(x1, y0 + r)),
            Segment::Line(p(x1, y1 - r)),
            Segment::Cubic(p(x1, y1 - r + k), p(x1 - r + k, y1), p(x1 - r, y1)),
            Segment::Line(p(x0 + r, y1)),
            Segment::Cubic(p(x0 + r - k, y1), p(x0, y1 - r + k), p(x0, y1 - r)),
            Segment::Line(p(x0, y0 + r)),
            Segment::Cubic(p(x0, y0 + r - k), p(x0 + r - k, y0), p(x0 + r, y0)),
            Segment::Close,
        ];
        self.paint(segments, fill, stroke, false)
    }

    /// A circle around `center` (chart markers, bullets).
    pub fn circle(&mut self, center: Point, radius: f32, fill: Option<Color>, stroke: Option<Stroke>) -> &mut Page {
        let (cx, cy, r) = (center.x, center.y, radius.max(0.0));
        let k = r * KAPPA;
        let p = Point::new;
        let segments = vec![
            Segment::Move(p(cx + r, cy)),
            Segment::Cubic(p(cx + r, cy + k), p(cx + k, cy + r), p(cx, cy + r)),
            Segment::Cubic(p(cx - k, cy + r), p(cx - r, cy + k), p(cx - r, cy)),
            Segment::Cubic(p(cx - r, cy - k), p(cx - k, cy - r), p(cx, cy - r)),
            Segment::Cubic(p(cx + k, cy - r), p(cx + r, cy - k), p(cx + r, cy)),
            Segment::Close,
        ];
        self.paint(segments, fill, stroke, false)
    }

    /// A grid of square modules, e.g. a QR code: `dark` holds `columns`-wide rows from the top row down,
    /// `true` for a filled module. The grid's top-left corner is `(x, top)`; each module is `module`
    /// points square. All modules are filled as one path, so adjacent squares print without seams.
    pub fn modules(&mut self, x: f32, top: f32, module: f32, columns: usize, dark: &[bool], color: Color) -> &mut Page {
        if columns == 0 || module <= 0.0 {
            return self;
        }
        let mut segments = Vec::new();
        for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
            let (row, col) = (i / columns, i % columns);
            let (mx, my) = (x + col as f32 * module, top - (row + 1) as f32 * module);
            push_rect(&mut segments, Rect::new(mx, my, module, module));
        }
        self.paint(segments, Some(color), None, false)
    }

    /// Records the path unless it is empty or neither fill nor stroke is given.
    fn paint(
        &mut self,
        segments: Vec<Segment>,
        fill: Option<Color>,
        stroke: Option<Stroke>,
        round_joins: bool,
    ) -> &mut Page {
        if segments.is_empty() || (fill.is_none() && stroke.is_none()) {
            return self;
        }
        self.push(Op::Path { segments, fill, stroke, round_joins })
    }
}

/// A closed axis-aligned rectangle, counter-clockwise from the bottom-left like PDF's `re`.
fn push_rect(segments: &mut Vec<Segment>, r: Rect) {
    segments.extend([
        Segment::Move(Point::new(r.x, r.y)),
        Segment::Line(Point::new(r.right(), r.y)),
        Segment::Line(Point::new(r.right(), r.top())),
        Segment::Line(Point::new(r.x, r.top())),
        Segment::Close,
    ]);
}
