// SPDX-License-Identifier: Apache-2.0
//! RESIZE_BILINEAR, int8 (TFLite `reference_ops::ResizeBilinearInteger`): Q10 source
//! coordinates, four-tap weights, rounded half away from zero from Q20.

use super::Nhwc;

fn scale10(input: usize, output: usize, align_corners: bool) -> i32 {
    let (i, o) = (input as i32, output as i32);
    if align_corners && o > 1 {
        ((1 << 10) * (i - 1) + (o - 1) / 2) / (o - 1)
    } else {
        ((1 << 10) * i + o / 2) / o
    }
}

fn coords(v: usize, scale: i32, half_pixel: bool, input: usize) -> (i32, usize, usize) {
    let v = v as i32;
    let scaled = if half_pixel {
        v * scale + scale / 2 - (1 << 9)
    } else {
        v * scale
    };
    let lower = (scaled / (1 << 10)).max(0);
    let upper = ((scaled + (1 << 10) - 1) / (1 << 10)).min(input as i32 - 1);
    (scaled, lower as usize, upper.max(0) as usize)
}

/// Bilinear resize of an int8 NHWC tensor.
pub fn resize_bilinear(
    input: Nhwc,
    output: Nhwc,
    align_corners: bool,
    half_pixel: bool,
    x: &[i8],
    y: &mut [i8],
) {
    let hs = scale10(input.h, output.h, align_corners);
    let ws = scale10(input.w, output.w, align_corners);
    for b in 0..output.n {
        for oy in 0..output.h {
            let (iy, y0, y1) = coords(oy, hs, half_pixel, input.h);
            let dy = i64::from(iy - (1 << 10) * y0 as i32);
            for ox in 0..output.w {
                let (ix, x0, x1) = coords(ox, ws, half_pixel, input.w);
                let dx = i64::from(ix - (1 << 10) * x0 as i32);
                for c in 0..output.c {
                    let p = |yy: usize, xx: usize| i64::from(x[input.at(b, yy, xx, c)]);
                    let v = p(y0, x0) * ((1 << 10) - dy) * ((1 << 10) - dx)
                        + p(y1, x0) * dy * ((1 << 10) - dx)
                        + p(y0, x1) * ((1 << 10) - dy) * dx
                        + p(y1, x1) * dy * dx;
                    let round = if v > 0 { 1i64 << 19 } else { -(1i64 << 19) };
                    y[output.at(b, oy, ox, c)] = ((v + round) / (1 << 20)) as i8;
                }
            }
        }
    }
}
