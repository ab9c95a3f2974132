//! Reading produced PDFs back, for tests (feature `testing`): the text runs of a page with their font,
//! size and position, the text of a page or a whole file, the embedded images and where they are drawn.
//!
//! The reader is lopdf, independent of the writer, so a test that passes here passes because the file
//! says what it should, not because writer and reader share a mistake. Positions are in this crate's
//! drawing coordinates (points from the bottom-left of the trim box), so a test can compare them with the
//! rectangles the layout used.

use std::collections::BTreeMap;

use lopdf::content::Content;
use lopdf::{Document as Pdf, Encoding, Object};

use crate::{text_width, Font, Rect};

/// Parses `bytes`, failing the test with the reader's error if they are not a valid PDF.
pub fn parse(bytes: &[u8]) -> Pdf {
    Pdf::load_mem(bytes).unwrap_or_else(|e| panic!("lopdf could not parse the PDF: {e}"))
}

/// One drawn run of text: a line, or one direction's part of a mixed English/Arabic line.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Start of the baseline, in points from the trim box's bottom-left corner.
    pub x: f32,
    pub y: f32,
    /// Font size in points.
    pub size: f32,
    pub bold: bool,
    pub oblique: bool,
    /// The characters in the order they are printed, left to right: right-to-left text reads reversed.
    pub text: String,
    /// The advance of the drawn glyphs in points, from the embedded font's widths.
    pub width: f32,
}

impl Run {
    /// The style the run was drawn in.
    pub fn font(&self) -> Font {
        match (self.bold, self.oblique) {
            (false, false) => Font::Sans,
            (true, false) => Font::SansBold,
            (false, true) => Font::SansOblique,
            (true, true) => Font::SansBoldOblique,
        }
    }

    /// The text in reading order: right-to-left runs turned back (character by character, so a run with
    /// Arabic vowel marks does not come back exactly).
    pub fn logical(&self) -> String {
        if self.text.chars().any(is_rtl) {
            self.text.chars().rev().collect()
        } else {
            self.text.clone()
        }
    }

    /// Where the run ends, by the widths of the glyphs the file draws.
    pub fn right(&self) -> f32 {
        self.x + self.width
    }

    /// Where the run would end if measured as the layout measures its text.
    pub fn measured_right(&self) -> f32 {
        self.x + text_width(self.font(), self.size, &self.logical())
    }
}

fn is_rtl(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// A 2-D affine matrix `[a b c d e f]` as PDF writes them.
type Matrix = [f32; 6];

fn concat(m: Matrix, n: Matrix) -> Matrix {
    // m applied first, then n (PDF's `m × n`).
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

/// The current transformation matrix with its `q`/`Q` save stack.
struct GraphicsState {
    ctm: Matrix,
    saved: Vec<Matrix>,
}

impl Default for GraphicsState {
    fn default() -> GraphicsState {
        GraphicsState { ctm: [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], saved: Vec::new() }
    }
}

impl GraphicsState {
    /// Applies `op` if it is `q`, `Q` or `cm`; says whether it was.
    fn apply(&mut self, op: &lopdf::content::Operation) -> bool {
        match op.operator.as_str() {
            "q" => self.saved.push(self.ctm),
            "Q" => self.ctm = self.saved.pop().unwrap_or(self.ctm),
            "cm" => self.ctm = concat(matrix(&op.operands), self.ctm),
            _ => return false,
        }
        true
    }
}

fn matrix(operands: &[Object]) -> Matrix {
    let mut m = [0.0; 6];
    for (slot, o) in m.iter_mut().zip(operands) {
        *slot = o.as_float().expect("a number in a matrix");
    }
    m
}

/// Every text run of page `number` (1-based), in painting order.
pub fn runs(doc: &Pdf, number: u32) -> Vec<Run> {
    let id = *doc.get_pages().get(&number).unwrap_or_else(|| panic!("no page {number}"));
    let fonts = doc.get_page_fonts(id).expect("page fonts");
    let encodings: BTreeMap<Vec<u8>, (Encoding, bool, Widths)> = fonts
        .iter()
        .map(|(name, font)| {
            let base = font.get(b"BaseFont").and_then(Object::as_name).unwrap_or(b"");
            let bold = String::from_utf8_lossy(base).contains("Bold");
            (name.clone(), (font.get_font_encoding(doc).expect("a font encoding"), bold, Widths::of(doc, font)))
        })
        .collect();
    let origin = trim_origin(doc, id);
    let content = Content::decode(&doc.get_page_content(id)).expect("a content stream");
    let mut gs = GraphicsState::default();
    let mut font: Option<&(Encoding, bool, Widths)> = None;
    let mut scale = 1.0;
    let mut size = 0.0;
    let mut current: Option<Run> = None;
    let mut out = Vec::new();
    for op in &content.operations {
        if gs.apply(op) {
            continue;
        }
        let ctm = gs.ctm;
        match op.operator.as_str() {
            "Tf" => {
                font = op.operands[0].as_name().ok().and_then(|n| encodings.get(n));
                size = op.operands[1].as_float().expect("a font size");
            }
            "BT" => out.extend(current.take()),
            // The writer may set the matrix again inside one text object (one drawn run); the run starts at
            // the first.
            "Tm" if current.is_some() => {}
            "Tm" => {
                let m = concat(matrix(&op.operands), ctm);
                scale = (m[2] * m[2] + m[3] * m[3]).sqrt();
                // A sheared matrix (x moving with y) is an oblique style.
                let oblique = (m[2] / scale).abs() > 0.05;
                current = Some(Run {
                    x: m[4] - origin.0,
                    y: m[5] - origin.1,
                    size: size * scale,
                    bold: font.is_some_and(|f| f.1),
                    oblique,
                    text: String::new(),
                    width: 0.0,
                });
            }
            "Tj" | "TJ" => {
                let (Some(run), Some((encoding, _, widths))) = (current.as_mut(), font) else { continue };
                let items: Vec<&Object> = match op.operands.first() {
                    Some(Object::Array(items)) => items.iter().collect(),
                    Some(o) => vec![o],
                    None => Vec::new(),
                };
                // Glyph widths and TJ adjustments are in thousandths of the font size.
                let em = size * scale / 1000.0;
                for item in items {
                    if let Ok(bytes) = item.as_str() {
                        run.text.push_str(&Pdf::decode_text(encoding, bytes).expect("text decodes through ToUnicode"));
                        run.width += widths.of_codes(bytes) * em;
                    } else if let Ok(adjust) = item.as_float() {
                        run.width -= adjust * em;
                    }
                }
            }
            "ET" => out.extend(current.take()),
            _ => {}
        }
    }
    out.extend(current);
    out.retain(|r| !r.text.is_empty());
    out
}

/// Glyph widths of a composite (Type0, Identity-H) font: two-byte codes, widths in 1/1000 em.
struct Widths {
    default: f32,
    by_cid: BTreeMap<u32, f32>,
}

impl Widths {
    fn of(doc: &Pdf, font: &lopdf::Dictionary) -> Widths {
        let mut widths = Widths { default: 1000.0, by_cid: BTreeMap::new() };
        let deref = |o: &Object| match o {
            Object::Reference(id) => doc.get_object(*id).ok().cloned(),
            other => Some(other.clone()),
        };
        let Some(descendant) = font
            .get(b"DescendantFonts")
            .ok()
            .and_then(deref)
            .and_then(|a| a.as_array().ok().and_then(|a| a.first().cloned()))
            .and_then(|d| deref(&d))
            .and_then(|d| d.as_dict().ok().cloned())
        else {
            return widths;
        };
        if let Some(dw) = descendant.get(b"DW").ok().and_then(|o| o.as_float().ok()) {
            widths.default = dw;
        }
        let Some(w) = descendant.get(b"W").ok().and_then(deref).and_then(|o| o.as_array().ok().cloned()) else {
            return widths;
        };
        let number = |o: &Object| deref(o).and_then(|o| o.as_float().ok());
        let mut i = 0;
        while i < w.len() {
            let Some(first) = number(&w[i]) else { break };
            match w.get(i + 1).and_then(deref) {
                Some(Object::Array(list)) => {
                    for (k, v) in list.iter().enumerate() {
                        if let Some(v) = number(v) {
                            widths.by_cid.insert(first as u32 + k as u32, v);
                        }
                    }
                    i += 2;
                }
                Some(last) => {
                    let (Some(last), Some(v)) = (last.as_float().ok(), w.get(i + 2).and_then(number)) else { break };
                    for cid in first as u32..=last as u32 {
                        widths.by_cid.insert(cid, v);
                    }
                    i += 3;
                }
                None => break,
            }
        }
        widths
    }

    /// The summed width of the two-byte codes in `bytes`.
    fn of_codes(&self, bytes: &[u8]) -> f32 {
        bytes
            .chunks(2)
            .map(|c| {
                let cid = if c.len() == 2 { u32::from(c[0]) << 8 | u32::from(c[1]) } else { u32::from(c[0]) };
                self.by_cid.get(&cid).copied().unwrap_or(self.default)
            })
            .sum()
    }
}

/// Where page `number` (1-based) paints images: each `Do` of an image, as the rectangle it covers in
/// drawing coordinates, in painting order.
pub fn image_rects(doc: &Pdf, number: u32) -> Vec<Rect> {
    let id = *doc.get_pages().get(&number).unwrap_or_else(|| panic!("no page {number}"));
    let origin = trim_origin(doc, id);
    let content = Content::decode(&doc.get_page_content(id)).expect("a content stream");
    let mut gs = GraphicsState::default();
    let mut out = Vec::new();
    for op in &content.operations {
        if gs.apply(op) {
            continue;
        }
        let ctm = gs.ctm;
        match op.operator.as_str() {
            "Do" => {
                // Images fill the unit square of the current matrix.
                let corners = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)]
                    .map(|(u, v): (f32, f32)| (u * ctm[0] + v * ctm[2] + ctm[4], u * ctm[1] + v * ctm[3] + ctm[5]));
                let xs = corners.map(|c| c.0);
                let ys = corners.map(|c| c.1);
                let (x0, x1) =
                    (xs.iter().copied().fold(f32::MAX, f32::min), xs.iter().copied().fold(f32::MIN, f32::max));
                let (y0, y1) =
                    (ys.iter().copied().fold(f32::MAX, f32::min), ys.iter().copied().fold(f32::MIN, f32::max));
                out.push(Rect::new(x0 - origin.0, y0 - origin.1, x1 - x0, y1 - y0));
            }
            _ => {}
        }
    }
    out
}

/// The bottom-left corner of the page's trim box (the media box's when there is no bleed).
fn trim_origin(doc: &Pdf, page: lopdf::ObjectId) -> (f32, f32) {
    let dict = doc.get_dictionary(page).expect("page dictionary");
    let corner = |key: &[u8]| {
        let array = dict.get(key).ok()?.as_array().ok()?;
        Some((array[0].as_float().ok()?, array[1].as_float().ok()?))
    };
    corner(b"TrimBox").or_else(|| corner(b"MediaBox")).unwrap_or((0.0, 0.0))
}

/// The text of page `number` (1-based): one line per run.
pub fn page_text(doc: &Pdf, number: u32) -> String {
    runs(doc, number).iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join("\n")
}

/// The text of every page of `pdf`, pages separated by blank lines.
pub fn text(pdf: &[u8]) -> String {
    let doc = parse(pdf);
    let pages: Vec<String> = doc.get_pages().keys().map(|&n| page_text(&doc, n)).collect();
    pages.join("\n\n")
}

/// The image objects of `doc`: width, height and decoded RGB bytes.
pub fn images(doc: &Pdf) -> Vec<(i64, i64, Vec<u8>)> {
    doc.objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image".as_slice()))
        .map(|s| {
            let dim = |k: &[u8]| s.dict.get(k).and_then(Object::as_i64).expect("image dimension");
            let data = s.decompressed_content().unwrap_or_else(|_| s.content.clone());
            (dim(b"Width"), dim(b"Height"), data)
        })
        .collect()
}
