//! Turning a local wall-clock time into an instant, with one fixed rule for DST gaps and overlaps.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone};

/// The instant a wall-clock time denotes in `tz`. In a fall-back overlap the earlier instant wins
/// (the first time the clock shows it); in a spring-forward gap the time does not exist, so None.
/// Every scheduler in this crate uses this rule so their outputs agree.
pub(crate) fn resolve<Tz: TimeZone>(tz: &Tz, local: NaiveDateTime) -> Option<DateTime<Tz>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t),
        LocalResult::Ambiguous(earlier, _) => Some(earlier),
        LocalResult::None => None,
    }
}

/// A compile-time wall-clock time, for schedule tables written as data.
pub(crate) const fn hm(hour: u32, minute: u32) -> chrono::NaiveTime {
    match chrono::NaiveTime::from_hms_opt(hour, minute, 0) {
        Some(t) => t,
        None => panic!("invalid constant time"),
    }
}
