//! The value axis: "nice" tick steps (1, 2, 2.5, 5 × 10ⁿ) covering the data, and their labels.
//!
//! Axis ticks such as 0 / 500,000 / 1,000,000 read instantly; raw data bounds (0 / 487,213 / …) do not.
//! Degenerate data (one value, all equal, all zero) still yields a usable non-empty range.

use crate::format::thousands;

/// A value range split into equal tick steps; `min` and `max` are multiples of `step`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scale {
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

impl Scale {
    /// A scale covering `lo..=hi` with about `target_ticks` ticks.
    pub(crate) fn nice(lo: f64, hi: f64, target_ticks: usize) -> Scale {
        let (mut lo, mut hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        if !lo.is_finite() || !hi.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
            // A single value: centre it in a range of ±10 % (or 0..1 for zero).
            let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
            (lo, hi) = if lo >= 0.0 && lo - pad < 0.0 { (0.0, lo + pad) } else { (lo - pad, hi + pad) };
        }
        let step = nice_step((hi - lo) / target_ticks.max(2) as f64);
        let min = (lo / step).floor() * step;
        let max = (hi / step).ceil() * step;
        Scale { min, max: if max > min { max } else { min + step }, step }
    }

    /// Tick values from `min` to `max` inclusive.
    pub(crate) fn ticks(&self) -> Vec<f64> {
        let n = ((self.max - self.min) / self.step).round() as usize;
        (0..=n).map(|i| self.min + i as f64 * self.step).collect()
    }

    /// `value`'s position as a fraction of the range (0 at `min`, 1 at `max`).
    pub(crate) fn fraction(&self, value: f64) -> f32 {
        ((value - self.min) / (self.max - self.min)) as f32
    }

    /// A tick label with thousands separators and as many decimals as the step needs (same for all ticks).
    pub(crate) fn label(&self, value: f64) -> String {
        let decimals = (0..=6)
            .find(|&d| {
                let scaled = self.step * 10f64.powi(d);
                (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
            })
            .unwrap_or(6) as usize;
        thousands(value, decimals)
    }
}

/// The smallest of 1, 2, 2.5, 5 × 10ⁿ that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = if raw > 0.0 && raw.is_finite() { raw } else { 1.0 };
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().find(|n| fraction <= n + 1e-9).unwrap_or(10.0);
    nice * magnitude
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_data_with_round_steps() {
        let s = Scale::nice(0.0, 2_430_000.0, 5);
        assert_eq!(s.step, 500_000.0);
        assert_eq!((s.min, s.max), (0.0, 2_500_000.0));
        assert_eq!(s.ticks().len(), 6);
        assert_eq!(s.label(1_500_000.0), "1,500,000");
    }

    #[test]
    fn degenerate_ranges_are_widened() {
        let zero = Scale::nice(0.0, 0.0, 5);
        assert!(zero.max > zero.min);
        let single = Scale::nice(1850.0, 1850.0, 5);
        assert!(single.min <= 1850.0 && single.max >= 1850.0 && single.max > single.min);
        assert!(single.min >= 0.0, "a positive value keeps a non-negative axis: {single:?}");
        let nan = Scale::nice(f64::NAN, 3.0, 5);
        assert!(nan.max > nan.min);
    }

    #[test]
    fn fractional_steps_get_decimals() {
        let s = Scale::nice(0.0, 1.0, 4);
        assert_eq!(s.step, 0.25);
        assert_eq!(s.label(0.25), "0.25");
        let t = Scale::nice(0.0, 0.8, 4);
        assert_eq!(t.step, 0.2);
        assert_eq!(t.label(0.4), "0.4");
        assert_eq!(t.label(0.0), "0.0");
    }
}
