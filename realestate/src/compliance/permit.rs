//! The Trakheesi advertising permit: every property ad shows the DLD permit number, the number
//! is the listing's own, and the permit has not expired. Ads without a permit are taken down and
//! fined; manipulated and expired permit numbers are named violations.

use chrono::NaiveDate;

use super::context::Context;
use super::report::Severity;
use super::rule::{Hit, Outcome, Rule};
use super::scan::Ad;
use super::text::digits;

const BRAND_AD: &str = "no listing given and no listing details in the text: treated as a brand ad";

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "trakheesi_permit_missing",
        severity: Severity::Error,
        configured_by: None,
        description: "A property ad on any channel shows its DLD Trakheesi advertising permit number, labelled \
                      (\"DLD Permit No.\", \"Trakheesi\").",
        source: "rera-advertising.md §5.1: RERA circular effective 2 Oct 2016, covering social media \
                 (dubaichronicle.com/2016/09/30/…); DLD fines for ads without permits \
                 (gulfbusiness.com/dubai-land-department-fines-10-real-estate-companies-…). Press reports of \
                 official circulars: reliable.",
        check: permit_missing,
    },
    Rule {
        id: "permit_mismatch",
        severity: Severity::Error,
        configured_by: None,
        description: "Every permit number in the ad is the listing's own permit number.",
        source: "rera-advertising.md §5.4 and §5.10: details identical to the permit \
                 (support.propertyfinder.ae/hc/en-us/articles/17122355022994-New-DLD-Regulation-Update; \
                 khaleejtimes.com/property/dubai-real-estate-broker-fined-dh50000-for-illegal-property-ad); \
                 manipulated permit numbers are a named violation (gulfbusiness / gulfnews 2020). Reliable.",
        check: permit_mismatch,
    },
    Rule {
        id: "permit_expired",
        severity: Severity::Error,
        configured_by: None,
        description: "The listing's permit (`permit_expiry`, YYYY-MM-DD) has not expired on the check date.",
        source: "rera-advertising.md §5.10: expired permits are a named violation (gulfbusiness / gulfnews 2020); \
                 §5 validation: block publishing when the permit has expired. Reliable.",
        check: permit_expired,
    },
];

fn permit_missing(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    if !ad.property_ad {
        return Outcome::not_checked(BRAND_AD);
    }
    if !ad.permits.is_empty() {
        return Outcome::pass();
    }
    let hint = match ctx.text_field("permit_number") {
        Some(n) => format!("Add the listing's Trakheesi permit number, labelled, e.g. \"DLD Permit No. {n}\"."),
        None => "Obtain a Trakheesi advertising permit from DLD for this listing before publishing, then add it \
                 labelled, e.g. \"DLD Permit No. 1234567890\"."
            .to_string(),
    };
    Outcome::Checked(vec![Hit::absent(
        Severity::Error,
        "The ad shows no Trakheesi (DLD) advertising permit number.",
        hint,
    )])
}

fn permit_mismatch(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    if ad.permits.is_empty() {
        return Outcome::NotApplicable;
    }
    let Some(expected) = ctx.text_field("permit_number") else {
        return Outcome::not_checked(if ctx.property.is_none() {
            "no listing given to compare the permit number with"
        } else {
            "the listing has no permit_number"
        });
    };
    let expected = digits(&expected);
    Outcome::Checked(
        ad.permits
            .iter()
            .filter(|p| digits(&p.number) != expected)
            .map(|p| {
                Hit::at(
                    Severity::Error,
                    ad,
                    p.start,
                    p.end,
                    format!("Permit number {} in the ad is not the listing's permit {expected}.", p.number),
                    format!("Use the listing's own Trakheesi permit number exactly: {expected}."),
                )
            })
            .collect(),
    )
}

fn permit_expired(_ad: &Ad, ctx: &Context<'_>) -> Outcome {
    let Some(raw) = ctx.text_field("permit_expiry") else {
        return Outcome::NotApplicable;
    };
    let Ok(expiry) = NaiveDate::parse_from_str(&raw, "%Y-%m-%d") else {
        return Outcome::not_checked(format!("the listing's permit_expiry `{raw}` is not a YYYY-MM-DD date"));
    };
    let Some(today) = ctx.today else {
        return Outcome::not_checked("no date given to compare the permit expiry with");
    };
    if expiry >= today {
        return Outcome::pass();
    }
    Outcome::Checked(vec![Hit::absent(
        Severity::Error,
        format!("The listing's Trakheesi permit expired on {expiry}."),
        "Renew the permit in Trakheesi (or withdraw the ad), then update the listing's permit_expiry.",
    )])
}
