//! Named bounds on everything that enters the engine.
//!
//! Each limit is checked where data enters (TOML load, trigger parameters) so that the
//! store and the worker loop can rely on it without checking again.

/// A package is a human-authored DAG; more steps than this is a mistake, and step indices fit in `u16`.
pub const STEPS_PER_PACKAGE_MAX: usize = 256;
/// Keeps the claim/complete arrays and the stored `max_attempts` small.
pub const ATTEMPTS_MAX: u32 = 100;
/// A retry delay above a week is a schedule, not a retry.
pub const BACKOFF_MS_MAX: u64 = 7 * 24 * 3600 * 1000;
/// Durable sleeps (`delay`) may be long (drip campaigns run for weeks) but not unbounded.
pub const DELAY_MS_MAX: u64 = 365 * 24 * 3600 * 1000;
/// A step timeout longer than a day means the step should be split.
pub const TIMEOUT_MS_MAX: u64 = 24 * 3600 * 1000;
/// Trigger parameters are stored with every execution; keep rows small.
pub const PARAMS_BYTES_MAX: usize = 256 * 1024;
/// A package file is read whole into memory and stored per version.
pub const PACKAGE_BYTES_MAX: usize = 512 * 1024;
/// Schedules per package: cron ticks are evaluated by one leader loop.
pub const SCHEDULES_PER_PACKAGE_MAX: usize = 32;
/// Parameters per package.
pub const PARAMETERS_PER_PACKAGE_MAX: usize = 64;

const _: () = assert!(STEPS_PER_PACKAGE_MAX <= u16::MAX as usize);
