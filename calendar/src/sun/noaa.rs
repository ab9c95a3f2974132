//! NOAA solar-position formulas (Julian day, equation of time, declination, hour angle).
//!
//! These follow the NOAA Global Monitoring Laboratory solar calculator (itself after Meeus,
//! "Astronomical Algorithms"). Accuracy is about a minute for latitudes within ±72°, which is far
//! better than a shoot or a post schedule needs.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

/// Julian day number at 0h UT of a Gregorian calendar date.
pub(crate) fn julian_day(date: NaiveDate) -> f64 {
    let (mut y, mut m) = (date.year() as f64, date.month() as f64);
    if m <= 2.0 {
        y -= 1.0;
        m += 12.0;
    }
    let a = (y / 100.0).floor();
    let b = 2.0 - a + (a / 4.0).floor();
    (365.25 * (y + 4716.0)).floor() + (30.6001 * (m + 1.0)).floor() + date.day() as f64 + b - 1524.5
}

/// Julian centuries since J2000.0 for a Julian day.
pub(crate) fn julian_century(jd: f64) -> f64 {
    (jd - 2_451_545.0) / 36_525.0
}

/// Julian day of an instant (UTC); the Unix epoch is JD 2440587.5.
pub(crate) fn julian_day_of(at: DateTime<Utc>) -> f64 {
    let seconds = at.timestamp() as f64 + f64::from(at.timestamp_subsec_nanos()) / 1e9;
    2_440_587.5 + seconds / 86_400.0
}

/// Instant that lies `minutes` after 0h UT of `date` (may be negative or beyond a day).
pub(crate) fn utc_at_minutes(date: NaiveDate, minutes: f64) -> DateTime<Utc> {
    let midnight = Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight exists"));
    // Whole milliseconds: sub-millisecond precision is meaningless for a ±1 minute model.
    midnight + chrono::Duration::milliseconds((minutes * 60_000.0).round() as i64)
}

/// Where the sun is at one moment, reduced to the two quantities rise/set maths needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SolarPosition {
    /// Apparent declination, degrees.
    pub declination: f64,
    /// Equation of time, minutes (apparent minus mean solar time).
    pub equation_of_time: f64,
}

/// Solar declination and equation of time at Julian century `t`.
pub(crate) fn solar_position(t: f64) -> SolarPosition {
    let geom_mean_long = (280.46646 + t * (36000.76983 + t * 0.0003032)).rem_euclid(360.0);
    let geom_mean_anom = 357.52911 + t * (35999.05029 - 0.0001537 * t);
    let eccentricity = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
    let m = geom_mean_anom.to_radians();
    let center = m.sin() * (1.914602 - t * (0.004817 + 0.000014 * t))
        + (2.0 * m).sin() * (0.019993 - 0.000101 * t)
        + (3.0 * m).sin() * 0.000289;
    let true_long = geom_mean_long + center;
    let omega = (125.04 - 1934.136 * t).to_radians();
    let apparent_long = true_long - 0.00569 - 0.00478 * omega.sin();
    let mean_obliquity = 23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0;
    let obliquity = (mean_obliquity + 0.00256 * omega.cos()).to_radians();
    let declination = (obliquity.sin() * apparent_long.to_radians().sin()).asin().to_degrees();

    let y = (obliquity / 2.0).tan().powi(2);
    let l0 = geom_mean_long.to_radians();
    let e = eccentricity;
    let eq_time = y * (2.0 * l0).sin() - 2.0 * e * m.sin() + 4.0 * e * y * m.sin() * (2.0 * l0).cos()
        - 0.5 * y * y * (4.0 * l0).sin()
        - 1.25 * e * e * (2.0 * m).sin();
    SolarPosition { declination, equation_of_time: 4.0 * eq_time.to_degrees() }
}

/// Why an hour angle has no solution: the sun stays on one side of the target elevation all day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoCrossing {
    /// The sun never climbs to the elevation (e.g. polar night for sunrise).
    AlwaysBelow,
    /// The sun never sinks to the elevation (e.g. midnight sun for sunset).
    AlwaysAbove,
}

/// Hour angle (degrees, positive) at which the sun's centre sits at `elevation` degrees.
pub(crate) fn hour_angle(latitude: f64, declination: f64, elevation: f64) -> Result<f64, NoCrossing> {
    let (lat, dec) = (latitude.to_radians(), declination.to_radians());
    let cos_h = (elevation.to_radians().sin() - lat.sin() * dec.sin()) / (lat.cos() * dec.cos());
    if cos_h > 1.0 {
        Err(NoCrossing::AlwaysBelow)
    } else if cos_h < -1.0 {
        Err(NoCrossing::AlwaysAbove)
    } else {
        Ok(cos_h.acos().to_degrees())
    }
}

/// Geometric elevation of the sun's centre (degrees, no refraction) at an instant.
pub(crate) fn elevation_at(latitude: f64, longitude: f64, at: DateTime<Utc>) -> f64 {
    let jd = julian_day_of(at);
    let pos = solar_position(julian_century(jd));
    let minutes_utc = (jd + 0.5).fract() * 1440.0;
    let true_solar_minutes = minutes_utc + pos.equation_of_time + 4.0 * longitude;
    let hour_angle = (true_solar_minutes / 4.0 - 180.0).to_radians();
    let (lat, dec) = (latitude.to_radians(), pos.declination.to_radians());
    (lat.sin() * dec.sin() + lat.cos() * dec.cos() * hour_angle.cos()).asin().to_degrees()
}
