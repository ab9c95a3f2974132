//! Progress and ETA of an execution, from its step statuses and duration estimates.
//!
//! Progress is weighted by each step's estimated duration, so a long CMA counts for more than a
//! quick validation. It only counts finished-and-done steps, so it never goes backwards: no
//! transition turns a succeeded or skipped step into anything else.

use std::time::Duration;

use crate::dag::{Dag, StepIdx};
use crate::run::StepStatus;

#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// 0–100, weighted by estimated step durations.
    pub percentage: f64,
    pub total: usize,
    pub completed: usize,
    pub running: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// Samples after which observed durations outweigh the package author's estimate.
const CALIBRATION_SAMPLES: f64 = 5.0;

/// Blends the declared estimate with the mean observed duration of the step's handler: with no
/// samples the estimate stands, with many the observation wins.
pub fn calibrated_estimate(declared: Duration, observed_mean: Option<Duration>, samples: u64) -> Duration {
    match observed_mean {
        Some(mean) if samples > 0 => {
            let w = samples as f64 / (samples as f64 + CALIBRATION_SAMPLES);
            Duration::from_secs_f64(declared.as_secs_f64() * (1.0 - w) + mean.as_secs_f64() * w)
        }
        _ => declared,
    }
}

pub fn progress(statuses: &[StepStatus], estimates: &[Duration]) -> Progress {
    // Every step weighs at least 1 ms so that zero estimates still move the bar.
    let weight = |i: usize| estimates[i].max(Duration::from_millis(1)).as_secs_f64();
    // fold from +0.0: an empty f64 `sum()` is -0.0, which prints as "-0.0%".
    let total_weight = (0..statuses.len()).map(weight).fold(0.0, |a, b| a + b);
    let done_weight = (0..statuses.len()).filter(|&i| statuses[i].is_done()).map(weight).fold(0.0, |a, b| a + b);
    let count = |st: StepStatus| statuses.iter().filter(|s| **s == st).count();
    let percentage = if total_weight > 0.0 { (done_weight / total_weight * 100.0).clamp(0.0, 100.0) } else { 100.0 };
    Progress {
        percentage,
        total: statuses.len(),
        completed: count(StepStatus::Succeeded) + count(StepStatus::Skipped),
        running: count(StepStatus::Running),
        failed: count(StepStatus::Failed),
        skipped: count(StepStatus::Skipped),
    }
}

/// Time left: the longest remaining path, where done steps take nothing and a running step takes
/// what is left of its estimate (at least nothing).
pub fn time_remaining(
    dag: &Dag,
    statuses: &[StepStatus],
    estimates: &[Duration],
    running_for: impl Fn(StepIdx) -> Duration,
) -> Duration {
    let remaining: Vec<Duration> = dag
        .steps()
        .map(|s| match statuses[s.index()] {
            StepStatus::Running => estimates[s.index()].saturating_sub(running_for(s)),
            st if st.is_terminal() => Duration::ZERO,
            _ => estimates[s.index()],
        })
        .collect();
    dag.longest_path(&remaining, |_| true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use StepStatus::*;

    fn diamond() -> Dag {
        let i = |v: &[u16]| v.iter().map(|&x| StepIdx(x)).collect::<Vec<_>>();
        Dag::new(&[i(&[]), i(&[0]), i(&[0]), i(&[1, 2])]).unwrap()
    }

    #[test]
    fn weighted_percentage() {
        let est = [1, 5, 2, 2].map(Duration::from_secs);
        let p = progress(&[Succeeded, Running, Succeeded, Pending], &est);
        assert!((p.percentage - 30.0).abs() < 1e-9);
        assert_eq!((p.completed, p.running, p.total), (2, 1, 4));
    }

    #[test]
    fn remaining_follows_critical_path() {
        let dag = diamond();
        let est = [1, 5, 2, 2].map(Duration::from_secs);
        let left = time_remaining(&dag, &[Succeeded, Running, Succeeded, Pending], &est, |_| Duration::from_secs(3));
        assert_eq!(left, Duration::from_secs(4));
    }

    #[test]
    fn calibration_moves_toward_observations() {
        let d = Duration::from_secs(10);
        assert_eq!(calibrated_estimate(d, None, 0), d);
        let c = calibrated_estimate(d, Some(Duration::from_secs(20)), 5);
        assert_eq!(c, Duration::from_secs(15));
    }
}
