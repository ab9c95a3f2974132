//! The one source of wall-clock time: the runtime, the handlers (through `StepContext::now`) and
//! the API read the time here, so a simulated clock can drive them and a tidy test can hold the line.

use store::Timestamp;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The system's UTC clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl SystemClock {
    /// The wall clock's time (also callable without the [`Clock`] trait in scope).
    pub fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        SystemClock::now(self)
    }
}
