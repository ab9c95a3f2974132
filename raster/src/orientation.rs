//! A JPEG's EXIF orientation: phone cameras store the sensor's pixels as shot and record how the
//! phone was held (TIFF tag 0x0112), so a portrait photo is stored sideways. Applied once when a
//! photo is decoded, everything drawn from it is upright.

use crate::canvas::Canvas;

/// The orientation (1–8) in EXIF data that starts at its TIFF header; 1 (as stored) when absent
/// or unreadable.
pub(crate) fn from_exif(tiff: &[u8]) -> u16 {
    let little = match tiff.get(..4) {
        Some(b"II*\0") => true,
        Some(b"MM\0*") => false,
        _ => return 1,
    };
    let u16_at = |i: usize| {
        tiff.get(i..i + 2)
            .map(|b| if little { u16::from_le_bytes([b[0], b[1]]) } else { u16::from_be_bytes([b[0], b[1]]) })
    };
    let u32_at = |i: usize| {
        tiff.get(i..i + 4).map(|b| {
            let b = [b[0], b[1], b[2], b[3]];
            if little {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            }
        })
    };
    let Some(ifd) = u32_at(4).map(|o| o as usize) else { return 1 };
    let Some(count) = u16_at(ifd) else { return 1 };
    for entry in (0..count as usize).map(|i| ifd + 2 + 12 * i) {
        // Tag 0x0112, type SHORT (3): the value sits in the entry's first two value bytes.
        if u16_at(entry) == Some(0x0112) && u16_at(entry + 2) == Some(3) {
            return u16_at(entry + 8).filter(|o| (1..=8).contains(o)).unwrap_or(1);
        }
    }
    1
}

/// `canvas` turned upright for `orientation` (EXIF's 1–8: flips, quarter turns and transposes).
pub(crate) fn apply(canvas: Canvas, orientation: u16) -> Canvas {
    if !(2..=8).contains(&orientation) {
        return canvas;
    }
    let (w, h) = (canvas.width(), canvas.height());
    let (ow, oh) = if orientation >= 5 { (h, w) } else { (w, h) };
    let mut out = Vec::with_capacity(canvas.pixels().len());
    for y in 0..oh {
        for x in 0..ow {
            let (sx, sy) = match orientation {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                _ => (w - 1 - y, x),
            };
            let i = (sy as usize * w as usize + sx as usize) * 3;
            out.extend_from_slice(&canvas.pixels()[i..i + 3]);
        }
    }
    Canvas::from_rgb(ow, oh, out).expect("as many pixels as before")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::Rgb;

    #[test]
    fn every_orientation_puts_the_top_left_pixel_where_it_belongs() {
        // 2 × 1: red then blue. Where red lands tells the transform apart.
        let c = || Canvas::from_rgb(2, 1, vec![255, 0, 0, 0, 0, 255]).unwrap();
        let red = Rgb(255, 0, 0);
        let cases = [(1, (2, 1), (0, 0)), (2, (2, 1), (1, 0)), (3, (2, 1), (1, 0)), (4, (2, 1), (0, 0))];
        for (o, size, at) in cases.into_iter().chain([
            (5, (1, 2), (0, 0)),
            (6, (1, 2), (0, 0)),
            (7, (1, 2), (0, 1)),
            (8, (1, 2), (0, 1)),
        ]) {
            let out = apply(c(), o);
            assert_eq!((out.width(), out.height()), size, "orientation {o}");
            assert_eq!(out.get(at.0, at.1), Some(red), "orientation {o}");
        }
    }

    #[test]
    fn orientation_is_read_from_either_byte_order() {
        let entry = |little: bool| {
            let mut t = if little { b"II*\0\x08\0\0\0".to_vec() } else { b"MM\0*\0\0\0\x08".to_vec() };
            let w16 = |v: u16| if little { v.to_le_bytes() } else { v.to_be_bytes() };
            t.extend_from_slice(&w16(1));
            t.extend_from_slice(&w16(0x0112));
            t.extend_from_slice(&w16(3));
            t.extend_from_slice(&if little { 1u32.to_le_bytes() } else { 1u32.to_be_bytes() });
            t.extend_from_slice(&w16(6));
            t.extend_from_slice(&[0, 0]);
            t
        };
        assert_eq!((from_exif(&entry(true)), from_exif(&entry(false))), (6, 6));
        assert_eq!(from_exif(b"junk"), 1);
        assert_eq!(from_exif(b"II*\0\xff\xff\0\0"), 1, "an offset past the end");
    }
}
