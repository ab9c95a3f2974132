//! Unverifiable superlatives: market-wide rankings and price/return comparisons an agent cannot
//! substantiate ("best investment", "best … in Dubai", "#1", "No. 1", "cheapest", "lowest price
//! guaranteed", "highest ROI", "unbeatable").
//!
//! Decision on false positives: only a small curated phrase list with word boundaries is
//! flagged. "Best" alone is not ("bestseller", "the best views", "best-in-class finishes" are
//! subjective puffery), but "best" ranked against a market ("the best views in Dubai") or tied
//! to money ("best price", "best ROI") is. "#1" / "No. 1" / "number one" are not flagged after a
//! place word ("Villa No. 1", "Unit #1", "Phase 1"). Severity comes from `superlative_rule`
//! (default error: the banned-claims list blocks publishing).

use super::context::Context;
use super::report::Severity;
use super::rule::{Hit, Outcome, Rule};
use super::scan::Ad;
use super::text::{find_all, negated, previous_word};

pub(super) const RULES: &[Rule] = &[Rule {
    id: "unverifiable_superlative",
    severity: Severity::Error,
    configured_by: Some("superlative_rule"),
    description: "No unverifiable superlatives: \"best investment\", \"best … in Dubai\", \"#1\", \"No. 1\", \
                  \"cheapest\", \"lowest price (guaranteed)\", \"highest ROI\", \"unbeatable\".",
    source: "rera-advertising.md §5.9: exaggeration and vague or ambiguous wording are prohibited (National Media \
             Council advertising guide: sharjah24.ae/en/uae/364813-…; connector.ae/updates/6463/…); §5 banned-claims \
             list (\"best investment\", \"No.1\" without substantiation). Secondary summaries, hence configurable.",
    check: superlatives,
}];

/// Words after which "#1" / "No. 1" / "number one" is an address or a label, not a ranking.
const PLACE_WORDS: &[&str] = &[
    "unit",
    "villa",
    "plot",
    "apt",
    "apartment",
    "building",
    "bldg",
    "tower",
    "floor",
    "phase",
    "lot",
    "office",
    "shop",
    "gate",
    "street",
    "st",
    "road",
    "rd",
    "level",
    "block",
    "cluster",
    "house",
    "room",
    "hall",
    "lift",
    "entrance",
    "parking",
    "bay",
    "warehouse",
    "townhouse",
    "penthouse",
    "pool",
    "exit",
    "metro",
    "line",
    "terminal",
    "zone",
    "sector",
    "district",
    "project",
    "cheque",
    "payment",
    "installment",
    "instalment",
    "option",
    "step",
    "page",
    "type",
    "plan",
    "wing",
    "suite",
];

fn superlatives(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    let patterns = [
        re!(
            r"(?i)\bbest\b(?:[ \t]+[\w'-]+){0,3}?[ \t]+in[ \t]+(?:all[ \t]+of[ \t]+)?(?:dubai|the[ \t]+uae|uae|the[ \t]+emirates?|the[ \t]+city|town|the[ \t]+world|the[ \t]+region|the[ \t]+market|the[ \t]+gulf|the[ \t]+gcc|the[ \t]+middle[ \t]+east)\b"
        ),
        re!(
            r"(?i)\bbest[ \t]+(?:(?:possible|real[ \t]+estate|property|investment)[ \t]+)?(?:investments?|deals?|prices?|value|roi|returns?|yields?|offers?|opportunit(?:y|ies)|buys?|rates?)\b"
        ),
        re!(r"(?i)\bcheapest\b"),
        re!(r"(?i)\blowest[ \t]+(?:prices?|rates?)(?:[ \t]+guaranteed)?\b"),
        re!(
            r"(?i)\bprice[ \t]+match[ \t]+guarantee\b|\b(?:best|lowest)[ \t]+price[ \t]+guaranteed?\b|\bguaranteed[ \t]+(?:lowest|best)[ \t]+price\b"
        ),
        re!(r"(?i)\bunbeatable\b|\bunrivall?ed[ \t]+(?:prices?|value|returns?|roi|deals?)\b"),
        re!(
            r"(?i)\bhighest[ \t]+(?:(?:rental|net|gross)[ \t]+)?(?:roi|returns?|yields?|appreciation|capital[ \t]+growth)\b"
        ),
        re!(r"(?i)\bmost[ \t]+(?:affordable|profitable|lucrative)\b"),
        re!(r"(?i)(?:^|[^\w#])(?P<hit>#[ \t]?1)\b"),
        re!(r"(?i)\b(?P<hit>no\.?[ \t]?1)\b"),
        re!(r"(?i)\bnumber[ \t]+(?:one|1)\b"),
    ];
    let ranking = re!(r"(?i)^(?:#|no|number)");
    let hits = find_all(&ad.text, &patterns)
        .into_iter()
        .filter(|&(s, _)| !negated(&ad.text, s))
        .filter(|&(s, e)| {
            !ranking.is_match(&ad.text[s..e]) || !PLACE_WORDS.contains(&previous_word(&ad.text, s).as_str())
        })
        .map(|(s, e)| {
            Hit::at(
                ctx.config.superlative_rule,
                ad,
                s,
                e,
                "Unverifiable superlative or ranking claim.",
                "Remove it or replace it with a verifiable fact and its source (e.g. \"AED 1,208/sqft, below the \
                 building's 12-month DLD average of AED 1,350/sqft\").",
            )
        })
        .collect();
    Outcome::Checked(hits)
}
