//! AURA's printed output, CMA reports, brochures, postcards, agreements, as PDF.
//!
//! A tour: a [`Document`] holds pages of any [`PageSize`] (with optional bleed for print). Each page is a
//! [`Page`] you draw on in PDF points (1/72 in), origin at the bottom-left of the trim box, y growing
//! upwards: text in the embedded DejaVu faces ([`Font`], measured with [`text_width`] and wrapped with
//! [`wrap_text`]), lines, rectangles, circles, raw RGB images ([`Image`]) and QR-style module grids.
//! On top of that sit three helpers: [`table`] (paginating tables that repeat their header),
//! [`chart`] (bar and line charts with axes and a legend) and [`layout`] (A4 report frame with header,
//! footer and "Page N of M"). [`Document::finish`] serialises everything into a `Vec<u8>`.
//!
//! **Architecture invariant:** pure. No file I/O, no clock reads (the creation date is a parameter).
//! Output is deterministic: the same calls give the same bytes. Pages record drawing operations; only
//! `render` knows the PDF writer (krilla), so the rest of the crate is layout in plain types.
//!
//! **Text:** any script DejaVu Sans covers (Latin, Greek, Cyrillic, Arabic) prints as written; lines are
//! reordered by the Unicode bidi algorithm and shaped (Arabic joins and reads right to left). Fonts are
//! embedded as subsets with ToUnicode maps, so text copied out of a viewer is the text that went in.
//! Control characters are not drawn; tabs are spaces.
//!
//! With the `testing` feature, [`testing`] reads produced files back (text runs and their positions,
//! page text, images) for tests here and in the crates that print.

pub mod chart;
mod color;
mod document;
mod font;
pub mod format;
mod geometry;
mod image;
mod info;
pub mod layout;
mod page;
mod render;
mod style;
pub mod table;
#[cfg(feature = "testing")]
pub mod testing;
mod wrap;

pub use color::Color;
pub use document::{Document, PageId};
pub use font::{text_width, Font};
pub use geometry::{PageSize, Point, Rect};
pub use image::{Image, ImageError, ImageId};
pub use info::{DocInfo, PdfDate};
pub use page::Page;
pub use style::{Align, Stroke, TextStyle};
pub use wrap::wrap_text;
