//! Counters and histograms of the worker loop, rendered as Prometheus text by the API.
//! Plain atomics: recording costs a relaxed add, nothing on the hot path allocates except the
//! first observation of a handler name.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Upper bounds (seconds) of the step duration histogram buckets.
const BUCKETS: [f64; 14] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

#[derive(Default)]
pub struct Metrics {
    pub steps_started: AtomicU64,
    pub steps_succeeded: AtomicU64,
    pub steps_failed: AtomicU64,
    pub steps_retried: AtomicU64,
    pub steps_skipped: AtomicU64,
    pub leases_reclaimed: AtomicU64,
    pub completions_fenced: AtomicU64,
    durations: Mutex<BTreeMap<String, Histogram>>,
    /// Per-minute outcome counts of the last `RECENT_MINUTES` minutes, for rates.
    recent: Mutex<[MinuteCounts; RECENT_MINUTES]>,
}

/// Minutes of per-minute history kept for throughput and error rates.
pub const RECENT_MINUTES: usize = 16;

/// Outcomes counted in one wall-clock minute.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MinuteCounts {
    /// Minutes since the Unix epoch.
    pub minute: i64,
    pub succeeded: u64,
    pub failed: u64,
    pub retried: u64,
}

/// Which counter a checkpointed outcome bumps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeKind {
    Succeeded,
    Skipped,
    Retried,
    Failed,
}

#[derive(Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts one checkpointed outcome in the totals and in the minute it happened.
    pub fn count_outcome(&self, kind: OutcomeKind, minute: i64) {
        let counter = match kind {
            OutcomeKind::Succeeded => &self.steps_succeeded,
            OutcomeKind::Skipped => &self.steps_skipped,
            OutcomeKind::Retried => &self.steps_retried,
            OutcomeKind::Failed => &self.steps_failed,
        };
        Metrics::add(counter, 1);
        let mut ring = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        let slot = &mut ring[minute.rem_euclid(RECENT_MINUTES as i64) as usize];
        if slot.minute != minute {
            *slot = MinuteCounts { minute, ..MinuteCounts::default() };
        }
        match kind {
            OutcomeKind::Succeeded | OutcomeKind::Skipped => slot.succeeded += 1,
            OutcomeKind::Retried => slot.retried += 1,
            OutcomeKind::Failed => slot.failed += 1,
        }
    }

    /// Sums of the `minutes` complete minutes before `now_minute` (at most `RECENT_MINUTES - 1`).
    pub fn recent(&self, now_minute: i64, minutes: usize) -> MinuteCounts {
        let ring = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        let minutes = minutes.min(RECENT_MINUTES - 1) as i64;
        let mut sum = MinuteCounts { minute: now_minute, ..MinuteCounts::default() };
        for slot in ring.iter().filter(|s| s.minute < now_minute && s.minute >= now_minute - minutes) {
            sum.succeeded += slot.succeeded;
            sum.failed += slot.failed;
            sum.retried += slot.retried;
        }
        sum
    }

    /// Records how long one handler run took.
    pub fn observe(&self, handler: &str, seconds: f64) {
        let mut map = self.durations.lock().unwrap_or_else(|e| e.into_inner());
        let h = map.entry(handler.to_string()).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    pub fn render(&self, out: &mut String) {
        let counters = [
            ("aura_steps_started_total", "Step attempts started.", &self.steps_started),
            ("aura_steps_succeeded_total", "Steps checkpointed as succeeded.", &self.steps_succeeded),
            ("aura_steps_failed_total", "Steps failed for good.", &self.steps_failed),
            ("aura_steps_retried_total", "Failed attempts with a retry scheduled.", &self.steps_retried),
            ("aura_steps_skipped_total", "Steps skipped by their condition.", &self.steps_skipped),
            (
                "aura_lease_reclaims_total",
                "Steps taken over after their worker's lease expired.",
                &self.leases_reclaimed,
            ),
            (
                "aura_completions_fenced_total",
                "Completions rejected because their attempt was stale.",
                &self.completions_fenced,
            ),
        ];
        for (name, help, value) in counters {
            let _ =
                writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", value.load(Ordering::Relaxed));
        }
        let name = "aura_step_duration_seconds";
        let _ = writeln!(out, "# HELP {name} Handler run time per step attempt.\n# TYPE {name} histogram");
        let map = self.durations.lock().unwrap_or_else(|e| e.into_inner());
        for (handler, h) in map.iter() {
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(out, "{name}_bucket{{handler=\"{handler}\",le=\"{bound}\"}} {}", h.counts[i]);
            }
            let _ = writeln!(out, "{name}_bucket{{handler=\"{handler}\",le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(out, "{name}_sum{{handler=\"{handler}\"}} {}", h.sum);
            let _ = writeln!(out, "{name}_count{{handler=\"{handler}\"}} {}", h.count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        Metrics::add(&m.steps_started, 3);
        m.observe("noop", 0.003);
        m.observe("noop", 0.2);
        let mut out = String::new();
        m.render(&mut out);
        assert!(out.contains("aura_steps_started_total 3"));
        assert!(out.contains("aura_step_duration_seconds_bucket{handler=\"noop\",le=\"0.005\"} 1"));
        assert!(out.contains("aura_step_duration_seconds_bucket{handler=\"noop\",le=\"0.25\"} 2"));
        assert!(out.contains("aura_step_duration_seconds_count{handler=\"noop\"} 2"));
    }

    #[test]
    fn recent_minutes_roll_over() {
        let m = Metrics::default();
        m.count_outcome(OutcomeKind::Succeeded, 100);
        m.count_outcome(OutcomeKind::Failed, 100);
        m.count_outcome(OutcomeKind::Succeeded, 101);
        m.count_outcome(OutcomeKind::Retried, 102); // the current minute is not complete yet
        assert_eq!(m.recent(102, 5), MinuteCounts { minute: 102, succeeded: 2, failed: 1, retried: 0 });
        // Sixteen minutes later minute 100's slot is reused and its counts are gone.
        m.count_outcome(OutcomeKind::Succeeded, 100 + RECENT_MINUTES as i64);
        assert_eq!(m.recent(100 + RECENT_MINUTES as i64 + 1, 5).succeeded, 1);
        assert_eq!(m.steps_succeeded.load(Ordering::Relaxed), 3);
    }
}
