//! Document metadata (the PDF Info dictionary) and the creation date it carries.
//!
//! Viewers show the title in their window bar and file managers index author and date. The date is a
//! parameter rather than a clock read so output stays deterministic and the crate stays pure.

/// A calendar date and time with its offset from UTC, written as a PDF date `D:YYYYMMDDHHmmSS+HH'mm'`.
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

    /// The PDF date string (PDF 1.4 §3.8.3), fields clamped to their valid ranges.
    pub(crate) fn to_pdf_string(self) -> String {
        let date = format!(
            "D:{:04}{:02}{:02}{:02}{:02}{:02}",
            self.year.min(9999),
            self.month.clamp(1, 12),
            self.day.clamp(1, 31),
            self.hour.min(23),
            self.minute.min(59),
            self.second.min(59)
        );
        let offset = i32::from(self.utc_offset_minutes).clamp(-23 * 60 - 59, 23 * 60 + 59);
        if offset == 0 {
            return date + "Z";
        }
        let sign = if offset < 0 { '-' } else { '+' };
        format!("{date}{sign}{:02}'{:02}'", offset.abs() / 60, offset.abs() % 60)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_and_offsets() {
        assert_eq!(PdfDate::utc(2025, 3, 7, 9, 5, 0).to_pdf_string(), "D:20250307090500Z");
        let dubai = PdfDate::utc(2025, 3, 7, 13, 5, 0).with_offset_minutes(240);
        assert_eq!(dubai.to_pdf_string(), "D:20250307130500+04'00'");
        let minus = PdfDate::utc(2025, 1, 1, 0, 0, 0).with_offset_minutes(-330);
        assert_eq!(minus.to_pdf_string(), "D:20250101000000-05'30'");
    }

    #[test]
    fn clamps_invalid_fields() {
        assert_eq!(PdfDate::utc(2025, 13, 0, 25, 61, 99).to_pdf_string(), "D:20251201235959Z");
    }
}
