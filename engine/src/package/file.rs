//! The package file as written: serde structs mirroring the TOML, with spans for positions.
//!
//! Nothing here is validated beyond TOML syntax, types and unknown keys; `validate` turns a
//! `PackageFile` into a `Package` and reports every semantic problem with its line and column.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackageFile {
    pub name: Spanned<String>,
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub deliverables: Vec<DeliverableFile>,
    #[serde(default)]
    pub parameters: Vec<ParameterFile>,
    pub retry: Option<RetryFile>,
    pub timeout: Option<Spanned<String>>,
    #[serde(default)]
    pub schedules: Vec<ScheduleFile>,
    #[serde(default)]
    pub steps: Vec<Spanned<StepFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeliverableFile {
    pub name: String,
    pub kind: String,
    pub step: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParameterFile {
    pub name: Spanned<String>,
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    #[serde(default)]
    pub required: bool,
    pub default: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub description: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    pub pattern: Option<Spanned<String>>,
    pub values: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RetryFile {
    pub max_attempts: Option<Spanned<i64>>,
    pub initial: Option<Spanned<String>>,
    pub multiplier: Option<Spanned<f64>>,
    pub max: Option<Spanned<String>>,
    pub jitter: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScheduleFile {
    pub name: Spanned<String>,
    pub cron: Spanned<String>,
    pub timezone: Option<Spanned<String>>,
    #[serde(default)]
    pub parameters: toml::Table,
    #[serde(default = "default_true")]
    pub enabled: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepFile {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub handler: Spanned<String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    pub estimated_duration: Option<Spanned<String>>,
    pub retry: Option<RetryFile>,
    pub timeout: Option<Spanned<String>>,
    pub delay: Option<Spanned<String>>,
    pub when: Option<Spanned<String>>,
    #[serde(default)]
    pub input: toml::Table,
}

fn default_true() -> bool {
    true
}
