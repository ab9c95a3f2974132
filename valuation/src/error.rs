//! Errors returned by the valuation API; each names what the caller has to fix.

use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ValuationError {
    #[error("unknown community {input:?}; did you mean: {}", suggestions.join(", "))]
    UnknownCommunity { input: String, suggestions: Vec<String> },
    #[error("ambiguous community {input:?}; one of: {}", candidates.join(", "))]
    AmbiguousCommunity { input: String, candidates: Vec<String> },
    #[error("invalid {field}: {message}")]
    InvalidInput { field: &'static str, message: String },
    #[error("not enough sales to value a {property_type} in {community}")]
    InsufficientData { community: String, property_type: String },
}

impl ValuationError {
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::InvalidInput { field, message: message.into() }
    }
}
