// SPDX-License-Identifier: Apache-2.0
//! The Neural-ART NPU backend (feature `backend-neural-art`): runs a whole model through
//! the network code ST Edge AI generated for it, via six C shim functions documented in
//! docs/neural-art.md. Model inputs are copied from the arena into the NPU's input buffers
//! (D-cache cleaned), the network runs, outputs are invalidated and copied back to the arena,
//! so callers use the same [`crate::Interpreter`] API as with the CPU backend.
//!
//! This is the only module of the crate allowed to use `unsafe`, for the FFI calls.
#![allow(unsafe_code)]

use crate::backend::{Backend, Support};
use crate::model::Model;
use crate::npu_support::neural_art_support;
use crate::planner::Plan;
use crate::Error;

mod ffi {
    extern "C" {
        /// Initialises the NPU runtime and the generated network; 0 on success.
        pub fn facegate_npu_init() -> i32;
        /// Address and size of input buffer `index`; 0 on success.
        pub fn facegate_npu_input(index: u32, ptr: *mut *mut u8, len: *mut u32) -> i32;
        /// Address and size of output buffer `index`; 0 on success.
        pub fn facegate_npu_output(index: u32, ptr: *mut *const u8, len: *mut u32) -> i32;
        /// Runs one inference to completion; 0 on success.
        pub fn facegate_npu_run() -> i32;
        /// Cleans the D-cache over `[ptr, ptr + len)` (CPU writes → NPU reads).
        pub fn facegate_npu_cache_clean(ptr: *const u8, len: u32);
        /// Invalidates the D-cache over `[ptr, ptr + len)` (NPU writes → CPU reads).
        pub fn facegate_npu_cache_invalidate(ptr: *const u8, len: u32);
    }
}

fn check(code: i32) -> Result<(), Error> {
    if code == 0 {
        Ok(())
    } else {
        Err(Error::Backend(code))
    }
}

/// The Neural-ART backend. Create it once (it initialises the generated network).
#[derive(Debug)]
pub struct NeuralArt {
    _private: (),
}

impl NeuralArt {
    /// Initialises the NPU runtime and network.
    pub fn new() -> Result<Self, Error> {
        // SAFETY: the shim takes no arguments; its contract (docs/neural-art.md) is to initialise
        // ST's runtime once and return a status code.
        check(unsafe { ffi::facegate_npu_init() })?;
        Ok(Self { _private: () })
    }
}

impl Backend for NeuralArt {
    fn name(&self) -> &'static str {
        "Neural-ART"
    }

    fn support(&self, code: i32) -> Support {
        neural_art_support(code)
    }

    fn plan(&self, model: &Model<'_>) -> Result<Plan, Error> {
        // Activations live in the NPU's memory pools; the arena holds only the I/O copies.
        Plan::io_only(model)
    }

    fn invoke(&mut self, model: &Model<'_>, plan: &Plan, arena: &mut [u8]) -> Result<(), Error> {
        for i in 0..model.num_inputs() {
            let t = model.input_tensor(i)?;
            let len = model.tensor(t)?.byte_len();
            let r = plan.range(t).ok_or(Error::NoSuchTensor { index: i })?;
            let src = arena
                .get(r.start..r.start + len)
                .ok_or(Error::NoSuchTensor { index: i })?;
            let (mut ptr, mut n) = (core::ptr::null_mut::<u8>(), 0u32);
            // SAFETY: both out-pointers point to live locals of the right type.
            check(unsafe { ffi::facegate_npu_input(i as u32, &mut ptr, &mut n) })?;
            if ptr.is_null() || n as usize != len {
                return Err(Error::WrongLength {
                    expected: len,
                    got: n as usize,
                });
            }
            // SAFETY: the shim contract guarantees `ptr` addresses `n` writable bytes that no
            // Rust reference aliases and that stay valid while the network is initialised.
            let dst = unsafe { core::slice::from_raw_parts_mut(ptr, len) };
            dst.copy_from_slice(src);
            // SAFETY: the range was just written through a valid slice.
            unsafe { ffi::facegate_npu_cache_clean(ptr, n) };
        }
        // SAFETY: no arguments; inputs are in place and cleaned to memory.
        check(unsafe { ffi::facegate_npu_run() })?;
        for i in 0..model.num_outputs() {
            let t = model.output_tensor(i)?;
            let len = model.tensor(t)?.byte_len();
            let r = plan.range(t).ok_or(Error::NoSuchTensor { index: i })?;
            let (mut ptr, mut n) = (core::ptr::null::<u8>(), 0u32);
            // SAFETY: both out-pointers point to live locals of the right type.
            check(unsafe { ffi::facegate_npu_output(i as u32, &mut ptr, &mut n) })?;
            if ptr.is_null() || n as usize != len {
                return Err(Error::WrongLength {
                    expected: len,
                    got: n as usize,
                });
            }
            // SAFETY: `ptr`/`n` describe the NPU's output buffer (shim contract); invalidating
            // stale cache lines there has no effect on Rust-visible memory.
            unsafe { ffi::facegate_npu_cache_invalidate(ptr, n) };
            // SAFETY: the shim contract guarantees `n` readable bytes at `ptr`, not written
            // by anyone until the next run.
            let src = unsafe { core::slice::from_raw_parts(ptr, len) };
            let dst = arena
                .get_mut(r.start..r.start + len)
                .ok_or(Error::NoSuchTensor { index: i })?;
            dst.copy_from_slice(src);
        }
        Ok(())
    }
}
