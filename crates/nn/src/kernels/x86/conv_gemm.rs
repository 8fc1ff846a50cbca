// SPDX-License-Identifier: Apache-2.0
//! CONV_2D (one group, unit horizontal dilation) as an int8 matrix product with AVX-512
//! VNNI: output pixels × output channels, `K = kh · kw · in_c` deep.
//!
//! Per call the filter is packed, sixteen output channels per block, as
//! `[K'/4][16 channels][4 taps]`, where `K'` lays the `K` taps out as `kh` filter rows of
//! `kw · in_c` bytes each rounded up to a multiple of 4 (zero filter bytes in the gaps).
//! Tiles of `MR` output pixels whose windows lie inside the input read it in place, one
//! rounded-up filter row at a time (the bytes past a row meet zero filter bytes); other
//! tiles first gather their windows into a panel in the same layout (padded taps hold the
//! input zero point, as in `conv2d_patches`). `vpdpbusd` multiplies unsigned bytes by
//! signed ones, so one side is offset by 128, in one of two ways:
//! - deep layers (`signed_input`): the filter bytes are packed as `f + 128` (gaps stay
//!   0) and the input bytes enter as they are, as the instruction's broadcast operand
//!   (a load, no shuffle). The tile then subtracts `128 · Σ x` over the pixel's window
//!   (real taps only), a few vector sums per pixel:
//!   `Σ f·(x + off) + bias = Σ (f + 128)·x − 128·Σ x + off·Σ f + bias`;
//! - shallow layers, where that window sum would cost more than it saves: each input word
//!   has its sign bits flipped (`x + 128`, unsigned) in a general register before it is
//!   broadcast, and the constant absorbs the flip:
//!   `Σ f·(x + off) + bias = Σ f·(x + 128) + (off − 128)·Σ f + bias`.
//!
//! (All wrapping int32, as everywhere in these kernels.) Requantisation is sixteen lanes at
//! a time ([`Requant16`]).
//!
//! A filter can also be packed once ahead ([`pack_filter`], which `crate::packed` calls at
//! load): the same bytes and per-channel filter sums, then read by every call.

use core::arch::x86_64::*;
use core::mem::MaybeUninit;

use super::requant::{self, Requant16};
use super::zeroed;
use crate::kernels::conv2d::{gather_patch, is_row_contiguous, ConvGeometry, Pixel};
use crate::kernels::{ConvOperands, OutputStage};

/// Output pixels per tile (rows of the panel).
const MR: usize = 8;
/// Output channels per vector.
const LANES: usize = 16;
/// Stack bytes for packed filter blocks held at once (more blocks than fit are packed in
/// turns, each turn re-gathering the panels).
const PACK_BYTES: usize = 64 * 1024;
/// Stack bytes for one panel (`MR` rows of `K'`).
const PANEL_BYTES: usize = 32 * 1024;
/// Filter blocks held at once, at most (bounds the per-block constants on the stack).
const MAX_BLOCKS: usize = 64;
/// The buffers for small layers (zeroing the large ones cost more than such a layer's
/// arithmetic).
const SMALL_PACK_BYTES: usize = 8 * 1024;
/// Panel bytes for small layers.
const SMALL_PANEL_BYTES: usize = 4 * 1024;
/// Filter blocks held at once for small layers.
const SMALL_BLOCKS: usize = 8;

/// How a pixel's `K` taps lie in the packed filter and in the panel: `kh` filter rows of
/// `row_len = kw · in_c` bytes, each padded to `run` (a multiple of 4).
#[derive(Debug, Clone, Copy)]
struct Layout {
    rows: usize,
    row_len: usize,
    run: usize,
}

impl Layout {
    fn of(g: &ConvGeometry) -> Self {
        Self::new(g.kh, g.kw * g.input.c)
    }

    /// `rows` filter rows of `row_len` taps.
    fn new(rows: usize, row_len: usize) -> Self {
        Self {
            rows,
            row_len,
            run: row_len.next_multiple_of(4),
        }
    }

    /// Bytes of one packed block of sixteen channels.
    fn block_bytes(&self) -> usize {
        self.kp() * LANES
    }

    /// Taps per pixel (`K`).
    fn k(&self) -> usize {
        self.rows * self.row_len
    }

    /// Packed taps per pixel (`K'`).
    fn kp(&self) -> usize {
        self.rows * self.run
    }
}

/// True when this kernel computes `g` exactly: one group, unit horizontal dilation, an input
/// zero point that is an int8 value (padded taps are written as it), a panel and two filter
/// blocks that fit their stack buffers, filter offsets that fit the gather's 32-bit indices,
/// and requantisation parameters the vector form reproduces.
pub fn applies(g: &ConvGeometry, op: &ConvOperands<'_>) -> bool {
    let layout = Layout::of(g);
    let kp = layout.kp();
    is_row_contiguous(g)
        && layout.k() > 0
        && g.kh <= MAX_ROWS
        && kp * MR <= PANEL_BYTES
        && 2 * kp * LANES <= PACK_BYTES
        && g.output.c.saturating_mul(layout.k()) <= i32::MAX as usize
        && i8::try_from(op.input_offset.wrapping_neg()).is_ok()
        && op.filter.len() >= g.output.c * layout.k()
        && op.mults.len() >= g.output.c
        && op.bias.is_none_or(|b| b.len() >= g.output.c)
        && requant::supported(&op.mults[..g.output.c])
}

/// True when layers of this shape take the input as the signed operand (see the module
/// note): when the broadcasts it saves, one per 4 taps and pixel, outnumber about four
/// times the 64-byte chunks of the pixel's window sum plus its reduction. (Measured on
/// an Intel Xeon: DTN's 3×3×32 layers gain about a fifth, 5×5×3 first layers lose.)
fn signed_input(layout: Layout) -> bool {
    let chunks = layout.rows * layout.row_len.div_ceil(64);
    layout.kp() / 4 >= 4 * chunks + 8
}

/// Runs the convolution here when the CPU has AVX-512 VNNI and [`applies`] holds; returns
/// false (output untouched) otherwise, and the caller uses a portable kernel.
/// `packed` is the layer's filter as [`pack_filter`] packed it ahead, if it was (a pack of
/// another shape is ignored).
pub fn try_conv2d(
    g: &ConvGeometry,
    op: &ConvOperands<'_>,
    packed: Option<Prepacked<'_>>,
    output: &mut [i8],
) -> bool {
    let layout = Layout::of(g);
    let packed = packed.filter(|p| p.fits(layout, g.output.c));
    try_conv2d_as(g, op, packed, output, signed_input(layout))
}

/// [`try_conv2d`] with the input's operand chosen by the caller (`signed`; a `packed`
/// filter must have been packed for the same choice).
fn try_conv2d_as(
    g: &ConvGeometry,
    op: &ConvOperands<'_>,
    packed: Option<Prepacked<'_>>,
    output: &mut [i8],
    signed: bool,
) -> bool {
    if !super::has_avx512_vnni() || !applies(g, op) {
        return false;
    }
    // A pack holds the form `signed_input` chooses for the shape.
    let packed = packed.filter(|_| signed == signed_input(Layout::of(g)));
    // Small layers get small stack buffers (the pack's is written per call, the panel's
    // used part zeroed per call); a filter packed ahead needs no pack buffer.
    let kp = Layout::of(g).kp();
    let blocks = g.output.c.div_ceil(LANES);
    let small = kp * MR <= SMALL_PANEL_BYTES
        && blocks <= SMALL_BLOCKS
        && blocks * kp * LANES <= SMALL_PACK_BYTES;
    macro_rules! run {
        ($pack:expr, $panel:expr, $blocks:expr) => {
            // SAFETY: the CPU supports AVX-512 F/BW/VL/VNNI (checked just above).
            unsafe {
                if signed {
                    conv2d_vnni::<{ $pack }, { $panel }, { $blocks }, true>(g, op, packed, output)
                } else {
                    conv2d_vnni::<{ $pack }, { $panel }, { $blocks }, false>(g, op, packed, output)
                }
            }
        };
    }
    match (small, packed.is_some()) {
        (true, false) => run!(SMALL_PACK_BYTES, SMALL_PANEL_BYTES, SMALL_BLOCKS),
        (false, false) => run!(PACK_BYTES, PANEL_BYTES, MAX_BLOCKS),
        (true, true) => run!(0, SMALL_PANEL_BYTES, SMALL_BLOCKS),
        (false, true) => run!(0, PANEL_BYTES, MAX_BLOCKS),
    }
    true
}

/// A filter [`pack_filter`] packed ahead: the blocks (in the form `signed_input` chooses
/// for the layer's shape), then each channel's filter sum.
#[derive(Debug, Clone, Copy)]
pub struct Prepacked<'a> {
    weights: &'a [i8],
    sums: &'a [i32],
}

impl Prepacked<'_> {
    /// True when this pack is for `layout` and `oc` channels.
    fn fits(&self, layout: Layout, oc: usize) -> bool {
        self.weights.len() == oc.div_ceil(LANES) * layout.block_bytes() && self.sums.len() == oc
    }
}

/// The weights' bytes of a pack: whole blocks, then padding to 64 bytes (the sums follow,
/// aligned).
fn packed_weight_bytes(layout: Layout, oc: usize) -> usize {
    (oc.div_ceil(LANES) * layout.block_bytes()).next_multiple_of(64)
}

/// Bytes [`pack_filter`] writes for a CONV_2D of `oc` output channels with `kh` filter
/// rows of `row_len = kw · in_c` taps: the blocks, then the sums. 0 when there is no
/// filter.
pub fn packed_bytes(kh: usize, row_len: usize, oc: usize) -> usize {
    if kh == 0 || row_len == 0 || oc == 0 {
        return 0;
    }
    packed_weight_bytes(Layout::new(kh, row_len), oc) + oc * 4
}

/// Packs `filter` (`oc` rows of `kh · row_len` bytes, OHWI) into `dst` (at least
/// [`packed_bytes`] long, 4-byte aligned) in the layout the kernel packs per call (the form
/// `signed_input` chooses for the shape), with each channel's filter sum; returns false
/// (nothing useful written) when `dst` is short or misaligned or `filter` short. Plain
/// code: it runs once per model, on any CPU.
pub fn pack_filter(filter: &[i8], kh: usize, row_len: usize, oc: usize, dst: &mut [u8]) -> bool {
    let bytes = packed_bytes(kh, row_len, oc);
    let layout = Layout::new(kh, row_len);
    let k = layout.k();
    if bytes == 0 || dst.len() < bytes || filter.len() < oc * k {
        return false;
    }
    let (weights, sums) = dst[..bytes].split_at_mut(packed_weight_bytes(layout, oc));
    let Ok(sums) = bytemuck::try_cast_slice_mut::<u8, i32>(sums) else {
        return false;
    };
    let signed = signed_input(layout);
    let groups = layout.run / 4;
    weights.fill(0);
    for (b, block) in weights
        .chunks_exact_mut(layout.block_bytes())
        .take(oc.div_ceil(LANES))
        .enumerate()
    {
        for l in 0..LANES.min(oc - b * LANES) {
            let row = &filter[(b * LANES + l) * k..][..k];
            for (ky, taps) in row.chunks_exact(row_len).enumerate() {
                for (t, &f) in taps.iter().enumerate() {
                    let at = (ky * groups + t / 4) * 4 * LANES + l * 4 + t % 4;
                    block[at] = (if signed { f ^ i8::MIN } else { f }) as u8;
                }
            }
        }
    }
    for (c, s) in sums.iter_mut().enumerate() {
        *s = filter[c * k..(c + 1) * k]
            .iter()
            .fold(0i32, |a, &f| a.wrapping_add(i32::from(f)));
    }
    true
}

/// The packed filter [`pack_filter`] wrote into `bytes` for such a layer, or `None` when
/// `bytes` is short or misaligned.
pub fn prepacked(bytes: &[u8], kh: usize, row_len: usize, oc: usize) -> Option<Prepacked<'_>> {
    let total = packed_bytes(kh, row_len, oc);
    if total == 0 || bytes.len() < total {
        return None;
    }
    let layout = Layout::new(kh, row_len);
    let (weights, sums) = bytes[..total].split_at(packed_weight_bytes(layout, oc));
    Some(Prepacked {
        weights: bytemuck::cast_slice(&weights[..oc.div_ceil(LANES) * layout.block_bytes()]),
        sums: bytemuck::try_cast_slice(sums).ok()?,
    })
}

/// One filter block's constants: `off·Σ f + bias` (signed input) or `(off − 128)·Σ f + bias`
/// per lane, and its requantisation.
#[derive(Clone, Copy)]
struct BlockParams {
    constant: __m512i,
    requant: Requant16,
    /// Output channel of lane 0.
    oc0: usize,
    /// Valid lanes (the last block of a layer may be partial).
    lanes: usize,
}

/// Where a tile's `K` input bytes per pixel are read: row `r`'s taps are the `run`-byte runs
/// at `base[rows[r] + taps[t]..]`, in filter order. Interior tiles read the input tensor in
/// place (one run per filter tap, `in_c` bytes); border tiles read a gathered panel (one run
/// of `K` rounded up to 4).
struct Source<'a> {
    base: &'a [i8],
    rows: [usize; MR],
    taps: &'a [usize],
    run: usize,
}

impl Source<'_> {
    /// `128 ·` the sum of each pixel row's real taps (its window, without the gaps after
    /// each filter row), in wrapping int32: the signed-input tile's corrections. The rows
    /// are summed side by side (independent chains), 64 bytes at a time.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    fn corrections(&self, layout: Layout) -> [i32; MR] {
        // A direct source has one run per filter row; a panel one run of all of them.
        let segments = self.run / layout.run;
        assert!(self.in_bounds() && segments * layout.run <= self.run);
        assert!(layout.row_len <= layout.run);
        let ones = _mm512_set1_epi8(1);
        let base = self.base.as_ptr();
        let mut acc = [_mm512_setzero_si512(); MR];
        for &tap in self.taps {
            for seg in 0..segments {
                let run = tap + seg * layout.run;
                let mut done = 0;
                while done < layout.row_len {
                    let n = (layout.row_len - done).min(64);
                    let mask = u64::MAX >> (64 - n);
                    for (acc, &row) in acc.iter_mut().zip(&self.rows) {
                        // SAFETY: the bytes read are `row + run + done..+ n`, within
                        // `row + tap + self.run ≤ base.len()` (`in_bounds` and the layout
                        // bounds asserted above); masked-off bytes are neither read nor
                        // fault.
                        let v =
                            unsafe { _mm512_maskz_loadu_epi8(mask, base.add(row + run + done)) };
                        *acc = _mm512_dpbusd_epi32(*acc, ones, v);
                    }
                    done += n;
                }
            }
        }
        let mut out = [0i32; MR];
        for (o, a) in out.iter_mut().zip(acc) {
            *o = _mm512_reduce_add_epi32(a).wrapping_mul(128);
        }
        out
    }

    /// True when every byte the tile reads lies inside `base` and runs are whole 4-byte
    /// groups.
    fn in_bounds(&self) -> bool {
        let row = self.rows.iter().max().copied().unwrap_or(0);
        let tap = self.taps.iter().max().copied().unwrap_or(0);
        self.run.is_multiple_of(4) && row + tap + self.run <= self.base.len()
    }
}

/// Filter rows whose input offsets an interior tile keeps on the stack.
const MAX_ROWS: usize = 16;

#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni")]
fn conv2d_vnni<const PACK: usize, const PANEL: usize, const BLOCKS: usize, const SIGNED: bool>(
    g: &ConvGeometry,
    op: &ConvOperands<'_>,
    packed: Option<Prepacked<'_>>,
    output: &mut [i8],
) {
    let (inp, out, win) = (g.input, g.output, g.window);
    let layout = Layout::of(g);
    let kp = layout.kp();
    let pixels = out.n * out.h * out.w;
    let oc_n = out.c;
    assert!(output.len() >= pixels * oc_n && op.input.len() >= inp.len());
    let block_bytes = layout.block_bytes();
    let blocks_total = oc_n.div_ceil(LANES);
    let per_turn = match packed {
        Some(_) => BLOCKS,
        None => (PACK / block_bytes).min(BLOCKS),
    };
    assert!(per_turn >= 1 && kp * MR <= PANEL);
    let pad = op.input_offset.wrapping_neg() as i8;
    // Input offset of filter row `ky` relative to a window's origin.
    let row_offsets: [usize; MAX_ROWS] =
        core::array::from_fn(|ky| ky * win.dilation_h * inp.w * inp.c);
    let row_offsets = &row_offsets[..g.kh];

    // Written before they are read, so they start uninitialised (zeroing them whole cost
    // more than a small layer's arithmetic): the pack and the block constants block by
    // block, the panel's used part zeroed once.
    let mut pack_buf = [const { MaybeUninit::<i8>::uninit() }; PACK];
    let mut panel_buf = [const { MaybeUninit::<i8>::uninit() }; PANEL];
    let panel = zeroed(&mut panel_buf[..MR * kp]);
    let mut params_buf = [const { MaybeUninit::<BlockParams>::uninit() }; BLOCKS];
    let whole_panel = [0usize];
    let mut first = 0;
    while first < blocks_total {
        let blocks = per_turn.min(blocks_total - first);
        let pack: &[i8] = match packed {
            Some(pre) => {
                assert!(pre.sums.len() >= oc_n);
                for (b, p) in params_buf.iter_mut().take(blocks).enumerate() {
                    let oc0 = (first + b) * LANES;
                    let lanes = LANES.min(oc_n - oc0);
                    let mut sums = [0i32; LANES];
                    sums[..lanes].copy_from_slice(&pre.sums[oc0..oc0 + lanes]);
                    // SAFETY: `sums` is 64 readable bytes.
                    let sums = unsafe { _mm512_loadu_si512(sums.as_ptr().cast()) };
                    p.write(block_params::<SIGNED>(op, sums, oc0, lanes));
                }
                &pre.weights[first * block_bytes..(first + blocks) * block_bytes]
            }
            None => {
                for (b, (dst, p)) in pack_buf
                    .chunks_exact_mut(block_bytes)
                    .zip(params_buf.iter_mut())
                    .take(blocks)
                    .enumerate()
                {
                    let oc0 = (first + b) * LANES;
                    let lanes = LANES.min(oc_n - oc0);
                    p.write(pack_block::<SIGNED>(op, layout, oc0, lanes, dst));
                }
                // SAFETY: `pack_block` wrote every byte of the first `blocks` blocks just
                // above; `MaybeUninit<i8>` has `i8`'s layout.
                unsafe {
                    core::slice::from_raw_parts(
                        pack_buf.as_ptr().cast::<i8>(),
                        blocks * block_bytes,
                    )
                }
            }
        };
        // SAFETY: the first `blocks` block constants were written just above;
        // `MaybeUninit<T>` has `T`'s layout.
        let params = unsafe {
            core::slice::from_raw_parts(params_buf.as_ptr().cast::<BlockParams>(), blocks)
        };
        let mut p0 = 0;
        let mut at: Pixel = (0, 0, 0);
        while p0 < pixels {
            let rows = MR.min(pixels - p0);
            let mut tile_pixels = [at; MR];
            for r in 1..MR {
                tile_pixels[r] = g.next_pixel(tile_pixels[r - 1]);
            }
            at = g.next_pixel(tile_pixels[MR - 1]);
            let mut origins = [0usize; MR];
            let all_interior = (0..rows).all(|r| {
                g.interior_origin(tile_pixels[r])
                    .map(|o| origins[r] = o)
                    .is_some()
            });
            for r in rows..MR {
                origins[r] = origins[0];
            }
            let direct = Source {
                base: op.input,
                rows: origins,
                taps: row_offsets,
                run: layout.run,
            };
            let src = if all_interior && direct.in_bounds() {
                direct
            } else {
                fill_panel(
                    g,
                    layout,
                    op.input,
                    &tile_pixels[..rows],
                    pad,
                    &mut panel[..MR * kp],
                );
                Source {
                    base: &panel[..MR * kp],
                    rows: core::array::from_fn(|r| if r < rows { r * kp } else { 0 }),
                    taps: &whole_panel,
                    run: kp,
                }
            };
            // `128 · Σ x` of each row's window, which the signed-input tile subtracts.
            let corrections = if SIGNED {
                src.corrections(layout)
            } else {
                [0; MR]
            };
            let mut b = 0;
            while b + 2 <= blocks {
                let w = &pack[b * block_bytes..(b + 2) * block_bytes];
                tile::<2, SIGNED>(
                    &src,
                    &corrections,
                    w,
                    &params[b..b + 2],
                    &op.stage,
                    p0,
                    rows,
                    oc_n,
                    output,
                );
                b += 2;
            }
            if b < blocks {
                let w = &pack[b * block_bytes..(b + 1) * block_bytes];
                tile::<1, SIGNED>(
                    &src,
                    &corrections,
                    w,
                    &params[b..b + 1],
                    &op.stage,
                    p0,
                    rows,
                    oc_n,
                    output,
                );
            }
            p0 += MR;
        }
        first += blocks;
    }
}

/// Packs output channels `oc0..oc0 + lanes` as `[K'/4][16][4]` into `dst` (`K' · 16`
/// bytes, each filter byte `f`, or `f + 128` as an unsigned byte when `SIGNED`; gaps
/// between filter rows and lanes past `lanes` are zero) and returns their constants. Whole
/// 4-byte groups are fetched sixteen channels at a time with a gather, and their sums taken
/// with `vpdpbusd` against ones.
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni")]
fn pack_block<const SIGNED: bool>(
    op: &ConvOperands<'_>,
    layout: Layout,
    oc0: usize,
    lanes: usize,
    dst: &mut [MaybeUninit<i8>],
) -> BlockParams {
    let k = layout.k();
    let groups = layout.run / 4;
    assert!(dst.len() >= layout.kp() * LANES && (oc0 + lanes) * k <= op.filter.len());
    assert!((oc0 + lanes) * k <= i32::MAX as usize && lanes <= LANES);
    let mask = ((1u32 << lanes) - 1) as u16;
    let ones = _mm512_set1_epi8(1);
    let lane_rows = _mm512_mullo_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        _mm512_set1_epi32(k as i32),
    );
    let base = op.filter[oc0 * k..].as_ptr();
    let mut sums = _mm512_setzero_si512();
    let mut tail_sums = [0i32; LANES];
    for ky in 0..layout.rows {
        for j in 0..groups {
            let at = (ky * groups + j) * 64;
            let t0 = ky * layout.row_len + 4 * j;
            let whole = 4 * j + 4 <= layout.row_len;
            let v = if whole {
                let index = _mm512_add_epi32(lane_rows, _mm512_set1_epi32(t0 as i32));
                // SAFETY: lane l (< lanes, the others are masked off and not read) reads the
                // 4 bytes at `(oc0 + l)·k + t0`, with `t0 + 4 ≤ (ky + 1)·row_len ≤ k`, inside
                // `filter` (asserted above); indices fit i32 (asserted).
                unsafe {
                    _mm512_mask_i32gather_epi32::<1>(
                        _mm512_setzero_si512(),
                        mask,
                        index,
                        base.cast(),
                    )
                }
            } else {
                // The last, partial group of a filter row: its bytes one by one, zero after.
                let mut group = [0i8; 64];
                for l in 0..lanes {
                    let row = &op.filter[(oc0 + l) * k..(oc0 + l + 1) * k];
                    for (b, &f) in row[t0..(ky + 1) * layout.row_len].iter().enumerate() {
                        group[l * 4 + b] = if SIGNED { f ^ i8::MIN } else { f };
                        tail_sums[l] = tail_sums[l].wrapping_add(i32::from(f));
                    }
                }
                // SAFETY: `group` is 64 readable bytes.
                unsafe { _mm512_loadu_si512(group.as_ptr().cast()) }
            };
            let v = if whole {
                sums = _mm512_dpbusd_epi32(sums, ones, v);
                if SIGNED {
                    // `f + 128` as unsigned bytes, in the gathered lanes only.
                    _mm512_maskz_mov_epi32(mask, _mm512_xor_si512(v, _mm512_set1_epi8(i8::MIN)))
                } else {
                    v
                }
            } else {
                v
            };
            // SAFETY: `at + 64 ≤ K'·16 ≤ dst.len()` (asserted above).
            unsafe { _mm512_storeu_si512(dst.as_mut_ptr().add(at).cast(), v) };
        }
    }
    // SAFETY: `tail_sums` is 64 readable bytes.
    let tail = unsafe { _mm512_loadu_si512(tail_sums.as_ptr().cast()) };
    block_params::<SIGNED>(op, _mm512_add_epi32(sums, tail), oc0, lanes)
}

/// The constants of the block of channels `oc0..oc0 + lanes` whose filter sums are
/// `filter_sums` (lanes past `lanes` unused).
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni")]
fn block_params<const SIGNED: bool>(
    op: &ConvOperands<'_>,
    filter_sums: __m512i,
    oc0: usize,
    lanes: usize,
) -> BlockParams {
    let mut bias = [0i32; LANES];
    for (l, b) in bias.iter_mut().enumerate().take(lanes) {
        *b = op.bias.map_or(0, |bias| bias[oc0 + l]);
    }
    // SAFETY: `bias` is 64 readable bytes.
    let bias = unsafe { _mm512_loadu_si512(bias.as_ptr().cast()) };
    let offset = if SIGNED {
        op.input_offset
    } else {
        op.input_offset.wrapping_sub(128)
    };
    BlockParams {
        constant: _mm512_add_epi32(
            _mm512_mullo_epi32(_mm512_set1_epi32(offset), filter_sums),
            bias,
        ),
        requant: Requant16::new(&op.mults[oc0..oc0 + lanes]),
        oc0,
        lanes,
    }
}

/// Gathers the windows of output pixels `pixels` into panel rows of `K'` bytes in the packed
/// layout (padded taps hold the input zero point `pad`; the gaps after each filter row keep
/// whatever they hold, which the zero filter bytes there cancel); further rows are left as
/// they are (the tile does not store them).
fn fill_panel(
    g: &ConvGeometry,
    layout: Layout,
    input: &[i8],
    pixels: &[Pixel],
    pad: i8,
    panel: &mut [i8],
) {
    for (row, &(b, oy, ox)) in panel.chunks_exact_mut(layout.kp()).zip(pixels) {
        gather_patch(g, input, b, oy, ox, pad, layout.run, row);
    }
}

/// One tile: [`MR`] pixel rows of `src` × `NB` filter blocks, accumulated over `K` with
/// `vpdpbusd` (`SIGNED`: the input bytes as they are against `f + 128`, then row `r`'s
/// `corrections[r]` subtracted; else each input byte's sign bit flipped on the way in,
/// `x + 128` as unsigned, against `f`), then requantised and stored for the `rows` valid
/// pixels and each block's valid lanes.
#[allow(clippy::too_many_arguments)]
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni")]
fn tile<const NB: usize, const SIGNED: bool>(
    src: &Source<'_>,
    corrections: &[i32; MR],
    w: &[i8],
    params: &[BlockParams],
    stage: &OutputStage,
    p0: usize,
    rows: usize,
    oc_n: usize,
    output: &mut [i8],
) {
    let k4s = src.taps.len() * src.run / 4;
    assert!(src.in_bounds() && w.len() >= NB * k4s * 4 * LANES && params.len() >= NB);
    assert!(rows <= MR && output.len() >= (p0 + rows) * oc_n);
    let mut acc = [[_mm512_setzero_si512(); NB]; MR];
    let (a, wp) = (src.base.as_ptr(), w.as_ptr());
    let mut k4 = 0;
    for &tap in src.taps {
        for c4 in 0..src.run / 4 {
            let mut wv = [_mm512_setzero_si512(); NB];
            for (j, v) in wv.iter_mut().enumerate() {
                // SAFETY: block j's taps k4·4..k4·4+4 are the 64 bytes at
                // `(j·K/4 + k4)·64`, below `NB·K·16 ≤ w.len()` (asserted above).
                *v = unsafe { _mm512_loadu_si512(wp.add((j * k4s + k4) * 64).cast()) };
            }
            for (&row, acc_r) in src.rows.iter().zip(acc.iter_mut()) {
                // SAFETY: `row + tap + 4·c4 + 4 ≤ row + tap + run ≤ base.len()`
                // (`Source::in_bounds`, asserted above).
                let x = unsafe { a.add(row + tap + 4 * c4).cast::<u32>().read_unaligned() };
                if SIGNED {
                    let x = _mm512_set1_epi32(x as i32);
                    for (acc_rj, wj) in acc_r.iter_mut().zip(wv) {
                        *acc_rj = _mm512_dpbusd_epi32(*acc_rj, wj, x);
                    }
                } else {
                    // The flip in a general register: a vector xor would take a port
                    // the products and the broadcast need.
                    let x = _mm512_set1_epi32((x ^ 0x8080_8080) as i32);
                    for (acc_rj, wj) in acc_r.iter_mut().zip(wv) {
                        *acc_rj = _mm512_dpbusd_epi32(*acc_rj, x, wj);
                    }
                }
            }
            k4 += 1;
        }
    }
    for (r, acc_r) in acc.iter().enumerate().take(rows) {
        let correction = _mm512_set1_epi32(corrections[r]);
        for (acc_rj, p) in acc_r.iter().zip(params) {
            let acc = if SIGNED {
                _mm512_sub_epi32(*acc_rj, correction)
            } else {
                *acc_rj
            };
            let q = p.requant.apply(_mm512_add_epi32(acc, p.constant), stage);
            let at = (p0 + r) * oc_n + p.oc0;
            let mask = ((1u32 << p.lanes) - 1) as u16;
            debug_assert!(p.oc0 + p.lanes <= oc_n);
            // SAFETY: the stored lanes are `at..at + lanes` with `oc0 + lanes ≤ oc_n`, inside
            // pixel `p0 + r < p0 + rows`'s row of `output` (length asserted above).
            unsafe { _mm_mask_storeu_epi8(output.as_mut_ptr().add(at).cast(), mask, q) };
        }
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

    /// `filter` packed by [`pack_filter`] into a 32-byte aligned buffer, as `PackedFilters`
    /// lays records out; returns the buffer and where the pack starts.
    fn pack_ahead(
        filter: &[i8],
        kh: usize,
        row_len: usize,
        oc: usize,
    ) -> (std::vec::Vec<u8>, usize) {
        let bytes = packed_bytes(kh, row_len, oc);
        let mut buf = std::vec![0u8; bytes + 64];
        let at = buf.as_ptr().align_offset(32);
        assert!(pack_filter(
            filter,
            kh,
            row_len,
            oc,
            &mut buf[at..at + bytes]
        ));
        (buf, at)
    }

    /// The kernel reading a filter [`pack_filter`] packed ahead.
    fn prepacked_ahead(g: &ConvGeometry, op: &ConvOperands<'_>, out: &mut [i8]) -> bool {
        let (row_len, oc) = (g.kw * g.input.c, g.output.c);
        let (buf, at) = pack_ahead(op.filter, g.kh, row_len, oc);
        let pre = prepacked(&buf[at..], g.kh, row_len, oc).expect("an aligned pack");
        assert!(pre.fits(Layout::of(g), oc));
        try_conv2d(g, op, Some(pre), out)
    }

    /// Random geometries equal the reference kernel byte for byte, with the filter packed
    /// per call and ahead.
    #[test]
    fn matches_reference() {
        if !crate::kernels::x86::vnni_or_skip() {
            return;
        }
        assert!(checks::random_layers(29, 400, &per_call) > 300);
        assert!(checks::random_layers(31, 400, &prepacked_ahead) > 300);
    }

    /// A pack of another shape, a short one or a misaligned one is not used: the kernel
    /// packs per call and still computes the layer exactly.
    #[test]
    fn mismatched_packs_are_ignored() {
        let (kh, row_len, oc) = (1usize, 96usize, 24usize);
        let filter: std::vec::Vec<i8> = (0..row_len * oc).map(|i| (i * 7) as i8).collect();
        let bytes = packed_bytes(kh, row_len, oc);
        let mut buf = std::vec![0u8; bytes + 64];
        let at = buf.as_ptr().align_offset(32);
        assert!(
            !pack_filter(&filter, kh, row_len, oc, &mut buf[at + 1..]),
            "misaligned"
        );
        assert!(
            !pack_filter(&filter, kh, row_len, oc, &mut buf[at..at + 10]),
            "short"
        );
        assert!(
            !pack_filter(&filter[..10], kh, row_len, oc, &mut buf[at..]),
            "short filter"
        );
        assert!(pack_filter(&filter, kh, row_len, oc, &mut buf[at..]));
        assert!(prepacked(&buf[at + 2..], kh, row_len, oc).is_none());
        assert!(prepacked(&buf[at..at + 10], kh, row_len, oc).is_none());
        // A pack for 16 channels does not fit a 24-channel layer.
        let small = prepacked(&buf[at..], kh, row_len, 16).expect("a pack of the 16-channel size");
        assert!(!small.fits(Layout::new(kh, row_len), oc));
        if !crate::kernels::x86::vnni_or_skip() {
            return;
        }
        checks::wide_layer(53, row_len, oc, &|g, op, out| {
            try_conv2d(g, op, Some(small), out)
        });
    }

    /// Both ways of taking the input equal the reference on every shape, whichever
    /// [`signed_input`] would choose.
    #[test]
    fn both_input_operands_match_reference() {
        if !crate::kernels::x86::vnni_or_skip() {
            return;
        }
        for signed in [false, true] {
            let kernel = |g: &ConvGeometry, op: &ConvOperands<'_>, out: &mut [i8]| {
                try_conv2d_as(g, op, None, out, signed)
            };
            assert!(
                checks::random_layers(37, 300, &kernel) > 200,
                "signed {signed}"
            );
        }
    }

    /// A layer with more filter blocks than the pack buffer holds is computed in turns.
    #[test]
    fn wide_layers_are_packed_in_turns() {
        if !crate::kernels::x86::vnni_or_skip() {
            return;
        }
        let (ic, oc) = (512usize, 160usize);
        assert!(oc.div_ceil(LANES) > PACK_BYTES / (ic * LANES));
        checks::wide_layer(31, ic, oc, &per_call);
        checks::wide_layer(33, ic, oc, &prepacked_ahead);
    }
}
