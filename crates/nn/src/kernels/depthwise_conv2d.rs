// SPDX-License-Identifier: Apache-2.0
//! DEPTHWISE_CONV_2D, int8 per-channel (TFLite `reference_integer_ops::DepthwiseConvPerChannel`),
//! plus a channel-vectorised variant checked against the reference.
//!
//! Output channel `oc = ic · depth_multiplier + m`; filter layout `[1, kh, kw, out_c]`.

use super::{ConvOperands, Nhwc, Window};

/// Geometry of one depthwise convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepthwiseGeometry {
    /// Input tensor (NHWC).
    pub input: Nhwc,
    /// Output tensor (NHWC); `output.c = input.c · depth_multiplier`.
    pub output: Nhwc,
    /// Filter height.
    pub kh: usize,
    /// Filter width.
    pub kw: usize,
    /// Output channels per input channel.
    pub depth_multiplier: usize,
    /// Strides, dilations, padding.
    pub window: Window,
}

#[cfg(test)]
impl DepthwiseGeometry {
    /// A test geometry: one `h × w × c` image, a square `k × k` filter, stride `s`, dilation
    /// `d` both ways, SAME or VALID padding, depth multiplier 1; `None` when the output is
    /// empty.
    pub(crate) fn square(
        h: usize,
        w: usize,
        c: usize,
        k: usize,
        s: usize,
        d: usize,
        same: bool,
    ) -> Option<Self> {
        use crate::kernels::padding::{out_size, pad_before};
        let (oh, ow) = (out_size(same, h, k, s, d), out_size(same, w, k, s, d));
        (oh > 0 && ow > 0).then(|| Self {
            input: Nhwc { n: 1, h, w, c },
            output: Nhwc {
                n: 1,
                h: oh,
                w: ow,
                c,
            },
            kh: k,
            kw: k,
            depth_multiplier: 1,
            window: Window {
                stride_h: s,
                stride_w: s,
                dilation_h: d,
                dilation_w: d,
                pad_h: pad_before(s, d, h, k, oh),
                pad_w: pad_before(s, d, w, k, ow),
            },
        })
    }
}

/// Input row (`vertical`) or column of filter tap `k` for output position `o`, or `None` when
/// it falls in the padding.
pub(crate) fn tap(g: &DepthwiseGeometry, o: usize, k: usize, vertical: bool) -> Option<usize> {
    let w = g.window;
    let (stride, dil, pad, size) = if vertical {
        (w.stride_h, w.dilation_h, w.pad_h, g.input.h)
    } else {
        (w.stride_w, w.dilation_w, w.pad_w, g.input.w)
    };
    let i = (o * stride + k * dil) as isize - pad as isize;
    (i >= 0 && i < size as isize).then_some(i as usize)
}

/// The taps of output pixel `(oy, ox)` that fall inside the input, as
/// `(ky · kw + kx, iy, ix)`.
fn taps_in_bounds(
    g: &DepthwiseGeometry,
    oy: usize,
    ox: usize,
) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    (0..g.kh)
        .filter_map(move |ky| tap(g, oy, ky, true).map(|iy| (ky, iy)))
        .flat_map(move |(ky, iy)| {
            (0..g.kw).filter_map(move |kx| tap(g, ox, kx, false).map(|ix| (ky * g.kw + kx, iy, ix)))
        })
}

/// Reference depthwise convolution.
pub fn depthwise_conv2d_reference(g: &DepthwiseGeometry, op: &ConvOperands<'_>, output: &mut [i8]) {
    let ConvOperands {
        input_offset,
        input,
        filter,
        bias,
        mults,
        stage,
    } = *op;
    let (inp, out) = (g.input, g.output);
    for b in 0..out.n {
        for oy in 0..out.h {
            for ox in 0..out.w {
                for ic in 0..inp.c {
                    for m in 0..g.depth_multiplier {
                        let oc = ic * g.depth_multiplier + m;
                        let mut acc = 0i32;
                        for (t, iy, ix) in taps_in_bounds(g, oy, ox) {
                            let x = i32::from(input[inp.at(b, iy, ix, ic)]) + input_offset;
                            let f = i32::from(filter[t * out.c + oc]);
                            acc = acc.wrapping_add(f * x);
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
}

/// Channels accumulated together by the vectorised variant.
const CHUNK: usize = 64;

/// Channels whose interior-pixel constant terms the vectorised variant holds on the stack.
const CONSTANT_MAX: usize = 1024;

/// Depth-multiplier-1 variant: for each output pixel, accumulates whole runs of channels
/// tap by tap (contiguous loads LLVM vectorises), then requantises.
pub fn depthwise_conv2d_channels(g: &DepthwiseGeometry, op: &ConvOperands<'_>, output: &mut [i8]) {
    let ConvOperands {
        input_offset,
        input,
        filter,
        bias,
        mults,
        stage,
    } = *op;
    let (inp, out) = (g.input, g.output);
    let c = out.c;
    let mut acc = [0i32; CHUNK];
    // Per channel `bias + input_offset · Σ taps f`: for a pixel whose whole window is inside
    // the input, `Σ f · (x + input_offset) + bias` is `Σ f · x` plus this (wrapping int32),
    // which saves the offset addition in the tap loop.
    let mut constant = [0i32; CONSTANT_MAX];
    let use_constant = c <= CONSTANT_MAX && g.kh > 0 && g.kw > 0;
    if use_constant {
        for (ch, k) in constant[..c].iter_mut().enumerate() {
            let sum =
                (0..g.kh * g.kw).fold(0i32, |s, t| s.wrapping_add(i32::from(filter[t * c + ch])));
            *k = bias
                .map_or(0, |b| b[ch])
                .wrapping_add(input_offset.wrapping_mul(sum));
        }
    }
    for b in 0..out.n {
        for oy in 0..out.h {
            let rows_inside = use_constant
                && tap(g, oy, 0, true).is_some()
                && tap(g, oy, g.kh - 1, true).is_some();
            for ox in 0..out.w {
                let inside = rows_inside
                    && tap(g, ox, 0, false).is_some()
                    && tap(g, ox, g.kw - 1, false).is_some();
                let mut c0 = 0;
                while c0 < c {
                    let n = CHUNK.min(c - c0);
                    let acc = &mut acc[..n];
                    if inside {
                        acc.copy_from_slice(&constant[c0..c0 + n]);
                        for ky in 0..g.kh {
                            let iy =
                                oy * g.window.stride_h + ky * g.window.dilation_h - g.window.pad_h;
                            for kx in 0..g.kw {
                                let ix = ox * g.window.stride_w + kx * g.window.dilation_w
                                    - g.window.pad_w;
                                let i0 = inp.at(b, iy, ix, c0);
                                let f0 = (ky * g.kw + kx) * c + c0;
                                let xs = &input[i0..i0 + n];
                                let fs = &filter[f0..f0 + n];
                                for ((a, &x), &f) in acc.iter_mut().zip(xs).zip(fs) {
                                    *a = a.wrapping_add(i32::from(f) * i32::from(x));
                                }
                            }
                        }
                    } else {
                        match bias {
                            Some(bias) => acc.copy_from_slice(&bias[c0..c0 + n]),
                            None => acc.fill(0),
                        }
                        for (t, iy, ix) in taps_in_bounds(g, oy, ox) {
                            let i0 = inp.at(b, iy, ix, c0);
                            let f0 = t * c + c0;
                            let xs = &input[i0..i0 + n];
                            let fs = &filter[f0..f0 + n];
                            for ((a, &x), &f) in acc.iter_mut().zip(xs).zip(fs) {
                                *a = a.wrapping_add(i32::from(f) * (i32::from(x) + input_offset));
                            }
                        }
                    }
                    let o0 = out.at(b, oy, ox, c0);
                    let outs = output[o0..o0 + n].iter_mut().zip(&mults[c0..c0 + n]);
                    for ((o, m), &a) in outs.zip(acc.iter()) {
                        *o = stage.finish(m.apply(a));
                    }
                    c0 += n;
                }
            }
        }
    }
}

/// Runs the fastest variant that applies (on x86-64, the AVX-512 or else the AVX2 vector
/// kernel first). `packed` may hold the layer's blocks as the AVX2 kernel prepares them
/// ahead ([`super::x86::avx2::depthwise::pack`], from the same operands); other kernels
/// ignore it.
pub fn depthwise_conv2d(
    g: &DepthwiseGeometry,
    op: &ConvOperands<'_>,
    packed: Option<&[u8]>,
    output: &mut [i8],
) {
    #[cfg(target_arch = "x86_64")]
    {
        use super::x86::avx2::depthwise as avx2;
        let pre = packed.and_then(|b| avx2::prepacked(b, g.kh * g.kw, g.output.c));
        if super::x86::depthwise::try_depthwise_conv2d(g, op, output)
            || avx2::try_depthwise_conv2d(g, op, pre, output)
        {
            return;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = packed;
    if g.depth_multiplier == 1 {
        depthwise_conv2d_channels(g, op, output);
    } else {
        depthwise_conv2d_reference(g, op, output);
    }
}

/// Shared checks for the vector depthwise kernels: each compares a kernel with
/// [`depthwise_conv2d_reference`] byte for byte.
#[cfg(test)]
pub(crate) mod checks {
    extern crate std;

    use super::{depthwise_conv2d_reference, DepthwiseGeometry};
    use crate::kernels::test_rng::Rng;
    use crate::kernels::{ConvOperands, OutputStage};

    /// A kernel under test: computes the layer into the output and returns true, or
    /// returns false when it does not take the layer.
    pub(crate) type Kernel<'k> =
        &'k dyn Fn(&DepthwiseGeometry, &ConvOperands<'_>, &mut [i8]) -> bool;

    /// Random geometries with a channel count from `channels`, strides and dilations 1-2,
    /// 1×1 to 9×9 filters, SAME and VALID, with and without bias, some with huge biases and
    /// left-shifting multipliers: every one the kernel must take and compute exactly.
    /// Returns how many were checked.
    pub(crate) fn random_layers(
        seed: u32,
        rounds: usize,
        channels: &[usize],
        kernel: Kernel<'_>,
    ) -> usize {
        let mut rng = Rng(seed);
        let mut checked = 0;
        for round in 0..rounds {
            let (h, w) = (rng.range(1, 14), rng.range(1, 14));
            let c = channels[rng.range(0, channels.len())];
            let k = [1, 3, 3, 3, 5, 7, 9][rng.range(0, 7)];
            let (s, d) = (rng.range(1, 3), rng.range(1, 3));
            let Some(g) = DepthwiseGeometry::square(h, w, c, k, s, d, rng.range(0, 2) == 1) else {
                continue;
            };
            let input = rng.vec_i8(h * w * c);
            let filter = rng.vec_i8(k * k * c);
            // Every seventh layer has biases near 2^30 and multipliers above 1 (left
            // shifts): accumulators outside the vector kernels' bounded requantisation.
            let wide = round % 7 == 3;
            let bias = rng.vec_bias(c, if wide { 1 << 30 } else { 20000 });
            let mults = if wide {
                rng.vec_mults(c, 0.5, 5e-3)
            } else {
                rng.vec_mults(c, 1e-4, 5e-5)
            };
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
            let n = g.output.len();
            let (mut want, mut got) = (std::vec![0i8; n], std::vec![0x55i8; n]);
            depthwise_conv2d_reference(&g, &op, &mut want);
            assert!(kernel(&g, &op, &mut got), "round {round}: not taken: {g:?}");
            assert_eq!(want, got, "round {round}: {g:?}");
            checked += 1;
        }
        checked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_rng::Rng;
    use crate::kernels::OutputStage;
    use crate::quant::QuantizedMultiplier;

    #[test]
    fn channel_variant_matches_reference() {
        let mut rng = Rng(99);
        for _ in 0..40 {
            let (h, w, c) = (rng.range(1, 7), rng.range(1, 7), rng.range(1, 90));
            let (k, s, d) = (rng.range(1, 4), rng.range(1, 3), rng.range(1, 3));
            let same = rng.range(0, 2) == 1;
            let Some(g) = DepthwiseGeometry::square(h, w, c, k, s, d, same) else {
                continue;
            };
            let (oh, ow) = (g.output.h, g.output.w);
            let mut input = [0i8; 7 * 7 * 90];
            input.iter_mut().for_each(|v| *v = rng.next() as i8);
            let mut filter = [0i8; 9 * 90];
            filter.iter_mut().for_each(|v| *v = rng.next() as i8);
            let bias: [i32; 90] = core::array::from_fn(|_| rng.range(0, 4000) as i32 - 2000);
            let mults: [QuantizedMultiplier; 90] = core::array::from_fn(|_| {
                QuantizedMultiplier::from_real(0.001 + rng.range(0, 100) as f64 * 1e-4).unwrap()
            });
            let stage = OutputStage {
                offset: 3,
                min: -128,
                max: 100,
            };
            let n = oh * ow * c;
            let mut a = [0i8; 7 * 7 * 90];
            let mut b = [0i8; 7 * 7 * 90];
            depthwise_conv2d_reference(
                &g,
                &ConvOperands {
                    input_offset: 5,
                    input: &input,
                    filter: &filter,
                    bias: Some(&bias),
                    mults: &mults,
                    stage,
                },
                &mut a[..n],
            );
            depthwise_conv2d_channels(
                &g,
                &ConvOperands {
                    input_offset: 5,
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
