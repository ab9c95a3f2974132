//! Prices: stated in AED (the permit's currency), and equal to the listing's asking price,
//! because an ad's details must be identical to its permit. Foreign-currency figures are an
//! error when they stand alone and a warning next to the AED price (no source forbids an
//! equivalent, but it must not replace the permit price). Numbers that read as prices with no
//! currency ("Price: 1,450,000") are errors. Rounded prices ("AED 1.5M" for 1,495,000) do not
//! match: write the exact figure.

use super::context::Context;
use super::report::Severity;
use super::rule::{Hit, Outcome, Rule};
use super::scan::{Ad, AmountKind};
use super::text::group;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "price_not_in_aed",
        severity: Severity::Error,
        configured_by: None,
        description: "Prices carry the AED currency (AED, Dh, Dhs, د.إ): no bare price-like numbers, and no \
                      foreign-currency price without the AED price.",
        source: "rera-advertising.md §6 currency display: AED (gulfnews.com/business/banking/\
                 watch-uae-central-bank-warns-of-8-mistakes-…); §5.4 the price must match the permit (in AED). \
                 News report of CBUAE guidance: reliable.",
        check: not_in_aed,
    },
    Rule {
        id: "foreign_currency_equivalent",
        severity: Severity::Warning,
        configured_by: None,
        description: "A foreign-currency figure (USD, $, €, GBP) next to the AED price is advisory: keep AED first \
                      and mark the other as an approximate equivalent.",
        source: "rera-advertising.md §6 (AED display) and §5.9 (no vague or misleading figures); no source found \
                 that forbids an equivalent: AURA's reading, hence a warning.",
        check: foreign_equivalent,
    },
    Rule {
        id: "price_mismatch",
        severity: Severity::Error,
        configured_by: None,
        description: "Every AED price in the ad (not rates, down payments, fees or monthly figures) equals the \
                      listing's asking price.",
        source: "rera-advertising.md §5.4: details identical to the permit, \"prices and sizes … 100 % accurate\" \
                 (support.propertyfinder.ae/hc/en-us/articles/17122355022994; spinvestment.com/es/\
                 uae-tightens-real-estate-marketing-rules). Reliable.",
        check: price_mismatch,
    },
];

fn not_in_aed(ad: &Ad, _ctx: &Context<'_>) -> Outcome {
    let has_aed = ad.amounts.iter().any(|a| a.aed);
    let mut hits: Vec<Hit> = Vec::new();
    if !has_aed {
        hits.extend(ad.amounts.iter().filter(|a| !a.aed).map(|a| {
            Hit::at(
                Severity::Error,
                ad,
                a.start,
                a.end,
                format!("The price is given in {} only, not in AED.", a.currency),
                "State the price in AED, the currency of the permit (e.g. \"AED 1,450,000\"); a foreign-currency \
                 equivalent may follow it, marked as approximate.",
            )
        }));
    }
    hits.extend(ad.bare_prices.iter().map(|b| {
        Hit::at(
            Severity::Error,
            ad,
            b.start,
            b.end,
            format!("{} reads as a price but has no currency.", b.number),
            format!("Write the currency before the amount: \"AED {}\".", b.number),
        )
    }));
    Outcome::Checked(hits)
}

fn foreign_equivalent(ad: &Ad, _ctx: &Context<'_>) -> Outcome {
    if !ad.amounts.iter().any(|a| a.aed) {
        return Outcome::NotApplicable;
    }
    Outcome::Checked(
        ad.amounts
            .iter()
            .filter(|a| !a.aed)
            .map(|a| {
                Hit::at(
                    Severity::Warning,
                    ad,
                    a.start,
                    a.end,
                    format!("A {} figure accompanies the AED price.", a.currency),
                    "Keep the AED price first and mark the other as an approximate equivalent (\"approx. USD …\"), \
                     or remove it.",
                )
            })
            .collect(),
    )
}

fn price_mismatch(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    let prices: Vec<_> = ad.amounts.iter().filter(|a| a.aed && a.kind == AmountKind::Price).collect();
    if prices.is_empty() {
        return Outcome::NotApplicable;
    }
    let Some(expected) = ctx.number_field("asking_price") else {
        return Outcome::not_checked(if ctx.property.is_none() {
            "no listing given to compare the price with"
        } else {
            "the listing has no asking_price"
        });
    };
    Outcome::Checked(
        prices
            .into_iter()
            .filter(|a| (a.value - expected).abs() > 1.0)
            .map(|a| {
                Hit::at(
                    Severity::Error,
                    ad,
                    a.start,
                    a.end,
                    format!(
                        "AED {} in the ad is not the listing's asking price AED {}.",
                        group(a.value),
                        group(expected)
                    ),
                    format!(
                        "Use the exact listing/permit price, \"AED {}\"; if the price changed, update the listing \
                         and its permit first. Label other sums (\"Down payment AED …\", \"Service charge …\").",
                        group(expected)
                    ),
                )
            })
            .collect(),
    )
}
