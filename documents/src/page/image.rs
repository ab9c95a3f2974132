//! Placing an embedded image on a page.
//!
//! The pixels are stored once in the document (see `Document::add_image`); a page only records where the
//! image goes, and the PDF holds one image object however often it is drawn.

use super::{Op, Page};
use crate::{ImageId, Rect};

impl Page {
    /// Paints image `id` stretched to fill `rect` (keep the aspect ratio by choosing `rect` accordingly).
    ///
    /// `id` must come from the same [`crate::Document`]; `Document::finish` panics otherwise.
    pub fn image(&mut self, id: ImageId, rect: Rect) -> &mut Page {
        self.push(Op::Image { index: id.0, rect })
    }
}
