//! Performance analytics for AURA, pure: the KPI catalogue over stored daily metrics, period
//! windows and their previous period, trends and change, goal progress with an on-track pace,
//! custom dashboard widget validation, and the PDF/XLSX export of any of them.
//!
//! The store keeps `performance_metrics` rows (a Dubai-local day, a user, a metric name, a value);
//! this crate turns rows into the API's figures. Nothing here reads a clock or does I/O: `today`
//! and `now` are parameters, so every figure is checked by hand-computed tests.
//!
//! Modules: [`period`] (7d/30d/90d/ytd windows, Dubai days), [`kpi`] (metric names, KPIs, the
//! time-saved estimates), [`overview`] (the dashboard's sections from rows), [`goals`],
//! [`widgets`] (custom dashboards), [`report`] (a typed report model) and [`export`] (PDF, XLSX).

pub mod export;
pub mod goals;
pub mod kpi;
pub mod overview;
pub mod period;
pub mod report;
pub mod widgets;

/// What a request got wrong; the API maps each to a problem with a stable code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalyticsError {
    #[error("unknown period `{0}` (use 7d, 30d, 90d or ytd)")]
    InvalidPeriod(String),
    #[error("unknown KPI `{0}`")]
    UnknownKpi(String),
    /// Field-level problems, e.g. of a goal or a dashboard.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
}

/// One problem with one field of a request; `index` names the widget of a dashboard.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { index: None, field: field.into(), message: message.into() }
    }
    pub fn at(index: usize, field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { index: Some(index), field: field.into(), message: message.into() }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(i) => write!(f, "widgets[{i}].{}: {}", self.field, self.message),
            None => write!(f, "{}: {}", self.field, self.message),
        }
    }
}
