// SPDX-License-Identifier: Apache-2.0
//! The gallery store on a PC: the board's key → record blobs (the same checksummed records
//! the board keeps in flash) in one file, rewritten atomically on every change.
//!
//! File layout (little-endian): magic `FGGS`, u32 format version (1), u32 entry count, then
//! per entry u16 key, u32 length and the record bytes, and finally a CRC-32 of everything
//! before it. Each record is the board's on-flash record unchanged, so a gallery enrolled on
//! a PC can be imported on a board (docs/zephyr.md).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use facegate_face::crc32::crc32;
use facegate_face::GalleryStore;

const MAGIC: &[u8; 4] = b"FGGS";
const VERSION: u32 = 1;
/// Largest record accepted from a file (a 192-d record is well under 1 KiB).
const MAX_BLOB: usize = 64 * 1024;

/// A gallery file.
#[derive(Debug)]
pub struct FileStore {
    path: PathBuf,
    blobs: BTreeMap<u16, Vec<u8>>,
}

/// Why a store operation failed (the kiosk sees only that it failed; the CLI prints this).
#[derive(Debug)]
pub struct FileStoreError(pub String);

impl std::fmt::Display for FileStoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl FileStore {
    /// Opens `path`; a missing file is an empty gallery (created on the first change).
    pub fn open(path: &Path) -> Result<Self> {
        let mut store = Self {
            path: path.to_path_buf(),
            blobs: BTreeMap::new(),
        };
        match fs::read(path) {
            Ok(bytes) => {
                store.blobs = parse(&bytes)
                    .with_context(|| format!("gallery file {} is corrupt", path.display()))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read gallery {}", path.display()))
            }
        }
        Ok(store)
    }

    fn save(&self) -> Result<(), FileStoreError> {
        let bytes = serialize(&self.blobs);
        // `<name>.tmp` beside the gallery (appended, so `site.gallery` and `site.tmp` never
        // collide), then an atomic rename, then the directory entry made durable.
        let mut tmp_name = self.path.file_name().unwrap_or_default().to_os_string();
        tmp_name.push(".tmp");
        let tmp = self.path.with_file_name(tmp_name);
        let write = || -> std::io::Result<()> {
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                fs::create_dir_all(dir)?;
            }
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, &self.path)?;
            let dir = match self.path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            fs::File::open(dir)?.sync_all()
        };
        write().map_err(|e| FileStoreError(format!("cannot write {}: {e}", self.path.display())))
    }
}

fn serialize(blobs: &BTreeMap<u16, Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(blobs.len() as u32).to_le_bytes());
    for (key, blob) in blobs {
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        out.extend_from_slice(blob);
    }
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

fn parse(bytes: &[u8]) -> Result<BTreeMap<u16, Vec<u8>>> {
    if bytes.len() < 16 || &bytes[..4] != MAGIC {
        bail!("not a FaceGate gallery file (bad magic)");
    }
    let (body, tail) = bytes.split_at(bytes.len() - 4);
    let stored = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
    if crc32(body) != stored {
        bail!("checksum mismatch (file truncated or modified)");
    }
    let u32_at = |p: usize| -> Result<u32> {
        let b = body.get(p..p + 4).context("truncated entry")?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let version = u32_at(4)?;
    if version != VERSION {
        bail!("format version {version}, this build reads {VERSION}");
    }
    let count = u32_at(8)? as usize;
    let mut pos = 12;
    let mut blobs = BTreeMap::new();
    for _ in 0..count {
        let k = body.get(pos..pos + 2).context("truncated entry")?;
        let key = u16::from_le_bytes([k[0], k[1]]);
        let len = u32_at(pos + 2)? as usize;
        if len > MAX_BLOB {
            bail!("entry {key} is {len} bytes, more than {MAX_BLOB}");
        }
        pos += 6;
        let blob = body.get(pos..pos + len).context("truncated entry")?;
        if blobs.insert(key, blob.to_vec()).is_some() {
            bail!("key {key} appears twice");
        }
        pos += len;
    }
    if pos != body.len() {
        bail!("{} unexpected bytes after the last entry", body.len() - pos);
    }
    Ok(blobs)
}

impl GalleryStore for FileStore {
    type Error = FileStoreError;

    fn read(&mut self, key: u16, buf: &mut [u8]) -> Result<Option<usize>, Self::Error> {
        Ok(self.blobs.get(&key).map(|b| {
            let n = b.len().min(buf.len());
            buf[..n].copy_from_slice(&b[..n]);
            b.len()
        }))
    }

    fn write(&mut self, key: u16, data: &[u8]) -> Result<(), Self::Error> {
        let previous = self.blobs.insert(key, data.to_vec());
        self.save().inspect_err(|_| {
            // Keep memory and file in step: undo on failure.
            match &previous {
                Some(p) => self.blobs.insert(key, p.clone()),
                None => self.blobs.remove(&key),
            };
        })
    }

    fn delete(&mut self, key: u16) -> Result<(), Self::Error> {
        let Some(previous) = self.blobs.remove(&key) else {
            return Ok(());
        };
        self.save().inspect_err(|_| {
            self.blobs.insert(key, previous.clone());
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("facegate-gs-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir.join("g.gallery")
    }

    #[test]
    fn round_trips_and_survives_reopen() {
        let path = temp("rt");
        let mut s = FileStore::open(&path).unwrap();
        s.write(3, b"hello").unwrap();
        s.write(1, b"x").unwrap();
        s.delete(3).unwrap();
        s.write(7, &[0xaa; 300]).unwrap();
        let mut s = FileStore::open(&path).unwrap();
        let mut buf = [0u8; 512];
        assert_eq!(s.read(1, &mut buf).unwrap(), Some(1));
        assert_eq!(&buf[..1], b"x");
        assert_eq!(s.read(3, &mut buf).unwrap(), None);
        assert_eq!(s.read(7, &mut buf).unwrap(), Some(300));
        assert_eq!(buf[299], 0xaa);
    }

    #[test]
    fn corrupt_files_are_refused_with_the_reason() {
        let path = temp("bad");
        let mut s = FileStore::open(&path).unwrap();
        s.write(1, b"abc").unwrap();
        let mut bytes = fs::read(&path).unwrap();
        let n = bytes.len();
        bytes[n - 6] ^= 1;
        fs::write(&path, &bytes).unwrap();
        let err = format!("{:#}", FileStore::open(&path).unwrap_err());
        assert!(err.contains("checksum mismatch"), "{err}");
        fs::write(&path, b"PNG....").unwrap();
        let err = format!("{:#}", FileStore::open(&path).unwrap_err());
        assert!(err.contains("bad magic"), "{err}");
        fs::write(&path, &bytes[..n / 2]).unwrap();
        assert!(FileStore::open(&path).is_err());
    }
}
