//! A minimal, deterministic PNG encoder for [`Canvas`]: 8-bit RGB, adaptive row filters, zlib IDAT, tEXt.
//!
//! Written here rather than pulled in because encoding is ~100 lines once deflate is borrowed from
//! `miniz_oxide`, and owning it keeps the bytes stable across dependency upgrades.

use crate::canvas::Canvas;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// zlib level: 6 is the usual speed/size balance; higher levels buy little on flat-colour graphics.
const ZLIB_LEVEL: u8 = 6;

/// Encode `canvas` as a PNG with no metadata.
pub fn encode(canvas: &Canvas) -> Vec<u8> {
    encode_with_text(canvas, &[])
}

/// Encode `canvas` as a PNG carrying `tEXt` chunks, e.g. `("Title", "…"), ("Software", "AURA")`.
///
/// tEXt is Latin-1 only: characters outside it become `?`, keywords are cut to the 79 bytes the
/// format allows, and entries with an empty keyword are skipped so the file always stays valid.
pub fn encode_with_text(canvas: &Canvas, text: &[(&str, &str)]) -> Vec<u8> {
    let (w, h) = (canvas.width(), canvas.height());
    let mut out = Vec::with_capacity(canvas.pixels().len() / 4 + 1024);
    out.extend_from_slice(&SIGNATURE);

    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    // bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);

    for (key, value) in text {
        let key: Vec<u8> = latin1(key.trim()).into_iter().filter(|b| *b != 0).take(79).collect();
        if key.is_empty() {
            continue;
        }
        let mut data = key;
        data.push(0);
        data.extend(latin1(value).into_iter().filter(|b| *b != 0));
        chunk(&mut out, b"tEXt", &data);
    }

    let raw = filter_rows(canvas.pixels(), w as usize * 3);
    chunk(&mut out, b"IDAT", &miniz_oxide::deflate::compress_to_vec_zlib(&raw, ZLIB_LEVEL));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn latin1(s: &str) -> Vec<u8> {
    s.chars().map(|c| if (c as u32) < 256 { c as u8 } else { b'?' }).collect()
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// Prefix every row with the filter (None, Sub, Up, Average, Paeth) whose output has the smallest sum
/// of absolute signed bytes — the heuristic libpng uses; it makes gradients and text compress well.
fn filter_rows(pixels: &[u8], stride: usize) -> Vec<u8> {
    const BPP: usize = 3;
    if stride == 0 {
        return Vec::new();
    }
    let rows = pixels.len() / stride;
    let mut out = Vec::with_capacity(rows * (stride + 1));
    let zero = vec![0u8; stride];
    let mut candidates = vec![vec![0u8; stride]; 5];
    for r in 0..rows {
        let cur = &pixels[r * stride..(r + 1) * stride];
        let prev = if r == 0 { &zero[..] } else { &pixels[(r - 1) * stride..r * stride] };
        for i in 0..stride {
            let a = if i >= BPP { cur[i - BPP] } else { 0 };
            let b = prev[i];
            let c = if i >= BPP { prev[i - BPP] } else { 0 };
            let x = cur[i];
            candidates[0][i] = x;
            candidates[1][i] = x.wrapping_sub(a);
            candidates[2][i] = x.wrapping_sub(b);
            candidates[3][i] = x.wrapping_sub(((a as u16 + b as u16) / 2) as u8);
            candidates[4][i] = x.wrapping_sub(paeth(a, b, c));
        }
        let score = |v: &Vec<u8>| v.iter().map(|&b| (b as i8).unsigned_abs() as u64).sum::<u64>();
        // min_by_key keeps the first minimum, so ties resolve the same way every time.
        let (best, _) = candidates.iter().enumerate().min_by_key(|(_, v)| score(v)).expect("five candidates");
        out.push(best as u8);
        out.extend_from_slice(&candidates[best]);
    }
    out
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let (pa, pb, pc) = ((p - a as i16).abs(), (p - b as i16).abs(), (p - c as i16).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// CRC-32 (IEEE) as PNG chunks require: the one implementation the workspace shares.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_known_vectors() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn paeth_picks_nearest() {
        assert_eq!(paeth(10, 20, 10), 20);
        assert_eq!(paeth(20, 10, 10), 20);
        assert_eq!(paeth(0, 0, 0), 0);
    }
}
