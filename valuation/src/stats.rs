//! Small robust statistics helpers (medians, weighted quantiles, robust spread) shared by the engine.

/// Median of the values (0 for an empty slice); NaNs are not expected.
pub fn median(v: &[f64]) -> f64 {
    quantile(v, 0.5)
}

/// Linear-interpolated quantile `q` in 0..=1 (0 for an empty slice).
pub fn quantile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (s.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
}

/// Weighted quantile: the value where the cumulative weight (mid-point rule) reaches `q` of the total.
pub fn weighted_quantile(pairs: &[(f64, f64)], q: f64) -> f64 {
    let mut s: Vec<(f64, f64)> = pairs.iter().copied().filter(|p| p.1 > 0.0).collect();
    if s.is_empty() {
        return 0.0;
    }
    s.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = s.iter().map(|p| p.1).sum();
    let mut cum = 0.0;
    let mut prev: Option<(f64, f64)> = None;
    for &(v, w) in &s {
        let mid = (cum + w / 2.0) / total;
        if mid >= q {
            return match prev {
                Some((pv, pm)) if mid > pm => pv + (v - pv) * (q - pm) / (mid - pm),
                _ => v,
            };
        }
        prev = Some((v, mid));
        cum += w;
    }
    s[s.len() - 1].0
}

/// Robust standard deviation: 1.4826 × median absolute deviation.
pub fn mad_sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let m = median(v);
    1.4826 * median(&v.iter().map(|x| (x - m).abs()).collect::<Vec<_>>())
}

/// Kish effective sample size of a set of weights.
pub fn effective_n(weights: &[f64]) -> f64 {
    let s: f64 = weights.iter().sum();
    let s2: f64 = weights.iter().map(|w| w * w).sum();
    if s2 > 0.0 {
        s * s / s2
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 3.0, 4.0]), 2.5);
        assert!((weighted_quantile(&[(1.0, 1.0), (2.0, 1.0), (10.0, 0.1)], 0.5) - 1.55).abs() < 1e-9);
        assert_eq!(weighted_quantile(&[(5.0, 1.0)], 0.9), 5.0);
        assert!((effective_n(&[1.0, 1.0, 1.0, 1.0]) - 4.0).abs() < 1e-12);
        assert!((mad_sd(&[1.0, 2.0, 3.0, 4.0, 100.0]) - 1.4826).abs() < 1e-9);
    }
}
