//! Appointment slot finders: golden-hour photography sessions and business-hours meetings.

mod business;
mod photo;
#[cfg(test)]
mod tests;

pub use business::{business_hours_slots, WorkWeek, SLOT_ALIGNMENT_MINUTES};
pub use photo::{photography_slots, GoldenKind, PhotoSlot, FRIDAY_PRAYER, MAX_DAYS_AHEAD, PHOTO_NOTICE_HOURS};
