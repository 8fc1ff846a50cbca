// SPDX-License-Identifier: Apache-2.0
//! Gallery key/value store over `fg_store_*` (Zephyr settings, keys under `facegate/`).

use core::ffi::{c_char, c_int, c_void, CStr};

use crate::error::check;
use crate::ffi::{self, FG_STORE_VALUE_MAX};
use crate::{AbiError, Result, StoreKey};

/// Handle to the persistent store; `init` once at boot. Clones are further handles to the
/// same settings subtree (the C side serialises access; settings has its own lock).
#[derive(Debug, Clone)]
pub struct Store {
    _private: (),
}

impl Store {
    /// Initialises the settings backend and loads the `facegate/` subtree.
    pub fn init() -> Result<Self> {
        // SAFETY: no arguments.
        check(unsafe { ffi::fg_store_init() })?;
        Ok(Self { _private: () })
    }

    /// Reads `key` into `buf`, returning the value's length. A value longer than `buf` gives
    /// `BufferTooShort` with the stored length; a missing key gives `NotFound`.
    pub fn read(&self, key: &str, buf: &mut [u8]) -> Result<usize> {
        self.read_key(&StoreKey::new(key)?, buf)
    }

    /// Reads gallery slot `id` (key `g/<hex id>`): `Some(full length)`, or `None` if the slot
    /// is empty. A blob longer than `buf` is reported by its length and not copied; callers
    /// compare the length with their buffer (as `facegate_face::store::GalleryStore` users do).
    pub fn read_slot(&self, id: u16, buf: &mut [u8]) -> Result<Option<usize>> {
        match self.read_key(&StoreKey::slot(id), buf) {
            Ok(n) => Ok(Some(n)),
            Err(AbiError::NotFound) => Ok(None),
            Err(AbiError::BufferTooShort { needed, .. }) => Ok(Some(needed)),
            Err(e) => Err(e),
        }
    }

    /// Writes gallery slot `id`.
    pub fn write_slot(&self, id: u16, value: &[u8]) -> Result<()> {
        self.write_key(&StoreKey::slot(id), value)
    }

    /// Empties gallery slot `id`; an already empty slot is not an error.
    pub fn delete_slot(&self, id: u16) -> Result<()> {
        match self.delete_key(&StoreKey::slot(id)) {
            Err(AbiError::NotFound) => Ok(()),
            other => other,
        }
    }

    fn read_key(&self, key: &StoreKey, buf: &mut [u8]) -> Result<usize> {
        let cap = buf.len().min(FG_STORE_VALUE_MAX);
        let mut len: u32 = 0;
        // SAFETY: `key` is NUL-terminated and lives through the call; `buf` has at least `cap`
        // writable bytes and the shim writes at most `cap`; `len` is a valid out-parameter.
        let rc = unsafe {
            ffi::fg_store_read(key.as_ptr(), buf.as_mut_ptr().cast(), cap as u32, &mut len)
        };
        match check(rc) {
            Ok(_) if len as usize <= cap => Ok(len as usize),
            Ok(_) => Err(AbiError::ContractViolation),
            Err(AbiError::TooSmall) => Err(AbiError::BufferTooShort {
                needed: len as usize,
                got: buf.len(),
            }),
            Err(e) => Err(e),
        }
    }

    /// Writes `value` under `key`, replacing any previous value.
    pub fn write(&self, key: &str, value: &[u8]) -> Result<()> {
        self.write_key(&StoreKey::new(key)?, value)
    }

    fn write_key(&self, key: &StoreKey, value: &[u8]) -> Result<()> {
        if value.len() > FG_STORE_VALUE_MAX {
            return Err(AbiError::ValueTooLarge { len: value.len() });
        }
        // SAFETY: `key` is NUL-terminated and `value` is a live slice of `value.len()` bytes,
        // both for the whole call.
        check(unsafe {
            ffi::fg_store_write(key.as_ptr(), value.as_ptr().cast(), value.len() as u32)
        })
        .map(|_| ())
    }

    /// Deletes `key`.
    pub fn delete(&self, key: &str) -> Result<()> {
        self.delete_key(&StoreKey::new(key)?)
    }

    fn delete_key(&self, key: &StoreKey) -> Result<()> {
        // SAFETY: `key` is NUL-terminated and lives through the call.
        check(unsafe { ffi::fg_store_delete(key.as_ptr()) }).map(|_| ())
    }

    /// Calls `visit(key, len)` for each stored key until it returns `false`; returns how many
    /// keys were visited. Keys that are not UTF-8 are skipped.
    pub fn for_each<F: FnMut(&str, usize) -> bool>(&self, mut visit: F) -> Result<u32> {
        let ctx: *mut F = &mut visit;
        // SAFETY: `trampoline::<F>` casts `ctx` back to `&mut F`, which is valid because
        // `visit` outlives this synchronous call and nothing else touches it meanwhile.
        check(unsafe { ffi::fg_store_list(Some(trampoline::<F>), ctx.cast()) })
    }
}

unsafe extern "C" fn trampoline<F: FnMut(&str, usize) -> bool>(
    key: *const c_char,
    len: u32,
    ctx: *mut c_void,
) -> c_int {
    if key.is_null() || ctx.is_null() {
        return 1;
    }
    // SAFETY: `ctx` is the `&mut F` passed by `Store::for_each`, alive for the whole list call.
    let visit = unsafe { &mut *ctx.cast::<F>() };
    // SAFETY: the shim passes a NUL-terminated key valid for the duration of the callback.
    let key = unsafe { CStr::from_ptr(key) };
    match key.to_str() {
        Ok(k) => c_int::from(!visit(k, len as usize)),
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake;
    use std::string::{String, ToString};
    use std::vec::Vec;

    #[test]
    fn write_then_read_round_trips_with_terminated_keys() {
        let _g = fake::serial();
        let store = Store::init().unwrap();
        store.write("g/alice", b"embedding-bytes").unwrap();
        let mut buf = [0u8; 64];
        let n = store.read("g/alice", &mut buf).unwrap();
        assert_eq!(&buf[..n], b"embedding-bytes");
        fake::with(|s| {
            assert_eq!(s.unterminated_keys, 0);
            assert_eq!(s.keys_seen, ["g/alice", "g/alice"]);
        });
    }

    #[test]
    fn a_missing_key_is_not_found() {
        let _g = fake::serial();
        let store = Store::init().unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(
            store.read("nope", &mut buf).unwrap_err(),
            AbiError::NotFound
        );
        assert_eq!(store.delete("nope").unwrap_err(), AbiError::NotFound);
    }

    #[test]
    fn a_small_buffer_reports_the_stored_length() {
        let _g = fake::serial();
        let store = Store::init().unwrap();
        store.write("k", &[7u8; 100]).unwrap();
        let mut buf = [0u8; 10];
        assert_eq!(
            store.read("k", &mut buf).unwrap_err(),
            AbiError::BufferTooShort {
                needed: 100,
                got: 10
            }
        );
        assert_eq!(buf, [0u8; 10], "nothing written past a refused read");
    }

    #[test]
    fn bad_keys_and_oversized_values_never_reach_the_shim() {
        let _g = fake::serial();
        let store = Store::init().unwrap();
        let calls = fake::with(|s| s.calls);
        let long = "k".repeat(ffi::FG_STORE_KEY_MAX + 1);
        assert!(matches!(
            store.write(&long, b"x").unwrap_err(),
            AbiError::KeyTooLong { .. }
        ));
        assert_eq!(
            store.write("k", &[0; FG_STORE_VALUE_MAX + 1]).unwrap_err(),
            AbiError::ValueTooLarge {
                len: FG_STORE_VALUE_MAX + 1
            }
        );
        assert!(store.delete("a\0b").is_err());
        assert_eq!(fake::with(|s| s.calls), calls);
    }

    #[test]
    fn a_full_store_maps_to_no_space() {
        let _g = fake::serial();
        fake::with(|s| s.store_capacity = 16);
        let store = Store::init().unwrap();
        store.write("a", &[1; 10]).unwrap();
        assert_eq!(store.write("b", &[1; 10]).unwrap_err(), AbiError::NoSpace);
        // Overwriting the same key reuses its room.
        store.write("a", &[2; 16]).unwrap();
    }

    #[test]
    fn for_each_visits_keys_with_lengths_and_stops_on_request() {
        let _g = fake::serial();
        let store = Store::init().unwrap();
        for (k, n) in [("g/a", 3), ("g/b", 5), ("meta", 1)] {
            store.write(k, &std::vec![0u8; n]).unwrap();
        }
        let mut seen: Vec<(String, usize)> = Vec::new();
        let visited = store
            .for_each(|k, len| {
                seen.push((k.to_string(), len));
                true
            })
            .unwrap();
        assert_eq!(visited, 3);
        assert_eq!(
            seen,
            [("g/a".into(), 3), ("g/b".into(), 5), ("meta".into(), 1)]
        );
        let mut first = 0;
        let visited = store
            .for_each(|_, _| {
                first += 1;
                false
            })
            .unwrap();
        assert_eq!((visited, first), (1, 1));
    }

    #[test]
    fn slots_follow_the_gallery_store_contract() {
        let _g = fake::serial();
        let store = Store::init().unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(store.read_slot(3, &mut buf), Ok(None));
        store.write_slot(3, b"rec").unwrap();
        assert_eq!(store.read_slot(3, &mut buf), Ok(Some(3)));
        assert_eq!(&buf[..3], b"rec");
        assert!(fake::with(|s| s.store.contains_key("g/0003")));
        // Too long for buf: the full length comes back so the caller can refuse it.
        store.write_slot(4, &[9; 20]).unwrap();
        assert_eq!(store.read_slot(4, &mut buf), Ok(Some(20)));
        store.delete_slot(3).unwrap();
        store.delete_slot(3).unwrap();
        assert_eq!(store.read_slot(3, &mut buf), Ok(None));
        fake::with(|s| s.force_code = Some(ffi::FG_ERR_IO));
        assert_eq!(store.read_slot(4, &mut buf), Err(AbiError::Io));
    }

    #[test]
    fn init_failure_is_reported() {
        let _g = fake::serial();
        fake::with(|s| s.force_code = Some(ffi::FG_ERR_IO));
        assert_eq!(Store::init().unwrap_err(), AbiError::Io);
    }
}
