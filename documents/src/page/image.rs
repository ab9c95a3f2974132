//! Placing an embedded image on a page.
//!
//! The pixels are stored once in the document (see `Document::add_image`); a page only scales the unit
//! square to the target rectangle and paints the XObject there.

use super::Page;
use crate::pdf::syntax::num;
use crate::{ImageId, Rect};

impl Page {
    /// Paints image `id` stretched to fill `rect` (keep the aspect ratio by choosing `rect` accordingly).
    ///
    /// `id` must come from the same [`crate::Document`]; `Document::finish` panics otherwise.
    pub fn image(&mut self, id: ImageId, rect: Rect) -> &mut Page {
        if !self.images.contains(&id.0) {
            self.images.push(id.0);
        }
        let line = format!("q {} 0 0 {} {} {} cm /Im{} Do Q", num(rect.w), num(rect.h), num(rect.x), num(rect.y), id.0);
        self.op(&line);
        self
    }
}
