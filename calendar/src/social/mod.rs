//! Social content calendar for a listing campaign: when to post on each platform, with what theme,
//! and how a paid-boost budget is split.
//!
//! Rules:
//! - Posts go only at the platform's good local times ([`Platform::posting_times`]), which know
//!   the UAE Saturday–Sunday weekend (LinkedIn rests then; Instagram switches to 11:00).
//! - Every post lies in [`start`, `start + duration_days`) — never before `start`.
//! - Posts for one platform are at least [`MIN_GAP_HOURS`] apart so followers are not flooded.
//! - Count per platform: `posts_per_week × days / 7` rounded half up, at least 1, capped by how many
//!   times fit the gap rule (the summary reports requested vs planned).
//! - Spread: posts are placed as close as possible to the centres of equal parts of the campaign
//!   (an exact optimisation, see `schedule`), so they are spread out, not bunched at the start.
//! - Themes per platform: the first post is "launch", the last (if more than one) "last call",
//!   and those between cycle feature highlight → neighbourhood → open house / viewing → price &
//!   value, so each platform's audience sees the campaign arc in order.
//! - Budget: floored to whole AED, split by [`Platform::budget_weight`] renormalised over the
//!   platforms that got posts, then evenly over each platform's posts; leftovers from rounding go
//!   to the largest share (ties: the heavier weight, then the first — the launch post), so the
//!   per-post boosts sum exactly to the whole-AED budget. With no posts at all nothing is spent.
//! - Deterministic: same input, same plan.

mod budget;
mod error;
mod plan;
mod platform;
mod schedule;
#[cfg(test)]
mod tests;

use chrono::DateTime;
use chrono::Utc;
use chrono_tz::Tz;
use serde::Serialize;

pub use error::PlanError;
pub use plan::plan_posts;
pub use platform::{is_uae_weekend, Platform};

/// Minimum spacing between two posts on the same platform.
pub const MIN_GAP_HOURS: i64 = 4;
/// Longest campaign accepted, in days.
pub const MAX_DURATION_DAYS: u32 = 365;
/// Highest accepted cadence per platform; more would only be capped by the gap rule anyway.
pub const MAX_POSTS_PER_WEEK: u32 = 21;
/// Largest accepted budget; far above any listing campaign, low enough for exact integer maths.
pub const MAX_BUDGET_AED: f64 = 1e12;

/// What a post is about; cycles through the life of a listing campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Launch,
    FeatureHighlight,
    Neighbourhood,
    OpenHouse,
    PriceValue,
    LastCall,
}

impl Theme {
    /// The themes between launch and last call, in cycling order.
    const MIDDLE: [Theme; 4] = [Theme::FeatureHighlight, Theme::Neighbourhood, Theme::OpenHouse, Theme::PriceValue];

    /// Theme of the `index`-th of `total` posts on one platform.
    pub fn for_post(index: usize, total: usize) -> Theme {
        if index == 0 {
            Theme::Launch
        } else if index + 1 == total {
            Theme::LastCall
        } else {
            Theme::MIDDLE[(index - 1) % Theme::MIDDLE.len()]
        }
    }

    /// Human label for a content brief.
    pub fn label(self) -> &'static str {
        match self {
            Theme::Launch => "launch",
            Theme::FeatureHighlight => "feature highlight",
            Theme::Neighbourhood => "neighbourhood",
            Theme::OpenHouse => "open house / viewing",
            Theme::PriceValue => "price & value",
            Theme::LastCall => "last call",
        }
    }
}

/// One scheduled post.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedPost {
    pub platform: Platform,
    pub scheduled_at: DateTime<Utc>,
    /// The same instant on the local wall clock (one of the platform's posting times).
    pub local: DateTime<Tz>,
    pub theme: Theme,
    /// Paid boost for this post in whole AED, when a budget was given.
    pub boost_aed: Option<u64>,
}

/// Per-platform outcome: cadence asked for versus what fitted, and its budget share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformSummary {
    pub platform: Platform,
    pub requested: u32,
    pub planned: u32,
    pub budget_aed: Option<u64>,
}

/// A content plan: posts in time order (ties in `Platform::ALL` order) and per-platform summaries
/// in the order the platforms were given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub posts: Vec<PlannedPost>,
    pub platforms: Vec<PlatformSummary>,
    /// The budget actually split: the input floored to whole AED.
    pub budget_aed: Option<u64>,
}
