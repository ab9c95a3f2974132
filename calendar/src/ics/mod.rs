//! RFC 5545 iCalendar writer: a calendar of events (with optional alarm and attendees) to `.ics` text.
//!
//! Output uses CRLF line endings, folds at 75 octets without splitting UTF-8 characters, escapes
//! TEXT values, and writes every date-time in UTC (`YYYYMMDDTHHMMSSZ`) so no VTIMEZONE is needed.

#[cfg(test)]
mod tests;
pub mod text;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use text::{escape_text, mailto, push_folded, quote_param, utc_stamp};

/// A VCALENDAR object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    /// PRODID, e.g. `-//AURA//Calendar 1.0//EN`.
    pub prod_id: String,
    pub events: Vec<Event>,
}

/// A person addressed by email (ORGANIZER / ATTENDEE as a `mailto:` URI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub email: String,
    /// Display name, written as the CN parameter.
    pub name: Option<String>,
}

/// A VEVENT. Times are UTC; the caller keeps `end` after `start` and `uid` globally unique.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub uid: String,
    /// When this representation was created; a parameter because the crate never reads the clock.
    pub dtstamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    /// (latitude, longitude) in degrees; skipped if non-finite or out of range.
    pub geo: Option<(f64, f64)>,
    pub categories: Vec<String>,
    /// A display alarm this many minutes before `start`.
    pub alarm_minutes_before: Option<u32>,
    pub organizer: Option<Person>,
    pub attendees: Vec<Person>,
}

impl Event {
    /// An event with the required fields and nothing optional.
    pub fn new(
        uid: impl Into<String>,
        dtstamp: DateTime<Utc>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        summary: impl Into<String>,
    ) -> Self {
        Event {
            uid: uid.into(),
            dtstamp,
            start,
            end,
            summary: summary.into(),
            description: None,
            location: None,
            geo: None,
            categories: Vec::new(),
            alarm_minutes_before: None,
            organizer: None,
            attendees: Vec::new(),
        }
    }

    fn write(&self, out: &mut String) {
        push_folded(out, "BEGIN:VEVENT");
        push_folded(out, &format!("UID:{}", escape_text(&self.uid)));
        push_folded(out, &format!("DTSTAMP:{}", utc_stamp(self.dtstamp)));
        push_folded(out, &format!("DTSTART:{}", utc_stamp(self.start)));
        push_folded(out, &format!("DTEND:{}", utc_stamp(self.end)));
        push_folded(out, &format!("SUMMARY:{}", escape_text(&self.summary)));
        if let Some(description) = &self.description {
            push_folded(out, &format!("DESCRIPTION:{}", escape_text(description)));
        }
        if let Some(location) = &self.location {
            push_folded(out, &format!("LOCATION:{}", escape_text(location)));
        }
        if let Some((lat, lon)) = self.geo {
            if lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0 {
                push_folded(out, &format!("GEO:{lat:.6};{lon:.6}"));
            }
        }
        let categories: Vec<String> =
            self.categories.iter().filter(|c| !c.is_empty()).map(|c| escape_text(c)).collect();
        if !categories.is_empty() {
            // The separating commas stay unescaped: CATEGORIES is a list of TEXT values.
            push_folded(out, &format!("CATEGORIES:{}", categories.join(",")));
        }
        if let Some(organizer) = &self.organizer {
            push_folded(out, &format!("ORGANIZER{}:{}", cn_param(organizer), mailto(&organizer.email)));
        }
        for attendee in &self.attendees {
            push_folded(
                out,
                &format!(
                    "ATTENDEE{};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:{}",
                    cn_param(attendee),
                    mailto(&attendee.email)
                ),
            );
        }
        if let Some(minutes) = self.alarm_minutes_before {
            push_folded(out, "BEGIN:VALARM");
            push_folded(out, "ACTION:DISPLAY");
            // DISPLAY alarms require a DESCRIPTION (§3.6.6).
            push_folded(out, &format!("DESCRIPTION:{}", escape_text(&format!("Reminder: {}", self.summary))));
            push_folded(out, &format!("TRIGGER:{}", trigger_before(minutes)));
            push_folded(out, "END:VALARM");
        }
        push_folded(out, "END:VEVENT");
    }
}

impl Calendar {
    /// Serialises the calendar as RFC 5545 text.
    pub fn to_ics(&self) -> String {
        let mut out = String::new();
        push_folded(&mut out, "BEGIN:VCALENDAR");
        push_folded(&mut out, "VERSION:2.0");
        push_folded(&mut out, &format!("PRODID:{}", escape_text(&self.prod_id)));
        push_folded(&mut out, "CALSCALE:GREGORIAN");
        for event in &self.events {
            event.write(&mut out);
        }
        push_folded(&mut out, "END:VCALENDAR");
        out
    }
}

/// `;CN="…"` when the person has a non-empty name.
fn cn_param(person: &Person) -> String {
    match person.name.as_deref() {
        Some(name) if !name.is_empty() => format!(";CN={}", quote_param(name)),
        _ => String::new(),
    }
}

/// A TRIGGER duration relative to the start, e.g. 90 → `-PT1H30M`, 1440 → `-P1D`, 0 → `PT0S`.
pub(crate) fn trigger_before(minutes: u32) -> String {
    if minutes == 0 {
        return "PT0S".to_string();
    }
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let mut out = String::from("-P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if hours > 0 || mins > 0 {
        out.push('T');
        if hours > 0 {
            out.push_str(&format!("{hours}H"));
        }
        if mins > 0 {
            out.push_str(&format!("{mins}M"));
        }
    }
    out
}
