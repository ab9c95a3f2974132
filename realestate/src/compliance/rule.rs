//! The shape every rule has: a stable id, a catalogue entry and a pure check function over the
//! scanned ad. Keeping rules as plain data makes the catalogue and the checker the same list.

use super::context::Context;
use super::report::Severity;
use super::scan::Ad;
use super::text;

pub(crate) struct Rule {
    pub id: &'static str,
    /// Severity with the default config (the check decides per finding).
    pub severity: Severity,
    pub configured_by: Option<&'static str>,
    pub description: &'static str,
    pub source: &'static str,
    pub check: fn(&Ad, &Context<'_>) -> Outcome,
}

/// A finding before it is tagged with its rule id.
pub(crate) struct Hit {
    pub severity: Severity,
    pub excerpt: String,
    pub message: String,
    pub fix_hint: String,
}

impl Hit {
    /// A problem at `start..end` of the (normalised) ad text.
    pub fn at(
        severity: Severity,
        ad: &Ad,
        start: usize,
        end: usize,
        message: impl Into<String>,
        fix_hint: impl Into<String>,
    ) -> Hit {
        Hit {
            severity,
            excerpt: text::excerpt(&ad.text, start, end),
            message: message.into(),
            fix_hint: fix_hint.into(),
        }
    }

    /// Something the ad lacks: no excerpt.
    pub fn absent(severity: Severity, message: impl Into<String>, fix_hint: impl Into<String>) -> Hit {
        Hit { severity, excerpt: String::new(), message: message.into(), fix_hint: fix_hint.into() }
    }
}

pub(crate) enum Outcome {
    /// The rule was evaluated; no hits means it passed.
    Checked(Vec<Hit>),
    /// The rule does not concern this ad (e.g. the QR rule for an SMS).
    NotApplicable,
    /// The rule concerns this ad but could not be evaluated; the reason goes in the report.
    NotChecked(String),
}

impl Outcome {
    pub fn pass() -> Outcome {
        Outcome::Checked(Vec::new())
    }

    pub fn not_checked(reason: impl Into<String>) -> Outcome {
        Outcome::NotChecked(reason.into())
    }
}
