//! The artefacts steps write (PDFs, images, calendars, JSON files): stable ids, checksums, and
//! storing one exactly once, so a step that runs again after a crash finds its file instead of
//! writing a second one.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use store::domain::Artifact;
use uuid::Uuid;

use crate::campaign::Requester;
use crate::Services;

/// An id derived from `key`: the same on every run that computes it.
pub fn stable_id(key: &str) -> Uuid {
    let digest = Sha256::digest(key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// The SHA-256 of `bytes` in lower-case hex, as artefacts record it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// What a new file is: its kind, name and media type.
pub struct NewFile<'a> {
    pub kind: &'a str,
    pub filename: String,
    pub content_type: &'a str,
}

/// Stores `bytes` under `id` for `owner` unless an artefact with that id exists already.
pub async fn put_once(
    s: &Services,
    id: Uuid,
    owner: &Requester,
    file: NewFile<'_>,
    bytes: &[u8],
) -> Result<Artifact, store::Error> {
    let artifact = Artifact {
        id,
        owner_id: Some(owner.owner_id.clone()),
        team_id: owner.team_id.clone(),
        kind: file.kind.into(),
        filename: file.filename,
        content_type: file.content_type.into(),
        size_bytes: bytes.len() as i64,
        sha256: sha256_hex(bytes),
        created_at: s.now(),
    };
    if s.domain.artifact(id).await?.is_none() {
        s.domain.put_artifact(&artifact, bytes).await?;
    }
    Ok(artifact)
}

/// A step output's `files` entry for an artefact.
pub fn file_json(a: &Artifact) -> Value {
    json!({ "artifact_id": a.id, "filename": a.filename, "content_type": a.content_type, "size_bytes": a.size_bytes,
            "url": format!("/api/v1/marketing/assets/{}", a.id) })
}
