// SPDX-License-Identifier: Apache-2.0
//! DEPTHWISE_CONV_2D with depth multiplier 1 in AVX-512: sixteen channels per vector,
//! int8 loads widened to int32, `f · (x + off)` accumulated tap by tap, requantised sixteen
//! lanes at a time ([`Requant16`]). Channel counts that are not multiples of 16 use masked
//! loads and stores (masked-out lanes are never read or written).
//!
//! Interior pixels (every tap inside the input) go [`PX`] at a time along the row, sharing
//! each filter vector, with `off · Σ f + bias` folded into a per-channel constant so the tap
//! loop is a multiply and an add; border pixels go one by one over their in-bounds taps.
//! Both equal the reference's wrapping int32 accumulator.

use core::arch::x86_64::*;

use super::requant::{self, Requant16};
use crate::kernels::depthwise_conv2d::{tap, taps_in_bounds, DepthwiseGeometry};
use crate::kernels::ConvOperands;

/// Channels per vector.
const LANES: usize = 16;
/// Channel blocks whose parameters are held on the stack (so at most 1024 channels).
const MAX_BLOCKS: usize = 64;
/// Channel blocks of the table used for layers of at most 128 channels.
const SMALL_BLOCKS: usize = 8;
/// Interior output pixels computed together.
const PX: usize = 4;

/// True when this kernel computes `g`: depth multiplier 1, at most 1024 channels, operand
/// lengths that match the geometry, and requantisation the vector form reproduces.
pub fn applies(g: &DepthwiseGeometry, op: &ConvOperands<'_>) -> bool {
    let c = g.output.c;
    g.depth_multiplier == 1
        && g.input.c == c
        && c > 0
        && c <= MAX_BLOCKS * LANES
        && g.kh > 0
        && g.kw > 0
        && op.input.len() >= g.input.len()
        && op.filter.len() >= g.kh * g.kw * c
        && op.mults.len() >= c
        && op.bias.is_none_or(|b| b.len() >= c)
        && requant::supported(&op.mults[..c])
}

/// Runs the convolution here when the CPU has AVX-512 and [`applies`] holds; returns false
/// (output untouched) otherwise.
pub fn try_depthwise_conv2d(
    g: &DepthwiseGeometry,
    op: &ConvOperands<'_>,
    output: &mut [i8],
) -> bool {
    if !super::has_avx512_vnni() || !applies(g, op) || output.len() < g.output.len() {
        return false;
    }
    // SAFETY: the CPU supports AVX-512 F/BW/VL (checked just above).
    unsafe {
        // The block table is initialised on every call: a small one for narrow layers.
        if g.output.c <= SMALL_BLOCKS * LANES {
            depthwise_avx512::<SMALL_BLOCKS>(g, op, output);
        } else {
            depthwise_avx512::<MAX_BLOCKS>(g, op, output);
        }
    }
    true
}

/// One block of sixteen channels.
#[derive(Clone, Copy)]
struct Block {
    /// First channel.
    c0: usize,
    /// Valid lanes as a load/store mask.
    mask: u16,
    /// Bias (0 without one).
    bias: __m512i,
    /// `off · Σ taps f + bias`, the interior pixels' starting accumulator.
    constant: __m512i,
    requant: Requant16,
}

/// Sixteen sign-extended bytes at `base[at..]`, lanes outside `mask` zero.
///
/// # Safety
/// AVX-512 F/BW/VL; `at + (highest set lane of mask) < base.len()`.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
unsafe fn widen(base: &[i8], at: usize, mask: u16) -> __m512i {
    debug_assert!(at + (16 - mask.leading_zeros() as usize) <= base.len());
    // SAFETY: the caller guarantees the unmasked lanes lie inside `base`; masked-out lanes
    // are not read (AVX-512 masked loads do not fault on them).
    _mm512_cvtepi8_epi32(unsafe { _mm_maskz_loadu_epi8(mask, base.as_ptr().add(at)) })
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn depthwise_avx512<const BLOCKS: usize>(
    g: &DepthwiseGeometry,
    op: &ConvOperands<'_>,
    output: &mut [i8],
) {
    let (inp, out) = (g.input, g.output);
    let c = out.c;
    let (input, filter) = (op.input, op.filter);
    assert!(input.len() >= inp.len() && output.len() >= out.len());
    assert!(filter.len() >= g.kh * g.kw * c && c <= BLOCKS * LANES);
    let off = _mm512_set1_epi32(op.input_offset);
    let zero = Block {
        c0: 0,
        mask: 0,
        bias: _mm512_setzero_si512(),
        constant: _mm512_setzero_si512(),
        requant: Requant16::new(&[]),
    };
    let mut blocks = [zero; BLOCKS];
    let blocks = &mut blocks[..c.div_ceil(LANES)];
    for (k, blk) in blocks.iter_mut().enumerate() {
        let c0 = k * LANES;
        let lanes = LANES.min(c - c0);
        let mut bias = [0i32; LANES];
        let mut constant = [0i32; LANES];
        for l in 0..lanes {
            let ch = c0 + l;
            let sum =
                (0..g.kh * g.kw).fold(0i32, |s, t| s.wrapping_add(i32::from(filter[t * c + ch])));
            bias[l] = op.bias.map_or(0, |b| b[ch]);
            constant[l] = bias[l].wrapping_add(op.input_offset.wrapping_mul(sum));
        }
        // SAFETY: both arrays are 64 readable bytes; the loads are unaligned.
        let (bias, constant) = unsafe {
            (
                _mm512_loadu_si512(bias.as_ptr().cast()),
                _mm512_loadu_si512(constant.as_ptr().cast()),
            )
        };
        *blk = Block {
            c0,
            mask: ((1u32 << lanes) - 1) as u16,
            bias,
            constant,
            requant: Requant16::new(&op.mults[c0..c0 + lanes]),
        };
    }
    let blocks = &*blocks;
    let store = |output: &mut [i8], at: usize, blk: &Block, acc: __m512i| {
        let q = blk.requant.apply(acc, &op.stage);
        assert!(at + c <= output.len());
        // SAFETY: lanes `at..at + lanes` with `c0 + lanes ≤ c` lie inside the pixel's `c`
        // channels at `at`, inside `output` (asserted); masked-out lanes are not written.
        unsafe { _mm_mask_storeu_epi8(output.as_mut_ptr().add(at + blk.c0), blk.mask, q) };
    };
    for b in 0..out.n {
        for oy in 0..out.h {
            let rows_inside = tap(g, oy, 0, true).is_some() && tap(g, oy, g.kh - 1, true).is_some();
            let mut ox = 0;
            while ox < out.w {
                let group_inside = rows_inside
                    && ox + PX <= out.w
                    && tap(g, ox, 0, false).is_some()
                    && tap(g, ox + PX - 1, g.kw - 1, false).is_some();
                if group_inside {
                    for blk in blocks {
                        let acc = interior(g, input, filter, b, oy, ox, blk);
                        for (j, acc) in acc.into_iter().enumerate() {
                            store(output, out.at(b, oy, ox + j, 0), blk, acc);
                        }
                    }
                    ox += PX;
                } else {
                    for blk in blocks {
                        let acc = border(g, input, filter, off, b, oy, ox, blk);
                        store(output, out.at(b, oy, ox, 0), blk, acc);
                    }
                    ox += 1;
                }
            }
        }
    }
}

/// Accumulators of [`PX`] interior pixels `(b, oy, ox..ox + PX)` for one channel block.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn interior(
    g: &DepthwiseGeometry,
    input: &[i8],
    filter: &[i8],
    b: usize,
    oy: usize,
    ox: usize,
    blk: &Block,
) -> [__m512i; PX] {
    let (inp, w, c) = (g.input, g.window, g.output.c);
    let mut acc = [blk.constant; PX];
    // Input offsets: pixel j's tap kx of filter row ky is at
    // `row(ky) + x0 + kx·kx_step + j·px_step` (all taps inside, checked by the caller).
    let (px_step, kx_step) = (w.stride_w * inp.c, w.dilation_w * inp.c);
    let x0 = (ox * w.stride_w - w.pad_w) * inp.c + blk.c0;
    for ky in 0..g.kh {
        let iy = oy * w.stride_h + ky * w.dilation_h - w.pad_h;
        let row = inp.at(b, iy, 0, 0) + x0;
        let f_row = ky * g.kw * c + blk.c0;
        for kx in 0..g.kw {
            // SAFETY: tap `(ky, kx)`'s filter row is `c` bytes at `(ky·kw + kx)·c`, inside
            // `filter` (length checked by `applies`); lanes stay below `c`.
            let f = unsafe { widen(filter, f_row + kx * c, blk.mask) };
            let at = row + kx * kx_step;
            for (j, a) in acc.iter_mut().enumerate() {
                // SAFETY: every tap of these pixels is inside the input (checked by the
                // caller), so `at + j·px_step` starts channel `c0` of an input pixel whose
                // `c` channels lie inside `input`.
                let x = unsafe { widen(input, at + j * px_step, blk.mask) };
                *a = _mm512_add_epi32(*a, _mm512_mullo_epi32(f, x));
            }
        }
    }
    acc
}

/// Accumulator of pixel `(b, oy, ox)` for one channel block, over its in-bounds taps only.
#[allow(clippy::too_many_arguments)]
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn border(
    g: &DepthwiseGeometry,
    input: &[i8],
    filter: &[i8],
    off: __m512i,
    b: usize,
    oy: usize,
    ox: usize,
    blk: &Block,
) -> __m512i {
    let c = g.output.c;
    let mut acc = blk.bias;
    for (t, iy, ix) in taps_in_bounds(g, oy, ox) {
        // SAFETY: as in `interior`: the filter row and the in-bounds input pixel's channels
        // lie inside their slices; lanes stay below `c`.
        let (f, x) = unsafe {
            (
                widen(filter, t * c + blk.c0, blk.mask),
                widen(input, g.input.at(b, iy, ix, blk.c0), blk.mask),
            )
        };
        acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(f, _mm512_add_epi32(x, off)));
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::depthwise_conv2d::depthwise_conv2d_reference;
    use crate::kernels::test_rng::Rng;
    use crate::kernels::OutputStage;

    extern crate std;

    /// Random geometries (channel counts below, at and past multiples of 16, strides,
    /// dilations, 1×1 to 7×7 filters, SAME and VALID) equal the reference byte for byte.
    #[test]
    fn matches_reference() {
        if !super::super::has_avx512_vnni() {
            std::eprintln!("no AVX-512 on this CPU: the vector path is not used here");
            return;
        }
        let mut rng = Rng(41);
        let mut checked = 0;
        for round in 0..400 {
            let (h, w) = (rng.range(1, 14), rng.range(1, 14));
            let c = [1, 3, 8, 15, 16, 17, 24, 32, 40, 64, 70][rng.range(0, 11)];
            let k = [1, 3, 3, 5, 7][rng.range(0, 5)];
            let (s, d) = (rng.range(1, 3), rng.range(1, 3));
            let Some(g) = DepthwiseGeometry::square(h, w, c, k, s, d, rng.range(0, 2) == 1) else {
                continue;
            };
            let input = rng.vec_i8(h * w * c);
            let filter = rng.vec_i8(k * k * c);
            let bias = rng.vec_bias(c, 20000);
            let mults = rng.vec_mults(c, 1e-4, 5e-5);
            let op = ConvOperands {
                input_offset: rng.range(0, 256) as i32 - 127,
                input: &input,
                filter: &filter,
                bias: if round % 4 == 0 { None } else { Some(&bias) },
                mults: &mults,
                stage: OutputStage {
                    offset: rng.range(0, 40) as i32 - 20,
                    min: if round % 2 == 0 { -128 } else { -100 },
                    max: 127,
                },
            };
            assert!(applies(&g, &op));
            let n = g.output.len();
            let (mut want, mut got) = (std::vec![0i8; n], std::vec![0x55i8; n]);
            depthwise_conv2d_reference(&g, &op, &mut want);
            assert!(try_depthwise_conv2d(&g, &op, &mut got));
            assert_eq!(want, got, "round {round}: {g:?}");
            checked += 1;
        }
        assert!(checked > 300);
    }
}
