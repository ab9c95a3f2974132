//! One page: its size and the drawing operations recorded on it, in painting order.
//!
//! Drawing methods live in sibling files by kind (text, shapes, images); this file holds the recorded
//! operations they share. Pages record *what* to draw in this crate's coordinates (points, origin at the
//! bottom-left of the trim box, y upwards); `render` turns the record into PDF content at
//! `Document::finish`, which is what lets helpers draw on earlier pages later ("Page N of M").

mod image;
mod shapes;
mod text;

use crate::{Color, Font, PageSize, Point, Rect, Stroke};

/// A page being drawn. Obtain one with [`crate::Document::page`]; coordinates are points from the
/// bottom-left corner of the trim box, y upwards.
#[derive(Debug, Clone)]
pub struct Page {
    size: PageSize,
    ops: Vec<Op>,
}

/// One recorded drawing operation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// A line of text with its baseline starting at `at`.
    Text { at: Point, font: Font, size: f32, color: Color, text: String },
    /// A path of one or more subpaths, filled (non-zero rule) and/or stroked.
    Path { segments: Vec<Segment>, fill: Option<Color>, stroke: Option<Stroke>, round_joins: bool },
    /// Image `index` of the document stretched over `rect`.
    Image { index: usize, rect: Rect },
}

/// A piece of a path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Segment {
    Move(Point),
    Line(Point),
    /// A cubic Bézier: two control points, then the end point.
    Cubic(Point, Point, Point),
    Close,
}

impl Page {
    pub(crate) fn new(size: PageSize) -> Page {
        Page { size, ops: Vec::new() }
    }

    /// The page's size as given to `add_page`.
    pub fn size(&self) -> PageSize {
        self.size
    }

    pub(crate) fn ops(&self) -> &[Op] {
        &self.ops
    }

    fn push(&mut self, op: Op) -> &mut Page {
        self.ops.push(op);
        self
    }
}
