// SPDX-License-Identifier: Apache-2.0
//! MAX_POOL_2D, int8 (TFLite `reference_integer_ops::MaxPool`): the maximum over the
//! in-bounds part of the window, clamped to the activation range.

use super::{Nhwc, Window};

/// Reference max pooling.
#[allow(clippy::too_many_arguments)]
pub fn max_pool2d_reference(
    input: Nhwc,
    output: Nhwc,
    fh: usize,
    fw: usize,
    w: &Window,
    act: (i32, i32),
    x: &[i8],
    y: &mut [i8],
) {
    for b in 0..output.n {
        for oy in 0..output.h {
            for ox in 0..output.w {
                let (y0, x0, fys, fxs) = w.clip(oy, ox, fh, fw, input.h, input.w);
                for c in 0..output.c {
                    let mut m = i32::from(i8::MIN);
                    for fy in fys.clone() {
                        for fx in fxs.clone() {
                            let iy = (y0 + fy as isize) as usize;
                            let ix = (x0 + fx as isize) as usize;
                            m = m.max(i32::from(x[input.at(b, iy, ix, c)]));
                        }
                    }
                    y[output.at(b, oy, ox, c)] = m.clamp(act.0, act.1) as i8;
                }
            }
        }
    }
}

/// Runs the fastest variant that applies (on x86-64 with AVX-512, the vector kernel first).
#[allow(clippy::too_many_arguments)]
pub fn max_pool2d(
    input: Nhwc,
    output: Nhwc,
    fh: usize,
    fw: usize,
    w: &Window,
    act: (i32, i32),
    x: &[i8],
    y: &mut [i8],
) {
    #[cfg(target_arch = "x86_64")]
    if super::x86::max_pool::try_max_pool2d(input, output, fh, fw, w, act, x, y)
        || super::x86::avx2::max_pool::try_max_pool2d(input, output, fh, fw, w, act, x, y)
    {
        return;
    }
    max_pool2d_channels(input, output, fh, fw, w, act, x, y);
}

/// Max pooling over whole channel runs: per output pixel the row of channels starts at
/// `i8::MIN`, takes the element-wise maximum with each in-bounds tap's contiguous channel row
/// (a loop LLVM turns into Helium `vmax.s8`), then is clamped — the reference's order of
/// operations per channel, so the same result.
#[allow(clippy::too_many_arguments)]
pub fn max_pool2d_channels(
    input: Nhwc,
    output: Nhwc,
    fh: usize,
    fw: usize,
    w: &Window,
    act: (i32, i32),
    x: &[i8],
    y: &mut [i8],
) {
    let c = output.c;
    if c != input.c {
        max_pool2d_reference(input, output, fh, fw, w, act, x, y);
        return;
    }
    for b in 0..output.n {
        for oy in 0..output.h {
            for ox in 0..output.w {
                let (y0, x0, fys, fxs) = w.clip(oy, ox, fh, fw, input.h, input.w);
                let o0 = output.at(b, oy, ox, 0);
                let out = &mut y[o0..o0 + c];
                out.fill(i8::MIN);
                for fy in fys.clone() {
                    for fx in fxs.clone() {
                        let iy = (y0 + fy as isize) as usize;
                        let ix = (x0 + fx as isize) as usize;
                        let i0 = input.at(b, iy, ix, 0);
                        for (o, &v) in out.iter_mut().zip(&x[i0..i0 + c]) {
                            *o = (*o).max(v);
                        }
                    }
                }
                for o in out.iter_mut() {
                    *o = i32::from(*o).max(act.0).min(act.1) as i8;
                }
            }
        }
    }
}

/// Shared checks for the vector pooling kernels: each compares a kernel with
/// [`max_pool2d_reference`] byte for byte.
#[cfg(test)]
pub(crate) mod checks {
    extern crate std;

    use super::max_pool2d_reference;
    use crate::kernels::padding::{out_size, pad_before};
    use crate::kernels::test_rng::Rng;
    use crate::kernels::{Nhwc, Window};

    /// A kernel under test: pools into the output and returns true, or returns false when
    /// it does not take the pool.
    pub(crate) type Kernel<'k> =
        &'k dyn Fn(Nhwc, Nhwc, usize, usize, &Window, (i32, i32), &[i8], &mut [i8]) -> bool;

    /// `n` random pools (1×1 to 3×3 windows, strides 1-2, SAME and VALID, with and without
    /// a clamp, a channel count from `channels`): each one the kernel takes must equal the
    /// reference. Returns how many it took.
    pub(crate) fn random_pools(
        seed: u32,
        n: usize,
        channels: &[usize],
        kernel: Kernel<'_>,
    ) -> usize {
        let mut rng = Rng(seed);
        let mut taken = 0;
        for _ in 0..n {
            let (h, wd) = (rng.range(1, 8), rng.range(1, 8));
            let c = channels[rng.range(0, channels.len())];
            let (f, s) = (rng.range(1, 4), rng.range(1, 3));
            let same = rng.range(0, 2) == 1;
            let (oh, ow) = (out_size(same, h, f, s, 1), out_size(same, wd, f, s, 1));
            if oh == 0 || ow == 0 {
                continue;
            }
            let win = Window {
                stride_h: s,
                stride_w: s,
                dilation_h: 1,
                dilation_w: 1,
                pad_h: pad_before(s, 1, h, f, oh),
                pad_w: pad_before(s, 1, wd, f, ow),
            };
            let act = if rng.range(0, 2) == 0 {
                (-128, 127)
            } else {
                (-20, 90)
            };
            let input = Nhwc { n: 1, h, w: wd, c };
            let output = Nhwc {
                n: 1,
                h: oh,
                w: ow,
                c,
            };
            let x = rng.vec_i8(h * wd * c);
            let len = oh * ow * c;
            let (mut want, mut got) = (std::vec![0i8; len], std::vec![0x55i8; len]);
            max_pool2d_reference(input, output, f, f, &win, act, &x, &mut want);
            if kernel(input, output, f, f, &win, act, &x, &mut got) {
                assert_eq!(want, got, "{input:?} -> {output:?}, {f}x{f} stride {s}");
                taken += 1;
            }
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The channel-run variant and the dispatcher (on x86-64, a vector kernel) both equal
    /// the reference; channel counts cross the 16- and 64-lane vector widths.
    #[test]
    fn channel_rows_match_reference() {
        let channels = [1, 5, 19, 32, 63, 64, 65, 100];
        let portable = |i, o, fh, fw, w: &Window, act, x: &[i8], y: &mut [i8]| {
            max_pool2d_channels(i, o, fh, fw, w, act, x, y);
            true
        };
        let dispatched = |i, o, fh, fw, w: &Window, act, x: &[i8], y: &mut [i8]| {
            max_pool2d(i, o, fh, fw, w, act, x, y);
            true
        };
        assert!(checks::random_pools(17, 120, &channels, &portable) > 80);
        assert!(checks::random_pools(17, 120, &channels, &dispatched) > 80);
    }
}
