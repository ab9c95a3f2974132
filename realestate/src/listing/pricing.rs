//! `listing_pricing`: where the agent's listing price sits against the CMA's estimate and range,
//! and the price to list at for the seller's timeline. Pure arithmetic on the CMA step's output.

use runtime::{Handler, StepContext, StepError};
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// `below_range`, `within_range` or `above_range`.
    pub position: &'static str,
    /// (listing price − estimate) / estimate, in percent.
    pub difference_pct: f64,
    pub recommended_price: f64,
    pub strategy: &'static str,
    pub rationale: String,
}

/// Rounds to the AED 5,000 grid portals and buyers expect for prices in the millions.
fn round_price(v: f64) -> f64 {
    (v / 5_000.0).round() * 5_000.0
}

/// The pace a `target_timeline` asks for: ours (`fast`, `standard`, `patient`) or the seed's
/// durations. Within about a month is fast, one to two months standard, three or more patient.
pub fn pace(timeline: &str) -> &'static str {
    match timeline {
        "fast" | "1_week" | "2_weeks" | "3_weeks" => "fast",
        "patient" | "3_months" | "6_months" => "patient",
        _ => "standard",
    }
}

/// The recommendation for `listing_price` given the CMA estimate, its range and the timeline
/// (`fast`: within about 30 days, `standard`, `patient`: the seller can wait for the top of the market;
/// or a duration such as `2_weeks`, see [`pace`]).
pub fn recommend(listing_price: f64, estimate: f64, low: f64, high: f64, timeline: &str) -> Recommendation {
    let timeline = pace(timeline);
    let difference_pct = ((listing_price - estimate) / estimate * 1000.0).round() / 10.0;
    let position = if listing_price < low {
        "below_range"
    } else if listing_price > high {
        "above_range"
    } else {
        "within_range"
    };
    let (target, strategy) = match timeline {
        "fast" => (low + (estimate - low) * 0.5, "competitive: priced to draw offers quickly"),
        "patient" => (estimate + (high - estimate) * 0.5, "aspirational: room to negotiate, slower sale"),
        _ => (estimate, "market value: the CMA's estimate"),
    };
    // Never recommend below the range's floor or above its ceiling.
    let recommended_price = round_price(target.clamp(low, high));
    let rationale = match position {
        "above_range" => format!(
            "The listing price is {difference_pct:+.1}% against the estimate of AED {estimate:.0}, above the comparable range; \
             expect a longer time on market or a price reduction."
        ),
        "below_range" => format!(
            "The listing price is {difference_pct:+.1}% against the estimate of AED {estimate:.0}, below the comparable range; \
             the seller may be leaving money on the table."
        ),
        _ => format!("The listing price is {difference_pct:+.1}% against the estimate of AED {estimate:.0}, within the comparable range."),
    };
    Recommendation { position, difference_pct, recommended_price, strategy, rationale }
}

pub(crate) struct Pricing;

#[async_trait::async_trait]
impl Handler for Pricing {
    async fn run(&self, ctx: StepContext, _input: Value) -> Result<Value, StepError> {
        let price = super::listing_price(&ctx).ok_or_else(|| StepError::permanent("listing_price is missing"))?;
        let summary = &super::output(&ctx, "cma_generation")["summary"];
        let (Some(estimate), Some(low), Some(high)) = (
            summary["estimated_value"].as_f64(),
            summary["value_range"]["low"].as_f64(),
            summary["value_range"]["high"].as_f64(),
        ) else {
            return Err(StepError::permanent("the CMA step has no estimate"));
        };
        let timeline = ctx.params["target_timeline"].as_str().unwrap_or("standard");
        let r = recommend(price, estimate, low, high, timeline);
        Ok(json!({
            "listing_price": price, "estimated_value": estimate, "value_range": { "low": low, "high": high },
            "confidence": summary["confidence"], "target_timeline": timeline, "pace": pace(timeline), "recommendation": r,
        }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_seeds_timelines_map_to_our_paces() {
        use super::{pace, recommend};
        for (timeline, expected) in [
            ("1_week", "fast"),
            ("2_weeks", "fast"),
            ("3_weeks", "fast"),
            ("1_month", "standard"),
            ("6_weeks", "standard"),
            ("2_months", "standard"),
            ("3_months", "patient"),
            ("6_months", "patient"),
        ] {
            assert_eq!(pace(timeline), expected, "{timeline}");
            let seed = recommend(2_000_000.0, 2_200_000.0, 2_000_000.0, 2_400_000.0, timeline);
            let ours = recommend(2_000_000.0, 2_200_000.0, 2_000_000.0, 2_400_000.0, expected);
            assert_eq!(seed, ours, "{timeline} prices as {expected}");
        }
    }

    use super::*;

    #[test]
    fn position_and_recommendation_follow_the_range() {
        let r = recommend(2_600_000.0, 2_400_000.0, 2_200_000.0, 2_550_000.0, "standard");
        assert_eq!(r.position, "above_range");
        assert_eq!(r.difference_pct, 8.3);
        assert_eq!(r.recommended_price, 2_400_000.0);
        let fast = recommend(2_300_000.0, 2_400_000.0, 2_200_000.0, 2_550_000.0, "fast");
        assert_eq!(fast.position, "within_range");
        assert_eq!(fast.recommended_price, 2_300_000.0);
        let patient = recommend(2_000_000.0, 2_400_000.0, 2_200_000.0, 2_550_000.0, "patient");
        assert_eq!(patient.position, "below_range");
        assert_eq!(patient.recommended_price, 2_475_000.0);
    }

    #[test]
    fn recommendation_stays_within_the_range() {
        for (low, est, high) in [(1e6, 1.1e6, 1.3e6), (5e5, 5e5, 5e5), (3e6, 3.2e6, 3.25e6)] {
            for t in ["fast", "standard", "patient", "unknown"] {
                let r = recommend(est, est, low, high, t);
                assert!(r.recommended_price >= round_price(low) && r.recommended_price <= round_price(high), "{r:?}");
            }
        }
    }
}
