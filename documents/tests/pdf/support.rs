//! Helpers shared by the end-to-end tests: fixed document info, parsing, and reading back pages.

use documents::{DocInfo, PdfDate};

/// Info with a fixed date, so output is deterministic.
pub fn info() -> DocInfo {
    DocInfo::new("Test report", "AURA tests", PdfDate::utc(2025, 3, 7, 9, 30, 0).with_offset_minutes(240))
}

pub use documents::testing::{page_text, parse, runs};

/// The page dictionary of page `number` (1-based).
pub fn page_dict(doc: &lopdf::Document, number: u32) -> &lopdf::Dictionary {
    let id = doc.get_pages()[&number];
    doc.get_dictionary(id).expect("page dictionary")
}

/// The box `key` (e.g. `b"MediaBox"`) of page `number`, if present.
pub fn page_box(doc: &lopdf::Document, number: u32, key: &[u8]) -> Option<[f32; 4]> {
    let array = page_dict(doc, number).get(key).ok()?.as_array().ok()?;
    let v: Vec<f32> = array.iter().map(|o| o.as_float().expect("number in box")).collect();
    Some([v[0], v[1], v[2], v[3]])
}

/// Checks the xref table by hand (lopdf silently repairs broken ones): every in-use entry's offset must
/// point at `N 0 obj` for its own N, and `startxref` must point at `xref`.
pub fn assert_xref_exact(bytes: &[u8]) {
    assert!(bytes.starts_with(b"%PDF-1."), "header");
    assert!(bytes.trim_ascii_end().ends_with(b"%%EOF"), "trailer end");
    let marker = b"startxref\n";
    let at = bytes.windows(marker.len()).rposition(|w| w == marker).expect("startxref");
    let tail = std::str::from_utf8(&bytes[at + marker.len()..]).expect("ASCII after startxref");
    let xref_at: usize = tail.lines().next().unwrap().trim().parse().expect("startxref offset");
    // Everything from the xref table on is ASCII.
    let table = std::str::from_utf8(&bytes[xref_at..]).expect("ASCII xref and trailer");
    assert!(table.starts_with("xref\n"), "startxref points at xref");
    let mut lines = table.lines().skip(1);
    let count: usize = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    assert_eq!(lines.next().unwrap().trim_end(), "0000000000 65535 f");
    for n in 1..count {
        let entry = lines.next().unwrap();
        assert_eq!(entry.trim_end().len(), 18, "entry {n} is 20 bytes with its end of line");
        if entry.ends_with('f') || entry.trim_end().ends_with('f') {
            continue;
        }
        let offset: usize = entry[..10].parse().unwrap();
        let expected = format!("{n} 0 obj");
        assert!(bytes[offset..].starts_with(expected.as_bytes()), "xref entry {n} points at {offset}");
    }
    assert!(table.contains(&format!("/Size {count}")), "trailer /Size matches the table");
}
