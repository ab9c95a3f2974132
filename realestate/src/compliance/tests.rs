//! Tests of the compliance checker: a failing and a passing case for every rule (table-driven,
//! so a rule added without cases fails the coverage test), the fully compliant ready ad, the
//! off-plan disclosures, configurable severities, and the false positives decided against.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::*;

const DISCLAIMER: &str = "Information is indicative and subject to the DLD permit; verify it with the QR code.";

const READY_AD: &str = "Bright 2-bedroom apartment in Marina Heights Tower, Dubai Marina. 1,200 sqft with marina \
                        views. Price: AED 1,450,000.\nDLD Permit No. 7123456789\nAcme Properties · ORN 12345 · Sara \
                        Khan · BRN 54321\nInformation is indicative and subject to the DLD permit; verify it with \
                        the QR code.";

const OFFPLAN_AD: &str = "Off-plan 1-bedroom in Creek Vista Heights, Dubai Creek Harbour. 750 sqft. Price: AED \
                          1,200,000. Developer: Emaar. Project No. 2145. Escrow account no. 1012345678 (Emirates \
                          NBD). Handover Q4 2027.\nDLD Permit No. 6123456789 · ORN 12345 · BRN 54321\nInformation is \
                          indicative and subject to the DLD permit; verify it with the QR code.";

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn config() -> Config {
    Config {
        orn: Some("12345".into()),
        brn: Some("54321".into()),
        required_disclaimers: vec![DISCLAIMER.into()],
        ..Config::default()
    }
}

fn ready() -> Value {
    json!({
        "reference": "DM-2BR-1203", "community": "Dubai Marina", "building": "Marina Heights Tower",
        "property_type": "apartment", "bedrooms": 2, "size_sqft": 1200.0, "asking_price": 1_450_000.0,
        "permit_number": "7123456789", "permit_expiry": "2026-12-31", "completion_status": "ready"
    })
}

fn off_plan() -> Value {
    json!({
        "reference": "CH-1BR-OP", "community": "Dubai Creek Harbour", "building": "Creek Vista",
        "project_name": "Creek Vista Heights", "developer": "Emaar", "project_no": "2145",
        "escrow_account_no": "1012345678", "property_type": "apartment", "bedrooms": 1, "size_sqft": 750.0,
        "asking_price": 1_200_000.0, "permit_number": "6123456789", "completion_status": "off_plan"
    })
}

/// Replaces `from` (which must occur) in `text`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` not in the sample");
    text.replacen(from, to, 1)
}

/// With `key` set to `value` on `property`.
fn set(mut property: Value, key: &str, value: Value) -> Value {
    property[key] = value;
    property
}

#[derive(Clone)]
struct Scenario {
    text: String,
    channel: &'static str,
    asset: Option<Asset>,
    property: Option<Value>,
    qr: bool,
    today: Option<NaiveDate>,
    config: Config,
}

impl Scenario {
    /// The ready listing on a portal, checked on 2025-06-01 with the brokerage config.
    fn ready(text: impl Into<String>) -> Scenario {
        Scenario {
            text: text.into(),
            channel: "portal",
            asset: None,
            property: Some(ready()),
            qr: false,
            today: Some(date("2025-06-01")),
            config: config(),
        }
    }
    fn channel(mut self, c: &'static str) -> Self {
        self.channel = c;
        self
    }
    fn asset(mut self, a: Asset) -> Self {
        self.asset = Some(a);
        self
    }
    fn property(mut self, p: Option<Value>) -> Self {
        self.property = p;
        self
    }
    fn qr(mut self, q: bool) -> Self {
        self.qr = q;
        self
    }
    fn today(mut self, t: Option<NaiveDate>) -> Self {
        self.today = t;
        self
    }
    fn config(mut self, c: Config) -> Self {
        self.config = c;
        self
    }
    fn run(&self) -> Report {
        let channel: Channel = self.channel.parse().unwrap();
        let mut ctx = Context::new(channel, &self.config).with_qr_code(self.qr);
        if let Some(a) = self.asset {
            ctx = ctx.with_asset(a);
        }
        if let Some(p) = &self.property {
            ctx = ctx.with_property(p);
        }
        if let Some(t) = self.today {
            ctx = ctx.with_today(t);
        }
        check(&self.text, &ctx)
    }
}

fn ids(r: &Report) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.rule).collect()
}

fn finding<'r>(r: &'r Report, id: &str) -> &'r Finding {
    r.findings.iter().find(|f| f.rule == id).unwrap_or_else(|| panic!("no `{id}` finding in {r:#?}"))
}

struct Case {
    rule: &'static str,
    fail: Scenario,
    pass: Scenario,
}

fn cases() -> Vec<Case> {
    let ready_ad = || Scenario::ready(READY_AD);
    let with_ad = |from: &str, to: &str| Scenario::ready(edit(READY_AD, from, to));
    let offplan = |text: String| Scenario::ready(text).property(Some(off_plan()));
    let sold = |extra: Value| {
        let mut p = set(ready(), "status", json!("sold"));
        if let Value::Object(m) = extra {
            p.as_object_mut().unwrap().extend(m);
        }
        Scenario::ready(format!(
            "Just sold: 2-bedroom apartment in Marina Heights Tower, Dubai Marina.\nDLD Permit No. 7123456789 · ORN \
             12345 · BRN 54321\n{DISCLAIMER}"
        ))
        .property(Some(p))
    };
    vec![
        Case { rule: "trakheesi_permit_missing", fail: with_ad("DLD Permit No. 7123456789\n", ""), pass: ready_ad() },
        Case { rule: "permit_mismatch", fail: with_ad("No. 7123456789", "No. 7123456780"), pass: ready_ad() },
        Case {
            rule: "permit_expired",
            fail: ready_ad().property(Some(set(ready(), "permit_expiry", json!("2025-05-31")))),
            pass: ready_ad().property(Some(set(ready(), "permit_expiry", json!("2025-06-01")))),
        },
        Case {
            rule: "qr_code_missing",
            fail: ready_ad().channel("print:brochure"),
            pass: ready_ad().channel("print:brochure").qr(true),
        },
        Case { rule: "orn_missing", fail: with_ad("ORN 12345 · ", ""), pass: ready_ad() },
        Case { rule: "brn_missing", fail: with_ad(" · BRN 54321", ""), pass: ready_ad() },
        Case { rule: "orn_mismatch", fail: with_ad("ORN 12345", "ORN 12346"), pass: ready_ad() },
        Case { rule: "brn_mismatch", fail: with_ad("BRN 54321", "BRN 54320"), pass: ready_ad() },
        Case {
            rule: "price_not_in_aed",
            fail: with_ad("Price: AED 1,450,000.", "Price: USD 394,800."),
            pass: ready_ad(),
        },
        Case {
            rule: "foreign_currency_equivalent",
            fail: with_ad("AED 1,450,000.", "AED 1,450,000 (approx. USD 394,800)."),
            pass: ready_ad(),
        },
        Case { rule: "price_mismatch", fail: with_ad("AED 1,450,000", "AED 1,500,000"), pass: ready_ad() },
        Case { rule: "size_mismatch", fail: with_ad("1,200 sqft", "1,250 sqft"), pass: ready_ad() },
        Case { rule: "bedrooms_mismatch", fail: with_ad("2-bedroom", "3-bedroom"), pass: ready_ad() },
        Case {
            rule: "offplan_disclosure_missing",
            fail: offplan(edit(OFFPLAN_AD, " Escrow account no. 1012345678 (Emirates NBD).", "")),
            pass: offplan(OFFPLAN_AD.into()),
        },
        Case {
            rule: "guaranteed_returns",
            fail: Scenario::ready(format!("{READY_AD}\nGuaranteed 8% rental yield for 3 years.")),
            pass: Scenario::ready(format!("{READY_AD}\nRental yields are indicative and not guaranteed.")),
        },
        Case {
            rule: "risk_free_claim",
            fail: Scenario::ready(format!("{READY_AD}\nA risk-free investment.")),
            pass: Scenario::ready(format!("{READY_AD}\nNo investment is risk-free.")),
        },
        Case {
            rule: "unverifiable_superlative",
            fail: Scenario::ready(format!("{READY_AD}\nThe best investment in Dubai.")),
            pass: Scenario::ready(format!("{READY_AD}\nEnjoy the best views from a bestseller layout.")),
        },
        Case {
            rule: "misleading_urgency",
            fail: Scenario::ready(format!("{READY_AD}\nOnly 2 units left!")),
            pass: ready_ad(),
        },
        Case {
            rule: "offer_expired",
            fail: Scenario::ready(format!("{READY_AD}\nFree service charge, offer valid until 31 May 2025.")),
            pass: Scenario::ready(format!("{READY_AD}\nFree service charge, offer valid until 30 June 2025.")),
        },
        Case {
            rule: "listing_not_available",
            fail: ready_ad().property(Some(set(ready(), "status", json!("sold")))),
            pass: ready_ad().property(Some(set(ready(), "status", json!("available")))),
        },
        Case { rule: "sold_announcement", fail: sold(json!({})), pass: sold(json!({ "transfer_registered": true })) },
        Case {
            rule: "media_council_permit_missing",
            fail: ready_ad().channel("instagram").qr(true),
            pass: ready_ad()
                .channel("instagram")
                .qr(true)
                .config(Config { media_council_permit_number: Some("MC-2025-001".into()), ..config() }),
        },
        Case { rule: "disclaimer_missing", fail: with_ad(DISCLAIMER, ""), pass: ready_ad() },
    ]
}

/// Runs the case of `id`: the failing scenario yields exactly one finding, of that rule, at the
/// catalogue severity (so it blocks publishing iff that is an error); the passing scenario is clean.
fn run_case(id: &str) {
    let info = rules().into_iter().find(|i| i.id == id).unwrap_or_else(|| panic!("{id} not in the catalogue"));
    let case = cases().into_iter().find(|c| c.rule == id).unwrap_or_else(|| panic!("{id} has no case"));
    let fail = case.fail.run();
    assert_eq!(ids(&fail), [id], "failing case of {id}: {:#?}", fail.findings);
    assert_eq!(fail.findings[0].severity, info.severity, "severity of {id}");
    assert_eq!(fail.compliant, info.severity == Severity::Warning, "compliant for {id}");
    assert!(!fail.findings[0].fix_hint.is_empty() && !fail.findings[0].message.is_empty());
    let pass = case.pass.run();
    assert!(pass.compliant && pass.findings.is_empty(), "passing case of {id}: {:#?}", pass.findings);
}

/// One test per rule, and the list of them for the coverage test.
macro_rules! rule_tests {
    ($($id:ident),* $(,)?) => {
        const RULES_WITH_TESTS: &[&str] = &[$(stringify!($id)),*];
        mod per_rule {
            $(#[test] fn $id() { super::run_case(stringify!($id)); })*
        }
    };
}

rule_tests!(
    trakheesi_permit_missing,
    permit_mismatch,
    permit_expired,
    qr_code_missing,
    orn_missing,
    brn_missing,
    orn_mismatch,
    brn_mismatch,
    price_not_in_aed,
    foreign_currency_equivalent,
    price_mismatch,
    size_mismatch,
    bedrooms_mismatch,
    offplan_disclosure_missing,
    guaranteed_returns,
    risk_free_claim,
    unverifiable_superlative,
    misleading_urgency,
    offer_expired,
    listing_not_available,
    sold_announcement,
    media_council_permit_missing,
    disclaimer_missing,
);

#[test]
fn every_rule_has_a_case_and_a_test() {
    let catalogue: Vec<&str> = rules().iter().map(|r| r.id).collect();
    let with_cases: Vec<&str> = cases().iter().map(|c| c.rule).collect();
    assert_eq!(with_cases, catalogue, "cases() must follow the catalogue");
    assert_eq!(RULES_WITH_TESTS, catalogue.as_slice(), "rule_tests! must list the catalogue");
}

#[test]
fn fully_compliant_ready_ad_has_zero_findings() {
    for scenario in [
        Scenario::ready(READY_AD),
        Scenario::ready(READY_AD).channel("print:postcard").qr(true),
        Scenario::ready(READY_AD).channel("email"),
        Scenario::ready(READY_AD).channel("outdoor").qr(true),
    ] {
        let report = scenario.run();
        assert!(report.compliant);
        assert!(report.findings.is_empty(), "{:#?}", report.findings);
        assert!(report.not_checked.is_empty(), "{:#?}", report.not_checked);
    }
}

#[test]
fn offplan_ad_without_escrow_details_fails() {
    let report = Scenario::ready(edit(OFFPLAN_AD, " Escrow account no. 1012345678 (Emirates NBD).", ""))
        .property(Some(off_plan()))
        .run();
    assert!(!report.compliant);
    let f = finding(&report, "offplan_disclosure_missing");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("escrow account"), "{}", f.message);
    assert!(f.fix_hint.contains("escrow"));
}

#[test]
fn offplan_ad_lists_each_missing_disclosure() {
    let text = format!("Off-plan 1-bedroom, 750 sqft, Price: AED 1,200,000. DLD Permit No. 6123456789 · ORN 12345 · BRN 54321\n{DISCLAIMER}");
    let report = Scenario::ready(text).property(Some(off_plan())).run();
    let messages: Vec<&str> =
        report.findings.iter().filter(|f| f.rule == "offplan_disclosure_missing").map(|f| f.message.as_str()).collect();
    assert_eq!(messages.len(), 5, "{messages:?}");
    for what in ["developer", "project name", "project number", "location", "escrow"] {
        assert!(messages.iter().any(|m| m.contains(what)), "{what} missing from {messages:?}");
    }
    // A different escrow account than the listing's is reported too.
    let wrong = Scenario::ready(edit(OFFPLAN_AD, "1012345678", "1012345699")).property(Some(off_plan())).run();
    assert!(finding(&wrong, "offplan_disclosure_missing").message.contains("listing's escrow"));
}

#[test]
fn offplan_is_detected_from_the_text_without_a_listing() {
    let text = format!("Off-plan launch in Dubai Creek Harbour, 1BR from AED 1,200,000. DLD Permit No. 6123456789 · ORN 12345 · BRN 54321\n{DISCLAIMER}");
    let report = Scenario::ready(text).property(None).run();
    assert!(report.has("offplan_disclosure_missing"));
    let labelled = format!(
        "Off-plan launch, 1BR. Developer: Emaar. Project: Creek Vista Heights. Project No. 2145. Escrow A/C: \
         1012-3456-78. DLD Permit No. 6123456789 · ORN 12345 · BRN 54321\n{DISCLAIMER}"
    );
    assert!(!Scenario::ready(labelled).property(None).run().has("offplan_disclosure_missing"));
}

#[test]
fn configurable_rules_change_severity_with_the_config() {
    let superlative = format!("{READY_AD}\nThe cheapest 2BR in the building.");
    let strict = Scenario::ready(superlative.clone()).run();
    assert_eq!(finding(&strict, "unverifiable_superlative").severity, Severity::Error);
    assert!(!strict.compliant);
    let lenient = Scenario::ready(superlative).config(Config { superlative_rule: Severity::Warning, ..config() }).run();
    assert_eq!(finding(&lenient, "unverifiable_superlative").severity, Severity::Warning);
    assert!(lenient.compliant);

    let social = Scenario::ready(READY_AD).channel("social:linkedin");
    let warn = social.clone().run();
    assert_eq!(finding(&warn, "media_council_permit_missing").severity, Severity::Warning);
    assert!(warn.compliant);
    let enforced = social.config(Config { media_council_rule: Severity::Error, ..config() }).run();
    assert_eq!(finding(&enforced, "media_council_permit_missing").severity, Severity::Error);
    assert!(!enforced.compliant);

    let urgent = format!("{READY_AD}\nPrices go up tomorrow!");
    assert_eq!(finding(&Scenario::ready(urgent.clone()).run(), "misleading_urgency").severity, Severity::Warning);
    let strict_urgency = Scenario::ready(urgent).config(Config { urgency_rule: Severity::Error, ..config() }).run();
    assert_eq!(finding(&strict_urgency, "misleading_urgency").severity, Severity::Error);
}

#[test]
fn guaranteed_returns_need_config_and_a_documented_guarantee() {
    let text = format!("{READY_AD}\n7% guaranteed rental return for 3 years.");
    let allow = Config { allow_guaranteed_returns: true, ..config() };
    let documented = set(ready(), "documented_guarantee", json!(true));

    let default = Scenario::ready(text.clone()).property(Some(documented.clone())).run();
    assert_eq!(finding(&default, "guaranteed_returns").severity, Severity::Error);
    let undocumented = Scenario::ready(text.clone()).config(allow.clone()).run();
    assert_eq!(finding(&undocumented, "guaranteed_returns").severity, Severity::Error);
    let allowed = Scenario::ready(text).config(allow).property(Some(documented)).run();
    assert_eq!(finding(&allowed, "guaranteed_returns").severity, Severity::Warning);
    assert!(allowed.compliant);
}

#[test]
fn guarantee_and_risk_wordings() {
    let claims = [
        ("guaranteed ROI of 10%", "guaranteed_returns"),
        ("Fixed ROI 8% for 5 years", "guaranteed_returns"),
        ("guaranteed rental yield", "guaranteed_returns"),
        ("rental income is guaranteed", "guaranteed_returns"),
        ("assured returns", "guaranteed_returns"),
        ("There is no risk.", "risk_free_claim"),
        ("Zero risk, high reward", "risk_free_claim"),
        ("100% safe and secure", "risk_free_claim"),
        ("You can't lose.", "risk_free_claim"),
    ];
    for (claim, rule) in claims {
        let r = Scenario::ready(format!("{READY_AD}\n{claim}")).run();
        assert_eq!(ids(&r), [rule], "{claim}");
    }
    let fine = [
        "Returns are not guaranteed.",
        "We do not offer guaranteed returns.",
        "There is no risk-free investment.",
        "Book a risk-free viewing today.",
        "Past performance does not guarantee future returns.",
    ];
    for text in fine {
        let r = Scenario::ready(format!("{READY_AD}\n{text}")).run();
        assert!(r.findings.is_empty(), "{text}: {:?}", r.findings);
    }
}

#[test]
fn superlatives_use_a_curated_list_and_avoid_false_positives() {
    for claim in [
        "Dubai's #1 broker",
        "No. 1 developer",
        "the number one community",
        "Best price guaranteed",
        "lowest price in the tower",
        "highest rental yield",
        "the best views in Dubai",
        "unbeatable deal",
        "most affordable 2BR around",
    ] {
        let r = Scenario::ready(format!("{READY_AD}\n{claim}")).run();
        assert_eq!(ids(&r), ["unverifiable_superlative"], "{claim}");
        assert!(!finding(&r, "unverifiable_superlative").excerpt.is_empty());
    }
    for text in [
        "The best views of the marina.",
        "A bestseller layout with best-in-class finishes.",
        "Villa No. 1 on the corner.",
        "Unit #1 faces the park.",
        "Close to Gate No. 1.",
    ] {
        let r = Scenario::ready(format!("{READY_AD}\n{text}")).run();
        assert!(r.findings.is_empty(), "{text}: {:?}", r.findings);
    }
}

#[test]
fn permit_numbers_are_found_under_their_usual_labels() {
    for label in [
        "Trakheesi: 7123456789",
        "Permit #7123456789",
        "DLD permit number 7123456789",
        "Trakheesi Permit No: 7123456789",
        "RERA Permit 7123456789",
    ] {
        let r = Scenario::ready(edit(READY_AD, "DLD Permit No. 7123456789", label)).run();
        assert!(r.findings.is_empty(), "{label}: {:?}", r.findings);
    }
    // The Media Council advertiser permit is not a Trakheesi permit.
    let r = Scenario::ready(edit(READY_AD, "DLD Permit No. 7123456789", "Advertiser Permit No. 123456")).run();
    assert_eq!(ids(&r), ["trakheesi_permit_missing"]);
    assert!(finding(&r, "trakheesi_permit_missing").fix_hint.contains("7123456789"));
    // Arabic-Indic digits are read.
    let r = Scenario::ready(edit(READY_AD, "7123456789", "٧١٢٣٤٥٦٧٨٩")).run();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn prices_are_read_in_their_usual_forms() {
    for price in ["AED 1.45M", "Dh1.45 million", "1,450,000 AED", "د.إ 1,450,000", "AED1,450,000", "Dhs 1,450k"] {
        let r = Scenario::ready(edit(READY_AD, "AED 1,450,000", price)).run();
        assert!(r.findings.is_empty(), "{price}: {:?}", r.findings);
    }
    // Rates, down payments, monthly figures and old prices are not the price.
    let extra = "Price: AED 1,450,000 (AED 1,208/sqft). Down payment AED 145,000. Service charge AED 18,000. Was AED \
                 1,600,000, now AED 1,450,000. Rent it out at AED 9,000/month.";
    let r = Scenario::ready(edit(READY_AD, "Price: AED 1,450,000.", extra)).run();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    // A rounded price is not the permit price.
    let r = Scenario::ready(edit(READY_AD, "AED 1,450,000", "AED 1.5M")).run();
    assert_eq!(ids(&r), ["price_mismatch"]);
    assert!(finding(&r, "price_mismatch").fix_hint.contains("AED 1,450,000"));
}

#[test]
fn bare_price_like_numbers_are_flagged_but_other_numbers_are_not() {
    for bare in ["Price: 1,450,000.", "Yours for 1.45M.", "Asking 1450000."] {
        let r = Scenario::ready(edit(READY_AD, "Price: AED 1,450,000.", bare)).run();
        assert_eq!(ids(&r), ["price_not_in_aed"], "{bare}");
    }
    let numbers = "Price: AED 1,450,000. Call 0501234567. Built in 2019, plot from 2,500 sqft, for 25,000 residents.";
    let r = Scenario::ready(edit(READY_AD, "Price: AED 1,450,000.", numbers)).run();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    // Alone, a foreign-currency price is an error; "€" and "$" count.
    for foreign in ["Price: €365,000.", "Price: $394,800."] {
        let r = Scenario::ready(edit(READY_AD, "Price: AED 1,450,000.", foreign)).run();
        assert_eq!(ids(&r), ["price_not_in_aed"], "{foreign}");
    }
}

#[test]
fn sizes_convert_sqm_and_ignore_secondary_areas() {
    let r = Scenario::ready(edit(READY_AD, "1,200 sqft", "111.5 sq. m")).run();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    let r = Scenario::ready(edit(READY_AD, "1,200 sqft", "1,200 sq ft plus a 150 sqft balcony")).run();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    let r = Scenario::ready(edit(READY_AD, "1,200 sqft", "120 m²")).run();
    assert_eq!(ids(&r), ["size_mismatch"]);
}

#[test]
fn bedrooms_are_read_in_words_and_studios() {
    let r = Scenario::ready(edit(READY_AD, "2-bedroom", "two bedroom")).run();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    let r = Scenario::ready(edit(READY_AD, "2-bedroom apartment", "spacious studio apartment")).run();
    assert_eq!(ids(&r), ["bedrooms_mismatch"]);
    // A yoga studio is an amenity, not a studio flat.
    let r = Scenario::ready(format!("{READY_AD}\nResidents' gym and yoga studio.")).run();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn qr_code_applies_to_print_outdoor_and_social_visuals_only() {
    let base = Scenario::ready(READY_AD).config(Config { media_council_permit_number: Some("1".into()), ..config() });
    for (channel, asset, needed) in [
        ("flyer", None, true),
        ("billboard", None, true),
        ("instagram", None, true),
        ("facebook", Some(Asset::Video), true),
        ("facebook", None, false),
        ("x", Some(Asset::Text), false),
        ("portal", Some(Asset::Image), false),
        ("sms", None, false),
        ("email", None, false),
    ] {
        let mut s = base.clone().channel(channel);
        if let Some(a) = asset {
            s = s.asset(a);
        }
        assert_eq!(s.run().has("qr_code_missing"), needed, "{channel} {asset:?}");
    }
}

#[test]
fn brand_ads_need_registration_numbers_but_no_permit() {
    let text = format!("Eid Mubarak from all of us at Acme Properties! ORN 12345 · BRN 54321\n{DISCLAIMER}");
    let cfg = Config { media_council_permit_number: Some("1".into()), ..config() };
    let r = Scenario::ready(text).channel("instagram").property(None).config(cfg.clone()).run();
    assert!(r.findings.is_empty() && r.compliant, "{:?}", r.findings);
    let not_checked: Vec<&str> = r.not_checked.iter().map(|n| n.rule).collect();
    assert_eq!(not_checked, ["trakheesi_permit_missing", "qr_code_missing"]);

    let r = Scenario::ready("Eid Mubarak from Acme Properties!").channel("instagram").property(None).config(cfg).run();
    assert_eq!(ids(&r), ["orn_missing", "brn_missing", "disclaimer_missing"]);
}

#[test]
fn unevaluable_rules_are_reported_not_skipped() {
    let r = Scenario::ready(READY_AD).property(None).run();
    let not_checked: Vec<&str> = r.not_checked.iter().map(|n| n.rule).collect();
    assert_eq!(not_checked, ["permit_mismatch", "price_mismatch", "size_mismatch", "bedrooms_mismatch"]);
    assert!(r.findings.is_empty());

    let r = Scenario::ready(format!("{READY_AD}\nOffer valid until 31/05/2025.")).today(None).run();
    let not_checked: Vec<&str> = r.not_checked.iter().map(|n| n.rule).collect();
    assert_eq!(not_checked, ["permit_expired", "offer_expired"]);

    let r = Scenario::ready(READY_AD).config(Config { orn: None, brn: None, ..config() }).run();
    let not_checked: Vec<&str> = r.not_checked.iter().map(|n| n.rule).collect();
    assert_eq!(not_checked, ["orn_mismatch", "brn_mismatch"]);
}

#[test]
fn deadlines_are_read_in_several_date_formats() {
    for deadline in [
        "valid until 2025-05-31",
        "offer ends 31/05/2025",
        "Offer expires on May 31, 2025",
        "until the 31st of May 2025",
    ] {
        let r = Scenario::ready(format!("{READY_AD}\nZero commission, {deadline}.")).run();
        assert_eq!(ids(&r), ["offer_expired"], "{deadline}");
    }
}

#[test]
fn disclaimer_matching_ignores_case_and_spacing_and_honours_exemptions() {
    let loud = edit(READY_AD, DISCLAIMER, &DISCLAIMER.to_uppercase().replace(' ', "  "));
    assert!(Scenario::ready(loud).run().findings.is_empty());
    let no_disclaimer = edit(READY_AD, DISCLAIMER, "");
    let exempt = Config { disclaimer_exempt_channels: vec!["sms".into()], ..config() };
    assert!(Scenario::ready(no_disclaimer.clone()).channel("sms").config(exempt.clone()).run().findings.is_empty());
    assert!(Scenario::ready(no_disclaimer).channel("email").config(exempt).run().has("disclaimer_missing"));
}

#[test]
fn excerpts_are_short_and_show_the_offending_text() {
    let long = format!(
        "{READY_AD}\nThis carefully designed residence in one of the most sought-after towers of the marina is the best \
         investment in Dubai for families and investors alike, with parks, schools and the metro nearby."
    );
    let r = Scenario::ready(long).run();
    let f = finding(&r, "unverifiable_superlative");
    assert!(f.excerpt.contains("best investment in Dubai"), "{}", f.excerpt);
    assert!(f.excerpt.chars().count() <= 82, "{} chars: {}", f.excerpt.chars().count(), f.excerpt);
    assert!(f.excerpt.starts_with('…') && f.excerpt.ends_with('…'), "{}", f.excerpt);
    assert!(!f.fix_hint.is_empty());
}

#[test]
fn channels_parse_and_display() {
    for (s, c) in [
        ("portal", Channel::Portal),
        ("Bayut", Channel::Portal),
        ("instagram", Channel::Social(SocialNetwork::Instagram)),
        ("social:LinkedIn", Channel::Social(SocialNetwork::LinkedIn)),
        ("X", Channel::Social(SocialNetwork::X)),
        ("twitter", Channel::Social(SocialNetwork::X)),
        ("social", Channel::Social(SocialNetwork::Other)),
        ("e-mail", Channel::Email),
        ("print", Channel::Print(PrintFormat::Other)),
        ("brochure", Channel::Print(PrintFormat::Brochure)),
        ("print/postcard", Channel::Print(PrintFormat::Postcard)),
        ("SMS", Channel::Sms),
        ("billboard", Channel::Outdoor),
    ] {
        assert_eq!(s.parse::<Channel>(), Ok(c), "{s}");
        assert_eq!(c.to_string().parse::<Channel>(), Ok(c), "round trip of {c}");
    }
    assert_eq!(Channel::Social(SocialNetwork::Facebook).to_string(), "social:facebook");
    assert!("fax".parse::<Channel>().unwrap_err().to_string().contains("unknown channel `fax`"));
    assert!("print:billboard".parse::<Channel>().is_err());
    assert_eq!(serde_json::from_value::<Channel>(json!("flyer")).unwrap(), Channel::Print(PrintFormat::Flyer));
    assert_eq!(serde_json::to_value(Channel::Print(PrintFormat::Flyer)).unwrap(), json!("print:flyer"));
    assert_eq!("reel".parse::<Asset>(), Ok(Asset::Video));
    assert!("hologram".parse::<Asset>().is_err());
}

#[test]
fn config_deserialises_with_defaults_and_rejects_unknown_fields() {
    let cfg: Config = serde_json::from_value(json!({ "orn": "12345", "media_council_rule": "error" })).unwrap();
    assert_eq!(cfg.orn.as_deref(), Some("12345"));
    assert_eq!(cfg.media_council_rule, Severity::Error);
    assert_eq!(cfg.superlative_rule, Severity::Error);
    assert_eq!(cfg.urgency_rule, Severity::Warning);
    assert!(!cfg.allow_guaranteed_returns);
    assert_eq!(serde_json::from_value::<Config>(json!({})).unwrap(), Config::default());
    assert!(serde_json::from_value::<Config>(json!({ "orm": "1" })).is_err());
    assert!(serde_json::from_value::<Config>(json!({ "urgency_rule": "off" })).is_err());
}

#[test]
fn catalogue_is_complete_and_cites_sources() {
    let catalogue = rules();
    let mut ids: Vec<&str> = catalogue.iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), catalogue.len(), "duplicate rule ids");
    for r in &catalogue {
        assert!(r.id.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{}", r.id);
        assert!(!r.description.is_empty(), "{}", r.id);
        assert!(r.source.contains("rera-advertising.md") || r.id == "disclaimer_missing", "{}", r.id);
    }
    let configurable: Vec<&str> = catalogue.iter().filter(|r| r.configured_by.is_some()).map(|r| r.id).collect();
    for id in ["media_council_permit_missing", "unverifiable_superlative", "misleading_urgency", "guaranteed_returns"] {
        assert!(configurable.contains(&id), "{id}");
    }
    let json = serde_json::to_value(&catalogue).unwrap();
    assert_eq!(json[0]["id"], "trakheesi_permit_missing");
    assert_eq!(json[0]["severity"], "error");
}

#[test]
fn report_serialises_and_is_deterministic() {
    let s = Scenario::ready(edit(READY_AD, "AED 1,450,000", "USD 394,800")).channel("print:flyer");
    let (a, b) = (s.run(), s.run());
    assert_eq!(a, b);
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["compliant"], false);
    let first = &json["findings"][0];
    for key in ["rule", "severity", "excerpt", "message", "fix_hint"] {
        assert!(first.get(key).is_some(), "{key} missing in {first}");
    }
    assert_eq!(ids(&a), ["qr_code_missing", "price_not_in_aed"]);
    assert_eq!(a.errors().count(), 2);
}
