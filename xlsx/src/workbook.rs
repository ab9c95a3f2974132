//! The workbook and its serialisation into an OOXML (SpreadsheetML) package.
//!
//! Sheet names are **sanitised deterministically** by [`Workbook::add_sheet`] (the infallible path analytics
//! exports use, since section titles come from data) and **validated strictly** by
//! [`Workbook::try_add_sheet`] for callers that would rather fail than rename.
//!
//! Serialisation is a pure function of the workbook: no clock, no randomness, no hash-map iteration order,
//! so equal workbooks give byte-identical files (useful for caching, ETags and golden tests).

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::NaiveDateTime;

use crate::cell::{date_to_serial, datetime_to_serial, Cell};
use crate::error::XlsxError;
use crate::refs::letters_unchecked;
use crate::sheet::Sheet;
use crate::styles::{styles_xml, xf_index, Format};
use crate::xml::{is_xml_char, push_attr, push_text};
use crate::zip::ZipWriter;

pub(crate) const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const NS_MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const NS_REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Excel refuses cells longer than this many characters (UTF-16 code units).
pub const MAX_TEXT_LEN: usize = 32_767;
/// Excel's limit on sheet-name length (UTF-16 code units).
pub const MAX_SHEET_NAME_LEN: usize = 31;
const FORBIDDEN_SHEET_CHARS: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];

/// A workbook: ordered sheets plus document metadata.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Workbook {
    sheets: Vec<Sheet>,
    title: Option<String>,
    author: Option<String>,
    created: Option<NaiveDateTime>,
}

/// Why `name` cannot be used verbatim as a sheet name, if it cannot.
fn sheet_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("must not be empty")
    } else if name.encode_utf16().count() > MAX_SHEET_NAME_LEN {
        Some("longer than 31 characters")
    } else if name.contains(FORBIDDEN_SHEET_CHARS) {
        Some("contains one of [ ] : * ? / \\")
    } else if name.chars().any(|c| c.is_control() || !is_xml_char(c)) {
        Some("contains control characters")
    } else if name.starts_with('\'') || name.ends_with('\'') {
        Some("must not begin or end with an apostrophe")
    } else if name.eq_ignore_ascii_case("history") {
        Some("\"History\" is reserved by Excel")
    } else {
        None
    }
}

/// Checks a sheet name against Excel's rules (non-empty, ≤ 31 characters, none of `[]:*?/\`, no control
/// characters, no leading/trailing apostrophe, not `History`). Uniqueness is checked by the workbook.
pub fn validate_sheet_name(name: &str) -> Result<(), XlsxError> {
    match sheet_name_problem(name) {
        Some(reason) => Err(XlsxError::InvalidSheetName { name: name.to_owned(), reason }),
        None => Ok(()),
    }
}

/// Keeps at most `max` UTF-16 code units of `s`, cutting only at character boundaries.
fn truncate_utf16(s: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &s[..i];
        }
    }
    s
}

/// Deterministically turns any string into a valid sheet name (uniqueness aside): forbidden characters
/// become `_`, control characters are dropped, surrounding whitespace and apostrophes are trimmed, the result
/// is cut to 31 characters, an empty result becomes `Sheet`, and the reserved `History` becomes `History_`.
pub fn sanitize_sheet_name(name: &str) -> String {
    let replaced: String = name
        .chars()
        .filter(|&c| !c.is_control() && is_xml_char(c))
        .map(|c| if FORBIDDEN_SHEET_CHARS.contains(&c) { '_' } else { c })
        .collect();
    let trim = |c: char| c == '\'' || c.is_whitespace();
    let cut = truncate_utf16(replaced.trim_matches(trim), MAX_SHEET_NAME_LEN).trim_end_matches(trim);
    if cut.is_empty() {
        "Sheet".to_owned()
    } else if cut.eq_ignore_ascii_case("history") {
        format!("{cut}_")
    } else {
        cut.to_owned()
    }
}

impl Workbook {
    /// An empty workbook. Serialising it without adding sheets yields one empty sheet named `Sheet1`, because
    /// Excel cannot open a workbook with no sheets.
    pub fn new() -> Self {
        Self::default()
    }

    fn name_taken(&self, name: &str) -> bool {
        // Excel compares sheet names case-insensitively.
        let lower = name.to_lowercase();
        self.sheets.iter().any(|s| s.name().to_lowercase() == lower)
    }

    /// Adds a sheet, sanitising the name with [`sanitize_sheet_name`] and, if it clashes with an existing
    /// sheet (case-insensitively), appending ` (2)`, ` (3)`, … within the 31-character limit.
    pub fn add_sheet(&mut self, name: &str) -> &mut Sheet {
        let base = sanitize_sheet_name(name);
        let mut unique = base.clone();
        let mut n = 2usize;
        while self.name_taken(&unique) {
            let suffix = format!(" ({n})");
            let keep = truncate_utf16(&base, MAX_SHEET_NAME_LEN - suffix.len());
            unique = format!("{keep}{suffix}");
            n += 1;
        }
        self.sheets.push(Sheet::new(unique));
        let last = self.sheets.len() - 1;
        &mut self.sheets[last]
    }

    /// Adds a sheet whose name must already satisfy [`validate_sheet_name`] and be unique.
    pub fn try_add_sheet(&mut self, name: &str) -> Result<&mut Sheet, XlsxError> {
        validate_sheet_name(name)?;
        if self.name_taken(name) {
            return Err(XlsxError::DuplicateSheetName(name.to_owned()));
        }
        self.sheets.push(Sheet::new(name.to_owned()));
        let last = self.sheets.len() - 1;
        Ok(&mut self.sheets[last])
    }

    /// Sheets in tab order.
    pub fn sheets(&self) -> &[Sheet] {
        &self.sheets
    }

    /// The sheet with this exact (sanitised) name.
    pub fn sheet_mut(&mut self, name: &str) -> Option<&mut Sheet> {
        self.sheets.iter_mut().find(|s| s.name() == name)
    }

    /// Document title (`dc:title`).
    pub fn set_title(&mut self, title: impl Into<String>) -> &mut Self {
        self.title = Some(title.into());
        self
    }

    /// Document author (`dc:creator`).
    pub fn set_author(&mut self, author: impl Into<String>) -> &mut Self {
        self.author = Some(author.into());
        self
    }

    /// Creation timestamp (UTC). It is caller-supplied rather than read from the clock to keep output
    /// deterministic; when unset, no creation date is written.
    pub fn set_created(&mut self, created: NaiveDateTime) -> &mut Self {
        self.created = Some(created);
        self
    }

    /// Serialises the workbook to `.xlsx` bytes.
    ///
    /// # Panics
    /// Only if a single part or the whole file exceeds 4 GiB, which would need ZIP64 (not implemented); use
    /// [`Workbook::try_to_bytes`] to get that as an error instead.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self.try_to_bytes() {
            Ok(bytes) => bytes,
            Err(e) => panic!("xlsx serialisation failed: {e}"),
        }
    }

    /// Serialises the workbook, reporting the (4 GiB, non-ZIP64) size limit as an error.
    pub fn try_to_bytes(&self) -> Result<Vec<u8>, XlsxError> {
        let default_sheet;
        let sheets: &[Sheet] = if self.sheets.is_empty() {
            default_sheet = [Sheet::new("Sheet1".to_owned())];
            &default_sheet
        } else {
            &self.sheets
        };
        let mut sst = SharedStrings::default();
        let sheet_parts: Vec<String> = sheets.iter().enumerate().map(|(i, s)| sheet_xml(s, i == 0, &mut sst)).collect();

        let mut zip = ZipWriter::new();
        zip.add("[Content_Types].xml", content_types_xml(sheets.len()).as_bytes())?;
        zip.add("_rels/.rels", root_rels_xml().as_bytes())?;
        zip.add("docProps/app.xml", app_xml(sheets).as_bytes())?;
        zip.add("docProps/core.xml", self.core_xml().as_bytes())?;
        zip.add("xl/workbook.xml", workbook_xml(sheets).as_bytes())?;
        zip.add("xl/_rels/workbook.xml.rels", workbook_rels_xml(sheets.len()).as_bytes())?;
        zip.add("xl/styles.xml", styles_xml().as_bytes())?;
        zip.add("xl/sharedStrings.xml", sst.to_xml().as_bytes())?;
        for (i, part) in sheet_parts.iter().enumerate() {
            zip.add(&format!("xl/worksheets/sheet{}.xml", i + 1), part.as_bytes())?;
        }
        Ok(zip.finish()?)
    }

    fn core_xml(&self) -> String {
        let mut s = String::from(XML_DECL);
        s.push_str(
            "<cp:coreProperties \
             xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
             xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
        );
        if let Some(title) = &self.title {
            s.push_str("<dc:title>");
            push_text(&mut s, title);
            s.push_str("</dc:title>");
        }
        if let Some(author) = &self.author {
            s.push_str("<dc:creator>");
            push_text(&mut s, author);
            s.push_str("</dc:creator>");
        }
        if let Some(created) = self.created {
            let _ = write!(
                s,
                "<dcterms:created xsi:type=\"dcterms:W3CDTF\">{}</dcterms:created>",
                created.format("%Y-%m-%dT%H:%M:%SZ")
            );
        }
        s.push_str("</cp:coreProperties>");
        s
    }
}

fn content_types_xml(sheet_count: usize) -> String {
    let mut s = String::from(XML_DECL);
    s.push_str(
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" \
         ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>",
    );
    for i in 1..=sheet_count {
        let _ = write!(
            s,
            "<Override PartName=\"/xl/worksheets/sheet{i}.xml\" \
             ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        );
    }
    s.push_str(
        "<Override PartName=\"/xl/styles.xml\" \
         ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
         <Override PartName=\"/xl/sharedStrings.xml\" \
         ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>\
         <Override PartName=\"/docProps/core.xml\" \
         ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         <Override PartName=\"/docProps/app.xml\" \
         ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
         </Types>",
    );
    s
}

fn root_rels_xml() -> String {
    let mut s = String::from(XML_DECL);
    s.push_str(
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" \
         Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" \
         Target=\"xl/workbook.xml\"/>\
         <Relationship Id=\"rId2\" \
         Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" \
         Target=\"docProps/core.xml\"/>\
         <Relationship Id=\"rId3\" \
         Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" \
         Target=\"docProps/app.xml\"/>\
         </Relationships>",
    );
    s
}

fn app_xml(sheets: &[Sheet]) -> String {
    let mut s = String::from(XML_DECL);
    s.push_str(
        "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>AURA xlsx</Application>",
    );
    // Excel lists sheet names here; it is optional, but keeping it makes file-property views accurate.
    let _ = write!(
        s,
        "<HeadingPairs><vt:vector size=\"2\" baseType=\"variant\"><vt:variant><vt:lpstr>Worksheets</vt:lpstr>\
         </vt:variant><vt:variant><vt:i4>{n}</vt:i4></vt:variant></vt:vector></HeadingPairs>\
         <TitlesOfParts><vt:vector size=\"{n}\" baseType=\"lpstr\">",
        n = sheets.len()
    );
    for sheet in sheets {
        s.push_str("<vt:lpstr>");
        push_text(&mut s, sheet.name());
        s.push_str("</vt:lpstr>");
    }
    s.push_str("</vt:vector></TitlesOfParts></Properties>");
    s
}

fn workbook_xml(sheets: &[Sheet]) -> String {
    let mut s = String::from(XML_DECL);
    let _ = write!(s, "<workbook xmlns=\"{NS_MAIN}\" xmlns:r=\"{NS_REL}\">");
    s.push_str("<bookViews><workbookView activeTab=\"0\"/></bookViews><sheets>");
    for (i, sheet) in sheets.iter().enumerate() {
        s.push_str("<sheet name=\"");
        push_attr(&mut s, sheet.name());
        let _ = write!(s, "\" sheetId=\"{n}\" r:id=\"rId{n}\"/>", n = i + 1);
    }
    s.push_str("</sheets></workbook>");
    s
}

fn workbook_rels_xml(sheet_count: usize) -> String {
    let mut s = String::from(XML_DECL);
    s.push_str("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
    for i in 1..=sheet_count {
        let _ = write!(
            s,
            "<Relationship Id=\"rId{i}\" \
             Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" \
             Target=\"worksheets/sheet{i}.xml\"/>"
        );
    }
    let _ = write!(
        s,
        "<Relationship Id=\"rId{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" \
         Target=\"styles.xml\"/>\
         <Relationship Id=\"rId{}\" \
         Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" \
         Target=\"sharedStrings.xml\"/></Relationships>",
        sheet_count + 1,
        sheet_count + 2
    );
    s
}

/// The shared-string table. Indexes are assigned in first-use order (sheet, row, column), so the table is
/// deterministic; the map is only used for lookups, never iterated.
#[derive(Default)]
struct SharedStrings {
    index: HashMap<String, u32>,
    list: Vec<String>,
    references: u64,
}

impl SharedStrings {
    fn intern(&mut self, raw: &str) -> u32 {
        self.references += 1;
        let text = clean_text(raw);
        if let Some(&i) = self.index.get(text.as_str()) {
            return i;
        }
        let i = self.list.len() as u32;
        self.index.insert(text.clone(), i);
        self.list.push(text);
        i
    }

    fn to_xml(&self) -> String {
        let mut s = String::with_capacity(64 + self.list.iter().map(|t| t.len() + 16).sum::<usize>());
        s.push_str(XML_DECL);
        let _ =
            write!(s, "<sst xmlns=\"{NS_MAIN}\" count=\"{}\" uniqueCount=\"{}\">", self.references, self.list.len());
        for text in &self.list {
            // Without xml:space="preserve" Excel trims leading/trailing whitespace.
            if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
                s.push_str("<si><t xml:space=\"preserve\">");
            } else {
                s.push_str("<si><t>");
            }
            push_ooxml_text(&mut s, text);
            s.push_str("</t></si>");
        }
        s.push_str("</sst>");
        s
    }
}

/// Drops characters XML 1.0 cannot carry and truncates to Excel's cell-length limit.
fn clean_text(raw: &str) -> String {
    let filtered: String = raw.chars().filter(|&c| is_xml_char(c)).collect();
    truncate_utf16(&filtered, MAX_TEXT_LEN).to_owned()
}

/// Escapes text for an `ST_Xstring` element. Excel decodes `_xHHHH_` sequences in such text as the character
/// U+HHHH, so a literal sequence of that shape must have its underscore escaped as `_x005F_` to survive.
fn push_ooxml_text(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut last = 0;
    for (i, _) in text.match_indices("_x") {
        let looks_escaped =
            bytes.len() >= i + 7 && bytes[i + 2..i + 6].iter().all(u8::is_ascii_hexdigit) && bytes[i + 6] == b'_';
        if looks_escaped {
            push_text(out, &text[last..i]);
            out.push_str("_x005F_");
            last = i + 1;
        }
    }
    push_text(out, &text[last..]);
}

/// Number text for `<v>`: shortest round-trip digits, with exponent notation only for magnitudes where
/// plain digits would be absurdly long. Both forms are valid `xsd:double` lexical values.
pub(crate) fn format_number(x: f64) -> String {
    if x == 0.0 {
        // Also normalises -0.0, which Excel would show as 0 anyway.
        return "0".to_owned();
    }
    if (1e-5..1e15).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:E}")
    }
}

/// Value, type attribute and number format of a non-empty cell.
enum Written {
    Shared(u32),
    Number(String, Format),
    Bool(bool),
    /// Non-finite numbers: SpreadsheetML has no NaN/∞, so they become the `#NUM!` error Excel itself uses.
    NumError(Format),
}

fn written(cell: &Cell, sst: &mut SharedStrings) -> Option<Written> {
    let num =
        |x: f64, f: Format| if x.is_finite() { Written::Number(format_number(x), f) } else { Written::NumError(f) };
    Some(match cell {
        Cell::Empty => return None,
        Cell::Text(t) => Written::Shared(sst.intern(t)),
        Cell::Number(x) => num(*x, Format::Decimal),
        Cell::Integer(i) => Written::Number(i.to_string(), Format::Integer),
        Cell::Bool(b) => Written::Bool(*b),
        Cell::Date(d) => Written::Number(date_to_serial(*d).to_string(), Format::Date),
        Cell::DateTime(dt) => num(datetime_to_serial(*dt), Format::DateTime),
        Cell::Percent(x) => num(*x, Format::Percent),
        Cell::Currency(x) => num(*x, Format::Currency),
    })
}

/// `xl/worksheets/sheetN.xml`.
fn sheet_xml(sheet: &Sheet, selected: bool, sst: &mut SharedStrings) -> String {
    let mut data = String::new();
    let mut letters: Vec<String> = Vec::new();
    // Bounding box of written cells, 1-based: (min_row, min_col, max_row, max_col).
    let mut bounds: Option<(usize, usize, usize, usize)> = None;

    for (ri, row) in sheet.rows().iter().enumerate() {
        let r = ri + 1;
        let bold = sheet.bold_header() && ri == 0;
        let mut row_open = false;
        for (ci, cell) in row.iter().enumerate() {
            let Some(w) = written(cell, sst) else { continue };
            let c = ci + 1;
            if !row_open {
                let _ = write!(data, "<row r=\"{r}\">");
                row_open = true;
            }
            while letters.len() < c {
                letters.push(letters_unchecked(letters.len() + 1));
            }
            bounds = Some(match bounds {
                None => (r, c, r, c),
                Some((r0, c0, r1, c1)) => (r0.min(r), c0.min(c), r1.max(r), c1.max(c)),
            });
            let _ = write!(data, "<c r=\"{}{r}\"", letters[ci]);
            let (format, t, v) = match w {
                Written::Shared(i) => (Format::General, Some("s"), i.to_string()),
                Written::Number(v, f) => (f, None, v),
                Written::Bool(b) => (Format::General, Some("b"), u8::from(b).to_string()),
                Written::NumError(f) => (f, Some("e"), "#NUM!".to_owned()),
            };
            let s = xf_index(format, bold);
            if s != 0 {
                let _ = write!(data, " s=\"{s}\"");
            }
            if let Some(t) = t {
                let _ = write!(data, " t=\"{t}\"");
            }
            let _ = write!(data, "><v>{v}</v></c>");
        }
        if row_open {
            data.push_str("</row>");
        }
    }

    let mut s = String::with_capacity(data.len() + 1024);
    s.push_str(XML_DECL);
    let _ = write!(s, "<worksheet xmlns=\"{NS_MAIN}\" xmlns:r=\"{NS_REL}\">");
    match bounds {
        None => s.push_str("<dimension ref=\"A1\"/>"),
        Some((r0, c0, r1, c1)) if (r0, c0) == (r1, c1) => {
            let _ = write!(s, "<dimension ref=\"{}{r0}\"/>", letters_unchecked(c0));
        }
        Some((r0, c0, r1, c1)) => {
            let _ = write!(s, "<dimension ref=\"{}{r0}:{}{r1}\"/>", letters_unchecked(c0), letters_unchecked(c1));
        }
    }
    s.push_str("<sheetViews><sheetView");
    if selected {
        s.push_str(" tabSelected=\"1\"");
    }
    s.push_str(" workbookViewId=\"0\"");
    if sheet.freeze_header() {
        s.push_str(
            "><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>\
             <selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/></sheetView>",
        );
    } else {
        s.push_str("/>");
    }
    s.push_str("</sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
    let mut widths = sheet.column_widths().peekable();
    if widths.peek().is_some() {
        s.push_str("<cols>");
        for (ci, w) in widths {
            let _ = write!(
                s,
                "<col min=\"{c}\" max=\"{c}\" width=\"{}\" customWidth=\"1\"/>",
                format_number(w),
                c = ci + 1
            );
        }
        s.push_str("</cols>");
    }
    if data.is_empty() {
        s.push_str("<sheetData/>");
    } else {
        s.push_str("<sheetData>");
        s.push_str(&data);
        s.push_str("</sheetData>");
    }
    s.push_str(
        "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>\
         </worksheet>",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::check_well_formed;
    use crate::zip::ZipArchive;
    use chrono::NaiveDate;

    fn sample() -> Workbook {
        let mut wb = Workbook::new();
        wb.set_title("T <&> \"q\"").set_author("A\u{1}B");
        let s = wb.add_sheet("R&D <\"'>");
        s.set_header(true).set_column_width(0, 12.5).unwrap();
        s.push_row(["Name", "When"]).unwrap();
        s.push_row(vec![Cell::from("x\u{0}\r\n_x0041_ "), Cell::Date(NaiveDate::from_ymd_opt(2024, 1, 2).unwrap())])
            .unwrap();
        s.push_row(vec![Cell::Number(f64::NAN), Cell::Bool(true), Cell::Percent(0.5), Cell::Currency(1e20)]).unwrap();
        wb.add_sheet("empty");
        wb
    }

    #[test]
    fn every_part_is_well_formed() {
        let archive = ZipArchive::parse(&sample().to_bytes()).unwrap();
        assert!(archive.entries().len() >= 10);
        for e in archive.entries() {
            let text = std::str::from_utf8(&e.data).unwrap();
            check_well_formed(text).unwrap_or_else(|err| panic!("{}: {err}", e.name));
        }
    }

    #[test]
    fn ooxml_underscore_escape() {
        let mut s = String::new();
        push_ooxml_text(&mut s, "a_x0041_b_x12_c_xABCD_");
        assert_eq!(s, "a_x005F_x0041_b_x12_c_x005F_xABCD_");
    }

    #[test]
    fn number_formatting() {
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(format_number(123456789.25), "123456789.25");
        assert_eq!(format_number(1e20), "1E20");
        assert_eq!(format_number(1.5e-7), "1.5E-7");
        for x in [0.1, 1.0 / 3.0, 1e15, 2.5e-300, f64::MAX, -7.25] {
            assert_eq!(format_number(x).parse::<f64>().unwrap(), x);
        }
    }

    #[test]
    fn sheet_name_sanitising() {
        assert_eq!(sanitize_sheet_name("Q1/Q2: [draft]*?\\"), "Q1_Q2_ _draft____");
        assert_eq!(sanitize_sheet_name("  'quoted'  "), "quoted");
        assert_eq!(sanitize_sheet_name(""), "Sheet");
        assert_eq!(sanitize_sheet_name("'''"), "Sheet");
        assert_eq!(sanitize_sheet_name("history"), "history_");
        assert_eq!(sanitize_sheet_name("tab\there"), "tabhere");
        let long = "x".repeat(40);
        assert_eq!(sanitize_sheet_name(&long), "x".repeat(31));
        // 31 UTF-16 units: astral characters count twice.
        assert_eq!(sanitize_sheet_name(&"😀".repeat(20)).encode_utf16().count(), 30);
        for name in ["Q1/Q2: [draft]*?\\", "  'quoted'  ", "", "history", &long] {
            validate_sheet_name(&sanitize_sheet_name(name)).unwrap();
        }
    }
}
