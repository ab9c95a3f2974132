//! Images: raw RGB pixels become one Image XObject of the right size, however many pages use it;
//! QR-style module grids draw as filled squares.

use crate::support::{info, parse};
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

    let images = pdf.get_page_images(pdf.get_pages()[&1]).unwrap();
    assert_eq!(images.len(), 1);
    let image = &images[0];
    assert_eq!((image.width, image.height), (4, 3));
    assert_eq!(image.color_space.as_deref(), Some("DeviceRGB"));
    assert_eq!(image.bits_per_component, Some(8));
    assert_eq!(image.content, pixels.as_slice());

    let stored = pdf
        .objects
        .values()
        .filter(|o| {
            o.as_stream().is_ok_and(|s| s.dict.get(b"Subtype").is_ok_and(|t| t.as_name().ok() == Some(b"Image")))
        })
        .count();
    assert_eq!(stored, 1, "one XObject shared by both pages");
    let content = String::from_utf8_lossy(&pdf.get_page_content(pdf.get_pages()[&1])).to_string();
    assert!(content.contains("160 0 0 120 50 600 cm /Im0 Do"), "{content}");
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
    assert_eq!(content.matches(" re").count(), 5, "{content}");
    assert!(content.contains("100 696 4 4 re"), "top-left module: {content}");
    assert!(content.contains("104 692 4 4 re"), "centre module: {content}");
    assert!(content.contains("108 688 4 4 re"), "bottom-right module: {content}");
}

#[test]
fn invalid_pixels_are_rejected() {
    assert!(Image::rgb(2, 2, vec![0; 11]).is_err());
}
