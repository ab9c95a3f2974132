//! Listing lifecycle: a sold, let or withdrawn listing may not be advertised as available, and
//! "Just Sold" posts may only follow the DLD transfer registration. The listing's `status`
//! (sold, let, rented, leased, withdrawn, off_market, expired, cancelled) and
//! `transfer_registered` decide; without a listing, a "just sold" post is still advised.

use super::context::Context;
use super::report::Severity;
use super::rule::{Hit, Outcome, Rule};
use super::scan::Ad;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "listing_not_available",
        severity: Severity::Error,
        configured_by: None,
        description: "The listing is not sold, let or withdrawn (unless the ad announces exactly that).",
        source:
            "rera-advertising.md §5.6: remove sold/let listings or mark them sold (khaleejtimes.com 2022); portals \
                 auto-remove flagged listings after 3 days (Property Finder); §5 validation: block publishing when \
                 the listing is sold/let. Reliable.",
        check: not_available,
    },
    Rule {
        id: "sold_announcement",
        severity: Severity::Warning,
        configured_by: None,
        description: "\"Just sold/rented\" posts only after the DLD transfer is registered (listing \
                      transfer_registered: true).",
        source: "rera-advertising.md §5.6: \"Just Sold\" posts only after the DLD transfer is registered \
                 (erehomes.ae/blogs/dubai-brokers-must-comply-…-just-sold-…). Brokerage blog: secondary, hence a \
                 warning.",
        check: sold_announcement,
    },
];

const UNAVAILABLE: &[&str] =
    &["sold", "let", "rented", "leased", "withdrawn", "off_market", "off-market", "expired", "cancelled", "canceled"];

fn announcement(ad: &Ad) -> Option<(usize, usize)> {
    re!(r"(?i)\b(?:just|recently|successfully)[ \t]+(?:sold|rented|leased|let)\b")
        .find(&ad.text)
        .map(|m| (m.start(), m.end()))
}

fn not_available(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    let Some(status) = ctx.text_field("status") else {
        return Outcome::NotApplicable;
    };
    let status = status.to_lowercase();
    if !UNAVAILABLE.contains(&status.as_str()) || announcement(ad).is_some() {
        return Outcome::pass();
    }
    Outcome::Checked(vec![Hit::absent(
        Severity::Error,
        format!("The listing is {status}; it may not be advertised as available."),
        "Withdraw the ad (and the portal listing). To announce the deal, wait for the DLD transfer and post it as \
         \"Just sold\".",
    )])
}

fn sold_announcement(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    let Some((s, e)) = announcement(ad) else {
        return Outcome::NotApplicable;
    };
    if ctx.flag("transfer_registered") {
        return Outcome::pass();
    }
    Outcome::Checked(vec![Hit::at(
        Severity::Warning,
        ad,
        s,
        e,
        "A \"just sold\" post needs the DLD transfer to be registered first.",
        "Publish after the transfer is registered with DLD, and record transfer_registered on the listing.",
    )])
}
