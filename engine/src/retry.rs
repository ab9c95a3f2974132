//! Retry policy and the backoff formula.
//!
//! Retries are durable: the next attempt's time is computed once, from the stored attempt
//! number and the policy, and written to the step row as `ready_at`. So the engine needs the
//! delay formula only, not a retry loop; the random part is a parameter (`unit`), which keeps
//! this module pure and its results reproducible in tests.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Total attempts including the first one (1 = never retry).
    pub max_attempts: u32,
    pub initial: Duration,
    pub multiplier: f64,
    pub max: Duration,
    /// Fraction of the delay that is randomised away: 0 = none, 1 = "full jitter".
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial: Duration::from_secs(1),
            multiplier: 2.0,
            max: Duration::from_secs(300),
            jitter: 0.2,
        }
    }
}

/// How a failed attempt failed, as the handler reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Worth trying again (network, timeout, lost lease).
    Retryable,
    /// Trying again cannot help (bad input, business rule).
    Permanent,
}

/// What happens after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AfterFailure {
    RetryIn(Duration),
    Fail,
}

impl RetryPolicy {
    /// Delay before attempt `attempt + 1`, after attempt `attempt` (1-based) failed.
    /// `unit` is a uniform random number in [0, 1).
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(64) as i32;
        let raw = self.initial.as_secs_f64() * self.multiplier.powi(exponent);
        let capped = raw.min(self.max.as_secs_f64());
        let jittered = capped * (1.0 - self.jitter * unit.clamp(0.0, 1.0));
        let max_ms = crate::limits::BACKOFF_MS_MAX as f64 / 1000.0;
        Duration::from_secs_f64(jittered.clamp(0.0, max_ms))
    }

    /// Decides between retrying and failing for attempt `attempt` (1-based).
    pub fn after_failure(&self, attempt: u32, kind: FailureKind, unit: f64) -> AfterFailure {
        if kind == FailureKind::Permanent || attempt >= self.max_attempts {
            AfterFailure::Fail
        } else {
            AfterFailure::RetryIn(self.delay(attempt, unit))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(jitter: f64) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            initial: Duration::from_secs(1),
            multiplier: 2.0,
            max: Duration::from_secs(10),
            jitter,
        }
    }

    #[test]
    fn grows_exponentially_then_caps() {
        let p = policy(0.0);
        let delays: Vec<u64> = (1..=6).map(|a| p.delay(a, 0.5).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 10, 10]);
    }

    #[test]
    fn jitter_only_shortens_within_its_fraction() {
        let p = policy(0.5);
        assert_eq!(p.delay(3, 0.0), Duration::from_secs(4));
        assert_eq!(p.delay(3, 0.5), Duration::from_secs(3));
        assert!(p.delay(3, 0.999) > Duration::from_secs(2));
    }

    #[test]
    fn permanent_and_last_attempt_fail() {
        let p = policy(0.0);
        assert_eq!(p.after_failure(1, FailureKind::Permanent, 0.0), AfterFailure::Fail);
        assert_eq!(p.after_failure(5, FailureKind::Retryable, 0.0), AfterFailure::Fail);
        assert_eq!(p.after_failure(2, FailureKind::Retryable, 0.0), AfterFailure::RetryIn(Duration::from_secs(2)));
    }

    #[test]
    fn huge_attempts_do_not_overflow() {
        let p = RetryPolicy { max: Duration::from_secs(u32::MAX as u64), ..policy(0.0) };
        assert!(p.delay(u32::MAX, 0.0).as_millis() as u64 <= crate::limits::BACKOFF_MS_MAX);
    }
}
