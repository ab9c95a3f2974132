//! Minimal ZIP writer and reader (PKWARE APPNOTE subset): exactly what an OOXML package needs.
//!
//! The writer emits local file headers, a central directory and the end record, with raw DEFLATE from
//! `miniz_oxide` and a fixed DOS timestamp (1980-01-01 00:00) so identical input gives identical bytes.
//! ZIP64, encryption, multi-disk archives and data descriptors on write are deliberately out of scope:
//! a spreadsheet export never needs them, and refusing them keeps the format easy to audit.
//!
//! The reader trusts the central directory (as every mainstream reader does), verifies each entry's
//! CRC-32 and size, and bounds inflation by the declared size so a hostile archive cannot balloon memory.

use std::collections::HashSet;

/// DOS date for 1980-01-01: year offset 0 in bits 9..16, month 1 in bits 5..9, day 1 in bits 0..5.
const DOS_DATE_1980_01_01: u16 = (1 << 5) | 1;
/// DOS time 00:00:00.
const DOS_TIME_MIDNIGHT: u16 = 0;

const LOCAL_HEADER_SIG: u32 = 0x0403_4b50;
const CENTRAL_HEADER_SIG: u32 = 0x0201_4b50;
const END_RECORD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const END_RECORD_LEN: usize = 22;

/// Version 2.0: the minimum that allows DEFLATE, so every reader accepts it.
const VERSION_NEEDED: u16 = 20;
/// General-purpose flag bit 11: the entry name is UTF-8 (only set when the name is not plain ASCII).
const FLAG_UTF8: u16 = 1 << 11;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATE: u16 = 8;
/// miniz level 6 is zlib's default speed/size balance.
const DEFLATE_LEVEL: u8 = 6;

/// Errors from writing or reading a ZIP archive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    /// A size or offset does not fit the 32-bit fields of a non-ZIP64 archive.
    #[error("entry {0:?} does not fit a non-ZIP64 archive (4 GiB limit)")]
    TooLarge(String),
    /// More than 65535 entries would need ZIP64.
    #[error("more than 65535 entries need ZIP64, which is not supported")]
    TooManyEntries,
    /// Two entries with the same name make the archive ambiguous.
    #[error("duplicate entry name {0:?}")]
    DuplicateName(String),
    /// Names must be non-empty and fit the 16-bit length field.
    #[error("invalid entry name {0:?}")]
    InvalidName(String),
    /// No end-of-central-directory record: not a ZIP file (or truncated).
    #[error("not a ZIP archive: end of central directory record not found")]
    NoEndRecord,
    /// Structural damage: a header points outside the file, a signature is wrong, etc.
    #[error("malformed ZIP archive: {0}")]
    Malformed(&'static str),
    /// The archive uses ZIP64 or spans disks.
    #[error("unsupported ZIP feature: {0}")]
    Unsupported(&'static str),
    /// Compression other than stored (0) or DEFLATE (8).
    #[error("entry {name:?} uses unsupported compression method {method}")]
    UnsupportedMethod { name: String, method: u16 },
    /// Encrypted entries cannot be read.
    #[error("entry {0:?} is encrypted")]
    Encrypted(String),
    /// The DEFLATE stream is corrupt or inflates beyond its declared size.
    #[error("entry {0:?} could not be inflated")]
    Inflate(String),
    /// Data does not match the stored CRC-32.
    #[error("entry {0:?} failed its CRC-32 check")]
    CrcMismatch(String),
    /// Inflated length differs from the declared uncompressed size.
    #[error("entry {0:?} has a different size than its header declares")]
    SizeMismatch(String),
}

/// CRC-32 as used by ZIP (and gzip/PNG): the one implementation the workspace shares.
pub fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

/// Builds a ZIP archive in memory. Entries are written in the order they are added.
#[derive(Debug, Default)]
pub struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    count: usize,
    names: HashSet<String>,
}

fn put_u16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn put_u32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

impl ZipWriter {
    /// An empty archive.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file. DEFLATE is used unless it would not shrink the data (tiny parts), in which case the
    /// entry is stored; both are deterministic.
    pub fn add(&mut self, name: &str, data: &[u8]) -> Result<(), ZipError> {
        if name.is_empty() || name.len() > usize::from(u16::MAX) {
            return Err(ZipError::InvalidName(name.to_owned()));
        }
        if !self.names.insert(name.to_owned()) {
            return Err(ZipError::DuplicateName(name.to_owned()));
        }
        if self.count == usize::from(u16::MAX) {
            return Err(ZipError::TooManyEntries);
        }
        let too_large = || ZipError::TooLarge(name.to_owned());
        let uncompressed_size = u32::try_from(data.len()).map_err(|_| too_large())?;
        let offset = u32::try_from(self.out.len()).map_err(|_| too_large())?;
        let crc = crc32(data);
        let deflated = miniz_oxide::deflate::compress_to_vec(data, DEFLATE_LEVEL);
        let (method, payload): (u16, &[u8]) =
            if deflated.len() < data.len() { (METHOD_DEFLATE, &deflated) } else { (METHOD_STORED, data) };
        let compressed_size = u32::try_from(payload.len()).map_err(|_| too_large())?;
        let flags = if name.is_ascii() { 0 } else { FLAG_UTF8 };
        let name_len = name.len() as u16;

        // Local file header.
        let out = &mut self.out;
        put_u32(out, LOCAL_HEADER_SIG);
        put_u16(out, VERSION_NEEDED);
        put_u16(out, flags);
        put_u16(out, method);
        put_u16(out, DOS_TIME_MIDNIGHT);
        put_u16(out, DOS_DATE_1980_01_01);
        put_u32(out, crc);
        put_u32(out, compressed_size);
        put_u32(out, uncompressed_size);
        put_u16(out, name_len);
        put_u16(out, 0); // extra field length
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(payload);
        if u32::try_from(out.len()).is_err() {
            return Err(too_large());
        }

        // Matching central directory header.
        let c = &mut self.central;
        put_u32(c, CENTRAL_HEADER_SIG);
        put_u16(c, VERSION_NEEDED); // version made by: 2.0, host 0 (MS-DOS) so no Unix modes are implied
        put_u16(c, VERSION_NEEDED);
        put_u16(c, flags);
        put_u16(c, method);
        put_u16(c, DOS_TIME_MIDNIGHT);
        put_u16(c, DOS_DATE_1980_01_01);
        put_u32(c, crc);
        put_u32(c, compressed_size);
        put_u32(c, uncompressed_size);
        put_u16(c, name_len);
        put_u16(c, 0); // extra field length
        put_u16(c, 0); // comment length
        put_u16(c, 0); // disk number start
        put_u16(c, 0); // internal attributes
        put_u32(c, 0); // external attributes
        put_u32(c, offset);
        c.extend_from_slice(name.as_bytes());
        self.count += 1;
        Ok(())
    }

    /// Appends the central directory and end record and returns the archive bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, ZipError> {
        let too_large = || ZipError::TooLarge("central directory".to_owned());
        let cd_offset = u32::try_from(self.out.len()).map_err(|_| too_large())?;
        let cd_size = u32::try_from(self.central.len()).map_err(|_| too_large())?;
        if u32::try_from(self.out.len() + self.central.len()).is_err() {
            return Err(too_large());
        }
        let count = self.count as u16; // bounded by `add`
        self.out.extend_from_slice(&self.central);
        let out = &mut self.out;
        put_u32(out, END_RECORD_SIG);
        put_u16(out, 0); // this disk
        put_u16(out, 0); // disk with central directory
        put_u16(out, count);
        put_u16(out, count);
        put_u32(out, cd_size);
        put_u32(out, cd_offset);
        put_u16(out, 0); // comment length
        Ok(self.out)
    }
}

/// One decompressed archive member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    pub name: String,
    pub data: Vec<u8>,
}

/// A fully decompressed archive, entries in central-directory order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipArchive {
    entries: Vec<ZipEntry>,
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, ZipError> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]])).ok_or(ZipError::Malformed("header truncated"))
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, ZipError> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or(ZipError::Malformed("header truncated"))
}

/// Finds the end-of-central-directory record by scanning backwards: it sits at the very end unless an
/// archive comment (at most 65535 bytes) follows it.
fn find_end_record(b: &[u8]) -> Result<usize, ZipError> {
    if b.len() < END_RECORD_LEN {
        return Err(ZipError::NoEndRecord);
    }
    let last = b.len() - END_RECORD_LEN;
    let first = last.saturating_sub(usize::from(u16::MAX));
    (first..=last)
        .rev()
        .find(|&p| {
            u32_at(b, p) == Ok(END_RECORD_SIG)
                && u16_at(b, p + 20).is_ok_and(|clen| p + END_RECORD_LEN + usize::from(clen) <= b.len())
        })
        .ok_or(ZipError::NoEndRecord)
}

impl ZipArchive {
    /// Parses and decompresses every entry, verifying CRC-32 and sizes.
    pub fn parse(bytes: &[u8]) -> Result<Self, ZipError> {
        let eocd = find_end_record(bytes)?;
        if eocd >= 20 && u32_at(bytes, eocd - 20) == Ok(ZIP64_LOCATOR_SIG) {
            return Err(ZipError::Unsupported("ZIP64"));
        }
        if u16_at(bytes, eocd + 4)? != 0 || u16_at(bytes, eocd + 6)? != 0 {
            return Err(ZipError::Unsupported("multi-disk archive"));
        }
        let count = usize::from(u16_at(bytes, eocd + 10)?);
        let cd_size = u32_at(bytes, eocd + 12)? as usize;
        let cd_offset = u32_at(bytes, eocd + 16)? as usize;
        if cd_offset.checked_add(cd_size).is_none_or(|end| end > eocd) {
            return Err(ZipError::Malformed("central directory outside the file"));
        }

        let mut entries = Vec::with_capacity(count);
        let mut names = HashSet::with_capacity(count);
        let mut p = cd_offset;
        for _ in 0..count {
            if u32_at(bytes, p)? != CENTRAL_HEADER_SIG {
                return Err(ZipError::Malformed("bad central directory signature"));
            }
            let flags = u16_at(bytes, p + 8)?;
            let method = u16_at(bytes, p + 10)?;
            let crc = u32_at(bytes, p + 16)?;
            let csize = u32_at(bytes, p + 20)?;
            let usize_ = u32_at(bytes, p + 24)?;
            let name_len = usize::from(u16_at(bytes, p + 28)?);
            let extra_len = usize::from(u16_at(bytes, p + 30)?);
            let comment_len = usize::from(u16_at(bytes, p + 32)?);
            let local = u32_at(bytes, p + 42)?;
            let name_bytes = bytes.get(p + 46..p + 46 + name_len).ok_or(ZipError::Malformed("name truncated"))?;
            // Non-UTF-8 names would be CP437; OOXML part names are ASCII, so lossy decoding is enough.
            let name = String::from_utf8_lossy(name_bytes).into_owned();
            p += 46 + name_len + extra_len + comment_len;

            if csize == u32::MAX || usize_ == u32::MAX || local == u32::MAX {
                return Err(ZipError::Unsupported("ZIP64"));
            }
            if flags & 1 != 0 {
                return Err(ZipError::Encrypted(name));
            }
            if !names.insert(name.clone()) {
                return Err(ZipError::DuplicateName(name));
            }
            let local = local as usize;
            if u32_at(bytes, local)? != LOCAL_HEADER_SIG {
                return Err(ZipError::Malformed("bad local header signature"));
            }
            // The local header's name/extra lengths may differ from the central copy, so use its own.
            let start = local + 30 + usize::from(u16_at(bytes, local + 26)?) + usize::from(u16_at(bytes, local + 28)?);
            let payload =
                bytes.get(start..start + csize as usize).ok_or(ZipError::Malformed("entry data outside the file"))?;
            let data = match method {
                METHOD_STORED => payload.to_vec(),
                METHOD_DEFLATE => miniz_oxide::inflate::decompress_to_vec_with_limit(payload, usize_ as usize)
                    .map_err(|_| ZipError::Inflate(name.clone()))?,
                _ => return Err(ZipError::UnsupportedMethod { name, method }),
            };
            if data.len() != usize_ as usize {
                return Err(ZipError::SizeMismatch(name));
            }
            if crc32(&data) != crc {
                return Err(ZipError::CrcMismatch(name));
            }
            entries.push(ZipEntry { name, data });
        }
        Ok(Self { entries })
    }

    /// All entries in central-directory order.
    pub fn entries(&self) -> &[ZipEntry] {
        &self.entries
    }

    /// Entry names in central-directory order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    /// The decompressed bytes of the entry called `name`, if present.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.entries.iter().find(|e| e.name == name).map(|e| e.data.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        // The standard CRC-32 check value from the Rocksoft model.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn round_trip_stored_deflated_and_empty() {
        let big = "hello world ".repeat(1000);
        let mut w = ZipWriter::new();
        w.add("a.txt", b"x").unwrap();
        w.add("dir/big.xml", big.as_bytes()).unwrap();
        w.add("empty", b"").unwrap();
        w.add("ünï.txt", "utf8 name".as_bytes()).unwrap();
        let bytes = w.finish().unwrap();
        let a = ZipArchive::parse(&bytes).unwrap();
        assert_eq!(a.names().collect::<Vec<_>>(), ["a.txt", "dir/big.xml", "empty", "ünï.txt"]);
        assert_eq!(a.get("a.txt"), Some(&b"x"[..]));
        assert_eq!(a.get("dir/big.xml"), Some(big.as_bytes()));
        assert_eq!(a.get("empty"), Some(&b""[..]));
        assert_eq!(a.get("missing"), None);
        // The repetitive part must actually have been compressed.
        assert!(bytes.len() < big.len() / 4);
    }

    #[test]
    fn writer_is_deterministic_and_uses_1980_timestamp() {
        let build = || {
            let mut w = ZipWriter::new();
            w.add("p.xml", b"<a/>").unwrap();
            w.finish().unwrap()
        };
        let bytes = build();
        assert_eq!(bytes, build());
        assert_eq!(u16_at(&bytes, 10).unwrap(), 0); // time
        assert_eq!(u16_at(&bytes, 12).unwrap(), 0x0021); // 1980-01-01
    }

    #[test]
    fn rejects_duplicates_and_bad_names() {
        let mut w = ZipWriter::new();
        w.add("a", b"1").unwrap();
        assert_eq!(w.add("a", b"2"), Err(ZipError::DuplicateName("a".into())));
        assert_eq!(w.add("", b"2"), Err(ZipError::InvalidName(String::new())));
    }

    #[test]
    fn detects_corruption_and_truncation() {
        let mut w = ZipWriter::new();
        w.add("f.txt", "some text that is long enough, some text that is long enough".as_bytes()).unwrap();
        let bytes = w.finish().unwrap();

        assert_eq!(ZipArchive::parse(&bytes[..bytes.len() - 1]), Err(ZipError::NoEndRecord));
        assert_eq!(ZipArchive::parse(b"not a zip"), Err(ZipError::NoEndRecord));

        let mut bad_crc = bytes.clone();
        let cd = find_end_record(&bad_crc).unwrap();
        let cd_offset = u32_at(&bad_crc, cd + 16).unwrap() as usize;
        bad_crc[cd_offset + 16] ^= 0xFF;
        assert_eq!(ZipArchive::parse(&bad_crc), Err(ZipError::CrcMismatch("f.txt".into())));

        let mut bad_data = bytes.clone();
        bad_data[31 + "f.txt".len()] ^= 0x55;
        assert!(ZipArchive::parse(&bad_data).is_err());
    }

    /// Other writers deflate even empty files; a zero inflate limit must still accept the empty stream.
    #[test]
    fn reads_deflated_empty_entry() {
        let deflated = miniz_oxide::deflate::compress_to_vec(b"", DEFLATE_LEVEL);
        let mut bytes = Vec::new();
        put_u32(&mut bytes, LOCAL_HEADER_SIG);
        for v in [VERSION_NEEDED, 0, METHOD_DEFLATE, 0, DOS_DATE_1980_01_01] {
            put_u16(&mut bytes, v);
        }
        for v in [0, deflated.len() as u32, 0] {
            put_u32(&mut bytes, v);
        }
        put_u16(&mut bytes, 1);
        put_u16(&mut bytes, 0);
        bytes.push(b'e');
        bytes.extend_from_slice(&deflated);
        let cd_offset = bytes.len() as u32;
        put_u32(&mut bytes, CENTRAL_HEADER_SIG);
        for v in [VERSION_NEEDED, VERSION_NEEDED, 0, METHOD_DEFLATE, 0, DOS_DATE_1980_01_01] {
            put_u16(&mut bytes, v);
        }
        for v in [0, deflated.len() as u32, 0] {
            put_u32(&mut bytes, v);
        }
        for v in [1u16, 0, 0, 0, 0] {
            put_u16(&mut bytes, v);
        }
        put_u32(&mut bytes, 0);
        put_u32(&mut bytes, 0);
        bytes.push(b'e');
        let cd_size = bytes.len() as u32 - cd_offset;
        put_u32(&mut bytes, END_RECORD_SIG);
        for v in [0u16, 0, 1, 1] {
            put_u16(&mut bytes, v);
        }
        put_u32(&mut bytes, cd_size);
        put_u32(&mut bytes, cd_offset);
        put_u16(&mut bytes, 0);
        let archive = ZipArchive::parse(&bytes).unwrap();
        assert_eq!(archive.get("e"), Some(&b""[..]));
    }
}
