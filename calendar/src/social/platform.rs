//! Social platforms, as data: their good local posting times in Dubai and their budget weights.

use std::fmt;

use chrono::{NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::local::hm;

/// A social network a listing can be posted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Instagram,
    Facebook,
    LinkedIn,
    X,
}

// Posting times are local wall-clock anchors, chosen from the usual engagement peaks for a Gulf
// audience. They are discrete times (not ranges) so every post lands on a predictable, reviewable
// minute. The UAE weekend is Saturday–Sunday (since 2022); Friday is a (short) working day.

/// Instagram weekdays: lunch-break scroll at 12:00, and the evening peak 19:30–21:00 (both ends).
const INSTAGRAM_WEEKDAY: &[NaiveTime] = &[hm(12, 0), hm(19, 30), hm(21, 0)];
/// Instagram weekends: late-morning browsing before people head out.
const INSTAGRAM_WEEKEND: &[NaiveTime] = &[hm(11, 0)];
/// Facebook every day: early afternoon and the after-dinner evening session.
const FACEBOOK: &[NaiveTime] = &[hm(13, 0), hm(20, 0)];
/// LinkedIn weekdays: the 08:00–10:00 start-of-work window (on the hour) and lunch at 12:00.
/// Professionals do not read LinkedIn at the weekend, so there are no weekend times.
const LINKEDIN_WEEKDAY: &[NaiveTime] = &[hm(8, 0), hm(9, 0), hm(10, 0), hm(12, 0)];
/// X every day: morning news check and the end-of-work commute.
const X: &[NaiveTime] = &[hm(9, 0), hm(17, 0)];

impl Platform {
    /// Every platform, in the canonical order used for ties and for reports.
    pub const ALL: [Platform; 4] = [Platform::Instagram, Platform::Facebook, Platform::LinkedIn, Platform::X];

    /// Good local posting times on `day`, ascending; empty when the platform should rest.
    pub fn posting_times(self, day: Weekday) -> &'static [NaiveTime] {
        let weekend = is_uae_weekend(day);
        match self {
            Platform::Instagram if weekend => INSTAGRAM_WEEKEND,
            Platform::Instagram => INSTAGRAM_WEEKDAY,
            Platform::Facebook => FACEBOOK,
            Platform::LinkedIn if weekend => &[],
            Platform::LinkedIn => LINKEDIN_WEEKDAY,
            Platform::X => X,
        }
    }

    /// Relative share of a paid-boost budget (percent of the full four-platform mix).
    /// Instagram leads because property is sold visually there; Facebook still reaches the
    /// older, higher-budget buyers; LinkedIn suits investors and off-plan; X mainly amplifies.
    pub fn budget_weight(self) -> u32 {
        match self {
            Platform::Instagram => 35,
            Platform::Facebook => 30,
            Platform::LinkedIn => 20,
            Platform::X => 15,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Platform::Instagram => "Instagram",
            Platform::Facebook => "Facebook",
            Platform::LinkedIn => "LinkedIn",
            Platform::X => "X",
        })
    }
}

/// The UAE weekend: Saturday and Sunday since January 2022.
pub fn is_uae_weekend(day: Weekday) -> bool {
    matches!(day, Weekday::Sat | Weekday::Sun)
}
