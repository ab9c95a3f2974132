//! An RGB8 pixel canvas with clipped rectangle, gradient, rounded-rectangle and QR-module drawing.
//!
//! Positions are `i32` and sizes `u32` so callers can place things partly off-canvas and let the clip
//! rectangle cut them; every drawing operation honours the clip, which is how layouts guarantee that
//! text never spills out of its box.

/// An sRGB colour with 8 bits per channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const WHITE: Rgb = Rgb(255, 255, 255);
    pub const BLACK: Rgb = Rgb(0, 0, 0);

    /// Linear mix in sRGB space (plain, like most 2-D renderers), `t` = 0 gives `self`, 1 gives `other`.
    pub fn mix(self, other: Rgb, t: f32) -> Rgb {
        let t = t.clamp(0.0, 1.0);
        let ch = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * t).round() as u8;
        Rgb(ch(self.0, other.0), ch(self.1, other.1), ch(self.2, other.2))
    }
}

/// Colour of dark QR modules: near-black rather than pure black only for tone; contrast stays > 15:1.
pub const QR_DARK: Rgb = Rgb(17, 17, 17);

/// Quiet zone, in modules, drawn around a QR grid (ISO/IEC 18004 asks for 4).
pub const QR_QUIET: usize = 4;

/// A clip rectangle as half-open pixel bounds `[x0, x1) × [y0, y1)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Clip {
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
}

/// An RGB8 image in row-major order, three bytes per pixel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
    clip: Clip,
}

impl Canvas {
    /// A `width × height` canvas filled with `background`.
    pub fn new(width: u32, height: u32, background: Rgb) -> Canvas {
        let n = width as usize * height as usize;
        let mut pixels = Vec::with_capacity(n * 3);
        for _ in 0..n {
            pixels.extend_from_slice(&[background.0, background.1, background.2]);
        }
        let clip = Clip { x0: 0, y0: 0, x1: width as i32, y1: height as i32 };
        Canvas { width, height, pixels, clip }
    }

    /// A canvas of existing RGB bytes (row-major, no padding); `None` unless there are exactly
    /// `width × height × 3` of them.
    pub fn from_rgb(width: u32, height: u32, pixels: Vec<u8>) -> Option<Canvas> {
        (pixels.len() as u64 == u64::from(width) * u64::from(height) * 3).then(|| {
            let clip = Clip { x0: 0, y0: 0, x1: width as i32, y1: height as i32 };
            Canvas { width, height, pixels, clip }
        })
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// Raw RGB bytes, row-major, no padding.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The pixel at (`x`, `y`), or `None` outside the canvas.
    pub fn get(&self, x: u32, y: u32) -> Option<Rgb> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        Some(Rgb(self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]))
    }

    /// Restrict all later drawing to the given rectangle (intersected with the canvas).
    pub fn set_clip(&mut self, x: i32, y: i32, w: u32, h: u32) {
        self.clip = Clip {
            x0: x.max(0),
            y0: y.max(0),
            x1: x.saturating_add(w as i32).min(self.width as i32),
            y1: y.saturating_add(h as i32).min(self.height as i32),
        };
    }

    /// Allow drawing anywhere on the canvas again.
    pub fn clear_clip(&mut self) {
        self.clip = Clip { x0: 0, y0: 0, x1: self.width as i32, y1: self.height as i32 };
    }

    /// The clip-intersected bounds of a rectangle, or `None` if nothing of it is visible.
    fn visible(&self, x: i32, y: i32, w: u32, h: u32) -> Option<Clip> {
        let c = Clip {
            x0: x.max(self.clip.x0),
            y0: y.max(self.clip.y0),
            x1: x.saturating_add(w.min(i32::MAX as u32) as i32).min(self.clip.x1),
            y1: y.saturating_add(h.min(i32::MAX as u32) as i32).min(self.clip.y1),
        };
        (c.x0 < c.x1 && c.y0 < c.y1).then_some(c)
    }

    /// Blend `colour` over one pixel with coverage `alpha` in 0..=1; outside the clip it is a no-op.
    pub fn blend(&mut self, x: i32, y: i32, colour: Rgb, alpha: f32) {
        if x < self.clip.x0 || y < self.clip.y0 || x >= self.clip.x1 || y >= self.clip.y1 || alpha <= 0.0 {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        let old = Rgb(self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]);
        let new = if alpha >= 1.0 { colour } else { old.mix(colour, alpha) };
        self.pixels[i..i + 3].copy_from_slice(&[new.0, new.1, new.2]);
    }

    /// Fill a rectangle with an opaque colour.
    pub fn fill_rect(&mut self, x: i32, y: i32, w: u32, h: u32, colour: Rgb) {
        let Some(v) = self.visible(x, y, w, h) else { return };
        for row in v.y0..v.y1 {
            let start = (row as usize * self.width as usize + v.x0 as usize) * 3;
            let end = (row as usize * self.width as usize + v.x1 as usize) * 3;
            for px in self.pixels[start..end].chunks_exact_mut(3) {
                px.copy_from_slice(&[colour.0, colour.1, colour.2]);
            }
        }
    }

    /// Blend a rectangle of `colour` at opacity `alpha` (0 = invisible, 255 = opaque) over what is there.
    pub fn fill_rect_alpha(&mut self, x: i32, y: i32, w: u32, h: u32, colour: Rgb, alpha: u8) {
        let Some(v) = self.visible(x, y, w, h) else { return };
        let a = alpha as f32 / 255.0;
        for row in v.y0..v.y1 {
            for col in v.x0..v.x1 {
                self.blend(col, row, colour, a);
            }
        }
    }

    /// Fill a rectangle with a vertical gradient from `top` (first row) to `bottom` (last row).
    pub fn fill_gradient_v(&mut self, x: i32, y: i32, w: u32, h: u32, top: Rgb, bottom: Rgb) {
        let span = h.saturating_sub(1).max(1) as f32;
        for i in 0..h.min(i32::MAX as u32) {
            // One row at a time so the clip applies exactly as for a plain fill.
            self.fill_rect(x, y.saturating_add(i as i32), w, 1, top.mix(bottom, i as f32 / span));
        }
    }

    /// Fill a pill (rectangle with fully rounded, anti-aliased ends) blended at opacity `alpha`.
    pub fn fill_pill_alpha(&mut self, x: i32, y: i32, w: u32, h: u32, colour: Rgb, alpha: u8) {
        let Some(v) = self.visible(x, y, w, h) else { return };
        let a = alpha as f32 / 255.0;
        let r = w.min(h) as f32 / 2.0;
        let (left, top) = (x as f32 + r, y as f32 + r);
        let (right, bottom) = (x as f32 + w as f32 - r, y as f32 + h as f32 - r);
        for row in v.y0..v.y1 {
            for col in v.x0..v.x1 {
                // Distance from the pixel centre to the nearest corner-circle centre decides coverage.
                let (px, py) = (col as f32 + 0.5, row as f32 + 0.5);
                let dx = (left - px).max(px - right).max(0.0);
                let dy = (top - py).max(py - bottom).max(0.0);
                let cover =
                    if dx == 0.0 || dy == 0.0 { 1.0 } else { (r - (dx * dx + dy * dy).sqrt() + 0.5).clamp(0.0, 1.0) };
                self.blend(col, row, colour, a * cover);
            }
        }
    }

    /// Draw `photo` scaled to cover the rectangle (`w × h`) and centred, cutting what overhangs
    /// (the "cover" fit: no bars, nothing stretched). Downscaling averages every source pixel under
    /// a target pixel, so detail does not alias; upscaling interpolates bilinearly.
    pub fn draw_cover(&mut self, photo: &Canvas, x: i32, y: i32, w: u32, h: u32) {
        if photo.width == 0 || photo.height == 0 || w == 0 || h == 0 {
            return;
        }
        let Some(v) = self.visible(x, y, w, h) else { return };
        let scale = (w as f64 / photo.width as f64).max(h as f64 / photo.height as f64);
        let (ox, oy) = ((photo.width as f64 - w as f64 / scale) / 2.0, (photo.height as f64 - h as f64 / scale) / 2.0);
        for row in v.y0..v.y1 {
            let (sy0, sy1) = (oy + (row - y) as f64 / scale, oy + (row - y + 1) as f64 / scale);
            for col in v.x0..v.x1 {
                let (sx0, sx1) = (ox + (col - x) as f64 / scale, ox + (col - x + 1) as f64 / scale);
                let colour = if scale < 1.0 {
                    photo.average(sx0, sy0, sx1, sy1)
                } else {
                    photo.bilinear((sx0 + sx1) / 2.0, (sy0 + sy1) / 2.0)
                };
                let i = (row as usize * self.width as usize + col as usize) * 3;
                self.pixels[i..i + 3].copy_from_slice(&[colour.0, colour.1, colour.2]);
            }
        }
    }

    /// This canvas shrunk (never enlarged) to fit `max_w × max_h`, keeping its aspect ratio.
    pub fn fit_within(&self, max_w: u32, max_h: u32) -> Canvas {
        let scale = (max_w as f64 / self.width as f64).min(max_h as f64 / self.height as f64);
        if scale >= 1.0 {
            return Canvas::from_rgb(self.width, self.height, self.pixels.clone()).expect("same size");
        }
        let w = ((self.width as f64 * scale).round() as u32).max(1);
        let h = ((self.height as f64 * scale).round() as u32).max(1);
        let mut out = Canvas::new(w, h, Rgb::WHITE);
        out.draw_cover(self, 0, 0, w, h);
        out
    }

    /// The mean colour of the source pixels whose area meets `[x0, x1) × [y0, y1)`.
    fn average(&self, x0: f64, y0: f64, x1: f64, y1: f64) -> Rgb {
        let span = |a: f64, b: f64, n: u32| {
            let lo = (a.floor().max(0.0) as u32).min(n - 1);
            (lo, (b.ceil() as u32).clamp(lo + 1, n))
        };
        let ((cx0, cx1), (cy0, cy1)) = (span(x0, x1, self.width), span(y0, y1, self.height));
        let mut sum = [0u64; 3];
        for sy in cy0..cy1 {
            let start = (sy as usize * self.width as usize + cx0 as usize) * 3;
            let end = (sy as usize * self.width as usize + cx1 as usize) * 3;
            for px in self.pixels[start..end].chunks_exact(3) {
                sum[0] += u64::from(px[0]);
                sum[1] += u64::from(px[1]);
                sum[2] += u64::from(px[2]);
            }
        }
        let n = u64::from(cx1 - cx0) * u64::from(cy1 - cy0);
        let ch = |s: u64| ((s + n / 2) / n) as u8;
        Rgb(ch(sum[0]), ch(sum[1]), ch(sum[2]))
    }

    /// The colour at a point between pixel centres, interpolated from the four nearest pixels.
    fn bilinear(&self, x: f64, y: f64) -> Rgb {
        let (fx, fy) = ((x - 0.5).clamp(0.0, (self.width - 1) as f64), (y - 0.5).clamp(0.0, (self.height - 1) as f64));
        let (x0, y0) = (fx.floor() as u32, fy.floor() as u32);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (tx, ty) = ((fx - x0 as f64) as f32, (fy - y0 as f64) as f32);
        let at = |x, y| self.get(x, y).unwrap_or(Rgb::BLACK);
        at(x0, y0).mix(at(x1, y0), tx).mix(at(x0, y1).mix(at(x1, y1), tx), ty)
    }

    /// Side in pixels of a QR symbol drawn by [`Canvas::draw_modules`], quiet zone included.
    pub fn qr_side(module_px: u32, width: usize) -> u32 {
        (width + 2 * QR_QUIET) as u32 * module_px
    }

    /// Draw a QR module grid (`width × width`, row-major, `true` = dark) with its top-left quiet-zone
    /// corner at (`x`, `y`): a white square including a 4-module quiet zone, then the dark modules.
    /// Returns the side length in pixels. A grid whose length is not `width²` draws only the white square,
    /// because a partial symbol would be unreadable and misleading.
    pub fn draw_modules(&mut self, x: i32, y: i32, module_px: u32, width: usize, dark: &[bool]) -> u32 {
        let side = Canvas::qr_side(module_px, width);
        self.fill_rect(x, y, side, side, Rgb::WHITE);
        if dark.len() != width * width {
            return side;
        }
        let m = module_px as i32;
        let origin = QR_QUIET as i32 * m;
        for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
            let (col, row) = ((i % width) as i32, (i / width) as i32);
            self.fill_rect(x + origin + col * m, y + origin + row * m, module_px, module_px, QR_DARK);
        }
        side
    }
}
