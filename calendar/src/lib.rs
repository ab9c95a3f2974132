//! AURA calendar: sun times, iCalendar export, appointment slots and social post planning for Dubai listings.
//!
//! Modules:
//! - [`sun`]: sunrise, sunset, solar noon and golden-hour windows (NOAA solar calculator).
//! - [`ics`]: RFC 5545 iCalendar writer (escaping, 75-octet UTF-8-safe folding, UTC times, alarms).
//! - [`slots`]: golden-hour photography sessions and business-hours meeting slots.
//! - [`social`]: content calendar for Instagram, Facebook, LinkedIn and X with budget split.
//!
//! Invariant: pure and deterministic. No file, network or clock access — "now" and every date are
//! parameters — and no randomness, so the same input always yields the same output.
//!
//! ```text
//! let times = sun::sun_times(Coordinates::DUBAI, date);
//! let shoots = slots::photography_slots(25.2048, 55.2708, now, Asia::Dubai, 14, 4, Duration::minutes(60));
//! let meetings = slots::business_hours_slots(now, Asia::Dubai, 5, Duration::minutes(30), &WorkWeek::dubai(), Duration::hours(2));
//! let plan = social::plan_posts(start, Asia::Dubai, 14, &[Platform::Instagram], &[3], Some(1000.0))?;
//! let ics = Calendar { prod_id: "-//AURA//Calendar//EN".into(), events }.to_ics();
//! ```

pub mod ics;
mod local;
pub mod slots;
pub mod social;
pub mod sun;

pub use ics::{Calendar, Event, Person};
pub use slots::{business_hours_slots, photography_slots, GoldenKind, PhotoSlot, WorkWeek};
pub use social::{plan_posts, Plan, PlanError, PlannedPost, Platform, PlatformSummary, Theme};
pub use sun::{golden_hours, sun_times, Coordinates, GoldenHours, SunTimes, Window};
