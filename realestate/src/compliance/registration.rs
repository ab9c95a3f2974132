//! Registration numbers: RERA requires the brokerage's office registration number (ORN) and the
//! broker's registration number (BRN) on all media ads and e-mails, fine up to AED 50,000. When
//! the config holds the numbers, the ones in the ad must be those.

use super::context::Context;
use super::report::Severity;
use super::rule::{Hit, Outcome, Rule};
use super::scan::{Ad, Labelled};
use super::text::digits;

const SOURCE: &str = "rera-advertising.md §5.3: ORN + BRN in all media ads and e-mails, fine up to AED 50,000 \
                      (gulfnews.com/…/brokers-told-to-display-registry-numbers-1.953390). Reliable.";

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "orn_missing",
        severity: Severity::Error,
        configured_by: None,
        description: "Every ad and e-mail shows the brokerage's ORN, labelled (\"ORN 12345\").",
        source: SOURCE,
        check: orn_missing,
    },
    Rule {
        id: "brn_missing",
        severity: Severity::Error,
        configured_by: None,
        description: "Every ad and e-mail shows the broker's BRN, labelled (\"BRN 54321\").",
        source: SOURCE,
        check: brn_missing,
    },
    Rule {
        id: "orn_mismatch",
        severity: Severity::Error,
        configured_by: Some("orn"),
        description: "An ORN in the ad equals the configured ORN.",
        source: SOURCE,
        check: orn_mismatch,
    },
    Rule {
        id: "brn_mismatch",
        severity: Severity::Error,
        configured_by: Some("brn"),
        description: "A BRN in the ad equals the configured BRN.",
        source: SOURCE,
        check: brn_mismatch,
    },
];

fn missing(found: &[Labelled], configured: Option<&String>, what: &str, name: &str, example: &str) -> Outcome {
    if !found.is_empty() {
        return Outcome::pass();
    }
    let number = configured.map(String::as_str).unwrap_or(example);
    Outcome::Checked(vec![Hit::absent(
        Severity::Error,
        format!("The ad shows no {what} ({name})."),
        format!("Add the {what}, labelled: \"{name} {number}\"."),
    )])
}

fn mismatch(ad: &Ad, found: &[Labelled], configured: Option<&String>, name: &str) -> Outcome {
    let Some(expected) = configured.map(|c| digits(c)).filter(|c| !c.is_empty()) else {
        return if found.is_empty() {
            Outcome::NotApplicable
        } else {
            Outcome::not_checked(format!("no {} configured to compare with", name.to_lowercase()))
        };
    };
    Outcome::Checked(
        found
            .iter()
            .filter(|l| digits(&l.number) != expected)
            .map(|l| {
                Hit::at(
                    Severity::Error,
                    ad,
                    l.start,
                    l.end,
                    format!("{name} {} in the ad is not the registered {name} {expected}.", l.number),
                    format!("Use the registered number: \"{name} {expected}\"."),
                )
            })
            .collect(),
    )
}

fn orn_missing(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    missing(&ad.orns, ctx.config.orn.as_ref(), "brokerage's office registration number", "ORN", "12345")
}

fn brn_missing(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    missing(&ad.brns, ctx.config.brn.as_ref(), "broker's registration number", "BRN", "54321")
}

fn orn_mismatch(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    mismatch(ad, &ad.orns, ctx.config.orn.as_ref(), "ORN")
}

fn brn_mismatch(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    mismatch(ad, &ad.brns, ctx.config.brn.as_ref(), "BRN")
}
