//! Social media: on top of the Trakheesi permit, the UAE Media Council requires an "Advertiser
//! Permit" for anyone posting promotional content, shown on the account. The permit belongs to
//! the account, not the post, so the rule checks that the brokerage config records one. Dubai
//! blogs describe the two-layer regime from 1 Feb 2026 (secondary sources), so the severity is
//! `media_council_rule` (default warning).

use super::context::Context;
use super::report::Severity;
use super::rule::{Hit, Outcome, Rule};
use super::scan::Ad;

pub(super) const RULES: &[Rule] = &[Rule {
    id: "media_council_permit_missing",
    severity: Severity::Warning,
    configured_by: Some("media_council_rule"),
    description: "Social posts come from an account with a UAE Media Council advertiser permit \
                  (media_council_permit_number in the config).",
    source: "rera-advertising.md §5.8: UAE Media Council advertiser permit for promotional posts, fines up to AED \
             1 M / 2 M (entrepreneur.com/en-ae/marketing/uae-media-council-launches-advertiser-permit-for-social/495212; \
             thenationalnews.com 2025-09-11); the two-layer regime from 1 Feb 2026 is described by secondary blogs \
             only (businesshouseco.com/?p=4089, aurantius.ae/?p=24534), hence configurable.",
    check: media_council,
}];

fn media_council(_ad: &Ad, ctx: &Context<'_>) -> Outcome {
    if !ctx.channel.is_social() {
        return Outcome::NotApplicable;
    }
    if ctx.config.media_council_permit_number.as_deref().is_some_and(|n| !n.trim().is_empty()) {
        return Outcome::pass();
    }
    Outcome::Checked(vec![Hit::absent(
        ctx.config.media_council_rule,
        "No UAE Media Council advertiser permit is recorded for social posting.",
        "Obtain the Media Council advertiser permit (free for the first 3 years), display it on the account, and \
         record its number in the compliance config (media_council_permit_number).",
    )])
}
