//! Listing photos: what an upload must be (PNG or JPEG by its bytes, a size cap, a count cap per
//! property), and the decoded photos the social images and the brochure are drawn with.
//!
//! The format and the dimensions come from decoding the bytes, never from the client's
//! Content-Type or a file name: a file that does not decode is refused at upload, so a stored photo
//! always draws.

use raster::Canvas;
pub use raster::{PhotoError, PhotoInfo};
use store::domain::Domain;
use uuid::Uuid;

/// Largest photo file accepted: a full-resolution phone photo, with room.
pub const PHOTO_BYTES_MAX: usize = 10 * 1024 * 1024;
/// Most photos one property may have (a portal listing shows about as many).
pub const PHOTOS_PER_PROPERTY_MAX: u32 = 20;
/// Longest caption, in characters.
pub const CAPTION_CHARS_MAX: usize = 200;
/// Longest side a photo is decoded down to before it is drawn: more than either social image or a
/// brochure page at print resolution needs, so scaling work and PDF size stay bounded.
const WORKING_SIDE_MAX: u32 = 2000;

/// Why an upload is not a photo we keep.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("the photo is empty")]
    Empty,
    #[error("the photo is {0} bytes; at most {PHOTO_BYTES_MAX} bytes (10 MiB) are accepted")]
    TooLarge(usize),
    #[error(transparent)]
    NotAPhoto(#[from] PhotoError),
    #[error("the caption is longer than {CAPTION_CHARS_MAX} characters")]
    CaptionTooLong,
}

/// An upload's bytes checked: its format, and its size as shown (upright, after a JPEG's EXIF
/// orientation).
pub fn validate(bytes: &[u8]) -> Result<PhotoInfo, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > PHOTO_BYTES_MAX {
        return Err(UploadError::TooLarge(bytes.len()));
    }
    let info = raster::photo::probe(bytes)?;
    // Decoding every pixel (not only the header) is what proves the file will draw later.
    let upright = raster::photo::decode(bytes)?;
    Ok(PhotoInfo { width: upright.width(), height: upright.height(), ..info })
}

/// A caption trimmed, with control characters removed; `None` when nothing is left.
pub fn caption(raw: Option<&str>) -> Result<Option<String>, UploadError> {
    let Some(raw) = raw else { return Ok(None) };
    let clean: String = raw.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string();
    if clean.chars().count() > CAPTION_CHARS_MAX {
        return Err(UploadError::CaptionTooLong);
    }
    Ok((!clean.is_empty()).then_some(clean))
}

/// The property's first `n` photos, decoded and shrunk to a working size, in their order. A photo
/// that no longer decodes is skipped (and logged) rather than failing the asset it would be on.
pub async fn listing_photos(domain: &dyn Domain, property_id: Uuid, n: usize) -> Result<Vec<Canvas>, store::Error> {
    let mut out = Vec::new();
    for meta in domain.property_photos(property_id).await?.into_iter().take(n) {
        let Some((_, bytes)) = domain.property_photo(property_id, meta.id).await? else { continue };
        match raster::photo::decode(&bytes) {
            Ok(canvas) => out.push(canvas.fit_within(WORKING_SIDE_MAX, WORKING_SIDE_MAX)),
            Err(e) => tracing::warn!(photo = %meta.id, error = %e, "a stored photo does not decode; left out"),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_are_recognised_by_their_bytes() {
        let jpeg = include_bytes!("../../raster/testdata/terracotta_120x80.jpg");
        let info = validate(jpeg).unwrap();
        assert_eq!((info.format.content_type(), info.width, info.height), ("image/jpeg", 120, 80));
        let sideways = include_bytes!("../../raster/testdata/rotate90_40x20_orientation6.jpg");
        assert_eq!((validate(sideways).unwrap().width, validate(sideways).unwrap().height), (20, 40), "shown upright");
        assert_eq!(validate(b""), Err(UploadError::Empty));
        assert_eq!(validate(b"<svg/>"), Err(UploadError::NotAPhoto(PhotoError::UnknownFormat)));
        assert_eq!(validate(&vec![0xFF; PHOTO_BYTES_MAX + 1]), Err(UploadError::TooLarge(PHOTO_BYTES_MAX + 1)));
    }

    #[test]
    fn captions_are_cleaned_and_bounded() {
        assert_eq!(caption(Some("  Sea view\u{7}  ")), Ok(Some("Sea view".into())));
        assert_eq!(caption(Some("   ")), Ok(None));
        assert_eq!(caption(None), Ok(None));
        assert_eq!(caption(Some(&"x".repeat(201))), Err(UploadError::CaptionTooLong));
    }
}
