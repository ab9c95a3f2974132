//! Raw 8-bit RGB images, embedded once per document as Image XObjects and drawn on any page.
//!
//! Photos and rendered QR codes arrive as decoded pixels; keeping the input format this simple keeps the
//! crate free of image codecs. An [`ImageId`] is returned by `Document::add_image` so one photo used on
//! several pages is stored once.

use std::fmt;
use std::sync::Arc;

/// Decoded pixels: `width × height` RGB triples, row by row from the top-left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    width: u32,
    height: u32,
    rgb: Arc<Vec<u8>>,
}

impl Image {
    /// An image from RGB bytes; `rgb.len()` must be exactly `width * height * 3` and both sides non-zero.
    pub fn rgb(width: u32, height: u32, rgb: Vec<u8>) -> Result<Image, ImageError> {
        if width == 0 || height == 0 {
            return Err(ImageError::Empty);
        }
        let expected = u64::from(width) * u64::from(height) * 3;
        if rgb.len() as u64 != expected {
            return Err(ImageError::WrongLength { expected, actual: rgb.len() });
        }
        Ok(Image { width, height, rgb: Arc::new(rgb) })
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixels, shared: one photo drawn on many pages is one buffer.
    pub(crate) fn pixels(&self) -> Arc<Vec<u8>> {
        Arc::clone(&self.rgb)
    }
}

/// Why pixels could not become an [`Image`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageError {
    /// Width or height is zero.
    Empty,
    /// The byte count is not `width * height * 3`.
    WrongLength { expected: u64, actual: usize },
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageError::Empty => write!(f, "image has zero width or height"),
            ImageError::WrongLength { expected, actual } => {
                write!(f, "RGB data has {actual} bytes, expected {expected} (width * height * 3)")
            }
        }
    }
}

impl std::error::Error for ImageError {}

/// An image added to a [`crate::Document`]; only valid for the document that returned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImageId(pub(crate) usize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_dimensions_and_length() {
        assert!(Image::rgb(2, 1, vec![0; 6]).is_ok());
        assert_eq!(Image::rgb(0, 1, vec![]), Err(ImageError::Empty));
        assert_eq!(Image::rgb(2, 2, vec![0; 6]), Err(ImageError::WrongLength { expected: 12, actual: 6 }));
    }
}
