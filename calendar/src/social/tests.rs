//! Tests for the content planner: a worked example, validation, and invariants under proptest.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use chrono_tz::{Asia::Dubai, Tz};
use proptest::prelude::*;
use serde::de::{value::Error as DeError, IntoDeserializer};
use serde::Deserialize;

use super::plan::{candidate_times, requested_posts};
use super::schedule::max_spaced;
use super::*;

fn dubai(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
    Dubai.with_ymd_and_hms(y, mo, d, h, 0, 0).unwrap().with_timezone(&Utc)
}

fn describe(plan: &Plan) -> Vec<String> {
    plan.posts
        .iter()
        .map(|p| {
            format!("{} {} {} {}", p.platform, p.local.format("%a %d %H:%M"), p.theme.label(), p.boost_aed.unwrap())
        })
        .collect()
}

#[test]
fn worked_example_two_weeks_instagram_and_linkedin() {
    // Monday 1 June 2026, two weeks, Instagram 3/week and LinkedIn 2/week, AED 1,000.
    let start = dubai(2026, 6, 1, 0);
    let plan = plan_posts(start, Dubai, 14, &[Platform::Instagram, Platform::LinkedIn], &[3, 2], Some(1000.0)).unwrap();
    // Budget: weights 35:20 → 636.36 / 363.64 → 636 + 363, leftover 1 AED to Instagram (largest).
    // Per post: 637 / 6 = 106 r 1 → launch gets 107; 363 / 4 = 90 r 3 → launch gets 93.
    assert_eq!(
        describe(&plan),
        [
            "Instagram Mon 01 21:00 launch 107",
            "LinkedIn Tue 02 12:00 launch 93",
            "Instagram Thu 04 12:00 feature highlight 106",
            "LinkedIn Fri 05 12:00 feature highlight 90",
            "Instagram Sat 06 11:00 neighbourhood 106",
            "Instagram Mon 08 21:00 open house / viewing 106",
            "LinkedIn Tue 09 12:00 neighbourhood 90",
            "Instagram Thu 11 12:00 price & value 106",
            "LinkedIn Fri 12 12:00 last call 90",
            "Instagram Sat 13 11:00 last call 106",
        ]
    );
    assert_eq!(
        plan.platforms,
        [
            PlatformSummary { platform: Platform::Instagram, requested: 6, planned: 6, budget_aed: Some(637) },
            PlatformSummary { platform: Platform::LinkedIn, requested: 4, planned: 4, budget_aed: Some(363) },
        ]
    );
    assert_eq!(plan.budget_aed, Some(1000));
    // LinkedIn never posts on the UAE weekend.
    assert!(plan.posts.iter().filter(|p| p.platform == Platform::LinkedIn).all(|p| !is_uae_weekend(p.local.weekday())));
}

#[test]
fn posts_are_spread_not_front_loaded() {
    // X twice a week for four weeks: 8 posts, one every ~3.5 days.
    let start = dubai(2026, 6, 1, 10);
    let plan = plan_posts(start, Dubai, 28, &[Platform::X], &[2], None).unwrap();
    assert_eq!(plan.posts.len(), 8);
    let times: Vec<DateTime<Utc>> = plan.posts.iter().map(|p| p.scheduled_at).collect();
    for w in times.windows(2) {
        let gap = w[1] - w[0];
        assert!(gap >= Duration::hours(72) && gap <= Duration::hours(96), "{gap}");
    }
    assert!(plan.posts.iter().all(|p| p.boost_aed.is_none()));
}

#[test]
fn capacity_caps_the_count_and_budget_skips_empty_platforms() {
    // Saturday–Sunday only: LinkedIn has nowhere to post, so it gets no posts and no money.
    let start = dubai(2026, 6, 6, 0);
    let plan = plan_posts(start, Dubai, 2, &[Platform::LinkedIn, Platform::Facebook], &[7, 21], Some(500.75)).unwrap();
    assert_eq!(
        plan.platforms[0],
        PlatformSummary { platform: Platform::LinkedIn, requested: 2, planned: 0, budget_aed: Some(0) }
    );
    // Facebook: 21/week × 2 days = 6 requested, but 13:00 and 20:00 give only 4 slots.
    assert_eq!(
        plan.platforms[1],
        PlatformSummary { platform: Platform::Facebook, requested: 6, planned: 4, budget_aed: Some(500) }
    );
    assert_eq!(plan.posts.iter().map(|p| p.boost_aed.unwrap()).sum::<u64>(), 500);
}

#[test]
fn validation_errors() {
    let start = dubai(2026, 6, 1, 0);
    let ig = &[Platform::Instagram][..];
    assert_eq!(plan_posts(start, Dubai, 0, ig, &[3], None), Err(PlanError::Duration(0)));
    assert_eq!(plan_posts(start, Dubai, 366, ig, &[3], None), Err(PlanError::Duration(366)));
    assert_eq!(plan_posts(start, Dubai, 7, &[], &[], None), Err(PlanError::NoPlatforms));
    assert_eq!(
        plan_posts(start, Dubai, 7, &[Platform::X, Platform::X], &[1, 1], None),
        Err(PlanError::DuplicatePlatform(Platform::X))
    );
    assert_eq!(
        plan_posts(start, Dubai, 7, ig, &[3, 4], None),
        Err(PlanError::PostsPerWeekLength { expected: 1, got: 2 })
    );
    assert_eq!(
        plan_posts(start, Dubai, 7, ig, &[0], None),
        Err(PlanError::PostsPerWeek { platform: Platform::Instagram, got: 0, max: MAX_POSTS_PER_WEEK })
    );
    assert!(matches!(plan_posts(start, Dubai, 7, ig, &[3], Some(-1.0)), Err(PlanError::Budget { .. })));
    assert!(matches!(plan_posts(start, Dubai, 7, ig, &[3], Some(f64::NAN)), Err(PlanError::Budget { .. })));
    assert!(matches!(plan_posts(start, Dubai, 7, ig, &[3], Some(f64::INFINITY)), Err(PlanError::Budget { .. })));
    assert_eq!(PlanError::Duration(0).to_string(), "campaign duration must be 1 to 365 days, got 0");
}

#[test]
fn platform_serde_names() {
    for (name, platform) in [
        ("instagram", Platform::Instagram),
        ("facebook", Platform::Facebook),
        ("linkedin", Platform::LinkedIn),
        ("x", Platform::X),
    ] {
        let parsed = Platform::deserialize(IntoDeserializer::<DeError>::into_deserializer(name)).unwrap();
        assert_eq!(parsed, platform);
    }
    assert!(Platform::deserialize(IntoDeserializer::<DeError>::into_deserializer("LinkedIn")).is_err());
}

#[test]
fn themes_run_launch_to_last_call() {
    let themes: Vec<&str> = (0..7).map(|i| Theme::for_post(i, 7).label()).collect();
    assert_eq!(
        themes,
        [
            "launch",
            "feature highlight",
            "neighbourhood",
            "open house / viewing",
            "price & value",
            "feature highlight",
            "last call"
        ]
    );
    assert_eq!(Theme::for_post(0, 1), Theme::Launch);
}

fn zones() -> impl Strategy<Value = Tz> {
    prop::sample::select(vec![Dubai, Tz::Europe__London, Tz::America__New_York, Tz::Asia__Kolkata, Tz::Asia__Kathmandu])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn plan_invariants(
        start_secs in 1_735_689_600i64..1_861_920_000, // 2025-01-01 .. 2029-01-01
        duration_days in 1u32..=365,
        platforms in prop::sample::subsequence(Platform::ALL.to_vec(), 1..=4).prop_shuffle(),
        cadence in prop::collection::vec(1u32..=MAX_POSTS_PER_WEEK, 4),
        budget in prop::option::of(0.0f64..2_000_000.0),
        tz in zones(),
    ) {
        let start = DateTime::from_timestamp(start_secs, 0).unwrap();
        let end = start + Duration::days(i64::from(duration_days));
        let cadence = &cadence[..platforms.len()];
        let plan = plan_posts(start, tz, duration_days, &platforms, cadence, budget).unwrap();
        prop_assert_eq!(&plan, &plan_posts(start, tz, duration_days, &platforms, cadence, budget).unwrap());
        prop_assert!(plan.posts.windows(2).all(|w| (w[0].scheduled_at, w[0].platform) <= (w[1].scheduled_at, w[1].platform)));

        for (i, (&platform, &per_week)) in platforms.iter().zip(cadence).enumerate() {
            let posts: Vec<&PlannedPost> = plan.posts.iter().filter(|p| p.platform == platform).collect();
            // Count: requested cadence, capped by what fits the 4-hour rule.
            let instants: Vec<i64> = candidate_times(platform, start, end, tz).iter().map(DateTime::timestamp).collect();
            let capacity = max_spaced(&instants, MIN_GAP_HOURS * 3600);
            let requested = requested_posts(per_week, duration_days);
            prop_assert_eq!(requested as u64, ((per_week as f64 * duration_days as f64 / 7.0).round() as u64).max(1));
            prop_assert_eq!(posts.len(), (requested as usize).min(capacity));
            prop_assert_eq!(&plan.platforms[i], &PlatformSummary {
                platform, requested, planned: posts.len() as u32, budget_aed: plan.platforms[i].budget_aed,
            });
            for p in &posts {
                prop_assert!(start <= p.scheduled_at && p.scheduled_at < end);
                prop_assert_eq!(p.local, p.scheduled_at.with_timezone(&tz));
                prop_assert!(platform.posting_times(p.local.weekday()).contains(&p.local.time()));
            }
            for w in posts.windows(2) {
                prop_assert!(w[1].scheduled_at - w[0].scheduled_at >= Duration::hours(MIN_GAP_HOURS));
            }
            if let Some(first) = posts.first() {
                prop_assert_eq!(first.theme, Theme::Launch);
            }
            if posts.len() >= 2 {
                prop_assert_eq!(posts.last().unwrap().theme, Theme::LastCall);
            }
            if budget.is_some() {
                let spent: u64 = posts.iter().map(|p| p.boost_aed.unwrap()).sum();
                prop_assert_eq!(Some(spent), plan.platforms[i].budget_aed);
            }
        }

        match budget {
            Some(b) => {
                let total = b.floor() as u64;
                prop_assert_eq!(plan.budget_aed, Some(total));
                let spent: u64 = plan.posts.iter().map(|p| p.boost_aed.unwrap()).sum();
                prop_assert_eq!(spent, if plan.posts.is_empty() { 0 } else { total });
            }
            None => {
                prop_assert!(plan.posts.iter().all(|p| p.boost_aed.is_none()));
                prop_assert!(plan.platforms.iter().all(|s| s.budget_aed.is_none()));
            }
        }
    }
}
