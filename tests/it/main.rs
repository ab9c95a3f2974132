//! AURA's integration tests: one binary, one module per layer.
//!
//! - `conformance`: the `Store` contract, every test on SQLite and on PostgreSQL.
//! - `engine_runs`: packages run to completion by real workers, retries, timeouts, controls.
//! - `crash`: real `aura worker` processes on PostgreSQL, one killed with SIGKILL mid-step.
//! - `api`: the HTTP API through the router, without a socket.

mod support;

mod conformance;
mod engine_runs;
