//! The lead record: its fields, validation (pure), and the statuses it moves through.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::property::{CommunityMatch, FieldError, PROPERTY_TYPES};

/// `new` → `nurturing` → `replied` | `converted` | `unsubscribed` | `lost`.
pub const STATUSES: [&str; 6] = ["new", "nurturing", "replied", "converted", "unsubscribed", "lost"];
/// Statuses in which nothing more is sent.
pub const STOP_STATUSES: [&str; 4] = ["replied", "converted", "unsubscribed", "lost"];
pub const SOURCES: [&str; 7] = ["referral", "portal", "website", "social", "walk_in", "event", "other"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: Option<String>,
    pub budget_min: Option<f64>,
    pub budget_max: Option<f64>,
    pub preferred_communities: Option<Vec<String>>,
    pub property_type: Option<String>,
    pub bedrooms: Option<i64>,
    pub contact_consent: Option<bool>,
    pub notes: Option<String>,
}

/// The normalised lead body, or every field error.
pub fn validate(input: &LeadInput, resolve: &dyn Fn(&str) -> CommunityMatch) -> Result<Value, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut body = Map::new();
    match input.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() && n.chars().count() <= 120 => {
            body.insert("name".into(), json!(n));
        }
        _ => errors.push(FieldError::new("name", "is required (at most 120 characters)")),
    }
    match input.email.as_deref().map(str::trim) {
        Some(e) if !e.is_empty() => match mail::Address::parse(e) {
            Ok(a) => {
                body.insert("email".into(), json!(a.email.to_lowercase()));
            }
            Err(err) => errors.push(FieldError::new("email", err.to_string())),
        },
        _ => {}
    }
    if let Some(p) = input.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        let digits = p.chars().filter(char::is_ascii_digit).count();
        if !(7..=15).contains(&digits) || !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
            errors.push(FieldError::new("phone", "must be a phone number (7 to 15 digits)"));
        } else {
            body.insert("phone".into(), json!(p));
        }
    }
    if !body.contains_key("email") && !body.contains_key("phone") {
        errors.push(FieldError::new("email", "give an e-mail or a phone number"));
    }
    let source = input.source.as_deref().unwrap_or("other").trim().to_lowercase();
    if SOURCES.contains(&source.as_str()) {
        body.insert("source".into(), json!(source));
    } else {
        errors.push(FieldError::new("source", format!("must be one of {}", SOURCES.join(", "))));
    }
    for (field, v) in [("budget_min", input.budget_min), ("budget_max", input.budget_max)] {
        match v {
            Some(b) if b.is_finite() && (10_000.0..=2_000_000_000.0).contains(&b) => {
                body.insert(field.into(), json!(b));
            }
            Some(_) => errors.push(FieldError::new(field, "must be an amount in AED between 10,000 and 2,000,000,000")),
            None => {}
        }
    }
    if let (Some(lo), Some(hi)) = (input.budget_min, input.budget_max) {
        if lo > hi {
            errors.push(FieldError::new("budget_max", "must be at least budget_min"));
        }
    }
    let mut communities = Vec::new();
    for (i, c) in input.preferred_communities.iter().flatten().enumerate() {
        match resolve(c) {
            CommunityMatch::Found(name) => {
                if !communities.contains(&name) {
                    communities.push(name);
                }
            }
            CommunityMatch::Unknown { suggestions } => errors.push(FieldError {
                field: format!("preferred_communities[{i}]"),
                message: format!("unknown community `{c}`"),
                suggestions,
            }),
        }
    }
    body.insert("preferred_communities".into(), json!(communities));
    if let Some(t) = input.property_type.as_deref().map(|t| t.trim().to_lowercase().replace([' ', '-'], "_")) {
        if PROPERTY_TYPES.contains(&t.as_str()) {
            body.insert("property_type".into(), json!(t));
        } else {
            errors.push(FieldError::new("property_type", format!("must be one of {}", PROPERTY_TYPES.join(", "))));
        }
    }
    match input.bedrooms {
        Some(b) if (0..=20).contains(&b) => {
            body.insert("bedrooms".into(), json!(b));
        }
        Some(_) => errors.push(FieldError::new("bedrooms", "must be between 0 and 20")),
        None => {}
    }
    body.insert("contact_consent".into(), json!(input.contact_consent.unwrap_or(false)));
    if let Some(n) = input.notes.as_deref() {
        if n.chars().count() > 2_000 {
            errors.push(FieldError::new("notes", "at most 2,000 characters"));
        } else {
            body.insert("notes".into(), json!(n));
        }
    }
    if errors.is_empty() {
        Ok(Value::Object(body))
    } else {
        Err(errors)
    }
}

/// Most rows one CSV import may carry.
pub const IMPORT_ROWS_MAX: usize = 5_000;

/// One CSV row: its line number, and the lead or why it could not be read.
pub type CsvRow = (usize, Result<LeadInput, String>);

/// Rows of a lead CSV (header: name, email, phone, source, budget_min, budget_max,
/// preferred_communities (`;`-separated), property_type, bedrooms, contact_consent (yes/no/true/false),
/// notes; unknown columns are an error). Each row is a `LeadInput` or the reason it could not be read,
/// with its 1-based line number.
pub fn parse_csv(text: &str) -> Result<Vec<CsvRow>, String> {
    const COLUMNS: [&str; 11] = [
        "name",
        "email",
        "phone",
        "source",
        "budget_min",
        "budget_max",
        "preferred_communities",
        "property_type",
        "bedrooms",
        "contact_consent",
        "notes",
    ];
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> =
        reader.headers().map_err(|e| format!("line 1: {e}"))?.iter().map(|h| h.to_lowercase()).collect();
    if let Some(unknown) = headers.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(format!("line 1: unknown column `{unknown}` (expected {})", COLUMNS.join(", ")));
    }
    if !headers.iter().any(|h| h == "name") {
        return Err("line 1: the `name` column is required".into());
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        if out.len() >= IMPORT_ROWS_MAX {
            return Err(format!("more than {IMPORT_ROWS_MAX} rows; split the file"));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.push((line, Err(e.to_string())));
                continue;
            }
        };
        let get = |col: &str| {
            headers
                .iter()
                .position(|h| h == col)
                .and_then(|i| record.get(i))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let number = |col: &str| -> Result<Option<f64>, String> {
            get(col)
                .map(|v| v.replace(',', "").parse::<f64>().map_err(|_| format!("{col}: `{v}` is not a number")))
                .transpose()
        };
        let row = (|| -> Result<LeadInput, String> {
            Ok(LeadInput {
                name: get("name"),
                email: get("email"),
                phone: get("phone"),
                source: get("source"),
                budget_min: number("budget_min")?,
                budget_max: number("budget_max")?,
                preferred_communities: get("preferred_communities")
                    .map(|v| v.split(';').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect()),
                property_type: get("property_type"),
                bedrooms: number("bedrooms")?.map(|b| b as i64),
                contact_consent: match get("contact_consent").map(|v| v.to_lowercase()).as_deref() {
                    None => None,
                    Some("yes" | "true" | "y" | "1") => Some(true),
                    Some("no" | "false" | "n" | "0") => Some(false),
                    Some(other) => return Err(format!("contact_consent: `{other}` is not yes or no")),
                },
                notes: get("notes"),
            })
        })();
        out.push((line, row));
    }
    Ok(out)
}
