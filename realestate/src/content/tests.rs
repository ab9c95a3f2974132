//! Content tests: every template and kind for a Dubai Marina apartment and a JVC villa, in every style.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::*;

pub(crate) fn marina_apartment() -> Property {
    listing(json!({
        "reference": "MAR-2BR-1204", "community": "Dubai Marina", "building": "Marina Gate 1", "unit": "1204",
        "property_type": "apartment", "bedrooms": 2, "bathrooms": 2.5, "size_sqft": 1250.0,
        "asking_price": 2_450_000.0, "permit_number": "7123456789", "view": "Marina",
        "features": ["Balcony with marina views", "Built-in wardrobes", "Covered parking", "Gym and pool"],
        "completion_status": "ready"
    }))
}

fn listing(body: Value) -> Property {
    Property::from_body(&body).expect("a valid property body")
}

pub(crate) fn jvc_villa() -> Property {
    listing(json!({
        "reference": "JVC-V-88", "community": "Jumeirah Village Circle (JVC)", "property_type": "villa",
        "bedrooms": 4, "bathrooms": 5.0, "size_sqft": 3400.4, "asking_price": 3_900_000.0,
        "permit_number": "6543210987", "features": ["Private garden", "Maid's room", "Two covered parking spaces"],
        "completion_status": "off_plan"
    }))
}

pub(crate) fn request(kind: ContentKind, property: Property, style: ContentStyle) -> ContentRequest {
    ContentRequest {
        kind,
        property,
        content_style: style,
        agent: Agent {
            name: "Layla Haddad".into(),
            brn: "12345".into(),
            phone: "+971 50 123 4567".into(),
            email: "layla@example.com".into(),
        },
        brokerage: Brokerage { name: "Palm & Co Real Estate".into(), orn: "54321".into(), disclaimers: Vec::new() },
        customizations: Value::Null,
    }
}

const KINDS: [ContentKind; 8] = [
    ContentKind::Listing,
    ContentKind::Email,
    ContentKind::Social(Platform::Instagram),
    ContentKind::Social(Platform::Facebook),
    ContentKind::Social(Platform::Linkedin),
    ContentKind::Social(Platform::X),
    ContentKind::Postcard,
    ContentKind::Brochure,
];

fn samples() -> [(Property, &'static str); 2] {
    [(marina_apartment(), "7123456789"), (jvc_villa(), "6543210987")]
}

fn all_text(c: &GeneratedContent) -> String {
    let sections: Vec<&str> = c.sections.iter().map(|s| s.text.as_str()).collect();
    format!("{}\n{}\n{}\n{}", c.title, c.body, c.html.as_deref().unwrap_or(""), sections.join("\n"))
}

#[test]
fn template_metadata_is_complete() {
    let templates = builtin_templates();
    assert_eq!(templates.len(), 16);
    let names: HashSet<&str> = templates.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names.len(), templates.len(), "names are unique");
    for t in &templates {
        assert_eq!(t.market, "dubai");
        assert!(!t.content.trim().is_empty() && !t.channel.is_empty(), "{}", t.name);
        let expected = match t.channel.as_str() {
            "portal" => Category::Listing,
            "email" => Category::Email,
            "instagram" | "facebook" | "linkedin" | "x" => Category::Social,
            "postcard" | "brochure" => Category::Print,
            other => panic!("unknown channel {other}"),
        };
        assert_eq!(t.category, expected, "{}", t.name);
        assert_eq!(t.is_html(), t.name == "email_html");
    }
    for p in Platform::ALL {
        assert!(names.contains(format!("social_{}", p.as_str()).as_str()));
    }
}

#[test]
fn every_template_renders_for_both_samples_in_every_style() {
    let templates = builtin_templates();
    let generator = TemplateGenerator::new();
    for (property, permit) in samples() {
        for style in ContentStyle::ALL {
            let ctx = template_context(&request(ContentKind::Email, property.clone(), style)).unwrap();
            for t in &templates {
                validate_template(&t.content, &ctx).unwrap_or_else(|e| panic!("{} ({style:?}): {e}", t.name));
                let tera_ctx = tera::Context::from_value(ctx.clone()).unwrap();
                let out = generator.render(&t.name, &tera_ctx).unwrap();
                assert!(!out.is_empty() && !out.contains("{{") && !out.contains("{%"), "{}: {out}", t.name);
                if t.name.ends_with("_contact") || t.name.starts_with("social_") || t.name == "email_html" {
                    assert!(out.contains(permit), "{} lacks the permit", t.name);
                }
            }
        }
    }
    let sample = sample_context();
    for t in &templates {
        assert_eq!(validate_template(&t.content, &sample), Ok(()), "{}", t.name);
    }
}

#[test]
fn every_kind_keeps_its_limits_and_disclosures() {
    let generator = TemplateGenerator::new();
    for (property, permit) in samples() {
        for style in ContentStyle::ALL {
            for kind in KINDS {
                let c = generator.write(&request(kind, property.clone(), style)).unwrap();
                assert_eq!((c.kind, c.style, c.generator.as_str()), (kind, style, "template"));
                assert!(!c.title.is_empty() && !c.body.is_empty(), "{kind:?}");
                let text = all_text(&c);
                assert!(!text.to_lowercase().contains("guarantee"), "{kind:?} {style:?}: {text}");
                assert!(c.body.contains(permit), "{kind:?} {style:?} lacks the permit: {}", c.body);
                assert!(c.body.contains("ORN 54321") && c.body.contains("12345"), "{kind:?}: {}", c.body);
                match kind {
                    ContentKind::Listing => {
                        assert!(c.title.chars().count() <= 50, "{}", c.title);
                        assert!(c.body.chars().count() <= 2_000);
                        assert!(c.hashtags.is_empty());
                    }
                    ContentKind::Social(p) => {
                        let limits = p.limits();
                        assert!(c.body.chars().count() <= limits.max_chars, "{p:?}: {}", c.body.chars().count());
                        assert!(!c.hashtags.is_empty() && c.hashtags.len() <= limits.max_hashtags);
                        assert!(c.body.ends_with(&c.hashtags.join(" ")), "hashtags are part of the post");
                        let unique: HashSet<String> = c.hashtags.iter().map(|t| t.to_lowercase()).collect();
                        assert_eq!(unique.len(), c.hashtags.len());
                        if p == Platform::X {
                            assert!(c.body.chars().count() <= 280);
                        }
                        if p == Platform::Instagram {
                            assert!(c.hashtags.len() <= 30);
                        }
                    }
                    ContentKind::Email => assert!(c.title.chars().count() <= 78),
                    ContentKind::Postcard => {
                        assert_eq!(c.sections.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["front", "back"]);
                        assert!(c.sections[0].text.chars().count() <= 160 && c.sections[1].text.chars().count() <= 700);
                    }
                    ContentKind::Brochure => {
                        let names: Vec<&str> = c.sections.iter().map(|s| s.name.as_str()).collect();
                        assert_eq!(names, ["cover", "overview", "features", "location", "contact"]);
                    }
                }
            }
        }
    }
}

#[test]
fn the_four_styles_write_different_text_deterministically() {
    let generator = TemplateGenerator::new();
    for (property, _) in samples() {
        for kind in KINDS {
            let texts: Vec<String> = ContentStyle::ALL
                .iter()
                .map(|style| {
                    let req = request(kind, property.clone(), *style);
                    let first = generator.write(&req).unwrap();
                    let again = TemplateGenerator::new().write(&req).unwrap();
                    assert_eq!(first, again, "{kind:?} {style:?} is not deterministic");
                    all_text(&first)
                })
                .collect();
            let distinct: HashSet<&String> = texts.iter().collect();
            assert_eq!(distinct.len(), 4, "{kind:?}: styles must read differently");
        }
    }
    let luxury = generator.write(&request(ContentKind::Listing, marina_apartment(), ContentStyle::Luxury)).unwrap();
    assert!(luxury.body.contains("bespoke") || luxury.body.contains("exceptional"), "{}", luxury.body);
    let family = generator.write(&request(ContentKind::Listing, jvc_villa(), ContentStyle::Family)).unwrap();
    assert!(family.body.contains("schools") && family.body.contains("parks"), "{}", family.body);
    let investment =
        generator.write(&request(ContentKind::Listing, marina_apartment(), ContentStyle::Investment)).unwrap();
    let lower = format!(" {} ", investment.body.to_lowercase());
    for promise in ["guarantee", " roi ", "% return", "yield of", "assured", "risk-free"] {
        assert!(!lower.contains(promise), "investment copy says {promise}: {}", investment.body);
    }
}

#[test]
fn the_html_email_is_well_formed_and_carries_the_disclosures() {
    let c =
        TemplateGenerator::new().write(&request(ContentKind::Email, marina_apartment(), ContentStyle::Luxury)).unwrap();
    let html = c.html.as_deref().unwrap();
    assert_eq!(check_html(html), Ok(()));
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>"));
    assert!(html.contains(r#"<table role="presentation""#) && !html.contains("<style"), "table layout, inline styles");
    for needle in ["Trakheesi Permit No. 7123456789", "AED 2,450,000", "ORN 54321", "BRN 12345", "Unsubscribe"] {
        assert!(html.contains(needle), "the HTML lacks {needle}");
    }
    assert!(html.contains("Palm &amp; Co Real Estate"), "values are HTML-escaped");
    assert!(html.contains(&format!("<title>{}</title>", c.title)));
    assert!(c.body.contains("AED 2,450,000") && c.body.contains("unsubscribe"), "plain-text body: {}", c.body);
    assert!(c.title.starts_with("Private preview: 2-Bedroom Apartment in Dubai Marina"), "{}", c.title);
}

#[test]
fn hashtags_come_from_community_type_and_style() {
    let villa = TemplateGenerator::new()
        .write(&request(ContentKind::Social(Platform::Instagram), jvc_villa(), ContentStyle::Family))
        .unwrap();
    for tag in ["#JVC", "#JumeirahVillageCircle", "#DubaiVillas", "#FamilyHome", "#DubaiRealEstate", "#DubaiOffPlan"] {
        assert!(villa.hashtags.contains(&tag.to_string()), "{tag} missing from {:?}", villa.hashtags);
    }
    let x = TemplateGenerator::new()
        .write(&request(ContentKind::Social(Platform::X), marina_apartment(), ContentStyle::Investment))
        .unwrap();
    assert_eq!(x.hashtags, ["#DubaiMarina", "#DubaiApartments", "#DubaiInvestment"]);
}

#[test]
fn long_text_is_trimmed_at_words_keeping_the_disclosure() {
    let mut property = marina_apartment();
    property.building = Some("The Residences at Marina Gate Tower One East Wing".into());
    property.features = (0..40)
        .map(|i| format!("Feature number {i} with a long description of the finishes and the fittings"))
        .collect::<Vec<_>>();
    let mut req = request(ContentKind::Social(Platform::X), property.clone(), ContentStyle::Luxury);
    req.customizations = json!({
        "headline": "Extraordinary waterfront residence with panoramic marina skyline views and private terrace living",
        "call_to_action": "Call our private client team to arrange an exclusive viewing appointment",
    });
    let generator = TemplateGenerator::new();
    let x = generator.write(&req).unwrap();
    assert!(x.body.chars().count() <= 280, "{}", x.body);
    assert!(x.body.contains("Permit 7123456789 | ORN 54321 | BRN 12345"), "{}", x.body);
    let source_words: HashSet<String> = format!(
        "{} {}",
        req.customizations["headline"].as_str().unwrap(),
        req.customizations["call_to_action"].as_str().unwrap()
    )
    .split_whitespace()
    .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
    .collect();
    let (prose, _) = x.body.split_once("\n\n").unwrap();
    for word in prose.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric())) {
        assert!(
            word.is_empty()
                || source_words.contains(word)
                || "AED 2.45M Bespoke finishes refined living +971 50 123 4567".contains(word),
            "`{word}` was cut mid-word: {prose}"
        );
    }

    req.kind = ContentKind::Listing;
    let listing = generator.write(&req).unwrap();
    assert!(listing.title.chars().count() <= 50 && !listing.title.ends_with(' '), "{}", listing.title);
    assert_eq!(listing.title, "Extraordinary waterfront residence with panoramic");
    assert!(listing.body.chars().count() <= 2_000);
    assert!(listing.body.ends_with("Trakheesi Permit 7123456789 | Ref MAR-2BR-1204"), "{}", listing.body);
}

#[test]
fn bad_requests_are_refused_with_reasons() {
    let generator = TemplateGenerator::new();
    let mut no_permit = marina_apartment();
    no_permit.permit_number = None;
    let err = generator.write(&request(ContentKind::Listing, no_permit, ContentStyle::Standard)).unwrap_err();
    assert!(matches!(&err, ContentError::InvalidRequest(m) if m.contains("permit")), "{err}");

    let mut promise = request(ContentKind::Listing, marina_apartment(), ContentStyle::Investment);
    promise.customizations = json!({ "headline": "Guaranteed 8% rental returns" });
    assert_eq!(generator.write(&promise), Err(ContentError::ProhibitedClaim("guarantee".into())));

    let mut no_email = request(ContentKind::Email, marina_apartment(), ContentStyle::Standard);
    no_email.agent.email.clear();
    assert!(matches!(generator.write(&no_email), Err(ContentError::InvalidRequest(_))));

    let mut bad_url = request(ContentKind::Email, marina_apartment(), ContentStyle::Standard);
    bad_url.customizations = json!({ "unsubscribe_url": "javascript:alert(1)" });
    assert!(matches!(generator.write(&bad_url), Err(ContentError::InvalidRequest(_))));

    let mut no_orn = request(ContentKind::Postcard, jvc_villa(), ContentStyle::Family);
    no_orn.brokerage.orn = " ".into();
    assert!(matches!(generator.write(&no_orn), Err(ContentError::InvalidRequest(m)) if m.contains("orn")));
}

#[test]
fn admin_templates_are_validated_before_use() {
    let sample = sample_context();
    assert_eq!(validate_template("{{ headline }} | {{ p.price }} | Permit {{ p.permit }}", &sample), Ok(()));
    assert!(validate_template("{{ p.no_such_field }}", &sample).unwrap_err().contains("no_such_field"));
    assert!(validate_template("{% if %}", &sample).is_err());
    assert!(validate_template("<html><body><p>{{ headline }}</body></html>", &sample).unwrap_err().contains("HTML"));
    assert!(validate_template("Guaranteed returns in {{ p.area }}", &sample).unwrap_err().contains("prohibited"));
    assert!(validate_template("{% if false %}x{% endif %}", &sample).is_err(), "empty output");

    let custom = Template {
        name: "social_x".into(),
        category: Category::Social,
        channel: "x".into(),
        market: "dubai".into(),
        customizable_fields: vec!["open_house".into()],
        content: "Open house {{ custom.open_house }}: {{ headline }}\n\n{{ disclosure_short }}".into(),
    };
    assert_eq!(
        validate_template(
            &custom.content,
            &json!({ "custom": { "open_house": "Sat 2pm" }, "headline": "h", "disclosure_short": "d" })
        ),
        Ok(())
    );
    let generator = TemplateGenerator::with_overrides(vec![custom]).unwrap();
    let mut req = request(ContentKind::Social(Platform::X), marina_apartment(), ContentStyle::Standard);
    req.customizations = json!({ "open_house": "Saturday 2-5pm" });
    let post = generator.write(&req).unwrap();
    assert!(
        post.body.starts_with("Open house Saturday 2-5pm: Well-Presented 2-Bedroom Apartment in Dubai Marina"),
        "{}",
        post.body
    );

    let broken = Template { content: "{% for %}".into(), ..builtin_templates().remove(0) };
    assert!(matches!(TemplateGenerator::with_overrides(vec![broken]), Err(ContentError::Template { .. })));
}

#[tokio::test]
async fn the_trait_object_generates() {
    let generator: Box<dyn ContentGenerator> = Box::new(TemplateGenerator::new());
    let req: ContentRequest = serde_json::from_value(json!({
        "kind": { "social": "linkedin" },
        "property": jvc_villa(),
        "content_style": "investment",
        "agent": { "name": "Omar", "brn": "777", "email": "omar@example.com" },
        "brokerage": { "name": "Gulf Homes", "orn": "888" },
        "customizations": { "call_to_action": "Ask for the transaction history" },
    }))
    .unwrap();
    let post = generator.generate(&req).await.unwrap();
    assert_eq!(post.channel, "linkedin");
    assert!(post.body.contains("Ask for the transaction history") && post.body.contains("ORN 888"));
    assert!(post.body.chars().count() <= 3_000 && post.hashtags.len() <= 5);
    assert_eq!(ContentStyle::for_price(Some(3_900_000.0)), ContentStyle::Luxury);
}
