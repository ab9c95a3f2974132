//! raster: social-media images for property listings, rendered to PNG bytes.
//!
//! Draws a listing card (price, facts, headline, agent and brokerage lines, the Trakheesi permit line and
//! its QR code) at the exact sizes the networks want — 1080×1080 square and 1200×628 landscape — onto
//! an RGB canvas with anti-aliased TrueType text, and encodes it as a standard PNG.
//!
//! Invariant: the crate is pure. No file I/O, no clock, no randomness; the DejaVu fonts are compiled in
//! with `include_bytes!`, so the same input always yields the same bytes on every machine.
//!
//! Modules, one job each: [`canvas`] (pixels, shapes, photo scaling), [`png`] (encoder), [`photo`]
//! (PNG and JPEG photos recognised and decoded), [`text`] (glyphs, wrap, fit), [`card`] (the listing
//! layout).

pub mod canvas;
pub mod card;
mod orientation;
pub mod photo;
pub mod png;
pub mod text;

pub use canvas::{Canvas, Rgb};
pub use card::{listing_card_canvas, listing_card_png, CardSize, ListingCard};
pub use photo::{PhotoError, PhotoFormat, PhotoInfo};
pub use text::{draw_text, fit, measure, wrap, Fitted, Font};

#[cfg(test)]
mod tests;
