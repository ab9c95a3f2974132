//! The client record and the KYC documents Dubai practice asks of each kind of client (pure).

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::property::FieldError;

pub const CLIENT_TYPES: [&str; 3] = ["resident", "non_resident", "company"];
pub const ROLES: [&str; 2] = ["seller", "buyer"];
pub const DOC_TYPES: [&str; 8] = [
    "emirates_id",
    "passport",
    "visa",
    "proof_of_address",
    "trade_license",
    "memorandum_of_association",
    "signatory_passport",
    "title_deed",
];

/// The documents a client must provide: identity by client type (UAE residents: Emirates ID and
/// passport; non-residents: passport and proof of address; companies: trade licence, memorandum of
/// association and the signatory's passport), plus the title deed from a seller.
pub fn required_documents(client_type: &str, role: &str) -> Vec<&'static str> {
    let mut docs = match client_type {
        "resident" => vec!["emirates_id", "passport"],
        "non_resident" => vec!["passport", "proof_of_address"],
        _ => vec!["trade_license", "memorandum_of_association", "signatory_passport"],
    };
    if role == "seller" {
        docs.push("title_deed");
    }
    docs
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub client_type: Option<String>,
    pub role: Option<String>,
    pub nationality: Option<String>,
    pub company_name: Option<String>,
    pub property_id: Option<String>,
    pub commission_pct: Option<f64>,
    pub exclusive: Option<bool>,
    pub term_days: Option<i64>,
    pub budget_aed: Option<f64>,
}

pub fn validate(input: &ClientInput) -> Result<Value, Vec<FieldError>> {
    let mut e = Vec::new();
    let mut b = Map::new();
    match input.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() && n.chars().count() <= 120 => {
            b.insert("name".into(), json!(n));
        }
        _ => e.push(FieldError::new("name", "is required (at most 120 characters)")),
    }
    match input.email.as_deref().map(str::trim).map(mail::Address::parse) {
        Some(Ok(a)) => {
            b.insert("email".into(), json!(a.email.to_lowercase()));
        }
        Some(Err(err)) => e.push(FieldError::new("email", err.to_string())),
        None => e.push(FieldError::new("email", "is required (the welcome pack goes there)")),
    }
    if let Some(p) = input.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        b.insert("phone".into(), json!(p));
    }
    match input.client_type.as_deref() {
        Some(t) if CLIENT_TYPES.contains(&t) => {
            b.insert("client_type".into(), json!(t));
        }
        _ => e.push(FieldError::new("client_type", format!("must be one of {}", CLIENT_TYPES.join(", ")))),
    }
    match input.role.as_deref() {
        Some(r) if ROLES.contains(&r) => {
            b.insert("role".into(), json!(r));
        }
        _ => e.push(FieldError::new("role", "must be seller or buyer")),
    }
    if input.client_type.as_deref() == Some("company")
        && input.company_name.as_deref().is_none_or(|c| c.trim().is_empty())
    {
        e.push(FieldError::new("company_name", "is required for a company"));
    }
    for (k, v) in [
        ("nationality", &input.nationality),
        ("company_name", &input.company_name),
        ("property_id", &input.property_id),
    ] {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            b.insert(k.into(), json!(v));
        }
    }
    // Dubai practice: 2 % commission is customary; RERA contracts run for a fixed term.
    let commission = input.commission_pct.unwrap_or(2.0);
    if !(0.0..=10.0).contains(&commission) {
        e.push(FieldError::new("commission_pct", "must be between 0 and 10"));
    }
    let term = input.term_days.unwrap_or(90);
    if !(1..=365).contains(&term) {
        e.push(FieldError::new("term_days", "must be between 1 and 365"));
    }
    b.insert(
        "agreement".into(),
        json!({ "commission_pct": commission, "exclusive": input.exclusive.unwrap_or(false), "term_days": term }),
    );
    if let Some(budget) = input.budget_aed {
        if budget.is_finite() && budget > 0.0 {
            b.insert("budget_aed".into(), json!(budget));
        } else {
            e.push(FieldError::new("budget_aed", "must be a positive amount"));
        }
    }
    if e.is_empty() {
        Ok(Value::Object(b))
    } else {
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_follow_client_type_and_role() {
        assert_eq!(required_documents("resident", "buyer"), ["emirates_id", "passport"]);
        assert_eq!(required_documents("non_resident", "seller"), ["passport", "proof_of_address", "title_deed"]);
        assert_eq!(
            required_documents("company", "buyer"),
            ["trade_license", "memorandum_of_association", "signatory_passport"]
        );
        for t in CLIENT_TYPES {
            for r in ROLES {
                assert!(required_documents(t, r).iter().all(|d| DOC_TYPES.contains(d)));
            }
        }
    }

    #[test]
    fn companies_need_a_name_and_terms_are_bounded() {
        let bad = validate(&ClientInput {
            name: Some("X".into()),
            email: Some("x@example.com".into()),
            client_type: Some("company".into()),
            role: Some("buyer".into()),
            term_days: Some(400),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["company_name", "term_days"]);
    }
}
