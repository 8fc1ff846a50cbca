// SPDX-License-Identifier: Apache-2.0
//! MAX_POOL_2D, int8 (TFLite `reference_integer_ops::MaxPool`): the maximum over the
//! in-bounds part of the window, clamped to the activation range.

use super::{Nhwc, Window};

/// Reference max pooling.
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
