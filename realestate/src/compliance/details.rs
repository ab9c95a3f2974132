//! Listing details that must match the permit besides the price: the size (sqft, or sqm
//! converted, within the precision written) and the number of bedrooms. Sizes labelled as a
//! balcony, plot, terrace and the like are not the unit size and are not compared.

use super::context::Context;
use super::report::Severity;
use super::rule::{Hit, Outcome, Rule};
use super::scan::Ad;
use super::text::group;

const SQM_TO_SQFT: f64 = 10.763_910_4;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "size_mismatch",
        severity: Severity::Error,
        configured_by: None,
        description: "Every unit size in the ad (sqft or sqm) equals the listing's size_sqft, within the precision \
                      written.",
        source: "rera-advertising.md §5.4: details identical to the permit (type, size, price, unit), \"prices and \
                 sizes … 100 % accurate\" (support.propertyfinder.ae/hc/en-us/articles/17122355022994; \
                 khaleejtimes.com/property/dubai-real-estate-broker-fined-dh50000-for-illegal-property-ad). Reliable.",
        check: size_mismatch,
    },
    Rule {
        id: "bedrooms_mismatch",
        severity: Severity::Error,
        configured_by: None,
        description: "Every bedroom count in the ad (\"2BR\", \"two-bedroom\", \"studio apartment\") equals the \
                      listing's bedrooms.",
        source: "rera-advertising.md §5.4: details identical to the permit (type, size, price, unit) \
                 (support.propertyfinder.ae/hc/en-us/articles/17122355022994). Reliable.",
        check: bedrooms_mismatch,
    },
];

fn size_mismatch(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    let sizes: Vec<_> = ad.sizes.iter().filter(|s| !s.secondary).collect();
    if sizes.is_empty() {
        return Outcome::NotApplicable;
    }
    let Some(expected) = ctx.number_field("size_sqft") else {
        return Outcome::not_checked(if ctx.property.is_none() {
            "no listing given to compare the size with"
        } else {
            "the listing has no size_sqft"
        });
    };
    Outcome::Checked(
        sizes
            .into_iter()
            .filter(|s| (s.sqft - expected).abs() > s.tolerance)
            .map(|s| {
                Hit::at(
                    Severity::Error,
                    ad,
                    s.start,
                    s.end,
                    format!(
                        "The size in the ad (≈ {} sqft) is not the listing's {} sqft.",
                        group(s.sqft),
                        group(expected)
                    ),
                    format!(
                        "Use the permit size: \"{} sqft\" (or \"{} sqm\"). Label other areas (balcony, plot) as such.",
                        group(expected),
                        group(expected / SQM_TO_SQFT)
                    ),
                )
            })
            .collect(),
    )
}

fn bedrooms_mismatch(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    if ad.bedrooms.is_empty() {
        return Outcome::NotApplicable;
    }
    let Some(expected) = ctx.number_field("bedrooms") else {
        return Outcome::not_checked(if ctx.property.is_none() {
            "no listing given to compare the bedrooms with"
        } else {
            "the listing has no bedrooms"
        });
    };
    let expected = expected.round() as i64;
    let name = |n: i64| if n == 0 { "a studio".to_string() } else { format!("{n} bedroom(s)") };
    Outcome::Checked(
        ad.bedrooms
            .iter()
            .filter(|b| b.count != expected)
            .map(|b| {
                Hit::at(
                    Severity::Error,
                    ad,
                    b.start,
                    b.end,
                    format!("The ad says {}, the listing has {}.", name(b.count), name(expected)),
                    format!("Describe the unit as the permit does: {}.", name(expected)),
                )
            })
            .collect(),
    )
}
