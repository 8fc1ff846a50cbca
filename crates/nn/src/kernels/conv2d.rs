// SPDX-License-Identifier: Apache-2.0
//! CONV_2D, int8 with per-channel weights (TFLite `reference_integer_ops::ConvPerChannel`),
//! grouped convolution included; plus a 1×1 fast path checked against the reference.
//!
//! `acc = Σ filter · (input + input_offset) + bias`, requantised per output channel with
//! double rounding, then offset and clamped.

use super::{Nhwc, OutputStage, Window};
use crate::quant::QuantizedMultiplier;

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
pub fn conv2d_reference(
    g: &ConvGeometry,
    input_offset: i32,
    input: &[i8],
    filter: &[i8],
    bias: Option<&[i32]>,
    mults: &[QuantizedMultiplier],
    stage: OutputStage,
    output: &mut [i8],
) {
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

/// 1×1 convolution: every output pixel is a matrix–vector product over channels.
pub fn conv2d_pointwise(
    g: &ConvGeometry,
    input_offset: i32,
    input: &[i8],
    filter: &[i8],
    bias: Option<&[i32]>,
    mults: &[QuantizedMultiplier],
    stage: OutputStage,
    output: &mut [i8],
) {
    let ic = g.input.c;
    let oc_n = g.output.c;
    let pixels = g.output.n * g.output.h * g.output.w;
    for p in 0..pixels {
        let x = &input[p * ic..(p + 1) * ic];
        let out = &mut output[p * oc_n..(p + 1) * oc_n];
        for (oc, o) in out.iter_mut().enumerate() {
            let mut acc = dot_offset(&filter[oc * ic..(oc + 1) * ic], x, input_offset);
            if let Some(bias) = bias {
                acc = acc.wrapping_add(bias[oc]);
            }
            *o = stage.finish(mults[oc].apply(acc));
        }
    }
}

/// Runs the fastest variant that applies.
pub fn conv2d(
    g: &ConvGeometry,
    input_offset: i32,
    input: &[i8],
    filter: &[i8],
    bias: Option<&[i32]>,
    mults: &[QuantizedMultiplier],
    stage: OutputStage,
    output: &mut [i8],
) {
    if is_pointwise(g) {
        conv2d_pointwise(g, input_offset, input, filter, bias, mults, stage, output);
    } else {
        conv2d_reference(g, input_offset, input, filter, bias, mults, stage, output);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_rng::Rng;

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
    fn pointwise_matches_reference() {
        let mut rng = Rng(7);
        for _ in 0..20 {
            let (h, w, ic, oc) = (
                rng.range(1, 6),
                rng.range(1, 6),
                rng.range(1, 20),
                rng.range(1, 9),
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
            let bias: [i32; 9] = core::array::from_fn(|_| rng.range(0, 2000) as i32 - 1000);
            let mults: [QuantizedMultiplier; 9] = core::array::from_fn(|_| {
                QuantizedMultiplier::from_real(0.0005 + rng.range(0, 100) as f64 * 1e-4).unwrap()
            });
            let stage = OutputStage {
                offset: rng.range(0, 20) as i32 - 10,
                min: -128,
                max: 127,
            };
            let off = rng.range(0, 255) as i32 - 127;
            let mut a = [0i8; 6 * 6 * 9];
            let mut b = [0i8; 6 * 6 * 9];
            let n = h * w * oc;
            conv2d_reference(
                &g,
                off,
                &input,
                &filter,
                Some(&bias),
                &mults,
                stage,
                &mut a[..n],
            );
            conv2d_pointwise(
                &g,
                off,
                &input,
                &filter,
                Some(&bias),
                &mults,
                stage,
                &mut b[..n],
            );
            assert_eq!(a[..n], b[..n]);
        }
    }
}
