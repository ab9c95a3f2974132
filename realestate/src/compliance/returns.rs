//! Investment-return claims. "Guaranteed returns", "fixed ROI", "guaranteed rental yield" are
//! treated as misleading: no primary RERA text allows them and Dubai Police warn about "fixed
//! profits with no risk". They are allowed only when the config allows them AND the listing
//! carries `documented_guarantee: true`, and then still reported as a warning so the guarantee's
//! terms get cited. "Risk-free" / "no risk" claims are always errors.
//!
//! Negations are not claims: "returns are not guaranteed", "no investment is risk-free" pass.
//! Service wording such as "risk-free viewing" is not an investment claim and passes.

use super::context::Context;
use super::report::Severity;
use super::rule::{Hit, Outcome, Rule};
use super::scan::Ad;
use super::text::{find_all, negated};

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "guaranteed_returns",
        severity: Severity::Error,
        configured_by: Some("allow_guaranteed_returns"),
        description: "No guaranteed or fixed returns, ROI, yield, rent or appreciation; a warning instead when the \
                      config allows them and the listing has documented_guarantee: true.",
        source: "rera-advertising.md §5.9: no primary RERA text found, treated as misleading by default (Dubai \
                 Police warning on \"fixed monthly profits … with no risk\", filipinotimes.net/…); allow only with \
                 a documented developer guarantee and compliance sign-off. §5 banned-claims list.",
        check: guaranteed_returns,
    },
    Rule {
        id: "risk_free_claim",
        severity: Severity::Error,
        configured_by: None,
        description: "No \"risk-free\", \"no risk\", \"zero risk\", \"100% safe\" or \"can't lose\" claims.",
        source: "rera-advertising.md §5.9: false/misleading claims and exaggeration are prohibited (National Media \
                 Council advertising guide: sharjah24.ae/en/uae/364813-…; connector.ae/updates/6463/…); Dubai Police \
                 warning on \"no risk\" investments. Secondary summaries of official guidance.",
        check: risk_free,
    },
];

fn guaranteed_returns(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    let patterns = [
        re!(
            r"(?i)\bguarantee(?:d|s)?[ \t]+(?:(?:net|gross|annual|annualised|annualized|monthly|yearly|minimum|fixed|high|attractive|rental|capital|investment|passive)[ \t]+){0,3}(?:returns?|roi|yields?|income|profits?|rents?|rentals?|payouts?|appreciation|growth|capital[ \t]+gains?|dividends?)\b"
        ),
        re!(
            r"(?i)\b(?:returns?|roi|yields?|income|profits?|rent|rental[ \t]+income|appreciation|payouts?)[ \t]+(?:is[ \t]+|are[ \t]+)?(?:fully[ \t]+|100%[ \t]+)?guaranteed\b"
        ),
        re!(r"(?i)\bguarantee(?:d|s)?[ \t]+(?:of[ \t]+|an?[ \t]+)?[0-9]+(?:\.[0-9]+)?[ \t]*%"),
        re!(
            r"(?i)\b[0-9]+(?:\.[0-9]+)?[ \t]*%[ \t]+(?:(?:net|gross|annual|rental|monthly)[ \t]+)*(?:guaranteed|assured)\b"
        ),
        re!(
            r"(?i)\b(?:fixed|assured|certain|secured|locked[ \t-]in)[ \t]+(?:(?:annual|monthly|yearly|rental|net|gross)[ \t]+)?(?:returns?|roi|yields?|income|profits?|payouts?)\b"
        ),
    ];
    let allowed = ctx.config.allow_guaranteed_returns && ctx.flag("documented_guarantee");
    let hits = find_all(&ad.text, &patterns)
        .into_iter()
        .filter(|&(s, _)| !negated(&ad.text, s))
        .map(|(s, e)| {
            if allowed {
                Hit::at(
                    Severity::Warning,
                    ad,
                    s,
                    e,
                    "Guaranteed-return claim, allowed by config for a listing with a documented guarantee.",
                    "Name the guarantor and the guarantee's terms and period next to the claim, and keep the signed \
                     guarantee on file.",
                )
            } else {
                Hit::at(
                    Severity::Error,
                    ad,
                    s,
                    e,
                    "Guaranteed or fixed returns are treated as a misleading claim.",
                    "Remove the guarantee, or state a sourced, dated figure as an estimate (\"estimated gross yield \
                     6 %, based on … ; returns are not guaranteed\").",
                )
            }
        })
        .collect();
    Outcome::Checked(hits)
}

fn risk_free(ad: &Ad, _ctx: &Context<'_>) -> Outcome {
    let patterns = [
        re!(r"(?i)\brisk[ \t-]?free\b"),
        re!(r"(?i)\b(?:no|zero|nil)[ \t-]+risks?\b"),
        re!(r"(?i)\bwithout[ \t]+(?:any[ \t]+)?risks?\b"),
        re!(
            r"(?i)\briskless\b|\b100[ \t]*%[ \t]+(?:safe|secure)\b|\b(?:completely|totally|absolutely)[ \t]+safe[ \t]+investment\b|\b(?:can'?t|cannot|never)[ \t]+lose\b"
        ),
    ];
    let service = re!(r"(?i)^[ \t-]*(?:viewings?|consultations?|valuations?|cancellations?|trials?|inspections?)\b");
    let free_after = re!(r"(?i)^[ \t-]*free\b");
    let hits = find_all(&ad.text, &patterns)
        .into_iter()
        .filter(|&(s, e)| {
            let after = &ad.text[e..];
            let lead = ad.text[s..e].to_lowercase();
            let no_risk_free = !lead.starts_with("risk") && free_after.is_match(after);
            !service.is_match(after) && !no_risk_free && !negated(&ad.text, s)
        })
        .map(|(s, e)| {
            Hit::at(
                Severity::Error,
                ad,
                s,
                e,
                "Claims that an investment carries no risk are misleading.",
                "Remove the claim; describe concrete facts instead (escrow protection, payment plan, title deed).",
            )
        })
        .collect();
    Outcome::Checked(hits)
}
