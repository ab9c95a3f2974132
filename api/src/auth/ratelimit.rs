//! Login attempt limits per client address and per account: a sliding window in memory.
//! Per process: with several API nodes each enforces its own window, which still bounds a
//! guessing attack by the node count.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys tracked at once; the oldest windows are dropped beyond this.
const KEYS_MAX: usize = 100_000;

pub struct RateLimiter {
    window: Duration,
    max: usize,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> RateLimiter {
        RateLimiter { window, max, hits: Mutex::new(HashMap::new()) }
    }

    /// Records an attempt for `key`; `Err(retry_after)` when over the limit.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if hits.len() >= KEYS_MAX {
            let window = self.window;
            hits.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let q = hits.entry(key.to_string()).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            q.pop_front();
        }
        if q.len() >= self.max {
            let oldest = *q.front().expect("non-empty when over the limit");
            return Err(self.window.saturating_sub(now.duration_since(oldest)));
        }
        q.push_back(now);
        Ok(())
    }

    /// Forgets a key's attempts (after a successful login).
    pub fn reset(&self, key: &str) {
        self.hits.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_within_the_window_only() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let t = Instant::now();
        assert!(l.check("k", t).is_ok());
        assert!(l.check("k", t).is_ok());
        assert!(l.check("k", t + Duration::from_secs(1)).is_err());
        assert!(l.check("other", t).is_ok());
        assert!(l.check("k", t + Duration::from_secs(61)).is_ok());
        l.reset("k");
        assert!(l.check("k", t + Duration::from_secs(62)).is_ok());
    }
}
