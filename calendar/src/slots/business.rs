//! Business-hours meeting slots: the next free, 30-minute-aligned slots in a local working week.
//!
//! Default week (`WorkWeek::dubai`): Monday–Thursday 09:00–18:00, Friday 09:00–12:00 local.
//! The UAE moved its weekend to Saturday–Sunday in 2022; Friday is a working day but most offices
//! close around midday for Friday prayer, so meetings end by 12:00. Callers with other hours build
//! their own week with `WorkWeek::new` and `with_day`.
//!
//! Slot rules: starts sit on :00 or :30 local, start at least `lead_time` after `now` (a negative
//! lead time counts as zero — never in the past), end by the day's close, and do not overlap each
//! other (the next slot starts at the first aligned time at or after the previous end), so all
//! returned slots can be booked together, e.g. a run of viewings.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use crate::local::resolve;

/// Meeting starts are aligned to this many minutes past the hour.
pub const SLOT_ALIGNMENT_MINUTES: u32 = 30;

/// How many local days to scan before giving up (a week with no usable day returns empty).
const SEARCH_DAYS: u64 = 370;

/// Opening hours per weekday (local wall-clock); None means closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkWeek {
    /// Indexed by `Weekday::num_days_from_monday`.
    hours: [Option<(NaiveTime, NaiveTime)>; 7],
}

impl WorkWeek {
    /// The same hours on each listed day; other days are closed. A day with `open >= close` is
    /// treated as closed (overnight shifts are not meeting hours).
    pub fn new(working_days: &[Weekday], open: NaiveTime, close: NaiveTime) -> Self {
        let mut week = WorkWeek { hours: [None; 7] };
        for day in working_days {
            week = week.with_day(*day, open, close);
        }
        week
    }

    /// Dubai private-sector default: Mon–Thu 09:00–18:00, Fri 09:00–12:00, Sat–Sun closed.
    pub fn dubai() -> Self {
        let at = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("valid hour");
        WorkWeek::new(&[Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri], at(9), at(18)).with_day(
            Weekday::Fri,
            at(9),
            at(12),
        )
    }

    /// Sets one day's hours (replacing any previous hours for that day).
    pub fn with_day(mut self, day: Weekday, open: NaiveTime, close: NaiveTime) -> Self {
        self.hours[day.num_days_from_monday() as usize] = (open < close).then_some((open, close));
        self
    }

    /// Closes one day.
    pub fn closed(mut self, day: Weekday) -> Self {
        self.hours[day.num_days_from_monday() as usize] = None;
        self
    }

    /// Opening hours on `day`, if it is a working day.
    pub fn hours(&self, day: Weekday) -> Option<(NaiveTime, NaiveTime)> {
        self.hours[day.num_days_from_monday() as usize]
    }
}

impl Default for WorkWeek {
    fn default() -> Self {
        WorkWeek::dubai()
    }
}

/// The next `count` non-overlapping meeting slots of length `duration` within `week` in `tz`.
///
/// Returns fewer if none fit within about a year (e.g. `duration` longer than every working day),
/// and none for a zero `count` or non-positive `duration`.
pub fn business_hours_slots(
    now: DateTime<Utc>,
    tz: Tz,
    count: usize,
    duration: Duration,
    week: &WorkWeek,
    lead_time: Duration,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut slots = Vec::new();
    if count == 0 || duration <= Duration::zero() {
        return slots;
    }
    // Slots may never start before this; it moves to each accepted slot's end.
    let mut cursor = now + lead_time.max(Duration::zero());
    let first_day = cursor.with_timezone(&tz).date_naive();
    for date in first_day.iter_days().take(SEARCH_DAYS as usize) {
        let Some((open, close)) = week.hours(date.weekday()) else { continue };
        let Some(close_at) = resolve(&tz, date.and_time(close)) else { continue };
        let close_at = close_at.with_timezone(&Utc);
        for start_time in aligned_times(open, close) {
            let Some(start) = resolve(&tz, date.and_time(start_time)) else { continue };
            let start = start.with_timezone(&Utc);
            let end = start + duration;
            if end > close_at {
                break;
            }
            if start >= cursor {
                slots.push((start, end));
                if slots.len() == count {
                    return slots;
                }
                cursor = end;
            }
        }
    }
    slots
}

/// Wall-clock times from the first aligned time at or after `open`, every 30 minutes, before `close`.
fn aligned_times(open: NaiveTime, close: NaiveTime) -> impl Iterator<Item = NaiveTime> {
    let step = SLOT_ALIGNMENT_MINUTES * 60;
    let open_secs = open.num_seconds_from_midnight();
    let first = open_secs.div_ceil(step) * step;
    (first..close.num_seconds_from_midnight())
        .step_by(step as usize)
        .filter_map(|secs| NaiveTime::from_num_seconds_from_midnight_opt(secs, 0))
}
