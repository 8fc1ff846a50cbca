// SPDX-License-Identifier: Apache-2.0
//! A checked, NUL-terminated gallery-store key (the part below `facegate/`).

use core::ffi::c_char;

use crate::ffi::FG_STORE_KEY_MAX;
use crate::{AbiError, Result};

/// A key of 1..=`FG_STORE_KEY_MAX` bytes from `[A-Za-z0-9_.-]`, with `/` allowed between
/// path segments (not first, not last, not doubled), stored with its NUL terminator.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreKey {
    buf: [u8; FG_STORE_KEY_MAX + 1],
    len: usize,
}

impl StoreKey {
    /// Checks `key` and copies it with a terminating NUL.
    pub fn new(key: &str) -> Result<Self> {
        let bytes = key.as_bytes();
        if bytes.is_empty() {
            return Err(AbiError::KeyEmpty);
        }
        if bytes.len() > FG_STORE_KEY_MAX {
            return Err(AbiError::KeyTooLong { len: bytes.len() });
        }
        for (at, &byte) in bytes.iter().enumerate() {
            let ok = match byte {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' => true,
                b'/' => at != 0 && at + 1 != bytes.len() && bytes[at - 1] != b'/',
                _ => false,
            };
            if !ok {
                return Err(AbiError::KeyInvalidByte { byte, at });
            }
        }
        let mut buf = [0u8; FG_STORE_KEY_MAX + 1];
        buf[..bytes.len()].copy_from_slice(bytes);
        Ok(Self {
            buf,
            len: bytes.len(),
        })
    }

    /// The key of gallery slot `id`: `g/` and four lowercase hex digits (`g/002a`).
    pub fn slot(id: u16) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; FG_STORE_KEY_MAX + 1];
        buf[0] = b'g';
        buf[1] = b'/';
        for (i, shift) in [12u16, 8, 4, 0].into_iter().enumerate() {
            buf[2 + i] = HEX[usize::from((id >> shift) & 0xf)];
        }
        Self { buf, len: 6 }
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes were accepted in `new`.
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }

    /// Pointer to the NUL-terminated key, valid while `self` lives.
    pub fn as_ptr(&self) -> *const c_char {
        self.buf.as_ptr().cast()
    }
}

impl core::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("StoreKey").field(&self.as_str()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_key_and_terminates_it() {
        let k = StoreKey::new("g/0007").unwrap();
        assert_eq!(k.as_str(), "g/0007");
        // SAFETY: (test) as_ptr points at the key buffer, which holds a NUL after the key.
        let c = unsafe { core::ffi::CStr::from_ptr(k.as_ptr()) };
        assert_eq!(c.to_bytes(), b"g/0007");
    }

    #[test]
    fn slot_keys_are_fixed_width_hex() {
        assert_eq!(StoreKey::slot(0).as_str(), "g/0000");
        assert_eq!(StoreKey::slot(42).as_str(), "g/002a");
        assert_eq!(StoreKey::slot(u16::MAX).as_str(), "g/ffff");
        // A slot key passes the same checks as any other key.
        assert_eq!(StoreKey::new("g/002a").unwrap(), StoreKey::slot(42));
    }

    #[test]
    fn accepts_the_longest_key_and_refuses_one_more_byte() {
        let max = "a".repeat(FG_STORE_KEY_MAX);
        let k = StoreKey::new(&max).unwrap();
        // SAFETY: (test) as above.
        let c = unsafe { core::ffi::CStr::from_ptr(k.as_ptr()) };
        assert_eq!(c.to_bytes().len(), FG_STORE_KEY_MAX);
        let long = "a".repeat(FG_STORE_KEY_MAX + 1);
        assert_eq!(
            StoreKey::new(&long).unwrap_err(),
            AbiError::KeyTooLong {
                len: FG_STORE_KEY_MAX + 1
            }
        );
    }

    #[test]
    fn refuses_empty_nul_separator_and_slash_misuse() {
        assert_eq!(StoreKey::new("").unwrap_err(), AbiError::KeyEmpty);
        assert_eq!(
            StoreKey::new("ab\0c").unwrap_err(),
            AbiError::KeyInvalidByte { byte: 0, at: 2 }
        );
        assert_eq!(
            StoreKey::new("a=b").unwrap_err(),
            AbiError::KeyInvalidByte { byte: b'=', at: 1 }
        );
        assert!(StoreKey::new("/a").is_err());
        assert!(StoreKey::new("a/").is_err());
        assert!(StoreKey::new("a//b").is_err());
        assert!(StoreKey::new("é").is_err());
    }
}
