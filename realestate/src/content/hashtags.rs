//! Hashtags: community- and type-derived tags first, then the style's, then a small curated Dubai set;
//! deduplicated (case-insensitively) and cut to the platform's limit.

use super::{ContentStyle, Phrasing, Platform};
use crate::property::{CompletionStatus, Property};

/// Curated, broad Dubai real-estate tags, in order of preference.
pub const CURATED: &[&str] =
    &["#DubaiRealEstate", "#DubaiProperty", "#Dubai", "#UAERealEstate", "#DubaiHomes", "#PropertyForSale"];

/// Hashtags for a listing, at most `platform`'s limit.
pub fn hashtags(property: &Property, style: ContentStyle, platform: Platform) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    tags.extend(community_tags(&property.community));
    tags.push(type_tag(property.property_type.as_str()).to_string());
    let style_tags = Phrasing::of(style).hashtags;
    tags.extend(style_tags.iter().take(1).map(|s| s.to_string()));
    tags.extend(CURATED.iter().take(2).map(|s| s.to_string()));
    if property.completion_status == CompletionStatus::OffPlan {
        tags.push("#DubaiOffPlan".into());
    }
    tags.extend(style_tags.iter().skip(1).map(|s| s.to_string()));
    tags.extend(CURATED.iter().skip(2).map(|s| s.to_string()));

    let mut seen = std::collections::HashSet::new();
    tags.retain(|t| t.len() > 1 && seen.insert(t.to_lowercase()));
    tags.truncate(platform.limits().max_hashtags);
    tags
}

/// "Jumeirah Village Circle (JVC)" → `#JVC`, `#JumeirahVillageCircle`; "Dubai Marina" → `#DubaiMarina`.
/// A parenthesis counts as a short name only when it is one word ("(Springs/Meadows/Lakes)" is not).
pub fn community_tags(community: &str) -> Vec<String> {
    let (name, short) = match community.split_once('(') {
        Some((name, rest)) => (name, rest.trim_end_matches(')').trim()),
        None => (community, ""),
    };
    let mut tags = Vec::new();
    if !short.is_empty() && short.chars().all(|c| c.is_ascii_alphanumeric()) {
        tags.push(format!("#{short}"));
    }
    let camel: String = name
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
            let mut chars = w.chars();
            chars.next().map(|f| f.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect();
    if !camel.is_empty() {
        tags.push(format!("#{camel}"));
    }
    tags
}

/// `#DubaiApartments`, `#DubaiVillas`, …
pub fn type_tag(property_type: &str) -> &'static str {
    match property_type {
        "villa" => "#DubaiVillas",
        "townhouse" => "#DubaiTownhouses",
        "penthouse" => "#DubaiPenthouses",
        "hotel_apartment" => "#DubaiHotelApartments",
        "duplex" => "#DubaiDuplex",
        _ => "#DubaiApartments",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn community_tags_use_short_names_and_camel_case() {
        assert_eq!(community_tags("Jumeirah Village Circle (JVC)"), ["#JVC", "#JumeirahVillageCircle"]);
        assert_eq!(community_tags("Dubai Marina"), ["#DubaiMarina"]);
        assert_eq!(community_tags("Emirates Living (Springs/Meadows/Lakes)"), ["#EmiratesLiving"]);
        assert_eq!(community_tags("Za'abeel / DIFC fringe"), ["#ZaabeelDIFCFringe"]);
        assert_eq!(community_tags("DAMAC Hills 2"), ["#DAMACHills2"]);
    }

    #[test]
    fn tags_are_deduplicated_and_limited() {
        let p = Property::from_body(
            &json!({ "community": "Dubai Marina", "property_type": "apartment", "bedrooms": 1, "size_sqft": 800.0 }),
        )
        .unwrap();
        let x = hashtags(&p, ContentStyle::Luxury, Platform::X);
        assert_eq!(x, ["#DubaiMarina", "#DubaiApartments", "#LuxuryRealEstate"]);
        let ig = hashtags(&p, ContentStyle::Luxury, Platform::Instagram);
        assert!(ig.len() <= 30);
        let lower: std::collections::HashSet<String> = ig.iter().map(|t| t.to_lowercase()).collect();
        assert_eq!(lower.len(), ig.len());
    }
}
