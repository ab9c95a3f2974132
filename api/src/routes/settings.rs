//! The brokerage settings: read by anyone signed in (they are printed on every ad), saved by
//! admins. A save is validated whole, compare-and-set on the stored version (`If-Match`), and
//! audited; steps waiting for the settings go on by themselves at their next look.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use realestate::brokerage::{self, Settings, Source};
use realestate::compliance::Config;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde_json::json;
use std::borrow::Cow;

use crate::auth::Caller;
use crate::contract::Contract;
use crate::{json as body, ApiError, AppState};

pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::get("/api/v1/settings/brokerage").json::<SettingsView>(),
    Contract::put("/api/v1/settings/brokerage").body::<Config>().json::<SavedSettings>().errors(&[
        (409, "settings_pinned: the operator's file (AURA_COMPLIANCE_CONFIG) pins the settings."),
        (412, "version_mismatch: If-Match names a version that is no longer the latest."),
    ]),
];

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/settings/brokerage", get(read).put(save))
}

/// The settings as written: every field present, where a request may leave any out. The two
/// views of `Config` differ, so the document needs a second name for this one.
#[derive(Serialize)]
#[serde(transparent)]
pub(crate) struct ConfigView(Config);

impl JsonSchema for ConfigView {
    fn schema_name() -> Cow<'static, str> {
        "ConfigView".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        Config::json_schema(g)
    }
}

/// The settings in force, where they come from and which saved version they are.
#[derive(Serialize, JsonSchema)]
pub(crate) struct SettingsView {
    settings: ConfigView,
    demo: bool,
    /// Set only while the demo settings are in force.
    notice: Option<String>,
    /// Whether the registration numbers an ad needs are there.
    ready: bool,
    source: Source,
    version: Option<i64>,
    updated_at: Option<DateTime<Utc>>,
    updated_by: Option<String>,
}

impl From<&Settings> for SettingsView {
    fn from(s: &Settings) -> SettingsView {
        let stored = s.stored.as_ref();
        SettingsView {
            settings: ConfigView(s.config.clone()),
            demo: s.demo(),
            notice: s.demo().then(|| format!(
                "{}: demo brokerage settings, whose ORN and BRN (00000) belong to no brokerage; every asset made with them is marked. Save the brokerage's real settings here.",
                brokerage::DEMO_MARK
            )),
            ready: s.registration().is_ok(),
            source: s.source,
            version: stored.map(|r| r.version),
            updated_at: stored.map(|r| r.updated_at),
            updated_by: stored.and_then(|r| r.updated_by.clone()),
        }
    }
}

/// The settings after a save, and how many waiting executions the save woke.
#[derive(Serialize, JsonSchema)]
pub(crate) struct SavedSettings {
    #[serde(flatten)]
    settings: SettingsView,
    woken_executions: usize,
}

async fn read(State(s): State<AppState>) -> Result<Json<SettingsView>, ApiError> {
    Ok(Json(SettingsView::from(&s.estate.settings().await?)))
}

/// `If-Match: "3"` (or `3`): save only over version 3.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(axum::http::header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().unwrap_or("").trim().trim_start_matches("W/").trim_matches('"');
    text.parse().map(Some).map_err(|_| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_if_match", "If-Match must name a settings version, e.g. \"3\"")
    })
}

async fn save(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<SavedSettings>, ApiError> {
    let config: Config = body::parse(&bytes)?;
    let errors = brokerage::validate(&config);
    if !errors.is_empty() {
        let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        return Err(
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", detail).with("errors", json!(errors))
        );
    }
    if s.estate.brokerage.file().is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "settings_pinned",
            "the brokerage settings are pinned by the operator's file (AURA_COMPLIANCE_CONFIG); change the file, or remove it to manage them here",
        ));
    }
    let current = s.estate.settings().await?;
    let stored_version = current.stored.as_ref().map(|r| r.version);
    let expected = match if_match(&headers)? {
        Some(v) if Some(v) != stored_version => {
            return Err(version_conflict(stored_version));
        }
        Some(v) => Some(v),
        None => stored_version,
    };
    let document = serde_json::to_value(&config).unwrap_or_default();
    let who = caller.id().to_string();
    let saved =
        match s.estate.domain.save_brokerage_settings(&document, false, expected, Some(&who), s.rt.clock.now()).await {
            Err(store::Error::Conflict(_)) => return Err(version_conflict(stored_version)),
            other => other?,
        };
    s.audit(
        Some(caller.id()),
        "settings.brokerage.update",
        Some("brokerage".into()),
        Some(json!({ "version": saved.version, "replaced_demo": current.demo(), "settings": document })),
        None,
    )
    .await;
    // Steps waiting for the settings look again now, not at their next recheck.
    let woken =
        s.rt.wake_waiting(brokerage::WAITING_REASON, brokerage::SAVED_SIGNAL, &json!({ "version": saved.version }))
            .await?;
    Ok(Json(SavedSettings { settings: SettingsView::from(&s.estate.settings().await?), woken_executions: woken }))
}

fn version_conflict(current: Option<i64>) -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "version_conflict",
        "the brokerage settings changed since they were read; read them again and retry",
    )
    .with("current_version", json!(current))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_names_a_version() {
        let mut h = HeaderMap::new();
        assert_eq!(if_match(&h).unwrap(), None);
        h.insert(axum::http::header::IF_MATCH, "\"3\"".parse().unwrap());
        assert_eq!(if_match(&h).unwrap(), Some(3));
        h.insert(axum::http::header::IF_MATCH, "W/\"4\"".parse().unwrap());
        assert_eq!(if_match(&h).unwrap(), Some(4));
        h.insert(axum::http::header::IF_MATCH, "*".parse().unwrap());
        assert_eq!(if_match(&h).unwrap_err().code, "invalid_if_match");
    }

    #[test]
    fn source_serialises_as_a_word() {
        assert_eq!(json!(realestate::brokerage::Source::File), json!("file"));
    }
}
