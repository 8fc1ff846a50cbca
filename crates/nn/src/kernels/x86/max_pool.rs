// SPDX-License-Identifier: Apache-2.0
//! MAX_POOL_2D in AVX-512: per output pixel, 64 channels per vector start at `i8::MIN`, take
//! the byte-wise signed maximum with each in-bounds tap, then are clamped — the portable
//! channel-run kernel's operations, 64 lanes at a time (masked for the last chunk).

use core::arch::x86_64::*;

use crate::kernels::{Nhwc, Window};

/// Channels per vector.
const LANES: usize = 64;

/// Runs the pooling here when the CPU has AVX-512 BW, the shapes are consistent and the
/// activation range lies within int8; returns false (output untouched) otherwise.
#[allow(clippy::too_many_arguments)]
pub fn try_max_pool2d(
    input: Nhwc,
    output: Nhwc,
    fh: usize,
    fw: usize,
    w: &Window,
    act: (i32, i32),
    x: &[i8],
    y: &mut [i8],
) -> bool {
    let int8 = i32::from(i8::MIN)..=i32::from(i8::MAX);
    let ok = input.c == output.c
        && input.n == output.n
        && x.len() >= input.len()
        && y.len() >= output.len()
        && int8.contains(&act.0)
        && int8.contains(&act.1)
        && act.0 <= act.1;
    if !super::has_avx512_vnni() || !ok {
        return false;
    }
    // SAFETY: the CPU supports AVX-512 F/BW/VL (checked just above).
    unsafe { max_pool2d_avx512(input, output, fh, fw, w, act, x, y) };
    true
}

#[allow(clippy::too_many_arguments)]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn max_pool2d_avx512(
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
    assert!(x.len() >= input.len() && y.len() >= output.len() && input.c == c);
    let (lo, hi) = (_mm512_set1_epi8(act.0 as i8), _mm512_set1_epi8(act.1 as i8));
    for b in 0..output.n {
        for oy in 0..output.h {
            for ox in 0..output.w {
                let (y0, x0, fys, fxs) = w.clip(oy, ox, fh, fw, input.h, input.w);
                let o0 = output.at(b, oy, ox, 0);
                let mut c0 = 0;
                while c0 < c {
                    let lanes = LANES.min(c - c0);
                    let mask = u64::MAX >> (LANES - lanes);
                    let mut m = _mm512_set1_epi8(i8::MIN);
                    for fy in fys.clone() {
                        for fx in fxs.clone() {
                            let iy = (y0 + fy as isize) as usize;
                            let ix = (x0 + fx as isize) as usize;
                            let i0 = input.at(b, iy, ix, c0);
                            // SAFETY: `clip` keeps `(iy, ix)` inside the input, whose `c`
                            // channels at `i0 − c0` lie inside `x` (asserted); lanes past
                            // `lanes` are masked off and not read.
                            let v = unsafe { _mm512_maskz_loadu_epi8(mask, x.as_ptr().add(i0)) };
                            m = _mm512_max_epi8(m, v);
                        }
                    }
                    let m = _mm512_min_epi8(_mm512_max_epi8(m, lo), hi);
                    // SAFETY: lanes `o0 + c0 .. o0 + c0 + lanes` lie inside output pixel
                    // `(b, oy, ox)`'s channels, inside `y` (asserted); the rest are masked.
                    unsafe { _mm512_mask_storeu_epi8(y.as_mut_ptr().add(o0 + c0), mask, m) };
                    c0 += lanes;
                }
            }
        }
    }
}
