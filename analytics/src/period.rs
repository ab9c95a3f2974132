//! Reporting periods (`7d`, `30d`, `90d`, `ytd`), their previous period, trend buckets, and the
//! Dubai-local day a timestamp falls on.
//!
//! Days are Dubai days (UTC+4, no daylight saving), so an agent's evening work counts on the day
//! they did it. The store buckets with the same rule: day = floor((µs since epoch + 4 h) / 1 day).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::AnalyticsError;

/// Dubai is UTC+4 all year.
pub const DUBAI_OFFSET_SECONDS: i64 = 4 * 3600;

/// The Dubai-local calendar day of an instant.
pub fn dubai_day(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::seconds(DUBAI_OFFSET_SECONDS)).date_naive()
}

/// Days since 1970-01-01: the integer the store keeps in `performance_metrics.day`.
pub fn day_number(d: NaiveDate) -> i64 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days()
}

pub fn from_day_number(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + Duration::days(n)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Days7,
    Days30,
    Days90,
    /// From 1 January to today; compared with the same span of the year before.
    YearToDate,
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Window {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Window {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Window {
        Window { start, end }
    }
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
}

/// How a trend's points are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Day,
    /// Seven-day blocks counted back from the window's end (the last block ends today).
    Week,
    Month,
}

impl Bucket {
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::Month => "month",
        }
    }
}

impl Period {
    pub fn parse(s: &str) -> Result<Period, AnalyticsError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "7d" => Ok(Period::Days7),
            "30d" => Ok(Period::Days30),
            "90d" => Ok(Period::Days90),
            "ytd" => Ok(Period::YearToDate),
            _ => Err(AnalyticsError::InvalidPeriod(s.to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Days7 => "7d",
            Period::Days30 => "30d",
            Period::Days90 => "90d",
            Period::YearToDate => "ytd",
        }
    }

    /// The current window ending `today` (inclusive).
    pub fn window(self, today: NaiveDate) -> Window {
        let back = |n: i64| Window::new(today - Duration::days(n - 1), today);
        match self {
            Period::Days7 => back(7),
            Period::Days30 => back(30),
            Period::Days90 => back(90),
            Period::YearToDate => Window::new(NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("1 January"), today),
        }
    }

    /// The window the current one is compared with: the same number of days just before it, or
    /// for `ytd` the same span of the previous year (29 February maps to 28 February).
    pub fn previous(self, today: NaiveDate) -> Window {
        let current = self.window(today);
        match self {
            Period::YearToDate => {
                let year = today.year() - 1;
                let end = NaiveDate::from_ymd_opt(year, today.month(), today.day())
                    .or_else(|| NaiveDate::from_ymd_opt(year, today.month(), today.day() - 1))
                    .expect("valid date a year back");
                Window::new(NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January"), end)
            }
            _ => {
                let n = current.days();
                Window::new(current.start - Duration::days(n), current.start - Duration::days(1))
            }
        }
    }

    /// Daily points up to a month, weekly for 90 days, monthly for the year.
    pub fn bucket(self) -> Bucket {
        match self {
            Period::Days7 | Period::Days30 => Bucket::Day,
            Period::Days90 => Bucket::Week,
            Period::YearToDate => Bucket::Month,
        }
    }
}

/// The buckets of a window, oldest first, each clipped to the window.
pub fn buckets(window: Window, bucket: Bucket) -> Vec<Window> {
    let mut out = Vec::new();
    match bucket {
        Bucket::Day => {
            let mut d = window.start;
            while d <= window.end {
                out.push(Window::new(d, d));
                d += Duration::days(1);
            }
        }
        Bucket::Week => {
            let mut end = window.end;
            while end >= window.start {
                let start = (end - Duration::days(6)).max(window.start);
                out.push(Window::new(start, end));
                end = start - Duration::days(1);
            }
            out.reverse();
        }
        Bucket::Month => {
            let mut start = window.start;
            while start <= window.end {
                let next = if start.month() == 12 {
                    NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
                }
                .expect("first of month");
                let end = (next - Duration::days(1)).min(window.end);
                out.push(Window::new(start, end));
                start = next;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn windows_and_previous_windows() {
        let today = d(2026, 3, 10);
        assert_eq!(Period::Days7.window(today), Window::new(d(2026, 3, 4), today));
        assert_eq!(Period::Days7.previous(today), Window::new(d(2026, 2, 25), d(2026, 3, 3)));
        assert_eq!(Period::Days30.window(today).days(), 30);
        assert_eq!(Period::Days30.previous(today).end, d(2026, 2, 8));
        assert_eq!(Period::Days90.previous(today).days(), 90);
        assert_eq!(Period::YearToDate.window(today), Window::new(d(2026, 1, 1), today));
        assert_eq!(Period::YearToDate.previous(today), Window::new(d(2025, 1, 1), d(2025, 3, 10)));
        assert_eq!(Period::YearToDate.previous(d(2028, 2, 29)).end, d(2027, 2, 28));
        assert!(matches!(Period::parse("2w"), Err(AnalyticsError::InvalidPeriod(_))));
        assert_eq!(Period::parse("YTD").unwrap(), Period::YearToDate);
    }

    #[test]
    fn dubai_days_start_at_8pm_utc() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(dubai_day(at("2026-03-09T19:59:59Z")), d(2026, 3, 9));
        assert_eq!(dubai_day(at("2026-03-09T20:00:00Z")), d(2026, 3, 10));
        assert_eq!(day_number(d(1970, 1, 2)), 1);
        assert_eq!(from_day_number(day_number(d(2026, 3, 10))), d(2026, 3, 10));
    }

    #[test]
    fn buckets_cover_the_window_exactly() {
        let w = Period::Days90.window(d(2026, 3, 10));
        let weeks = buckets(w, Bucket::Week);
        assert_eq!(weeks.len(), 13);
        assert_eq!(weeks.last().unwrap(), &Window::new(d(2026, 3, 4), d(2026, 3, 10)));
        assert_eq!(weeks[0].start, w.start);
        assert_eq!(weeks.iter().map(Window::days).sum::<i64>(), 90);
        let months = buckets(Period::YearToDate.window(d(2026, 3, 10)), Bucket::Month);
        assert_eq!(
            months,
            vec![
                Window::new(d(2026, 1, 1), d(2026, 1, 31)),
                Window::new(d(2026, 2, 1), d(2026, 2, 28)),
                Window::new(d(2026, 3, 1), d(2026, 3, 10)),
            ]
        );
        assert_eq!(buckets(Period::Days7.window(d(2026, 3, 10)), Bucket::Day).len(), 7);
    }
}
