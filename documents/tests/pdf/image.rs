//! Images: raw RGB pixels become one Image XObject of the right size, however many pages use it;
//! QR-style module grids draw as filled squares.

use crate::support::{info, parse};
use documents::testing::{image_rects, images};
use documents::{Color, Document, Image, PageSize, Rect};

#[test]
fn embedded_image_is_an_rgb_xobject_with_its_dimensions() {
    let pixels: Vec<u8> = (0..4 * 3).flat_map(|i| [i as u8 * 20, 100, 255 - i as u8 * 20]).collect();
    let mut doc = Document::new(info());
    let img = doc.add_image(Image::rgb(4, 3, pixels.clone()).unwrap());
    let a = doc.add_page(PageSize::A4);
    let b = doc.add_page(PageSize::A4);
    doc.page(a).image(img, Rect::new(50.0, 600.0, 160.0, 120.0));
    doc.page(b).image(img, Rect::new(50.0, 600.0, 80.0, 60.0));
    let pdf = parse(&doc.finish());

    let page_images = pdf.get_page_images(pdf.get_pages()[&1]).unwrap();
    assert_eq!(page_images.len(), 1);
    let image = &page_images[0];
    assert_eq!((image.width, image.height), (4, 3));
    assert_eq!(image.color_space.as_deref(), Some("DeviceRGB"));
    assert_eq!(image.bits_per_component, Some(8));

    let stored = images(&pdf);
    assert_eq!(stored, vec![(4, 3, pixels)], "one image object shared by both pages, pixels intact");
    assert_eq!(image_rects(&pdf, 1), vec![Rect::new(50.0, 600.0, 160.0, 120.0)]);
    assert_eq!(image_rects(&pdf, 2), vec![Rect::new(50.0, 600.0, 80.0, 60.0)]);
}

#[test]
fn module_grid_fills_only_dark_squares() {
    // A 3×3 chequer with 5 dark modules.
    let dark = [true, false, true, false, true, false, true, false, true];
    let mut doc = Document::new(info());
    let p = doc.add_page(PageSize::A4);
    doc.page(p).modules(100.0, 700.0, 4.0, 3, &dark, Color::BLACK);
    let pdf = parse(&doc.finish());
    let content = String::from_utf8_lossy(&pdf.get_page_content(pdf.get_pages()[&1])).to_string();
    // One path of five squares; the page's content runs y down from the top (842 − y).
    assert_eq!(content.matches(" m").count(), 5, "{content}");
    assert_eq!(content.split_whitespace().filter(|t| *t == "f").count(), 1, "filled once: {content}");
    assert!(content.contains("100 146 m"), "top-left module: {content}");
    assert!(content.contains("104 150 m"), "centre module: {content}");
    assert!(content.contains("108 154 m"), "bottom-right module: {content}");
}

#[test]
fn invalid_pixels_are_rejected() {
    assert!(Image::rgb(2, 2, vec![0; 11]).is_err());
}
