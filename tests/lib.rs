//! Integration tests live in `it/`; this library is empty so that the crate has a target.
