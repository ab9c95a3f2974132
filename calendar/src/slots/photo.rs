//! Golden-hour photography sessions: the next morning/evening shoots a photographer can be booked for.
//!
//! Rules (all deliberate):
//! - Notice: a session may start no earlier than `now + 24 h` so the photographer and the
//!   owner/tenant can be arranged.
//! - Horizon: local dates from today (the local date of `now`) through today + `days_ahead`,
//!   with `days_ahead` capped at [`MAX_DAYS_AHEAD`] so a huge value cannot loop for ages.
//! - Placement: the shoot is centred on the middle of the golden window (−4° → +6° in the morning,
//!   +6° → −4° in the evening), i.e. it starts `duration / 2` before the middle — a 60-minute shoot
//!   starts 30 minutes before. Golden windows in Dubai last ~45–50 minutes, so a 60-minute shoot
//!   covers all of it with a few minutes either side for setting up and for blue-hour exteriors.
//!   The start is rounded to the nearest 5 minutes because people do not book 06:13.
//! - Friday prayer: a session overlapping Friday 11:30–14:00 local is skipped (Jumu'ah, when
//!   buildings and agents are unavailable). In Dubai golden hours never reach midday; the rule
//!   matters only at high latitudes in winter, and it is applied everywhere for consistency.
//! - Days without a morning or evening window (polar night, midnight sun) just contribute nothing.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

use crate::local::{hm, resolve};
use crate::sun::{golden_hours, sun_times, Coordinates, Window};

/// Minimum notice before a photography session, in hours.
pub const PHOTO_NOTICE_HOURS: i64 = 24;

/// Longest search horizon in days; nobody books a shoot more than a year out.
pub const MAX_DAYS_AHEAD: u32 = 366;

/// Friday prayer window (local time) that sessions must not overlap.
pub const FRIDAY_PRAYER: (NaiveTime, NaiveTime) = (hm(11, 30), hm(14, 0));

/// Session starts are rounded to this many minutes.
const ROUND_MINUTES: i64 = 5;

/// Which golden hour a session uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GoldenKind {
    Morning,
    Evening,
}

/// One bookable photography session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhotoSlot {
    pub kind: GoldenKind,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub local_start: DateTime<Tz>,
    pub local_end: DateTime<Tz>,
    /// The golden window the session is centred on.
    pub golden: Window,
    pub sunrise: Option<DateTime<Utc>>,
    pub sunset: Option<DateTime<Utc>>,
    /// Human-readable explanation, in local time, for the booking screen.
    pub reason: String,
}

/// The next `count` golden-hour sessions of length `duration` at (`latitude`, `longitude`).
///
/// Returns fewer (possibly none) if the horizon runs out, and none for invalid coordinates,
/// a zero `count` or a non-positive `duration`. Sessions are in chronological order.
pub fn photography_slots(
    latitude: f64,
    longitude: f64,
    now: DateTime<Utc>,
    tz: Tz,
    days_ahead: u32,
    count: usize,
    duration: Duration,
) -> Vec<PhotoSlot> {
    let Some(at) = Coordinates::new(latitude, longitude) else { return Vec::new() };
    if count == 0 || duration <= Duration::zero() {
        return Vec::new();
    }
    let earliest = now + Duration::hours(PHOTO_NOTICE_HOURS);
    let today = now.with_timezone(&tz).date_naive();
    let mut slots = Vec::new();
    for date in today.iter_days().take(days_ahead.min(MAX_DAYS_AHEAD) as usize + 1) {
        let sun = sun_times(at, date);
        let golden = golden_hours(at, date);
        for (kind, window) in [(GoldenKind::Morning, golden.morning), (GoldenKind::Evening, golden.evening)] {
            let Some(window) = window else { continue };
            let start = round_to_minutes(window.middle() - duration / 2, ROUND_MINUTES);
            let end = start + duration;
            if start < earliest || overlaps_friday_prayer(start, end, &tz) {
                continue;
            }
            let (local_start, local_end) = (start.with_timezone(&tz), end.with_timezone(&tz));
            let reason = reason(kind, window, &local_start, &local_end, sun.sunrise, sun.sunset, &tz);
            slots.push(PhotoSlot {
                kind,
                start,
                end,
                local_start,
                local_end,
                golden: window,
                sunrise: sun.sunrise,
                sunset: sun.sunset,
                reason,
            });
            if slots.len() == count {
                return slots;
            }
        }
    }
    slots
}

/// Rounds an instant to the nearest multiple of `minutes` (UTC offsets are whole quarter-hours,
/// so this is also a round local time).
fn round_to_minutes(at: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    let step = minutes * 60;
    let rounded = (at.timestamp() + step / 2).div_euclid(step) * step;
    DateTime::from_timestamp(rounded, 0).unwrap_or(at)
}

/// Whether [start, end) overlaps the Friday prayer window on any Friday it touches (local time).
fn overlaps_friday_prayer(start: DateTime<Utc>, end: DateTime<Utc>, tz: &Tz) -> bool {
    let first = start.with_timezone(tz).date_naive();
    let last = end.with_timezone(tz).date_naive();
    first.iter_days().take_while(|d| *d <= last).filter(|d| d.weekday() == Weekday::Fri).any(|friday| {
        let from = resolve(tz, friday.and_time(FRIDAY_PRAYER.0));
        let to = resolve(tz, friday.and_time(FRIDAY_PRAYER.1));
        match (from, to) {
            (Some(from), Some(to)) => start < to && from < end,
            // A DST gap swallowing a prayer bound is not a real case; be conservative and skip.
            _ => true,
        }
    })
}

fn reason(
    kind: GoldenKind,
    window: Window,
    local_start: &DateTime<Tz>,
    local_end: &DateTime<Tz>,
    sunrise: Option<DateTime<Utc>>,
    sunset: Option<DateTime<Utc>>,
    tz: &Tz,
) -> String {
    // Nearest minute, as almanacs print it (19:11:58 reads as 19:12).
    let hhmm = |t: DateTime<Utc>| round_to_minutes(t, 1).with_timezone(tz).format("%H:%M").to_string();
    let (label, arc, sun_event) = match kind {
        GoldenKind::Morning => ("Morning", "sun −4° → +6°", sunrise.map(|t| format!(", sunrise {}", hhmm(t)))),
        GoldenKind::Evening => ("Evening", "sun +6° → −4°", sunset.map(|t| format!(", sunset {}", hhmm(t)))),
    };
    format!(
        "{label} golden hour {}–{} ({arc}{}); {}-minute shoot {}–{} centred on the window's middle {}",
        hhmm(window.start),
        hhmm(window.end),
        sun_event.unwrap_or_default(),
        (*local_end - *local_start).num_minutes(),
        local_start.format("%H:%M"),
        local_end.format("%H:%M"),
        hhmm(window.middle()),
    )
}
