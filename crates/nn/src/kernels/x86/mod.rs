// SPDX-License-Identifier: Apache-2.0
//! x86-64 kernels chosen at run time by CPUID: AVX-512 VNNI where the CPU has it, else AVX2
//! for the heaviest ops ([`avx2`]). They are the host's fast paths (the same int8
//! arithmetic, bit-exact with the portable kernels they replace, each tested against its
//! reference).
//!
//! Every function here that executes AVX-512 or AVX2 carries `#[target_feature]`; calling
//! one is `unsafe` and allowed only after [`has_avx512_vnni`] (or [`has_avx2`]) returned
//! true. Nothing in this module exists on other architectures (the Cortex-M55 build never
//! sees it).
// The crate denies `unsafe`; these kernels need it for the vector loads and stores and for
// calling `#[target_feature]` functions, each use with its `SAFETY:` argument.
#![allow(unsafe_code)]

pub mod add;
pub mod avx2;
pub mod conv_gemm;
pub mod depthwise;
pub mod leaky_relu;
pub mod lut;
pub mod max_pool;
pub mod prelu;
pub mod requant;

use core::arch::x86_64::{__cpuid, __cpuid_count, _xgetbv, CpuidResult};
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicU8, Ordering};

/// 0: not probed yet, 1: absent, 2: present.
static VNNI: AtomicU8 = AtomicU8::new(0);

/// [`VNNI`]'s states, for AVX-512 VBMI on top of it.
static VBMI: AtomicU8 = AtomicU8::new(0);

/// [`VNNI`]'s states, for AVX2.
static AVX2: AtomicU8 = AtomicU8::new(0);

/// True when the CPU and the OS support AVX2 (256-bit integer vectors). Probed once with
/// CPUID/XGETBV, then cached.
pub fn has_avx2() -> bool {
    cached(&AVX2, || {
        // XCR0 bits 1 and 2: the OS saves SSE and AVX (YMM) state; leaf 7 EBX bit 5: AVX2.
        os_saves(0x6) && __cpuid_count(7, 0).ebx & (1 << 5) != 0
    })
}

/// True when the CPU and the OS support AVX-512 F, BW, VL and VNNI (the instruction sets the
/// kernels here use). Probed once with CPUID/XGETBV, then cached.
pub fn has_avx512_vnni() -> bool {
    cached(&VNNI, probe)
}

/// True when [`has_avx512_vnni`] holds and the CPU also has AVX-512 VBMI (byte permutes
/// across the whole vector, `vpermb`/`vpermi2b`). Probed once, then cached.
pub fn has_avx512_vbmi() -> bool {
    cached(&VBMI, || {
        // Leaf 7, ECX bit 1: AVX512_VBMI.
        has_avx512_vnni() && __cpuid_count(7, 0).ecx & (1 << 1) != 0
    })
}

/// For tests: true when the CPU has AVX-512 VNNI, else prints why the vector path goes
/// untested here and returns false.
#[cfg(test)]
pub(crate) fn vnni_or_skip() -> bool {
    found_or_skip(has_avx512_vnni(), "AVX-512 VNNI")
}

/// For tests: [`vnni_or_skip`] for AVX2.
#[cfg(test)]
pub(crate) fn avx2_or_skip() -> bool {
    found_or_skip(has_avx2(), "AVX2")
}

/// For tests: [`vnni_or_skip`] for AVX-512 VBMI.
#[cfg(test)]
pub(crate) fn vbmi_or_skip() -> bool {
    found_or_skip(has_avx512_vbmi(), "AVX-512 VBMI")
}

#[cfg(test)]
fn found_or_skip(found: bool, what: &str) -> bool {
    if !found {
        extern crate std;
        std::eprintln!("no {what} on this CPU: the vector path is not tested here");
    }
    found
}

/// Zeroes `buf` and returns it as initialised.
pub(crate) fn zeroed<T: Copy + Default>(buf: &mut [MaybeUninit<T>]) -> &mut [T] {
    for v in buf.iter_mut() {
        v.write(T::default());
    }
    // SAFETY: every element was written just above; `MaybeUninit<T>` has `T`'s layout.
    unsafe { core::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<T>(), buf.len()) }
}

/// `step` over `a`, `b` and `out` (`a` and `b` at least as long as `out`) `N` elements at a
/// time: `step(x, y, o)` writes `o` from `x` and `y`. The last partial step runs on
/// zero-padded copies and only its valid bytes reach `out`. Inlined, so that `step` (a
/// closure of vector code) is inlined into the loop and its constants stay in registers.
#[inline(always)]
pub(crate) fn in_steps<const N: usize>(
    a: &[i8],
    b: &[i8],
    out: &mut [i8],
    mut step: impl FnMut(&[i8; N], &[i8; N], &mut [i8; N]),
) {
    let n = out.len().min(a.len()).min(b.len());
    let (mut xt, mut yt, mut ot) = ([0i8; N], [0i8; N], [0i8; N]);
    let mut i = 0;
    while i < n {
        let len = (n - i).min(N);
        let (x, y) = match (a[i..n].first_chunk(), b[i..n].first_chunk()) {
            (Some(x), Some(y)) => (x, y),
            _ => {
                xt[..len].copy_from_slice(&a[i..n]);
                yt[..len].copy_from_slice(&b[i..n]);
                (&xt, &yt)
            }
        };
        match out[i..n].first_chunk_mut::<N>() {
            Some(o) => step(x, y, o),
            None => {
                step(x, y, &mut ot);
                out[i..n].copy_from_slice(&ot[..len]);
            }
        }
        i += N;
    }
}

/// `probe()`'s answer, computed on the first call and kept in `state`.
fn cached(state: &AtomicU8, probe: impl FnOnce() -> bool) -> bool {
    match state.load(Ordering::Relaxed) {
        0 => {
            let found = probe();
            state.store(if found { 2 } else { 1 }, Ordering::Relaxed);
            found
        }
        v => v == 2,
    }
}

/// True when leaf 7 exists, the OS enabled XGETBV (OSXSAVE) and XCR0 has every bit of
/// `state` set (the register state the OS saves across context switches).
fn os_saves(state: u64) -> bool {
    let CpuidResult { eax: max_leaf, .. } = __cpuid(0);
    // OSXSAVE (leaf 1, ECX bit 27): the OS enabled XGETBV and saves extended state.
    if max_leaf < 7 || __cpuid(1).ecx & (1 << 27) == 0 {
        return false;
    }
    // SAFETY: OSXSAVE is set (checked above), so XGETBV is available and reading XCR0
    // (register 0) is defined.
    let xcr0 = unsafe { _xgetbv(0) };
    xcr0 & state == state
}

fn probe() -> bool {
    let bit = |r: u32, b: u32| r & (1 << b) != 0;
    // XCR0 bits 1, 2 (SSE, AVX state) and 5, 6, 7 (opmask, upper ZMM0-15, ZMM16-31): the
    // OS saves the full AVX-512 register state across context switches.
    if !os_saves(0xE6) {
        return false;
    }
    let leaf7 = __cpuid_count(7, 0);
    // Leaf 7: EBX bit 16 AVX512F, bit 30 AVX512BW, bit 31 AVX512VL; ECX bit 11 AVX512_VNNI.
    bit(leaf7.ebx, 16) && bit(leaf7.ebx, 30) && bit(leaf7.ebx, 31) && bit(leaf7.ecx, 11)
}
