// SPDX-License-Identifier: Apache-2.0
//! AVERAGE_POOL_2D, int8 (TFLite `reference_integer_ops::AveragePool`): the mean over the
//! in-bounds part of the window, rounded half away from zero, clamped; no requantisation.

use super::{Nhwc, Window};

/// Reference average pooling; returns false if some window has no in-bounds element.
pub fn average_pool2d(
    input: Nhwc,
    output: Nhwc,
    fh: usize,
    fw: usize,
    w: &Window,
    act: (i32, i32),
    x: &[i8],
    y: &mut [i8],
) -> bool {
    for b in 0..output.n {
        for oy in 0..output.h {
            for ox in 0..output.w {
                let (y0, x0, fys, fxs) = w.clip(oy, ox, fh, fw, input.h, input.w);
                let count = (fys.len() * fxs.len()) as i32;
                if count == 0 {
                    return false;
                }
                for c in 0..output.c {
                    let mut acc = 0i32;
                    for fy in fys.clone() {
                        for fx in fxs.clone() {
                            let iy = (y0 + fy as isize) as usize;
                            let ix = (x0 + fx as isize) as usize;
                            acc = acc.wrapping_add(i32::from(x[input.at(b, iy, ix, c)]));
                        }
                    }
                    let avg = if acc > 0 {
                        acc.wrapping_add(count / 2) / count
                    } else {
                        acc.wrapping_sub(count / 2) / count
                    };
                    y[output.at(b, oy, ox, c)] = avg.clamp(act.0, act.1) as i8;
                }
            }
        }
    }
    true
}
