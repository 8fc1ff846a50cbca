// SPDX-License-Identifier: Apache-2.0
//! A RAM [`GalleryStore`] for tests and the host simulator: up to `SLOTS` blobs of at most
//! `BYTES` bytes each.

use crate::store::GalleryStore;
use heapless::Vec;

/// Why a [`MemStore`] refused a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemStoreError {
    /// All slots are used.
    Full,
    /// The blob is longer than `BYTES`.
    TooLarge,
}

/// Blobs in RAM.
#[derive(Debug, Clone, Default)]
pub struct MemStore<const SLOTS: usize, const BYTES: usize> {
    blobs: Vec<(u16, Vec<u8, BYTES>), SLOTS>,
}

impl<const SLOTS: usize, const BYTES: usize> MemStore<SLOTS, BYTES> {
    /// An empty store.
    pub const fn new() -> Self {
        Self { blobs: Vec::new() }
    }

    /// Number of blobs stored.
    pub fn len(&self) -> usize {
        self.blobs.len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.blobs.is_empty()
    }

    /// The raw bytes under `key`, mutable (to simulate corruption in tests).
    pub fn raw_mut(&mut self, key: u16) -> Option<&mut Vec<u8, BYTES>> {
        self.blobs
            .iter_mut()
            .find(|(k, _)| *k == key)
            .map(|(_, b)| b)
    }

    /// Keys in use.
    pub fn keys(&self) -> impl Iterator<Item = u16> + '_ {
        self.blobs.iter().map(|(k, _)| *k)
    }
}

impl<const SLOTS: usize, const BYTES: usize> GalleryStore for MemStore<SLOTS, BYTES> {
    type Error = MemStoreError;

    fn read(&mut self, key: u16, buf: &mut [u8]) -> Result<Option<usize>, Self::Error> {
        Ok(self.blobs.iter().find(|(k, _)| *k == key).map(|(_, b)| {
            let n = b.len().min(buf.len());
            buf[..n].copy_from_slice(&b[..n]);
            b.len()
        }))
    }

    fn write(&mut self, key: u16, data: &[u8]) -> Result<(), Self::Error> {
        let blob = Vec::from_slice(data).map_err(|_| MemStoreError::TooLarge)?;
        if let Some(slot) = self.raw_mut(key) {
            *slot = blob;
            return Ok(());
        }
        self.blobs
            .push((key, blob))
            .map_err(|_| MemStoreError::Full)
    }

    fn delete(&mut self, key: u16) -> Result<(), Self::Error> {
        self.blobs.retain(|(k, _)| *k != key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_write_delete() {
        let mut s: MemStore<2, 4> = MemStore::new();
        let mut buf = [0u8; 4];
        assert_eq!(s.read(1, &mut buf), Ok(None));
        s.write(1, b"abc").unwrap();
        s.write(2, b"de").unwrap();
        assert_eq!(s.write(3, b"x"), Err(MemStoreError::Full));
        assert_eq!(s.write(1, b"toolong"), Err(MemStoreError::TooLarge));
        s.write(1, b"xyzw").unwrap();
        let mut small = [0u8; 2];
        assert_eq!(s.read(1, &mut small), Ok(Some(4)));
        assert_eq!(&small, b"xy");
        s.delete(1).unwrap();
        s.delete(1).unwrap();
        assert_eq!(s.read(1, &mut buf), Ok(None));
        assert_eq!(s.len(), 1);
    }
}
