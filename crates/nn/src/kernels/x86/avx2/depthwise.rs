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

use super::requant::{self, load8, Requant8, Stage8};
use crate::kernels::depthwise_conv2d::{tap, DepthwiseGeometry};
use crate::kernels::x86::depthwise::depthwise_operands_fit;
use crate::kernels::ConvOperands;

/// Taps per filter at most (`kh · kw`; 11 × 11 fits).
const MAX_TAPS: usize = 128;
/// Lanes of the low and of the high vector after interleaving: which channel of the block
/// each holds.
const LO: [usize; 8] = [0, 1, 2, 3, 8, 9, 10, 11];
const HI: [usize; 8] = [4, 5, 6, 7, 12, 13, 14, 15];

/// True when this kernel computes `g`: depth multiplier 1, at least eight channels, at most
/// [`MAX_TAPS`] taps, an input zero point that is an int8 value (padded taps read it), an
/// int8 clamp, operand lengths that match the geometry, and requantisation the vector form
/// reproduces.
pub fn applies(g: &DepthwiseGeometry, op: &ConvOperands<'_>) -> bool {
    g.output.c >= 8
        && g.kh * g.kw <= MAX_TAPS
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
        if g.output.c >= 16 {
            depthwise_avx2::<16>(g, op, output);
        } else {
            depthwise_avx2::<8>(g, op, output);
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

/// One channel block's filter, pair by pair, as the low and high interleaved vectors.
struct BlockFilter {
    lo: [__m256i; MAX_TAPS / 2],
    hi: [__m256i; MAX_TAPS / 2],
}

#[target_feature(enable = "avx2")]
fn depthwise_avx2<const W: usize>(g: &DepthwiseGeometry, op: &ConvOperands<'_>, output: &mut [i8]) {
    let (inp, out, win) = (g.input, g.output, g.window);
    let c = out.c;
    let taps = g.kh * g.kw;
    let pairs = taps.div_ceil(2);
    let (input, filter) = (op.input, op.filter);
    assert!(c >= W && taps <= MAX_TAPS);
    assert!(input.len() >= inp.len() && output.len() >= out.len() && filter.len() >= taps * c);
    let stage = Stage8::new(&op.stage);
    // The padded taps' input: the zero point in every lane (an int8, by `applies`).
    let pad = [op.input_offset.wrapping_neg() as i8; 16];
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
    let mut bf = BlockFilter {
        lo: [_mm256_setzero_si256(); MAX_TAPS / 2],
        hi: [_mm256_setzero_si256(); MAX_TAPS / 2],
    };
    let mut runs = [pad.as_ptr(); MAX_TAPS + 1];

    let mut c0 = 0;
    loop {
        // The last block ends at channel `c`, overlapping the one before when `c` is not a
        // multiple of `W`.
        let c0_here = c0.min(c - W);
        let constant = block_filter::<W>(op, c, taps, c0_here, &mut bf);
        let (const_lo, const_hi) = constant;
        let mults = &op.mults[c0_here..c0_here + W];
        let (rq_lo, rq_hi) = (Requant8::permuted(mults, LO), Requant8::permuted(mults, HI));
        for b in 0..out.n {
            for oy in 0..out.h {
                for ox in 0..out.w {
                    let y0 = (oy * win.stride_h).checked_sub(win.pad_h);
                    let x0 = (ox * win.stride_w).checked_sub(win.pad_w);
                    let interior = match (y0, x0) {
                        (Some(y0), Some(x0))
                            if y0 + (g.kh - 1) * win.dilation_h < inp.h
                                && x0 + (g.kw - 1) * win.dilation_w < inp.w =>
                        {
                            Some(inp.at(b, y0, x0, c0_here))
                        }
                        _ => None,
                    };
                    match interior {
                        Some(at) => {
                            // The block's bytes of the furthest tap end inside the input.
                            assert!(at + reach + W <= input.len());
                            let base = input.as_ptr().wrapping_add(at);
                            for (r, &o) in runs.iter_mut().zip(&offsets[..=taps]) {
                                *r = base.wrapping_add(o);
                            }
                        }
                        None => {
                            let mut row_runs = runs.chunks_exact_mut(g.kw);
                            for (ky, row) in (0..g.kh).zip(&mut row_runs) {
                                let iy = tap(g, oy, ky, true);
                                for (kx, r) in row.iter_mut().enumerate() {
                                    *r = match (iy, tap(g, ox, kx, false)) {
                                        (Some(iy), Some(ix)) => {
                                            input[inp.at(b, iy, ix, c0_here)..][..W].as_ptr()
                                        }
                                        _ => pad.as_ptr(),
                                    };
                                }
                            }
                            runs[taps] = runs[taps - 1];
                        }
                    }
                    let (mut lo, mut hi) = (const_lo, const_hi);
                    for p in 0..pairs {
                        // SAFETY: every run points at `W` readable bytes: for an interior
                        // pixel, inside the input (asserted above); otherwise a slice of
                        // the input checked to hold `W` bytes, or `pad` (16 bytes).
                        let (a, z) =
                            unsafe { (widen::<W>(runs[2 * p]), widen::<W>(runs[2 * p + 1])) };
                        let xl = _mm256_unpacklo_epi16(a, z);
                        let xh = _mm256_unpackhi_epi16(a, z);
                        lo = _mm256_add_epi32(lo, _mm256_madd_epi16(xl, bf.lo[p]));
                        hi = _mm256_add_epi32(hi, _mm256_madd_epi16(xh, bf.hi[p]));
                    }
                    let bytes = stage.narrow16_unpacked(rq_lo.multiply(lo), rq_hi.multiply(hi));
                    let o = &mut output[out.at(b, oy, ox, c0_here)..][..W];
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
        if c0_here + W >= c {
            break;
        }
        c0 += W;
    }
}

/// Widens and interleaves the filter (`taps` rows of `c` channels) of channels
/// `c0..c0 + W` into `bf` and returns the
/// block's starting accumulators `off · Σ taps f + bias`, in the low and high vectors'
/// lane orders.
#[target_feature(enable = "avx2")]
fn block_filter<const W: usize>(
    op: &ConvOperands<'_>,
    c: usize,
    taps: usize,
    c0: usize,
    bf: &mut BlockFilter,
) -> (__m256i, __m256i) {
    let row = |t: usize| &op.filter[t * c + c0..][..W];
    let mut sums = [0i32; 16];
    for t in 0..taps {
        for (s, &f) in sums.iter_mut().zip(row(t)) {
            *s += i32::from(f);
        }
    }
    for p in 0..taps.div_ceil(2) {
        // SAFETY: `row` checked that each tap's block is `W` bytes of the filter.
        let a = unsafe { widen::<W>(row(2 * p).as_ptr()) };
        let z = if 2 * p + 1 < taps {
            // SAFETY: as above.
            unsafe { widen::<W>(row(2 * p + 1).as_ptr()) }
        } else {
            _mm256_setzero_si256()
        };
        bf.lo[p] = _mm256_unpacklo_epi16(a, z);
        bf.hi[p] = _mm256_unpackhi_epi16(a, z);
    }
    let constant = |l: usize| {
        let bias = op.bias.map_or(0, |b| b.get(c0 + l).copied().unwrap_or(0));
        op.input_offset.wrapping_mul(sums[l]).wrapping_add(bias)
    };
    (load8(&LO.map(constant)), load8(&HI.map(constant)))
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
