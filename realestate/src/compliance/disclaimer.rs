//! The brokerage's required disclaimers: each configured text must appear word for word (case,
//! spacing and punctuation ignored), except on channels the config exempts (e.g. SMS, where
//! length is tight). With no disclaimers configured the rule does not apply.

use super::channel::Channel;
use super::context::Context;
use super::report::Severity;
use super::rule::{Hit, Outcome, Rule};
use super::scan::Ad;
use super::text::contains_words;

pub(super) const RULES: &[Rule] = &[Rule {
    id: "disclaimer_missing",
    severity: Severity::Error,
    configured_by: Some("required_disclaimers"),
    description: "Every disclaimer in the config's required_disclaimers appears in the ad (channels in \
                  disclaimer_exempt_channels excepted).",
    source: "Brokerage policy set in the config; supports rera-advertising.md §5.9 (no misleading or ambiguous \
             content). Not itself a cited regulation.",
    check: disclaimer,
}];

fn exempt(ctx: &Context<'_>) -> bool {
    ctx.config.disclaimer_exempt_channels.iter().any(|c| {
        c.trim().eq_ignore_ascii_case(ctx.channel.kind()) || c.parse::<Channel>().is_ok_and(|p| p == ctx.channel)
    })
}

fn disclaimer(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    let required: Vec<&String> = ctx.config.required_disclaimers.iter().filter(|d| !d.trim().is_empty()).collect();
    if required.is_empty() || exempt(ctx) {
        return Outcome::NotApplicable;
    }
    Outcome::Checked(
        required
            .into_iter()
            .filter(|d| !contains_words(&ad.text, d))
            .map(|d| {
                let short: String = d.chars().take(60).collect();
                let short = if d.chars().count() > 60 { format!("{}…", short.trim_end()) } else { short };
                Hit::absent(
                    Severity::Error,
                    format!("The required disclaimer \"{short}\" is missing."),
                    format!("Add the disclaimer word for word: \"{}\"", d.trim()),
                )
            })
            .collect(),
    )
}
