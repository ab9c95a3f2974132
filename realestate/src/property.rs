//! An agent's listing as the API accepts it: parsed, validated and normalised.
//!
//! The seed's request shapes are accepted as written there: `area_sqft` is the size, and an
//! `address` such as "Dubai Marina, Marina Heights Tower" gives community and building.

use serde::Deserialize;
use serde_json::{json, Map, Value};

/// How a community name matched the reference.
#[derive(Debug, Clone, PartialEq)]
pub enum CommunityMatch {
    Found(String),
    Unknown { suggestions: Vec<String> },
}

/// One problem with one field of a request.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), message: message.into(), suggestions: Vec::new() }
    }
}

pub const PROPERTY_TYPES: &[&str] = &["apartment", "villa", "townhouse", "hotel_apartment", "penthouse", "duplex"];
const SQM_TO_SQFT: f64 = 10.763_910_4;

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PropertyInput {
    pub reference: Option<String>,
    pub address: Option<String>,
    pub community: Option<String>,
    pub building: Option<String>,
    pub unit: Option<String>,
    pub property_type: Option<String>,
    pub bedrooms: Option<i64>,
    pub bathrooms: Option<f64>,
    #[serde(alias = "area_sqft")]
    pub size_sqft: Option<f64>,
    pub size_sqm: Option<f64>,
    pub asking_price: Option<f64>,
    pub permit_number: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub features: Option<Vec<String>>,
    pub photos: Option<Vec<String>>,
    pub view: Option<String>,
    pub floor: Option<i64>,
    pub completion_status: Option<String>,
}

fn text(field: &str, v: &Option<String>, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let t = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    if t.chars().count() > max {
        errors.push(FieldError::new(field, format!("must be at most {max} characters")));
        return None;
    }
    Some(t.to_string())
}

/// Splits "Community, Building" (or "Building, Community") using the community resolver.
fn split_address(address: &str, resolve: &dyn Fn(&str) -> CommunityMatch) -> (Option<String>, Option<String>) {
    let parts: Vec<&str> =
        address.split(',').map(str::trim).filter(|p| !p.is_empty() && !p.eq_ignore_ascii_case("dubai")).collect();
    for (i, part) in parts.iter().enumerate() {
        if let CommunityMatch::Found(c) = resolve(part) {
            let rest: Vec<&str> = parts.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, p)| *p).collect();
            return (Some(c), (!rest.is_empty()).then(|| rest.join(", ")));
        }
    }
    (parts.first().map(|p| p.to_string()), parts.get(1).map(|p| p.to_string()))
}

/// Validates a full property (create) and returns its normalised JSON body.
/// `require_reference`: creation needs one; valuation subjects do not.
pub fn validate(
    input: &PropertyInput,
    resolve: &dyn Fn(&str) -> CommunityMatch,
    require_reference: bool,
) -> Result<Value, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut body = Map::new();

    match text("reference", &input.reference, 64, &mut errors) {
        Some(r) if r.chars().all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c)) => {
            body.insert("reference".into(), json!(r));
        }
        Some(_) => errors.push(FieldError::new("reference", "may contain letters, digits and _ - . / only")),
        None if require_reference => errors.push(FieldError::new("reference", "is required")),
        None => {}
    }

    let (from_address, building_from_address) = match input.address.as_deref() {
        Some(a) if !a.trim().is_empty() => split_address(a, resolve),
        _ => (None, None),
    };
    let community_text = text("community", &input.community, 120, &mut errors).or(from_address);
    match community_text {
        None => errors.push(FieldError::new("community", "is required (or give an address)")),
        Some(c) => match resolve(&c) {
            CommunityMatch::Found(canonical) => {
                body.insert("community".into(), json!(canonical));
            }
            CommunityMatch::Unknown { suggestions } => errors.push(FieldError {
                field: "community".into(),
                message: format!("unknown community `{c}`"),
                suggestions,
            }),
        },
    }
    if let Some(b) = text("building", &input.building, 120, &mut errors).or(building_from_address) {
        body.insert("building".into(), json!(b));
    }
    if let Some(u) = text("unit", &input.unit, 32, &mut errors) {
        body.insert("unit".into(), json!(u));
    }

    match input.property_type.as_deref().map(|t| t.trim().to_lowercase().replace([' ', '-'], "_")) {
        Some(t) if PROPERTY_TYPES.contains(&t.as_str()) => {
            body.insert("property_type".into(), json!(t));
        }
        Some(t) => {
            errors.push(FieldError::new("property_type", format!("`{t}` is not one of {}", PROPERTY_TYPES.join(", "))))
        }
        None => errors.push(FieldError::new("property_type", "is required")),
    }
    match input.bedrooms {
        Some(b) if (0..=20).contains(&b) => {
            body.insert("bedrooms".into(), json!(b));
        }
        Some(_) => errors.push(FieldError::new("bedrooms", "must be between 0 (studio) and 20")),
        None => errors.push(FieldError::new("bedrooms", "is required (0 for a studio)")),
    }
    if let Some(b) = input.bathrooms {
        if (0.0..=20.0).contains(&b) {
            body.insert("bathrooms".into(), json!(b));
        } else {
            errors.push(FieldError::new("bathrooms", "must be between 0 and 20"));
        }
    }
    let size = match (input.size_sqft, input.size_sqm) {
        (Some(sqft), _) => Some(("size_sqft", sqft)),
        (None, Some(sqm)) => Some(("size_sqm", sqm * SQM_TO_SQFT)),
        (None, None) => None,
    };
    match size {
        Some((_, s)) if s > 0.0 && (100.0..=100_000.0).contains(&s) => {
            body.insert("size_sqft".into(), json!((s * 10.0).round() / 10.0));
        }
        Some((field, _)) => {
            errors.push(FieldError::new(field, "must be a real size: 100 to 100,000 sqft (9.3 to 9,290 sqm)"))
        }
        None => errors.push(FieldError::new("size_sqft", "is required (or size_sqm, or area_sqft)")),
    }
    if let Some(p) = input.asking_price {
        if (10_000.0..=2_000_000_000.0).contains(&p) {
            body.insert("asking_price".into(), json!(p));
        } else {
            errors.push(FieldError::new("asking_price", "must be an amount in AED between 10,000 and 2,000,000,000"));
        }
    }
    if let Some(p) = text("permit_number", &input.permit_number, 32, &mut errors) {
        if p.chars().all(|c| c.is_ascii_digit()) && (6..=20).contains(&p.len()) {
            body.insert("permit_number".into(), json!(p));
        } else {
            errors.push(FieldError::new("permit_number", "a Trakheesi permit number is 6–20 digits"));
        }
    }
    match (input.latitude, input.longitude) {
        (Some(lat), Some(lon)) if (24.0..=26.5).contains(&lat) && (54.5..=56.5).contains(&lon) => {
            body.insert("latitude".into(), json!(lat));
            body.insert("longitude".into(), json!(lon));
        }
        (None, None) => {}
        (Some(_), None) | (None, Some(_)) => {
            errors.push(FieldError::new("latitude", "latitude and longitude go together"))
        }
        _ => errors
            .push(FieldError::new("latitude", "coordinates must lie in or near Dubai (lat 24–26.5, lon 54.5–56.5)")),
    }
    for (field, list) in [("features", &input.features), ("photos", &input.photos)] {
        let items: Vec<String> =
            list.iter().flatten().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        if items.len() > 100 || items.iter().any(|s| s.chars().count() > 500) {
            errors.push(FieldError::new(field, "at most 100 entries of at most 500 characters"));
        } else {
            body.insert(field.into(), json!(items));
        }
    }
    if let Some(v) = text("view", &input.view, 60, &mut errors) {
        body.insert("view".into(), json!(v));
    }
    if let Some(f) = input.floor {
        if (-5..=200).contains(&f) {
            body.insert("floor".into(), json!(f));
        } else {
            errors.push(FieldError::new("floor", "must be between -5 and 200"));
        }
    }
    match input.completion_status.as_deref() {
        Some(s @ ("ready" | "off_plan")) => {
            body.insert("completion_status".into(), json!(s));
        }
        Some(_) => errors.push(FieldError::new("completion_status", "must be ready or off_plan")),
        None => {
            body.insert("completion_status".into(), json!("ready"));
        }
    }
    if errors.is_empty() {
        Ok(Value::Object(body))
    } else {
        Err(errors)
    }
}

/// Applies a JSON merge patch (RFC 7396) of input fields to a stored body, then re-validates.
pub fn patch(
    stored: &Value,
    patch: &Value,
    resolve: &dyn Fn(&str) -> CommunityMatch,
) -> Result<Value, Vec<FieldError>> {
    let mut merged = stored.clone();
    if let (Some(target), Some(changes)) = (merged.as_object_mut(), patch.as_object()) {
        for (k, v) in changes {
            if v.is_null() {
                target.remove(k);
            } else {
                target.insert(k.clone(), v.clone());
            }
        }
    } else {
        return Err(vec![FieldError::new("body", "must be a JSON object")]);
    }
    let input: PropertyInput =
        serde_json::from_value(merged).map_err(|e| vec![FieldError::new("body", e.to_string())])?;
    validate(&input, resolve, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(s: &str) -> CommunityMatch {
        match s.to_lowercase().as_str() {
            "dubai marina" | "marina" => CommunityMatch::Found("Dubai Marina".into()),
            "jvc" | "jumeirah village circle" => CommunityMatch::Found("Jumeirah Village Circle (JVC)".into()),
            _ => CommunityMatch::Unknown { suggestions: vec!["Dubai Marina".into()] },
        }
    }

    fn input(v: Value) -> PropertyInput {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn seed_shape_with_address_and_area_sqft() {
        let body = validate(
            &input(json!({ "reference": "test_prop_123", "address": "Dubai Marina, Marina Heights Tower", "property_type": "apartment", "bedrooms": 2, "area_sqft": 1200 })),
            &resolve,
            true,
        )
        .unwrap();
        assert_eq!(body["community"], "Dubai Marina");
        assert_eq!(body["building"], "Marina Heights Tower");
        assert_eq!(body["size_sqft"], 1200.0);
    }

    #[test]
    fn sqm_is_converted_and_aliases_resolve() {
        let body = validate(&input(json!({ "reference": "r1", "community": "JVC", "property_type": "Villa", "bedrooms": 0, "size_sqm": 100 })), &resolve, true).unwrap();
        assert_eq!(body["community"], "Jumeirah Village Circle (JVC)");
        assert_eq!(body["size_sqft"], 1076.4);
        assert_eq!(body["property_type"], "villa");
    }

    #[test]
    fn impossible_inputs_name_their_fields() {
        let errors = validate(
            &input(json!({ "community": "Atlantis Under The Sea", "property_type": "castle", "bedrooms": 40, "size_sqft": -5, "permit_number": "ABC" })),
            &resolve,
            true,
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["reference", "community", "property_type", "bedrooms", "size_sqft", "permit_number"]);
        assert_eq!(errors[1].suggestions, ["Dubai Marina"]);
    }

    #[test]
    fn patch_merges_and_revalidates() {
        let stored = validate(&input(json!({ "reference": "r1", "community": "marina", "property_type": "apartment", "bedrooms": 1, "size_sqft": 800 })), &resolve, true).unwrap();
        let updated = patch(&stored, &json!({ "asking_price": 1_500_000, "bedrooms": 2 }), &resolve).unwrap();
        assert_eq!(updated["bedrooms"], 2);
        assert_eq!(updated["asking_price"], 1_500_000.0);
        assert!(patch(&stored, &json!({ "size_sqft": 0 }), &resolve).is_err());
    }
}
