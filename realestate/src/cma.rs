//! A CMA report: the request it answers, the valuation it contains, and how it is produced.
//!
//! The stored request holds the validated subject (a normalised property body) and the analysis
//! options; the stored result is the engine's valuation, pricing and market section as JSON, so
//! the API and the PDF read the same numbers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use valuation::{Market, Options, PropertyType, Subject, ValuationError};

use crate::property::{CompletionStatus, Property};

/// The analysis options of the seed's `analysis_options`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalysisOptions {
    #[serde(default = "default_count")]
    pub comparable_count: usize,
    pub radius_km: Option<f64>,
    #[serde(default = "default_months")]
    pub time_frame_months: u32,
    #[serde(default = "default_true")]
    pub include_market_trends: bool,
    #[serde(default = "default_forecast")]
    pub forecast_months: usize,
}

fn default_count() -> usize {
    6
}
fn default_months() -> u32 {
    24
}
fn default_true() -> bool {
    true
}
fn default_forecast() -> usize {
    6
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            comparable_count: 6,
            radius_km: None,
            time_frame_months: 24,
            include_market_trends: true,
            forecast_months: 6,
        }
    }
}

impl AnalysisOptions {
    /// Bounds checked where the request enters.
    pub fn check(&self) -> Result<(), crate::property::FieldError> {
        use crate::property::FieldError;
        if !(1..=20).contains(&self.comparable_count) {
            return Err(FieldError::new("analysis_options.comparable_count", "must be 1–20"));
        }
        if self.radius_km.is_some_and(|r| !(0.1..=50.0).contains(&r)) {
            return Err(FieldError::new("analysis_options.radius_km", "must be 0.1–50 km"));
        }
        if !(1..=240).contains(&self.time_frame_months) {
            return Err(FieldError::new("analysis_options.time_frame_months", "must be 1–240 months"));
        }
        if self.forecast_months > 24 {
            return Err(FieldError::new("analysis_options.forecast_months", "must be at most 24"));
        }
        Ok(())
    }
}

/// The subject of a valuation: a validated listing in the engine's terms.
pub fn subject(p: &Property, valuation_date: NaiveDate) -> Result<Subject, ValuationError> {
    let property_type = PropertyType::parse(p.property_type.as_str()).ok_or_else(|| ValuationError::InvalidInput {
        field: "property_type",
        message: format!("{} is not valued by the engine", p.property_type.as_str()),
    })?;
    Ok(Subject {
        community: p.community.clone(),
        building: p.building.clone(),
        property_type,
        bedrooms: u8::try_from(p.bedrooms).ok(),
        bathrooms: p.bathrooms.map(|b| b.round().clamp(0.0, 255.0) as u8),
        size_sqft: p.size_sqft,
        latitude: p.latitude,
        longitude: p.longitude,
        valuation_date,
        offplan: Some(p.completion_status == CompletionStatus::OffPlan),
    })
}

/// Values the subject and assembles the report's result section.
pub fn generate(
    market: &Market,
    listing: &Property,
    options: &AnalysisOptions,
    valuation_date: NaiveDate,
) -> Result<Value, ValuationError> {
    let subject = subject(listing, valuation_date)?;
    let engine_options = Options {
        comparable_count: options.comparable_count,
        radius_km: options.radius_km,
        time_frame_months: options.time_frame_months,
    };
    let v = market.value(&subject, &engine_options)?;
    let asking = listing.asking_price;
    let pricing = market.pricing(&v, asking);
    let trends = if options.include_market_trends {
        market.trends(&v.community, subject.property_type, options.forecast_months).ok()
    } else {
        None
    };
    Ok(json!({
        "subject": listing.to_body(),
        "valuation_date": valuation_date,
        "valuation": {
            "estimated_value": v.estimated_value.round(),
            "value_range": { "low": v.value_range.0.round(), "high": v.value_range.1.round() },
            "price_per_sqft": (v.price_per_sqft * 100.0).round() / 100.0,
            "confidence": (v.confidence * 1000.0).round() / 1000.0,
            "method": v.method,
            "fallback_level": v.fallback_level,
            "estimator": v.estimator,
            "notes": v.notes,
        },
        "comparables": v.comparables,
        "pricing_recommendation": pricing,
        "market": trends,
        "source": "Dubai Land Department open data (see seeds/README.md)",
    }))
}

/// A one-line summary for listings and step outputs.
pub fn summary(result: &Value) -> Value {
    json!({
        "estimated_value": result["valuation"]["estimated_value"],
        "value_range": result["valuation"]["value_range"],
        "confidence": result["valuation"]["confidence"],
        "comparables": result["comparables"].as_array().map_or(0, Vec::len),
    })
}
