// SPDX-License-Identifier: Apache-2.0
//! DEPTHWISE_CONV_2D with depth multiplier 1 in AVX-512: sixteen channels per vector,
//! requantised sixteen lanes at a time ([`Requant16`]). Channel counts that are not
//! multiples of 16 use masked loads and stores (masked-out lanes are never read or written).
//!
//! Interior pixels (every tap inside the input) take their taps four at a time: the sixteen
//! channel bytes of four taps are loaded into the four 128-bit quarters of a register, one
//! byte permute (`vpermb`) turns that into sixteen lanes of `[tap0, tap1, tap2, tap3]` per
//! channel, and one `vpdpbusd` multiplies them by the filter bytes laid out the same way (a
//! filter's taps past its last are zero). As in the VNNI convolution, each input byte goes
//! in with its sign bit flipped (`x + 128`, unsigned), and the per-channel starting constant
//! absorbs the flip: `Σ f·(x + off) + bias = Σ f·(x + 128) + (off − 128)·Σ f + bias`. They go
//! `PX` pixels at a time along the row, sharing each filter vector, then one by one.
//! Border pixels go one by one the same way, their taps in the padding read from a run of
//! the input zero point (`x + off = 0`, so they add nothing, as in the reference). The
//! result equals the reference's wrapping int32 accumulator.

use core::arch::x86_64::*;
use core::mem::MaybeUninit;

use super::requant::{self, Requant16};
use crate::kernels::depthwise_conv2d::{tap, DepthwiseGeometry};
use crate::kernels::ConvOperands;

/// Channels per vector.
const LANES: usize = 16;
/// Channel blocks whose parameters are held on the stack (so at most 1024 channels).
const MAX_BLOCKS: usize = 64;
/// Taps per filter at most (`kh · kw`; 11 × 11 fits).
const MAX_TAPS: usize = 128;
/// Permuted filter vectors held on the stack: blocks × groups of four taps.
const FILTER_VECS: usize = 1024;
/// Interior output pixels computed together.
const PX: usize = 4;

/// True when this kernel computes `g`: depth multiplier 1, at most 1024 channels and
/// `MAX_TAPS` taps whose permuted filter fits `FILTER_VECS`, an input zero point that is
/// an int8 value (border pixels read it for their padded taps), operand lengths that match
/// the geometry, and requantisation the vector form reproduces.
pub fn applies(g: &DepthwiseGeometry, op: &ConvOperands<'_>) -> bool {
    let c = g.output.c;
    let taps = g.kh * g.kw;
    c <= MAX_BLOCKS * LANES
        && taps <= MAX_TAPS
        && c.div_ceil(LANES) * taps.div_ceil(4) <= FILTER_VECS
        && depthwise_operands_fit(g, op)
}

/// The conditions every vector depthwise kernel shares: depth multiplier 1, channels and
/// taps, an input zero point that is an int8 value (padded taps read it), operand lengths
/// that match the geometry, and requantisation the vector forms reproduce.
pub(crate) fn depthwise_operands_fit(g: &DepthwiseGeometry, op: &ConvOperands<'_>) -> bool {
    let c = g.output.c;
    let taps = g.kh * g.kw;
    g.depth_multiplier == 1
        && g.input.c == c
        && c > 0
        && taps > 0
        && i8::try_from(op.input_offset.wrapping_neg()).is_ok()
        && op.input.len() >= g.input.len()
        && op.filter.len() >= taps * c
        && op.mults.len() >= c
        && op.bias.is_none_or(|b| b.len() >= c)
        && requant::supported(&op.mults[..c])
}

/// Runs the convolution here when the CPU has AVX-512 VNNI and VBMI and [`applies`] holds;
/// returns false (output untouched) otherwise.
pub fn try_depthwise_conv2d(
    g: &DepthwiseGeometry,
    op: &ConvOperands<'_>,
    output: &mut [i8],
) -> bool {
    if !super::has_avx512_vbmi() || !applies(g, op) || output.len() < g.output.len() {
        return false;
    }
    // SAFETY: the CPU supports AVX-512 F/BW/VL/VNNI/VBMI (checked just above).
    unsafe { depthwise_avx512(g, op, output) };
    true
}

/// One block of sixteen channels.
#[derive(Clone, Copy)]
struct Block {
    /// First channel.
    c0: usize,
    /// Valid lanes as a load/store mask.
    mask: u16,
    /// `(off − 128) · Σ taps f + bias`: every pixel's starting accumulator.
    constant: __m512i,
    requant: Requant16,
}

/// The `vpermb` index that turns four quarters of sixteen bytes (`q[s][l]` at byte
/// `16s + l`) into sixteen lanes of four bytes (`q[0][l], q[1][l], q[2][l], q[3][l]` at
/// bytes `4l..4l + 4`).
#[inline]
#[target_feature(enable = "avx512f")]
fn interleave_index() -> __m512i {
    let mut index = [0u8; 64];
    for (i, v) in index.iter_mut().enumerate() {
        *v = ((i % 4) * 16 + i / 4) as u8;
    }
    // SAFETY: `index` is 64 readable bytes; the load is unaligned.
    unsafe { _mm512_loadu_si512(index.as_ptr().cast()) }
}

/// Four runs of sixteen bytes (lanes outside each `masks[s]` zero) at `runs[s]` in quarter
/// `s`, interleaved per lane by `index` ([`interleave_index`]).
///
/// # Safety
/// AVX-512 F/BW/VL/VBMI; for each `s`, the 16 bytes at `runs[s]` under `masks[s]` are
/// readable.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi")]
unsafe fn four_runs(runs: [*const i8; 4], masks: [u16; 4], index: __m512i) -> __m512i {
    if masks == [u16::MAX; 4] {
        // SAFETY: as below, with all sixteen bytes of each run readable.
        return unsafe { four_whole_runs(runs, index) };
    }
    // SAFETY: the caller guarantees every unmasked byte is readable; masked-out bytes are
    // not read.
    let q = |s: usize| unsafe { _mm_maskz_loadu_epi8(masks[s], runs[s]) };
    let v = _mm512_castsi128_si512(q(0));
    let v = _mm512_inserti32x4::<1>(v, q(1));
    let v = _mm512_inserti32x4::<2>(v, q(2));
    let v = _mm512_inserti32x4::<3>(v, q(3));
    _mm512_permutexvar_epi8(index, v)
}

/// [`four_runs`] of whole sixteen-byte runs: plain loads, which the inserts take as memory
/// operands (a masked load costs a vector-port operation besides the load, and those ports
/// are this kernel's limit).
///
/// # Safety
/// AVX-512 F/BW/VL/VBMI; the 16 bytes at each of `runs` are readable.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi")]
unsafe fn four_whole_runs(runs: [*const i8; 4], index: __m512i) -> __m512i {
    // SAFETY: the caller guarantees the 16 bytes at every run are readable; the loads are
    // unaligned.
    let q = |s: usize| unsafe { _mm_loadu_si128(runs[s].cast()) };
    let v = _mm512_castsi128_si512(q(0));
    let v = _mm512_inserti32x4::<1>(v, q(1));
    let v = _mm512_inserti32x4::<2>(v, q(2));
    let v = _mm512_inserti32x4::<3>(v, q(3));
    _mm512_permutexvar_epi8(index, v)
}

/// What every interior pixel shares: the input, the taps' input offsets from a window's
/// origin in groups of four (a group's missing taps repeat offset 0 and meet zero filter
/// bytes), and the byte permute.
struct Interior<'a> {
    input: &'a [i8],
    offsets: &'a [[usize; 4]],
    /// The largest of `offsets`.
    reach: usize,
    index: __m512i,
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")]
fn depthwise_avx512(g: &DepthwiseGeometry, op: &ConvOperands<'_>, output: &mut [i8]) {
    let (inp, out, win) = (g.input, g.output, g.window);
    let c = out.c;
    let taps = g.kh * g.kw;
    let groups = taps.div_ceil(4);
    let n_blocks = c.div_ceil(LANES);
    let (input, filter) = (op.input, op.filter);
    assert!(input.len() >= inp.len() && output.len() >= out.len());
    assert!(filter.len() >= taps * c && n_blocks <= MAX_BLOCKS);
    assert!(taps <= MAX_TAPS && n_blocks * groups <= FILTER_VECS);
    let index = interleave_index();
    // The padded taps' input: the zero point in every channel (an int8, by `applies`).
    let pad = [op.input_offset.wrapping_neg() as i8; MAX_BLOCKS * LANES];
    // A border pixel's taps: where each tap's `c` channels are read, in groups of four.
    let mut runs = [[pad.as_ptr(); 4]; MAX_TAPS / 4];

    // Tap `t = ky·kw + kx`'s input offset from the window origin, and its filter row.
    let mut offsets = [[0usize; 4]; MAX_TAPS / 4];
    let mut f_offsets = [[0usize; 4]; MAX_TAPS / 4];
    let mut f_masks = [[0u16; 4]; MAX_TAPS / 4];
    for t in 0..taps {
        let (ky, kx) = (t / g.kw, t % g.kw);
        offsets[t / 4][t % 4] = (ky * win.dilation_h * inp.w + kx * win.dilation_w) * inp.c;
        f_offsets[t / 4][t % 4] = t * c;
        f_masks[t / 4][t % 4] = u16::MAX;
    }

    // Each block's parameters and its filter, permuted like the input, group by group. Only
    // the first `n_blocks` / `n_blocks · groups` entries are written and read.
    let mut block_buf = [const { MaybeUninit::<Block>::uninit() }; MAX_BLOCKS];
    let mut filter_buf = [const { MaybeUninit::<__m512i>::uninit() }; FILTER_VECS];
    let ones = _mm512_set1_epi8(1);
    for (k, slot) in block_buf[..n_blocks].iter_mut().enumerate() {
        let c0 = k * LANES;
        let lanes = LANES.min(c - c0);
        let mask = ((1u32 << lanes) - 1) as u16;
        let mut sums = _mm512_setzero_si512();
        for (gi, f) in filter_buf[k * groups..(k + 1) * groups]
            .iter_mut()
            .enumerate()
        {
            let masks = f_masks[gi].map(|m| m & mask);
            // SAFETY: tap `t < taps`'s row is `c` bytes at `t·c`, and lanes stay below
            // `c - c0`, so every unmasked byte `c0 + t·c + l` lies inside `filter` (length
            // asserted); absent taps have mask 0 and read nothing.
            let v = unsafe {
                let base = filter.as_ptr().add(c0);
                four_runs(f_offsets[gi].map(|o| base.wrapping_add(o)), masks, index)
            };
            sums = _mm512_dpbusd_epi32(sums, ones, v);
            f.write(v);
        }
        let mut bias = [0i32; LANES];
        for (l, b) in bias.iter_mut().enumerate().take(lanes) {
            *b = op.bias.map_or(0, |bias| bias[c0 + l]);
        }
        // SAFETY: `bias` is 64 readable bytes; the load is unaligned.
        let bias = unsafe { _mm512_loadu_si512(bias.as_ptr().cast()) };
        let flip_offset = _mm512_set1_epi32(op.input_offset.wrapping_sub(128));
        slot.write(Block {
            c0,
            mask,
            constant: _mm512_add_epi32(_mm512_mullo_epi32(flip_offset, sums), bias),
            requant: Requant16::new(&op.mults[c0..c0 + lanes]),
        });
    }
    // SAFETY: the first `n_blocks` blocks and `n_blocks · groups` filter vectors were written
    // just above; `MaybeUninit<T>` has `T`'s layout.
    let (blocks, filters) = unsafe {
        (
            core::slice::from_raw_parts(block_buf.as_ptr().cast::<Block>(), n_blocks),
            core::slice::from_raw_parts(filter_buf.as_ptr().cast::<__m512i>(), n_blocks * groups),
        )
    };
    let shared = Interior {
        input,
        offsets: &offsets[..groups],
        reach: offsets[..groups]
            .iter()
            .flatten()
            .max()
            .copied()
            .unwrap_or(0),
        index,
    };
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
            let inside = |ox: usize| {
                rows_inside
                    && tap(g, ox, 0, false).is_some()
                    && tap(g, ox, g.kw - 1, false).is_some()
            };
            // Input offset of an interior pixel's window origin (its first tap).
            let origin = |ox: usize| {
                inp.at(
                    b,
                    oy * win.stride_h - win.pad_h,
                    ox * win.stride_w - win.pad_w,
                    0,
                )
            };
            let mut ox = 0;
            while ox < out.w {
                if ox + PX <= out.w && inside(ox) && inside(ox + PX - 1) {
                    let origin = origin(ox);
                    for (blk, f) in blocks.iter().zip(filters.chunks_exact(groups)) {
                        let acc = interior::<PX>(g, &shared, origin, blk, f);
                        for (j, acc) in acc.into_iter().enumerate() {
                            store(output, out.at(b, oy, ox + j, 0), blk, acc);
                        }
                    }
                    ox += PX;
                } else if inside(ox) {
                    let origin = origin(ox);
                    for (blk, f) in blocks.iter().zip(filters.chunks_exact(groups)) {
                        let [acc] = interior::<1>(g, &shared, origin, blk, f);
                        store(output, out.at(b, oy, ox, 0), blk, acc);
                    }
                    ox += 1;
                } else {
                    for (t, run) in runs[..groups].iter_mut().flatten().enumerate() {
                        let (ky, kx) = (t / g.kw, t % g.kw);
                        let (iy, ix) = (tap(g, oy, ky, true), tap(g, ox, kx, false));
                        *run = match (iy, ix) {
                            (Some(iy), Some(ix)) if t < taps => {
                                input.as_ptr().wrapping_add(inp.at(b, iy, ix, 0))
                            }
                            _ => pad.as_ptr(),
                        };
                    }
                    for (blk, f) in blocks.iter().zip(filters.chunks_exact(groups)) {
                        // SAFETY: every run is an input pixel's first channel (the pixel lies
                        // inside the input, so its `c` channels do) or `pad` (`c` bytes or
                        // more), and block lanes stay below `c − c0`.
                        let acc = unsafe { border(&runs[..groups], blk, f, index) };
                        store(output, out.at(b, oy, ox, 0), blk, acc);
                    }
                    ox += 1;
                }
            }
        }
    }
}

/// Accumulators of `P` interior pixels along a row, the first with its window origin at
/// input offset `origin`, for one channel block whose permuted filter groups are `filter`.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")]
fn interior<const P: usize>(
    g: &DepthwiseGeometry,
    shared: &Interior<'_>,
    origin: usize,
    blk: &Block,
    filter: &[__m512i],
) -> [__m512i; P] {
    let px_step = g.window.stride_w * g.input.c;
    let flip = _mm512_set1_epi8(-128);
    let masks = [blk.mask; 4];
    let mut acc = [blk.constant; P];
    let last = origin + (P - 1) * px_step + blk.c0;
    // Every tap of these pixels is inside the input (checked by the caller), so the highest
    // byte read, channel `c0 + lanes − 1` of the last pixel's furthest tap, is inside it.
    assert!(last + shared.reach + (16 - blk.mask.leading_zeros() as usize) <= shared.input.len());
    for (offsets, &f) in shared.offsets.iter().zip(filter) {
        for (j, a) in acc.iter_mut().enumerate() {
            let at = origin + j * px_step + blk.c0;
            // SAFETY: `at + offsets[s] + lane ≤ last + reach + lane`, inside `input`
            // (asserted above) for every unmasked lane.
            let x = unsafe {
                let base = shared.input.as_ptr().add(at);
                four_runs(offsets.map(|o| base.add(o)), masks, shared.index)
            };
            *a = _mm512_dpbusd_epi32(*a, _mm512_xor_si512(x, flip), f);
        }
    }
    acc
}

/// Accumulator of a border pixel for one channel block: the groups of four taps read at
/// `runs` (the pixel's channels in the input, or the zero-point run for padded taps).
///
/// # Safety
/// AVX-512 F/BW/VL/VNNI/VBMI; for every run, bytes `c0..c0 + lanes` after it (the block's
/// lanes) are readable.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")]
unsafe fn border(
    runs: &[[*const i8; 4]],
    blk: &Block,
    filter: &[__m512i],
    index: __m512i,
) -> __m512i {
    let flip = _mm512_set1_epi8(-128);
    let mut acc = blk.constant;
    for (group, &f) in runs.iter().zip(filter) {
        let group = group.map(|run| run.wrapping_add(blk.c0));
        // SAFETY: the caller guarantees the block's lanes after each run are readable.
        let x = unsafe { four_runs(group, [blk.mask; 4], index) };
        acc = _mm512_dpbusd_epi32(acc, _mm512_xor_si512(x, flip), f);
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::depthwise_conv2d::checks;

    /// Random geometries (channel counts below, at and past multiples of 16 up to 21 blocks,
    /// strides, dilations, 1×1 to 9×9 filters, SAME and VALID, rows whose interior pixels
    /// are and are not a multiple of [`PX`]) equal the reference byte for byte.
    #[test]
    fn matches_reference() {
        if !super::super::vbmi_or_skip() {
            return;
        }
        let channels = [1, 3, 8, 15, 16, 17, 24, 32, 40, 64, 70, 200, 336];
        assert!(checks::random_layers(41, 400, &channels, &try_depthwise_conv2d) > 300);
    }
}
