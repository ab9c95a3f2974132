//! AURA's integration tests: one binary, one module per layer.
//!
//! - `conformance`: the `Store` contract, every test on SQLite and on PostgreSQL.
//! - `engine_runs`: packages run to completion by real workers, retries, timeouts, controls.
//! - `api`: the HTTP API through the router (no socket), on both backends.
//! - `analytics`: metrics, goals and dashboards in the store and through the API, with exports.
//! - `contract`: wraps the API tests' routers; every answer is checked against `/openapi.json`.
//! - `tidy`: the architecture's boundaries (pure engine, SQL only in the store, …).
//!
//! The crash test, which needs the `aura` binary, lives in `aura/tests/crash.rs`.

mod support;

mod accounts;
mod analytics;
mod api;
mod cma;
mod conformance;
mod console;
mod console_browser;
mod contract;
mod domain;
mod engine_runs;
mod hardening;
mod isolation;
mod marketing;
mod outreach;
mod packages;
mod photos;
mod records;
mod settings;
mod tidy;
mod worker_faults;
