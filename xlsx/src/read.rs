//! A small `.xlsx` reader for tests and round trips.
//!
//! It follows the package relationships (`_rels/.rels` → workbook → sheets/styles/shared strings) instead of
//! assuming our own part names, matches elements and attributes by local name in any order, and reports for
//! each number the number format and whether that format displays a date. It does not evaluate formulas
//! (cached values are returned), merge cells, or read rich-text formatting.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use crate::cell::{date_to_serial, datetime_to_serial, serial_to_datetime};
use crate::refs::{parse_cell_reference, MAX_ROWS};
use crate::xml::{local, Attrs, Event, XmlError, XmlReader};
use crate::zip::{ZipArchive, ZipError};

/// A cell as read back from a file.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadCell {
    /// No cell, or a cell without a value.
    Empty,
    /// Shared, inline or formula string.
    Text(String),
    /// Any numeric cell, including dates (which spreadsheets store as serial numbers).
    Number {
        value: f64,
        /// The number format code, `None` for `General`.
        format: Option<String>,
        /// Whether the format displays a date and/or time, i.e. `value` is an Excel date serial.
        is_date: bool,
    },
    /// TRUE/FALSE.
    Bool(bool),
    /// An error value such as `#NUM!` or `#DIV/0!`.
    Error(String),
}

impl ReadCell {
    /// The text, for text cells.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ReadCell::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The numeric value (date serials included), for number cells.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ReadCell::Number { value, .. } => Some(*value),
            _ => None,
        }
    }

    /// The number format code, for number cells with a non-General format.
    pub fn format(&self) -> Option<&str> {
        match self {
            ReadCell::Number { format, .. } => format.as_deref(),
            _ => None,
        }
    }

    /// Whether this is a number displayed as a date/time.
    pub fn is_date(&self) -> bool {
        matches!(self, ReadCell::Number { is_date: true, .. })
    }

    /// The date-time of a date-styled number (1900 date system), rounded to the millisecond.
    pub fn as_datetime(&self) -> Option<NaiveDateTime> {
        match self {
            ReadCell::Number { value, is_date: true, .. } => serial_to_datetime(*value),
            _ => None,
        }
    }

    /// The calendar date of a date-styled number (any time of day is dropped).
    pub fn as_date(&self) -> Option<NaiveDate> {
        self.as_datetime().map(|dt| dt.date())
    }
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    /// The container is not a readable ZIP archive.
    #[error(transparent)]
    Zip(#[from] ZipError),
    /// A part referenced by the package (or required by it) is absent.
    #[error("missing part {0}")]
    MissingPart(String),
    /// A part is not UTF-8 (UTF-16 parts are not supported).
    #[error("part {0} is not valid UTF-8")]
    NotUtf8(String),
    /// A part is not well-formed XML.
    #[error("malformed XML in {part}: {message}")]
    Xml { part: String, message: String },
    /// Well-formed XML with impossible content (bad cell reference, unknown shared string, ...).
    #[error("invalid content in {part}: {message}")]
    Invalid { part: String, message: String },
}

/// One sheet read back: its name and its grid.
pub type ReadSheet = (String, Vec<Vec<ReadCell>>);

/// Reads every sheet of an `.xlsx` file in tab order.
///
/// The grid is indexed `[row][column]` from A1. Rows end at their last non-empty cell and the grid ends at
/// the last row containing one, so trailing empty cells are not represented; absent cells in between are
/// [`ReadCell::Empty`].
pub fn read_workbook(bytes: &[u8]) -> Result<Vec<ReadSheet>, ReadError> {
    let archive = ZipArchive::parse(bytes)?;
    let pkg = Package { archive };

    // The workbook part is whatever the package-level officeDocument relationship names.
    let workbook_path = match pkg.optional("_rels/.rels")? {
        Some(xml) => parse_rels(xml, "", "_rels/.rels")?
            .into_iter()
            .find(|r| r.kind.ends_with("/officeDocument"))
            .map(|r| r.target)
            .ok_or_else(|| ReadError::Invalid {
                part: "_rels/.rels".into(),
                message: "no officeDocument relationship".into(),
            })?,
        None => "xl/workbook.xml".to_owned(),
    };
    let workbook_xml = pkg.required(&workbook_path)?;
    let base = dir_of(&workbook_path);
    let rels_part = rels_path_for(&workbook_path);
    let rels = parse_rels(pkg.required(&rels_part)?, base, &rels_part)?;

    let styles = match rels.iter().find(|r| r.kind.ends_with("/styles")) {
        Some(r) => Styles::parse(pkg.required(&r.target)?, &r.target)?,
        None => Styles::default(),
    };
    let shared = match rels.iter().find(|r| r.kind.ends_with("/sharedStrings")) {
        Some(r) => parse_shared_strings(pkg.required(&r.target)?, &r.target)?,
        None => Vec::new(),
    };

    let mut sheets = Vec::new();
    for (name, rel_id) in parse_workbook_sheets(workbook_xml, &workbook_path)? {
        let rel = rels.iter().find(|r| r.id == rel_id).ok_or_else(|| ReadError::Invalid {
            part: rels_part.clone(),
            message: format!("no relationship {rel_id} for sheet {name:?}"),
        })?;
        let grid = parse_sheet(pkg.required(&rel.target)?, &rel.target, &styles, &shared)?;
        sheets.push((name, grid));
    }
    Ok(sheets)
}

struct Package {
    archive: ZipArchive,
}

impl Package {
    fn optional(&self, part: &str) -> Result<Option<&str>, ReadError> {
        match self.archive.get(part) {
            Some(bytes) => std::str::from_utf8(bytes).map(Some).map_err(|_| ReadError::NotUtf8(part.to_owned())),
            None => Ok(None),
        }
    }

    fn required(&self, part: &str) -> Result<&str, ReadError> {
        self.optional(part)?.ok_or_else(|| ReadError::MissingPart(part.to_owned()))
    }
}

fn xml_error(part: &str, e: XmlError) -> ReadError {
    ReadError::Xml { part: part.to_owned(), message: e.to_string() }
}

fn invalid(part: &str, message: impl Into<String>) -> ReadError {
    ReadError::Invalid { part: part.to_owned(), message: message.into() }
}

/// Runs `f` on every event of `xml`, converting tokenizer errors to [`ReadError::Xml`].
fn for_each_event<'a>(
    xml: &'a str,
    part: &str,
    mut f: impl FnMut(Event<'a>) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    let mut reader = XmlReader::new(xml);
    while let Some(event) = reader.next_event().map_err(|e| xml_error(part, e))? {
        f(event)?;
    }
    Ok(())
}

fn attr(attrs: &Attrs<'_>, name: &str, part: &str) -> Result<Option<String>, ReadError> {
    attrs.get(name).map(|v| v.map(|c| c.into_owned())).map_err(|e| xml_error(part, e))
}

/// The folder of a part, with trailing slash (`xl/workbook.xml` → `xl/`).
fn dir_of(part: &str) -> &str {
    part.rfind('/').map_or("", |i| &part[..=i])
}

/// Where the relationships of `part` live (`xl/workbook.xml` → `xl/_rels/workbook.xml.rels`).
fn rels_path_for(part: &str) -> String {
    let dir = dir_of(part);
    format!("{dir}_rels/{}.rels", &part[dir.len()..])
}

/// Resolves a relationship target against the source part's folder, handling absolute targets and `..`.
fn resolve(base_dir: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("{base_dir}{target}"),
    };
    let mut out: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

struct Rel {
    id: String,
    kind: String,
    target: String,
}

fn parse_rels(xml: &str, base_dir: &str, part: &str) -> Result<Vec<Rel>, ReadError> {
    let mut rels = Vec::new();
    for_each_event(xml, part, |e| {
        if let Event::Start { name, attrs, .. } = e {
            if local(name) == "Relationship" {
                // External targets (hyperlinks) are not package parts.
                if attr(&attrs, "TargetMode", part)?.as_deref() == Some("External") {
                    return Ok(());
                }
                let id = attr(&attrs, "Id", part)?.ok_or_else(|| invalid(part, "Relationship without Id"))?;
                let target =
                    attr(&attrs, "Target", part)?.ok_or_else(|| invalid(part, "Relationship without Target"))?;
                let kind = attr(&attrs, "Type", part)?.unwrap_or_default();
                rels.push(Rel { id, kind, target: resolve(base_dir, &target) });
            }
        }
        Ok(())
    })?;
    Ok(rels)
}

/// `(sheet name, relationship id)` in tab order.
fn parse_workbook_sheets(xml: &str, part: &str) -> Result<Vec<(String, String)>, ReadError> {
    let mut sheets = Vec::new();
    for_each_event(xml, part, |e| {
        if let Event::Start { name, attrs, .. } = e {
            if local(name) == "sheet" {
                let sheet_name = attr(&attrs, "name", part)?.ok_or_else(|| invalid(part, "sheet without name"))?;
                let id = attr(&attrs, "id", part)?.ok_or_else(|| invalid(part, "sheet without r:id"))?;
                sheets.push((sheet_name, id));
            }
        }
        Ok(())
    })?;
    Ok(sheets)
}

/// Decodes OOXML `_xHHHH_` escapes (used for characters XML cannot carry, and `_x005F_` for a literal `_`).
fn decode_ooxml_escapes(s: &str) -> String {
    if !s.contains("_x") {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let candidate = &rest[i..];
        let decoded = candidate
            .get(2..6)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()) && candidate.as_bytes().get(6) == Some(&b'_'))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &candidate[7..];
            }
            None => {
                out.push_str("_x");
                rest = &candidate[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn parse_shared_strings(xml: &str, part: &str) -> Result<Vec<String>, ReadError> {
    let mut strings = Vec::new();
    let mut current: Option<String> = None;
    let mut in_t = false;
    // Phonetic runs (<rPh>) carry ruby text for East Asian strings; it is not part of the cell value.
    let mut phonetic_depth = 0usize;
    for_each_event(xml, part, |e| {
        match e {
            Event::Start { name, empty, .. } => match local(name) {
                "si" if empty => strings.push(String::new()),
                "si" => current = Some(String::new()),
                "rPh" if !empty => phonetic_depth += 1,
                "t" if !empty && phonetic_depth == 0 => in_t = true,
                _ => {}
            },
            Event::End { name } => match local(name) {
                "si" => strings.push(decode_ooxml_escapes(&current.take().unwrap_or_default())),
                "rPh" => phonetic_depth = phonetic_depth.saturating_sub(1),
                "t" => in_t = false,
                _ => {}
            },
            Event::Text(t) => {
                if let (true, Some(cur)) = (in_t, current.as_mut()) {
                    cur.push_str(&t);
                }
            }
        }
        Ok(())
    })?;
    Ok(strings)
}

/// Number formats by `cellXfs` index.
#[derive(Default)]
struct Styles {
    /// `(format code or None for General/unknown, is_date)` per xf index.
    xfs: Vec<(Option<String>, bool)>,
}

/// Excel's built-in number formats that have a fixed, locale-independent code.
fn builtin_format(id: u32) -> Option<&'static str> {
    Some(match id {
        1 => "0",
        2 => "0.00",
        3 => "#,##0",
        4 => "#,##0.00",
        9 => "0%",
        10 => "0.00%",
        11 => "0.00E+00",
        12 => "# ?/?",
        13 => "# ??/??",
        14 => "mm-dd-yy",
        15 => "d-mmm-yy",
        16 => "d-mmm",
        17 => "mmm-yy",
        18 => "h:mm AM/PM",
        19 => "h:mm:ss AM/PM",
        20 => "h:mm",
        21 => "h:mm:ss",
        22 => "m/d/yy h:mm",
        37 => "#,##0 ;(#,##0)",
        38 => "#,##0 ;[Red](#,##0)",
        39 => "#,##0.00;(#,##0.00)",
        40 => "#,##0.00;[Red](#,##0.00)",
        45 => "mm:ss",
        46 => "[h]:mm:ss",
        47 => "mmss.0",
        48 => "##0.0E+0",
        49 => "@",
        _ => return None,
    })
}

/// Built-in ids that are dates/times, including the locale-dependent East Asian ranges with no fixed code.
fn builtin_is_date(id: u32) -> bool {
    matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58)
}

/// Whether a format code displays a date or time: any of `y m d h s` outside quoted literals, escapes,
/// padding/fill markers and bracketed colour/locale/condition sections (elapsed `[h]`, `[mm]`, `[ss]` count).
pub(crate) fn is_date_format(code: &str) -> bool {
    if code.eq_ignore_ascii_case("general") {
        return false;
    }
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                }
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => {
                let inner: String = chars.by_ref().take_while(|&b| b != ']').collect();
                let inner = inner.to_ascii_lowercase();
                if !inner.is_empty() && inner.chars().all(|b| matches!(b, 'h' | 'm' | 's')) {
                    return true;
                }
            }
            'y' | 'Y' | 'm' | 'M' | 'd' | 'D' | 'h' | 'H' | 's' | 'S' => return true,
            _ => {}
        }
    }
    false
}

impl Styles {
    fn parse(xml: &str, part: &str) -> Result<Self, ReadError> {
        let mut custom: HashMap<u32, String> = HashMap::new();
        let mut xf_ids: Vec<u32> = Vec::new();
        // cellStyleXfs also contains <xf>; only cellXfs is indexed by a cell's `s`.
        let mut in_cell_xfs = false;
        let parse_id = |v: Option<String>| -> Result<u32, ReadError> {
            v.map_or(Ok(0), |v| v.trim().parse().map_err(|_| invalid(part, format!("bad numFmtId {v:?}"))))
        };
        for_each_event(xml, part, |e| {
            match e {
                Event::Start { name, attrs, empty } => match local(name) {
                    "numFmt" => {
                        let id = parse_id(attr(&attrs, "numFmtId", part)?)?;
                        let code = attr(&attrs, "formatCode", part)?.unwrap_or_default();
                        custom.insert(id, code);
                    }
                    "cellXfs" if !empty => in_cell_xfs = true,
                    "xf" if in_cell_xfs => xf_ids.push(parse_id(attr(&attrs, "numFmtId", part)?)?),
                    _ => {}
                },
                Event::End { name } if local(name) == "cellXfs" => in_cell_xfs = false,
                _ => {}
            }
            Ok(())
        })?;
        let xfs = xf_ids
            .into_iter()
            .map(|id| {
                let code = custom.get(&id).cloned().or_else(|| builtin_format(id).map(str::to_owned));
                let is_date = match &code {
                    Some(c) if custom.contains_key(&id) => is_date_format(c),
                    _ => builtin_is_date(id),
                };
                let code = code.filter(|c| !c.eq_ignore_ascii_case("general"));
                (code, is_date)
            })
            .collect();
        Ok(Self { xfs })
    }

    fn format(&self, xf: usize) -> (Option<String>, bool) {
        self.xfs.get(xf).cloned().unwrap_or((None, false))
    }
}

/// A `<c>` element being read.
#[derive(Default)]
struct PendingCell {
    row: usize,
    col: usize,
    kind: Option<String>,
    style: usize,
    value: Option<String>,
    inline: Option<String>,
}

fn finish_cell(cell: PendingCell, part: &str, styles: &Styles, shared: &[String]) -> Result<ReadCell, ReadError> {
    let number = |value: f64| {
        let (format, is_date) = styles.format(cell.style);
        ReadCell::Number { value, format, is_date }
    };
    let v = cell.value.as_deref().map(str::trim);
    Ok(match cell.kind.as_deref().unwrap_or("n") {
        "s" => match v {
            None => ReadCell::Empty,
            Some(v) => {
                let idx: usize = v.parse().map_err(|_| invalid(part, format!("bad shared string index {v:?}")))?;
                let text = shared.get(idx).ok_or_else(|| invalid(part, format!("shared string {idx} missing")))?;
                ReadCell::Text(text.clone())
            }
        },
        "b" => match v {
            None => ReadCell::Empty,
            Some(v) => ReadCell::Bool(v == "1" || v.eq_ignore_ascii_case("true")),
        },
        "str" => ReadCell::Text(cell.value.clone().unwrap_or_default()),
        "inlineStr" => ReadCell::Text(decode_ooxml_escapes(&cell.inline.or(cell.value).unwrap_or_default())),
        "e" => ReadCell::Error(v.unwrap_or_default().to_owned()),
        "d" => match v {
            None => ReadCell::Empty,
            // ISO 8601 date cells (rare; written by some non-Excel producers). Report them as date serials.
            Some(v) => {
                let serial = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f")
                    .map(datetime_to_serial)
                    .or_else(|_| NaiveDate::parse_from_str(v, "%Y-%m-%d").map(|d| date_to_serial(d) as f64));
                match serial {
                    Ok(value) => {
                        let (format, _) = styles.format(cell.style);
                        ReadCell::Number { value, format, is_date: true }
                    }
                    Err(_) => ReadCell::Text(v.to_owned()),
                }
            }
        },
        // "n" and anything unknown: numeric.
        _ => match v {
            None | Some("") => ReadCell::Empty,
            Some(v) => number(v.parse().map_err(|_| invalid(part, format!("bad number {v:?}")))?),
        },
    })
}

fn parse_sheet(xml: &str, part: &str, styles: &Styles, shared: &[String]) -> Result<Vec<Vec<ReadCell>>, ReadError> {
    let mut grid: Vec<Vec<ReadCell>> = Vec::new();
    let mut row = 0usize; // current 1-based row number
    let mut next_col = 1usize; // used when a cell omits its `r`
    let mut cell: Option<PendingCell> = None;
    let (mut in_v, mut in_is, mut in_t) = (false, false, false);
    let mut phonetic_depth = 0usize;

    let place = |grid: &mut Vec<Vec<ReadCell>>, cell: PendingCell| -> Result<(), ReadError> {
        let (r, c) = (cell.row, cell.col);
        let value = finish_cell(cell, part, styles, shared)?;
        if value == ReadCell::Empty {
            return Ok(());
        }
        if grid.len() < r {
            grid.resize_with(r, Vec::new);
        }
        let cells = &mut grid[r - 1];
        if cells.len() < c {
            cells.resize(c, ReadCell::Empty);
        }
        cells[c - 1] = value;
        Ok(())
    };

    for_each_event(xml, part, |e| {
        match e {
            Event::Start { name, attrs, empty } => match local(name) {
                "row" => {
                    row = match attr(&attrs, "r", part)? {
                        Some(r) => match r.trim().parse::<usize>() {
                            Ok(n) if (1..=MAX_ROWS).contains(&n) => n,
                            _ => return Err(invalid(part, format!("bad row number {r:?}"))),
                        },
                        None => row + 1,
                    };
                    next_col = 1;
                }
                "c" => {
                    let (r, c) = match attr(&attrs, "r", part)? {
                        Some(reference) => parse_cell_reference(&reference)
                            .ok_or_else(|| invalid(part, format!("bad cell reference {reference:?}")))?,
                        None => (row.max(1), next_col),
                    };
                    if c > crate::MAX_COLUMNS {
                        return Err(invalid(part, "too many cells in a row"));
                    }
                    next_col = c + 1;
                    let style = match attr(&attrs, "s", part)? {
                        Some(s) => s.trim().parse().map_err(|_| invalid(part, format!("bad style index {s:?}")))?,
                        None => 0,
                    };
                    let pending =
                        PendingCell { row: r, col: c, kind: attr(&attrs, "t", part)?, style, ..Default::default() };
                    if empty {
                        place(&mut grid, pending)?;
                    } else {
                        cell = Some(pending);
                    }
                }
                "v" if cell.is_some() && !empty => {
                    in_v = true;
                    if let Some(c) = cell.as_mut() {
                        c.value.get_or_insert_with(String::new);
                    }
                }
                "is" if cell.is_some() && !empty => {
                    in_is = true;
                    if let Some(c) = cell.as_mut() {
                        c.inline.get_or_insert_with(String::new);
                    }
                }
                "rPh" if in_is && !empty => phonetic_depth += 1,
                "t" if in_is && !empty && phonetic_depth == 0 => in_t = true,
                _ => {}
            },
            Event::End { name } => match local(name) {
                "c" => {
                    if let Some(pending) = cell.take() {
                        place(&mut grid, pending)?;
                    }
                    (in_v, in_is, in_t) = (false, false, false);
                }
                "v" => in_v = false,
                "is" => in_is = false,
                "rPh" => phonetic_depth = phonetic_depth.saturating_sub(1),
                "t" => in_t = false,
                _ => {}
            },
            Event::Text(t) => {
                if let Some(c) = cell.as_mut() {
                    if in_v {
                        c.value.get_or_insert_with(String::new).push_str(&t);
                    } else if in_t {
                        c.inline.get_or_insert_with(String::new).push_str(&t);
                    }
                }
            }
        }
        Ok(())
    })?;
    Ok(grid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_format_detection() {
        for code in ["yyyy-mm-dd", "yyyy-mm-dd hh:mm", "d-mmm-yy", "[h]:mm:ss", "[$-409]mmmm d, yyyy", "h:mm AM/PM"] {
            assert!(is_date_format(code), "{code}");
        }
        for code in ["General", "0.0%", "#,##0 \"AED\"", "#,##0.00", "0.00E+00", "[Red]#,##0", "\"days\" 0", "@"] {
            assert!(!is_date_format(code), "{code}");
        }
    }

    #[test]
    fn ooxml_escape_decoding() {
        assert_eq!(decode_ooxml_escapes("a_x005F_x0041_b"), "a_x0041_b");
        assert_eq!(decode_ooxml_escapes("_x0041__x00e9_"), "Aé");
        assert_eq!(decode_ooxml_escapes("_x12_ _xZZZZ_ _x"), "_x12_ _xZZZZ_ _x");
    }

    #[test]
    fn path_resolution() {
        assert_eq!(resolve("xl/", "worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
        assert_eq!(resolve("xl/", "/xl/styles.xml"), "xl/styles.xml");
        assert_eq!(resolve("xl/worksheets/", "../sharedStrings.xml"), "xl/sharedStrings.xml");
        assert_eq!(rels_path_for("xl/workbook.xml"), "xl/_rels/workbook.xml.rels");
        assert_eq!(rels_path_for("workbook.xml"), "_rels/workbook.xml.rels");
    }
}
