//! An agent's listing as the API accepts it: parsed ([`PropertyInput`]), validated and normalised into a
//! [`Property`], the one type that says a listing is sound.
//!
//! The seed's request shapes are accepted as written there: `area_sqft` is the size, and an
//! `address` such as "Dubai Marina, Marina Heights Tower" gives community and building.
//!
//! A `Property` serialises to the body the store keeps and the API answers (`to_body`), and a stored
//! body reads back with [`Property::from_body`]; both are the same JSON the API has always used.

use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// The kinds of home AURA lists (the values of [`PROPERTY_TYPES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PropertyType {
    Apartment,
    Villa,
    Townhouse,
    HotelApartment,
    Penthouse,
    Duplex,
}

impl PropertyType {
    /// The wire name, e.g. `hotel_apartment`.
    pub fn as_str(self) -> &'static str {
        match self {
            PropertyType::Apartment => "apartment",
            PropertyType::Villa => "villa",
            PropertyType::Townhouse => "townhouse",
            PropertyType::HotelApartment => "hotel_apartment",
            PropertyType::Penthouse => "penthouse",
            PropertyType::Duplex => "duplex",
        }
    }

    /// Parses an agent's spelling: case, spaces and hyphens do not matter ("Hotel Apartment").
    pub fn parse(text: &str) -> Option<PropertyType> {
        let t = text.trim().to_lowercase().replace([' ', '-'], "_");
        serde_json::from_value(Value::String(t)).ok()
    }
}

/// Whether the home can be moved into or is still being built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompletionStatus {
    #[default]
    Ready,
    OffPlan,
}

/// A validated listing. Built only by [`validate`] (or read back from a body `validate` produced), so
/// every value is in range: a known community, a type, 0–20 bedrooms, a real size, an AED price, a
/// Trakheesi permit of 6–20 digits, coordinates in Dubai.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Property {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The canonical community name from the market reference.
    pub community: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub property_type: PropertyType,
    /// 0 is a studio.
    pub bedrooms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bathrooms: Option<f64>,
    /// Built-up area in square feet, to one decimal.
    pub size_sqft: f64,
    /// AED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asking_price: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permit_number: Option<String>,
    /// Latitude and longitude are both present or both absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub features: Vec<String>,
    #[serde(default)]
    pub photos: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<i64>,
    #[serde(default)]
    pub completion_status: CompletionStatus,
}

impl Property {
    /// The JSON body the store keeps and the API answers.
    pub fn to_body(&self) -> Value {
        serde_json::to_value(self).expect("a Property serialises")
    }

    /// A body written by [`Property::to_body`]. A body that does not read back was not written by
    /// `validate` (or was edited outside AURA); the error says which field.
    pub fn from_body(body: &Value) -> Result<Property, serde_json::Error> {
        Property::deserialize(body)
    }

    /// A stored listing's body. The error names the listing and the field that did not read back.
    pub fn from_record(record: &store::domain::PropertyRecord) -> Result<Property, String> {
        Property::from_body(&record.body)
            .map_err(|e| format!("the stored property {} does not read back: {e}", record.reference))
    }

    /// The reference, or `""` for a valuation subject that has none.
    pub fn reference(&self) -> &str {
        self.reference.as_deref().unwrap_or("")
    }
}
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
) -> Result<Property, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut reference = None;

    match text("reference", &input.reference, 64, &mut errors) {
        Some(r) if r.chars().all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c)) => reference = Some(r),
        Some(_) => errors.push(FieldError::new("reference", "may contain letters, digits and _ - . / only")),
        None if require_reference => errors.push(FieldError::new("reference", "is required")),
        None => {}
    }

    let (from_address, building_from_address) = match input.address.as_deref() {
        Some(a) if !a.trim().is_empty() => split_address(a, resolve),
        _ => (None, None),
    };
    let community_text = text("community", &input.community, 120, &mut errors).or(from_address);
    let community = match community_text {
        None => {
            errors.push(FieldError::new("community", "is required (or give an address)"));
            None
        }
        Some(c) => match resolve(&c) {
            CommunityMatch::Found(canonical) => Some(canonical),
            CommunityMatch::Unknown { suggestions } => {
                errors.push(FieldError {
                    field: "community".into(),
                    message: format!("unknown community `{c}`"),
                    suggestions,
                });
                None
            }
        },
    };
    let building = text("building", &input.building, 120, &mut errors).or(building_from_address);
    let unit = text("unit", &input.unit, 32, &mut errors);

    let property_type = match input.property_type.as_deref() {
        Some(t) => match PropertyType::parse(t) {
            Some(kind) => Some(kind),
            None => {
                let t = t.trim().to_lowercase().replace([' ', '-'], "_");
                errors.push(FieldError::new(
                    "property_type",
                    format!("`{t}` is not one of {}", PROPERTY_TYPES.join(", ")),
                ));
                None
            }
        },
        None => {
            errors.push(FieldError::new("property_type", "is required"));
            None
        }
    };
    let bedrooms = match input.bedrooms {
        Some(b) if (0..=20).contains(&b) => Some(b),
        Some(_) => {
            errors.push(FieldError::new("bedrooms", "must be between 0 (studio) and 20"));
            None
        }
        None => {
            errors.push(FieldError::new("bedrooms", "is required (0 for a studio)"));
            None
        }
    };
    let bathrooms = input.bathrooms.filter(|b| {
        let ok = (0.0..=20.0).contains(b);
        if !ok {
            errors.push(FieldError::new("bathrooms", "must be between 0 and 20"));
        }
        ok
    });
    let size = match (input.size_sqft, input.size_sqm) {
        (Some(sqft), _) => Some(("size_sqft", sqft)),
        (None, Some(sqm)) => Some(("size_sqm", sqm * SQM_TO_SQFT)),
        (None, None) => None,
    };
    let size_sqft = match size {
        Some((_, s)) if s > 0.0 && (100.0..=100_000.0).contains(&s) => Some((s * 10.0).round() / 10.0),
        Some((field, _)) => {
            errors.push(FieldError::new(field, "must be a real size: 100 to 100,000 sqft (9.3 to 9,290 sqm)"));
            None
        }
        None => {
            errors.push(FieldError::new("size_sqft", "is required (or size_sqm, or area_sqft)"));
            None
        }
    };
    let asking_price = input.asking_price.filter(|p| {
        let ok = (10_000.0..=2_000_000_000.0).contains(p);
        if !ok {
            errors.push(FieldError::new("asking_price", "must be an amount in AED between 10,000 and 2,000,000,000"));
        }
        ok
    });
    let permit_number = text("permit_number", &input.permit_number, 32, &mut errors).filter(|p| {
        let ok = p.chars().all(|c| c.is_ascii_digit()) && (6..=20).contains(&p.len());
        if !ok {
            errors.push(FieldError::new("permit_number", "a Trakheesi permit number is 6–20 digits"));
        }
        ok
    });
    let (latitude, longitude) = match (input.latitude, input.longitude) {
        (Some(lat), Some(lon)) if (24.0..=26.5).contains(&lat) && (54.5..=56.5).contains(&lon) => {
            (Some(lat), Some(lon))
        }
        (None, None) => (None, None),
        (Some(_), None) | (None, Some(_)) => {
            errors.push(FieldError::new("latitude", "latitude and longitude go together"));
            (None, None)
        }
        _ => {
            errors.push(FieldError::new(
                "latitude",
                "coordinates must lie in or near Dubai (lat 24–26.5, lon 54.5–56.5)",
            ));
            (None, None)
        }
    };
    let mut lists = [("features", &input.features), ("photos", &input.photos)].map(|(field, list)| {
        let items: Vec<String> =
            list.iter().flatten().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        if items.len() > 100 || items.iter().any(|s| s.chars().count() > 500) {
            errors.push(FieldError::new(field, "at most 100 entries of at most 500 characters"));
        }
        items
    });
    let view = text("view", &input.view, 60, &mut errors);
    let floor = input.floor.filter(|f| {
        let ok = (-5..=200).contains(f);
        if !ok {
            errors.push(FieldError::new("floor", "must be between -5 and 200"));
        }
        ok
    });
    let completion_status = match input.completion_status.as_deref() {
        Some("ready") | None => CompletionStatus::Ready,
        Some("off_plan") => CompletionStatus::OffPlan,
        Some(_) => {
            errors.push(FieldError::new("completion_status", "must be ready or off_plan"));
            CompletionStatus::Ready
        }
    };
    match (community, property_type, bedrooms, size_sqft) {
        (Some(community), Some(property_type), Some(bedrooms), Some(size_sqft)) if errors.is_empty() => Ok(Property {
            reference,
            community,
            building,
            unit,
            property_type,
            bedrooms,
            bathrooms,
            size_sqft,
            asking_price,
            permit_number,
            latitude,
            longitude,
            features: std::mem::take(&mut lists[0]),
            photos: std::mem::take(&mut lists[1]),
            view,
            floor,
            completion_status,
        }),
        _ => Err(errors),
    }
}

/// Applies a JSON merge patch (RFC 7396) of input fields to a stored body, then re-validates.
pub fn patch(
    stored: &Value,
    patch: &Value,
    resolve: &dyn Fn(&str) -> CommunityMatch,
) -> Result<Property, Vec<FieldError>> {
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
    use serde_json::json;

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
        .unwrap()
        .to_body();
        assert_eq!(body["community"], "Dubai Marina");
        assert_eq!(body["building"], "Marina Heights Tower");
        assert_eq!(body["size_sqft"], 1200.0);
    }

    #[test]
    fn sqm_is_converted_and_aliases_resolve() {
        let body = validate(&input(json!({ "reference": "r1", "community": "JVC", "property_type": "Villa", "bedrooms": 0, "size_sqm": 100 })), &resolve, true).unwrap().to_body();
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
        let stored = validate(&input(json!({ "reference": "r1", "community": "marina", "property_type": "apartment", "bedrooms": 1, "size_sqft": 800 })), &resolve, true).unwrap().to_body();
        let updated = patch(&stored, &json!({ "asking_price": 1_500_000, "bedrooms": 2 }), &resolve).unwrap();
        assert_eq!(updated.bedrooms, 2);
        assert_eq!(updated.asking_price, Some(1_500_000.0));
        assert!(patch(&stored, &json!({ "size_sqft": 0 }), &resolve).is_err());
    }

    #[test]
    fn a_property_is_its_body_and_reads_back_from_it() {
        let p = validate(
            &input(json!({ "reference": "r1", "community": "marina", "property_type": "Hotel Apartment", "bedrooms": 1,
                "size_sqft": 800, "asking_price": 1_200_000, "latitude": 25.08, "longitude": 55.14, "features": [" Pool ", ""] })),
            &resolve,
            true,
        )
        .unwrap();
        assert_eq!(p.property_type, PropertyType::HotelApartment);
        assert_eq!(p.features, ["Pool"]);
        assert_eq!(p.completion_status, CompletionStatus::Ready);
        let body = p.to_body();
        assert_eq!(body["property_type"], "hotel_apartment");
        assert_eq!(body["completion_status"], "ready");
        assert_eq!(body["bedrooms"], 1);
        assert!(body.get("unit").is_none(), "absent fields stay absent: {body}");
        assert_eq!(Property::from_body(&body).unwrap(), p);
    }

    #[test]
    fn a_body_not_written_by_validate_does_not_read_back() {
        let err = Property::from_body(
            &json!({ "community": "Dubai Marina", "property_type": "castle", "bedrooms": 1, "size_sqft": 800.0 }),
        )
        .unwrap_err();
        assert!(err.to_string().contains("castle"), "{err}");
        assert!(Property::from_body(&json!({ "community": "Dubai Marina", "property_type": "villa", "bedrooms": 1 }))
            .is_err());
    }
}
