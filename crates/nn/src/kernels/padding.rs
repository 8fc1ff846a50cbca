// SPDX-License-Identifier: Apache-2.0
//! TFLite's SAME/VALID output size and padding rules (`ComputeOutSize`,
//! `ComputePaddingWithOffset`).

/// Output size of a window op along one axis.
pub fn out_size(same: bool, input: usize, filter: usize, stride: usize, dilation: usize) -> usize {
    if stride == 0 {
        return 0;
    }
    // Saturating: sizes come from the model file; absurd ones must not wrap (the caller's
    // window checks then refuse the node).
    let effective = filter
        .saturating_sub(1)
        .saturating_mul(dilation)
        .saturating_add(1);
    if same {
        input.div_ceil(stride)
    } else {
        input.saturating_add(stride).saturating_sub(effective) / stride
    }
}

/// Padding before the first element along one axis (the extra odd unit goes after).
pub fn pad_before(
    stride: usize,
    dilation: usize,
    input: usize,
    filter: usize,
    output: usize,
) -> usize {
    let effective = filter
        .saturating_sub(1)
        .saturating_mul(dilation)
        .saturating_add(1);
    let needed = output
        .saturating_sub(1)
        .saturating_mul(stride)
        .saturating_add(effective);
    needed.saturating_sub(input) / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_and_valid_match_tflite() {
        assert_eq!(out_size(true, 7, 3, 2, 1), 4);
        assert_eq!(out_size(false, 7, 3, 2, 1), 3);
        assert_eq!(out_size(false, 7, 3, 1, 2), 3);
        // SAME 7→4 with a 3-tap stride-2 window needs 2 padding: 1 before, 1 after.
        assert_eq!(pad_before(2, 1, 7, 3, 4), 1);
        // SAME 8→4 needs 1: 0 before, 1 after.
        assert_eq!(pad_before(2, 1, 8, 3, 4), 0);
        assert_eq!(pad_before(1, 1, 5, 1, 5), 0);
    }
}
