//! The brokerage's compliance settings: its registration numbers, required disclaimers, and the
//! severity of the rules whose sources are uncertain. Uncertain rules can be raised to errors or
//! kept as warnings, but not switched off: the checker never skips a rule silently.

use serde::{Deserialize, Serialize};

use super::report::Severity;

/// Compliance settings, deserialised from the brokerage's configuration (every field optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The brokerage's trading name, shown on every asset beside the ORN.
    pub brokerage_name: Option<String>,
    /// The brokerage's RERA office registration number (ORN). When set, an ORN in an ad must
    /// equal it.
    pub orn: Option<String>,
    /// The agent's RERA broker registration number (BRN). When set, a BRN in an ad must equal it.
    pub brn: Option<String>,
    /// Whether guaranteed-return claims may ever appear. Even then a claim is only downgraded to
    /// a warning when the listing carries `documented_guarantee: true` (a developer guarantee
    /// with compliance sign-off). Default false.
    pub allow_guaranteed_returns: bool,
    /// Disclaimers every ad must contain (case, spacing and punctuation are ignored).
    pub required_disclaimers: Vec<String>,
    /// Channels exempt from the disclaimers: a family (`sms`, `social`) or a channel (`x`).
    pub disclaimer_exempt_channels: Vec<String>,
    /// The UAE Media Council advertiser permit number, shown on the social accounts.
    pub media_council_permit_number: Option<String>,
    /// Severity when a social ad is published without a Media Council permit number on file.
    /// Default warning: the two-layer regime is described by secondary sources only.
    pub media_council_rule: Severity,
    /// Severity of unverifiable superlatives ("best investment in Dubai", "#1"). Default error:
    /// the banned-claims list in rera-advertising.md §5 blocks publishing.
    pub superlative_rule: Severity,
    /// Severity of pressure wording ("last units", "prices go up tomorrow"). Default warning: it
    /// is our reading of the general ban on misleading claims, not a named rule.
    pub urgency_rule: Severity,
    /// True for the demo settings a development install creates: reports say the numbers are
    /// the demo ones (00000). Never read from a file or a request.
    #[serde(skip)]
    pub demo: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            brokerage_name: None,
            orn: None,
            brn: None,
            allow_guaranteed_returns: false,
            required_disclaimers: Vec::new(),
            disclaimer_exempt_channels: Vec::new(),
            media_council_permit_number: None,
            media_council_rule: Severity::Warning,
            superlative_rule: Severity::Error,
            urgency_rule: Severity::Warning,
            demo: false,
        }
    }
}
