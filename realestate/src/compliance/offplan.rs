//! Off-plan disclosures: an off-plan ad names the developer, the project, its DLD project
//! number, its location and the approved escrow account number (Circular 11-2016; escrow under
//! Law No. 8 of 2007). Applies when the listing's completion_status is "off_plan", or, with no
//! listing, when the text says "off-plan". Values on the listing (developer, project_name,
//! project_no, escrow_account_no, community) must appear as they are; without them, a labelled
//! mention is accepted ("Developer: …", "Project No. 2145", "Escrow account no. …").

use super::context::Context;
use super::report::Severity;
use super::rule::{Hit, Outcome, Rule};
use super::scan::Ad;
use super::text::{digits, mentions};

pub(super) const RULES: &[Rule] = &[Rule {
    id: "offplan_disclosure_missing",
    severity: Severity::Error,
    configured_by: None,
    description: "An off-plan ad names the developer, project name, DLD project number, location and escrow \
                  account number, matching the listing when it holds them.",
    source: "rera-advertising.md §5.7: violations under Circular 11-2016 \
             (app.reallaw.ai/en/legal-table/doc/on-violations-in-real-estate-advertisements-in-dubai-264); \
             AED 50,000 + suspension (khaleejtimes.com/uae/fake-ads-listings-…); Law No. 8 of 2007 on escrow. \
             Legal database summary: reliable.",
    check: offplan_disclosures,
}];

fn offplan_disclosures(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    let off_plan = match ctx.property {
        Some(_) => ctx.is_off_plan(),
        None => re!(r"(?i)\boff[ \t-]?plan\b").is_match(&ad.text),
    };
    if !off_plan {
        return Outcome::NotApplicable;
    }
    let text = &ad.text;
    let mut hits = Vec::new();
    let mut lacks = |what: &str, hint: String| {
        hits.push(Hit::absent(Severity::Error, format!("The off-plan ad lacks the {what}."), hint));
    };

    match ctx.text_field("developer") {
        Some(d) if !mentions(text, &d) => lacks("developer name", format!("Name the developer: \"Developer: {d}\".")),
        None if !re!(r"(?i)\b(?:developer|developed[ \t]+by)\b").is_match(text) => {
            lacks("developer name", "Name the developer, labelled: \"Developer: …\".".into())
        }
        _ => {}
    }

    match ctx.text_field("project_name").or_else(|| ctx.text_field("building")) {
        Some(p) if !mentions(text, &p) => lacks("project name", format!("Name the project as registered: \"{p}\".")),
        None if !re!(r"(?i)\bproject(?:[ \t]+name)?[ \t]*:").is_match(text) => {
            lacks("project name", "Name the project as registered with DLD: \"Project: …\".".into())
        }
        _ => {}
    }

    let project_no = re!(
        r"(?i)\bproject[ \t]*(?:no\.?|number|#|reg(?:istration)?\.?(?:[ \t]*(?:no\.?|number))?|id)[ \t]*[:#.\-]?[ \t]*(?P<n>[0-9]{1,10})\b"
    );
    let found: Vec<String> = project_no.captures_iter(text).map(|c| c["n"].to_string()).collect();
    match ctx.text_field("project_no").map(|p| digits(&p)) {
        _ if found.is_empty() => lacks(
            "DLD project number",
            format!(
                "Add the DLD project registration number: \"Project No. {}\".",
                ctx.text_field("project_no").unwrap_or_else(|| "…".into())
            ),
        ),
        Some(p) if !found.contains(&p) => lacks(
            "listing's DLD project number",
            format!("The project number in the ad differs from the listing's: use \"Project No. {p}\"."),
        ),
        _ => {}
    }

    if let Some(community) = ctx.text_field("community") {
        if !mentions(text, &community) {
            lacks("location", format!("Name the location: \"{community}\"."));
        }
    }

    let escrow = re!(r"(?i)\bescrow\b[^0-9\n]{0,40}?(?P<n>[0-9](?:[ \-]?[0-9]){5,30})");
    let accounts: Vec<String> = escrow.captures_iter(text).map(|c| digits(&c["n"])).filter(|d| d.len() >= 6).collect();
    match ctx.text_field("escrow_account_no").map(|e| digits(&e)) {
        _ if accounts.is_empty() => lacks(
            "escrow account number",
            "Add the project's DLD-approved escrow account number, e.g. \"Escrow account no. … (bank)\"; \
             buyers pay into escrow only."
                .into(),
        ),
        Some(e) if !accounts.iter().any(|a| a.contains(&e)) => lacks(
            "listing's escrow account number",
            format!("The escrow account in the ad differs from the listing's: use \"Escrow account no. {e}\"."),
        ),
        _ => {}
    }
    Outcome::Checked(hits)
}
