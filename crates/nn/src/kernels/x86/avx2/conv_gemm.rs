// SPDX-License-Identifier: Apache-2.0
//! CONV_2D (one group, unit horizontal dilation) as an int16 matrix product in AVX2: output
//! pixels × output channels, `K = kh · kw · in_c` deep.
//!
//! Per call the filter is widened to int16 and packed, eight output channels per block, as
//! `[K'/2][8 channels][2 taps]` (`K'` is `K` rounded up to even; the odd tail tap is zero).
//! Each tile of `MR` output pixels gathers its windows (padded taps hold the input zero
//! point, as in `conv2d_patches`) and widens them into a panel of `MR` rows of `K'` int16.
//! One `vpmaddwd` multiplies a broadcast pair of a pixel's taps by a block's eight channel
//! pairs: sixteen exact products summed into eight int32 lanes. The accumulator is
//! `Σ f·x + off·Σ f + bias`, equal in wrapping int32 arithmetic to the reference's sum over
//! the in-bounds taps (a padded tap holds `x = −off`). Requantisation is eight lanes at a
//! time ([`Requant8`]).

use core::arch::x86_64::*;
use core::mem::MaybeUninit;

use super::super::zeroed;
use super::requant::{self, bounded_below_2_30, load8, Requant8, Stage8};
use crate::kernels::conv2d::{gather_patch, is_pointwise, is_row_contiguous, ConvGeometry, Pixel};
use crate::kernels::ConvOperands;

/// Output pixels per tile (rows of the panel; even: rows are narrowed in pairs).
const MR: usize = 4;
const _: () = assert!(MR.is_multiple_of(2));
/// Output channels per vector.
const LANES: usize = 8;
/// Filter blocks per tile (`MR · NB` accumulators stay in registers).
const NB: usize = 3;
/// Largest `K'` (taps per pixel, rounded up to even) this kernel takes.
const MAX_K: usize = 4608;
/// int16 elements of packed filter blocks held at once (more blocks than fit are packed in
/// turns, each turn re-gathering the panels).
const PACK: usize = 48 * 1024;
/// Filter blocks whose constants are held on the stack.
const MAX_BLOCKS: usize = 96;

/// True when this kernel computes `g` exactly: one group, unit horizontal dilation, an input
/// zero point that is an int8 value (padded taps are written as it), `NB` filter blocks
/// that fit the pack buffer, an int8 clamp, operand lengths that match, and requantisation
/// parameters the vector form reproduces.
pub fn applies(g: &ConvGeometry, op: &ConvOperands<'_>) -> bool {
    let k = g.kh * g.kw * g.input.c;
    let kp = k.next_multiple_of(2);
    is_row_contiguous(g)
        && k > 0
        && kp <= MAX_K
        && NB * kp * LANES <= PACK
        && g.output.c > 0
        && i8::try_from(op.input_offset.wrapping_neg()).is_ok()
        && requant::fits(&op.stage)
        && op.input.len() >= g.input.len()
        && op.filter.len() >= g.output.c * k
        && op.mults.len() >= g.output.c
        && op.bias.is_none_or(|b| b.len() >= g.output.c)
        && requant::supported(&op.mults[..g.output.c])
}

/// Runs the convolution here when the CPU has AVX2 and [`applies`] holds; returns false
/// (output untouched) otherwise, and the caller uses a portable kernel. `packed`, when it
/// holds this layer's filter ([`pack_filter`] of `op.filter`), replaces the per-call packing.
pub fn try_conv2d(
    g: &ConvGeometry,
    op: &ConvOperands<'_>,
    packed: Option<Prepacked<'_>>,
    output: &mut [i8],
) -> bool {
    if !super::super::has_avx2() || !applies(g, op) || output.len() < g.output.len() {
        return false;
    }
    let k = g.kh * g.kw * g.input.c;
    let packed = packed
        .filter(|p| p.weights.len() == weights_len(k, g.output.c) && p.sums.len() == g.output.c);
    // The stack buffers are never zeroed whole, so one size serves every layer; a filter
    // packed ahead needs no pack buffer.
    // SAFETY: the CPU supports AVX2 (checked just above).
    unsafe {
        match packed {
            Some(p) => conv2d_avx2::<0, { MR * MAX_K }, MAX_K>(g, op, Some(p), output),
            None => conv2d_avx2::<PACK, { MR * MAX_K }, MAX_K>(g, op, None, output),
        }
    }
    true
}

/// One filter block's constants.
#[derive(Clone, Copy)]
struct Block {
    /// `off · Σ f + bias` per lane.
    constant: __m256i,
    requant: Requant8,
    /// Output channel of lane 0.
    oc0: usize,
    /// Valid lanes (the last block of a layer may be partial).
    lanes: usize,
    /// True when every accumulator stays below 2^30 in magnitude and no lane shifts left:
    /// [`Requant8::multiply_bounded`] applies.
    bounded: bool,
}

/// The convolution with stack buffers of `PACK_N` packed filter elements (none when
/// `packed` holds the whole filter), a `PANEL_N`-element panel (`MR · K_N`) and a
/// `K_N`-byte patch.
#[target_feature(enable = "avx2")]
fn conv2d_avx2<const PACK_N: usize, const PANEL_N: usize, const K_N: usize>(
    g: &ConvGeometry,
    op: &ConvOperands<'_>,
    packed: Option<Prepacked<'_>>,
    output: &mut [i8],
) {
    let out = g.output;
    let k = g.kh * g.kw * g.input.c;
    let kp = k.next_multiple_of(2);
    let pixels = out.n * out.h * out.w;
    let oc_n = out.c;
    assert!(output.len() >= pixels * oc_n && kp <= K_N && MR * kp <= PANEL_N);
    let block_len = kp * LANES;
    let blocks_total = oc_n.div_ceil(LANES);
    let per_turn = match packed {
        Some(_) => MAX_BLOCKS,
        None => (PACK_N / block_len).min(MAX_BLOCKS),
    };
    assert!(per_turn >= 1);
    let pad = op.input_offset.wrapping_neg() as i8;
    let stage = Stage8::new(&op.stage);
    let (inp, win) = (g.input, g.window);
    // A window row's bytes (`kw · in_c`, contiguous) and the input step between window rows.
    let run = g.kw * inp.c;
    let row_step = win.dilation_h * inp.w * inp.c;
    // A 1×1 layer without stride or padding on an even channel count reads its panel
    // straight from the input.
    let contiguous = is_pointwise(g) && k == kp;

    // The buffers are written before they are read, so they start uninitialised (zeroing
    // them whole cost more than a small layer's arithmetic): the pack block by block, the
    // panel's used part zeroed once (its odd tail taps and a last tile's unused rows are
    // read, and meet zero filter bytes or are not stored).
    let mut pack_buf = [const { MaybeUninit::<i16>::uninit() }; PACK_N];
    let mut panel_buf = [const { MaybeUninit::<i16>::uninit() }; PANEL_N];
    let panel = zeroed(&mut panel_buf[..MR * kp]);
    let mut patch_buf = [const { MaybeUninit::<i8>::uninit() }; K_N];
    let patch = zeroed(&mut patch_buf[..k]);
    let mut block_buf = [const { MaybeUninit::<Block>::uninit() }; MAX_BLOCKS];
    let mut first = 0;
    while first < blocks_total {
        let n = per_turn.min(blocks_total - first);
        let pack: &[i16] = match packed {
            Some(pre) => {
                for (j, p) in block_buf.iter_mut().take(n).enumerate() {
                    let oc0 = (first + j) * LANES;
                    let sums = &pre.sums[oc0..];
                    p.write(block_params(op, k, oc0, LANES.min(oc_n - oc0), |l| sums[l]));
                }
                &pre.weights[first * block_len..(first + n) * block_len]
            }
            None => {
                for (j, (dst, p)) in pack_buf
                    .chunks_exact_mut(block_len)
                    .zip(block_buf.iter_mut())
                    .take(n)
                    .enumerate()
                {
                    let oc0 = (first + j) * LANES;
                    p.write(pack_block(op, k, oc0, LANES.min(oc_n - oc0), dst));
                }
                // SAFETY: `pack_block` wrote every element of the first `n` blocks just
                // above; `MaybeUninit<i16>` has `i16`'s layout.
                unsafe {
                    core::slice::from_raw_parts(pack_buf.as_ptr().cast::<i16>(), n * block_len)
                }
            }
        };
        // SAFETY: the first `n` block parameters were written just above; `MaybeUninit<T>`
        // has `T`'s layout.
        let blocks = unsafe { core::slice::from_raw_parts(block_buf.as_ptr().cast::<Block>(), n) };
        let mut p0 = 0;
        let mut at: Pixel = (0, 0, 0);
        while p0 < pixels {
            let rows = MR.min(pixels - p0);
            if contiguous {
                // The tile's pixels are consecutive rows of `K` input bytes, exactly the
                // panel's layout: widen them in one go.
                widen(&op.input[p0 * k..][..rows * k], &mut panel[..rows * k]);
            }
            for row in panel
                .chunks_exact_mut(kp)
                .take(if contiguous { 0 } else { rows })
            {
                match g.interior_origin(at) {
                    // Each filter row's window run is contiguous in the input: widen it in
                    // place.
                    Some(origin) => {
                        for (ky, dst) in row[..k].chunks_exact_mut(run).enumerate() {
                            widen(&op.input[origin + ky * row_step..][..run], dst);
                        }
                    }
                    None => {
                        let (b, oy, ox) = at;
                        gather_patch(g, op.input, b, oy, ox, pad, run, patch);
                        widen(&patch[..k], &mut row[..k]);
                    }
                }
                at = g.next_pixel(at);
            }
            let panel = &panel[..MR * kp];
            // Three blocks per tile while that leaves no single block behind (four end as
            // two and two: a lone block's tile spends more on loads than on products).
            let mut j = 0;
            while n - j >= NB && n - j != 4 {
                let w = &pack[j * block_len..(j + NB) * block_len];
                tile::<NB>(
                    panel,
                    kp,
                    w,
                    &blocks[j..j + NB],
                    &stage,
                    p0,
                    rows,
                    oc_n,
                    output,
                );
                j += NB;
            }
            while n - j >= 2 {
                let w = &pack[j * block_len..(j + 2) * block_len];
                tile::<2>(
                    panel,
                    kp,
                    w,
                    &blocks[j..j + 2],
                    &stage,
                    p0,
                    rows,
                    oc_n,
                    output,
                );
                j += 2;
            }
            if j < n {
                let w = &pack[j * block_len..(j + 1) * block_len];
                tile::<1>(
                    panel,
                    kp,
                    w,
                    &blocks[j..j + 1],
                    &stage,
                    p0,
                    rows,
                    oc_n,
                    output,
                );
            }
            p0 += MR;
        }
        first += n;
    }
}

/// Sign-extends `src` into `dst` (equal lengths): sixteen at a time, then eight, then four,
/// then one by one.
#[target_feature(enable = "avx2")]
fn widen(src: &[i8], dst: &mut [i16]) {
    assert_eq!(src.len(), dst.len());
    let mut i = 0;
    while i + 16 <= src.len() {
        // SAFETY: `i + 16 ≤ len`: 16 readable bytes at `src[i]` and 16 writable int16 at
        // `dst[i]`; both unaligned.
        unsafe {
            let v = _mm256_cvtepi8_epi16(_mm_loadu_si128(src.as_ptr().add(i).cast()));
            _mm256_storeu_si256(dst.as_mut_ptr().add(i).cast(), v);
        }
        i += 16;
    }
    if i + 8 <= src.len() {
        // SAFETY: `i + 8 ≤ len`: 8 readable bytes and 8 writable int16; both unaligned.
        unsafe {
            let v = _mm_cvtepi8_epi16(_mm_loadl_epi64(src.as_ptr().add(i).cast()));
            _mm_storeu_si128(dst.as_mut_ptr().add(i).cast(), v);
        }
        i += 8;
    }
    if i + 4 <= src.len() {
        // SAFETY: `i + 4 ≤ len`: 4 readable bytes and 4 writable int16; both unaligned.
        unsafe {
            let bytes = src.as_ptr().add(i).cast::<i32>().read_unaligned();
            let v = _mm_cvtepi8_epi16(_mm_cvtsi32_si128(bytes));
            _mm_storel_epi64(dst.as_mut_ptr().add(i).cast(), v);
        }
        i += 4;
    }
    for (s, d) in src[i..].iter().zip(&mut dst[i..]) {
        *d = i16::from(*s);
    }
}

/// Packs output channels `oc0..oc0 + lanes` (rows of `k` filter bytes) as `[K'/2][8][2]`
/// int16 into `dst` (`K' · 8` elements; the odd tail tap and lanes past `lanes` are zero)
/// and returns their constants.
#[target_feature(enable = "avx2")]
fn pack_block(
    op: &ConvOperands<'_>,
    k: usize,
    oc0: usize,
    lanes: usize,
    dst: &mut [MaybeUninit<i16>],
) -> Block {
    pack_weights(op.filter, k, oc0, lanes, dst);
    block_params(op, k, oc0, lanes, |l| filter_sum(op.filter, k, oc0 + l))
}

/// The constants of output channels `oc0..oc0 + lanes`, given each one's filter sum
/// (`sum(l)` for channel `oc0 + l`).
#[target_feature(enable = "avx2")]
fn block_params(
    op: &ConvOperands<'_>,
    k: usize,
    oc0: usize,
    lanes: usize,
    sum: impl Fn(usize) -> i32,
) -> Block {
    let mut constant = [0i32; LANES];
    let mut largest_bias = 0u32;
    for (l, c) in constant.iter_mut().enumerate().take(lanes) {
        let bias = op.bias.map_or(0, |b| b[oc0 + l]);
        largest_bias = largest_bias.max(bias.unsigned_abs());
        *c = op.input_offset.wrapping_mul(sum(l)).wrapping_add(bias);
    }
    let requant = Requant8::new(&op.mults[oc0..oc0 + lanes]);
    Block {
        constant: load8(&constant),
        requant,
        oc0,
        lanes,
        bounded: requant.has_no_left_shift() && bounded_below_2_30(k, largest_bias),
    }
}

/// The `[K'/2][8][2]` int16 layout of output channels `oc0..oc0 + lanes` of `filter` (rows
/// of `k` bytes) in `dst` (`K' · 8` elements, every one written; the odd tail tap and lanes
/// past `lanes` are zero). Sixteen taps of the eight rows at a time are widened and
/// transposed in registers (each row's eight tap pairs become one pair of every row); the
/// taps after the last whole sixteen go one by one.
#[target_feature(enable = "avx2")]
fn pack_weights(filter: &[i8], k: usize, oc0: usize, lanes: usize, dst: &mut [MaybeUninit<i16>]) {
    let kp = k.next_multiple_of(2);
    let dst = &mut dst[..kp * LANES];
    let rows: [&[i8]; LANES] = core::array::from_fn(|l| {
        if l < lanes {
            &filter[(oc0 + l) * k..(oc0 + l + 1) * k]
        } else {
            &[]
        }
    });
    let whole = k / 16 * 16;
    for (t0, out) in (0..whole).step_by(16).zip(dst.chunks_exact_mut(16 * LANES)) {
        let r: [__m256i; LANES] = core::array::from_fn(|l| match rows[l].get(t0..t0 + 16) {
            // SAFETY: `taps` is 16 readable bytes; the load is unaligned.
            Some(taps) => _mm256_cvtepi8_epi16(unsafe { _mm_loadu_si128(taps.as_ptr().cast()) }),
            None => _mm256_setzero_si256(),
        });
        for (j, v) in transpose8x8(r).iter().enumerate() {
            // SAFETY: `out` is 128 int16 and `16·j + 16 ≤ 128`; the store is unaligned.
            unsafe { _mm256_storeu_si256(out.as_mut_ptr().add(16 * j).cast(), *v) };
        }
    }
    zeroed(&mut dst[whole * LANES..]);
    for (l, row) in rows.iter().enumerate() {
        for (t, &f) in row.iter().enumerate().skip(whole) {
            dst[(t / 2) * 2 * LANES + 2 * l + t % 2].write(i16::from(f));
        }
    }
}

/// A layer's filter packed ahead of time ([`pack_filter`]): every block's `[K'/2][8][2]`
/// int16 weights in turn, and each output channel's filter sum.
#[derive(Debug, Clone, Copy)]
pub struct Prepacked<'a> {
    weights: &'a [i16],
    sums: &'a [i32],
}

/// int16 weights of `oc` output channels of `k` taps packed as `[K'/2][8][2]` blocks.
fn weights_len(k: usize, oc: usize) -> usize {
    oc.div_ceil(LANES) * LANES * k.next_multiple_of(2)
}

/// The sum of output channel `c`'s filter (row `c` of `k` bytes).
fn filter_sum(filter: &[i8], k: usize, c: usize) -> i32 {
    filter[c * k..(c + 1) * k]
        .iter()
        .map(|&f| i32::from(f))
        .sum()
}

/// Bytes [`pack_filter`] writes for `oc` output channels of `k` taps: the weights, then the
/// sums. 0 when this kernel does not take such a layer.
pub fn packed_bytes(k: usize, oc: usize) -> usize {
    if k == 0 || k.next_multiple_of(2) > MAX_K || oc == 0 {
        return 0;
    }
    weights_len(k, oc) * 2 + oc * 4
}

/// Packs `filter` (`oc` rows of `k` bytes, OHWI) into `dst` (at least [`packed_bytes`]
/// long, 4-byte aligned) for [`try_conv2d`]; returns false (nothing written) when the CPU
/// lacks AVX2, the layer is not one this kernel takes, or `dst` is short or misaligned.
pub fn pack_filter(filter: &[i8], k: usize, oc: usize, dst: &mut [u8]) -> bool {
    let bytes = packed_bytes(k, oc);
    if !super::super::has_avx2() || bytes == 0 || dst.len() < bytes || filter.len() < oc * k {
        return false;
    }
    let block_len = k.next_multiple_of(2) * LANES;
    let weights_len = weights_len(k, oc);
    let (weights, sums) = dst[..bytes].split_at_mut(weights_len * 2);
    // SAFETY: any bytes are valid `MaybeUninit<i16>` / `i32` (no invalid bit patterns);
    // `align_to_mut` puts only whole, aligned elements in the middle part.
    let (w_pre, weights, _) = unsafe { weights.align_to_mut::<MaybeUninit<i16>>() };
    // SAFETY: as above.
    let (s_pre, sums, _) = unsafe { sums.align_to_mut::<i32>() };
    if !w_pre.is_empty() || !s_pre.is_empty() || weights.len() < weights_len || sums.len() < oc {
        return false;
    }
    for (b, dst) in weights.chunks_exact_mut(block_len).enumerate() {
        let oc0 = b * LANES;
        // SAFETY: the CPU supports AVX2 (checked above).
        unsafe { pack_weights(filter, k, oc0, LANES.min(oc - oc0), dst) };
    }
    for (c, s) in sums.iter_mut().take(oc).enumerate() {
        *s = filter_sum(filter, k, c);
    }
    true
}

/// The packed filter [`pack_filter`] wrote into `bytes` for `oc` channels of `k` taps, or
/// `None` when `bytes` is short or misaligned.
pub fn prepacked(bytes: &[u8], k: usize, oc: usize) -> Option<Prepacked<'_>> {
    let total = packed_bytes(k, oc);
    if total == 0 || bytes.len() < total {
        return None;
    }
    let weights_len = weights_len(k, oc);
    let (weights, sums) = bytes[..total].split_at(weights_len * 2);
    // SAFETY: any bytes are valid `i16` / `i32`; `align_to` puts only whole, aligned
    // elements in the middle part.
    let ((w_pre, weights, _), (s_pre, sums, _)) =
        unsafe { (weights.align_to::<i16>(), sums.align_to::<i32>()) };
    (w_pre.is_empty() && s_pre.is_empty() && weights.len() == weights_len && sums.len() == oc)
        .then_some(Prepacked { weights, sums })
}

/// Transposes eight vectors of eight 32-bit elements: element `j` of result `i` is element
/// `i` of input `j`.
#[inline]
#[target_feature(enable = "avx2")]
fn transpose8x8(r: [__m256i; 8]) -> [__m256i; 8] {
    // Pairs of rows interleaved: per 128-bit half, elements 0-1 (lo) or 2-3 (hi) of both.
    let t: [__m256i; 8] = core::array::from_fn(|i| {
        let (a, b) = (r[i / 2 * 2], r[i / 2 * 2 + 1]);
        if i % 2 == 0 {
            _mm256_unpacklo_epi32(a, b)
        } else {
            _mm256_unpackhi_epi32(a, b)
        }
    });
    // Four rows' element e (and e + 4 in the high half): u[4q + e] for rows 4q..4q + 4.
    let u: [__m256i; 8] = core::array::from_fn(|i| {
        let (q, e) = (i / 4, i % 4);
        let (a, b) = (t[4 * q + e / 2], t[4 * q + 2 + e / 2]);
        if e % 2 == 0 {
            _mm256_unpacklo_epi64(a, b)
        } else {
            _mm256_unpackhi_epi64(a, b)
        }
    });
    // Element e of all eight rows: the low halves of u[e] and u[4 + e]; e + 4: the high ones.
    core::array::from_fn(|i| {
        let e = i % 4;
        if i < 4 {
            _mm256_permute2x128_si256::<0x20>(u[e], u[4 + e])
        } else {
            _mm256_permute2x128_si256::<0x31>(u[e], u[4 + e])
        }
    })
}

/// One tile: [`MR`] panel rows × `B` filter blocks, accumulated over `K'` with `vpmaddwd`,
/// then requantised and stored for the `rows` valid pixels and each block's valid lanes.
#[allow(clippy::too_many_arguments)]
#[inline]
#[target_feature(enable = "avx2")]
fn tile<const B: usize>(
    panel: &[i16],
    kp: usize,
    w: &[i16],
    blocks: &[Block],
    stage: &Stage8,
    p0: usize,
    rows: usize,
    oc_n: usize,
    output: &mut [i8],
) {
    let pairs = kp / 2;
    assert!(panel.len() >= MR * kp && w.len() >= B * kp * LANES && blocks.len() >= B);
    assert!(rows <= MR && output.len() >= (p0 + rows) * oc_n);
    let mut acc = [[_mm256_setzero_si256(); B]; MR];
    let (x, wp) = (panel.as_ptr(), w.as_ptr());
    for j in 0..pairs {
        let mut wv = [_mm256_setzero_si256(); B];
        for (b, v) in wv.iter_mut().enumerate() {
            // SAFETY: block b's pair j is the 16 int16 at `(b·pairs + j)·16`, below
            // `B·K'·8 ≤ w.len()` (asserted above).
            *v = unsafe { _mm256_loadu_si256(wp.add((b * pairs + j) * 2 * LANES).cast()) };
        }
        for (r, acc_r) in acc.iter_mut().enumerate() {
            // SAFETY: pixel r's pair j is the 2 int16 at `r·K' + 2j`, inside the panel
            // (`MR·K'` elements, asserted above).
            let pair = unsafe { x.add(r * kp + 2 * j).cast::<i32>().read_unaligned() };
            let xv = _mm256_set1_epi32(pair);
            for (a, &wb) in acc_r.iter_mut().zip(&wv) {
                *a = _mm256_add_epi32(*a, _mm256_madd_epi16(xv, wb));
            }
        }
    }
    for (b, blk) in blocks.iter().enumerate().take(B) {
        // Every row is requantised (a last tile's unused rows too, never stored), then
        // narrowed two rows at a time.
        // (A loop, not `array::from_fn`: its closure would not inherit AVX2 and would not
        // be inlined.)
        let mut q = [_mm256_setzero_si256(); MR];
        for (q, acc_r) in q.iter_mut().zip(&acc) {
            let acc = _mm256_add_epi32(acc_r[b], blk.constant);
            *q = if blk.bounded {
                blk.requant.multiply_bounded(acc)
            } else {
                blk.requant.multiply(acc)
            };
        }
        for r in (0..rows).step_by(2) {
            // Row `r`'s bytes in the low 8, row `r + 1`'s in the high 8.
            let bytes = if blk.bounded {
                stage.narrow16_small(q[r], q[r + 1])
            } else {
                stage.narrow16(q[r], q[r + 1])
            };
            store_row(output, (p0 + r) * oc_n + blk.oc0, blk.lanes, bytes);
            if r + 1 < rows {
                let high = _mm_unpackhi_epi64(bytes, bytes);
                store_row(output, (p0 + r + 1) * oc_n + blk.oc0, blk.lanes, high);
            }
        }
    }
}

/// Stores the low `lanes` (at most 8) bytes of `bytes` at `output[at..]`.
#[inline]
#[target_feature(enable = "avx2")]
fn store_row(output: &mut [i8], at: usize, lanes: usize, bytes: __m128i) {
    let o = &mut output[at..at + lanes];
    if lanes == LANES {
        // SAFETY: `o` is 8 writable bytes; the store is unaligned.
        unsafe { _mm_storel_epi64(o.as_mut_ptr().cast(), bytes) };
    } else {
        let mut tmp = [0i8; 16];
        // SAFETY: `tmp` is 16 writable bytes.
        unsafe { _mm_storeu_si128(tmp.as_mut_ptr().cast(), bytes) };
        o.copy_from_slice(&tmp[..lanes]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::conv2d::checks;

    extern crate std;

    /// The kernel packing its filter per call.
    fn per_call(g: &ConvGeometry, op: &ConvOperands<'_>, out: &mut [i8]) -> bool {
        try_conv2d(g, op, None, out)
    }

    /// The kernel reading a filter [`pack_filter`] packed ahead, in a 32-byte aligned
    /// buffer as `PackedFilters` lays them out.
    fn prepacked_ahead(g: &ConvGeometry, op: &ConvOperands<'_>, out: &mut [i8]) -> bool {
        let (k, oc) = (g.kh * g.kw * g.input.c, g.output.c);
        let mut buf = std::vec![0u8; packed_bytes(k, oc) + 32];
        let at = buf.as_ptr().align_offset(32);
        let bytes = &mut buf[at..at + packed_bytes(k, oc)];
        assert!(pack_filter(op.filter, k, oc, bytes));
        let pre = prepacked(bytes, k, oc).expect("an aligned packed filter of the right size");
        try_conv2d(g, op, Some(pre), out)
    }

    /// Random geometries equal the reference kernel byte for byte, with the filter packed
    /// per call and ahead.
    #[test]
    fn matches_reference() {
        if !crate::kernels::x86::avx2_or_skip() {
            return;
        }
        assert!(checks::random_layers(41, 400, &per_call) > 300);
        assert!(checks::random_layers(47, 400, &prepacked_ahead) > 300);
    }

    /// A packed filter of another size, or a misaligned one, is not used: the kernel packs
    /// per call and still computes the layer exactly.
    #[test]
    fn mismatched_packs_are_ignored() {
        if !crate::kernels::x86::avx2_or_skip() {
            return;
        }
        let (k, oc) = (8usize, 24usize);
        let filter: std::vec::Vec<i8> = (0..k * oc).map(|i| (i * 7) as i8).collect();
        let mut buf = std::vec![0u8; packed_bytes(k, oc) + 64];
        let at = buf.as_ptr().align_offset(32);
        assert!(
            !pack_filter(&filter, k, oc, &mut buf[at + 1..]),
            "misaligned"
        );
        assert!(!pack_filter(&filter, k, oc, &mut buf[at..at + 10]), "short");
        assert!(pack_filter(&filter, k, oc, &mut buf[at..]));
        assert!(prepacked(&buf[at + 2..], k, oc).is_none());
        assert!(prepacked(&buf[at..at + 10], k, oc).is_none());
        // A pack for 16 channels handed to a 24-channel layer is refused by `try_conv2d`.
        let small = prepacked(&buf[at..], k, 16).expect("a pack of the 16-channel size");
        checks::wide_layer(53, k, oc, &|g, op, out| try_conv2d(g, op, Some(small), out));
    }

    /// Every length up to 40 widens exactly (each step size and remainder).
    #[test]
    fn widens_every_length() {
        if !crate::kernels::x86::avx2_or_skip() {
            return;
        }
        let src: [i8; 40] = core::array::from_fn(|i| (i as i8).wrapping_mul(37));
        for n in 0..=40 {
            let mut dst = [0x5555i16; 41];
            // SAFETY: AVX2 is present (checked above).
            unsafe { widen(&src[..n], &mut dst[..n]) };
            assert!(
                src[..n].iter().zip(&dst).all(|(&s, &d)| i16::from(s) == d),
                "{n}"
            );
            assert!(
                dst[n..].iter().all(|&d| d == 0x5555),
                "{n}: wrote past the end"
            );
        }
    }

    /// The register transpose moves element `i` of row `j` to element `j` of row `i`.
    #[test]
    fn transposes_eight_by_eight() {
        if !crate::kernels::x86::avx2_or_skip() {
            return;
        }
        let rows: [[i32; 8]; 8] =
            core::array::from_fn(|j| core::array::from_fn(|i| (10 * j + i) as i32));
        // SAFETY: AVX2 is present (checked above).
        let out = unsafe { transpose8x8(rows.map(|r| load8(&r))) };
        for (i, v) in out.iter().enumerate() {
            let mut lanes = [0i32; 8];
            // SAFETY: AVX2; `lanes` is 32 writable bytes.
            unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), *v) };
            assert_eq!(lanes, core::array::from_fn(|j| (10 * j + i) as i32));
        }
    }

    /// A layer with more filter blocks than the pack buffer holds is computed in turns.
    #[test]
    fn wide_layers_are_packed_in_turns() {
        if !crate::kernels::x86::avx2_or_skip() {
            return;
        }
        let (ic, oc) = (1024usize, 60usize);
        assert!(oc.div_ceil(LANES) > PACK / (ic * LANES));
        checks::wide_layer(43, ic, oc, &per_call);
        checks::wide_layer(43, ic, oc, &prepacked_ahead);
    }
}
