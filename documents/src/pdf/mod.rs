//! Low-level PDF serialisation: token syntax and the object/xref file structure.
//!
//! Nothing here knows about pages or drawing; `document` assembles objects and hands them to the writer.

pub(crate) mod syntax;
pub(crate) mod writer;
