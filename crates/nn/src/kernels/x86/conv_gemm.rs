// SPDX-License-Identifier: Apache-2.0
//! CONV_2D (one group, unit horizontal dilation) as an int8 matrix product with AVX-512
//! VNNI: output pixels × output channels, `K = kh · kw · in_c` deep.
//!
//! Per call the filter is packed, sixteen output channels per block, as
//! `[K/4][16 channels][4 taps]`; per tile of [`MR`] output pixels their input windows are
//! gathered into a panel of `K` bytes each (padded taps hold the input zero point, as in
//! `conv2d_patches`) with the sign bit flipped, i.e. `x + 128` as unsigned bytes, which is the
//! operand `vpdpbusd` multiplies by the signed filter bytes. The accumulator then equals the
//! reference's when the per-channel constant absorbs the flip:
//! `Σ f·(x + off) + bias = Σ f·(x + 128) + (off − 128)·Σ f + bias` (wrapping int32, as
//! everywhere in these kernels). Requantisation is sixteen lanes at a time
//! ([`Requant16`]).

use core::arch::x86_64::*;

use super::requant::{self, Requant16};
use crate::kernels::conv2d::{gather_patch, is_pointwise, is_row_contiguous, ConvGeometry};
use crate::kernels::{ConvOperands, OutputStage};

/// Output pixels per tile (rows of the panel).
const MR: usize = 8;
/// Output channels per vector.
const LANES: usize = 16;
/// Stack bytes for packed filter blocks held at once (more blocks than fit are packed in
/// turns, each turn re-gathering the panels).
const PACK_BYTES: usize = 64 * 1024;
/// Stack bytes for one panel (`MR` rows of `K` rounded up to 4).
const PANEL_BYTES: usize = 32 * 1024;
/// Filter blocks held at once, at most (bounds the per-block constants on the stack).
const MAX_BLOCKS: usize = 64;

/// True when this kernel computes `g` exactly: one group, unit horizontal dilation, an input
/// zero point that is an int8 value (padded taps are written as it), a panel and two filter
/// blocks that fit their stack buffers, and requantisation parameters the vector form
/// reproduces.
pub fn applies(g: &ConvGeometry, op: &ConvOperands<'_>) -> bool {
    let k = g.kh * g.kw * g.input.c;
    let kp = k.next_multiple_of(4);
    is_row_contiguous(g)
        && k > 0
        && kp * MR <= PANEL_BYTES
        && 2 * kp * LANES <= PACK_BYTES
        && i8::try_from(op.input_offset.wrapping_neg()).is_ok()
        && op.mults.len() >= g.output.c
        && op.bias.is_none_or(|b| b.len() >= g.output.c)
        && requant::supported(&op.mults[..g.output.c])
}

/// Runs the convolution here when the CPU has AVX-512 VNNI and [`applies`] holds; returns
/// false (output untouched) otherwise, and the caller uses a portable kernel.
pub fn try_conv2d(g: &ConvGeometry, op: &ConvOperands<'_>, output: &mut [i8]) -> bool {
    if !super::has_avx512_vnni() || !applies(g, op) {
        return false;
    }
    // SAFETY: the CPU supports AVX-512 F/BW/VL/VNNI (checked just above).
    unsafe { conv2d_vnni(g, op, output) };
    true
}

/// One filter block's constants: `(off − 128)·Σ f + bias` per lane, and its requantisation.
#[derive(Clone, Copy)]
struct BlockParams {
    constant: __m512i,
    requant: Requant16,
    /// Output channel of lane 0.
    oc0: usize,
    /// Valid lanes (the last block of a layer may be partial).
    lanes: usize,
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni")]
fn conv2d_vnni(g: &ConvGeometry, op: &ConvOperands<'_>, output: &mut [i8]) {
    let out = g.output;
    let k = g.kh * g.kw * g.input.c;
    let kp = k.next_multiple_of(4);
    let pixels = out.n * out.h * out.w;
    let oc_n = out.c;
    assert!(output.len() >= pixels * oc_n && op.filter.len() >= oc_n * k);
    let block_bytes = kp * LANES;
    let blocks_total = oc_n.div_ceil(LANES);
    let per_turn = (PACK_BYTES / block_bytes).min(MAX_BLOCKS);
    let pad = op.input_offset.wrapping_neg() as i8;

    let mut pack = [0i8; PACK_BYTES];
    let mut panel = [0i8; PANEL_BYTES];
    let zero = BlockParams {
        constant: _mm512_setzero_si512(),
        requant: Requant16::new(&[]),
        oc0: 0,
        lanes: 0,
    };
    let mut params = [zero; MAX_BLOCKS];
    let mut first = 0;
    while first < blocks_total {
        let blocks = per_turn.min(blocks_total - first);
        for (b, (dst, p)) in pack
            .chunks_exact_mut(block_bytes)
            .zip(params.iter_mut())
            .take(blocks)
            .enumerate()
        {
            let oc0 = (first + b) * LANES;
            let lanes = LANES.min(oc_n - oc0);
            *p = pack_block(op, k, oc0, lanes, dst);
        }
        let mut p0 = 0;
        while p0 < pixels {
            let rows = MR.min(pixels - p0);
            fill_panel(g, op.input, p0, rows, pad, kp, &mut panel[..MR * kp]);
            let panel = &panel[..MR * kp];
            let mut b = 0;
            while b + 2 <= blocks {
                let w = &pack[b * block_bytes..(b + 2) * block_bytes];
                tile::<2>(
                    panel,
                    kp,
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
                tile::<1>(
                    panel,
                    kp,
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

/// Packs output channels `oc0..oc0 + lanes` as `[kp/4][16][4]` into `dst` (`kp · 16` bytes;
/// taps past `k` and lanes past `lanes` are zero) and returns their constants.
#[target_feature(enable = "avx512f")]
fn pack_block(
    op: &ConvOperands<'_>,
    k: usize,
    oc0: usize,
    lanes: usize,
    dst: &mut [i8],
) -> BlockParams {
    dst.fill(0);
    let mut constant = [0i32; LANES];
    let flip_offset = op.input_offset.wrapping_sub(128);
    for (lane, c) in constant.iter_mut().enumerate().take(lanes) {
        let oc = oc0 + lane;
        let row = &op.filter[oc * k..(oc + 1) * k];
        let mut sum = 0i32;
        for (t, &f) in row.iter().enumerate() {
            dst[(t / 4) * (4 * LANES) + lane * 4 + t % 4] = f;
            sum = sum.wrapping_add(i32::from(f));
        }
        let bias = op.bias.map_or(0, |b| b[oc]);
        *c = flip_offset.wrapping_mul(sum).wrapping_add(bias);
    }
    BlockParams {
        constant: _mm512_loadu_epi32_array(&constant),
        requant: Requant16::new(&op.mults[oc0..oc0 + lanes]),
        oc0,
        lanes,
    }
}

/// Sixteen int32 lanes from an array.
#[target_feature(enable = "avx512f")]
fn _mm512_loadu_epi32_array(v: &[i32; LANES]) -> __m512i {
    // SAFETY: `v` is 64 readable bytes; the load is unaligned.
    unsafe { _mm512_loadu_si512(v.as_ptr().cast()) }
}

/// Gathers output pixels `p0..p0 + rows` into panel rows of `kp` bytes, sign bits flipped;
/// rows past `rows` and bytes past `K` are zero.
fn fill_panel(
    g: &ConvGeometry,
    input: &[i8],
    p0: usize,
    rows: usize,
    pad: i8,
    kp: usize,
    panel: &mut [i8],
) {
    let out = g.output;
    let k = g.kh * g.kw * g.input.c;
    for (r, row) in panel.chunks_exact_mut(kp).enumerate() {
        if r >= rows {
            row.fill(0);
            continue;
        }
        let p = p0 + r;
        let (taps, tail) = row.split_at_mut(k);
        if is_pointwise(g) {
            taps.copy_from_slice(&input[p * k..(p + 1) * k]);
        } else {
            let (b, oy, ox) = (p / (out.h * out.w), (p / out.w) % out.h, p % out.w);
            gather_patch(g, input, b, oy, ox, pad, taps);
        }
        for v in taps.iter_mut() {
            *v ^= i8::MIN;
        }
        tail.fill(0);
    }
}

/// One tile: [`MR`] panel rows × `NB` filter blocks, accumulated over `kp` taps with
/// `vpdpbusd`, then requantised and stored for the `rows` valid pixels and each block's
/// valid lanes.
#[allow(clippy::too_many_arguments)]
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni")]
fn tile<const NB: usize>(
    panel: &[i8],
    kp: usize,
    w: &[i8],
    params: &[BlockParams],
    stage: &OutputStage,
    p0: usize,
    rows: usize,
    oc_n: usize,
    output: &mut [i8],
) {
    assert!(panel.len() >= MR * kp && w.len() >= NB * kp * LANES && params.len() >= NB);
    assert!(kp.is_multiple_of(4) && rows <= MR && output.len() >= (p0 + rows) * oc_n);
    let mut acc = [[_mm512_setzero_si512(); NB]; MR];
    let (a, wp) = (panel.as_ptr(), w.as_ptr());
    for k4 in 0..kp / 4 {
        let mut wv = [_mm512_setzero_si512(); NB];
        for (j, v) in wv.iter_mut().enumerate() {
            // SAFETY: block j's taps k4·4..k4·4+4 are the 64 bytes at
            // `(j·kp/4 + k4)·64 < NB·kp·16 ≤ w.len()` (asserted above).
            *v = unsafe { _mm512_loadu_si512(wp.add((j * kp / 4 + k4) * 64).cast()) };
        }
        for (r, acc_r) in acc.iter_mut().enumerate() {
            // SAFETY: row r's bytes k4·4..k4·4+4 lie at `r·kp + 4·k4 + 3 < MR·kp ≤ panel.len()`.
            let x = unsafe { a.add(r * kp + 4 * k4).cast::<i32>().read_unaligned() };
            let x = _mm512_set1_epi32(x);
            for (acc_rj, wj) in acc_r.iter_mut().zip(wv) {
                *acc_rj = _mm512_dpbusd_epi32(*acc_rj, x, wj);
            }
        }
    }
    for (r, acc_r) in acc.iter().enumerate().take(rows) {
        for (acc_rj, p) in acc_r.iter().zip(params) {
            let q = p
                .requant
                .apply(_mm512_add_epi32(*acc_rj, p.constant), stage);
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
    use crate::kernels::conv2d::conv2d_reference;
    use crate::kernels::test_rng::Rng;

    extern crate std;

    /// Random geometries (pointwise, strided, padded, dilated rows, channel counts that are
    /// and are not multiples of 16, K tails) equal the reference kernel byte for byte.
    #[test]
    fn matches_reference() {
        if !super::super::has_avx512_vnni() {
            std::eprintln!("no AVX-512 VNNI on this CPU: the vector path is not used here");
            return;
        }
        let mut rng = Rng(29);
        let mut checked = 0;
        for round in 0..400 {
            let (h, w) = (rng.range(1, 12), rng.range(1, 12));
            let ic = [1, 3, 4, 7, 8, 16, 19, 32, 64][rng.range(0, 9)];
            let k = if round % 3 == 0 { 1 } else { rng.range(1, 4) };
            let (s, d) = (rng.range(1, 3), rng.range(1, 3));
            let oc = [1, 5, 8, 16, 17, 32, 40, 48, 70][rng.range(0, 9)];
            let same = rng.range(0, 2) == 1;
            let Some(g) = ConvGeometry::square(h, w, ic, oc, k, s, d, same) else {
                continue;
            };
            let (oh, ow) = (g.output.h, g.output.w);
            let input = rng.vec_i8(h * w * ic);
            let filter = rng.vec_i8(oc * k * k * ic);
            let bias = rng.vec_bias(oc, 20000);
            let mults = rng.vec_mults(oc, 1e-4, 2e-5);
            let lo = rng.range(0, 2) as i32 * 100 - 128;
            let op = ConvOperands {
                input_offset: rng.range(0, 256) as i32 - 127,
                input: &input,
                filter: &filter,
                bias: if round % 5 == 0 { None } else { Some(&bias) },
                mults: &mults,
                stage: OutputStage {
                    offset: rng.range(0, 40) as i32 - 20,
                    min: lo,
                    max: 127,
                },
            };
            assert!(applies(&g, &op));
            let n = oh * ow * oc;
            let mut want = std::vec![0i8; n];
            let mut got = std::vec![0x55i8; n];
            conv2d_reference(&g, &op, &mut want);
            assert!(try_conv2d(&g, &op, &mut got));
            assert_eq!(want, got, "round {round}: {g:?}");
            checked += 1;
        }
        assert!(checked > 300);
    }

    /// A layer with more filter blocks than the pack buffer holds is computed in turns.
    #[test]
    fn wide_layers_are_packed_in_turns() {
        if !super::super::has_avx512_vnni() {
            return;
        }
        let mut rng = Rng(31);
        let (ic, oc) = (512usize, 160usize);
        assert!(oc.div_ceil(LANES) > PACK_BYTES / (ic * LANES));
        let g = ConvGeometry::square(3, 3, ic, oc, 1, 1, 1, false).unwrap();
        let input = rng.vec_i8(9 * ic);
        let filter = rng.vec_i8(oc * ic);
        let mults = rng.vec_mults(oc, 3e-5, 1e-8);
        let op = ConvOperands {
            input_offset: 7,
            input: &input,
            filter: &filter,
            bias: None,
            mults: &mults,
            stage: OutputStage {
                offset: 3,
                min: -128,
                max: 127,
            },
        };
        let (mut want, mut got) = (std::vec![0i8; 9 * oc], std::vec![0i8; 9 * oc]);
        conv2d_reference(&g, &op, &mut want);
        assert!(try_conv2d(&g, &op, &mut got));
        assert_eq!(want, got);
    }
}
