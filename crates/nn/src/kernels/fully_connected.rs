// SPDX-License-Identifier: Apache-2.0
//! FULLY_CONNECTED, int8. LiteRT's reference kernel requantises in double precision:
//! `round(acc · in_scale · filter_scale / out_scale)` (round half away from zero), per
//! tensor or per output channel.

use super::OutputStage;

/// Shapes of one fully connected layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FcGeometry {
    /// Rows of the input (product of all but the last output dimension).
    pub batches: usize,
    /// Input features per row.
    pub accum_depth: usize,
    /// Output features.
    pub output_depth: usize,
}

/// Reference kernel; `effective_scale(oc)` gives the real multiplier of output channel `oc`.
pub fn fully_connected(
    g: &FcGeometry,
    input_offset: i32,
    filter_offset: i32,
    input: &[i8],
    filter: &[i8],
    bias: Option<&[i32]>,
    effective_scale: impl Fn(usize) -> f64,
    stage: OutputStage,
    output: &mut [i8],
) {
    let d = g.accum_depth;
    for b in 0..g.batches {
        let x = &input[b * d..(b + 1) * d];
        for oc in 0..g.output_depth {
            let w = &filter[oc * d..(oc + 1) * d];
            let mut acc = 0i32;
            for (&wv, &xv) in w.iter().zip(x) {
                acc = acc
                    .wrapping_add((i32::from(wv) + filter_offset) * (i32::from(xv) + input_offset));
            }
            if let Some(bias) = bias {
                acc = acc.wrapping_add(bias[oc]);
            }
            let scaled = libm::round(f64::from(acc) * effective_scale(oc));
            // `static_cast<int32_t>` of an out-of-range double is UB in C++; saturate here.
            let scaled = scaled.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32;
            output[b * g.output_depth + oc] = stage.finish(scaled);
        }
    }
}
