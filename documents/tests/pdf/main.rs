//! End-to-end tests: documents are built through the public API, serialised, and parsed back with an
//! independent reader (lopdf) to check that real viewers will see the structure, text and images.
//!
//! One test binary (this directory) keeps link time down; each module covers one feature.

mod chart;
mod image;
mod sample;
mod structure;
mod support;
mod table;
mod text;
