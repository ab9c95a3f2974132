//! The DLD (Trakheesi) QR code: required on print and audiovisual ads since 24 April 2023, so
//! buyers can verify the permit. Checked for print, outdoor and social images/videos; portals
//! render the QR code from the permit themselves, and text-only assets cannot carry one.

use super::context::Context;
use super::report::Severity;
use super::rule::{Hit, Outcome, Rule};
use super::scan::Ad;

pub(super) const RULES: &[Rule] = &[Rule {
    id: "qr_code_missing",
    severity: Severity::Error,
    configured_by: None,
    description: "Print and outdoor ads, and social images and videos, carry the permit's DLD QR code \
                  (`has_qr_code`).",
    source: "rera-advertising.md §5.2: QR code on print and audiovisual ads since 24 Apr 2023 \
             (gulf-insider.com/dubai-real-estate-fake-listing-deadline-…); portals require a valid DLD QR code \
             (support.propertyfinder.ae/hc/en-us/articles/17122355022994); gulfmarketer.ae/compliance. News and \
             portal notices: reliable.",
    check: qr_missing,
}];

fn qr_missing(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    let needed = ctx.channel.is_physical() || (ctx.channel.is_social() && ctx.asset.is_visual());
    if !needed {
        return Outcome::NotApplicable;
    }
    if !ad.property_ad {
        return Outcome::not_checked("no listing given and no listing details in the text: treated as a brand ad");
    }
    if ctx.has_qr_code {
        return Outcome::pass();
    }
    Outcome::Checked(vec![Hit::absent(
        Severity::Error,
        format!("The {} {} has no DLD QR code.", ctx.channel, ctx.asset),
        "Generate the permit's QR code in Trakheesi and place it on the artwork, large enough to scan.",
    )])
}
