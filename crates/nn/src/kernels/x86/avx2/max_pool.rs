// SPDX-License-Identifier: Apache-2.0
//! MAX_POOL_2D in AVX2: per output pixel, sixteen channels at a time start at `i8::MIN`, take
//! the byte-wise signed maximum (`vpmaxsb`) with each in-bounds tap, then are clamped — the
//! portable channel-run kernel's operations, sixteen lanes at a time. A channel count that
//! is not a multiple of sixteen ends with a step that overlaps the one before (it recomputes,
//! and rewrites with the same values, a few channels), so every load and store is whole.

use core::arch::x86_64::*;

use crate::kernels::{Nhwc, Window};

/// Channels per step.
const LANES: usize = 16;

/// Runs the pooling here when the CPU has AVX2, there are at least `LANES` channels, the
/// shapes are consistent and the activation range lies within int8; returns false (output
/// untouched) otherwise.
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
        && input.c >= LANES
        && input.n == output.n
        && x.len() >= input.len()
        && y.len() >= output.len()
        && int8.contains(&act.0)
        && int8.contains(&act.1)
        && act.0 <= act.1;
    if !super::super::has_avx2() || !ok {
        return false;
    }
    // SAFETY: the CPU supports AVX2 (checked just above).
    unsafe { max_pool2d_avx2(input, output, fh, fw, w, act, x, y) };
    true
}

#[allow(clippy::too_many_arguments)]
#[target_feature(enable = "avx2")]
fn max_pool2d_avx2(
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
    assert!(x.len() >= input.len() && y.len() >= output.len() && input.c == c && c >= LANES);
    let (lo, hi) = (_mm_set1_epi8(act.0 as i8), _mm_set1_epi8(act.1 as i8));
    for b in 0..output.n {
        for oy in 0..output.h {
            for ox in 0..output.w {
                let (y0, x0, fys, fxs) = w.clip(oy, ox, fh, fw, input.h, input.w);
                let o0 = output.at(b, oy, ox, 0);
                let mut c0 = 0;
                loop {
                    let mut m = _mm_set1_epi8(i8::MIN);
                    for fy in fys.clone() {
                        for fx in fxs.clone() {
                            let iy = (y0 + fy as isize) as usize;
                            let ix = (x0 + fx as isize) as usize;
                            let tap = &x[input.at(b, iy, ix, c0)..][..LANES];
                            // SAFETY: `tap` is 16 readable bytes; the load is unaligned.
                            let v = unsafe { _mm_loadu_si128(tap.as_ptr().cast()) };
                            m = _mm_max_epi8(m, v);
                        }
                    }
                    let m = _mm_min_epi8(_mm_max_epi8(m, lo), hi);
                    let o = &mut y[o0 + c0..][..LANES];
                    // SAFETY: `o` is 16 writable bytes; the store is unaligned.
                    unsafe { _mm_storeu_si128(o.as_mut_ptr().cast(), m) };
                    if c0 + LANES == c {
                        break;
                    }
                    // The last step ends at channel `c`, overlapping the one before.
                    c0 = (c0 + LANES).min(c - LANES);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::max_pool2d::checks;

    /// Random pools (channel counts at, around and past multiples of sixteen) equal the
    /// reference byte for byte.
    #[test]
    fn matches_reference() {
        if !crate::kernels::x86::avx2_or_skip() {
            return;
        }
        let channels = [16, 17, 24, 28, 31, 32, 33, 63, 64, 100];
        assert!(checks::random_pools(19, 200, &channels, &try_max_pool2d) > 150);
    }
}
