// SPDX-License-Identifier: Apache-2.0
//! CONV_2D, int8 with per-channel weights (TFLite `reference_integer_ops::ConvPerChannel`),
//! grouped convolution included; plus a 1×1 fast path checked against the reference.
//!
//! `acc = Σ filter · (input + input_offset) + bias`, requantised per output channel with
//! double rounding, then offset and clamped.

use super::{ConvOperands, Nhwc, Window};

/// Geometry of one convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvGeometry {
    /// Input tensor (NHWC).
    pub input: Nhwc,
    /// Output tensor (NHWC).
    pub output: Nhwc,
    /// Filter height.
    pub kh: usize,
    /// Filter width.
    pub kw: usize,
    /// Input channels per group (the filter's last dimension).
    pub filter_c: usize,
    /// Strides, dilations, padding.
    pub window: Window,
}

#[cfg(test)]
impl ConvGeometry {
    /// A test geometry: one `h × w × ic` image, a square `k × k` filter with stride `s`,
    /// vertical dilation `d`, SAME or VALID padding; `None` when the output is empty.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn square(
        h: usize,
        w: usize,
        ic: usize,
        oc: usize,
        k: usize,
        s: usize,
        d: usize,
        same: bool,
    ) -> Option<Self> {
        use crate::kernels::padding::{out_size, pad_before};
        let (oh, ow) = (out_size(same, h, k, s, d), out_size(same, w, k, s, 1));
        (oh > 0 && ow > 0).then(|| Self {
            input: Nhwc { n: 1, h, w, c: ic },
            output: Nhwc {
                n: 1,
                h: oh,
                w: ow,
                c: oc,
            },
            kh: k,
            kw: k,
            filter_c: ic,
            window: Window {
                stride_h: s,
                stride_w: s,
                dilation_h: d,
                dilation_w: 1,
                pad_h: pad_before(s, d, h, k, oh),
                pad_w: pad_before(s, 1, w, k, ow),
            },
        })
    }
}

/// `Σ a · (b + offset)` over two int8 vectors, computed as `Σ a·b + offset · Σ a` (equal in
/// wrapping int32 arithmetic) so that both sums are plain int8 reductions LLVM vectorises
/// into Helium `vmlava.s8` / `vaddva.s8`.
#[inline]
pub fn dot_offset(a: &[i8], b: &[i8], offset: i32) -> i32 {
    let mut prod = 0i32;
    let mut sum = 0i32;
    for (&x, &y) in a.iter().zip(b) {
        prod = prod.wrapping_add(i32::from(x) * i32::from(y));
        sum = sum.wrapping_add(i32::from(x));
    }
    prod.wrapping_add(offset.wrapping_mul(sum))
}

/// Reference convolution (OHWI filter `[out_c, kh, kw, filter_c]`).
pub fn conv2d_reference(g: &ConvGeometry, op: &ConvOperands<'_>, output: &mut [i8]) {
    let ConvOperands {
        input_offset,
        input,
        filter,
        bias,
        mults,
        stage,
    } = *op;
    let (inp, out, w) = (g.input, g.output, g.window);
    let fc = g.filter_c;
    let per_group = out.c / (inp.c / fc).max(1);
    for b in 0..out.n {
        for oy in 0..out.h {
            for ox in 0..out.w {
                for oc in 0..out.c {
                    let group = oc / per_group.max(1);
                    let mut acc = 0i32;
                    for ky in 0..g.kh {
                        let iy = (oy * w.stride_h + ky * w.dilation_h) as isize - w.pad_h as isize;
                        if iy < 0 || iy >= inp.h as isize {
                            continue;
                        }
                        for kx in 0..g.kw {
                            let ix =
                                (ox * w.stride_w + kx * w.dilation_w) as isize - w.pad_w as isize;
                            if ix < 0 || ix >= inp.w as isize {
                                continue;
                            }
                            let i0 = inp.at(b, iy as usize, ix as usize, group * fc);
                            let f0 = ((oc * g.kh + ky) * g.kw + kx) * fc;
                            acc = acc.wrapping_add(dot_offset(
                                &filter[f0..f0 + fc],
                                &input[i0..i0 + fc],
                                input_offset,
                            ));
                        }
                    }
                    if let Some(bias) = bias {
                        acc = acc.wrapping_add(bias[oc]);
                    }
                    output[out.at(b, oy, ox, oc)] = stage.finish(mults[oc].apply(acc));
                }
            }
        }
    }
}

/// True when the 1×1 fast path applies (unit kernel, stride, no padding, one group).
pub fn is_pointwise(g: &ConvGeometry) -> bool {
    g.kh == 1
        && g.kw == 1
        && g.window.stride_h == 1
        && g.window.stride_w == 1
        && g.window.pad_h == 0
        && g.window.pad_w == 0
        && g.filter_c == g.input.c
        && g.input.h == g.output.h
        && g.input.w == g.output.w
}

/// Output channels processed together by the fast paths (their filter sums live on the
/// stack).
const OC_CHUNK: usize = 32;

/// Plain int8 dot product (the offset term is added separately by the fast paths).
#[inline]
fn dot(a: &[i8], b: &[i8]) -> i32 {
    let mut acc = 0i32;
    for (&x, &y) in a.iter().zip(b) {
        acc = acc.wrapping_add(i32::from(x) * i32::from(y));
    }
    acc
}

/// Four dot products sharing one filter row (the row is loaded once for four pixels).
/// Kept out of line: inlined into its callers LLVM built the Helium tail predicate by hand
/// (about 30 extra instructions per 16 bytes) instead of a `dlstp`/`letp` loop.
#[inline(never)]
fn dot4(w: &[i8], x0: &[i8], x1: &[i8], x2: &[i8], x3: &[i8]) -> [i32; 4] {
    let n = w.len();
    let (x0, x1, x2, x3) = (&x0[..n], &x1[..n], &x2[..n], &x3[..n]);
    let mut acc = [0i32; 4];
    for i in 0..n {
        let f = i32::from(w[i]);
        acc[0] = acc[0].wrapping_add(f * i32::from(x0[i]));
        acc[1] = acc[1].wrapping_add(f * i32::from(x1[i]));
        acc[2] = acc[2].wrapping_add(f * i32::from(x2[i]));
        acc[3] = acc[3].wrapping_add(f * i32::from(x3[i]));
    }
    acc
}

/// Per output channel of a chunk: `input_offset · Σ filter + bias`, the part of the
/// accumulator that does not depend on the input (all taps in bounds).
fn constant_terms(
    filter: &[i8],
    row: usize,
    oc0: usize,
    n: usize,
    input_offset: i32,
    bias: Option<&[i32]>,
    out: &mut [i32],
) {
    for (k, c) in out.iter_mut().enumerate().take(n) {
        let w = &filter[(oc0 + k) * row..(oc0 + k + 1) * row];
        let sum = w.iter().fold(0i32, |s, &v| s.wrapping_add(i32::from(v)));
        let b = bias.map_or(0, |b| b[oc0 + k]);
        *c = input_offset.wrapping_mul(sum).wrapping_add(b);
    }
}

/// 1×1 convolution: a matrix product of pixels × channels, four pixels at a time.
pub fn conv2d_pointwise(g: &ConvGeometry, op: &ConvOperands<'_>, output: &mut [i8]) {
    let ConvOperands {
        input_offset,
        input,
        filter,
        bias,
        mults,
        stage,
    } = *op;
    let ic = g.input.c;
    let oc_n = g.output.c;
    let pixels = g.output.n * g.output.h * g.output.w;
    let mut constant = [0i32; OC_CHUNK];
    let mut oc0 = 0;
    while oc0 < oc_n {
        let n = OC_CHUNK.min(oc_n - oc0);
        constant_terms(filter, ic, oc0, n, input_offset, bias, &mut constant);
        let mut p = 0;
        while p + 4 <= pixels {
            let x = |q: usize| &input[(p + q) * ic..(p + q + 1) * ic];
            let (x0, x1, x2, x3) = (x(0), x(1), x(2), x(3));
            // The four pixels' output rows, this chunk's channels only (zipped below, so the
            // stores carry no bounds checks).
            let rows = &mut output[p * oc_n..(p + 4) * oc_n];
            let (r0, rest) = rows.split_at_mut(oc_n);
            let (r1, rest) = rest.split_at_mut(oc_n);
            let (r2, r3) = rest.split_at_mut(oc_n);
            let span = oc0..oc0 + n;
            let outs = r0[span.clone()]
                .iter_mut()
                .zip(&mut r1[span.clone()])
                .zip(&mut r2[span.clone()])
                .zip(&mut r3[span.clone()]);
            let params = constant[..n].iter().zip(&mults[span]);
            for (k, ((&constant_k, m), (((o0, o1), o2), o3))) in params.zip(outs).enumerate() {
                let oc = oc0 + k;
                let acc = dot4(&filter[oc * ic..(oc + 1) * ic], x0, x1, x2, x3);
                let q = |a: i32| stage.finish(m.apply(a.wrapping_add(constant_k)));
                (*o0, *o1, *o2, *o3) = (q(acc[0]), q(acc[1]), q(acc[2]), q(acc[3]));
            }
            p += 4;
        }
        while p < pixels {
            let x = &input[p * ic..(p + 1) * ic];
            for (k, &constant_k) in constant.iter().enumerate().take(n) {
                let oc = oc0 + k;
                let v = dot(&filter[oc * ic..(oc + 1) * ic], x).wrapping_add(constant_k);
                output[p * oc_n + oc] = stage.finish(mults[oc].apply(v));
            }
            p += 1;
        }
        oc0 += n;
    }
}

/// True when the row-contiguous fast path applies (one group, no horizontal dilation).
pub fn is_row_contiguous(g: &ConvGeometry) -> bool {
    g.filter_c == g.input.c && g.window.dilation_w == 1
}

/// General convolution for one group and unit horizontal dilation: for an output pixel whose
/// window lies inside the input, each filter row `[kw, c]` meets a contiguous input run, so
/// the accumulator is `kh` long dot products plus a per-channel constant. Border pixels
/// fall back to the reference arithmetic.
pub fn conv2d_rows(g: &ConvGeometry, op: &ConvOperands<'_>, output: &mut [i8]) {
    let ConvOperands {
        input_offset,
        input,
        filter,
        bias,
        mults,
        stage,
    } = *op;
    let (inp, out, w) = (g.input, g.output, g.window);
    let c = inp.c;
    let run = g.kw * c;
    let per_oc = g.kh * run;
    let mut constant = [0i32; OC_CHUNK];
    let mut oc0 = 0;
    while oc0 < out.c {
        let n = OC_CHUNK.min(out.c - oc0);
        constant_terms(filter, per_oc, oc0, n, input_offset, bias, &mut constant);
        for b in 0..out.n {
            for oy in 0..out.h {
                let y0 = (oy * w.stride_h) as isize - w.pad_h as isize;
                let y_last = y0 + ((g.kh - 1) * w.dilation_h) as isize;
                let rows_inside = y0 >= 0 && y_last < inp.h as isize;
                for ox in 0..out.w {
                    let x0 = (ox * w.stride_w) as isize - w.pad_w as isize;
                    let inside = rows_inside && x0 >= 0 && x0 + g.kw as isize <= inp.w as isize;
                    for (k, &constant_k) in constant.iter().enumerate().take(n) {
                        let oc = oc0 + k;
                        let acc = if inside {
                            let mut acc = constant_k;
                            for ky in 0..g.kh {
                                let iy = y0 as usize + ky * w.dilation_h;
                                let i0 = inp.at(b, iy, x0 as usize, 0);
                                let f0 = oc * per_oc + ky * run;
                                acc = acc
                                    .wrapping_add(dot(&filter[f0..f0 + run], &input[i0..i0 + run]));
                            }
                            acc
                        } else {
                            let mut acc = bias.map_or(0, |b| b[oc]);
                            for ky in 0..g.kh {
                                let iy = y0 + (ky * w.dilation_h) as isize;
                                if iy < 0 || iy >= inp.h as isize {
                                    continue;
                                }
                                for kx in 0..g.kw {
                                    let ix = x0 + kx as isize;
                                    if ix < 0 || ix >= inp.w as isize {
                                        continue;
                                    }
                                    let i0 = inp.at(b, iy as usize, ix as usize, 0);
                                    let f0 = oc * per_oc + ky * run + kx * c;
                                    acc = acc.wrapping_add(dot_offset(
                                        &filter[f0..f0 + c],
                                        &input[i0..i0 + c],
                                        input_offset,
                                    ));
                                }
                            }
                            acc
                        };
                        output[out.at(b, oy, ox, oc)] = stage.finish(mults[oc].apply(acc));
                    }
                }
            }
        }
        oc0 += n;
    }
}

/// Largest filter patch (`kh · kw · c` bytes) the patch variant gathers on the stack.
const PATCH_MAX: usize = 2048;

/// Output channels whose constant terms the patch variant holds at once.
const PATCH_OC_CHUNK: usize = 128;

/// True when the patch variant applies: one group, unit horizontal dilation, a patch that
/// fits on the stack, and an input zero point (`−input_offset`) that is an int8 value, so a
/// padded tap can be written as that value and contributes exactly zero.
pub fn is_patchable(g: &ConvGeometry, input_offset: i32) -> bool {
    let per_oc = g.kh * g.kw * g.input.c;
    is_row_contiguous(g)
        && per_oc > 0
        && per_oc <= PATCH_MAX
        && i8::try_from(input_offset.wrapping_neg()).is_ok()
}

/// An output pixel: batch, row, column.
#[cfg(target_arch = "x86_64")]
pub(crate) type Pixel = (usize, usize, usize);

/// Window helpers of the x86 vector convolutions (the only users).
#[cfg(target_arch = "x86_64")]
impl ConvGeometry {
    /// The input offset of output pixel `(b, oy, ox)`'s window origin, when every tap of the
    /// window is inside the input (unit horizontal dilation, as the row-contiguous kernels
    /// take), else `None`.
    #[inline]
    pub(crate) fn interior_origin(&self, (b, oy, ox): Pixel) -> Option<usize> {
        let (inp, win) = (self.input, self.window);
        let y0 = (oy * win.stride_h).checked_sub(win.pad_h)?;
        let x0 = (ox * win.stride_w).checked_sub(win.pad_w)?;
        let inside = y0 + (self.kh - 1) * win.dilation_h < inp.h && x0 + self.kw - 1 < inp.w;
        inside.then(|| inp.at(b, y0, x0, 0))
    }

    /// The output pixel after `(b, oy, ox)` in raster order (no divisions in a tile loop).
    #[inline]
    pub(crate) fn next_pixel(&self, (b, oy, ox): Pixel) -> Pixel {
        if ox + 1 < self.output.w {
            (b, oy, ox + 1)
        } else if oy + 1 < self.output.h {
            (b, oy + 1, 0)
        } else {
            (b + 1, 0, 0)
        }
    }
}

/// Copies the input window of output pixel `(b, oy, ox)` into `patch` in filter order, one
/// filter row (`kw · c` bytes) every `pitch` bytes (`pitch ≥ kw · c`; bytes between rows are
/// left alone), writing `pad` (the input zero point) for taps outside the input.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gather_patch(
    g: &ConvGeometry,
    input: &[i8],
    b: usize,
    oy: usize,
    ox: usize,
    pad: i8,
    pitch: usize,
    patch: &mut [i8],
) {
    let (inp, w) = (g.input, g.window);
    let c = inp.c;
    let run = g.kw * c;
    let y0 = (oy * w.stride_h) as isize - w.pad_h as isize;
    let x0 = (ox * w.stride_w) as isize - w.pad_w as isize;
    let x_inside = x0 >= 0 && x0 + g.kw as isize <= inp.w as isize;
    for (ky, row) in patch.chunks_mut(pitch).take(g.kh).enumerate() {
        let row = &mut row[..run];
        let iy = y0 + (ky * w.dilation_h) as isize;
        if iy < 0 || iy >= inp.h as isize {
            row.fill(pad);
        } else if x_inside {
            let i0 = inp.at(b, iy as usize, x0 as usize, 0);
            row.copy_from_slice(&input[i0..i0 + run]);
        } else {
            for (kx, px) in row.chunks_exact_mut(c).enumerate() {
                let ix = x0 + kx as isize;
                if ix < 0 || ix >= inp.w as isize {
                    px.fill(pad);
                } else {
                    let i0 = inp.at(b, iy as usize, ix as usize, 0);
                    px.copy_from_slice(&input[i0..i0 + c]);
                }
            }
        }
    }
}

/// General convolution as a matrix product: each output pixel's window is gathered once
/// into a contiguous patch (padded taps hold the input zero point, so they add
/// `f · (zp + input_offset) = 0`), then four output channels at a time take one long dot
/// product with it. The accumulator is `Σ f · x + input_offset · Σ f + bias`, equal in
/// wrapping int32 arithmetic to the reference's sum over in-bounds taps.
pub fn conv2d_patches(g: &ConvGeometry, op: &ConvOperands<'_>, output: &mut [i8]) {
    let (input_offset, filter, mults, stage) = (op.input_offset, op.filter, op.mults, op.stage);
    let out = g.output;
    let per_oc = g.kh * g.kw * g.input.c;
    let pad = input_offset.wrapping_neg() as i8;
    let mut patch_buf = [0i8; PATCH_MAX];
    let patch = &mut patch_buf[..per_oc];
    let mut constant = [0i32; PATCH_OC_CHUNK];
    let mut oc0 = 0;
    while oc0 < out.c {
        let n = PATCH_OC_CHUNK.min(out.c - oc0);
        constant_terms(filter, per_oc, oc0, n, input_offset, op.bias, &mut constant);
        let f = |oc: usize| &filter[oc * per_oc..(oc + 1) * per_oc];
        for b in 0..out.n {
            for oy in 0..out.h {
                for ox in 0..out.w {
                    gather_patch(g, op.input, b, oy, ox, pad, g.kw * g.input.c, patch);
                    let x: &[i8] = patch;
                    let o0 = out.at(b, oy, ox, 0);
                    let mut k = 0;
                    while k + 4 <= n {
                        let oc = oc0 + k;
                        let acc = dot4(x, f(oc), f(oc + 1), f(oc + 2), f(oc + 3));
                        for (q, a) in acc.iter().enumerate() {
                            let v = a.wrapping_add(constant[k + q]);
                            output[o0 + oc + q] = stage.finish(mults[oc + q].apply(v));
                        }
                        k += 4;
                    }
                    while k < n {
                        let oc = oc0 + k;
                        let v = dot(f(oc), x).wrapping_add(constant[k]);
                        output[o0 + oc] = stage.finish(mults[oc].apply(v));
                        k += 1;
                    }
                }
            }
        }
        oc0 += n;
    }
}

/// Runs the fastest variant that applies (on x86-64, the AVX-512 VNNI or else the AVX2
/// matrix product first). `packed` is this layer's filter as [`crate::packed`] prepared it
/// for this CPU's vector kernel, if it was (the kernel then skips its per-call packing).
pub fn conv2d(g: &ConvGeometry, op: &ConvOperands<'_>, packed: Option<&[u8]>, output: &mut [i8]) {
    #[cfg(target_arch = "x86_64")]
    {
        use super::x86::{self, avx2::conv_gemm as avx2, conv_gemm as vnni};
        // `packed` is in the layout of the kernel this CPU prefers: the VNNI one where it
        // has AVX-512 VNNI, else the AVX2 one.
        let vnni_cpu = x86::has_avx512_vnni();
        let (row_len, oc) = (g.kw * g.input.c, g.output.c);
        let vnni_pre = packed
            .filter(|_| vnni_cpu)
            .and_then(|b| vnni::prepacked(b, g.kh, row_len, oc));
        let avx2_pre = packed
            .filter(|_| !vnni_cpu)
            .and_then(|b| avx2::prepacked(b, g.kh * row_len, oc));
        if vnni::try_conv2d(g, op, vnni_pre, output) || avx2::try_conv2d(g, op, avx2_pre, output) {
            return;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = packed;
    if is_pointwise(g) {
        conv2d_pointwise(g, op, output);
    } else if is_patchable(g, op.input_offset) {
        conv2d_patches(g, op, output);
    } else if is_row_contiguous(g) {
        conv2d_rows(g, op, output);
    } else {
        conv2d_reference(g, op, output);
    }
}

/// Shared checks for the vector convolutions: each compares a kernel with
/// [`conv2d_reference`] byte for byte.
#[cfg(test)]
pub(crate) mod checks {
    extern crate std;

    use super::{conv2d_reference, ConvGeometry};
    use crate::kernels::test_rng::Rng;
    use crate::kernels::{ConvOperands, OutputStage};

    /// A kernel under test: computes the layer into the output and returns true, or
    /// returns false when it does not take the layer.
    pub(crate) type Kernel<'k> = &'k dyn Fn(&ConvGeometry, &ConvOperands<'_>, &mut [i8]) -> bool;

    /// Random geometries (pointwise, strided, padded, dilated rows, channel counts that are
    /// and are not multiples of 8, 16 or 24, odd K, with and without bias, some with huge
    /// biases and left-shifting multipliers): every one the kernel must take and compute
    /// exactly. Returns how many were checked.
    pub(crate) fn random_layers(seed: u32, rounds: usize, kernel: Kernel<'_>) -> usize {
        let mut rng = Rng(seed);
        let mut checked = 0;
        for round in 0..rounds {
            let (h, w) = (rng.range(1, 12), rng.range(1, 12));
            let ic = [1, 3, 4, 7, 8, 16, 19, 32, 64][rng.range(0, 9)];
            let k = if round % 3 == 0 { 1 } else { rng.range(1, 4) };
            let (s, d) = (rng.range(1, 3), rng.range(1, 3));
            let oc = [1, 5, 8, 16, 17, 24, 32, 40, 48, 70][rng.range(0, 10)];
            let same = rng.range(0, 2) == 1;
            let Some(g) = ConvGeometry::square(h, w, ic, oc, k, s, d, same) else {
                continue;
            };
            let input = rng.vec_i8(h * w * ic);
            let filter = rng.vec_i8(oc * k * k * ic);
            // Every seventh layer has biases near 2^30 and multipliers above 1 (left
            // shifts): accumulators outside the vector kernels' bounded requantisation.
            let wide = round % 7 == 3;
            let bias = rng.vec_bias(oc, if wide { 1 << 30 } else { 20000 });
            let mults = if wide {
                rng.vec_mults(oc, 0.5, 5e-3)
            } else {
                rng.vec_mults(oc, 1e-4, 2e-5)
            };
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
            let n = g.output.len();
            let mut want = std::vec![0i8; n];
            let mut got = std::vec![0x55i8; n];
            conv2d_reference(&g, &op, &mut want);
            assert!(kernel(&g, &op, &mut got), "round {round}: not taken: {g:?}");
            assert_eq!(want, got, "round {round}: {g:?}");
            checked += 1;
        }
        checked
    }

    /// One 3×3-pixel 1×1 layer with `ic` input and `oc` output channels (wide enough to
    /// exceed a kernel's filter buffer), computed exactly.
    pub(crate) fn wide_layer(seed: u32, ic: usize, oc: usize, kernel: Kernel<'_>) {
        let mut rng = Rng(seed);
        let g = ConvGeometry::square(3, 3, ic, oc, 1, 1, 1, false).expect("a 3x3 output");
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
        assert!(kernel(&g, &op, &mut got));
        assert_eq!(want, got);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_rng::Rng;
    use crate::kernels::OutputStage;
    use crate::quant::QuantizedMultiplier;

    #[test]
    fn dot_offset_equals_the_direct_sum() {
        let mut rng = Rng(3);
        for n in [0usize, 1, 7, 16, 33, 100] {
            let a = rng.i8s(n);
            let b = rng.i8s(n);
            let off = rng.range(0, 256) as i32 - 128;
            let direct: i32 = (0..n)
                .map(|i| i32::from(a[i]) * (i32::from(b[i]) + off))
                .sum();
            assert_eq!(dot_offset(&a[..n], &b[..n], off), direct);
        }
    }

    #[test]
    fn row_variant_matches_reference() {
        let mut rng = Rng(11);
        let mut checked = 0;
        for _ in 0..300 {
            let (h, w, ic) = (rng.range(1, 9), rng.range(1, 9), rng.range(1, 7));
            let (k, s, d) = (rng.range(1, 4), rng.range(1, 3), rng.range(1, 3));
            let oc = rng.range(1, 40);
            let same = rng.range(0, 2) == 1;
            let Some(g) = ConvGeometry::square(h, w, ic, oc, k, s, d, same) else {
                continue;
            };
            let (oh, ow) = (g.output.h, g.output.w);
            if oh * ow * oc > 1024 || oc * k * k * ic > 1024 {
                continue;
            }
            assert!(is_row_contiguous(&g));
            let input = rng.i8s(h * w * ic);
            let filter = rng.i8s(oc * k * k * ic);
            let bias: [i32; 40] = core::array::from_fn(|_| rng.range(0, 4000) as i32 - 2000);
            let mults: [QuantizedMultiplier; 40] = core::array::from_fn(|_| {
                QuantizedMultiplier::from_real(0.0005 + rng.range(0, 100) as f64 * 1e-4).unwrap()
            });
            let stage = OutputStage {
                offset: -5,
                min: -128,
                max: 127,
            };
            let off = rng.range(0, 255) as i32 - 127;
            let n = oh * ow * oc;
            let ops = ConvOperands {
                input_offset: off,
                input: &input,
                filter: &filter,
                bias: Some(&bias),
                mults: &mults,
                stage,
            };
            let (mut a, mut b, mut p) = ([0i8; 1024], [0i8; 1024], [0i8; 1024]);
            conv2d_reference(&g, &ops, &mut a[..n]);
            conv2d_rows(&g, &ops, &mut b[..n]);
            assert_eq!(a[..n], b[..n]);
            assert!(is_patchable(&g, off));
            conv2d_patches(&g, &ops, &mut p[..n]);
            assert_eq!(a[..n], p[..n]);
            checked += 1;
        }
        assert!(checked > 100);
    }

    #[test]
    fn pointwise_matches_reference() {
        let mut rng = Rng(7);
        for _ in 0..60 {
            let (h, w, ic, oc) = (
                rng.range(1, 6),
                rng.range(1, 6),
                rng.range(1, 20),
                rng.range(1, 41),
            );
            let input_shape = Nhwc { n: 1, h, w, c: ic };
            let g = ConvGeometry {
                input: input_shape,
                output: Nhwc { n: 1, h, w, c: oc },
                kh: 1,
                kw: 1,
                filter_c: ic,
                window: Window {
                    stride_h: 1,
                    stride_w: 1,
                    dilation_h: 1,
                    dilation_w: 1,
                    pad_h: 0,
                    pad_w: 0,
                },
            };
            assert!(is_pointwise(&g));
            let input = rng.i8s(h * w * ic);
            let filter = rng.i8s(oc * ic);
            let bias: [i32; 40] = core::array::from_fn(|_| rng.range(0, 2000) as i32 - 1000);
            let mults: [QuantizedMultiplier; 40] = core::array::from_fn(|_| {
                QuantizedMultiplier::from_real(0.0005 + rng.range(0, 100) as f64 * 1e-4).unwrap()
            });
            let stage = OutputStage {
                offset: rng.range(0, 20) as i32 - 10,
                min: -128,
                max: 127,
            };
            let off = rng.range(0, 255) as i32 - 127;
            let mut a = [0i8; 1024];
            let mut b = [0i8; 1024];
            let n = h * w * oc;
            conv2d_reference(
                &g,
                &ConvOperands {
                    input_offset: off,
                    input: &input,
                    filter: &filter,
                    bias: Some(&bias),
                    mults: &mults,
                    stage,
                },
                &mut a[..n],
            );
            conv2d_pointwise(
                &g,
                &ConvOperands {
                    input_offset: off,
                    input: &input,
                    filter: &filter,
                    bias: Some(&bias),
                    mults: &mults,
                    stage,
                },
                &mut b[..n],
            );
            assert_eq!(a[..n], b[..n]);
        }
    }
}
