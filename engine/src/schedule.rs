//! Cron schedules for packages: parse a user's 5-field Unix cron expression
//! plus an IANA time zone, and answer "when is the next tick?" and "which tick
//! is due now?".
//!
//! # Why we normalise instead of handing the text to the `cron` crate
//!
//! Package authors write standard Unix cron (`minute hour day-of-month month
//! day-of-week`), where day-of-week `0` and `7` mean Sunday, `1` Monday …
//! `6` Saturday. The `cron` crate speaks a different dialect:
//!
//! * it wants 6 or 7 fields, with *seconds first* (and an optional year last);
//! * it numbers weekdays from **Sunday = 1** to Saturday = 7. So the Unix
//!   expression `0 9 * * 1` ("Mondays at 09:00"), naively prefixed with a
//!   seconds field as `0 0 9 * * 1`, would fire on **Sunday**, and `… * * 0`
//!   would be rejected outright;
//! * when both day-of-month and day-of-week are restricted it requires *both*
//!   to match, while Unix cron fires when *either* matches
//!   (`0 9 13 * 5` = "the 13th, and every Friday");
//! * it accepts extras Unix cron does not (`?`, full day names, …).
//!
//! So this module parses the five fields itself, with Unix semantics and
//! field-specific error messages, and hands the crate only canonical text:
//! seconds `0`, explicit value lists, and weekday *names* (`SUN`, `MON`, …),
//! which mean the same thing in both dialects. When both day fields are
//! restricted, two crate schedules are built and their ticks are merged.
//!
//! # Time zones and daylight saving
//!
//! Fields are matched against wall-clock time in the schedule's time zone
//! (default [`DEFAULT_TIMEZONE`]); results are returned in UTC. A wall-clock
//! time that does not exist (skipped by a spring-forward change) never fires.
//! A wall-clock time that occurs twice (repeated by a fall-back change) fires
//! once, at its first occurrence — "09:00 daily" should not run twice. The
//! price is that an interval schedule such as `*/15 * * * *` pauses for the
//! repeated hour.
//!
//! # Catching up
//!
//! [`CronSchedule::due`] returns only the latest missed tick: a node that was
//! down for a week fires a schedule once, not once per missed tick. Finding
//! that tick walks forward at most [`CATCHUP_SCAN_MAX`] ticks and then
//! switches to a bisection over time, so a year-long outage of an
//! every-minute schedule costs a few dozen lookups, not half a million.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{DateTime, Datelike, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// Time zone used when a package declares a schedule without one.
pub const DEFAULT_TIMEZONE: &str = "Asia/Dubai";

/// The `cron` crate's last supported year; no tick exists after it.
const LAST_CRATE_YEAR: i32 = 2100;

/// How many ticks [`CronSchedule::due`] walks one by one before it stops
/// walking and bisects instead.
pub const CATCHUP_SCAN_MAX: usize = 10_000;

/// Why a schedule could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    #[error("invalid cron expression `{expr}`: {reason}")]
    Cron { expr: String, reason: String },
    #[error("unknown time zone `{0}` (use an IANA name such as Asia/Dubai)")]
    TimeZone(String),
}

/// A parsed, normalised cron schedule bound to a time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronSchedule {
    /// The expression exactly as the user wrote it, for display and errors.
    expression: String,
    timezone: Tz,
    /// One crate schedule, or two when day-of-month and day-of-week are both
    /// restricted: Unix cron ORs those fields, the crate ANDs them, so each
    /// gets its own schedule and the union of their ticks is the answer.
    schedules: Vec<cron::Schedule>,
}

impl CronSchedule {
    /// Parses a 5-field Unix cron expression (or an `@daily`-style alias) in
    /// `timezone`, or in [`DEFAULT_TIMEZONE`] when none is given.
    pub fn parse(expr: &str, timezone: Option<&str>) -> Result<CronSchedule, ScheduleError> {
        let timezone = parse_timezone(timezone.unwrap_or(DEFAULT_TIMEZONE))?;
        let invalid = |reason: String| ScheduleError::Cron { expr: expr.to_string(), reason };
        let fields = UnixFields::parse(expr).map_err(invalid)?;
        let schedules = fields
            .crate_expressions()
            .iter()
            .map(|text| compile(text))
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        Ok(CronSchedule { expression: expr.to_string(), timezone, schedules })
    }

    /// The expression as the user wrote it.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// First tick strictly after `after`, in UTC.
    ///
    /// `None` when the schedule never fires again (for example `0 0 30 2 *`,
    /// or past the last year the `cron` crate supports).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.schedules.iter().filter_map(|schedule| first_tick_after(schedule, self.timezone, after)).min()
    }

    /// The latest tick t with after < t <= now (the one to fire now; missed
    /// older ticks are not back-filled), if any.
    pub fn due(&self, after: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        latest_tick(after, now, CATCHUP_SCAN_MAX, |t| self.next_after(t))
    }
}

fn parse_timezone(name: &str) -> Result<Tz, ScheduleError> {
    Tz::from_str(name.trim()).map_err(|_| ScheduleError::TimeZone(name.to_string()))
}

/// Builds a crate schedule from text this module generated. The crate should
/// never reject it; if it does, report it rather than panic.
fn compile(crate_expression: &str) -> Result<cron::Schedule, String> {
    cron::Schedule::from_str(crate_expression)
        .map_err(|err| format!("normalised form `{crate_expression}` was rejected by the cron library: {err}"))
}

// ---------------------------------------------------------------------------
// Tick arithmetic
// ---------------------------------------------------------------------------

/// First tick of `schedule` in `tz` strictly after `after`.
///
/// The crate walks wall-clock time, so two corrections are needed: it yields
/// both instants of a repeated wall-clock time (we keep the first, see the
/// module doc), and a repeated time's first instant can lie *before* `after`
/// in UTC even though its wall-clock time is later.
fn first_tick_after(schedule: &cron::Schedule, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    // The crate only knows the years 1970..=2100: past that it has no ticks
    // (and its internal `+ 1s` can overflow near chrono's maximum), and before
    // 1970 its year arithmetic wraps, so start no earlier than the day before.
    if after.year() > LAST_CRATE_YEAR {
        return None;
    }
    let start = after.max(DateTime::UNIX_EPOCH - TimeDelta::days(1));
    schedule
        .after(&start.with_timezone(&tz))
        .filter(is_first_occurrence)
        .map(|tick| tick.with_timezone(&Utc))
        .find(|tick| *tick > after)
}

/// False for the second instant of a wall-clock time that occurs twice.
fn is_first_occurrence(tick: &DateTime<Tz>) -> bool {
    tick.timezone().from_local_datetime(&tick.naive_local()).earliest().is_some_and(|first| first == *tick)
}

/// The latest tick in `(after, now]`, where `next_tick(t)` gives the first
/// tick strictly after `t`.
///
/// Walks forward tick by tick for at most `scan_max` ticks, which covers the
/// usual case of a short gap. If ticks remain before `now` after that, it
/// bisects the rest of the window instead of walking it.
fn latest_tick(
    after: DateTime<Utc>,
    now: DateTime<Utc>,
    scan_max: usize,
    mut next_tick: impl FnMut(DateTime<Utc>) -> Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let mut latest = None;
    let mut cursor = after;
    for _ in 0..scan_max {
        match next_tick(cursor) {
            Some(tick) if tick <= now => {
                latest = Some(tick);
                cursor = tick;
            }
            _ => return latest,
        }
    }
    match latest {
        Some(tick) => Some(bisect_latest_tick(tick, now, next_tick)),
        // `scan_max` was zero: nothing was walked, so find the first tick.
        None => next_tick(after).filter(|tick| *tick <= now).map(|tick| bisect_latest_tick(tick, now, next_tick)),
    }
}

/// The latest tick in `[known, now]`, given that `known` is a tick `<= now`.
///
/// Invariants: `best` is a tick `<= now` and the first tick after `low` (or
/// `low` itself at the start); no tick lies in `(high, now]`, because the
/// first tick after `high` is past `now`. Ticks sit on whole seconds, so
/// once `high - low` is at most a second the window holds at most one tick,
/// and that one is `best`. Takes about log2(window in seconds) steps.
/// Needs `next_tick` to be monotone, which is why repeated wall-clock times
/// count once (see [`first_tick_after`]): counting both would make the first
/// tick after an instant in the repeated hour jump backwards.
fn bisect_latest_tick(
    known: DateTime<Utc>,
    now: DateTime<Utc>,
    mut next_tick: impl FnMut(DateTime<Utc>) -> Option<DateTime<Utc>>,
) -> DateTime<Utc> {
    let (mut low, mut high, mut best) = (known, now, known);
    while high - low > TimeDelta::seconds(1) {
        let mid = low + (high - low) / 2;
        match next_tick(mid) {
            Some(tick) if tick <= now => {
                low = mid;
                best = tick;
            }
            _ => high = mid,
        }
    }
    best
}

// ---------------------------------------------------------------------------
// Parsing the Unix dialect
// ---------------------------------------------------------------------------

const FIELD_ORDER: &str = "minute hour day-of-month month day-of-week";

/// The five Unix fields, parsed and rendered in the crate's syntax.
struct UnixFields {
    minute: String,
    hour: String,
    day_of_month: String,
    month: String,
    day_of_week: String,
    /// Unix cron's rule: a day field counts as restricted unless its text
    /// starts with `*`; only when both are restricted are they ORed.
    both_days_restricted: bool,
}

impl UnixFields {
    fn parse(expr: &str) -> Result<UnixFields, String> {
        let expanded = expand_alias(expr.trim())?;
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        let [minute, hour, day_of_month, month, day_of_week] = fields[..] else {
            return Err(field_count_error(fields.len()));
        };
        Ok(UnixFields {
            minute: MINUTE.render(minute)?,
            hour: HOUR.render(hour)?,
            day_of_month: DAY_OF_MONTH.render(day_of_month)?,
            month: MONTH.render(month)?,
            day_of_week: DAY_OF_WEEK.render(day_of_week)?,
            both_days_restricted: !day_of_month.starts_with('*') && !day_of_week.starts_with('*'),
        })
    }

    /// The crate expression(s): seconds pinned to 0, and the day fields split
    /// into two schedules when Unix semantics OR them.
    fn crate_expressions(&self) -> Vec<String> {
        let build = |day_of_month: &str, day_of_week: &str| {
            format!("0 {} {} {day_of_month} {} {day_of_week}", self.minute, self.hour, self.month)
        };
        if self.both_days_restricted {
            vec![build(&self.day_of_month, "*"), build("*", &self.day_of_week)]
        } else {
            vec![build(&self.day_of_month, &self.day_of_week)]
        }
    }
}

/// Replaces an `@alias` by its 5-field meaning; other text passes through.
fn expand_alias(expr: &str) -> Result<&str, String> {
    if !expr.starts_with('@') {
        return Ok(expr);
    }
    match expr.to_ascii_lowercase().as_str() {
        "@hourly" => Ok("0 * * * *"),
        "@daily" => Ok("0 0 * * *"),
        "@weekly" => Ok("0 0 * * 0"),
        "@monthly" => Ok("0 0 1 * *"),
        "@yearly" | "@annually" => Ok("0 0 1 1 *"),
        _ => Err(format!("unknown alias `{expr}`; supported: @hourly, @daily, @weekly, @monthly, @yearly, @annually")),
    }
}

fn field_count_error(found: usize) -> String {
    let hint = match found {
        0 => " (the expression is empty)",
        6 | 7 => "; seconds and year fields are not supported",
        _ => "",
    };
    format!("expected 5 fields ({FIELD_ORDER}), found {found}{hint}")
}

/// The legal values, and optional names, of one Unix cron field.
struct FieldSpec {
    name: &'static str,
    min: u32,
    max: u32,
    /// Three-letter names; `names[i]` stands for the value `min + i`.
    names: &'static [&'static str],
    /// Hand values to the crate as names: true for day-of-week, where the
    /// two dialects agree on names but not on numbers.
    render_as_names: bool,
}

const MINUTE: FieldSpec = FieldSpec { name: "minute", min: 0, max: 59, names: &[], render_as_names: false };
const HOUR: FieldSpec = FieldSpec { name: "hour", min: 0, max: 23, names: &[], render_as_names: false };
const DAY_OF_MONTH: FieldSpec = FieldSpec { name: "day-of-month", min: 1, max: 31, names: &[], render_as_names: false };
const MONTH: FieldSpec = FieldSpec {
    name: "month",
    min: 1,
    max: 12,
    names: &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    render_as_names: false,
};
/// Unix numbering: 0 and 7 are both Sunday.
const DAY_OF_WEEK: FieldSpec = FieldSpec {
    name: "day-of-week",
    min: 0,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    render_as_names: true,
};

impl FieldSpec {
    /// Parses `text` with Unix semantics and renders it for the crate: `*`
    /// stays `*`, anything else becomes an explicit list.
    fn render(&self, text: &str) -> Result<String, String> {
        if text == "*" {
            return Ok(text.to_string());
        }
        let values = self.expand(text).map_err(|reason| format!("{} field `{text}`: {reason}", self.name))?;
        let rendered: Vec<String> = if self.render_as_names {
            fold_sunday(values).into_iter().map(|day| self.names[day as usize].to_string()).collect()
        } else {
            values.into_iter().map(|value| value.to_string()).collect()
        };
        Ok(rendered.join(","))
    }

    /// All values selected by a comma-separated list of items.
    fn expand(&self, text: &str) -> Result<BTreeSet<u32>, String> {
        let mut values = BTreeSet::new();
        for item in text.split(',') {
            values.extend(self.expand_item(item)?);
        }
        Ok(values)
    }

    /// One list item: `*`, `N`, `A-B`, `*/S` or `A-B/S`.
    fn expand_item(&self, item: &str) -> Result<Vec<u32>, String> {
        if item.is_empty() {
            return Err("empty list item".to_string());
        }
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => (base, self.parse_step(step)?),
            None => (item, 1),
        };
        let (first, last) = match (base, base.split_once('-')) {
            ("*", _) => (self.min, self.max),
            (_, Some((first, last))) => self.parse_range(first, last)?,
            (_, None) if step > 1 => {
                return Err(format!("a step needs `*` or a range before it (write `{base}-{}/{step}`)", self.max))
            }
            (_, None) => {
                let value = self.parse_value(base)?;
                (value, value)
            }
        };
        Ok((first..=last).step_by(step as usize).collect())
    }

    fn parse_range(&self, first: &str, last: &str) -> Result<(u32, u32), String> {
        let (first, last) = (self.parse_value(first)?, self.parse_value(last)?);
        if first > last {
            return Err(format!("range {first}-{last} runs backwards"));
        }
        Ok((first, last))
    }

    fn parse_step(&self, text: &str) -> Result<u32, String> {
        let span = self.max - self.min;
        match text.parse::<u32>() {
            Ok(step) if (1..=span).contains(&step) && is_digits(text) => Ok(step),
            _ => Err(format!("step `{text}` must be a number from 1 to {span}")),
        }
    }

    /// A number in range, or (for month and day-of-week) a three-letter name.
    fn parse_value(&self, text: &str) -> Result<u32, String> {
        if is_digits(text) {
            return match text.parse::<u32>() {
                Ok(value) if (self.min..=self.max).contains(&value) => Ok(value),
                _ => Err(format!("value {text} is out of range {}-{}", self.min, self.max)),
            };
        }
        self.value_of_name(text)
    }

    fn value_of_name(&self, text: &str) -> Result<u32, String> {
        let position = self.names.iter().position(|name| name.eq_ignore_ascii_case(text));
        match (position, self.names.is_empty()) {
            (Some(index), _) => Ok(self.min + index as u32),
            (None, true) => Err(format!("`{text}` is not a number")),
            (None, false) => Err(format!("`{text}` is neither a number nor one of {}", self.names.join(", "))),
        }
    }
}

/// Unix day-of-week allows 7 for Sunday; fold it onto 0.
fn fold_sunday(days: BTreeSet<u32>) -> BTreeSet<u32> {
    days.into_iter().map(|day| day % 7).collect()
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Timelike, Weekday};
    use std::cell::Cell;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("valid test date")
    }

    fn schedule(expr: &str, tz: &str) -> CronSchedule {
        CronSchedule::parse(expr, Some(tz)).expect("valid test schedule")
    }

    /// The first `n` ticks after `start`, chaining `next_after`.
    fn ticks(schedule: &CronSchedule, start: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        std::iter::successors(schedule.next_after(start), |t| schedule.next_after(*t)).take(n).collect()
    }

    fn local_weekdays(schedule: &CronSchedule, start: DateTime<Utc>, n: usize) -> Vec<Weekday> {
        ticks(schedule, start, n).iter().map(|t| t.with_timezone(&schedule.timezone()).weekday()).collect()
    }

    fn parse_error(expr: &str) -> String {
        match CronSchedule::parse(expr, None) {
            Err(ScheduleError::Cron { expr: got, reason }) => {
                assert_eq!(got, expr);
                reason
            }
            other => panic!("expected a cron error for `{expr}`, got {other:?}"),
        }
    }

    // 2024-01-03 is a Wednesday.
    const WEDNESDAY: (i32, u32, u32) = (2024, 1, 3);

    fn wednesday_midnight_utc() -> DateTime<Utc> {
        utc(WEDNESDAY.0, WEDNESDAY.1, WEDNESDAY.2, 0, 0)
    }

    #[test]
    fn monday_nine_in_dubai_is_five_utc_on_a_monday() {
        let s = schedule("0 9 * * 1", "Asia/Dubai");
        let tick = s.next_after(wednesday_midnight_utc()).expect("fires again");
        assert_eq!(tick, utc(2024, 1, 8, 5, 0));
        assert_eq!(tick.weekday(), Weekday::Mon);
        let local = tick.with_timezone(&s.timezone());
        assert_eq!((local.weekday(), local.hour(), local.minute()), (Weekday::Mon, 9, 0));
    }

    #[test]
    fn default_timezone_is_dubai_and_expression_is_kept() {
        let s = CronSchedule::parse("0 9 * * 1", None).expect("valid");
        assert_eq!(s.timezone(), chrono_tz::Asia::Dubai);
        assert_eq!(s.expression(), "0 9 * * 1");
        assert_eq!(DEFAULT_TIMEZONE, "Asia/Dubai");
    }

    #[test]
    fn zero_and_seven_both_mean_sunday() {
        for expr in ["0 9 * * 0", "0 9 * * 7", "0 9 * * SUN", "0 9 * * sun"] {
            let s = schedule(expr, "Asia/Dubai");
            assert_eq!(local_weekdays(&s, wednesday_midnight_utc(), 3), vec![Weekday::Sun; 3], "{expr}");
            assert_eq!(s.next_after(wednesday_midnight_utc()), Some(utc(2024, 1, 7, 5, 0)), "{expr}");
        }
    }

    #[test]
    fn one_to_five_skips_the_weekend() {
        let s = schedule("0 9 * * 1-5", "Asia/Dubai");
        let days = local_weekdays(&s, wednesday_midnight_utc(), 10);
        use Weekday::*;
        assert_eq!(days, vec![Wed, Thu, Fri, Mon, Tue, Wed, Thu, Fri, Mon, Tue]);
    }

    #[test]
    fn weekday_names_match_numbers() {
        let start = wednesday_midnight_utc();
        let numeric = ticks(&schedule("0 9 * * 1-5", "Asia/Dubai"), start, 20);
        for expr in ["0 9 * * MON-FRI", "0 9 * * mon-fri", "0 9 * * Mon,Tue,Wed,Thu,Fri"] {
            assert_eq!(ticks(&schedule(expr, "Asia/Dubai"), start, 20), numeric, "{expr}");
        }
    }

    #[test]
    fn weekday_ranges_lists_and_steps_use_unix_numbering() {
        use Weekday::*;
        // Expected days are listed Sunday first, the order they are sorted in.
        let cases: [(&str, Vec<Weekday>); 5] = [
            ("0 9 * * 5-7", vec![Sun, Fri, Sat]),
            ("0 9 * * 1-7/2", vec![Sun, Mon, Wed, Fri]),
            ("0 9 * * */2", vec![Sun, Tue, Thu, Sat]),
            ("0 9 * * 0,3", vec![Sun, Wed]),
            ("0 9 * * 6", vec![Sat]),
        ];
        // Start on a Sunday so a whole week of ticks comes out in order.
        let sunday_start = utc(2024, 1, 7, 0, 0);
        for (expr, expected) in cases {
            let s = schedule(expr, "UTC");
            let mut days = local_weekdays(&s, sunday_start, expected.len());
            days.sort_by_key(Weekday::num_days_from_sunday);
            assert_eq!(days, expected, "{expr}");
        }
    }

    #[test]
    fn every_fifteen_minutes() {
        let s = schedule("*/15 * * * *", "Asia/Dubai");
        let start = Utc.with_ymd_and_hms(2024, 1, 3, 10, 7, 30).single().expect("valid");
        assert_eq!(
            ticks(&s, start, 4),
            vec![utc(2024, 1, 3, 10, 15), utc(2024, 1, 3, 10, 30), utc(2024, 1, 3, 10, 45), utc(2024, 1, 3, 11, 0),]
        );
    }

    #[test]
    fn next_after_is_strict_and_honours_sub_seconds() {
        let s = schedule("0 9 * * *", "UTC");
        let nine = utc(2024, 1, 3, 9, 0);
        assert_eq!(s.next_after(nine), Some(utc(2024, 1, 4, 9, 0)));
        let just_before = nine - TimeDelta::milliseconds(500);
        assert_eq!(s.next_after(just_before), Some(nine));
        let just_after = nine + TimeDelta::milliseconds(500);
        assert_eq!(s.next_after(just_after), Some(utc(2024, 1, 4, 9, 0)));
    }

    #[test]
    fn aliases() {
        let start = wednesday_midnight_utc();
        // Dubai is UTC+4, so local midnight is 20:00 UTC the day before.
        let cases = [
            ("@hourly", utc(2024, 1, 3, 1, 0)),
            ("@daily", utc(2024, 1, 3, 20, 0)),
            ("@weekly", utc(2024, 1, 6, 20, 0)),
            ("@monthly", utc(2024, 1, 31, 20, 0)),
            ("@yearly", utc(2024, 12, 31, 20, 0)),
            ("@annually", utc(2024, 12, 31, 20, 0)),
            ("@DAILY", utc(2024, 1, 3, 20, 0)),
        ];
        for (alias, expected) in cases {
            let s = schedule(alias, "Asia/Dubai");
            assert_eq!(s.next_after(start), Some(expected), "{alias}");
            assert_eq!(s.expression(), alias);
        }
        let weekly = schedule("@weekly", "Asia/Dubai");
        assert_eq!(local_weekdays(&weekly, start, 2), vec![Weekday::Sun; 2]);
    }

    #[test]
    fn month_names_and_day_of_month() {
        let s = schedule("30 6 1 jan,JUL *", "UTC");
        assert_eq!(ticks(&s, wednesday_midnight_utc(), 2), vec![utc(2024, 7, 1, 6, 30), utc(2025, 1, 1, 6, 30)]);
    }

    #[test]
    fn restricted_day_of_month_and_day_of_week_are_ored() {
        // Unix cron: the 13th of the month OR any Friday.
        let s = schedule("0 9 13 * 5", "UTC");
        let got = ticks(&s, utc(2024, 1, 1, 0, 0), 5);
        assert_eq!(
            got,
            vec![
                utc(2024, 1, 5, 9, 0),
                utc(2024, 1, 12, 9, 0),
                utc(2024, 1, 13, 9, 0),
                utc(2024, 1, 19, 9, 0),
                utc(2024, 1, 26, 9, 0),
            ]
        );
        // A day field starting with `*` counts as unrestricted: ANDed.
        let s = schedule("0 9 */2 * 5", "UTC");
        for tick in ticks(&s, utc(2024, 1, 1, 0, 0), 5) {
            assert_eq!(tick.weekday(), Weekday::Fri);
            assert_eq!(tick.day() % 2, 1, "{tick}");
        }
    }

    #[test]
    fn london_across_spring_forward() {
        let s = schedule("0 9 * * *", "Europe/London");
        // 2024-03-31 01:00 UTC clocks go forward: GMT (UTC+0) -> BST (UTC+1).
        assert_eq!(
            ticks(&s, utc(2024, 3, 29, 12, 0), 3),
            vec![utc(2024, 3, 30, 9, 0), utc(2024, 3, 31, 8, 0), utc(2024, 4, 1, 8, 0),]
        );
        // 01:30 does not exist on 2024-03-31, so that day has no tick.
        let skipped = schedule("30 1 * * *", "Europe/London");
        assert_eq!(ticks(&skipped, utc(2024, 3, 30, 0, 0), 2), vec![utc(2024, 3, 30, 1, 30), utc(2024, 4, 1, 0, 30)]);
    }

    #[test]
    fn london_across_fall_back_fires_once() {
        // 2024-10-27 01:00 UTC clocks go back: 01:00-01:59 happens twice.
        let s = schedule("30 1 * * *", "Europe/London");
        let got = ticks(&s, utc(2024, 10, 26, 0, 0), 3);
        assert_eq!(got, vec![utc(2024, 10, 26, 0, 30), utc(2024, 10, 27, 0, 30), utc(2024, 10, 28, 1, 30),]);
        // Even from inside the repeated hour, the already-passed first
        // occurrence is not returned and the repeat is not a tick.
        assert_eq!(s.next_after(utc(2024, 10, 27, 1, 10)), Some(utc(2024, 10, 28, 1, 30)));
    }

    #[test]
    fn wrong_field_count_is_rejected() {
        for (expr, found) in
            [("* * * *", "found 4"), ("0 0 9 * * 1", "found 6"), ("0 0 9 * * 1 2030", "found 7"), ("", "found 0")]
        {
            let reason = parse_error(expr);
            assert!(reason.contains("expected 5 fields"), "{expr}: {reason}");
            assert!(reason.contains(found), "{expr}: {reason}");
        }
        assert!(parse_error("0 0 9 * * 1").contains("seconds"));
    }

    #[test]
    fn out_of_range_values_are_rejected() {
        for (expr, field) in [
            ("60 * * * *", "minute"),
            ("* 24 * * *", "hour"),
            ("* * 0 * *", "day-of-month"),
            ("* * 32 * *", "day-of-month"),
            ("* * * 13 *", "month"),
            ("* * * * 8", "day-of-week"),
            ("* * * * 99999999999", "day-of-week"),
        ] {
            let reason = parse_error(expr);
            assert!(reason.starts_with(field), "{expr}: {reason}");
            assert!(reason.contains("out of range"), "{expr}: {reason}");
        }
    }

    #[test]
    fn malformed_fields_are_rejected() {
        for expr in [
            "0 9 ? * 1",      // Quartz-only `?`
            "0 9 L * *",      // Quartz-only `L`
            "5/15 * * * *",   // step without `*` or a range
            "*/0 * * * *",    // zero step
            "*/60 * * * *",   // step larger than the field
            "0 9 * * 5-1",    // backwards range
            "0 9 * * MON-",   // unfinished range
            "0 9 * * MONDAY", // only three-letter names
            "MON 9 * * *",    // names only in month and day-of-week
            "0 9 1,,2 * *",   // empty list item
            "0 9 * * 1/2/3",  // two steps
            "@reboot",        // unsupported alias
            "-1 * * * *",     // negative
        ] {
            parse_error(expr);
        }
    }

    #[test]
    fn error_messages_read_well() {
        let err = CronSchedule::parse("0 9 * * 8", None).expect_err("invalid");
        assert_eq!(
            err.to_string(),
            "invalid cron expression `0 9 * * 8`: day-of-week field `8`: value 8 is out of range 0-7"
        );
        let err = CronSchedule::parse("0 9 * * 1", Some("Mars/Olympus")).expect_err("invalid");
        assert_eq!(err, ScheduleError::TimeZone("Mars/Olympus".to_string()));
        assert_eq!(err.to_string(), "unknown time zone `Mars/Olympus` (use an IANA name such as Asia/Dubai)");
    }

    #[test]
    fn bad_time_zones_are_rejected() {
        for tz in ["Mars/Olympus", "", "GMT+4 ", "Dubai"] {
            assert!(matches!(CronSchedule::parse("0 9 * * 1", Some(tz)), Err(ScheduleError::TimeZone(_))), "{tz:?}");
        }
    }

    #[test]
    fn due_returns_only_the_latest_missed_tick() {
        let s = schedule("*/15 * * * *", "Asia/Dubai");
        let after = utc(2024, 1, 3, 10, 0);
        let now = utc(2024, 1, 3, 11, 7);
        assert_eq!(s.due(after, now), Some(utc(2024, 1, 3, 11, 0)));
        // A tick exactly at `now` is due; one exactly at `after` is not.
        assert_eq!(s.due(after, utc(2024, 1, 3, 10, 15)), Some(utc(2024, 1, 3, 10, 15)));
    }

    #[test]
    fn due_is_none_when_nothing_is_due() {
        let s = schedule("*/15 * * * *", "Asia/Dubai");
        let after = utc(2024, 1, 3, 10, 0);
        assert_eq!(s.due(after, utc(2024, 1, 3, 10, 14)), None);
        assert_eq!(s.due(after, after), None);
        assert_eq!(s.due(after, after - TimeDelta::hours(1)), None);
        let never = schedule("0 0 30 2 *", "UTC");
        assert_eq!(never.due(after, after + TimeDelta::days(3650)), None);
        assert_eq!(never.next_after(after), None);
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let s = schedule("* * * * *", "Asia/Dubai");
        assert_eq!(s.next_after(DateTime::<Utc>::MAX_UTC), None);
        assert_eq!(s.next_after(DateTime::<Utc>::MIN_UTC), Some(utc(1969, 12, 31, 20, 0)));
        // The crate's calendar ends with 2100; the last tick is its final minute.
        let last = s.due(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
        assert_eq!(last, Some(utc(2100, 12, 31, 19, 59)));
    }

    #[test]
    fn due_after_a_year_long_outage_finds_the_latest_tick() {
        let now = Utc.with_ymd_and_hms(2025, 3, 10, 14, 37, 42).single().expect("valid");
        let after = now - TimeDelta::days(365);
        let every_minute = schedule("* * * * *", "Asia/Dubai");
        assert_eq!(every_minute.due(after, now), Some(utc(2025, 3, 10, 14, 37)));
        let weekdays = schedule("0 9 * * 1-5", "Asia/Dubai");
        // 2025-03-10 is a Monday; 09:00 Dubai = 05:00 UTC.
        assert_eq!(weekdays.due(after, now), Some(utc(2025, 3, 10, 5, 0)));
        // Every minute of January only: the latest is 31 Jan 23:59 Dubai.
        let january = schedule("* * * 1 *", "Asia/Dubai");
        assert_eq!(january.due(after, now), Some(utc(2025, 1, 31, 19, 59)));
    }

    #[test]
    fn catch_up_lookups_are_bounded() {
        let s = schedule("* * * * *", "UTC");
        let now = utc(2025, 3, 10, 14, 37);
        let after = now - TimeDelta::days(365);
        let calls = Cell::new(0usize);
        let counted = |t| {
            calls.set(calls.get() + 1);
            s.next_after(t)
        };
        assert_eq!(latest_tick(after, now, CATCHUP_SCAN_MAX, counted), Some(now));
        // Half a million ticks were missed; bisecting a year takes ~25 steps.
        assert!(calls.get() <= CATCHUP_SCAN_MAX + 64, "{} lookups", calls.get());
    }

    #[test]
    fn bisection_agrees_with_walking() {
        let windows = [
            (utc(2024, 1, 1, 0, 0), utc(2024, 1, 9, 13, 17)),
            (utc(2024, 10, 25, 0, 0), utc(2024, 10, 27, 1, 45)),
            (utc(2024, 10, 25, 0, 0), utc(2024, 10, 27, 0, 50)),
            (utc(2024, 3, 30, 0, 0), utc(2024, 3, 31, 1, 20)),
        ];
        for expr in ["*/15 * * * *", "30 1 * * *", "0 9 13 * 5", "7 */5 * * 1-5", "@hourly"] {
            let s = schedule(expr, "Europe/London");
            for (after, now) in windows {
                let walked = latest_tick(after, now, usize::MAX, |t| s.next_after(t));
                for scan_max in [0, 1, 3] {
                    let bisected = latest_tick(after, now, scan_max, |t| s.next_after(t));
                    assert_eq!(bisected, walked, "{expr} {after}..{now} scan {scan_max}");
                }
            }
        }
    }
}
