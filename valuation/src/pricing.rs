//! List-price recommendation from a valuation: quick-sale, market and premium prices with the evidence behind
//! them, and where a seller's asking price sits against the value range.

use serde::Serialize;

use crate::value::Valuation;

/// One recommended list price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PricePoint {
    pub price_aed: f64,
    pub price_per_sqft: f64,
    pub rationale: String,
}

/// Where the seller's asking price sits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskingAssessment {
    pub asking_aed: f64,
    /// (asking − estimate) / estimate.
    pub vs_estimate: f64,
    /// "below_range", "within_range" or "above_range".
    pub position: String,
    pub advice: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PricingRecommendation {
    pub quick_sale: PricePoint,
    pub market: PricePoint,
    pub premium: PricePoint,
    pub asking: Option<AskingAssessment>,
    pub evidence: Vec<String>,
}

fn round_list(v: f64) -> f64 {
    // list prices in steps of AED 5,000
    (v / 5000.0).round() * 5000.0
}

fn point(price: f64, size: f64, rationale: String) -> PricePoint {
    let p = round_list(price);
    PricePoint { price_aed: p, price_per_sqft: (p / size * 100.0).round() / 100.0, rationale }
}

/// Quick sale = half-way from the estimate to the low end of the range (about P30), market = the estimate,
/// premium = half-way to the high end (about P70).
pub fn recommend(v: &Valuation, asking: Option<f64>) -> PricingRecommendation {
    let (low, high) = v.value_range;
    let est = v.estimated_value;
    let quick =
        point((est + low) / 2.0, v.size_sqft, "priced in the lower part of the range to sell within weeks".to_string());
    let market = point(est, v.size_sqft, "the estimated market value".to_string());
    let premium = point(
        (est + high) / 2.0,
        v.size_sqft,
        "upper part of the range: for a better-than-typical unit (view, floor, finish) and a patient seller"
            .to_string(),
    );
    let mut evidence = vec![
        format!(
            "estimate AED {:.0} (AED {:.0}/sqft), 80% range AED {:.0}–{:.0}, confidence {:.0}%",
            est,
            v.price_per_sqft,
            low,
            high,
            v.confidence * 100.0
        ),
        format!("estimator: {:?}; comparables: {:?} (fallback level {})", v.estimator, v.method, v.fallback_level),
    ];
    for c in v.comparables.iter().take(6) {
        let t = &c.transaction;
        evidence.push(format!(
            "{} {} {} {:.0} sqft sold AED {:.0} on {}, adjusted to AED {:.0} (similarity {:.2})",
            t.building.as_deref().unwrap_or(&t.community),
            t.bedrooms.map(|b| format!("{b}BR")).unwrap_or_default(),
            t.property_type.as_str(),
            t.size_sqft,
            t.price_aed,
            t.date,
            c.adjusted_price,
            c.similarity
        ));
    }
    evidence.extend(v.notes.iter().cloned());
    let asking = asking.filter(|a| a.is_finite() && *a > 0.0).map(|a| {
        let vs = a / est - 1.0;
        let (position, advice) = if a < low {
            ("below_range", "asking is below the likely range: the seller may be leaving money on the table")
        } else if a > high {
            ("above_range", "asking is above the likely range: expect a long listing time or a price cut")
        } else {
            ("within_range", "asking is within the likely range")
        };
        AskingAssessment { asking_aed: a, vs_estimate: vs, position: position.into(), advice: advice.into() }
    });
    PricingRecommendation { quick_sale: quick, market, premium, asking, evidence }
}
