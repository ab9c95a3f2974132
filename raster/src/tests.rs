//! Crate tests that check output with independent decoders (png, rqrr) rather than our own code.

use crate::canvas::{Canvas, Rgb};
use crate::card::{listing_card_png, render, CardSize, ListingCard, Rect};
use crate::png::{encode, encode_with_text};
use crate::text::{self, Font};

struct Decoded {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
    text: Vec<(String, String)>,
}

impl Decoded {
    fn px(&self, x: u32, y: u32) -> Rgb {
        let i = (y * self.width + x) as usize * 3;
        Rgb(self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }
}

fn decode(bytes: &[u8]) -> Decoded {
    let mut reader = ::png::Decoder::new(std::io::Cursor::new(bytes)).read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!(info.color_type, ::png::ColorType::Rgb);
    assert_eq!(info.bit_depth, ::png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    let text = reader.info().uncompressed_latin1_text.iter().map(|t| (t.keyword.clone(), t.text.clone())).collect();
    Decoded { width: info.width, height: info.height, rgb: buf, text }
}

const PERMIT_URL: &str = "https://trakheesi.dubailand.gov.ae/rev/madmoun/listing/validation?khevJujtDig=7123456789";

fn qr_grid(payload: &str) -> (usize, Vec<bool>) {
    let code = qrcode::QrCode::new(payload.as_bytes()).expect("qr");
    let width = code.width();
    (width, code.into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect())
}

fn sample() -> ListingCard {
    ListingCard {
        headline: "Sea-view 2 bedroom apartment with balcony in Marina Gate".into(),
        price: "AED 2,450,000".into(),
        facts: vec!["2 BR".into(), "1,250 sqft".into(), "Apartment".into(), "Dubai Marina".into()],
        tagline: "JUST LISTED".into(),
        agent_line: "Sara Khan · BRN 12345 · +971 50 123 4567".into(),
        brokerage_line: "Acme Realty · ORN 54321".into(),
        permit_line: "Trakheesi Permit 7123456789".into(),
        qr: qr_grid(PERMIT_URL),
        accent: Rgb(214, 175, 84),
        photo: None,
    }
}

fn qr_payloads(d: &Decoded) -> Vec<String> {
    let luma = |p: Rgb| ((p.0 as u32 * 299 + p.1 as u32 * 587 + p.2 as u32 * 114) / 1000) as u8;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(d.width as usize, d.height as usize, |x, y| {
        luma(d.px(x as u32, y as u32))
    });
    img.detect_grids().iter().filter_map(|g| g.decode().ok()).map(|(_, s)| s).collect()
}

/// Assert two renders agree inside `r`, reporting only a count (regions are too big to print).
fn same_region(a: &Decoded, b: &Decoded, r: Rect, what: &str) {
    let (ra, rb) = (region(a, r), region(b, r));
    let diff = ra.iter().zip(&rb).filter(|(x, y)| x != y).count();
    assert_eq!(diff, 0, "{what}: {diff} of {} pixels differ in {r:?}", ra.len());
}

fn region(d: &Decoded, r: Rect) -> Vec<Rgb> {
    let mut v = Vec::new();
    for y in r.y as u32..r.y as u32 + r.h {
        for x in r.x as u32..r.x as u32 + r.w {
            v.push(d.px(x, y));
        }
    }
    v
}

#[test]
fn png_decodes_with_independent_decoder() {
    let mut c = Canvas::new(7, 5, Rgb(10, 20, 30));
    c.fill_rect(1, 1, 2, 2, Rgb(200, 100, 50));
    c.fill_rect_alpha(4, 0, 3, 5, Rgb::WHITE, 128);
    c.fill_gradient_v(6, 0, 1, 5, Rgb(0, 0, 0), Rgb(255, 255, 255));
    let bytes = encode_with_text(&c, &[("Title", "Test — é"), ("Software", "AURA"), ("", "dropped")]);
    let d = decode(&bytes);
    assert_eq!((d.width, d.height), (7, 5));
    assert_eq!(d.rgb, c.pixels());
    assert_eq!(d.px(0, 0), Rgb(10, 20, 30));
    assert_eq!(d.px(2, 2), Rgb(200, 100, 50));
    assert_eq!(d.px(4, 4), Rgb(10, 20, 30).mix(Rgb::WHITE, 128.0 / 255.0));
    assert_eq!((d.px(6, 0), d.px(6, 4)), (Rgb(0, 0, 0), Rgb(255, 255, 255)));
    assert_eq!(
        d.text,
        vec![("Title".to_string(), "Test ? é".to_string()), ("Software".to_string(), "AURA".to_string())]
    );
    // Empty and odd-width images are valid too.
    assert_eq!(decode(&encode(&Canvas::new(1, 1, Rgb::BLACK))).rgb, vec![0, 0, 0]);
}

#[test]
fn clip_and_pills_stay_in_bounds() {
    let mut c = Canvas::new(20, 20, Rgb::BLACK);
    c.fill_rect(-5, -5, 100, 100, Rgb::WHITE);
    assert!(c.pixels().iter().all(|b| *b == 255));
    let mut c = Canvas::new(20, 20, Rgb::BLACK);
    c.set_clip(5, 5, 10, 10);
    c.fill_pill_alpha(0, 0, 20, 20, Rgb::WHITE, 255);
    text::draw_text(&mut c, Font::Bold, 30.0, 0.0, 18.0, "WW", Rgb::WHITE);
    for y in 0..20 {
        for x in 0..20 {
            let inside = (5..15).contains(&x) && (5..15).contains(&y);
            assert_eq!(c.get(x, y) == Some(Rgb::WHITE), inside, "({x},{y})");
        }
    }
    let mut c = Canvas::new(10, 10, Rgb::BLACK);
    c.fill_pill_alpha(0, 0, 10, 10, Rgb::WHITE, 255);
    assert_eq!(c.get(0, 0), Some(Rgb::BLACK)); // corner cut away
    assert_eq!(c.get(5, 5), Some(Rgb::WHITE));
}

#[test]
fn text_draws_antialiased_ink() {
    let mut c = Canvas::new(200, 60, Rgb::BLACK);
    let w = text::draw_text(&mut c, Font::Regular, 32.0, 4.0, 40.0, "Marina 2", Rgb::WHITE);
    assert_eq!(w, text::measure(Font::Regular, 32.0, "Marina 2"));
    let greys: std::collections::BTreeSet<u8> = c.pixels().iter().copied().collect();
    assert!(greys.contains(&255) && greys.contains(&0));
    assert!(greys.len() > 20, "anti-aliasing should give many grey levels, got {}", greys.len());
    // Ink stays near the pen: nothing right of the advance (plus a pixel of overhang).
    for y in 0..60 {
        for x in (4 + w.ceil() as u32 + 2)..200 {
            assert_eq!(c.get(x, y), Some(Rgb::BLACK));
        }
    }
}

#[test]
fn qr_modules_draw_with_quiet_zone() {
    let (width, dark) = qr_grid("7123456789");
    let mut c = Canvas::new(200, 200, Rgb(9, 25, 48));
    let side = c.draw_modules(10, 10, 4, width, &dark);
    assert_eq!(side, (width as u32 + 8) * 4);
    for i in 0..side {
        // The quiet zone's outer ring is white on every side.
        for (x, y) in [(10 + i, 10), (10, 10 + i), (10 + side - 1, 10 + i), (10 + i, 10 + side - 1)] {
            assert_eq!(c.get(x, y), Some(Rgb::WHITE));
        }
    }
    assert_eq!(c.get(10 + 16, 10 + 16), Some(crate::canvas::QR_DARK)); // finder pattern corner
    let d = decode(&encode(&c));
    assert_eq!(qr_payloads(&d), vec!["7123456789".to_string()]);
}

#[test]
fn cards_have_exact_sizes_and_headline_ink() {
    for size in [CardSize::Square, CardSize::Landscape] {
        let card = sample();
        let bytes = listing_card_png(&card, size);
        let d = decode(&bytes);
        assert_eq!((d.width, d.height), size.dimensions());
        assert!(d.text.contains(&("Software".to_string(), "AURA".to_string())));
        let (_, regions) = render(&card, size);
        let head = region(&d, regions.headline);
        let white = head.iter().filter(|p| **p == Rgb::WHITE).count();
        assert!(white > 500, "{size:?}: headline box should have solid white ink, got {white}");
        assert!(head.iter().any(|p| p.0 < 60), "{size:?}: headline box should keep background too");
        // Deterministic bytes.
        assert_eq!(bytes, listing_card_png(&card, size));
    }
}

#[test]
fn card_qr_decodes_back_to_payload() {
    for size in [CardSize::Square, CardSize::Landscape] {
        let d = decode(&listing_card_png(&sample(), size));
        assert_eq!(qr_payloads(&d), vec![PERMIT_URL.to_string()], "{size:?}");
        let (_, regions) = render(&sample(), size);
        let module = regions.qr.w / (sample().qr.0 as u32 + 8);
        assert!(module >= 4, "{size:?}: module {module} px");
    }
}

#[test]
fn long_text_never_escapes_its_box() {
    let long = |s: &str| s.repeat(500 / s.len() + 1);
    for size in [CardSize::Square, CardSize::Landscape] {
        let normal = sample();
        let mut huge = sample();
        huge.headline = long("Breathtaking panoramic sea views ");
        huge.price = long("AED 99,999,999 ");
        huge.tagline = long("EXCLUSIVE ");
        huge.facts = (0..30).map(|i| format!("Fact number {i} {}", long("x"))).collect();
        let (a, regions) = render(&normal, size);
        let (b, regions_b) = render(&huge, size);
        assert_eq!(regions.qr, regions_b.qr);
        let (da, db) = (decode(&encode(&a)), decode(&encode(&b)));
        same_region(&da, &db, regions.footer, &format!("{size:?} footer"));
        same_region(&da, &db, regions.info, &format!("{size:?} info"));
        assert_eq!(qr_payloads(&db), vec![PERMIT_URL.to_string()]);

        // And long footer text stays out of the QR code and the content above.
        let mut wordy = sample();
        wordy.agent_line = long("Sara Khan · BRN 12345 · ");
        wordy.brokerage_line = long("Acme Realty · ORN 54321 · ");
        wordy.permit_line = long("Trakheesi Permit 7123456789 ");
        let (c, _) = render(&wordy, size);
        let dc = decode(&encode(&c));
        same_region(&da, &dc, regions.qr, &format!("{size:?} QR"));
        same_region(&da, &dc, regions.headline, &format!("{size:?} headline"));
        assert_eq!(qr_payloads(&dc), vec![PERMIT_URL.to_string()]);
    }
}

#[test]
fn empty_fields_and_no_qr_still_render() {
    let card = ListingCard {
        headline: String::new(),
        price: String::new(),
        facts: vec![String::new()],
        tagline: String::new(),
        agent_line: String::new(),
        brokerage_line: String::new(),
        permit_line: String::new(),
        qr: (0, Vec::new()),
        accent: Rgb(0, 160, 140),
        photo: None,
    };
    for size in [CardSize::Square, CardSize::Landscape] {
        let d = decode(&listing_card_png(&card, size));
        assert_eq!((d.width, d.height), size.dimensions());
    }
}

/// A 3:2 "photo": terracotta with a white band through its middle third, so a crop shows.
fn striped_photo() -> Canvas {
    let mut photo = Canvas::new(300, 200, Rgb(196, 98, 52));
    photo.fill_rect(100, 0, 100, 200, Rgb::WHITE);
    photo
}

#[test]
fn a_photo_fills_the_hero_clear_at_the_top_and_the_qr_still_reads() {
    let card = ListingCard { photo: Some(Canvas::new(120, 80, Rgb(196, 98, 52))), ..sample() };
    for (size, clear_at) in [(CardSize::Square, (540, 150)), (CardSize::Landscape, (400, 60))] {
        let (_, regions) = render(&card, size);
        let hero = regions.hero.expect("a hero region");
        let d = decode(&listing_card_png(&card, size));
        assert_eq!(d.px(clear_at.0, clear_at.1), Rgb(196, 98, 52), "{size:?}: the photo shows untouched at the top");
        assert_eq!(qr_payloads(&d), vec![PERMIT_URL.to_string()], "{size:?}");
        let plain = decode(&listing_card_png(&sample(), size));
        // Under the text the scrim darkens the photo, which still shows through (redder than navy).
        let (x, y) = (hero.x as u32 + 4, (hero.y + hero.h as i32 - 4) as u32);
        assert!(d.px(x, y).0 > plain.px(x, y).0 + 10, "{size:?}: {:?} vs {:?}", d.px(x, y), plain.px(x, y));
        assert_ne!(plain.px(clear_at.0, clear_at.1), Rgb(196, 98, 52), "{size:?}: no photo, the navy design");
        same_region(&plain, &d, regions.qr, &format!("{size:?} QR"));
    }
}

#[test]
fn cover_scales_and_crops_without_stretching() {
    // 300 × 200 into 100 × 100: scaled to 150 × 100, the middle 100 columns kept, so the white
    // band (source columns 100..200) becomes target columns 25..75.
    let mut c = Canvas::new(100, 100, Rgb::BLACK);
    c.draw_cover(&striped_photo(), 0, 0, 100, 100);
    assert_eq!(c.get(10, 50), Some(Rgb(196, 98, 52)));
    assert_eq!(c.get(50, 50), Some(Rgb::WHITE));
    assert_eq!(c.get(90, 50), Some(Rgb(196, 98, 52)));
    // Upscaled 2×: no stretching either way, colours interpolated between the two.
    let mut big = Canvas::new(600, 400, Rgb::BLACK);
    big.draw_cover(&striped_photo(), 0, 0, 600, 400);
    assert_eq!((big.get(100, 10), big.get(300, 10)), (Some(Rgb(196, 98, 52)), Some(Rgb::WHITE)));
    let small = striped_photo().fit_within(60, 60);
    assert_eq!((small.width(), small.height()), (60, 40), "fit keeps the aspect ratio");
    assert_eq!(striped_photo().fit_within(1000, 1000), striped_photo(), "never enlarged");
}

#[test]
fn write_samples_for_viewing() {
    let card = sample();
    let _ = std::fs::write("/tmp/raster-sample-square.png", listing_card_png(&card, CardSize::Square));
    let _ = std::fs::write("/tmp/raster-sample-landscape.png", listing_card_png(&card, CardSize::Landscape));
    let card = ListingCard { photo: Some(striped_photo()), ..sample() };
    let _ = std::fs::write("/tmp/raster-photo-square.png", listing_card_png(&card, CardSize::Square));
    let _ = std::fs::write("/tmp/raster-photo-landscape.png", listing_card_png(&card, CardSize::Landscape));
}
