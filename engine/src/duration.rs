//! Human durations as written in package files: `500ms`, `30s`, `5m`, `2h`, `2d`, `1h30m`.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid duration `{text}`: {reason} (write e.g. 500ms, 30s, 5m, 2h, 2d or 1h30m)")]
pub struct DurationError {
    pub text: String,
    pub reason: &'static str,
}

/// Parses a sequence of `<integer><unit>` parts; units are ms, s, m, h, d, w.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let err = |reason| DurationError { text: text.to_string(), reason };
    let s = text.trim();
    if s.is_empty() {
        return Err(err("empty"));
    }
    let mut total_ms: u64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(err("expected a number"));
        }
        let value: u64 = rest[..digits].parse().map_err(|_| err("number too large"))?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let unit_ms: u64 = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            "" => return Err(err("missing unit")),
            _ => return Err(err("unknown unit")),
        };
        rest = &rest[unit_len..];
        let part = value.checked_mul(unit_ms).ok_or_else(|| err("too large"))?;
        total_ms = total_ms.checked_add(part).ok_or_else(|| err("too large"))?;
    }
    Ok(Duration::from_millis(total_ms))
}

/// Formats a duration in the same notation, largest units first (`1h30m`, `250ms`).
pub fn format_duration(d: Duration) -> String {
    let mut ms = d.as_millis() as u64;
    if ms == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
        if ms >= size {
            out.push_str(&format!("{}{unit}", ms / size));
            ms %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_compounds() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(2 * 86_400));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5_400));
        assert_eq!(parse_duration("1w").unwrap(), Duration::from_secs(604_800));
    }

    #[test]
    fn rejects_bad_text() {
        for bad in ["", "5", "m", "5x", "1.5h", "-3s", "99999999999999999999s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_round_trip() {
        for text in ["1h30m", "250ms", "2d", "45s"] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), text);
        }
    }
}
