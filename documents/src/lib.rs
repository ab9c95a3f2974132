//! A small, dependency-free PDF 1.4 writer for AURA's printed output: CMA reports, brochures, postcards.
//!
//! A tour: a [`Document`] holds pages of any [`PageSize`] (with optional bleed for print). Each page is a
//! [`Page`] you draw on in PDF points (1/72 in), origin at the bottom-left of the trim box, y growing
//! upwards: text in the standard fonts ([`Font`], measured with [`text_width`] and wrapped with
//! [`wrap_text`]), lines, rectangles, circles, raw RGB images ([`Image`]) and QR-style module grids.
//! On top of that sit three helpers: [`table`] (paginating tables that repeat their header),
//! [`chart`] (bar and line charts with axes and a legend) and [`layout`] (A4 report frame with header,
//! footer and "Page N of M"). [`Document::finish`] serialises everything into a `Vec<u8>`.
//!
//! **Architecture invariant:** pure. No file I/O, no clock reads (the creation date is a parameter), no
//! dependencies. Output is deterministic: the same calls give the same bytes.
//!
//! **Text encoding:** strings are written in WinAnsiEncoding (Windows-1252), the encoding every viewer
//! supports for the non-embedded standard fonts. Characters outside it (Arabic, CJK, emoji, …) are
//! replaced by `?`; tabs become spaces and other control characters `?` too. Document info strings
//! (title, author) are not limited this way: they are written as UTF-16.

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
mod pdf;
mod style;
pub mod table;
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
