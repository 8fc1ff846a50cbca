// SPDX-License-Identifier: Apache-2.0
//! DEPTHWISE_CONV_2D with depth multiplier 1 in AVX2, sixteen channels per step (eight when
//! the layer has fewer than sixteen).
//!
//! Taps go in pairs: the channel bytes of two taps are widened to int16 and interleaved
//! (`vpunpck{l,h}wd`), so one `vpmaddwd` against the filter laid out the same way adds both
//! taps' products for eight channels — channels 0-3 and 8-11 in one vector, 4-7 and 12-15
//! in the other, put back in order when narrowing. An odd last tap pairs with itself and a
//! zero filter. Channel counts that are not a multiple of the step end with a block that
//! overlaps the one before (it recomputes, and rewrites with the same values, a few
//! channels), so every load and store is whole. Padded taps read a run of the input zero
//! point, and every accumulator starts at `off · Σ taps f + bias`: a padded tap then adds
//! `f · (zp + off) = 0`, as in the reference, which skips it.

use core::arch::x86_64::*;
use core::mem::MaybeUninit;

use super::requant::{self, bounded_below_2_30, load8, Requant8, Stage8};
use crate::kernels::depthwise_conv2d::{tap, DepthwiseGeometry};
use crate::kernels::x86::depthwise::depthwise_operands_fit;
use crate::kernels::ConvOperands;

/// Taps per filter at most (`kh · kw`; 11 × 11 fits).
const MAX_TAPS: usize = 128;
/// Channels at most (every block's filter and parameters are held at once).
const MAX_CHANNELS: usize = 1024;
/// Channel blocks at most.
const MAX_BLOCKS: usize = MAX_CHANNELS / 8;
/// Interleaved filter vectors held at once: blocks × tap pairs × 2 (128 KB).
const FILTER_VECS: usize = 4096;
/// Lanes of the low and of the high vector after interleaving: which channel of the block
/// each holds.
const LO: [usize; 8] = [0, 1, 2, 3, 8, 9, 10, 11];
const HI: [usize; 8] = [4, 5, 6, 7, 12, 13, 14, 15];

/// True when this kernel computes `g`: depth multiplier 1, at least eight channels, at most
/// [`MAX_TAPS`] taps, an input zero point that is an int8 value (padded taps read it), an
/// int8 clamp, operand lengths that match the geometry, and requantisation the vector form
/// reproduces.
pub fn applies(g: &DepthwiseGeometry, op: &ConvOperands<'_>) -> bool {
    let c = g.output.c;
    let pairs = (g.kh * g.kw).div_ceil(2);
    (8..=MAX_CHANNELS).contains(&c)
        && g.kh * g.kw <= MAX_TAPS
        && c.div_ceil(if c >= 16 { 16 } else { 8 }) * pairs * 2 <= FILTER_VECS
        && requant::fits(&op.stage)
        && depthwise_operands_fit(g, op)
}

/// Runs the convolution here when the CPU has AVX2 and [`applies`] holds; returns false
/// (output untouched) otherwise.
pub fn try_depthwise_conv2d(
    g: &DepthwiseGeometry,
    op: &ConvOperands<'_>,
    output: &mut [i8],
) -> bool {
    if !super::super::has_avx2() || !applies(g, op) || output.len() < g.output.len() {
        return false;
    }
    // SAFETY: the CPU supports AVX2 (checked just above).
    unsafe {
        // 3×3 filters (five tap pairs) get a copy whose pair loop is unrolled.
        match (g.output.c >= 16, g.kh * g.kw == 9) {
            (true, true) => depthwise_avx2::<16, 5>(g, op, output),
            (true, false) => depthwise_avx2::<16, 0>(g, op, output),
            (false, true) => depthwise_avx2::<8, 5>(g, op, output),
            (false, false) => depthwise_avx2::<8, 0>(g, op, output),
        }
    }
    true
}

/// `W` (8 or 16) int8 at `p`, sign-extended to int16 (lanes past `W` are zero).
///
/// # Safety
/// AVX2; the `W` bytes at `p` are readable.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn widen<const W: usize>(p: *const i8) -> __m256i {
    // SAFETY: the caller guarantees `W` readable bytes at `p`; both loads are unaligned.
    let v = unsafe {
        if W == 16 {
            _mm_loadu_si128(p.cast())
        } else {
            _mm_loadl_epi64(p.cast())
        }
    };
    _mm256_cvtepi8_epi16(v)
}

/// One channel block: its first channel, starting accumulators and requantisation, in the
/// low and high vectors' lane orders.
#[derive(Clone, Copy)]
struct Block {
    c0: usize,
    const_lo: __m256i,
    const_hi: __m256i,
    rq_lo: Requant8,
    rq_hi: Requant8,
    /// True when [`Requant8::multiply_bounded`] applies to every lane.
    bounded: bool,
}

/// The convolution, `W` channels per step; `PAIRS`, when not 0, is the filter's tap-pair
/// count known at compile time.
#[target_feature(enable = "avx2")]
fn depthwise_avx2<const W: usize, const PAIRS: usize>(
    g: &DepthwiseGeometry,
    op: &ConvOperands<'_>,
    output: &mut [i8],
) {
    let (inp, out, win) = (g.input, g.output, g.window);
    let c = out.c;
    let taps = g.kh * g.kw;
    let pairs = if PAIRS > 0 { PAIRS } else { taps.div_ceil(2) };
    assert_eq!(pairs, taps.div_ceil(2));
    // The last block ends at channel `c`, overlapping the one before when `c` is not a
    // multiple of `W`.
    let n_blocks = c.div_ceil(W);
    let (input, filter) = (op.input, op.filter);
    assert!(c >= W && c <= MAX_CHANNELS && taps <= MAX_TAPS && n_blocks * pairs * 2 <= FILTER_VECS);
    assert!(input.len() >= inp.len() && output.len() >= out.len() && filter.len() >= taps * c);
    let stage = Stage8::new(&op.stage);
    // The padded taps' input: the zero point in every channel (an int8, by `applies`).
    let pad = [op.input_offset.wrapping_neg() as i8; MAX_CHANNELS];
    // Tap `t = ky·kw + kx`'s input offset from the window origin; an odd count's last pair
    // repeats its first tap.
    let mut offsets = [0usize; MAX_TAPS + 1];
    for (t, o) in offsets.iter_mut().enumerate().take(taps) {
        let (ky, kx) = (t / g.kw, t % g.kw);
        *o = (ky * win.dilation_h * inp.w + kx * win.dilation_w) * inp.c;
    }
    offsets[taps] = offsets[taps - 1];
    // The furthest tap from a window's origin.
    let reach = offsets[..taps].iter().copied().max().unwrap_or(0);

    // Every block's parameters and interleaved filter (`2 · pairs` vectors per block), each
    // written here before it is read.
    let mut block_buf = [const { MaybeUninit::<Block>::uninit() }; MAX_BLOCKS];
    let mut filter_buf = [const { MaybeUninit::<__m256i>::uninit() }; FILTER_VECS];
    for (k, (slot, vecs)) in block_buf
        .iter_mut()
        .zip(filter_buf.chunks_exact_mut(2 * pairs))
        .take(n_blocks)
        .enumerate()
    {
        let c0 = (k * W).min(c - W);
        slot.write(block::<W>(op, c, taps, c0, vecs));
    }
    // SAFETY: the first `n_blocks` blocks and their `2 · pairs` filter vectors each were
    // written just above; `MaybeUninit<T>` has `T`'s layout.
    let (blocks, filters) = unsafe {
        (
            core::slice::from_raw_parts(block_buf.as_ptr().cast::<Block>(), n_blocks),
            core::slice::from_raw_parts(
                filter_buf.as_ptr().cast::<__m256i>(),
                n_blocks * 2 * pairs,
            ),
        )
    };

    // Where each tap's channel 0 is read for the current pixel.
    let mut runs = [pad.as_ptr(); MAX_TAPS + 1];
    for b in 0..out.n {
        for oy in 0..out.h {
            for ox in 0..out.w {
                let y0 = (oy * win.stride_h).checked_sub(win.pad_h);
                let x0 = (ox * win.stride_w).checked_sub(win.pad_w);
                match (y0, x0) {
                    (Some(y0), Some(x0))
                        if y0 + (g.kh - 1) * win.dilation_h < inp.h
                            && x0 + (g.kw - 1) * win.dilation_w < inp.w =>
                    {
                        let at = inp.at(b, y0, x0, 0);
                        // All channels of the furthest tap end inside the input.
                        assert!(at + reach + c <= input.len());
                        let base = input.as_ptr().wrapping_add(at);
                        for (r, &o) in runs.iter_mut().zip(&offsets[..=taps]) {
                            *r = base.wrapping_add(o);
                        }
                    }
                    _ => {
                        let mut row_runs = runs.chunks_exact_mut(g.kw);
                        for (ky, row) in (0..g.kh).zip(&mut row_runs) {
                            let iy = tap(g, oy, ky, true);
                            for (kx, r) in row.iter_mut().enumerate() {
                                *r = match (iy, tap(g, ox, kx, false)) {
                                    (Some(iy), Some(ix)) => {
                                        input[inp.at(b, iy, ix, 0)..][..c].as_ptr()
                                    }
                                    _ => pad.as_ptr(),
                                };
                            }
                        }
                        runs[taps] = runs[taps - 1];
                    }
                }
                let o0 = out.at(b, oy, ox, 0);
                for (blk, f) in blocks.iter().zip(filters.chunks_exact(2 * pairs)) {
                    let (mut lo, mut hi) = (blk.const_lo, blk.const_hi);
                    for (p, fp) in f.chunks_exact(2).enumerate() {
                        // SAFETY: every run points at `c` readable bytes (all channels of
                        // an interior tap, asserted above; an in-bounds border tap's slice;
                        // or `pad`, `MAX_CHANNELS ≥ c` bytes), and `c0 + W ≤ c`.
                        let (a, z) = unsafe {
                            (
                                widen::<W>(runs[2 * p].add(blk.c0)),
                                widen::<W>(runs[2 * p + 1].add(blk.c0)),
                            )
                        };
                        let xl = _mm256_unpacklo_epi16(a, z);
                        let xh = _mm256_unpackhi_epi16(a, z);
                        lo = _mm256_add_epi32(lo, _mm256_madd_epi16(xl, fp[0]));
                        hi = _mm256_add_epi32(hi, _mm256_madd_epi16(xh, fp[1]));
                    }
                    let bytes = if blk.bounded {
                        stage.narrow16_unpacked_small(
                            blk.rq_lo.multiply_bounded(lo),
                            blk.rq_hi.multiply_bounded(hi),
                        )
                    } else {
                        stage.narrow16_unpacked(blk.rq_lo.multiply(lo), blk.rq_hi.multiply(hi))
                    };
                    let o = &mut output[o0 + blk.c0..][..W];
                    // SAFETY: `o` is `W` writable bytes (`_mm_storel_epi64` writes 8).
                    unsafe {
                        if W == 16 {
                            _mm_storeu_si128(o.as_mut_ptr().cast(), bytes);
                        } else {
                            _mm_storel_epi64(o.as_mut_ptr().cast(), bytes);
                        }
                    }
                }
            }
        }
    }
}

/// The block of channels `c0..c0 + W` (of `c`, over `taps` filter rows): its filter widened
/// and interleaved pair by pair into `vecs` (low then high vector per pair), its starting
/// accumulators `off · Σ taps f + bias` and its requantisation.
#[target_feature(enable = "avx2")]
fn block<const W: usize>(
    op: &ConvOperands<'_>,
    c: usize,
    taps: usize,
    c0: usize,
    vecs: &mut [MaybeUninit<__m256i>],
) -> Block {
    let row = |t: usize| &op.filter[t * c + c0..][..W];
    let mut sums = [0i32; 16];
    for t in 0..taps {
        for (s, &f) in sums.iter_mut().zip(row(t)) {
            *s += i32::from(f);
        }
    }
    for (p, v) in vecs.chunks_exact_mut(2).take(taps.div_ceil(2)).enumerate() {
        // SAFETY: `row` checked that each tap's block is `W` bytes of the filter.
        let a = unsafe { widen::<W>(row(2 * p).as_ptr()) };
        let z = if 2 * p + 1 < taps {
            // SAFETY: as above.
            unsafe { widen::<W>(row(2 * p + 1).as_ptr()) }
        } else {
            _mm256_setzero_si256()
        };
        v[0].write(_mm256_unpacklo_epi16(a, z));
        v[1].write(_mm256_unpackhi_epi16(a, z));
    }
    let bias = |l: usize| op.bias.map_or(0, |b| b.get(c0 + l).copied().unwrap_or(0));
    let constant = |l: usize| op.input_offset.wrapping_mul(sums[l]).wrapping_add(bias(l));
    let largest_bias = (0..W).map(|l| bias(l).unsigned_abs()).max().unwrap_or(0);
    let mults = &op.mults[c0..c0 + W];
    let (rq_lo, rq_hi) = (Requant8::permuted(mults, LO), Requant8::permuted(mults, HI));
    Block {
        c0,
        const_lo: load8(&LO.map(constant)),
        const_hi: load8(&HI.map(constant)),
        rq_lo,
        rq_hi,
        bounded: rq_lo.has_no_left_shift()
            && rq_hi.has_no_left_shift()
            && bounded_below_2_30(taps, largest_bias),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::depthwise_conv2d::checks;

    /// Random geometries (8 to 336 channels, at and past multiples of 16, strides,
    /// dilations, 1×1 to 9×9 filters, SAME and VALID) equal the reference byte for byte.
    #[test]
    fn matches_reference() {
        if !crate::kernels::x86::avx2_or_skip() {
            return;
        }
        let channels = [8, 9, 15, 16, 17, 24, 28, 32, 40, 64, 70, 200, 336];
        assert!(checks::random_layers(43, 500, &channels, &try_depthwise_conv2d) > 300);
    }
}
