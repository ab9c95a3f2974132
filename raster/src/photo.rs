//! Listing photos: PNG and JPEG files recognised by their signature (never by a name or a declared
//! media type), their size read from the header, and their pixels decoded onto a [`Canvas`].
//!
//! Decoding is bounded: the header's size is checked against [`PIXELS_MAX`] before any pixel
//! buffer is allocated, so a small file that claims a huge image cannot exhaust memory.
//! Transparency is flattened onto white (photos are shown on white paper and on navy cards alike,
//! and white is what a viewer shows behind a transparent PNG).

use std::io::Cursor;

use crate::canvas::Canvas;

/// Largest photo decoded, in pixels (a 48-megapixel phone camera's full size, with room).
pub const PIXELS_MAX: u64 = 50_000_000;

/// The file formats accepted as photos.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhotoFormat {
    Png,
    Jpeg,
}

impl PhotoFormat {
    /// The format the bytes start like, if it is one of ours.
    pub fn sniff(bytes: &[u8]) -> Option<PhotoFormat> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(PhotoFormat::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(PhotoFormat::Jpeg)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            PhotoFormat::Png => "image/png",
            PhotoFormat::Jpeg => "image/jpeg",
        }
    }

    fn name(self) -> &'static str {
        match self {
            PhotoFormat::Png => "PNG",
            PhotoFormat::Jpeg => "JPEG",
        }
    }
}

/// Why bytes are not a photo we can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the file is neither a PNG nor a JPEG")]
    UnknownFormat,
    #[error("the {format} file cannot be decoded: {reason}")]
    Corrupt { format: &'static str, reason: String },
    #[error("the photo is {width} × {height} pixels; at most {PIXELS_MAX} pixels are accepted")]
    TooManyPixels { width: u32, height: u32 },
}

/// A photo's format and size in pixels, read from its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhotoInfo {
    pub format: PhotoFormat,
    pub width: u32,
    pub height: u32,
}

/// The format and size of a photo as stored, without decoding its pixels (a JPEG's EXIF
/// orientation may swap width and height when it is decoded; see [`decode`]).
pub fn probe(bytes: &[u8]) -> Result<PhotoInfo, PhotoError> {
    let format = PhotoFormat::sniff(bytes).ok_or(PhotoError::UnknownFormat)?;
    let corrupt = |reason: String| PhotoError::Corrupt { format: format.name(), reason };
    let (width, height) = match format {
        PhotoFormat::Png => {
            let reader = ::png::Decoder::new(Cursor::new(bytes)).read_info().map_err(|e| corrupt(e.to_string()))?;
            (reader.info().width, reader.info().height)
        }
        PhotoFormat::Jpeg => {
            let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
            decoder.read_info().map_err(|e| corrupt(e.to_string()))?;
            let info = decoder.info().ok_or_else(|| corrupt("no frame header".into()))?;
            (u32::from(info.width), u32::from(info.height))
        }
    };
    if width == 0 || height == 0 {
        return Err(corrupt("the image has no pixels".into()));
    }
    if u64::from(width) * u64::from(height) > PIXELS_MAX {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    Ok(PhotoInfo { format, width, height })
}

/// The photo's pixels, upright: a JPEG's EXIF orientation is applied, so a portrait shot comes out
/// portrait.
pub fn decode(bytes: &[u8]) -> Result<Canvas, PhotoError> {
    let info = probe(bytes)?;
    let corrupt = |reason: String| PhotoError::Corrupt { format: info.format.name(), reason };
    let (rgb, orientation) = match info.format {
        PhotoFormat::Png => (decode_png(bytes).map_err(|e| corrupt(e.to_string()))?, 1),
        PhotoFormat::Jpeg => decode_jpeg(bytes).map_err(corrupt)?,
    };
    let canvas = Canvas::from_rgb(info.width, info.height, rgb)
        .ok_or_else(|| corrupt("fewer pixels than the header says".into()))?;
    Ok(crate::orientation::apply(canvas, orientation))
}

fn decode_png(bytes: &[u8]) -> Result<Vec<u8>, ::png::DecodingError> {
    let mut decoder = ::png::Decoder::new(Cursor::new(bytes));
    // Palette and low bit depths expanded, 16-bit channels cut to 8: one of four 8-bit layouts.
    decoder.set_transformations(::png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info()?;
    let size = reader.output_buffer_size().ok_or(::png::DecodingError::LimitsExceeded)?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf)?;
    buf.truncate(frame.buffer_size());
    let on_white = |v: u8, a: u8| ((u16::from(v) * u16::from(a) + 255 * (255 - u16::from(a)) + 127) / 255) as u8;
    Ok(match frame.color_type {
        ::png::ColorType::Rgb => buf,
        ::png::ColorType::Rgba => buf
            .chunks_exact(4)
            .flat_map(|p| [on_white(p[0], p[3]), on_white(p[1], p[3]), on_white(p[2], p[3])])
            .collect(),
        ::png::ColorType::Grayscale => buf.iter().flat_map(|&v| [v, v, v]).collect(),
        ::png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|p| {
                let v = on_white(p[0], p[1]);
                [v, v, v]
            })
            .collect(),
        // `normalize_to_color8` expands palettes; this is only reached if that ever changes.
        ::png::ColorType::Indexed => return Err(::png::DecodingError::LimitsExceeded),
    })
}

/// RGB pixels as stored, and the EXIF orientation.
fn decode_jpeg(bytes: &[u8]) -> Result<(Vec<u8>, u16), String> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    let pixels = decoder.decode().map_err(|e| e.to_string())?;
    let info = decoder.info().ok_or("no frame header")?;
    let orientation = decoder.exif_data().map_or(1, crate::orientation::from_exif);
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&v| [v, v, v]).collect(),
        // Big-endian 16-bit grey: the high byte is the 8-bit value.
        jpeg_decoder::PixelFormat::L16 => pixels.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0]]).collect(),
        jpeg_decoder::PixelFormat::CMYK32 => pixels
            .chunks_exact(4)
            .flat_map(|p| {
                let k = 255 - u16::from(p[3]);
                let ch = |v: u8| ((255 - u16::from(v)) * k / 255) as u8;
                [ch(p[0]), ch(p[1]), ch(p[2])]
            })
            .collect(),
    };
    Ok((rgb, orientation))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::Rgb;

    /// A PNG written by the independent encoder, in any colour type.
    fn png_of(width: u32, height: u32, colour: ::png::ColorType, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = ::png::Encoder::new(&mut out, width, height);
        encoder.set_color(colour);
        encoder.set_depth(::png::BitDepth::Eight);
        encoder.write_header().unwrap().write_image_data(data).unwrap();
        out
    }

    fn close(a: Rgb, b: Rgb) -> bool {
        let d = |x: u8, y: u8| x.abs_diff(y) <= 3;
        d(a.0, b.0) && d(a.1, b.1) && d(a.2, b.2)
    }

    #[test]
    fn jpegs_decode_to_their_colours_whatever_their_layout() {
        let cases: [(&[u8], (u32, u32), Rgb); 4] = [
            (include_bytes!("../testdata/terracotta_120x80.jpg"), (120, 80), Rgb(196, 98, 52)),
            (include_bytes!("../testdata/grey_40x30.jpg"), (40, 30), Rgb(128, 128, 128)),
            (include_bytes!("../testdata/progressive_16x8.jpg"), (16, 8), Rgb(10, 20, 30)),
            (include_bytes!("../testdata/cmyk_20x10.jpg"), (20, 10), Rgb(255, 127, 0)),
        ];
        for (bytes, (w, h), colour) in cases {
            let info = probe(bytes).unwrap();
            assert_eq!((info.format, info.width, info.height), (PhotoFormat::Jpeg, w, h));
            let canvas = decode(bytes).unwrap();
            assert_eq!((canvas.width(), canvas.height()), (w, h));
            let got = canvas.get(w / 2, h / 2).unwrap();
            assert!(close(got, colour), "{w}x{h}: {got:?}, expected about {colour:?}");
        }
    }

    #[test]
    fn a_sideways_phone_photo_comes_out_upright() {
        // Stored 40 × 20, red left and blue right, with EXIF orientation 6 (turn 90° clockwise).
        let bytes = include_bytes!("../testdata/rotate90_40x20_orientation6.jpg");
        assert_eq!((probe(bytes).unwrap().width, probe(bytes).unwrap().height), (40, 20), "as stored");
        let upright = decode(bytes).unwrap();
        assert_eq!((upright.width(), upright.height()), (20, 40));
        assert!(close(upright.get(10, 5).unwrap(), Rgb(220, 30, 30)), "red on top: {:?}", upright.get(10, 5));
        assert!(close(upright.get(10, 35).unwrap(), Rgb(30, 30, 220)), "blue below: {:?}", upright.get(10, 35));
    }

    #[test]
    fn pngs_decode_with_transparency_on_white() {
        let rgb = png_of(2, 1, ::png::ColorType::Rgb, &[1, 2, 3, 4, 5, 6]);
        assert_eq!(decode(&rgb).unwrap().pixels(), &[1, 2, 3, 4, 5, 6]);
        let rgba = png_of(2, 1, ::png::ColorType::Rgba, &[200, 0, 0, 255, 0, 0, 0, 0]);
        let c = decode(&rgba).unwrap();
        assert_eq!((c.get(0, 0), c.get(1, 0)), (Some(Rgb(200, 0, 0)), Some(Rgb::WHITE)));
        let grey = png_of(1, 1, ::png::ColorType::Grayscale, &[77]);
        assert_eq!(decode(&grey).unwrap().get(0, 0), Some(Rgb(77, 77, 77)));
        let ours = crate::png::encode(&Canvas::new(3, 2, Rgb(9, 8, 7)));
        assert_eq!(probe(&ours).unwrap(), PhotoInfo { format: PhotoFormat::Png, width: 3, height: 2 });
    }

    #[test]
    fn other_files_and_damaged_or_huge_ones_are_refused() {
        assert_eq!(probe(b"GIF89a...."), Err(PhotoError::UnknownFormat));
        assert_eq!(probe(b"%PDF-1.7"), Err(PhotoError::UnknownFormat));
        assert!(matches!(probe(b"\x89PNG\r\n\x1a\nnot really"), Err(PhotoError::Corrupt { format: "PNG", .. })));
        let jpeg = include_bytes!("../testdata/terracotta_120x80.jpg");
        assert!(matches!(decode(&jpeg[..jpeg.len() / 3]), Err(PhotoError::Corrupt { format: "JPEG", .. })));
        // A header claiming 60 000 × 60 000 pixels is refused before any pixel is allocated.
        let mut huge = crate::png::encode(&Canvas::new(1, 1, Rgb::WHITE));
        huge[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        let crc = crc32fast::hash(&huge[12..29]);
        huge[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(probe(&huge), Err(PhotoError::TooManyPixels { width: 60_000, height: 60_000 }));
    }
}
