//! File structure: page count and boxes (with and without bleed), exact xref, info dictionary,
//! determinism, and the empty-document case.

use crate::support::{assert_xref_exact, info, page_box, page_dict, parse, runs};
use documents::{Document, Font, PageSize, TextStyle};

#[test]
fn pages_have_their_media_boxes_and_bleed_boxes() {
    let mut doc = Document::new(info());
    doc.add_page(PageSize::A4);
    let postcard = doc.add_page(PageSize::inches(6.0, 4.0).with_bleed_inches(0.125));
    doc.add_page(PageSize::A4_LANDSCAPE);
    doc.page(postcard).text(0.0, 0.0, "corner", &TextStyle::new(Font::Sans, 8.0));
    let bytes = doc.finish();
    let pdf = parse(&bytes);

    assert_eq!(pdf.get_pages().len(), 3);
    assert_eq!(page_box(&pdf, 1, b"MediaBox"), Some([0.0, 0.0, 595.0, 842.0]));
    assert_eq!(page_box(&pdf, 1, b"TrimBox"), None, "no bleed, no TrimBox");
    assert_eq!(page_box(&pdf, 2, b"MediaBox"), Some([0.0, 0.0, 450.0, 306.0]));
    assert_eq!(page_box(&pdf, 2, b"TrimBox"), Some([9.0, 9.0, 441.0, 297.0]));
    assert_eq!(page_box(&pdf, 2, b"BleedBox"), Some([0.0, 0.0, 450.0, 306.0]));
    assert_eq!(page_box(&pdf, 3, b"MediaBox"), Some([0.0, 0.0, 842.0, 595.0]));
    // Drawing coordinates start at the trim corner: text drawn at (0, 0) sits 9 pt into the media box.
    let corner = &runs(&pdf, 2)[0];
    assert_eq!(corner.text, "corner");
    assert!(corner.x.abs() < 0.01 && corner.y.abs() < 0.01, "{corner:?}");
}

#[test]
fn xref_offsets_are_exact() {
    let mut doc = Document::new(info());
    for _ in 0..3 {
        let p = doc.add_page(PageSize::A4);
        doc.page(p).text(72.0, 720.0, "Offsets (must) be \\ exact: café €", &TextStyle::new(Font::Sans, 12.0));
    }
    let bytes = doc.finish();
    assert_xref_exact(&bytes);
    let pdf = parse(&bytes);
    assert!(pdf.reference_table.entries.len() >= 4, "xref read by lopdf");
}

#[test]
fn info_dictionary_holds_metadata() {
    let mut meta = info();
    meta.title = "CMA (Marina) – 2 BR".to_string();
    meta.subject = "Comparative market analysis".to_string();
    let mut doc = Document::new(meta);
    doc.add_page(PageSize::A4);
    let pdf = parse(&doc.finish());
    let info_id = pdf.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let dict = pdf.get_dictionary(info_id).unwrap();
    let text = |key: &[u8]| lopdf::decode_text_string(dict.get(key).unwrap()).unwrap();
    assert_eq!(text(b"Title"), "CMA (Marina) – 2 BR");
    assert_eq!(text(b"Author"), "AURA tests");
    assert_eq!(text(b"Subject"), "Comparative market analysis");
    assert_eq!(text(b"Producer"), "AURA");
    // PDF 2.0 drops the apostrophe after the minutes that PDF 1.x wrote; both mean +04:00.
    let date = text(b"CreationDate");
    assert!(date.trim_end_matches('\'') == "D:20250307093000+04'00", "{date}");
}

#[test]
fn fonts_are_embedded_dejavu_subsets_with_unicode_maps() {
    let mut doc = Document::new(info());
    let p = doc.add_page(PageSize::A4);
    doc.page(p)
        .text(50.0, 800.0, "regular", &TextStyle::new(Font::Sans, 10.0))
        .text(50.0, 780.0, "bold", &TextStyle::new(Font::SansBold, 10.0))
        .text(50.0, 760.0, "oblique", &TextStyle::new(Font::SansOblique, 10.0));
    let bytes = doc.finish();
    // Subsetting keeps a one-page document small although each DejaVu face is over 600 kB.
    assert!(bytes.len() < 60_000, "{} bytes", bytes.len());
    let pdf = parse(&bytes);
    let fonts = pdf.get_page_fonts(pdf.get_pages()[&1]).unwrap();
    let mut names: Vec<String> = fonts
        .values()
        .map(|f| {
            assert_eq!(f.get(b"Subtype").unwrap().as_name().unwrap(), b"Type0");
            assert!(f.get(b"ToUnicode").is_ok(), "text can be copied and searched");
            let name = String::from_utf8(f.get(b"BaseFont").unwrap().as_name().unwrap().to_vec()).unwrap();
            // A subset is named with a six-letter tag: ABCDEF+DejaVuSans.
            name.split_once('+').expect("a subset tag").1.to_string()
        })
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names, ["DejaVuSans", "DejaVuSans-Bold"], "the oblique style is the regular face slanted");
    let styles: Vec<(String, Font)> = runs(&pdf, 1).into_iter().map(|r| (r.text.clone(), r.font())).collect();
    assert_eq!(
        styles,
        [("regular".into(), Font::Sans), ("bold".into(), Font::SansBold), ("oblique".into(), Font::SansOblique)]
    );
}

#[test]
fn same_calls_give_same_bytes() {
    let build = || {
        let mut doc = Document::new(info());
        let p = doc.add_page(PageSize::A4);
        doc.page(p).text(10.0, 10.0, "deterministic", &TextStyle::new(Font::Sans, 10.0));
        doc.finish()
    };
    assert_eq!(build(), build());
}

#[test]
fn empty_document_still_has_one_page() {
    let bytes = Document::new(info()).finish();
    assert_xref_exact(&bytes);
    let pdf = parse(&bytes);
    assert_eq!(pdf.get_pages().len(), 1);
    assert!(page_dict(&pdf, 1).get(b"Resources").is_ok());
}

#[test]
fn inserted_pages_follow_reading_order() {
    let mut doc = Document::new(info());
    let style = TextStyle::new(Font::Sans, 10.0);
    let first = doc.add_page(PageSize::A4);
    let last = doc.add_page(PageSize::A4);
    let middle = doc.insert_page_after(first, PageSize::A4);
    doc.page(first).text(50.0, 50.0, "one", &style);
    doc.page(middle).text(50.0, 50.0, "two", &style);
    doc.page(last).text(50.0, 50.0, "three", &style);
    assert_eq!(doc.page_ids(), vec![first, middle, last]);
    let pdf = parse(&doc.finish());
    assert_eq!(crate::support::page_text(&pdf, 2).trim(), "two");
    assert_eq!(crate::support::page_text(&pdf, 3).trim(), "three");
}
