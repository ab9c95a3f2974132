//! Number formatting for reports: thousands separators, AED amounts, AED per square foot.
//!
//! Dubai market figures are large (AED 2,450,000) and must read at a glance in tables and on chart axes,
//! so every number a helper prints goes through here. Formatting is locale-independent: `,` groups
//! thousands and `.` marks decimals, as in UAE English-language reports.

/// The unit attached to a figure; decides how it is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// A plain number.
    #[default]
    Plain,
    /// UAE dirhams.
    Aed,
    /// UAE dirhams per square foot.
    AedPerSqft,
}

impl Unit {
    /// The label shown beside an axis or after a column header, e.g. `"AED/sqft"`; empty for plain numbers.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Plain => "",
            Unit::Aed => "AED",
            Unit::AedPerSqft => "AED/sqft",
        }
    }
}

/// `value` rounded to `decimals` places with `,` between thousands: `1234567.891, 2` → `"1,234,567.89"`.
///
/// Non-finite values print as `"-"`; a value that rounds to zero never prints as `"-0"`.
pub fn thousands(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "-".to_string();
    }
    let fixed = format!("{:.*}", decimals, value.abs());
    let (int_part, frac_part) = match fixed.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (fixed.as_str(), None),
    };
    let mut grouped = String::with_capacity(int_part.len() + int_part.len() / 3 + 4);
    for (i, digit) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if let Some(frac) = frac_part {
        grouped.push('.');
        grouped.push_str(frac);
    }
    let is_zero = fixed.chars().all(|c| c == '0' || c == '.');
    if value < 0.0 && !is_zero {
        grouped.insert(0, '-');
    }
    grouped
}

/// A whole-dirham amount: `2450000.0` → `"AED 2,450,000"`.
pub fn aed(value: f64) -> String {
    format!("AED {}", thousands(value, 0))
}

/// A price per square foot: `1850.4` → `"AED 1,850/sqft"`.
pub fn aed_per_sqft(value: f64) -> String {
    format!("AED {}/sqft", thousands(value, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(0.0, 0), "0");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(1000.0, 0), "1,000");
        assert_eq!(thousands(1234567.891, 2), "1,234,567.89");
        assert_eq!(thousands(-2450000.0, 0), "-2,450,000");
        assert_eq!(thousands(999.6, 0), "1,000");
    }

    #[test]
    fn handles_odd_values() {
        assert_eq!(thousands(-0.2, 0), "0");
        assert_eq!(thousands(f64::NAN, 0), "-");
        assert_eq!(thousands(f64::INFINITY, 2), "-");
    }

    #[test]
    fn aed_helpers() {
        assert_eq!(aed(2450000.0), "AED 2,450,000");
        assert_eq!(aed_per_sqft(1850.4), "AED 1,850/sqft");
        assert_eq!(Unit::AedPerSqft.label(), "AED/sqft");
    }
}
