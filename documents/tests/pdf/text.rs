//! Text as extracted by a reader: delimiters, non-ASCII and Arabic text, alignment and wrapped
//! paragraphs.

use crate::support::{info, page_text, parse, runs};
use documents::{text_width, wrap_text, Color, Document, Font, PageSize, TextStyle};

#[test]
fn text_with_delimiters_and_backslashes_round_trips() {
    let mut doc = Document::new(info());
    let p = doc.add_page(PageSize::A4);
    let style = TextStyle::new(Font::Sans, 11.0).color(Color::NAVY);
    doc.page(p)
        .text(50.0, 800.0, "Price (AED) per sqft", &style)
        .text(50.0, 780.0, r"C:\reports\cma) (unbalanced", &style)
        .text(50.0, 760.0, "Caf\u{e9} \u{20ac}5 \u{2013} \u{201c}quoted\u{201d}", &style)
        .text(50.0, 740.0, "Dubai \u{62f}\u{628}\u{64a}", &style);
    let text = page_text(&parse(&doc.finish()), 1);
    assert!(text.contains("Price (AED) per sqft"), "{text}");
    assert!(text.contains(r"C:\reports\cma) (unbalanced"), "{text}");
    assert!(text.contains("Café €5 – “quoted”"), "{text}");
    // Arabic is its own right-to-left run, read back in printed (visual) order.
    assert!(text.contains("Dubai \n\u{64a}\u{628}\u{62f}"), "{text}");
}

#[test]
fn arabic_names_print_right_to_left_after_the_latin_label() {
    let mut doc = Document::new(info());
    let p = doc.add_page(PageSize::A4);
    let style = TextStyle::new(Font::Sans, 12.0);
    doc.page(p).text(50.0, 700.0, "Client: عمر حداد, Dubai", &style);
    let drawn = runs(&parse(&doc.finish()), 1);
    let texts: Vec<&str> = drawn.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, ["Client: ", "دادح رمع", ", Dubai"]);
    // Each run starts where the one on its left ends.
    for pair in drawn.windows(2) {
        assert!((pair[0].right() - pair[1].x).abs() < 0.05, "{pair:?}");
    }
    assert!((drawn[0].x - 50.0).abs() < 0.01);
    assert_eq!(drawn[1].logical(), "عمر حداد");
}

#[test]
fn aligned_text_is_positioned_by_its_measured_width() {
    let mut doc = Document::new(info());
    let p = doc.add_page(PageSize::A4);
    let style = TextStyle::new(Font::SansBold, 10.0);
    doc.page(p).text_right(500.0, 700.0, "AED 2,450,000", &style).text_centered(300.0, 680.0, "Centre", &style);
    let drawn = runs(&parse(&doc.finish()), 1);
    let right_x = 500.0 - text_width(Font::SansBold, 10.0, "AED 2,450,000");
    let centre_x = 300.0 - text_width(Font::SansBold, 10.0, "Centre") / 2.0;
    assert_eq!(drawn[0].text, "AED 2,450,000");
    assert!((drawn[0].x - right_x).abs() < 0.01 && (drawn[0].y - 700.0).abs() < 0.01, "{:?}", drawn[0]);
    assert!((drawn[0].right() - 500.0).abs() < 0.01);
    assert!((drawn[1].x - centre_x).abs() < 0.01 && (drawn[1].y - 680.0).abs() < 0.01, "{:?}", drawn[1]);
}

#[test]
fn wrapped_paragraph_is_drawn_line_by_line() {
    let paragraph = "Based on six comparable sales in Dubai Marina over the last six months, the subject \
                     apartment's market value is estimated between AED 2.35M and AED 2.48M.";
    let mut doc = Document::new(info());
    let p = doc.add_page(PageSize::A4);
    let style = TextStyle::new(Font::Sans, 10.0);
    let height = doc.page(p).paragraph(50.0, 700.0, 200.0, paragraph, &style);
    let lines = wrap_text(Font::Sans, 10.0, paragraph, 200.0);
    assert!(lines.len() >= 3);
    assert_eq!(height, lines.len() as f32 * style.line_height());

    let text = page_text(&parse(&doc.finish()), 1);
    let extracted: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    assert_eq!(extracted, lines, "one extracted line per wrapped line");
    assert_eq!(extracted.join(" "), paragraph);
}
