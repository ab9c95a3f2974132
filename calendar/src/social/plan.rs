//! `plan_posts`: validation, candidate posting times, per-platform selection, themes and budget.

use chrono::{DateTime, Datelike, Duration, Utc};
use chrono_tz::Tz;

use super::budget::split_whole;
use super::error::PlanError;
use super::platform::Platform;
use super::schedule::{max_spaced, spread, targets};
use super::{
    Plan, PlannedPost, PlatformSummary, Theme, MAX_BUDGET_AED, MAX_DURATION_DAYS, MAX_POSTS_PER_WEEK, MIN_GAP_HOURS,
};
use crate::local::resolve;

/// Plans posts for a listing campaign over [`start`, `start + duration_days`).
///
/// `posts_per_week[i]` is the cadence for `platforms[i]`. See the module docs for the rules.
pub fn plan_posts(
    start: DateTime<Utc>,
    tz: Tz,
    duration_days: u32,
    platforms: &[Platform],
    posts_per_week: &[u32],
    budget_aed: Option<f64>,
) -> Result<Plan, PlanError> {
    validate(duration_days, platforms, posts_per_week, budget_aed)?;
    let end = start + Duration::days(i64::from(duration_days));
    let gap = Duration::hours(MIN_GAP_HOURS).num_seconds();
    let mut per_platform: Vec<(PlatformSummary, Vec<PlannedPost>)> = Vec::new();
    for (&platform, &cadence) in platforms.iter().zip(posts_per_week) {
        let candidates = candidate_times(platform, start, end, tz);
        let instants: Vec<i64> = candidates.iter().map(DateTime::timestamp).collect();
        let requested = requested_posts(cadence, duration_days);
        let planned = (requested as usize).min(max_spaced(&instants, gap));
        let goals = targets(start.timestamp(), (end - start).num_seconds(), planned);
        let posts: Vec<PlannedPost> = spread(&instants, &goals, gap)
            .into_iter()
            .enumerate()
            .map(|(k, j)| PlannedPost {
                platform,
                scheduled_at: candidates[j],
                local: candidates[j].with_timezone(&tz),
                theme: Theme::for_post(k, planned),
                boost_aed: None,
            })
            .collect();
        let summary = PlatformSummary { platform, requested, planned: posts.len() as u32, budget_aed: None };
        per_platform.push((summary, posts));
    }

    let budget = budget_aed.map(|b| b.floor() as u64);
    if let Some(total) = budget {
        allocate(total, &mut per_platform);
    }
    let platforms_out = per_platform.iter().map(|(s, _)| s.clone()).collect();
    let mut posts: Vec<PlannedPost> = per_platform.into_iter().flat_map(|(_, p)| p).collect();
    posts.sort_by_key(|p| (p.scheduled_at, p.platform));
    Ok(Plan { posts, platforms: platforms_out, budget_aed: budget })
}

/// Posts asked for: the weekly cadence scaled to the campaign, rounded half up, at least one.
pub(crate) fn requested_posts(per_week: u32, duration_days: u32) -> u32 {
    let scaled = (2 * u64::from(per_week) * u64::from(duration_days) + 7) / 14;
    scaled.max(1) as u32
}

/// Every good posting instant for `platform` within [start, end), ascending.
pub(crate) fn candidate_times(
    platform: Platform,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    tz: Tz,
) -> Vec<DateTime<Utc>> {
    let first = start.with_timezone(&tz).date_naive();
    let last = end.with_timezone(&tz).date_naive();
    let mut out: Vec<DateTime<Utc>> = first
        .iter_days()
        .take_while(|d| *d <= last)
        .flat_map(|date| platform.posting_times(date.weekday()).iter().map(move |t| date.and_time(*t)))
        .filter_map(|local| resolve(&tz, local))
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| start <= *t && *t < end)
        .collect();
    // DST can shuffle wall-clock order; sorting keeps the schedule maths simple.
    out.sort();
    out.dedup();
    out
}

/// Splits the whole-AED budget across platforms that got posts, then across each one's posts.
/// A platform with no posts gets no money; the leftover of each split goes to its largest part
/// (for equal per-post parts that is the first post, the launch).
fn allocate(total: u64, per_platform: &mut [(PlatformSummary, Vec<PlannedPost>)]) {
    let weights: Vec<u64> = per_platform
        .iter()
        .map(|(s, posts)| if posts.is_empty() { 0 } else { u64::from(s.platform.budget_weight()) })
        .collect();
    let shares = split_whole(total, &weights);
    for ((summary, posts), share) in per_platform.iter_mut().zip(shares) {
        summary.budget_aed = Some(share);
        let boosts = split_whole(share, &vec![1; posts.len()]);
        for (post, boost) in posts.iter_mut().zip(boosts) {
            post.boost_aed = Some(boost);
        }
    }
}

fn validate(
    duration_days: u32,
    platforms: &[Platform],
    posts_per_week: &[u32],
    budget_aed: Option<f64>,
) -> Result<(), PlanError> {
    if duration_days == 0 || duration_days > MAX_DURATION_DAYS {
        return Err(PlanError::Duration(duration_days));
    }
    if platforms.is_empty() {
        return Err(PlanError::NoPlatforms);
    }
    for (i, p) in platforms.iter().enumerate() {
        if platforms[..i].contains(p) {
            return Err(PlanError::DuplicatePlatform(*p));
        }
    }
    if posts_per_week.len() != platforms.len() {
        return Err(PlanError::PostsPerWeekLength { expected: platforms.len(), got: posts_per_week.len() });
    }
    for (&platform, &got) in platforms.iter().zip(posts_per_week) {
        if got == 0 || got > MAX_POSTS_PER_WEEK {
            return Err(PlanError::PostsPerWeek { platform, got, max: MAX_POSTS_PER_WEEK });
        }
    }
    if let Some(got) = budget_aed {
        // `contains` is false for NaN, so NaN is rejected along with negatives and infinities.
        if !(0.0..=MAX_BUDGET_AED).contains(&got) {
            return Err(PlanError::Budget { got, max: MAX_BUDGET_AED });
        }
    }
    Ok(())
}
