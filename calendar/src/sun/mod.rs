//! Sunrise, sunset, solar noon and golden-hour windows for a place and a date (NOAA algorithm).
//!
//! "The date" is the calendar date at the location: events are solved around that date's solar
//! noon at the given longitude, so with any sensible time zone they land on the same local date.
//! Sunrise and sunset use the standard zenith of 90.833° (refraction plus the solar semi-diameter);
//! golden-hour bounds use the geometric elevation of the sun's centre, −4° to +6°.

mod noaa;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use noaa::{hour_angle, julian_century, julian_day, solar_position, utc_at_minutes, NoCrossing};

/// Sun elevation (degrees) at official sunrise and sunset: zenith 90.833°.
pub const SUNRISE_ELEVATION: f64 = -0.833;
/// Lower golden-hour bound (degrees): below this it is blue hour / night for photography.
pub const GOLDEN_LOW: f64 = -4.0;
/// Upper golden-hour bound (degrees): above this the light turns hard and white.
pub const GOLDEN_HIGH: f64 = 6.0;

/// A point on Earth; validated so the solar maths never sees NaN or out-of-range input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    /// Degrees north (negative south), within [-90, 90].
    pub latitude: f64,
    /// Degrees east (negative west), within [-180, 180].
    pub longitude: f64,
}

impl Coordinates {
    /// Dubai (Burj Khalifa area), the product's home market and the default in tests.
    pub const DUBAI: Coordinates = Coordinates { latitude: 25.2048, longitude: 55.2708 };

    /// Coordinates if both are finite and in range, else None.
    pub fn new(latitude: f64, longitude: f64) -> Option<Self> {
        let ok = latitude.is_finite()
            && longitude.is_finite()
            && (-90.0..=90.0).contains(&latitude)
            && (-180.0..=180.0).contains(&longitude);
        ok.then_some(Coordinates { latitude, longitude })
    }
}

/// Which half of the day an elevation crossing belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Morning: the sun is climbing.
    Rising,
    /// Evening: the sun is sinking.
    Setting,
}

/// What kind of day the sun gives at a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Daylight {
    /// The sun rises and sets.
    Normal,
    /// The sun never rises (polar night).
    PolarNight,
    /// The sun never sets (midnight sun).
    MidnightSun,
}

/// Sun events for one date. Sunrise/sunset are None on polar days and nights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SunTimes {
    pub date: NaiveDate,
    pub sunrise: Option<DateTime<Utc>>,
    pub sunset: Option<DateTime<Utc>>,
    /// Moment of highest sun; exists every day, even in polar night.
    pub solar_noon: DateTime<Utc>,
    pub daylight: Daylight,
}

/// A half-open time interval [start, end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Window {
    /// Midpoint of the window.
    pub fn middle(&self) -> DateTime<Utc> {
        self.start + (self.end - self.start) / 2
    }

    /// Length of the window.
    pub fn duration(&self) -> Duration {
        self.end - self.start
    }
}

/// Morning and evening golden hours; a window is None when the sun does not cross both bounds
/// that half-day (polar night, midnight sun, or high-latitude days where it never reaches +6°).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GoldenHours {
    /// Sun rising from −4° to +6°.
    pub morning: Option<Window>,
    /// Sun sinking from +6° to −4°.
    pub evening: Option<Window>,
}

/// Convergence tolerance for the fixed-point refinements, in minutes (0.1 s).
const TOLERANCE_MINUTES: f64 = 1.0 / 600.0;
/// Refinements needed: each moves the solar position by at most a few hours, and two already
/// agree within a second; the cap only guards against pathological oscillation.
const MAX_ITERATIONS: usize = 8;

/// Solar noon as minutes after 0h UT of `date` (refined so the equation of time is taken at noon).
fn solar_noon_minutes(at: Coordinates, date: NaiveDate) -> f64 {
    let jd = julian_day(date);
    let mut minutes = 720.0 - 4.0 * at.longitude;
    for _ in 0..MAX_ITERATIONS {
        let eq_time = solar_position(julian_century(jd + minutes / 1440.0)).equation_of_time;
        let next = 720.0 - 4.0 * at.longitude - eq_time;
        let done = (next - minutes).abs() < TOLERANCE_MINUTES;
        minutes = next;
        if done {
            break;
        }
    }
    minutes
}

/// Minutes after 0h UT of `date` when the sun crosses `elevation` going `direction`.
fn crossing_minutes(at: Coordinates, date: NaiveDate, elevation: f64, direction: Direction) -> Result<f64, NoCrossing> {
    let jd = julian_day(date);
    // Start from noon and re-solve with the sun's position at the previous estimate (NOAA's refinement).
    let mut minutes = solar_noon_minutes(at, date);
    for _ in 0..MAX_ITERATIONS {
        let pos = solar_position(julian_century(jd + minutes / 1440.0));
        let h = hour_angle(at.latitude, pos.declination, elevation)?;
        let signed = match direction {
            Direction::Rising => h,
            Direction::Setting => -h,
        };
        let next = 720.0 - 4.0 * (at.longitude + signed) - pos.equation_of_time;
        let done = (next - minutes).abs() < TOLERANCE_MINUTES;
        minutes = next;
        if done {
            break;
        }
    }
    Ok(minutes)
}

/// When the sun's centre crosses `elevation` degrees on `date`, or None if it never does.
pub fn time_at_elevation(
    at: Coordinates,
    date: NaiveDate,
    elevation: f64,
    direction: Direction,
) -> Option<DateTime<Utc>> {
    crossing_minutes(at, date, elevation, direction).ok().map(|m| utc_at_minutes(date, m))
}

/// Sunrise, sunset and solar noon on `date`.
pub fn sun_times(at: Coordinates, date: NaiveDate) -> SunTimes {
    let rise = crossing_minutes(at, date, SUNRISE_ELEVATION, Direction::Rising);
    let set = crossing_minutes(at, date, SUNRISE_ELEVATION, Direction::Setting);
    let daylight = match (rise, set) {
        (Err(NoCrossing::AlwaysBelow), _) | (_, Err(NoCrossing::AlwaysBelow)) => Daylight::PolarNight,
        (Err(NoCrossing::AlwaysAbove), _) | (_, Err(NoCrossing::AlwaysAbove)) => Daylight::MidnightSun,
        _ => Daylight::Normal,
    };
    // Report both or neither, so callers never see a sunrise without its sunset.
    let (sunrise, sunset) = match (rise, set) {
        (Ok(r), Ok(s)) => (Some(utc_at_minutes(date, r)), Some(utc_at_minutes(date, s))),
        _ => (None, None),
    };
    SunTimes { date, sunrise, sunset, solar_noon: utc_at_minutes(date, solar_noon_minutes(at, date)), daylight }
}

/// Golden-hour windows on `date`: elevation −4° → +6° in the morning, +6° → −4° in the evening.
pub fn golden_hours(at: Coordinates, date: NaiveDate) -> GoldenHours {
    let window = |from: f64, to: f64, direction: Direction| {
        let start = time_at_elevation(at, date, from, direction)?;
        let end = time_at_elevation(at, date, to, direction)?;
        (start < end).then_some(Window { start, end })
    };
    GoldenHours {
        morning: window(GOLDEN_LOW, GOLDEN_HIGH, Direction::Rising),
        evening: window(GOLDEN_HIGH, GOLDEN_LOW, Direction::Setting),
    }
}

/// Geometric elevation of the sun's centre (degrees, no refraction) at an instant.
pub fn solar_elevation(at: Coordinates, instant: DateTime<Utc>) -> f64 {
    noaa::elevation_at(at.latitude, at.longitude, instant)
}
