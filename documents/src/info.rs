//! Document metadata (the PDF Info dictionary) and the creation date it carries.
//!
//! Viewers show the title in their window bar and file managers index author and date. The date is a
//! parameter rather than a clock read so output stays deterministic and the crate stays pure.

/// A calendar date and time with its offset from UTC, written as the PDF and XMP creation date; fields out of range are clamped when written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdfDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// Offset from UTC in minutes (Dubai is +240).
    pub utc_offset_minutes: i16,
}

impl PdfDate {
    /// A UTC date and time.
    pub const fn utc(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> PdfDate {
        PdfDate { year, month, day, hour, minute, second, utc_offset_minutes: 0 }
    }

    /// The same wall-clock time at another UTC offset, in minutes.
    pub const fn with_offset_minutes(self, utc_offset_minutes: i16) -> PdfDate {
        PdfDate { utc_offset_minutes, ..self }
    }
}

/// What goes into the Info dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocInfo {
    pub title: String,
    pub author: String,
    /// Optional one-line description; omitted from the file when empty.
    pub subject: String,
    /// The producing software, e.g. `"AURA"`.
    pub producer: String,
    pub creation_date: PdfDate,
}

impl DocInfo {
    /// Info with a title, an author and a creation date; producer "AURA", no subject.
    pub fn new(title: impl Into<String>, author: impl Into<String>, creation_date: PdfDate) -> DocInfo {
        DocInfo {
            title: title.into(),
            author: author.into(),
            subject: String::new(),
            producer: "AURA".to_string(),
            creation_date,
        }
    }
}
