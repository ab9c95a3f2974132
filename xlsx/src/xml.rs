//! XML helpers: escaping for the writer and a tiny pull tokenizer for the reader.
//!
//! The tokenizer understands exactly the XML subset that SpreadsheetML packages use (elements, attributes
//! in either quote style and any order, character/entity references, comments, processing instructions,
//! CDATA). It rejects DTDs rather than expanding entities, which also rules out entity-expansion attacks.
//! It checks tag balance and character legality, so tests can use it as a well-formedness check too.

use std::borrow::Cow;

/// XML 1.0 `Char` production. Rust `char` already excludes surrogates, so only the C0 controls (other than
/// tab/LF/CR) and U+FFFE/U+FFFF need rejecting.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Appends `s` escaped for element content, silently dropping characters XML 1.0 cannot represent.
///
/// CR is written as a character reference because a literal CR would be normalised to LF by any parser.
pub(crate) fn push_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            // `>` only needs escaping after `]]`, but escaping it always is simpler and still valid.
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// Appends `s` escaped for a double-quoted attribute value. Whitespace controls become character references
/// because attribute-value normalisation would otherwise turn them into spaces.
pub(crate) fn push_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// A tokenizer or well-formedness failure, with the byte offset where it was detected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XmlError {
    pub message: String,
    pub offset: usize,
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

/// One tokenizer event. Names are returned as written (possibly prefixed); use [`local`] to compare.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Event<'a> {
    Start { name: &'a str, attrs: Attrs<'a>, empty: bool },
    End { name: &'a str },
    Text(Cow<'a, str>),
}

/// Raw attributes of a start tag, in document order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Attrs<'a>(Vec<(&'a str, &'a str)>);

/// The local part of a possibly prefixed name (`x:c` → `c`).
pub(crate) fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

impl<'a> Attrs<'a> {
    /// Decoded value of the attribute whose name is `name`, or failing that whose local name is `name`
    /// (ignoring `xmlns:*` declarations), so `r:id` is found as `id` whatever the prefix.
    pub(crate) fn get(&self, name: &str) -> Result<Option<Cow<'a, str>>, XmlError> {
        let raw =
            self.0.iter().find(|(n, _)| *n == name).or_else(|| {
                self.0.iter().find(|(n, _)| !n.starts_with("xmlns") && n.contains(':') && local(n) == name)
            });
        match raw {
            Some((_, v)) => decode(v, true, 0).map(Some),
            None => Ok(None),
        }
    }
}

fn err<T>(message: impl Into<String>, offset: usize) -> Result<T, XmlError> {
    Err(XmlError { message: message.into(), offset })
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == ':' || (!c.is_ascii() && is_xml_char(c))
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '-' || c == '.'
}

fn check_name(name: &str, offset: usize) -> Result<(), XmlError> {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if is_name_start(c) && chars.all(is_name_char) => Ok(()),
        _ => err(format!("invalid name {name:?}"), offset),
    }
}

/// Decodes entity and character references. In attribute values literal whitespace controls are
/// normalised to spaces; in text literal CR/CRLF becomes LF. Both follow the XML 1.0 rules so that a
/// value read here equals what a conforming parser reports.
pub(crate) fn decode(raw: &str, attr: bool, offset: usize) -> Result<Cow<'_, str>, XmlError> {
    if !raw.contains(['&', '\r', '\t', '\n']) || (!attr && !raw.contains(['&', '\r'])) {
        if let Some(bad) = raw.chars().find(|&c| !is_xml_char(c)) {
            return err(format!("character U+{:04X} is not allowed in XML", bad as u32), offset);
        }
        if attr && raw.contains('<') {
            return err("'<' in attribute value", offset);
        }
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        match c {
            '&' => {
                let end = rest.find(';').ok_or(XmlError { message: "unterminated reference".into(), offset })?;
                let ent = &rest[1..end];
                let ch = match ent {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    _ => {
                        let code = if let Some(hex) = ent.strip_prefix("#x") {
                            u32::from_str_radix(hex, 16).ok()
                        } else if let Some(dec) = ent.strip_prefix('#') {
                            dec.parse::<u32>().ok()
                        } else {
                            return err(format!("unknown entity &{ent};"), offset);
                        };
                        match code.and_then(char::from_u32) {
                            Some(c) if is_xml_char(c) => c,
                            _ => return err(format!("invalid character reference &{ent};"), offset),
                        }
                    }
                };
                out.push(ch);
                rest = &rest[end + 1..];
            }
            '\r' => {
                out.push(if attr { ' ' } else { '\n' });
                rest = rest.strip_prefix("\r\n").unwrap_or(&rest[1..]);
            }
            '\t' | '\n' if attr => {
                out.push(' ');
                rest = &rest[1..];
            }
            '<' if attr => return err("'<' in attribute value", offset),
            c if !is_xml_char(c) => return err(format!("character U+{:04X} is not allowed in XML", c as u32), offset),
            c => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    Ok(Cow::Owned(out))
}

/// Pull tokenizer over a complete document held in memory.
pub(crate) struct XmlReader<'a> {
    src: &'a str,
    pos: usize,
    stack: Vec<&'a str>,
    seen_root: bool,
}

impl<'a> XmlReader<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        let pos = if src.starts_with('\u{FEFF}') { '\u{FEFF}'.len_utf8() } else { 0 };
        Self { src, pos, stack: Vec::new(), seen_root: false }
    }

    fn skip_past(&mut self, terminator: &str, what: &str) -> Result<&'a str, XmlError> {
        let start = self.pos;
        match self.src[start..].find(terminator) {
            Some(i) => {
                self.pos = start + i + terminator.len();
                Ok(&self.src[start..start + i])
            }
            None => err(format!("unterminated {what}"), start),
        }
    }

    /// The next event, `Ok(None)` at a well-formed end of document.
    pub(crate) fn next_event(&mut self) -> Result<Option<Event<'a>>, XmlError> {
        loop {
            let at = self.pos;
            let rest = &self.src[at..];
            if rest.is_empty() {
                if let Some(open) = self.stack.last() {
                    return err(format!("element <{open}> is never closed"), at);
                }
                if !self.seen_root {
                    return err("no root element", at);
                }
                return Ok(None);
            }
            if !rest.starts_with('<') {
                let end = rest.find('<').map_or(self.src.len(), |i| at + i);
                let raw = &self.src[at..end];
                self.pos = end;
                if self.stack.is_empty() {
                    if !raw.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) {
                        return err("text outside the root element", at);
                    }
                    continue;
                }
                return decode(raw, false, at).map(|t| Some(Event::Text(t)));
            }
            if rest.starts_with("<?") {
                self.pos += 2;
                self.skip_past("?>", "processing instruction")?;
                continue;
            }
            if rest.starts_with("<!--") {
                self.pos += 4;
                self.skip_past("-->", "comment")?;
                continue;
            }
            if rest.starts_with("<![CDATA[") {
                if self.stack.is_empty() {
                    return err("CDATA outside the root element", at);
                }
                self.pos += 9;
                let text = self.skip_past("]]>", "CDATA section")?;
                if let Some(bad) = text.chars().find(|&c| !is_xml_char(c)) {
                    return err(format!("character U+{:04X} is not allowed in XML", bad as u32), at);
                }
                return Ok(Some(Event::Text(Cow::Borrowed(text))));
            }
            if rest.starts_with("<!") {
                return err("DTDs are not supported", at);
            }
            if rest.starts_with("</") {
                self.pos += 2;
                let name = self.skip_past(">", "end tag")?.trim_end();
                check_name(name, at)?;
                return match self.stack.pop() {
                    Some(open) if open == name => Ok(Some(Event::End { name })),
                    Some(open) => err(format!("</{name}> closes <{open}>"), at),
                    None => err(format!("unexpected </{name}>"), at),
                };
            }
            return self.start_tag(at).map(Some);
        }
    }

    fn start_tag(&mut self, at: usize) -> Result<Event<'a>, XmlError> {
        let src = self.src;
        let bytes = src.as_bytes();
        let mut p = at + 1;
        let name_end = src[p..].find(|c: char| c.is_whitespace() || c == '/' || c == '>').map_or(src.len(), |i| p + i);
        let name = &src[p..name_end];
        check_name(name, at)?;
        p = name_end;
        let mut attrs: Vec<(&'a str, &'a str)> = Vec::new();
        let empty = loop {
            let ws = src[p..].find(|c: char| !c.is_whitespace()).map_or(src.len() - p, |i| i);
            p += ws;
            match bytes.get(p) {
                None => return err(format!("unterminated start tag <{name}>"), at),
                Some(b'>') => {
                    p += 1;
                    break false;
                }
                Some(b'/') if bytes.get(p + 1) == Some(&b'>') => {
                    p += 2;
                    break true;
                }
                Some(_) if ws == 0 && !attrs.is_empty() => {
                    return err("attributes must be separated by whitespace", p);
                }
                Some(_) => {
                    let an_end = src[p..]
                        .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
                        .map_or(src.len(), |i| p + i);
                    let an = &src[p..an_end];
                    check_name(an, p)?;
                    p = an_end + src[an_end..].find(|c: char| !c.is_whitespace()).unwrap_or(0);
                    if bytes.get(p) != Some(&b'=') {
                        return err(format!("attribute {an} has no value"), p);
                    }
                    p += 1;
                    p += src[p..].find(|c: char| !c.is_whitespace()).unwrap_or(0);
                    let quote = match bytes.get(p) {
                        Some(&q @ (b'"' | b'\'')) => q as char,
                        _ => return err(format!("attribute {an} value is not quoted"), p),
                    };
                    let v_start = p + 1;
                    let v_end = src[v_start..]
                        .find(quote)
                        .map(|i| v_start + i)
                        .ok_or(XmlError { message: format!("unterminated value of {an}"), offset: p })?;
                    let value = &src[v_start..v_end];
                    // Validate now so that well-formedness checks see bad values even if nobody reads them.
                    decode(value, true, v_start)?;
                    if attrs.iter().any(|(n, _)| *n == an) {
                        return err(format!("duplicate attribute {an}"), p);
                    }
                    attrs.push((an, value));
                    p = v_end + 1;
                }
            }
        };
        self.pos = p;
        if self.stack.is_empty() && self.seen_root {
            return err("more than one root element", at);
        }
        self.seen_root = true;
        if !empty {
            self.stack.push(name);
        }
        Ok(Event::Start { name, attrs: Attrs(attrs), empty })
    }
}

/// Walks the whole document, returning the first well-formedness problem found.
#[cfg(test)]
pub(crate) fn check_well_formed(src: &str) -> Result<(), XmlError> {
    let mut r = XmlReader::new(src);
    while r.next_event()?.is_some() {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips_through_decode() {
        let s = "a<b>&c\"d'e\r\nf\tg\u{1}h\u{FFFE}i";
        let mut text = String::new();
        push_text(&mut text, s);
        assert_eq!(decode(&text, false, 0).unwrap(), "a<b>&c\"d'e\r\nf\tghi");
        let mut attr = String::new();
        push_attr(&mut attr, s);
        assert_eq!(decode(&attr, true, 0).unwrap(), "a<b>&c\"d'e\r\nf\tghi");
    }

    #[test]
    fn tokenizer_handles_attribute_order_quotes_and_prefixes() {
        let doc = "<?xml version='1.0'?><!-- c --><x:root xmlns:x='u'><x:c t = 's' r=\"B2\"/>\
                   <v>1&amp;2<![CDATA[<raw>]]></v></x:root>";
        let mut r = XmlReader::new(doc);
        let mut events = Vec::new();
        while let Some(e) = r.next_event().unwrap() {
            events.push(e);
        }
        match &events[1] {
            Event::Start { name, attrs, empty: true } => {
                assert_eq!(local(name), "c");
                assert_eq!(attrs.get("r").unwrap().as_deref(), Some("B2"));
                assert_eq!(attrs.get("t").unwrap().as_deref(), Some("s"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(events[3], Event::Text(Cow::Borrowed("1&2")));
        assert_eq!(events[4], Event::Text(Cow::Borrowed("<raw>")));
    }

    #[test]
    fn rejects_ill_formed_documents() {
        for bad in [
            "",
            "<a>",
            "<a></b>",
            "<a/><b/>",
            "<a x='1' x='2'/>",
            "<a x=1/>",
            "<a>&bogus;</a>",
            "<a>\u{1}</a>",
            "<a>&#1;</a>",
            "<!DOCTYPE a><a/>",
            "text<a/>",
            "<a x='<'/>",
        ] {
            assert!(check_well_formed(bad).is_err(), "{bad:?} accepted");
        }
        assert!(check_well_formed("\u{FEFF}<?xml version=\"1.0\"?>\n<a b=\"1\" c='2'><d/>t</a>\n").is_ok());
    }
}
