//! Benchmarks only: see `benches/core.rs` and `README.md`.
