//! The brochure's photos: the main photo across the page under the title block, and the next ones
//! in a row beneath it, each cropped to its box (never stretched) and never enlarged past the
//! pixels it has.

use documents::{Document, Image, Rect};
use raster::Canvas;

use super::Cursor;

/// Photos a brochure shows: the main one and a row of two.
pub const BROCHURE_PHOTOS_MAX: usize = 3;
/// Height of the main photo's box as a fraction of its width (a wide 20:9 crop that leaves the
/// first page room for the facts).
const MAIN_ASPECT: f32 = 0.45;
/// Height of the smaller photos' boxes as a fraction of their width (3:2, as cameras shoot).
const ROW_ASPECT: f32 = 2.0 / 3.0;
/// Points between the photos and below them.
const GAP: f32 = 8.0;
/// Widest a photo is embedded, in pixels: about 220 dpi across an A4 body, enough for print.
const MAIN_PX_MAX: u32 = 1600;
const ROW_PX_MAX: u32 = 800;

/// Draws `photos` (at most [`BROCHURE_PHOTOS_MAX`]) from the cursor down and moves it past them.
pub(super) fn draw(doc: &mut Document, at: &mut Cursor, body: Rect, photos: &[Canvas]) {
    let Some((main, rest)) = photos.split_first() else { return };
    let h = body.w * MAIN_ASPECT;
    place(doc, at, Rect::new(body.x, at.y - h, body.w, h), main, MAIN_PX_MAX);
    at.y -= h + GAP;
    let rest = &rest[..rest.len().min(BROCHURE_PHOTOS_MAX - 1)];
    if rest.is_empty() {
        at.y -= GAP;
        return;
    }
    let w = (body.w - GAP) / 2.0;
    let h = w * ROW_ASPECT;
    for (i, photo) in rest.iter().enumerate() {
        place(doc, at, Rect::new(body.x + i as f32 * (w + GAP), at.y - h, w, h), photo, ROW_PX_MAX);
    }
    at.y -= h + 2.0 * GAP;
}

/// The photo cropped to the box's shape and embedded; drawn filling the box.
fn place(doc: &mut Document, at: &Cursor, rect: Rect, photo: &Canvas, px_max: u32) {
    let cropped = crop_to(photo, rect.h / rect.w, px_max);
    let image = Image::rgb(cropped.width(), cropped.height(), cropped.pixels().to_vec())
        .expect("a canvas has width × height × 3 bytes");
    let id = doc.add_image(image);
    doc.page(at.page).image(id, rect);
}

/// `photo` cut to height/width `aspect` around its centre, at most `px_max` wide, never enlarged.
pub(super) fn crop_to(photo: &Canvas, aspect: f32, px_max: u32) -> Canvas {
    let aspect = f64::from(aspect);
    // The small epsilon keeps a 90 × 60 photo 90 wide in a 3:2 box whose aspect is 0.6666667 in f32.
    let w = ((photo.width() as f64).min(photo.height() as f64 / aspect).min(f64::from(px_max)) + 1e-3).floor().max(1.0);
    let h = (w * aspect).round().max(1.0);
    let mut out = Canvas::new(w as u32, h as u32, raster::Rgb::WHITE);
    out.draw_cover(photo, 0, 0, w as u32, h as u32);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crops_keep_the_box_shape_and_never_enlarge() {
        let photo = Canvas::new(120, 80, raster::Rgb(196, 98, 52));
        let main = crop_to(&photo, MAIN_ASPECT, MAIN_PX_MAX);
        assert_eq!((main.width(), main.height()), (120, 54));
        let tall = crop_to(&Canvas::new(80, 120, raster::Rgb::BLACK), ROW_ASPECT, ROW_PX_MAX);
        assert_eq!((tall.width(), tall.height()), (80, 53));
        let big = crop_to(&Canvas::new(4000, 3000, raster::Rgb::BLACK), ROW_ASPECT, ROW_PX_MAX);
        assert_eq!((big.width(), big.height()), (800, 533));
        assert_eq!(main.get(60, 27), Some(raster::Rgb(196, 98, 52)));
    }
}
