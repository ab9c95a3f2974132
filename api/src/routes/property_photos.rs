//! `/api/v1/properties/{id}/photos`: a listing's photos, uploaded as the raw body (PNG or JPEG,
//! told apart by the bytes, not the Content-Type), listed, served and deleted. Whoever may see the
//! property may do each; a property the caller may not see is a 404, like the property itself.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use realestate::photos::{self, PhotoError, UploadError, PHOTOS_PER_PROPERTY_MAX, PHOTO_BYTES_MAX};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use store::domain::{PhotoAdded, PropertyPhoto};
use uuid::Uuid;

use crate::auth::Caller;
use crate::contract::{Answer, Contract};
use crate::routes::properties::{find, Deleted};
use crate::{ApiError, AppState};

pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::get("/api/v1/properties/{id}/photos").json::<PhotoList>(),
    Contract::post("/api/v1/properties/{id}/photos").query::<UploadQuery>().json_status::<PhotoView>(201).errors(&[
        (409, "too_many_photos: the property has 20 photos."),
        (413, "photo_too_large: over 10 MiB."),
        (415, "unsupported_media_type: PNG or JPEG only (told by the bytes)."),
    ]),
    Contract::get("/api/v1/properties/{id}/photos/{photo_id}")
        .uuids(&["photo_id"])
        .answer(200, Answer::File(&["image/png", "image/jpeg"])),
    Contract::delete("/api/v1/properties/{id}/photos/{photo_id}").uuids(&["photo_id"]).json::<Deleted>(),
];

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        // One byte over the cap still reaches the handler, which answers with a problem; a larger
        // body is cut off by the extractor and answered the same way.
        .route(
            "/properties/{id}/photos",
            get(list).post(upload).layer(axum::extract::DefaultBodyLimit::max(PHOTO_BYTES_MAX + 1)),
        )
        .route("/properties/{id}/photos/{photo_id}", get(bytes).delete(remove))
}

/// A photo's metadata, with where its bytes are served.
#[derive(Serialize, JsonSchema)]
pub(crate) struct PhotoView {
    id: Uuid,
    property_id: Uuid,
    position: i32,
    #[schemars(extend("enum" = ["image/png", "image/jpeg"]))]
    content_type: String,
    width: i32,
    height: i32,
    size_bytes: i64,
    sha256: String,
    caption: Option<String>,
    uploaded_by: String,
    created_at: DateTime<Utc>,
    url: String,
}

impl From<&PropertyPhoto> for PhotoView {
    fn from(p: &PropertyPhoto) -> PhotoView {
        PhotoView {
            id: p.id,
            property_id: p.property_id,
            position: p.position,
            content_type: p.content_type.clone(),
            width: p.width,
            height: p.height,
            size_bytes: p.size_bytes,
            sha256: p.sha256.clone(),
            caption: p.caption.clone(),
            uploaded_by: p.uploaded_by.clone(),
            created_at: p.created_at,
            url: format!("/api/v1/properties/{}/photos/{}", p.property_id, p.id),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct PhotoList {
    photos: Vec<PhotoView>,
    total: usize,
    /// How many photos a property may have.
    max: u32,
}

fn upload_error(e: UploadError) -> ApiError {
    let detail = e.to_string();
    match e {
        UploadError::TooLarge(_) => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "photo_too_large", detail),
        UploadError::NotAPhoto(PhotoError::UnknownFormat) => {
            ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "upload a PNG or JPEG photo")
        }
        UploadError::NotAPhoto(PhotoError::TooManyPixels { .. }) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "photo_too_large", detail)
        }
        UploadError::Empty | UploadError::NotAPhoto(PhotoError::Corrupt { .. }) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_photo", detail)
        }
        UploadError::CaptionTooLong => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", &detail)
            .with("errors", json!([{ "field": "caption", "message": detail }])),
    }
}

fn photo_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::bad_request("invalid_id", format!("`{raw}` is not a photo id")))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct UploadQuery {
    caption: Option<String>,
}

async fn upload(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    q: Result<Query<UploadQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<PhotoView>), ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let property = find(&s, &caller, &id).await?;
    let bytes = body.map_err(|_| upload_error(UploadError::TooLarge(PHOTO_BYTES_MAX + 1)))?;
    let caption = photos::caption(q.caption.as_deref()).map_err(upload_error)?;
    let info = photos::validate(&bytes).map_err(upload_error)?;
    let photo = PropertyPhoto {
        id: Uuid::now_v7(),
        property_id: property.id,
        position: 0,
        content_type: info.format.content_type().into(),
        width: info.width as i32,
        height: info.height as i32,
        size_bytes: bytes.len() as i64,
        sha256: Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect(),
        caption,
        uploaded_by: caller.id().to_string(),
        created_at: s.rt.clock.now(),
    };
    match s.estate.domain.add_property_photo(&photo, &bytes, PHOTOS_PER_PROPERTY_MAX).await? {
        PhotoAdded::Added(stored) => Ok((StatusCode::CREATED, Json(PhotoView::from(&stored)))),
        PhotoAdded::Full => Err(ApiError::new(
            StatusCode::CONFLICT,
            "too_many_photos",
            format!("a property has at most {PHOTOS_PER_PROPERTY_MAX} photos; delete one first"),
        )),
    }
}

async fn list(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<PhotoList>, ApiError> {
    let property = find(&s, &caller, &id).await?;
    let rows = s.estate.domain.property_photos(property.id).await?;
    Ok(Json(PhotoList {
        photos: rows.iter().map(PhotoView::from).collect(),
        total: rows.len(),
        max: PHOTOS_PER_PROPERTY_MAX,
    }))
}

async fn bytes(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, photo)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let property = find(&s, &caller, &id).await?;
    let photo = photo_id(&photo)?;
    let (p, bytes) = s
        .estate
        .domain
        .property_photo(property.id, photo)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("photo {photo}")))?;
    let extension = if p.content_type == "image/png" { "png" } else { "jpg" };
    Ok((
        [
            (header::CONTENT_TYPE, p.content_type.clone()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"photo-{}.{extension}\"", p.position)),
            (header::ETAG, format!("\"{}\"", p.sha256)),
            // The type was decided from the bytes at upload; a browser must not guess another.
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    ))
}

async fn remove(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, photo)): Path<(String, String)>,
) -> Result<Json<Deleted>, ApiError> {
    let property = find(&s, &caller, &id).await?;
    let photo = photo_id(&photo)?;
    s.estate.domain.delete_property_photo(property.id, photo).await?;
    Ok(Json(Deleted { deleted: true, id: photo }))
}
