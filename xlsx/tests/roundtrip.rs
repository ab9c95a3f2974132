//! Round-trip tests through the public API: write a workbook, read it back with `read_workbook`.

use chrono::{NaiveDate, NaiveDateTime};
use xlsx::zip::{ZipArchive, ZipWriter};
use xlsx::{
    cell_reference, column_letters, read_workbook, Cell, ReadCell, ReadError, Workbook, XlsxError, CURRENCY_FORMAT,
    DATETIME_FORMAT, DATE_FORMAT, DECIMAL_FORMAT, INTEGER_FORMAT, MAX_COLUMNS, MAX_ROWS, PERCENT_FORMAT,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn datetime(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(h, mi, s).unwrap()
}

fn part(bytes: &[u8], name: &str) -> String {
    let archive = ZipArchive::parse(bytes).unwrap();
    String::from_utf8(archive.get(name).unwrap_or_else(|| panic!("missing {name}")).to_vec()).unwrap()
}

fn two_sheet_workbook() -> Workbook {
    let mut wb = Workbook::new();
    wb.set_title("Q1 analytics").set_author("AURA");
    let summary = wb.add_sheet("Summary");
    summary.set_header(true).set_column_width(0, 24.0).unwrap().set_column_width(2, 14.5).unwrap();
    summary.push_row(["Kind", "Value", "Note"]).unwrap();
    summary.push_row(vec![Cell::from("text"), Cell::from("Marina Gate"), Cell::from("repeated")]).unwrap();
    summary.push_row(vec![Cell::from("number"), Cell::Number(1234.5678)]).unwrap();
    summary.push_row(vec![Cell::from("integer"), Cell::Integer(-1_234_567)]).unwrap();
    summary.push_row(vec![Cell::from("bool"), Cell::Bool(true), Cell::Bool(false)]).unwrap();
    summary.push_row(vec![Cell::from("date"), Cell::Date(date(2024, 3, 15))]).unwrap();
    summary.push_row(vec![Cell::from("datetime"), Cell::DateTime(datetime(2024, 3, 15, 12, 34, 56))]).unwrap();
    summary.push_row(vec![Cell::from("percent"), Cell::Percent(0.125)]).unwrap();
    summary.push_row(vec![Cell::from("currency"), Cell::Currency(2_450_000.0)]).unwrap();
    summary.push_row(vec![Cell::from("empty"), Cell::Empty, Cell::from("after gap")]).unwrap();

    let details = wb.add_sheet("Details");
    details.set_cell(0, 0, "repeated").unwrap();
    details.set_cell(2, 3, 7i64).unwrap();
    details.set_cell(1, 1, Cell::Date(date(1900, 3, 1))).unwrap();
    wb
}

#[test]
fn round_trip_every_cell_kind_across_two_sheets() {
    let bytes = two_sheet_workbook().to_bytes();
    let sheets = read_workbook(&bytes).unwrap();
    assert_eq!(sheets.len(), 2);
    let (name, rows) = &sheets[0];
    assert_eq!(name, "Summary");
    assert_eq!(rows.len(), 10);

    let text = |s: &str| ReadCell::Text(s.to_owned());
    assert_eq!(rows[0], vec![text("Kind"), text("Value"), text("Note")]);
    assert_eq!(rows[1], vec![text("text"), text("Marina Gate"), text("repeated")]);

    assert_eq!(rows[2][1], ReadCell::Number { value: 1234.5678, format: Some(DECIMAL_FORMAT.into()), is_date: false });
    assert_eq!(
        rows[3][1],
        ReadCell::Number { value: -1_234_567.0, format: Some(INTEGER_FORMAT.into()), is_date: false }
    );
    assert_eq!(rows[4][1..], [ReadCell::Bool(true), ReadCell::Bool(false)]);

    // Dates come back as date-styled serials: days since 1899-12-30.
    let d = &rows[5][1];
    assert_eq!(*d, ReadCell::Number { value: 45366.0, format: Some(DATE_FORMAT.into()), is_date: true });
    assert_eq!(d.as_date(), Some(date(2024, 3, 15)));

    let dt = &rows[6][1];
    assert!(dt.is_date());
    assert_eq!(dt.format(), Some(DATETIME_FORMAT));
    assert!((dt.as_f64().unwrap() - (45366.0 + (12.0 * 3600.0 + 34.0 * 60.0 + 56.0) / 86400.0)).abs() < 1e-9);
    assert_eq!(dt.as_datetime(), Some(datetime(2024, 3, 15, 12, 34, 56)));

    assert_eq!(rows[7][1], ReadCell::Number { value: 0.125, format: Some(PERCENT_FORMAT.into()), is_date: false });
    assert_eq!(
        rows[8][1],
        ReadCell::Number { value: 2_450_000.0, format: Some(CURRENCY_FORMAT.into()), is_date: false }
    );
    assert_eq!(rows[9], vec![text("empty"), ReadCell::Empty, text("after gap")]);

    let (name, rows) = &sheets[1];
    assert_eq!(name, "Details");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0], vec![text("repeated")]);
    assert_eq!(rows[1][1].as_f64(), Some(61.0));
    assert_eq!(rows[1][1].as_date(), Some(date(1900, 3, 1)));
    assert_eq!(rows[2].len(), 4);
    assert_eq!(rows[2][3].as_f64(), Some(7.0));
}

#[test]
fn package_parts_and_sheet_structure() {
    let bytes = two_sheet_workbook().to_bytes();
    let archive = ZipArchive::parse(&bytes).unwrap();
    let names: Vec<&str> = archive.names().collect();
    for expected in [
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
        "docProps/app.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/sharedStrings.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
    ] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    assert_eq!(names[0], "[Content_Types].xml");

    let sheet1 = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet1.contains("<dimension ref=\"A1:C10\"/>"), "{sheet1}");
    assert!(sheet1.contains("state=\"frozen\""));
    assert!(sheet1.contains("ySplit=\"1\""));
    assert!(sheet1.contains("<col min=\"1\" max=\"1\" width=\"24\" customWidth=\"1\"/>"));
    assert!(sheet1.contains("<col min=\"3\" max=\"3\" width=\"14.5\" customWidth=\"1\"/>"));
    // Header cells use the bold General style (index 7); body text uses style 0, which is omitted.
    assert!(sheet1.contains("<c r=\"A1\" s=\"7\" t=\"s\"><v>0</v></c>"), "{sheet1}");
    assert!(sheet1.contains("<c r=\"A2\" t=\"s\">"));
    assert!(sheet1.contains("<c r=\"B5\" t=\"b\"><v>1</v></c>"));
    assert!(sheet1.contains("<c r=\"B6\" s=\"1\"><v>45366</v></c>"));

    let sheet2 = part(&bytes, "xl/worksheets/sheet2.xml");
    assert!(sheet2.contains("<dimension ref=\"A1:D3\"/>"));
    assert!(!sheet2.contains("frozen"));
    assert!(!sheet2.contains("tabSelected"));

    // "repeated" appears twice but is stored once.
    let sst = part(&bytes, "xl/sharedStrings.xml");
    assert_eq!(sst.matches("<t>repeated</t>").count(), 1);
    assert!(sst.contains("uniqueCount=\""));

    let styles = part(&bytes, "xl/styles.xml");
    for code in ["yyyy-mm-dd", "yyyy-mm-dd hh:mm", "0.0%", "#,##0 &quot;AED&quot;", "#,##0", "#,##0.00"] {
        assert!(styles.contains(&format!("formatCode=\"{code}\"")), "{code}");
    }
    assert!(styles.contains("<b/>"));

    let core = part(&bytes, "docProps/core.xml");
    assert!(core.contains("<dc:title>Q1 analytics</dc:title>") && core.contains("<dc:creator>AURA</dc:creator>"));
}

#[test]
fn output_is_deterministic() {
    let a = two_sheet_workbook().to_bytes();
    let b = two_sheet_workbook().to_bytes();
    assert_eq!(a, b);
    assert_eq!(two_sheet_workbook().try_to_bytes().unwrap(), a);
}

#[test]
fn escaping_and_sanitising_text() {
    let mut wb = Workbook::new();
    wb.set_title("<&> \"title\" 'x'\u{1}").set_author("R&D \u{7}team");
    let s = wb.add_sheet("R&D <Q1> 'x' v2");
    let specials = "<tag attr=\"v\">&amp; it's</tag>";
    let whitespace = "\tlead\r\nCRLF\rCR\nLF trail ";
    let literal_escape = "_x0041_ and _x005F_ stay literal";
    let unicode = "برج خليفة 🏙️ Ünïcødé";
    s.push_row([specials, "a\u{0}b\u{1}c\u{b}d\u{c}e\u{1f}f\u{FFFE}g\u{FFFF}h", whitespace, literal_escape, unicode])
        .unwrap();
    s.push_row(["x".repeat(40_000)]).unwrap();
    s.push_row(vec![Cell::Text(String::new()), Cell::from("   ")]).unwrap();

    let bytes = wb.to_bytes();
    let sheets = read_workbook(&bytes).unwrap();
    let (name, rows) = &sheets[0];
    assert_eq!(name, "R&D <Q1> 'x' v2");
    let got: Vec<&str> = rows[0].iter().map(|c| c.as_text().unwrap()).collect();
    assert_eq!(got, [specials, "abcdefgh", whitespace, literal_escape, unicode]);
    // Excel's per-cell limit.
    assert_eq!(rows[1][0].as_text().unwrap().len(), 32_767);
    assert_eq!(rows[2], vec![ReadCell::Text(String::new()), ReadCell::Text("   ".into())]);

    let core = part(&bytes, "docProps/core.xml");
    assert!(core.contains("<dc:title>&lt;&amp;&gt; \"title\" 'x'</dc:title>"), "{core}");
    assert!(core.contains("<dc:creator>R&amp;D team</dc:creator>"));
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(workbook.contains("name=\"R&amp;D &lt;Q1&gt; 'x' v2\""), "{workbook}");
}

#[test]
fn non_finite_numbers_become_num_errors() {
    let mut wb = Workbook::new();
    wb.add_sheet("n").push_row([Cell::Number(f64::NAN), Cell::Percent(f64::INFINITY), Cell::Number(1e300)]).unwrap();
    let sheets = read_workbook(&wb.to_bytes()).unwrap();
    let row = &sheets[0].1[0];
    assert_eq!(row[0], ReadCell::Error("#NUM!".into()));
    assert_eq!(row[1], ReadCell::Error("#NUM!".into()));
    assert_eq!(row[2].as_f64(), Some(1e300));
}

#[test]
fn column_letters_known_values() {
    let cases = [(1, "A"), (2, "B"), (26, "Z"), (27, "AA"), (28, "AB"), (52, "AZ"), (53, "BA"), (702, "ZZ")];
    for (n, l) in cases.into_iter().chain([(703, "AAA"), (16_384, "XFD")]) {
        assert_eq!(column_letters(n).unwrap(), l, "{n}");
    }
    assert_eq!(column_letters(0), Err(XlsxError::ColumnOutOfRange(0)));
    assert_eq!(column_letters(16_385), Err(XlsxError::ColumnOutOfRange(16_385)));
    assert_eq!(cell_reference(1_048_576, 16_384).unwrap(), "XFD1048576");
    assert_eq!(cell_reference(1_048_577, 1), Err(XlsxError::RowOutOfRange(1_048_577)));
    assert_eq!(cell_reference(0, 1), Err(XlsxError::RowOutOfRange(0)));
}

#[test]
fn grid_limits_are_enforced() {
    let mut wb = Workbook::new();
    let s = wb.add_sheet("limits");
    assert_eq!(s.set_cell(MAX_ROWS, 0, 1i64).unwrap_err(), XlsxError::RowOutOfRange(MAX_ROWS + 1));
    assert_eq!(s.set_cell(0, MAX_COLUMNS, 1i64).unwrap_err(), XlsxError::ColumnOutOfRange(MAX_COLUMNS + 1));
    assert_eq!(
        s.push_row(std::iter::repeat_n(Cell::Bool(true), MAX_COLUMNS + 1)).unwrap_err(),
        XlsxError::ColumnOutOfRange(MAX_COLUMNS + 1)
    );
    assert!(matches!(s.set_column_width(MAX_COLUMNS, 10.0), Err(XlsxError::ColumnOutOfRange(_))));
    assert!(matches!(s.set_column_width(0, 256.0), Err(XlsxError::InvalidColumnWidth(_))));
    assert!(matches!(s.set_column_width(0, f64::NAN), Err(XlsxError::InvalidColumnWidth(_))));
    // The very last cell of the grid is addressable.
    s.set_cell(MAX_ROWS - 1, MAX_COLUMNS - 1, "corner").unwrap();
    let bytes = wb.to_bytes();
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<dimension ref=\"XFD1048576\"/>"));
    assert!(sheet.contains("<row r=\"1048576\"><c r=\"XFD1048576\" t=\"s\">"));
}

#[test]
fn sheet_names_are_sanitised_uniquely_or_validated() {
    let mut wb = Workbook::new();
    assert_eq!(wb.add_sheet("Data").name(), "Data");
    assert_eq!(wb.add_sheet("data").name(), "data (2)");
    assert_eq!(wb.add_sheet("DATA").name(), "DATA (3)");
    assert_eq!(wb.add_sheet("Sales: 2024/Q1 [draft]?").name(), "Sales_ 2024_Q1 _draft__");
    let long = "Off-plan transactions by community and developer";
    assert_eq!(wb.add_sheet(long).name(), "Off-plan transactions by commun");
    let second = wb.add_sheet(long).name().to_owned();
    assert_eq!(second, "Off-plan transactions by co (2)");
    assert_eq!(second.chars().count(), 31);
    assert_eq!(wb.add_sheet("").name(), "Sheet");
    assert_eq!(wb.add_sheet("History").name(), "History_");
    // Excel forbids a leading or trailing apostrophe.
    assert_eq!(wb.add_sheet("'Q1 'x'").name(), "Q1 'x");

    assert!(matches!(wb.try_add_sheet("a/b"), Err(XlsxError::InvalidSheetName { .. })));
    assert!(matches!(wb.try_add_sheet("'quoted'"), Err(XlsxError::InvalidSheetName { .. })));
    assert!(matches!(wb.try_add_sheet(&"x".repeat(32)), Err(XlsxError::InvalidSheetName { .. })));
    assert!(matches!(wb.try_add_sheet("history"), Err(XlsxError::InvalidSheetName { .. })));
    assert_eq!(wb.try_add_sheet("dAtA").unwrap_err(), XlsxError::DuplicateSheetName("dAtA".into()));
    assert_eq!(wb.try_add_sheet("Valid name").unwrap().name(), "Valid name");

    let expected: Vec<String> = wb.sheets().iter().map(|s| s.name().to_owned()).collect();
    let read: Vec<String> = read_workbook(&wb.to_bytes()).unwrap().into_iter().map(|(n, _)| n).collect();
    assert_eq!(read, expected);
}

#[test]
fn empty_workbook_still_has_one_sheet() {
    let sheets = read_workbook(&Workbook::new().to_bytes()).unwrap();
    assert_eq!(sheets, vec![("Sheet1".to_owned(), Vec::new())]);
}

#[test]
fn many_rows_round_trip() {
    let mut wb = Workbook::new();
    let s = wb.add_sheet("big");
    for i in 0..3_000i64 {
        s.push_row(vec![
            Cell::Integer(i),
            Cell::Text(format!("unit {}", i % 50)),
            Cell::Number(i as f64 / 7.0),
            Cell::Date(date(2020, 1, 1) + chrono::Duration::days(i)),
        ])
        .unwrap();
    }
    let bytes = wb.to_bytes();
    let rows = &read_workbook(&bytes).unwrap()[0].1;
    assert_eq!(rows.len(), 3_000);
    assert_eq!(rows[2_999][0].as_f64(), Some(2_999.0));
    assert_eq!(rows[2_999][1].as_text(), Some("unit 49"));
    assert_eq!(rows[2_999][2].as_f64(), Some(2_999.0 / 7.0));
    assert_eq!(rows[2_999][3].as_date(), Some(date(2020, 1, 1) + chrono::Duration::days(2_999)));
    // 50 distinct strings only.
    assert!(part(&bytes, "xl/sharedStrings.xml").contains("uniqueCount=\"50\""));
}

/// A hand-written package in a different dialect than ours: other part names, absolute and relative
/// targets, prefixed elements, reordered and single-quoted attributes, rich and inline strings, cells
/// without `r`, formula strings, error cells, built-in date formats and a cellStyleXfs decoy.
#[test]
fn reader_accepts_foreign_but_valid_packages() {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut z = ZipWriter::new();
    z.add(
        "_rels/.rels",
        format!(
            "<Relationships xmlns='http://schemas.openxmlformats.org/package/2006/relationships'>\
             <Relationship Target='/book/wb.xml' Type='{REL}/officeDocument' Id='x1'/></Relationships>"
        )
        .as_bytes(),
    )
    .unwrap();
    z.add(
        "book/_rels/wb.xml.rels",
        format!(
            "<?xml version='1.0'?><Relationships xmlns='http://schemas.openxmlformats.org/package/2006/relationships'>\
             <Relationship Type='{REL}/hyperlink' Target='http://example.com' TargetMode='External' Id='h'/>\
             <Relationship Target='parts/s.xml' Type='{REL}/worksheet' Id='rIdA'/>\
             <Relationship Id='st' Target='../book/styles.xml' Type='{REL}/styles'/>\
             <Relationship Type='{REL}/sharedStrings' Id='ss' Target='/book/strings.xml'/></Relationships>"
        )
        .as_bytes(),
    )
    .unwrap();
    z.add(
        "book/wb.xml",
        format!(
            "<x:workbook xmlns:x='{MAIN}' xmlns:rel='{REL}'><x:sheets>\
             <x:sheet rel:id='rIdA' sheetId='9' name='Data &amp; More'/></x:sheets></x:workbook>"
        )
        .as_bytes(),
    )
    .unwrap();
    z.add(
        "book/styles.xml",
        format!(
            "<styleSheet xmlns='{MAIN}'><numFmts count='1'><numFmt formatCode='0.00 \"m²\"' numFmtId='170'/></numFmts>\
             <cellStyleXfs count='1'><xf numFmtId='14'/></cellStyleXfs>\
             <cellXfs count='3'><xf numFmtId='0'/><xf fontId='0' numFmtId='14'/><xf numFmtId='170'/></cellXfs>\
             </styleSheet>"
        )
        .as_bytes(),
    )
    .unwrap();
    z.add(
        "book/strings.xml",
        format!(
            "<sst xmlns='{MAIN}' uniqueCount='2'><si><r><t>Hel</t></r><r><rPr><b/></rPr><t xml:space='preserve'>lo </t>\
             </r><rPh sb='0' eb='1'><t>ignored</t></rPh></si><si><t>a_x000D_b</t></si></sst>"
        )
        .as_bytes(),
    )
    .unwrap();
    z.add(
        "book/parts/s.xml",
        format!(
            "<worksheet xmlns='{MAIN}'><sheetData>\
             <row r='2'><c t='s' r='B2'><v>0</v></c><c s='1' r='C2'><v>45366</v></c>\
             <c t='inlineStr'><is><t>inline &lt;</t></is></c></row>\
             <row><c><v> 1.5 </v></c><c t='str'><f>A1&amp;\"\"</f><v>formula text</v></c><c t='e'><v>#DIV/0!</v></c>\
             <c s='2' r='F3'><v>3</v></c><c r='G3' s='1'/><c r='H3' t='s'><v>1</v></c></row>\
             </sheetData></worksheet>"
        )
        .as_bytes(),
    )
    .unwrap();
    let sheets = read_workbook(&z.finish().unwrap()).unwrap();
    assert_eq!(sheets.len(), 1);
    let (name, rows) = &sheets[0];
    assert_eq!(name, "Data & More");
    assert_eq!(rows.len(), 3);
    assert!(rows[0].is_empty());
    assert_eq!(rows[1][0], ReadCell::Empty);
    assert_eq!(rows[1][1], ReadCell::Text("Hello ".into()));
    assert_eq!(rows[1][2], ReadCell::Number { value: 45366.0, format: Some("mm-dd-yy".into()), is_date: true });
    assert_eq!(rows[1][3], ReadCell::Text("inline <".into()));
    assert_eq!(rows[2][0], ReadCell::Number { value: 1.5, format: None, is_date: false });
    assert_eq!(rows[2][1], ReadCell::Text("formula text".into()));
    assert_eq!(rows[2][2], ReadCell::Error("#DIV/0!".into()));
    assert_eq!(rows[2][5], ReadCell::Number { value: 3.0, format: Some("0.00 \"m²\"".into()), is_date: false });
    assert_eq!(rows[2][6], ReadCell::Empty);
    assert_eq!(rows[2][7], ReadCell::Text("a\rb".into()));
}

#[test]
fn reader_reports_broken_input() {
    assert!(matches!(read_workbook(b"definitely not a zip"), Err(ReadError::Zip(_))));

    let mut z = ZipWriter::new();
    z.add("xl/workbook.xml", b"<workbook><sheets><sheet name='a' r:id='rId1'/></sheets></workbook>").unwrap();
    assert_eq!(read_workbook(&z.finish().unwrap()), Err(ReadError::MissingPart("xl/_rels/workbook.xml.rels".into())));

    let mut bytes = two_sheet_workbook().to_bytes();
    let mut z = ZipWriter::new();
    for e in ZipArchive::parse(&bytes).unwrap().entries() {
        let data =
            if e.name == "xl/worksheets/sheet1.xml" { b"<worksheet><sheetData>".to_vec() } else { e.data.clone() };
        z.add(&e.name, &data).unwrap();
    }
    bytes = z.finish().unwrap();
    assert!(matches!(read_workbook(&bytes), Err(ReadError::Xml { part, .. }) if part == "xl/worksheets/sheet1.xml"));
}
