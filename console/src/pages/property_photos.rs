//! A property's photos on its page: the upload form's file forwarded to the API's
//! `POST /api/v1/properties/{id}/photos` as the signed-in user, and the delete buttons
//! (`DELETE …/photos/{photo_id}`). The API decides what a photo is and who may touch it; a refusal
//! is its problem, shown on the property page.

use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::properties::render_edit;
use crate::api_client::Outgoing;
use crate::error::{PageError, Problem};
use crate::session::Session;
use crate::urlencode::{encode, query};
use crate::Api;

/// The largest upload form the console reads: the API's cap on a photo (10 MiB) and room for the
/// caption and the form's framing; the API refuses a photo over its own cap with its problem.
pub(crate) const UPLOAD_FORM_BYTES_MAX: usize = 10 * 1024 * 1024 + 64 * 1024;

fn page(id: &str) -> Response {
    Redirect::to(&format!("/console/properties/{}", encode(id))).into_response()
}

fn unreadable(e: MultipartError) -> PageError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        PageError::BadRequest("the photo is larger than 10 MiB".into())
    } else {
        PageError::BadRequest(format!("the upload form could not be read: {}", e.body_text()))
    }
}

pub(crate) async fn upload(
    State(api): State<Api>,
    session: Session,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let mut form = form.map_err(|e| PageError::BadRequest(e.body_text()))?;
    let (mut photo, mut caption) = (None, None);
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("photo") => {
                // The API reads the format from the bytes; the type is passed on only when it is one
                // the API names, so a browser's guess cannot make an invalid header.
                let media_type = match field.content_type() {
                    Some("image/png") => "image/png",
                    Some("image/jpeg") => "image/jpeg",
                    _ => "application/octet-stream",
                };
                photo = Some((media_type, field.bytes().await.map_err(unreadable)?));
            }
            Some("caption") => caption = Some(field.text().await.map_err(unreadable)?),
            _ => {}
        }
    }
    let Some((media_type, bytes)) = photo.filter(|(_, bytes)| !bytes.is_empty()) else {
        let problem =
            Problem::local(StatusCode::UNPROCESSABLE_ENTITY, "invalid_photo", "choose a PNG or JPEG photo first");
        return render_edit(&api, &session, &id, None, Some(problem)).await;
    };
    let path = format!("/api/v1/properties/{}/photos{}", encode(&id), query(&[("caption", caption.as_deref())]));
    let reply = api.fetch(&session.caller, Method::POST, &path, Outgoing::File(media_type, bytes), &[]).await?;
    match reply.into_result() {
        Ok(_) => Ok(page(&id)),
        Err(PageError::Api(problem)) => render_edit(&api, &session, &id, None, Some(problem)).await,
        Err(other) => Err(other),
    }
}

pub(crate) async fn delete(
    State(api): State<Api>,
    session: Session,
    Path((id, photo)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let path = format!("/api/v1/properties/{}/photos/{}", encode(&id), encode(&photo));
    match api.json(&session.caller, Method::DELETE, &path, Outgoing::Empty).await {
        Ok(_) => Ok(page(&id)),
        Err(PageError::Api(problem)) => render_edit(&api, &session, &id, None, Some(problem)).await,
        Err(other) => Err(other),
    }
}
