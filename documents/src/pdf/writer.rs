//! The file skeleton: header, numbered objects, cross-reference table, trailer, `%%EOF`.
//!
//! A viewer finds objects through the xref table's byte offsets, so this writer records the offset of
//! every object as it is written and emits the table from those records: offsets are right by
//! construction. Objects may be written in any order; the table is always complete and sorted.

/// Accumulates a PDF file in memory.
pub(crate) struct Writer {
    buf: Vec<u8>,
    /// Byte offset of object `n` at index `n - 1`; `None` until written.
    offsets: Vec<Option<usize>>,
}

impl Writer {
    /// A writer for a file with objects numbered `1..=object_count`; the header is written at once.
    pub(crate) fn new(object_count: usize) -> Writer {
        let mut buf = Vec::new();
        // The comment with high bytes tells transfer tools the file is binary (PDF 1.4 §3.4.1).
        buf.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
        Writer { buf, offsets: vec![None; object_count] }
    }

    /// Writes object `id` whose body is `body` (a dictionary, array, …).
    pub(crate) fn object(&mut self, id: usize, body: &[u8]) {
        self.begin(id);
        self.buf.extend_from_slice(body);
        self.buf.extend_from_slice(b"\nendobj\n");
    }

    /// Writes stream object `id`: `dict_entries` (without `<<`/`>>` and without `/Length`) and `data`.
    pub(crate) fn stream(&mut self, id: usize, dict_entries: &str, data: &[u8]) {
        self.begin(id);
        let dict = format!("<< {dict_entries} /Length {} >>\nstream\n", data.len());
        self.buf.extend_from_slice(dict.as_bytes());
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(b"\nendstream\nendobj\n");
    }

    fn begin(&mut self, id: usize) {
        assert!(id >= 1 && id <= self.offsets.len(), "object {id} outside 1..={}", self.offsets.len());
        assert!(self.offsets[id - 1].is_none(), "object {id} written twice");
        self.offsets[id - 1] = Some(self.buf.len());
        self.buf.extend_from_slice(format!("{id} 0 obj\n").as_bytes());
    }

    /// Appends the xref table and trailer and returns the file.
    ///
    /// # Panics
    /// If an object announced in [`Writer::new`] was never written (a bug in this crate).
    pub(crate) fn finish(mut self, root: usize, info: usize) -> Vec<u8> {
        let xref_at = self.buf.len();
        let size = self.offsets.len() + 1;
        self.buf.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
        // Each entry is exactly 20 bytes, including the two-byte end of line " \n".
        self.buf.extend_from_slice(b"0000000000 65535 f \n");
        for (i, offset) in self.offsets.iter().enumerate() {
            let offset = offset.unwrap_or_else(|| panic!("object {} never written", i + 1));
            self.buf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        let trailer =
            format!("trailer\n<< /Size {size} /Root {root} 0 R /Info {info} 0 R >>\nstartxref\n{xref_at}\n%%EOF\n");
        self.buf.extend_from_slice(trailer.as_bytes());
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_offsets_point_at_objects() {
        let mut w = Writer::new(2);
        w.object(2, b"<< /Type /Pages /Kids [] /Count 0 >>");
        w.object(1, b"<< /Type /Catalog /Pages 2 0 R >>");
        let bytes = w.finish(1, 1);
        // The header's binary comment is not UTF-8; everything after it is ASCII.
        let text = std::str::from_utf8(&bytes[15..]).unwrap();
        let xref_at: usize = text.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        assert!(bytes[xref_at..].starts_with(b"xref\n0 3\n"));
        let table = std::str::from_utf8(&bytes[xref_at..]).unwrap();
        let entries: Vec<&str> = table.lines().skip(2).take(3).collect();
        assert_eq!(entries[0], "0000000000 65535 f ");
        for (n, entry) in entries.iter().enumerate().skip(1) {
            let offset: usize = entry[..10].parse().unwrap();
            assert!(bytes[offset..].starts_with(format!("{n} 0 obj").as_bytes()), "object {n}");
        }
        assert!(text.ends_with("%%EOF\n"));
    }

    #[test]
    fn stream_length_matches_data() {
        let mut w = Writer::new(1);
        w.stream(1, "", b"abc");
        let bytes = w.finish(1, 1);
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("<<  /Length 3 >>\nstream\nabc\nendstream"));
    }
}
