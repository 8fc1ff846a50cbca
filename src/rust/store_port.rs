// SPDX-License-Identifier: Apache-2.0
//! `facegate_face::GalleryStore` over the settings shim: slot `n` is key `facegate/g/<hex n>`.

use facegate_face::GalleryStore;
use facegate_zephyr_abi::{AbiError, Store};

/// The gallery's persistent store on this board.
#[derive(Debug)]
pub struct ZephyrStore(pub Store);

impl GalleryStore for ZephyrStore {
    type Error = AbiError;

    fn read(&mut self, key: u16, buf: &mut [u8]) -> Result<Option<usize>, AbiError> {
        self.0.read_slot(key, buf)
    }

    fn write(&mut self, key: u16, data: &[u8]) -> Result<(), AbiError> {
        self.0.write_slot(key, data)
    }

    fn delete(&mut self, key: u16) -> Result<(), AbiError> {
        self.0.delete_slot(key)
    }
}
