//! The pure core of AURA's workflow engine.
//!
//! A tour: a package file is parsed and validated into a [`package::Package`] (every problem
//! reported with line and column); its steps form a [`dag::Dag`]; an execution of it moves through
//! the states of [`run::RunState`]; failed attempts are retried per [`retry::RetryPolicy`];
//! [`progress`] turns step statuses into a percentage and an ETA; [`schedule`] turns cron text into
//! ticks; [`condition`] evaluates a step's `when`.
//!
//! **Architecture invariant:** no I/O, no async, no clock reads, no randomness source. Time and
//! random numbers are parameters, so every function here is deterministic and tested without a
//! database. The store, the worker loop and the HTTP layer live in other crates.

pub mod condition;
pub mod dag;
pub mod duration;
pub mod limits;
pub mod package;
pub mod progress;
pub mod retry;
pub mod run;
pub mod schedule;

pub use dag::{Dag, StepIdx};
pub use package::Package;
pub use run::{Control, ExecutionStatus, RunState, StepOutcome, StepStatus};
