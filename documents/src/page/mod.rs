//! One page: its size and the content stream that drawing calls append to.
//!
//! Drawing methods live in sibling files by kind (text, shapes, images); this file holds the state they
//! share and the raw operator helpers. Every drawing call is self-contained — it sets its own colour and
//! line width and restores the graphics state — so calls can come in any order from any helper.

mod image;
mod shapes;
mod text;

use crate::pdf::syntax::num;
use crate::{Color, Font, PageSize};

/// A page being drawn. Obtain one with [`crate::Document::page`]; coordinates are points from the
/// bottom-left corner of the trim box, y upwards.
#[derive(Debug, Clone)]
pub struct Page {
    size: PageSize,
    content: Vec<u8>,
    /// Fonts referenced by the content, by [`Font::index`].
    fonts: [bool; Font::ALL.len()],
    /// Images referenced by the content, by [`crate::ImageId`] index.
    images: Vec<usize>,
}

impl Page {
    pub(crate) fn new(size: PageSize) -> Page {
        let mut page = Page { size, content: Vec::new(), fonts: [false; Font::ALL.len()], images: Vec::new() };
        if size.bleed > 0.0 {
            // Shift the origin to the trim box so layouts ignore the bleed; this CTM stays for the page.
            let b = num(size.bleed);
            page.op(&format!("1 0 0 1 {b} {b} cm"));
        }
        page
    }

    /// The page's size as given to `add_page`.
    pub fn size(&self) -> PageSize {
        self.size
    }

    pub(crate) fn content(&self) -> &[u8] {
        &self.content
    }

    pub(crate) fn uses_font(&self, font: Font) -> bool {
        self.fonts[font.index()]
    }

    pub(crate) fn image_indexes(&self) -> &[usize] {
        &self.images
    }

    /// Appends one line of operators.
    fn op(&mut self, line: &str) {
        self.content.extend_from_slice(line.as_bytes());
        self.content.push(b'\n');
    }

    /// Appends raw bytes (used for encoded strings) without a newline.
    fn raw(&mut self, bytes: &[u8]) {
        self.content.extend_from_slice(bytes);
    }
}

/// `r g b` with a trailing operator, e.g. `rg` (fill) or `RG` (stroke).
fn color_op(color: Color, op: &str) -> String {
    let [r, g, b] = color.clamped();
    format!("{} {} {} {op}", num(r), num(g), num(b))
}
