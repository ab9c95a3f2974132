//! Social images of a listing: a 1080 × 1080 square (Instagram, Facebook) and a 1200 × 628 link
//! image (LinkedIn, X), each with the headline, price in AED, key facts, the agent's BRN, the
//! brokerage's ORN and the Trakheesi permit number with its QR code (Dubai advertising rules ask for
//! the permit and its QR on every advert, images included).
//!
//! The layout itself is the `raster` crate's listing card; this module only decides what goes on it.

use crate::content::Platform;
use crate::print::{qr_modules, Facts};
use crate::property::Property;
use raster::{Canvas, CardSize, ListingCard, Rgb};

/// Gold on navy: the brand accent of every AURA asset (the print assets use the same pair).
const ACCENT: Rgb = Rgb(0xE0, 0xB2, 0x4C);

/// The image size each network shows best in a feed.
pub fn size_for(platform: Platform) -> CardSize {
    match platform {
        Platform::Instagram | Platform::Facebook => CardSize::Square,
        Platform::Linkedin | Platform::X => CardSize::Landscape,
    }
}

/// Who advertises, printed on the image.
#[derive(Debug, Clone)]
pub struct Advertiser {
    pub agent_name: String,
    pub agent_brn: String,
    pub agent_phone: String,
    pub brokerage_name: String,
    pub brokerage_orn: String,
}

/// The PNG bytes of the listing's image at `size`. `headline` is the generated post's title; the
/// QR encodes `permit_qr_payload`, or the permit number when that is empty; `photo` (the listing's
/// main photo, see `photos::listing_photos`) fills the image behind the text when there is one.
pub fn listing_image_png(
    property: &Property,
    headline: &str,
    advertiser: &Advertiser,
    permit_qr_payload: &str,
    photo: Option<&Canvas>,
    size: CardSize,
) -> Vec<u8> {
    let card = ListingCard { photo: photo.cloned(), ..listing_card(property, headline, advertiser, permit_qr_payload) };
    raster::listing_card_png(&card, size)
}

fn listing_card(property: &Property, headline: &str, advertiser: &Advertiser, permit_qr_payload: &str) -> ListingCard {
    let facts = Facts::of(property, &[]);
    let mut chips = Vec::new();
    match facts.beds.as_str() {
        "-" => {}
        "Studio" => chips.push("Studio".to_string()),
        beds => chips.push(format!("{beds} BR")),
    }
    if facts.size != "-" {
        chips.push(facts.size.clone());
    }
    if !facts.property_type.is_empty() {
        chips.push(facts.property_type.clone());
    }
    if !facts.status.is_empty() {
        chips.push(facts.status.clone());
    }
    let payload = if permit_qr_payload.trim().is_empty() { facts.permit.as_str() } else { permit_qr_payload };
    let headline = if headline.trim().is_empty() { facts.kind() } else { headline.trim().to_string() };
    let location = facts.location();
    ListingCard {
        headline,
        price: facts.price.clone(),
        facts: chips,
        tagline: if location.is_empty() { "Dubai".to_string() } else { location },
        agent_line: [advertiser.agent_name.as_str(), &format!("BRN {}", advertiser.agent_brn), &advertiser.agent_phone]
            .iter()
            .filter(|s| !s.trim().is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" \u{b7} "),
        brokerage_line: format!("{} \u{b7} ORN {}", advertiser.brokerage_name, advertiser.brokerage_orn),
        permit_line: if facts.permit.is_empty() { String::new() } else { format!("Trakheesi Permit {}", facts.permit) },
        qr: if payload.is_empty() { (0, Vec::new()) } else { qr_modules(payload) },
        accent: ACCENT,
        photo: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn property(body: serde_json::Value) -> Property {
        Property::from_body(&body).expect("a valid property body")
    }

    fn advertiser() -> Advertiser {
        Advertiser {
            agent_name: "Sara Khan".into(),
            agent_brn: "12345".into(),
            agent_phone: "+971 50 123 4567".into(),
            brokerage_name: "AURA".into(),
            brokerage_orn: "54321".into(),
        }
    }

    #[test]
    fn cards_carry_price_facts_and_permit() {
        let p = property(json!({ "bedrooms": 2, "size_sqft": 1250.0, "property_type": "apartment",
            "asking_price": 2450000.0, "community": "Dubai Marina", "permit_number": "7123456789" }));
        let card = listing_card(&p, "Marina views", &advertiser(), "");
        assert_eq!(card.price, "AED 2,450,000");
        assert_eq!(card.facts, vec!["2 BR", "1,250 sqft", "Apartment", "Ready to move in"]);
        assert_eq!(card.permit_line, "Trakheesi Permit 7123456789");
        assert!(card.agent_line.contains("BRN 12345") && card.brokerage_line.contains("ORN 54321"));
        assert!(card.qr.0 > 0, "the permit is encoded as a QR code");
    }

    #[test]
    fn images_have_each_networks_size() {
        let p = property(json!({ "bedrooms": 0, "size_sqft": 420.0, "property_type": "apartment",
            "asking_price": 900000.0, "community": "Jumeirah Village Circle (JVC)", "permit_number": "7000000001" }));
        for (platform, dims) in [(Platform::Instagram, (1080, 1080)), (Platform::Linkedin, (1200, 628))] {
            let png = listing_image_png(&p, "", &advertiser(), "", None, size_for(platform));
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
            let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
            assert_eq!((w, h), dims);
        }
    }
}
