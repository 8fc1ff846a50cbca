// SPDX-License-Identifier: Apache-2.0
//! The persistent key/value blob store port the gallery is saved to.
//!
//! Keys are small integers (slots); a Zephyr implementation maps them to settings names or
//! NVS ids. Each `write` and `delete` must be atomic at the key level or leave a record that
//! fails its CRC (a torn write); the record format and write order in
//! [`persistent`](crate::persistent) do the rest.

/// A persistent store of byte blobs addressed by `u16` keys.
pub trait GalleryStore {
    /// The store's own error.
    type Error: core::fmt::Debug;

    /// Copies the blob under `key` into `buf` (as much as fits) and returns its full length,
    /// or `None` if there is no blob under `key`.
    fn read(&mut self, key: u16, buf: &mut [u8]) -> Result<Option<usize>, Self::Error>;

    /// Stores `data` under `key`, replacing any previous blob.
    fn write(&mut self, key: u16, data: &[u8]) -> Result<(), Self::Error>;

    /// Removes the blob under `key` (no error if there is none).
    fn delete(&mut self, key: u16) -> Result<(), Self::Error>;
}

impl<S: GalleryStore + ?Sized> GalleryStore for &mut S {
    type Error = S::Error;

    fn read(&mut self, key: u16, buf: &mut [u8]) -> Result<Option<usize>, Self::Error> {
        (**self).read(key, buf)
    }

    fn write(&mut self, key: u16, data: &[u8]) -> Result<(), Self::Error> {
        (**self).write(key, data)
    }

    fn delete(&mut self, key: u16) -> Result<(), Self::Error> {
        (**self).delete(key)
    }
}
