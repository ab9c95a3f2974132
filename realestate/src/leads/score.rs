//! The lead score: 0–100 from named components, each with its points and the reason, so an agent
//! sees why a lead is hot. Pure: the caller passes the engagement counts and the time.

use serde::Serialize;
use serde_json::Value;

/// At or above this score the agent gets a call task.
pub const CALL_THRESHOLD: u32 = 70;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    pub factor: &'static str,
    pub points: u32,
    pub max: u32,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub score: u32,
    /// `hot` (≥ 70), `warm` (≥ 40) or `cold`.
    pub segment: &'static str,
    pub components: Vec<Component>,
}

/// What the lead did: counts of signals and the days since it came in or last engaged.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Engagement {
    pub opens: u32,
    pub clicks: u32,
    pub replies: u32,
    pub days_since_activity: f64,
}

/// `listing_prices`: prices of the listings that match the lead's wishes (from matching), used to
/// judge whether the budget fits the market it asks for.
pub fn score(lead: &Value, listing_prices: &[f64], e: Engagement) -> Score {
    let mut c = Vec::new();
    let (lo, hi) = (lead["budget_min"].as_f64(), lead["budget_max"].as_f64());
    let budget = match (lo, hi) {
        (Some(l), Some(h)) => Some((l, h)),
        (None, Some(h)) => Some((h * 0.8, h)),
        (Some(l), None) => Some((l, l * 1.25)),
        (None, None) => None,
    };
    let (points, reason) = match budget {
        None => (5, "no budget given".to_string()),
        Some((l, h)) if listing_prices.is_empty() => (10, format!("budget AED {l:.0}–{h:.0}, no matching listing yet")),
        Some((l, h)) => {
            let fits = listing_prices.iter().filter(|p| **p >= l * 0.9 && **p <= h * 1.1).count();
            let share = fits as f64 / listing_prices.len() as f64;
            (
                (share * 30.0).round() as u32,
                format!("{fits} of {} matching listings fit the budget", listing_prices.len()),
            )
        }
    };
    c.push(Component { factor: "budget_fit", points, max: 30, reason });
    let (points, reason) = match lead["source"].as_str().unwrap_or("other") {
        "referral" => (20, "referred by a client"),
        "walk_in" => (18, "walked in"),
        "portal" => (15, "enquired on a portal"),
        "website" => (12, "enquired on our website"),
        "event" => (10, "met at an event"),
        "social" => (8, "came from social media"),
        _ => (5, "other source"),
    };
    c.push(Component { factor: "source", points, max: 20, reason: reason.into() });
    let specific = [
        !lead["preferred_communities"].as_array().is_none_or(Vec::is_empty),
        lead["property_type"].is_string(),
        lead["bedrooms"].is_number(),
    ]
    .iter()
    .filter(|b| **b)
    .count() as u32;
    c.push(Component {
        factor: "specificity",
        points: specific * 5,
        max: 15,
        reason: format!("{specific} of 3 wishes stated (communities, type, bedrooms)"),
    });
    let engagement = (e.opens.min(3) * 3 + e.clicks.min(2) * 6 + e.replies.min(1) * 15).min(25);
    c.push(Component {
        factor: "engagement",
        points: engagement,
        max: 25,
        reason: format!("{} open(s), {} click(s), {} repl(ies)", e.opens, e.clicks, e.replies),
    });
    let recency = match e.days_since_activity {
        d if d <= 1.0 => 10,
        d if d <= 7.0 => 7,
        d if d <= 30.0 => 3,
        _ => 0,
    };
    c.push(Component {
        factor: "recency",
        points: recency,
        max: 10,
        reason: format!("last activity {:.0} day(s) ago", e.days_since_activity.max(0.0)),
    });
    let score = c.iter().map(|x| x.points).sum::<u32>().min(100);
    let segment = if score >= CALL_THRESHOLD {
        "hot"
    } else if score >= 40 {
        "warm"
    } else {
        "cold"
    };
    Score { score, segment, components: c }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn components_add_up_and_explain() {
        let lead = json!({ "source": "referral", "budget_min": 1_500_000.0, "budget_max": 2_000_000.0,
            "preferred_communities": ["Dubai Marina"], "property_type": "apartment", "bedrooms": 2 });
        let s =
            score(&lead, &[1_800_000.0, 2_500_000.0], Engagement { days_since_activity: 0.5, ..Default::default() });
        // 15 (half the listings fit) + 20 + 15 + 0 + 10
        assert_eq!(s.score, 60);
        assert_eq!(s.segment, "warm");
        assert_eq!(s.components.iter().map(|c| c.points).sum::<u32>(), 60);
        let engaged = score(
            &lead,
            &[1_800_000.0, 2_500_000.0],
            Engagement { opens: 2, clicks: 1, days_since_activity: 0.5, ..Default::default() },
        );
        assert_eq!(engaged.score, 72);
        assert_eq!(engaged.segment, "hot");
    }

    #[test]
    fn score_never_exceeds_100_and_cold_leads_are_cold() {
        let max = score(
            &json!({ "source": "referral", "budget_max": 1e6, "preferred_communities": ["x"], "property_type": "villa", "bedrooms": 3 }),
            &[1e6],
            Engagement { opens: 9, clicks: 9, replies: 9, days_since_activity: 0.0 },
        );
        assert_eq!(max.score, 100);
        let cold = score(&json!({}), &[], Engagement { days_since_activity: 90.0, ..Default::default() });
        assert_eq!((cold.score, cold.segment), (10, "cold"));
    }
}
