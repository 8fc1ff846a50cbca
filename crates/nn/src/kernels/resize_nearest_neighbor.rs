// SPDX-License-Identifier: Apache-2.0
//! RESIZE_NEAREST_NEIGHBOR (TFLite `reference_ops::ResizeNearestNeighbor`): source index
//! `floor((i + offset) · scale)` (or rounded with align_corners), computed in single precision.

use super::Nhwc;

/// Source coordinate for output coordinate `i`.
pub fn nearest(
    i: usize,
    input: usize,
    output: usize,
    align_corners: bool,
    half_pixel: bool,
) -> usize {
    let scale = if align_corners && output > 1 {
        (input as f32 - 1.0) / (output as f32 - 1.0)
    } else {
        input as f32 / output as f32
    };
    let offset = if half_pixel { 0.5f32 } else { 0.0 };
    let v = (i as f32 + offset) * scale;
    let v = if align_corners {
        libm::roundf(v) as i32
    } else {
        libm::floorf(v) as i32
    };
    let mut v = v.min(input as i32 - 1);
    if half_pixel {
        v = v.max(0);
    }
    v.max(0) as usize
}

/// Nearest-neighbour resize of an NHWC tensor with `elem`-byte elements.
pub fn resize_nearest(
    input: Nhwc,
    output: Nhwc,
    elem: usize,
    align_corners: bool,
    half_pixel: bool,
    x: &[u8],
    y: &mut [u8],
) {
    let run = input.c * elem;
    for b in 0..output.n {
        for oy in 0..output.h {
            let iy = nearest(oy, input.h, output.h, align_corners, half_pixel);
            for ox in 0..output.w {
                let ix = nearest(ox, input.w, output.w, align_corners, half_pixel);
                let s = input.at(b, iy, ix, 0) * elem;
                let d = output.at(b, oy, ox, 0) * elem;
                y[d..d + run].copy_from_slice(&x[s..s + run]);
            }
        }
    }
}
