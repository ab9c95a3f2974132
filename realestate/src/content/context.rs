//! The template context: a request checked and turned into display-ready values (prices in AED with
//! separators, "2-Bedroom", "Studio", the community's short name, the style's phrases).
//!
//! Every key is always present (empty strings and lists when the property lacks a value) so that
//! templates can test `{% if p.view %}` and never hit an undefined variable.

use serde_json::{json, Map, Value};

use super::limits::{trim_at_word, LISTING_TITLE_MAX};
use super::{prohibited_claim, ContentError, ContentKind, ContentRequest, Phrasing};
use crate::property::CompletionStatus;

const FEATURES_MAX: usize = 10;
const FEATURE_CHARS_MAX: usize = 80;
const TOP_FEATURES: usize = 5;
const HEADLINE_MAX: usize = 120;
const CALL_TO_ACTION_MAX: usize = 80;
const URL_MAX: usize = 500;
const NAME_MAX: usize = 120;

/// Checks `req` and builds the context every template renders with (documented in
/// `seeds/templates/README.md`).
pub fn template_context(req: &ContentRequest) -> Result<Value, ContentError> {
    let invalid = |m: &str| ContentError::InvalidRequest(m.to_string());
    // Community, type, bedrooms and size are there by construction (a `Property` is validated); the
    // permit is optional on a listing but every advertisement must show it.
    let prop = &req.property;
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
    let community = prop.community.trim().to_string();
    let property_type = prop.property_type.as_str();
    let (bedrooms, size_sqft) = (prop.bedrooms, prop.size_sqft);
    let permit = text(&prop.permit_number);
    if permit.is_empty() {
        return Err(invalid("property.permit_number is required: advertisements must show the Trakheesi permit"));
    }
    for (field, value) in [
        ("agent.name", &req.agent.name),
        ("agent.brn", &req.agent.brn),
        ("brokerage.name", &req.brokerage.name),
        ("brokerage.orn", &req.brokerage.orn),
    ] {
        if value.trim().is_empty() || value.chars().count() > NAME_MAX {
            return Err(invalid(&format!("{field} is required (at most {NAME_MAX} characters)")));
        }
    }
    let (phone, email) = (req.agent.phone.trim(), req.agent.email.trim());
    if phone.is_empty() && email.is_empty() {
        return Err(invalid("agent.phone or agent.email is required: the call to action needs a contact"));
    }
    if req.kind == ContentKind::Email && email.is_empty() {
        return Err(invalid("agent.email is required for e-mail content"));
    }

    let custom = customizations(&req.customizations)?;
    let style = Phrasing::of(req.content_style);
    let seed = format!("{}|{}|{}", prop.reference().trim(), community, text(&prop.building));

    let (area, area_full) = area_names(&community);
    let type_label = type_label(property_type);
    let beds = if bedrooms == 0 { "Studio".to_string() } else { format!("{bedrooms}-Bedroom") };
    let price = prop.asking_price.filter(|p| *p > 0.0);
    let features: Vec<String> = prop
        .features
        .iter()
        .map(|f| trim_at_word(f, FEATURE_CHARS_MAX))
        .filter(|f| !f.is_empty())
        .take(FEATURES_MAX)
        .collect();
    let top_features: Vec<String> = features.iter().take(TOP_FEATURES).cloned().collect();
    let off_plan = prop.completion_status == CompletionStatus::OffPlan;

    let headline = match custom.get("headline").and_then(Value::as_str) {
        Some(h) => h.to_string(),
        None => default_headline(style.title_word, &beds, type_label, &area),
    };
    let cta = custom.get("call_to_action").and_then(Value::as_str).unwrap_or(style.call_to_action).to_string();
    let reference = prop.reference().trim().to_string();
    let contact_href = if email.is_empty() {
        format!("tel:{}", phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect::<String>())
    } else {
        format!("mailto:{email}?subject={}", percent_encode(format!("Viewing request {reference}").trim_end()))
    };
    let unsubscribe_url = match custom.get("unsubscribe_url").and_then(Value::as_str) {
        Some(u) => u.to_string(),
        None if !email.is_empty() => format!("mailto:{email}?subject=Unsubscribe"),
        None => String::new(),
    };
    // The required disclaimers follow the registration line, in the same (last) paragraph, so
    // trimming to a channel's limit keeps them.
    let disclaimers: String =
        req.brokerage.disclaimers.iter().map(|d| d.trim()).filter(|d| !d.is_empty()).map(|d| format!(" {d}")).collect();
    let disclosure = format!(
        "{} | ORN {} | BRN {} | Trakheesi Permit {permit}{disclaimers}",
        req.brokerage.name.trim(),
        req.brokerage.orn.trim(),
        req.agent.brn.trim()
    );

    Ok(json!({
        "p": {
            "reference": reference,
            "community": community,
            "area": area,
            "area_full": area_full,
            "building": text(&prop.building),
            "unit": text(&prop.unit),
            "type": type_label,
            "type_plural": format!("{type_label}s"),
            "bedrooms": bedrooms,
            "beds": beds,
            "bedrooms_text": if bedrooms == 0 { "Studio".to_string() } else { bedrooms.to_string() },
            "bathrooms": prop.bathrooms.map(format_count).unwrap_or_default(),
            "size": format!("{} sq ft", group_thousands(size_sqft.round() as i64)),
            "size_sqft": group_thousands(size_sqft.round() as i64),
            "price": price.map(|p| format!("AED {}", group_thousands(p.round() as i64))).unwrap_or_else(|| "Price on request".into()),
            "price_short": price.map(short_price).unwrap_or_else(|| "Price on request".into()),
            "has_price": price.is_some(),
            "permit": permit,
            "features": features,
            "top_features": top_features,
            "view": text(&prop.view),
            "status": if off_plan { "Off-plan" } else { "Ready to move in" },
            "off_plan": off_plan,
        },
        "agent": { "name": req.agent.name.trim(), "brn": req.agent.brn.trim(), "phone": phone, "email": email },
        "brokerage": { "name": req.brokerage.name.trim(), "orn": req.brokerage.orn.trim() },
        "tone": {
            "name": req.content_style.as_str(),
            "title_word": style.title_word,
            "intro_lead": Phrasing::pick(&style.intro_lead, &seed),
            "location": style.location,
            "lifestyle": Phrasing::pick(&style.lifestyle, &seed),
            "neighbourhood": style.neighbourhood,
            "features_lead": style.features_lead,
            "closing": style.closing,
            "audience": style.audience,
            "pitch": style.pitch,
            "subject_lead": style.subject_lead,
        },
        "headline": headline,
        "subject": headline,
        "cta": cta,
        "contact_href": contact_href,
        "unsubscribe_url": unsubscribe_url,
        "disclosure": disclosure,
        "disclaimers": disclaimers.trim(),
        "disclosure_short": format!("Permit {permit} | ORN {} | BRN {}{disclaimers}", req.brokerage.orn.trim(), req.agent.brn.trim()),
        "custom": custom,
        "paragraphs": [],
    }))
}

/// Customizations as strings, checked: known keys have length limits, none may make a prohibited claim.
fn customizations(value: &Value) -> Result<Map<String, Value>, ContentError> {
    let invalid = |m: String| ContentError::InvalidRequest(m);
    let map = match value {
        Value::Null => return Ok(Map::new()),
        Value::Object(map) => map,
        _ => return Err(invalid("customizations must be a JSON object".into())),
    };
    let mut out = Map::new();
    for (key, v) in map {
        if v.is_null() {
            continue;
        }
        let s = v.as_str().map(str::trim).ok_or_else(|| invalid(format!("customizations.{key} must be a string")))?;
        let max = match key.as_str() {
            "headline" => HEADLINE_MAX,
            "call_to_action" => CALL_TO_ACTION_MAX,
            _ => URL_MAX,
        };
        if s.is_empty() || s.chars().count() > max {
            return Err(invalid(format!("customizations.{key} must be 1 to {max} characters")));
        }
        if key == "unsubscribe_url" && !["https://", "http://", "mailto:"].iter().any(|p| s.starts_with(p)) {
            return Err(invalid("customizations.unsubscribe_url must be an http(s) or mailto: URL".into()));
        }
        if let Some(phrase) = prohibited_claim(s) {
            return Err(ContentError::ProhibitedClaim(phrase.to_string()));
        }
        out.insert(key.clone(), Value::String(s.to_string()));
    }
    Ok(out)
}

/// The first of the default headlines that fits a portal title.
fn default_headline(title_word: &str, beds: &str, type_label: &str, area: &str) -> String {
    let candidates = [format!("{title_word} {beds} {type_label} in {area}"), format!("{beds} {type_label} in {area}")];
    candidates
        .iter()
        .find(|c| c.chars().count() <= LISTING_TITLE_MAX)
        .cloned()
        .unwrap_or_else(|| trim_at_word(&candidates[1], LISTING_TITLE_MAX))
}

/// ("JVC", "Jumeirah Village Circle (JVC)"); ("Barsha Heights", "Barsha Heights (Tecom)").
/// The short name is used only when it is an acronym.
fn area_names(community: &str) -> (String, String) {
    match community.split_once('(') {
        Some((name, rest)) => {
            let short = rest.trim_end_matches(')').trim();
            let acronym = !short.is_empty() && short.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            (if acronym { short.to_string() } else { name.trim().to_string() }, community.to_string())
        }
        None => (community.to_string(), community.to_string()),
    }
}

fn type_label(property_type: &str) -> &'static str {
    match property_type {
        "villa" => "Villa",
        "townhouse" => "Townhouse",
        "hotel_apartment" => "Hotel Apartment",
        "penthouse" => "Penthouse",
        "duplex" => "Duplex",
        _ => "Apartment",
    }
}

/// 2450000 → "2,450,000".
pub(crate) fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// 2450000 → "AED 2.45M"; 850000 → "AED 850K".
fn short_price(aed: f64) -> String {
    let (value, unit) = if aed >= 1_000_000.0 { (aed / 1_000_000.0, "M") } else { (aed / 1_000.0, "K") };
    let rounded = format!("{value:.2}");
    let trimmed = rounded.trim_end_matches('0').trim_end_matches('.');
    format!("AED {trimmed}{unit}")
}

/// 2.0 → "2"; 2.5 → "2.5".
fn format_count(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (for `mailto:` subjects).
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_values() {
        assert_eq!(group_thousands(2_450_000), "2,450,000");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(short_price(2_450_000.0), "AED 2.45M");
        assert_eq!(short_price(3_000_000.0), "AED 3M");
        assert_eq!(short_price(850_000.0), "AED 850K");
        assert_eq!(area_names("Jumeirah Village Circle (JVC)").0, "JVC");
        assert_eq!(area_names("Barsha Heights (Tecom)").0, "Barsha Heights");
        assert_eq!(percent_encode("Viewing request A-1"), "Viewing%20request%20A-1");
        assert_eq!(format_count(2.5), "2.5");
    }
}
