//! The agency agreement as a PDF, following Dubai practice: RERA's Form A (owner and broker, to list
//! a property for sale) for a seller and Form B (buyer and broker) for a buyer. The fields are those
//! of the forms: the parties, the broker's ORN and BRN, the property (seller) or the buyer's brief,
//! commission, exclusivity and term, and signature blocks. AURA prepares the draft; the official
//! form is signed in the Dubai REST/Trakheesi system, which this document says.
//!
//! Like the official forms, the draft is bilingual: every heading and field label is printed in English
//! and, right-aligned opposite it, in Arabic. Names and addresses print as entered, in either script.

use chrono::{DateTime, Datelike, Timelike, Utc};
use documents::layout::ReportLayout;
use documents::{Color, DocInfo, Document, Font, PdfDate, Point, Stroke, TextStyle};
use serde_json::Value;

use crate::property::Property;

/// A label in English and in Arabic.
type Label = (&'static str, &'static str);

/// Who the broker is on the agreement.
#[derive(Debug, Clone)]
pub struct Broker {
    pub brokerage: String,
    pub orn: String,
    pub agent: String,
    pub brn: String,
    pub agent_email: String,
}

pub fn render(
    client: &Value,
    property: Option<&Property>,
    broker: &Broker,
    reference: &str,
    at: DateTime<Utc>,
) -> Vec<u8> {
    let seller = client["role"].as_str() == Some("seller");
    let (form, form_ar) = if seller {
        ("Form A \u{2013} Agreement between Owner and Broker", "النموذج أ \u{2013} اتفاقية بين المالك والوسيط")
    } else {
        ("Form B \u{2013} Agreement between Buyer and Broker", "النموذج ب \u{2013} اتفاقية بين المشتري والوسيط")
    };
    let layout = ReportLayout::a4(
        form,
        format!("{} \u{b7} ORN {}", broker.brokerage, broker.orn),
        format!("Draft prepared by AURA \u{b7} Ref {reference} \u{b7} To be executed in the official RERA system"),
    );
    let date = PdfDate::utc(
        at.year() as u16,
        at.month() as u8,
        at.day() as u8,
        at.hour() as u8,
        at.minute() as u8,
        at.second() as u8,
    );
    let mut doc = Document::new(DocInfo::new(
        format!("{form} \u{2013} {}", client["name"].as_str().unwrap_or("")),
        broker.agent.clone(),
        date,
    ));
    let body = layout.body();
    let page = layout.add_page(&mut doc);
    let title = TextStyle::new(Font::SansBold, 16.0).color(Color::NAVY);
    let heading = TextStyle::new(Font::SansBold, 10.5).color(Color::NAVY);
    let label = TextStyle::new(Font::Sans, 8.0).color(Color::MUTED);
    let value = TextStyle::new(Font::Sans, 10.0);
    let text = TextStyle::new(Font::Sans, 9.0).line_spacing(1.35);
    let mut y = body.top();
    {
        let p = doc.page(page);
        p.text(body.x, y - 16.0, form, &title);
        p.text_right(body.right(), y - 34.0, form_ar, &TextStyle::new(Font::SansBold, 12.0).color(Color::NAVY));
        p.text(body.x, y - 34.0, &format!("Dubai, {}", at.format("%-d %B %Y")), &label);
    }
    y -= 50.0;

    let field = |doc: &mut Document, y: &mut f32, rows: &[(Label, String)]| {
        let col = body.w / 2.0;
        for pair in rows.chunks(2) {
            for (i, ((en, ar), v)) in pair.iter().enumerate() {
                let x = body.x + i as f32 * col;
                let p = doc.page(page);
                p.text(x, *y - 9.0, en, &label);
                p.text_right(x + col - 12.0, *y - 9.0, ar, &label);
                p.text(x, *y - 22.0, if v.is_empty() { "-" } else { v }, &value);
            }
            *y -= 30.0;
        }
    };
    let section = |doc: &mut Document, y: &mut f32, (en, ar): Label| {
        let p = doc.page(page);
        p.text(body.x, *y - 12.0, en, &heading);
        p.text_right(body.right(), *y - 12.0, ar, &heading);
        p.line(Point::new(body.x, *y - 16.0), Point::new(body.x + body.w, *y - 16.0), Stroke::new(0.5, Color::RULE));
        *y -= 24.0;
    };
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();

    section(&mut doc, &mut y, ("The broker", "الوسيط"));
    field(
        &mut doc,
        &mut y,
        &[
            (("Brokerage", "شركة الوساطة"), broker.brokerage.clone()),
            (("Office registration number (ORN)", "رقم تسجيل المكتب"), broker.orn.clone()),
            (("Agent", "الوكيل"), broker.agent.clone()),
            (("Broker registration number (BRN)", "رقم تسجيل الوسيط"), broker.brn.clone()),
        ],
    );
    section(&mut doc, &mut y, if seller { ("The owner", "المالك") } else { ("The buyer", "المشتري") });
    let kind = match client["client_type"].as_str() {
        Some("resident") => "UAE resident",
        Some("non_resident") => "Non-resident",
        _ => "Company",
    };
    field(
        &mut doc,
        &mut y,
        &[
            (("Name", "الاسم"), s(&client["name"])),
            (("Client type", "نوع العميل"), kind.to_string()),
            (("E-mail", "البريد الإلكتروني"), s(&client["email"])),
            (("Phone", "الهاتف"), s(&client["phone"])),
            (("Nationality", "الجنسية"), s(&client["nationality"])),
            (("Company", "الشركة"), s(&client["company_name"])),
        ],
    );
    let terms = &client["agreement"];
    if seller {
        section(&mut doc, &mut y, ("The property", "العقار"));
        // No linked property: the fields stay blank, to be filled in on the official form.
        let text = |f: fn(&Property) -> Option<String>| property.and_then(f).unwrap_or_default();
        field(
            &mut doc,
            &mut y,
            &[
                (("Community", "المنطقة"), text(|p| Some(p.community.clone()))),
                (("Building / project", "المبنى / المشروع"), text(|p| p.building.clone())),
                (("Unit", "الوحدة"), text(|p| p.unit.clone())),
                (("Type", "نوع العقار"), text(|p| Some(p.property_type.as_str().replace('_', " ")))),
                (("Bedrooms", "غرف النوم"), text(|p| Some(p.bedrooms.to_string()))),
                (("Size (sqft)", "المساحة (قدم مربع)"), text(|p| Some(format!("{:.0}", p.size_sqft)))),
                (("Listing price (AED)", "سعر العرض (درهم)"), text(|p| p.asking_price.map(|v| format!("{v:.0}")))),
                (("Trakheesi permit", "تصريح تراخيصي"), text(|p| p.permit_number.clone())),
            ],
        );
    } else {
        section(&mut doc, &mut y, ("The buyer's brief", "متطلبات المشتري"));
        field(
            &mut doc,
            &mut y,
            &[
                (
                    ("Budget (AED)", "الميزانية (درهم)"),
                    client["budget_aed"].as_f64().map(|v| format!("{v:.0}")).unwrap_or_default(),
                ),
                (("Reference", "المرجع"), reference.to_string()),
            ],
        );
    }
    section(&mut doc, &mut y, ("Terms", "الشروط"));
    let commission = terms["commission_pct"].as_f64().unwrap_or(2.0);
    let term_days = terms["term_days"].as_i64().unwrap_or(90);
    let exclusive = terms["exclusive"].as_bool().unwrap_or(false);
    let ends = at + chrono::Duration::days(term_days);
    field(
        &mut doc,
        &mut y,
        &[
            (
                ("Commission", "العمولة"),
                format!("{commission}% of the {} price, plus VAT", if seller { "sale" } else { "purchase" }),
            ),
            (("Exclusivity", "الحصرية"), if exclusive { "Exclusive".into() } else { "Non-exclusive".into() }),
            (("Term", "المدة"), format!("{term_days} days")),
            (("Valid until", "سارية حتى"), ends.format("%-d %B %Y").to_string()),
        ],
    );
    let clauses = if seller {
        "The owner appoints the broker to market and sell the property described above for the term stated. The broker will advertise only with a valid Trakheesi permit and will not change the price without the owner's written consent. Commission is due on the transfer of the property at the Dubai Land Department to a buyer introduced by the broker during the term."
    } else {
        "The buyer appoints the broker to find a property matching the brief for the term stated. The broker will present only properties advertised with a valid Trakheesi permit. Commission is due when the buyer buys a property introduced by the broker during the term."
    };
    let bottom = doc.page(page).paragraph(body.x, y - 4.0, body.w, clauses, &text);
    y = bottom - 40.0;
    let client_signs = if seller {
        ("Owner", "توقيع المالك والتاريخ")
    } else {
        ("Buyer", "توقيع المشتري والتاريخ")
    };
    for (i, (who, ar)) in [client_signs, ("Broker", "توقيع الوسيط والتاريخ")].iter().enumerate() {
        let x = body.x + i as f32 * (body.w / 2.0);
        let end = x + body.w / 2.0 - 24.0;
        let p = doc.page(page);
        p.line(Point::new(x, y), Point::new(end, y), Stroke::new(0.6, Color::TEXT));
        p.text(x, y - 12.0, &format!("{who} signature and date"), &label);
        p.text_right(end, y - 24.0, ar, &label);
    }
    layout.decorate(&mut doc);
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn broker() -> Broker {
        Broker {
            brokerage: "AURA".into(),
            orn: "12345".into(),
            agent: "Sara Khan".into(),
            brn: "67890".into(),
            agent_email: String::new(),
        }
    }

    #[test]
    fn agreements_are_pdfs_with_the_forms_fields() {
        let broker = broker();
        let client = json!({ "name": "Omar Haddad", "email": "omar@example.com", "client_type": "resident", "role": "seller",
            "agreement": { "commission_pct": 2.0, "exclusive": true, "term_days": 90 } });
        let property = Property::from_body(&json!({ "community": "Dubai Marina", "building": "Marina Gate",
            "property_type": "apartment", "bedrooms": 2, "size_sqft": 1250.0, "asking_price": 2400000.0,
            "permit_number": "7112345678" }))
        .unwrap();
        let pdf = render(
            &client,
            Some(&property),
            &broker,
            "C-1",
            chrono::DateTime::from_timestamp(1_771_150_000, 0).unwrap(),
        );
        assert!(pdf.starts_with(b"%PDF-"));
        let text = documents::testing::page_text(&documents::testing::parse(&pdf), 1);
        for needle in ["Form A", "Omar Haddad", "12345", "67890", "Marina Gate", "7112345678", "Exclusive"] {
            assert!(text.contains(needle), "{needle} missing in {text}");
        }
    }

    #[test]
    fn arabic_names_and_labels_print_as_written() {
        let broker = broker();
        let client = json!({ "name": "عمر حداد", "client_type": "resident", "role": "buyer", "budget_aed": 3000000.0 });
        let pdf = render(&client, None, &broker, "C-2", chrono::DateTime::from_timestamp(1_771_150_000, 0).unwrap());
        let _ = std::fs::write(std::env::temp_dir().join("aura_agreement_arabic.pdf"), &pdf);
        let doc = documents::testing::parse(&pdf);
        let runs = documents::testing::runs(&doc, 1);
        // Right-to-left text is stored in printed order; read in reading order it is the name as entered.
        let name = runs.iter().find(|r| r.logical() == "عمر حداد").expect("the client's Arabic name");
        assert_eq!(name.text, "دادح رمع");
        for label in ["المشتري", "رقم تسجيل المكتب", "الميزانية", "توقيع المشتري والتاريخ"]
        {
            assert!(runs.iter().any(|r| r.logical().contains(label)), "{label} missing in {runs:#?}");
        }
        let text = documents::testing::page_text(&doc, 1);
        assert!(text.contains("Form B") && text.contains("3000000"), "{text}");
    }
}
