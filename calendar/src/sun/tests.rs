//! Tests for the sun module: Dubai reference times, polar cases, and an independent cross-check.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Dubai;

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Asserts a UTC instant is within `tolerance_min` minutes of a Dubai wall-clock time on `on`.
fn assert_dubai_time(actual: DateTime<Utc>, on: NaiveDate, hh: u32, mm: u32, tolerance_min: i64) {
    let expected = Dubai.from_local_datetime(&on.and_time(NaiveTime::from_hms_opt(hh, mm, 0).unwrap())).unwrap();
    let diff = (actual - expected.with_timezone(&Utc)).num_seconds().abs();
    assert!(
        diff <= tolerance_min * 60,
        "expected ≈{hh:02}:{mm:02} Dubai, got {} ({diff}s off)",
        actual.with_timezone(&Dubai).format("%H:%M:%S")
    );
}

// Reference values from the brief, confirmed with a separate Python NOAA implementation and the
// USNO "Almanac for Computers" formula (06-21: 05:29:26 / 19:11:58; 12-21: 06:59:48 / 17:34:01).
// The brief's 19:13 and 17:33 differ from those by about a minute, inside the ±3 minute tolerance.
#[test]
fn dubai_summer_solstice() {
    let d = date(2026, 6, 21);
    let t = sun_times(Coordinates::DUBAI, d);
    assert_eq!(t.daylight, Daylight::Normal);
    assert_dubai_time(t.sunrise.unwrap(), d, 5, 29, 3);
    assert_dubai_time(t.sunset.unwrap(), d, 19, 13, 3);
    // Tighter check against the independently computed values.
    assert_dubai_time(t.sunrise.unwrap(), d, 5, 29, 1);
    assert_dubai_time(t.sunset.unwrap(), d, 19, 12, 1);
    assert_dubai_time(t.solar_noon, d, 12, 21, 1);
}

#[test]
fn dubai_winter_solstice() {
    let d = date(2026, 12, 21);
    let t = sun_times(Coordinates::DUBAI, d);
    assert_dubai_time(t.sunrise.unwrap(), d, 7, 0, 3);
    assert_dubai_time(t.sunset.unwrap(), d, 17, 33, 3);
    assert_dubai_time(t.sunrise.unwrap(), d, 7, 0, 1);
    assert_dubai_time(t.sunset.unwrap(), d, 17, 34, 1);
}

#[test]
fn dubai_golden_hours_bracket_sunrise_and_sunset() {
    let d = date(2026, 6, 21);
    let t = sun_times(Coordinates::DUBAI, d);
    let g = golden_hours(Coordinates::DUBAI, d);
    let (morning, evening) = (g.morning.unwrap(), g.evening.unwrap());
    // Python NOAA: morning 05:13:40–06:02:43, evening 18:38:41–19:27:44 (Dubai).
    assert_dubai_time(morning.start, d, 5, 14, 1);
    assert_dubai_time(morning.end, d, 6, 3, 1);
    assert_dubai_time(evening.start, d, 18, 39, 1);
    assert_dubai_time(evening.end, d, 19, 28, 1);
    assert!(morning.start < t.sunrise.unwrap() && t.sunrise.unwrap() < morning.end);
    assert!(evening.start < t.sunset.unwrap() && t.sunset.unwrap() < evening.end);
}

#[test]
fn crossings_sit_at_their_elevation() {
    let places =
        [Coordinates::DUBAI, Coordinates::new(-33.87, 151.21).unwrap(), Coordinates::new(51.5, -0.12).unwrap()];
    for at in places {
        for month in 1..=12 {
            let d = date(2026, month, 15);
            let g = golden_hours(at, d);
            for (w, low_first) in [(g.morning.unwrap(), true), (g.evening.unwrap(), false)] {
                let (low, high) = if low_first { (w.start, w.end) } else { (w.end, w.start) };
                assert!((solar_elevation(at, low) - GOLDEN_LOW).abs() < 0.05, "{at:?} {d}");
                assert!((solar_elevation(at, high) - GOLDEN_HIGH).abs() < 0.05, "{at:?} {d}");
            }
            let noon = sun_times(at, d).solar_noon;
            let peak = solar_elevation(at, noon);
            let beside = |min: i64| solar_elevation(at, noon + chrono::Duration::minutes(min));
            assert!(peak >= beside(-5) && peak >= beside(5), "noon is the daily maximum");
        }
    }
}

#[test]
fn tromso_polar_night_and_midnight_sun() {
    let tromso = Coordinates::new(69.65, 18.96).unwrap();
    let winter = sun_times(tromso, date(2026, 12, 21));
    assert_eq!((winter.sunrise, winter.sunset, winter.daylight), (None, None, Daylight::PolarNight));
    let golden = golden_hours(tromso, date(2026, 12, 21));
    assert_eq!((golden.morning, golden.evening), (None, None), "the sun never reaches +6°");

    let summer = sun_times(tromso, date(2026, 6, 21));
    assert_eq!((summer.sunrise, summer.sunset, summer.daylight), (None, None, Daylight::MidnightSun));
}

#[test]
fn west_of_greenwich_stays_on_the_local_date() {
    // Los Angeles: sunset is after 0h UT of the next day, but must belong to the asked date.
    let la = Coordinates::new(34.05, -118.24).unwrap();
    let d = date(2026, 6, 21);
    let t = sun_times(la, d);
    let local = |x: DateTime<Utc>| x.with_timezone(&chrono_tz::America::Los_Angeles);
    assert_eq!(local(t.sunrise.unwrap()).date_naive(), d);
    assert_eq!(local(t.sunset.unwrap()).date_naive(), d);
    assert!(t.sunrise.unwrap() < t.solar_noon && t.solar_noon < t.sunset.unwrap());
}

#[test]
fn coordinates_are_validated() {
    assert!(Coordinates::new(f64::NAN, 0.0).is_none());
    assert!(Coordinates::new(91.0, 0.0).is_none());
    assert!(Coordinates::new(0.0, 180.5).is_none());
    assert!(Coordinates::new(-90.0, -180.0).is_some());
}

/// USNO "Almanac for Computers" (1990) sunrise/sunset — a simpler, independent formulation
/// (low-precision solar longitude and right ascension instead of NOAA's equation of time).
fn almanac(at: Coordinates, d: NaiveDate, rising: bool) -> Option<DateTime<Utc>> {
    let n = f64::from(d.ordinal());
    let lng_hour = at.longitude / 15.0;
    let t = n + if rising { (6.0 - lng_hour) / 24.0 } else { (18.0 - lng_hour) / 24.0 };
    let m = 0.9856 * t - 3.289;
    let l = (m + 1.916 * m.to_radians().sin() + 0.020 * (2.0 * m).to_radians().sin() + 282.634).rem_euclid(360.0);
    let mut ra = (0.91764 * l.to_radians().tan()).atan().to_degrees().rem_euclid(360.0);
    ra += (l / 90.0).floor() * 90.0 - (ra / 90.0).floor() * 90.0;
    let sin_dec = 0.39782 * l.to_radians().sin();
    let cos_dec = sin_dec.asin().cos();
    let lat = at.latitude.to_radians();
    let cos_h = (90.833f64.to_radians().cos() - sin_dec * lat.sin()) / (cos_dec * lat.cos());
    if cos_h.abs() > 1.0 {
        return None;
    }
    let h = if rising { 360.0 - cos_h.acos().to_degrees() } else { cos_h.acos().to_degrees() } / 15.0;
    let local_mean = h + ra / 15.0 - 0.06571 * t - 6.622;
    // The formula gives a time of day modulo 24 h; place it within a day of the NOAA answer.
    let ut_hours = (local_mean - lng_hour).rem_euclid(24.0);
    let midnight = Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap());
    Some(midnight + chrono::Duration::seconds((ut_hours * 3600.0) as i64))
}

#[test]
fn agrees_with_the_almanac_formula() {
    for lat in [-55.0, -33.9, 0.0, 25.2048, 40.7, 60.0] {
        for lon in [-150.0, -74.0, 0.0, 55.2708, 139.7] {
            for month in 1..=12 {
                let at = Coordinates::new(lat, lon).unwrap();
                let d = date(2026, month, 10);
                let t = sun_times(at, d);
                for (ours, rising) in [(t.sunrise, true), (t.sunset, false)] {
                    let theirs = almanac(at, d, rising).unwrap();
                    let ours = ours.unwrap();
                    // Compare as times of day: the almanac only knows the hour modulo 24.
                    let diff = (ours - theirs).num_seconds().rem_euclid(86_400);
                    let diff = diff.min(86_400 - diff);
                    assert!(diff <= 120, "{lat},{lon} {d} rising={rising}: {ours} vs {theirs}");
                }
            }
        }
    }
}
