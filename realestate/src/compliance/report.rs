//! What a check returns and what the catalogue lists: severities, findings, the report and the
//! rule descriptions. All of it serialises, because the API returns it as JSON as it is.

use serde::{Deserialize, Serialize};

/// How much a finding matters: an error blocks publishing, a warning advises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in an ad.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// The stable rule id, e.g. `trakheesi_permit_missing`.
    pub rule: &'static str,
    pub severity: Severity,
    /// The offending text with a little context, at most about 80 characters; empty when the
    /// finding is about something the ad lacks.
    pub excerpt: String,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, in plain English.
    pub fix_hint: String,
}

/// A rule that applied but could not be evaluated, and why (e.g. no listing to compare with).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NotChecked {
    pub rule: &'static str,
    pub reason: String,
}

/// The result of [`check`](super::check).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// True when no finding has error severity: the ad may be published.
    pub compliant: bool,
    pub findings: Vec<Finding>,
    pub not_checked: Vec<NotChecked>,
    /// Present when the ad was checked against the demo brokerage settings: its registration
    /// numbers (00000) belong to no brokerage and it must not be published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

impl Report {
    /// Whether any finding comes from the rule `id`.
    pub fn has(&self, id: &str) -> bool {
        self.findings.iter().any(|f| f.rule == id)
    }

    /// The findings that block publishing.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Error)
    }
}

/// One entry of the rule catalogue ([`rules`](super::rules)).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RuleInfo {
    pub id: &'static str,
    /// The severity with the default [`Config`](super::Config).
    pub severity: Severity,
    /// The `Config` field that changes this rule's severity or behaviour, if any.
    pub configured_by: Option<&'static str>,
    pub description: &'static str,
    /// Where the rule comes from (per `rera-advertising.md`), with how reliable that is.
    pub source: &'static str,
}
