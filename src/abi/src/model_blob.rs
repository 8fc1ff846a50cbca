// SPDX-License-Identifier: Apache-2.0
//! The model blob: several .tflite files packed into one image that a board keeps in external
//! flash and copies to RAM at boot (`fg_models_read`), with a bounds-checked reader.
//!
//! Layout (little-endian): `b"FGMB"`, u32 version = 1, u32 count, then `count` entries of
//! { 16-byte NUL-padded ASCII name, u32 offset, u32 length }, then the data. Offsets are from
//! the blob start and 16-byte aligned (TFLite flatbuffers are read in place).

use crate::error::check;
use crate::{ffi, AbiError, Result};

/// Blob magic.
pub const MAGIC: [u8; 4] = *b"FGMB";
/// Format version.
pub const VERSION: u32 = 1;
/// Bytes of an entry's name field.
pub const NAME_LEN: usize = 16;
const HEADER: usize = 12;
const ENTRY: usize = NAME_LEN + 8;
/// Alignment of every model in the blob.
pub const ALIGN: usize = 16;

fn u32_at(b: &[u8], at: usize) -> Result<u32> {
    let s = b.get(at..at + 4).ok_or(AbiError::ContractViolation)?;
    Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// A parsed blob borrowing its bytes.
#[derive(Debug, Clone, Copy)]
pub struct ModelBlob<'a> {
    bytes: &'a [u8],
    count: usize,
}

impl<'a> ModelBlob<'a> {
    /// Checks the header and every entry (in bounds, aligned, name ASCII) of `bytes`.
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        if bytes.get(..4) != Some(&MAGIC[..]) || u32_at(bytes, 4)? != VERSION {
            return Err(AbiError::ContractViolation);
        }
        let count = u32_at(bytes, 8)? as usize;
        let table_end = count
            .checked_mul(ENTRY)
            .and_then(|t| t.checked_add(HEADER))
            .filter(|&end| end <= bytes.len())
            .ok_or(AbiError::ContractViolation)?;
        let blob = Self { bytes, count };
        for i in 0..count {
            let (name, off, len) = blob.entry(i)?;
            if name.is_empty() || !name.is_ascii() {
                return Err(AbiError::ContractViolation);
            }
            let end = off.checked_add(len).ok_or(AbiError::ContractViolation)?;
            if off < table_end || off % ALIGN != 0 || end > bytes.len() {
                return Err(AbiError::ContractViolation);
            }
        }
        Ok(blob)
    }

    fn entry(&self, i: usize) -> Result<(&'a str, usize, usize)> {
        let at = HEADER + i * ENTRY;
        let raw = self
            .bytes
            .get(at..at + NAME_LEN)
            .ok_or(AbiError::ContractViolation)?;
        let n = raw.iter().position(|&b| b == 0).unwrap_or(NAME_LEN);
        let name = core::str::from_utf8(&raw[..n]).map_err(|_| AbiError::ContractViolation)?;
        let off = u32_at(self.bytes, at + NAME_LEN)? as usize;
        let len = u32_at(self.bytes, at + NAME_LEN + 4)? as usize;
        Ok((name, off, len))
    }

    /// Number of models.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the blob holds no model.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The model called `name`.
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        (0..self.count).find_map(|i| {
            let (n, off, len) = self.entry(i).ok()?;
            (n == name).then(|| &self.bytes[off..off + len])
        })
    }
}

/// Fills `dst` with the blob kept in external flash (`fg_models_read`, in chunks) and parses
/// it.
pub fn load_from_flash(dst: &mut [u8]) -> Result<ModelBlob<'_>> {
    const CHUNK: usize = 64 * 1024;
    for (i, part) in dst.chunks_mut(CHUNK).enumerate() {
        // SAFETY: `part` is a live, exclusively borrowed buffer of `part.len()` bytes for the
        // call; the shim writes at most that many.
        check(unsafe {
            ffi::fg_models_read(
                (i * CHUNK) as u32,
                part.as_mut_ptr().cast(),
                part.len() as u32,
            )
        })?;
    }
    ModelBlob::parse(dst)
}

/// Packs `models` (name, bytes) into a blob (host side: src/build.rs).
#[cfg(any(test, feature = "blob-writer"))]
pub fn write_blob(models: &[(&str, &[u8])]) -> std::vec::Vec<u8> {
    let round = |v: usize| v.div_ceil(ALIGN) * ALIGN;
    let mut out = std::vec::Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(models.len() as u32).to_le_bytes());
    let mut offset = round(HEADER + models.len() * ENTRY);
    for (name, bytes) in models {
        assert!(
            name.len() <= NAME_LEN && name.is_ascii(),
            "model name {name}"
        );
        let mut field = [0u8; NAME_LEN];
        field[..name.len()].copy_from_slice(name.as_bytes());
        out.extend_from_slice(&field);
        out.extend_from_slice(&(offset as u32).to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        offset = round(offset + bytes.len());
    }
    for (_, bytes) in models {
        out.resize(round(out.len()), 0);
        out.extend_from_slice(bytes);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blob as `write_blob` lays it out, written by hand so the test does not depend on
    /// the writer feature.
    fn two_models() -> std::vec::Vec<u8> {
        let mut b = std::vec::Vec::new();
        b.extend_from_slice(b"FGMB");
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&2u32.to_le_bytes());
        for (name, off, len) in [("detector", 64u32, 5u32), ("recognizer", 80, 3)] {
            let mut f = [0u8; NAME_LEN];
            f[..name.len()].copy_from_slice(name.as_bytes());
            b.extend_from_slice(&f);
            b.extend_from_slice(&off.to_le_bytes());
            b.extend_from_slice(&len.to_le_bytes());
        }
        b.resize(64, 0);
        b.extend_from_slice(b"DDDDD");
        b.resize(80, 0);
        b.extend_from_slice(b"RRR");
        b
    }

    #[test]
    fn finds_models_by_name() {
        let bytes = two_models();
        let blob = ModelBlob::parse(&bytes).unwrap();
        assert_eq!(blob.len(), 2);
        assert_eq!(blob.get("detector"), Some(&b"DDDDD"[..]));
        assert_eq!(blob.get("recognizer"), Some(&b"RRR"[..]));
        assert_eq!(blob.get("antispoof"), None);
    }

    #[test]
    fn refuses_bad_magic_truncation_misalignment_and_overflow() {
        let good = two_models();
        let mut bad = good.clone();
        bad[0] = b'X';
        assert!(ModelBlob::parse(&bad).is_err());
        // Truncated data: the recognizer runs past the end.
        assert!(ModelBlob::parse(&good[..82]).is_err());
        // Truncated table.
        assert!(ModelBlob::parse(&good[..20]).is_err());
        // Misaligned offset.
        let mut bad = good.clone();
        bad[12 + 16] = 65;
        assert!(ModelBlob::parse(&bad).is_err());
        // A count whose table would not fit (and would overflow on 32-bit).
        let mut bad = good.clone();
        bad[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(ModelBlob::parse(&bad).is_err());
        // Offset + length overflow.
        let mut bad = good;
        bad[12 + 20..12 + 24].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(ModelBlob::parse(&bad).is_err());
    }

    #[test]
    fn loads_from_flash_in_chunks_and_checks_the_content() {
        let _g = crate::fake::serial();
        let mut image = write_blob(&[("detector", &[7u8; 100_000]), ("recognizer", b"RRR")]);
        crate::fake::with(|s| s.models_flash = image.clone());
        let mut dst = std::vec![0u8; image.len()];
        let blob = load_from_flash(&mut dst).unwrap();
        assert_eq!(blob.get("detector").map(<[u8]>::len), Some(100_000));
        assert_eq!(blob.get("recognizer"), Some(&b"RRR"[..]));
        assert_eq!(crate::fake::with(|s| s.models_reads), 2);
        // Erased flash (0xff) is refused, not trusted.
        image.iter_mut().for_each(|b| *b = 0xff);
        crate::fake::with(|s| s.models_flash = image);
        assert_eq!(
            load_from_flash(&mut dst).unwrap_err(),
            AbiError::ContractViolation
        );
        crate::fake::with(|s| s.force_code = Some(ffi::FG_ERR_NOT_SUPPORTED));
        assert_eq!(
            load_from_flash(&mut dst).unwrap_err(),
            AbiError::NotSupported
        );
    }

    #[test]
    fn the_writer_produces_what_the_reader_expects() {
        assert_eq!(
            write_blob(&[("detector", b"DDDDD"), ("recognizer", b"RRR")]),
            two_models()
        );
    }
}
