//! Turning recorded pages into PDF bytes with krilla: the only module that knows the PDF writer.
//!
//! krilla embeds and subsets the fonts, writes ToUnicode maps (so text copies and searches as the text it
//! is, Arabic included), compresses streams and keeps the cross-reference table right. This module maps
//! the crate's model onto it: page boxes, the y-up coordinates of this crate onto krilla's y-down ones
//! ([`Frame`]), shaped glyph runs, paths and images.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use krilla::color::rgb;
use krilla::geom::{Path, PathBuilder, Point as KPoint, Rect as KRect, Size, Transform};
use krilla::image::{BitsPerComponent, CustomImage, ImageColorspace};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, LineJoin, Stroke as KStroke};
use krilla::surface::Surface;
use krilla::text::{Font as KFont, GlyphId, KrillaGlyph};
use krilla::{Document as KDocument, SerializeSettings};

use crate::font::{shape, Face, OBLIQUE_SLANT};
use crate::page::{Op, Segment};
use crate::{Color, DocInfo, Font, Image, Page, PageSize, PdfDate, Point};

/// The finished file for `pages` (in reading order), drawing `images` by index.
pub(crate) fn render<'a>(info: &DocInfo, pages: impl Iterator<Item = &'a Page>, images: &[Image]) -> Vec<u8> {
    let mut doc = KDocument::new_with(SerializeSettings { enable_tagging: false, ..SerializeSettings::default() });
    doc.set_metadata(metadata(info));
    let fonts = Fonts::load();
    // Each image becomes one krilla image, hashed once: drawing it on many pages stores it once.
    let images: Vec<krilla::image::Image> = images
        .iter()
        .map(|image| krilla::image::Image::from_custom(Pixels::of(image), true).expect("RGB pixels of a valid Image"))
        .collect();
    for page in pages {
        let size = page.size();
        let frame = Frame::of(size);
        let mut out = doc.start_page_with(page_settings(size));
        let mut surface = out.surface();
        for op in page.ops() {
            match op {
                Op::Text { at, font, size, color, text } => {
                    draw_text(&mut surface, &fonts, frame, *at, *font, *size, *color, text)
                }
                Op::Path { segments, fill, stroke, round_joins } => {
                    draw_path(&mut surface, frame, segments, *fill, *stroke, *round_joins)
                }
                Op::Image { index, rect } => {
                    let image = images[*index].clone();
                    let Some(target) = Size::from_wh(rect.w.abs().max(1e-3), rect.h.abs().max(1e-3)) else { continue };
                    let top_left = frame.point(Point::new(rect.x, rect.top()));
                    surface.push_transform(&Transform::from_translate(top_left.x, top_left.y));
                    surface.draw_image(image, target);
                    surface.pop();
                }
            }
        }
        surface.finish();
        out.finish();
    }
    doc.finish().expect("krilla writes a plain PDF (no export validator is configured)")
}

/// Maps this crate's coordinates (trim-box origin, y up) to krilla's (media-box top-left, y down).
#[derive(Debug, Clone, Copy)]
struct Frame {
    bleed: f32,
    media_height: f32,
}

impl Frame {
    fn of(size: PageSize) -> Frame {
        Frame { bleed: size.bleed, media_height: size.media_height() }
    }

    fn point(self, p: Point) -> KPoint {
        KPoint::from_xy(p.x + self.bleed, self.media_height - (p.y + self.bleed))
    }
}

fn page_settings(size: PageSize) -> PageSettings {
    let (w, h) = (size.media_width().max(1.0), size.media_height().max(1.0));
    let settings = PageSettings::new(Size::from_wh(w, h).expect("positive page size"));
    if size.bleed <= 0.0 {
        return settings;
    }
    let trim = KRect::from_xywh(size.bleed, size.bleed, size.width, size.height);
    settings.with_trim_box(trim).with_bleed_box(KRect::from_xywh(0.0, 0.0, w, h))
}

fn metadata(info: &DocInfo) -> Metadata {
    let mut m = Metadata::new()
        .title(info.title.clone())
        .authors(vec![info.author.clone()])
        .producer(info.producer.clone())
        .creation_date(date(info.creation_date));
    if !info.subject.is_empty() {
        m = m.description(info.subject.clone());
    }
    m
}

fn date(d: PdfDate) -> DateTime {
    let offset = i32::from(d.utc_offset_minutes).clamp(-(23 * 60 + 59), 23 * 60 + 59);
    DateTime::new(d.year.min(9999))
        .month(d.month.clamp(1, 12))
        .day(d.day.clamp(1, 31))
        .hour(d.hour.min(23))
        .minute(d.minute.min(59))
        .second(d.second.min(59))
        .utc_offset_hour((offset / 60) as i8)
        .utc_offset_minute((offset.abs() % 60) as u8)
}

/// The two embedded faces as krilla fonts, made once per document.
struct Fonts {
    regular: KFont,
    bold: KFont,
}

impl Fonts {
    fn load() -> Fonts {
        let font = |face: Face| KFont::new(face.data().into(), 0).expect("the bundled DejaVu font parses");
        Fonts { regular: font(Face::Regular), bold: font(Face::Bold) }
    }

    fn get(&self, face: Face) -> KFont {
        match face {
            Face::Regular => self.regular.clone(),
            Face::Bold => self.bold.clone(),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_text(
    surface: &mut Surface,
    fonts: &Fonts,
    frame: Frame,
    at: Point,
    font: Font,
    size: f32,
    color: Color,
    text: &str,
) {
    let runs = shape::line(font.face(), text);
    if runs.is_empty() {
        return;
    }
    surface.set_fill(Some(fill(color)));
    surface.set_stroke(None);
    let origin = frame.point(at);
    if font.oblique() {
        // Shear about the baseline origin: x grows with height above it (krilla's y points down).
        let shear = Transform::from_row(1.0, 0.0, -OBLIQUE_SLANT, 1.0, OBLIQUE_SLANT * origin.y, 0.0);
        surface.push_transform(&shear);
    }
    let kfont = fonts.get(font.face());
    let mut x = origin.x;
    for run in &runs {
        let glyphs: Vec<KrillaGlyph> = run
            .glyphs
            .iter()
            .map(|g| {
                KrillaGlyph::new(
                    GlyphId::new(u32::from(g.id)),
                    g.advance,
                    g.x_offset,
                    g.y_offset,
                    0.0,
                    g.text.clone(),
                    None,
                )
            })
            .collect();
        surface.draw_glyphs(KPoint::from_xy(x, origin.y), &glyphs, kfont.clone(), &run.text, size, false);
        x += run.advance() * size;
    }
    if font.oblique() {
        surface.pop();
    }
}

fn draw_path(
    surface: &mut Surface,
    frame: Frame,
    segments: &[Segment],
    fill_color: Option<Color>,
    stroke: Option<crate::Stroke>,
    round_joins: bool,
) {
    let Some(path) = path(frame, segments) else { return };
    surface.set_fill(fill_color.map(fill));
    surface.set_stroke(stroke.map(|s| KStroke {
        paint: rgb_of(s.color).into(),
        width: s.width.max(0.0),
        line_cap: if round_joins { LineCap::Round } else { LineCap::Butt },
        line_join: if round_joins { LineJoin::Round } else { LineJoin::Miter },
        ..KStroke::default()
    }));
    surface.draw_path(&path);
}

fn path(frame: Frame, segments: &[Segment]) -> Option<Path> {
    let mut b = PathBuilder::new();
    for segment in segments {
        match *segment {
            Segment::Move(p) => {
                let p = frame.point(p);
                b.move_to(p.x, p.y)
            }
            Segment::Line(p) => {
                let p = frame.point(p);
                b.line_to(p.x, p.y)
            }
            Segment::Cubic(c1, c2, p) => {
                let (c1, c2, p) = (frame.point(c1), frame.point(c2), frame.point(p));
                b.cubic_to(c1.x, c1.y, c2.x, c2.y, p.x, p.y)
            }
            Segment::Close => b.close(),
        }
    }
    b.finish()
}

fn fill(color: Color) -> Fill {
    Fill { paint: rgb_of(color).into(), ..Fill::default() }
}

fn rgb_of(color: Color) -> rgb::Color {
    let [r, g, b] = color.clamped().map(|c| (c * 255.0).round() as u8);
    rgb::Color::new(r, g, b)
}

/// An [`Image`]'s pixels as krilla's custom image: 8-bit RGB, no alpha, no ICC profile.
#[derive(Clone)]
struct Pixels {
    width: u32,
    height: u32,
    rgb: Arc<Vec<u8>>,
}

impl Pixels {
    fn of(image: &Image) -> Pixels {
        Pixels { width: image.width(), height: image.height(), rgb: image.pixels() }
    }
}

impl Hash for Pixels {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.width, self.height).hash(state);
        self.rgb.hash(state);
    }
}

impl CustomImage for Pixels {
    fn color_channel(&self) -> &[u8] {
        &self.rgb
    }

    fn alpha_channel(&self) -> Option<&[u8]> {
        None
    }

    fn bits_per_component(&self) -> BitsPerComponent {
        BitsPerComponent::Eight
    }

    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn icc_profile(&self) -> Option<&[u8]> {
        None
    }

    fn color_space(&self) -> ImageColorspace {
        ImageColorspace::Rgb
    }
}
