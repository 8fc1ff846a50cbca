// SPDX-License-Identifier: Apache-2.0
//! CONCATENATION: interleaves inputs along an axis (int8 inputs must share the output's
//! scale and zero point, as in TFLite, so this is a pure copy).

/// Copies one input's slab for every outer index: `outer` repetitions of `copy` bytes,
/// written at `dst_offset` within rows of `out_row` bytes.
pub fn concat_one(
    outer: usize,
    copy: usize,
    out_row: usize,
    dst_offset: usize,
    x: &[u8],
    y: &mut [u8],
) {
    for k in 0..outer {
        let d = k * out_row + dst_offset;
        y[d..d + copy].copy_from_slice(&x[k * copy..(k + 1) * copy]);
    }
}
