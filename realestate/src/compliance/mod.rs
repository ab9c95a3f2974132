//! Advertising compliance checker: every generated marketing text and asset passes through
//! [`check`] before it is published, and agents can run it on their own copy.
//!
//! Why: Dubai fines advertising violations AED 50,000 each, rising to licence suspension
//! (`shared/data/dubai/rera-advertising.md` §5.10). The rules come from that file, and each
//! [`RuleInfo`] names its source. Rules whose sources are secondary or our own reading are
//! configurable in [`Config`] and default to warnings. A rule that cannot be evaluated (no
//! listing given, no date given) is listed in [`Report::not_checked`] and never skipped silently.
//!
//! Pure code: no I/O, no clock reads (today's date is a [`Context`] parameter), no randomness.
//! The same text and context always give the same report, with findings in catalogue order.
//!
//! Not checked, because text gives no reliable signal: owner authorisation (Form A / NOC),
//! property type, falsified images, the 3-permits-per-property cap, and project permits used
//! for unit ads.

/// A lazily compiled, process-wide regex (patterns are constants, so `expect` cannot fire at
/// run time once the tests have compiled each one).
macro_rules! re {
    ($pattern:expr) => {{
        static RE: std::sync::LazyLock<regex::Regex> =
            std::sync::LazyLock::new(|| regex::Regex::new(&$pattern).expect("compliance regex compiles"));
        &*RE
    }};
}

mod availability;
mod channel;
mod config;
mod context;
mod details;
mod disclaimer;
mod offplan;
mod permit;
mod price;
mod qr;
mod registration;
mod report;
mod returns;
mod rule;
mod scan;
mod social;
mod superlatives;
mod text;
mod urgency;

#[cfg(test)]
mod tests;

pub use channel::{Asset, Channel, PrintFormat, SocialNetwork, UnknownAsset, UnknownChannel};
pub use config::Config;
pub use context::Context;
pub use report::{Finding, NotChecked, Report, RuleInfo, Severity};

/// Whether `name` is a channel (`x`, `social:instagram`) or a channel family (`sms`, `social`), as
/// `disclaimer_exempt_channels` names them.
pub fn is_channel_or_family(name: &str) -> bool {
    const FAMILIES: &[&str] = &["portal", "social", "email", "print", "sms", "outdoor"];
    let n = name.trim();
    FAMILIES.iter().any(|f| n.eq_ignore_ascii_case(f)) || n.parse::<Channel>().is_ok()
}

use rule::{Outcome, Rule};

/// Every rule, grouped by concern; the order is the order of findings in a report.
const CATALOGUE: &[&[Rule]] = &[
    permit::RULES,
    qr::RULES,
    registration::RULES,
    price::RULES,
    details::RULES,
    offplan::RULES,
    returns::RULES,
    superlatives::RULES,
    urgency::RULES,
    availability::RULES,
    social::RULES,
    disclaimer::RULES,
];

fn catalogue() -> impl Iterator<Item = &'static Rule> {
    CATALOGUE.iter().flat_map(|group| group.iter())
}

/// The rule catalogue, for the API to show: ids, default severities (with [`Config::default`]),
/// the config key that changes a rule, what it checks and where the rule comes from.
pub fn rules() -> Vec<RuleInfo> {
    catalogue()
        .map(|r| RuleInfo {
            id: r.id,
            severity: r.severity,
            configured_by: r.configured_by,
            description: r.description,
            source: r.source,
        })
        .collect()
}

/// Checks one ad (its text, and the facts about the asset in `ctx`) against every rule.
pub fn check(text: &str, ctx: &Context<'_>) -> Report {
    let ad = scan::Ad::new(text, ctx);
    let mut findings = Vec::new();
    let mut not_checked = Vec::new();
    for rule in catalogue() {
        match (rule.check)(&ad, ctx) {
            Outcome::Checked(hits) => findings.extend(hits.into_iter().map(|h| Finding {
                rule: rule.id,
                severity: h.severity,
                excerpt: h.excerpt,
                message: h.message,
                fix_hint: h.fix_hint,
            })),
            Outcome::NotApplicable => {}
            Outcome::NotChecked(reason) => not_checked.push(NotChecked { rule: rule.id, reason }),
        }
    }
    let compliant = !findings.iter().any(|f| f.severity == Severity::Error);
    let notice = ctx.config.demo.then(|| format!(
        "{}: checked against the demo brokerage settings, whose ORN and BRN (00000) belong to no brokerage; an admin saves the real ones at PUT /api/v1/settings/brokerage",
        crate::brokerage::DEMO_MARK
    ));
    Report { compliant, findings, not_checked, notice }
}
