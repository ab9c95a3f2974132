//! The fixed style sheet: two fonts (regular, bold) × seven number formats.
//!
//! Styles are fixed rather than collected from the data so that `s="N"` indexes are constants, the
//! styles part is byte-identical for every workbook, and there is nothing to deduplicate.

/// Number format code for [`crate::Cell::Date`].
pub const DATE_FORMAT: &str = "yyyy-mm-dd";
/// Number format code for [`crate::Cell::DateTime`].
pub const DATETIME_FORMAT: &str = "yyyy-mm-dd hh:mm";
/// Number format code for [`crate::Cell::Percent`].
pub const PERCENT_FORMAT: &str = "0.0%";
/// Number format code for [`crate::Cell::Currency`].
pub const CURRENCY_FORMAT: &str = "#,##0 \"AED\"";
/// Number format code for [`crate::Cell::Integer`].
pub const INTEGER_FORMAT: &str = "#,##0";
/// Number format code for [`crate::Cell::Number`].
pub const DECIMAL_FORMAT: &str = "#,##0.00";

/// Which number format a cell uses. The discriminant is the `cellXfs` index for the regular font.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    General = 0,
    Date = 1,
    DateTime = 2,
    Percent = 3,
    Currency = 4,
    Integer = 5,
    Decimal = 6,
}

/// Custom formats start at 164: ids below that are reserved for Excel's built-in formats. Declaring even
/// the codes that have built-in equivalents (`#,##0` is built-in 3) keeps the part self-describing.
const CUSTOM: [(Format, u32, &str); 6] = [
    (Format::Date, 164, DATE_FORMAT),
    (Format::DateTime, 165, DATETIME_FORMAT),
    (Format::Percent, 166, PERCENT_FORMAT),
    (Format::Currency, 167, CURRENCY_FORMAT),
    (Format::Integer, 168, INTEGER_FORMAT),
    (Format::Decimal, 169, DECIMAL_FORMAT),
];

const FORMAT_COUNT: u32 = 7;

/// The `s` attribute for a cell: bold variants follow the seven regular ones.
pub(crate) fn xf_index(format: Format, bold: bool) -> u32 {
    format as u32 + if bold { FORMAT_COUNT } else { 0 }
}

fn num_fmt_id(format: Format) -> u32 {
    CUSTOM.iter().find(|(f, _, _)| *f == format).map_or(0, |(_, id, _)| *id)
}

/// `xl/styles.xml`.
pub(crate) fn styles_xml() -> String {
    let mut s = String::from(crate::workbook::XML_DECL);
    s.push_str("<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">");
    s.push_str(&format!("<numFmts count=\"{}\">", CUSTOM.len()));
    for (_, id, code) in CUSTOM {
        s.push_str(&format!("<numFmt numFmtId=\"{id}\" formatCode=\""));
        crate::xml::push_attr(&mut s, code);
        s.push_str("\"/>");
    }
    s.push_str("</numFmts>");
    s.push_str(
        "<fonts count=\"2\">\
         <font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
         <font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
         </fonts>\
         <fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>\
         <fill><patternFill patternType=\"gray125\"/></fill></fills>\
         <borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
         <cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>",
    );
    let formats = [
        Format::General,
        Format::Date,
        Format::DateTime,
        Format::Percent,
        Format::Currency,
        Format::Integer,
        Format::Decimal,
    ];
    s.push_str(&format!("<cellXfs count=\"{}\">", 2 * FORMAT_COUNT));
    for bold in [false, true] {
        for f in formats {
            debug_assert_eq!(s.matches("<xf ").count() as u32 - 1, xf_index(f, bold));
            let id = num_fmt_id(f);
            s.push_str(&format!(
                "<xf numFmtId=\"{id}\" fontId=\"{}\" fillId=\"0\" borderId=\"0\" xfId=\"0\"",
                u8::from(bold)
            ));
            if id != 0 {
                s.push_str(" applyNumberFormat=\"1\"");
            }
            if bold {
                s.push_str(" applyFont=\"1\"");
            }
            s.push_str("/>");
        }
    }
    s.push_str("</cellXfs>");
    s.push_str(
        "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
         <dxfs count=\"0\"/><tableStyles count=\"0\"/></styleSheet>",
    );
    s
}
