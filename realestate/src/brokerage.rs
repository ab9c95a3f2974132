//! The brokerage settings every advertisement carries: trading name, RERA office (ORN) and broker
//! (BRN) registration numbers, disclaimers, the Media Council permit and the strictness of the
//! uncertain rules. They are data: an admin saves them through the API (stored, versioned,
//! audited); a TOML file (`AURA_COMPLIANCE_CONFIG`) overrides them when an operator wants them
//! pinned; a development install starts with clearly marked demo settings so the shipped packages
//! run end to end.
//!
//! Steps read the settings when they run (one row), so a save reaches every worker at once. A
//! step that needs the registration numbers while none are set *waits* durably
//! ([`SettingsError::Missing`] becomes `StepError::Wait`) and goes on by itself after a save.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use store::domain::{BrokerageSettingsRecord, Domain};

use crate::compliance::Config;

/// Printed on every asset made under the demo settings, and in their compliance reports.
pub const DEMO_MARK: &str = "DEMO \u{2014} not for publication";

/// The trading name when the settings name none.
const DEFAULT_NAME: &str = "AURA Real Estate";

/// How a waiting step's reason starts; a save wakes the executions whose steps wait so.
pub const WAITING_REASON: &str = "waiting for the brokerage settings";

/// The signal a save sends to the executions waiting for the settings.
pub const SAVED_SIGNAL: &str = "brokerage_settings_saved";

/// How often a step waiting for the settings looks again (a save also wakes it at once).
pub const RECHECK: Duration = Duration::from_secs(15);

/// Where the settings in force come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Saved by an admin (or the demo settings of a development install).
    Database,
    /// The operator's TOML file, which wins over the database.
    File,
    /// Nothing saved yet.
    None,
}

/// The settings in force.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config: Config,
    pub source: Source,
    /// The stored record's version and last save (absent for a file or nothing).
    pub stored: Option<BrokerageSettingsRecord>,
}

impl Settings {
    pub fn demo(&self) -> bool {
        self.config.demo
    }

    /// The trading name as assets print it; under demo settings it carries [`DEMO_MARK`], so no
    /// brochure, image, e-mail or agreement made with them can pass for a real advertisement.
    pub fn display_name(&self) -> String {
        let name = self.config.brokerage_name.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let name = name.unwrap_or(DEFAULT_NAME);
        if self.demo() {
            format!("{name} ({DEMO_MARK})")
        } else {
            name.to_string()
        }
    }

    /// The ORN and BRN, which every ad and e-mail must show.
    pub fn registration(&self) -> Result<(String, String), SettingsError> {
        match (&self.config.orn, &self.config.brn) {
            (Some(orn), Some(brn)) => Ok((orn.clone(), brn.clone())),
            _ => Err(SettingsError::Missing),
        }
    }

    /// The brokerage as the copy writers print it: name, ORN and the required disclaimers.
    pub fn content_brokerage(&self) -> crate::content::Brokerage {
        crate::content::Brokerage {
            name: self.display_name(),
            orn: self.config.orn.clone().unwrap_or_default(),
            disclaimers: self.config.required_disclaimers.clone(),
        }
    }

    /// A line placed above plain-text assets and e-mails under demo settings (empty otherwise).
    pub fn demo_banner(&self) -> &'static str {
        if self.demo() {
            "*** DEMO \u{2014} not for publication: made with demo brokerage settings ***\n\n"
        } else {
            ""
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "waiting for the brokerage settings: an admin saves the brokerage name, ORN and BRN at PUT /api/v1/settings/brokerage"
    )]
    Missing,
    #[error("the stored brokerage settings are unreadable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Store(#[from] store::Error),
}

impl From<SettingsError> for runtime::StepError {
    fn from(e: SettingsError) -> runtime::StepError {
        match e {
            SettingsError::Missing => runtime::StepError::wait(RECHECK, e),
            other => runtime::StepError::retryable(other),
        }
    }
}

/// Reads the settings in force: the file when there is one, else the database.
pub struct Brokerage {
    file: Option<Config>,
}

impl Brokerage {
    pub fn new(file: Option<Config>) -> Brokerage {
        Brokerage { file }
    }

    pub fn file(&self) -> Option<&Config> {
        self.file.as_ref()
    }

    pub async fn current(&self, domain: &dyn Domain) -> Result<Settings, SettingsError> {
        let stored = domain.brokerage_settings().await?;
        if let Some(file) = &self.file {
            return Ok(Settings { config: file.clone(), source: Source::File, stored });
        }
        match stored {
            Some(record) => {
                let mut config: Config =
                    serde_json::from_value(record.body.clone()).map_err(|e| SettingsError::Corrupt(e.to_string()))?;
                config.demo = record.demo;
                Ok(Settings { config, source: Source::Database, stored: Some(record) })
            }
            None => Ok(Settings { config: Config::default(), source: Source::None, stored: None }),
        }
    }

    /// Creates the demo settings unless settings were ever saved; true when it did.
    pub async fn create_demo(&self, domain: &dyn Domain, now: store::Timestamp) -> Result<bool, store::Error> {
        match domain.save_brokerage_settings(&demo_body(), true, None, Some("system"), now).await {
            Ok(_) => Ok(true),
            Err(store::Error::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// The demo brokerage: ORN and BRN 00000, numbers RERA never issues, so no real brokerage holds them.
pub fn demo_body() -> Value {
    let config = Config {
        brokerage_name: Some("AURA Demo Realty".into()),
        orn: Some("00000".into()),
        brn: Some("00000".into()),
        ..Config::default()
    };
    serde_json::to_value(config).unwrap_or_default()
}

/// A field of a settings document that cannot be saved, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Checks a settings document an admin wants to save; every problem at once.
pub fn validate(config: &Config) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: &str| {
        errors.push(FieldError { field: field.into(), message: message.into() });
    };
    match config.brokerage_name.as_deref().map(str::trim) {
        None | Some("") => err("brokerage_name", "is required"),
        Some(n) if n.chars().count() > 120 => err("brokerage_name", "must be at most 120 characters"),
        Some(n) if n.to_lowercase().contains("demo") => {
            err("brokerage_name", "must be the brokerage's trading name, not a demo name")
        }
        _ => {}
    }
    for (field, value) in [("orn", &config.orn), ("brn", &config.brn)] {
        match value.as_deref() {
            None => err(field, "is required"),
            Some(v) if !(3..=10).contains(&v.len()) || !v.bytes().all(|b| b.is_ascii_digit()) => {
                err(field, "must be the RERA registration number: 3 to 10 digits")
            }
            Some(v) if v.bytes().all(|b| b == b'0') => err(field, "must be a real registration number, not zeros"),
            _ => {}
        }
    }
    if config.required_disclaimers.len() > 20 {
        err("required_disclaimers", "at most 20 disclaimers");
    }
    for (i, d) in config.required_disclaimers.iter().enumerate() {
        if d.trim().is_empty() || d.chars().count() > 500 {
            err(&format!("required_disclaimers[{i}]"), "must be 1 to 500 characters");
        }
    }
    for (i, c) in config.disclaimer_exempt_channels.iter().enumerate() {
        if !crate::compliance::is_channel_or_family(c) {
            err(
                &format!("disclaimer_exempt_channels[{i}]"),
                "must be a channel (e.g. `x`) or a family (`sms`, `social`)",
            );
        }
    }
    if let Some(p) = &config.media_council_permit_number {
        let ok =
            !p.trim().is_empty() && p.len() <= 40 && p.chars().all(|c| c.is_ascii_alphanumeric() || "-/ ".contains(c));
        if !ok {
            err("media_council_permit_number", "must be 1 to 40 letters, digits, spaces, `-` or `/`");
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real() -> Config {
        Config {
            brokerage_name: Some("Palm Coast Properties".into()),
            orn: Some("12345".into()),
            brn: Some("67890".into()),
            ..Config::default()
        }
    }

    #[test]
    fn real_settings_validate() {
        assert_eq!(validate(&real()), vec![]);
    }

    #[test]
    fn every_problem_is_named() {
        let bad = Config {
            brokerage_name: Some(" ".into()),
            orn: Some("12a45".into()),
            brn: Some("00000".into()),
            required_disclaimers: vec!["".into()],
            disclaimer_exempt_channels: vec!["fax".into()],
            media_council_permit_number: Some("<script>".into()),
            ..Config::default()
        };
        let fields: Vec<String> = validate(&bad).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "brokerage_name",
                "orn",
                "brn",
                "required_disclaimers[0]",
                "disclaimer_exempt_channels[0]",
                "media_council_permit_number"
            ]
        );
    }

    #[test]
    fn the_demo_settings_cannot_be_saved_as_real_ones() {
        let mut demo: Config = serde_json::from_value(demo_body()).unwrap();
        assert!(!demo.demo, "the demo flag never travels in a document");
        let fields: Vec<String> = validate(&demo).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["brokerage_name", "orn", "brn"]);
        demo.demo = true;
        let s = Settings { config: demo, source: Source::Database, stored: None };
        assert_eq!(s.display_name(), "AURA Demo Realty (DEMO \u{2014} not for publication)");
        assert!(s.demo_banner().contains("DEMO"));
        assert_eq!(s.registration().unwrap(), ("00000".to_string(), "00000".to_string()));
    }

    #[test]
    fn missing_numbers_make_a_step_wait() {
        let s = Settings { config: Config::default(), source: Source::None, stored: None };
        let e: runtime::StepError = s.registration().unwrap_err().into();
        assert!(
            matches!(&e, runtime::StepError::Wait { after, reason } if *after == RECHECK && reason.starts_with(WAITING_REASON)),
            "{e:?}"
        );
        assert_eq!(s.display_name(), DEFAULT_NAME);
        assert_eq!(s.demo_banner(), "");
    }
}
