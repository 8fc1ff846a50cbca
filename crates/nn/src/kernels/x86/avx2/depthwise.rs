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

use super::requant::{self, bounded_below_2_30, load8, Requant8, Stage8, REQUANT8_VECS};
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
/// `MAX_TAPS` taps, an input zero point that is an int8 value (padded taps read it), an
/// int8 clamp, operand lengths that match the geometry, and requantisation the vector form
/// reproduces.
pub fn applies(g: &DepthwiseGeometry, op: &ConvOperands<'_>) -> bool {
    shape(g.kh * g.kw, g.output.c).is_some()
        && requant::fits(&op.stage)
        && depthwise_operands_fit(g, op)
}

/// Runs the convolution here when the CPU has AVX2 and [`applies`] holds; returns false
/// (output untouched) otherwise. `packed`, when it holds this layer's blocks ([`pack`] of
/// the same filter, bias, multipliers and input offset), replaces their preparation per
/// call.
pub fn try_depthwise_conv2d(
    g: &DepthwiseGeometry,
    op: &ConvOperands<'_>,
    packed: Option<Prepacked<'_>>,
    output: &mut [i8],
) -> bool {
    if !super::super::has_avx2() || !applies(g, op) || output.len() < g.output.len() {
        return false;
    }
    // A pack of another size is not used (the kernel prepares the blocks itself).
    let packed = packed.filter(|p| {
        shape(g.kh * g.kw, g.output.c).is_some_and(|s| {
            p.filters.len() == s.filter_vecs() && p.blocks.len() == s.blocks * BLOCK_VECS
        })
    });
    // SAFETY: the CPU supports AVX2 (checked just above).
    unsafe {
        // 3×3 filters (five tap pairs) get a copy whose pair loop is unrolled.
        match (g.output.c >= 16, g.kh * g.kw == 9) {
            (true, true) => depthwise_avx2::<16, 5>(g, op, packed, output),
            (true, false) => depthwise_avx2::<16, 0>(g, op, packed, output),
            (false, true) => depthwise_avx2::<8, 5>(g, op, packed, output),
            (false, false) => depthwise_avx2::<8, 0>(g, op, packed, output),
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
    packed: Option<Prepacked<'_>>,
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

    // Every block's parameters and interleaved filter (`2 · pairs` vectors per block): from
    // the pack, or prepared here; each written before it is read.
    let mut block_buf = [const { MaybeUninit::<Block>::uninit() }; MAX_BLOCKS];
    let mut filter_buf = [const { MaybeUninit::<__m256i>::uninit() }; FILTER_VECS];
    let filters: &[__m256i] = match packed {
        Some(p) => {
            for (k, (slot, v)) in block_buf
                .iter_mut()
                .zip(p.blocks.as_chunks::<BLOCK_VECS>().0)
                .take(n_blocks)
                .enumerate()
            {
                slot.write(Block::from_vecs((k * W).min(c - W), v));
            }
            p.filters
        }
        None => {
            for (k, (slot, vecs)) in block_buf
                .iter_mut()
                .zip(filter_buf.chunks_exact_mut(2 * pairs))
                .take(n_blocks)
                .enumerate()
            {
                let c0 = (k * W).min(c - W);
                slot.write(block::<W>(op, c, taps, c0, vecs));
            }
            // SAFETY: the first `n_blocks` blocks' `2 · pairs` filter vectors each were
            // written just above; `MaybeUninit<T>` has `T`'s layout.
            unsafe {
                core::slice::from_raw_parts(
                    filter_buf.as_ptr().cast::<__m256i>(),
                    n_blocks * 2 * pairs,
                )
            }
        }
    };
    assert!(filters.len() >= n_blocks * 2 * pairs);
    // SAFETY: the first `n_blocks` blocks were written just above (a pack has one per block:
    // its length was checked against the layer's shape); `MaybeUninit<T>` has `T`'s layout.
    let blocks =
        unsafe { core::slice::from_raw_parts(block_buf.as_ptr().cast::<Block>(), n_blocks) };

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

/// Vectors per block in a pack: the two starting accumulators, the two requantisations
/// ([`REQUANT8_VECS`] each), and the bounded flag (every lane −1 or 0).
const BLOCK_VECS: usize = 3 + 2 * REQUANT8_VECS;

impl Block {
    /// The block as plain vectors ([`BLOCK_VECS`]; its first channel is not kept: it follows
    /// from the block's index).
    #[target_feature(enable = "avx2")]
    fn to_vecs(self) -> [__m256i; BLOCK_VECS] {
        let (lo, hi) = (self.rq_lo.to_vecs(), self.rq_hi.to_vecs());
        core::array::from_fn(|i| match i {
            0 => self.const_lo,
            1 => self.const_hi,
            i if i < 2 + REQUANT8_VECS => lo[i - 2],
            i if i < 2 + 2 * REQUANT8_VECS => hi[i - 2 - REQUANT8_VECS],
            _ => _mm256_set1_epi32(-i32::from(self.bounded)),
        })
    }

    /// The block [`Block::to_vecs`] wrote, whose first channel is `c0`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn from_vecs(c0: usize, v: &[__m256i; BLOCK_VECS]) -> Self {
        const HI: usize = 2 + REQUANT8_VECS;
        let (Ok(lo), Ok(hi)) = (
            <&[__m256i; REQUANT8_VECS]>::try_from(&v[2..HI]),
            <&[__m256i; REQUANT8_VECS]>::try_from(&v[HI..HI + REQUANT8_VECS]),
        ) else {
            unreachable!("both ranges are REQUANT8_VECS long");
        };
        let (rq_lo, rq_hi) = (Requant8::from_vecs(lo), Requant8::from_vecs(hi));
        Self {
            c0,
            const_lo: v[0],
            const_hi: v[1],
            rq_lo,
            rq_hi,
            bounded: _mm256_movemask_epi8(v[HI + REQUANT8_VECS]) != 0,
        }
    }
}

/// A layer's channel blocks laid out by this kernel's block structure.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// Channels per block.
    w: usize,
    blocks: usize,
    pairs: usize,
}

impl Shape {
    fn filter_vecs(&self) -> usize {
        self.blocks * 2 * self.pairs
    }

    fn vecs(&self) -> usize {
        self.filter_vecs() + self.blocks * BLOCK_VECS
    }
}

/// The block structure of a layer of `taps` taps and `c` channels, when this kernel takes
/// such a layer.
fn shape(taps: usize, c: usize) -> Option<Shape> {
    let w = if c >= 16 { 16 } else { 8 };
    let s = Shape {
        w,
        blocks: c.div_ceil(w),
        pairs: taps.div_ceil(2),
    };
    ((8..=MAX_CHANNELS).contains(&c)
        && (1..=MAX_TAPS).contains(&taps)
        && s.filter_vecs() <= FILTER_VECS)
        .then_some(s)
}

/// A layer's blocks prepared ahead of time ([`pack`]): every block's interleaved filter
/// vectors, then every block's parameters.
#[derive(Debug, Clone, Copy)]
pub struct Prepacked<'a> {
    filters: &'a [__m256i],
    blocks: &'a [__m256i],
}

/// Bytes [`pack`] writes for a layer of `taps` taps and `c` channels; 0 when this kernel
/// does not take such a layer.
pub fn packed_bytes(taps: usize, c: usize) -> usize {
    shape(taps, c).map_or(0, |s| s.vecs() * 32)
}

/// Prepares the blocks of a depthwise layer of `taps` taps over `c` channels from `op`'s
/// filter, bias, multipliers and input offset (its input, and its output stage, are not
/// read) into `dst` (at least [`packed_bytes`] long, 32-byte aligned), for
/// [`try_depthwise_conv2d`]; returns false (nothing written) when the CPU lacks AVX2, the
/// kernel does not take the layer or its operands, or `dst` is short or misaligned.
pub fn pack(taps: usize, c: usize, op: &ConvOperands<'_>, dst: &mut [u8]) -> bool {
    let Some(s) = shape(taps, c) else {
        return false;
    };
    let fits = i8::try_from(op.input_offset.wrapping_neg()).is_ok()
        && op.filter.len() >= taps * c
        && op.mults.len() >= c
        && op.bias.is_none_or(|b| b.len() >= c)
        && requant::supported(&op.mults[..c]);
    if !super::super::has_avx2() || !fits || dst.len() < s.vecs() * 32 {
        return false;
    }
    // SAFETY: any bytes are a valid `MaybeUninit<__m256i>`; `align_to_mut` puts only whole,
    // aligned elements in the middle part.
    let (pre, vecs, _) = unsafe { dst.align_to_mut::<MaybeUninit<__m256i>>() };
    if !pre.is_empty() || vecs.len() < s.vecs() {
        return false;
    }
    let (filters, blocks) = vecs[..s.vecs()].split_at_mut(s.filter_vecs());
    for (k, (f, b)) in filters
        .chunks_exact_mut(2 * s.pairs)
        .zip(blocks.chunks_exact_mut(BLOCK_VECS))
        .enumerate()
    {
        let c0 = (k * s.w).min(c - s.w);
        // SAFETY: the CPU supports AVX2 (checked above).
        let v = unsafe {
            let block = if s.w == 16 {
                block::<16>(op, c, taps, c0, f)
            } else {
                block::<8>(op, c, taps, c0, f)
            };
            block.to_vecs()
        };
        for (dst, v) in b.iter_mut().zip(v) {
            dst.write(v);
        }
    }
    true
}

/// The blocks [`pack`] wrote into `bytes` for a layer of `taps` taps and `c` channels, or
/// `None` when `bytes` is short or misaligned.
pub fn prepacked(bytes: &[u8], taps: usize, c: usize) -> Option<Prepacked<'_>> {
    let s = shape(taps, c)?;
    // SAFETY: any bytes are a valid `__m256i`; `align_to` puts only whole, aligned elements
    // in the middle part.
    let (pre, vecs, _) = unsafe { bytes.align_to::<__m256i>() };
    if !pre.is_empty() || vecs.len() < s.vecs() {
        return None;
    }
    let (filters, blocks) = vecs[..s.vecs()].split_at(s.filter_vecs());
    Some(Prepacked { filters, blocks })
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

    extern crate std;

    /// The kernel with its blocks prepared ahead by [`pack`], in a 32-byte aligned buffer
    /// as `PackedFilters` lays them out.
    fn prepacked_ahead(g: &DepthwiseGeometry, op: &ConvOperands<'_>, out: &mut [i8]) -> bool {
        let (taps, c) = (g.kh * g.kw, g.output.c);
        let len = packed_bytes(taps, c);
        if len == 0 {
            return try_depthwise_conv2d(g, op, None, out);
        }
        let mut buf = std::vec![0u8; len + 32];
        let at = buf.as_ptr().align_offset(32);
        let bytes = &mut buf[at..at + len];
        let packed = pack(taps, c, op, bytes);
        assert_eq!(
            packed,
            applies(g, op),
            "packed exactly the layers the kernel takes"
        );
        let pre = prepacked(bytes, taps, c).expect("an aligned pack of the right size");
        try_depthwise_conv2d(g, op, packed.then_some(pre), out)
    }

    /// Random geometries (8 to 336 channels, at and past multiples of 16, strides,
    /// dilations, 1×1 to 9×9 filters, SAME and VALID) equal the reference byte for byte,
    /// with the blocks prepared per call and ahead.
    #[test]
    fn matches_reference() {
        if !crate::kernels::x86::avx2_or_skip() {
            return;
        }
        let channels = [8, 9, 15, 16, 17, 24, 28, 32, 40, 64, 70, 200, 336];
        let per_call = |g: &DepthwiseGeometry, op: &ConvOperands<'_>, out: &mut [i8]| {
            try_depthwise_conv2d(g, op, None, out)
        };
        assert!(checks::random_layers(43, 500, &channels, &per_call) > 300);
        assert!(checks::random_layers(47, 500, &channels, &prepacked_ahead) > 300);
    }

    /// A pack is refused when misaligned or short, and a pack of another layer's size is
    /// not used.
    #[test]
    fn mismatched_packs_are_ignored() {
        if !crate::kernels::x86::avx2_or_skip() {
            return;
        }
        let len = packed_bytes(9, 24);
        let buf = std::vec![0u8; len + 64];
        let at = buf.as_ptr().align_offset(32);
        assert!(prepacked(&buf[at + 4..], 9, 24).is_none(), "misaligned");
        assert!(prepacked(&buf[at..at + len - 32], 9, 24).is_none(), "short");
        assert!(prepacked(&buf[at..], 9, 24).is_some());
        // All zeros as a pack for 24 channels, handed to a 40-channel layer: refused, the
        // kernel prepares its own blocks and matches the reference.
        let zeros = prepacked(&buf[at..], 9, 24).unwrap();
        let kernel = |g: &DepthwiseGeometry, op: &ConvOperands<'_>, out: &mut [i8]| {
            try_depthwise_conv2d(g, op, Some(zeros), out)
        };
        assert!(checks::random_layers(53, 60, &[40], &kernel) > 30);
    }
}
