// SPDX-License-Identifier: Apache-2.0
//! HARD_SWISH, int8 (TFLite `reference_ops::HardSwish`): 16-bit fixed-point evaluation of
//! `x · relu6(x + 3) / 6` with a "reluish" multiplier mapping [-3, 3] to [-1, 1].

use crate::quant::{
    rounding_divide_by_pot16, saturating_doubling_high_mul16, saturating_left_shift16,
    saturating_rounding_doubling_high_mul16,
};

/// Precomputed quantisation of one HARD_SWISH.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HardSwishParams {
    /// Input zero point.
    pub input_zero_point: i32,
    /// Output zero point.
    pub output_zero_point: i32,
    /// Q15 multiplier from the high-resolution input scale to the output scale.
    pub output_multiplier: i16,
    /// Its exponent (≤ 0).
    pub output_exponent: i32,
    /// Q15 multiplier from the high-resolution input scale to the reluish scale.
    pub reluish_multiplier: i16,
    /// Its exponent.
    pub reluish_exponent: i32,
}

/// Element-wise hard swish.
pub fn hard_swish(p: &HardSwishParams, input: &[i8], out: &mut [i8]) {
    for (o, &x) in out.iter_mut().zip(input) {
        let v = (i32::from(x) - p.input_zero_point) as i16;
        let hires = v.wrapping_mul(1 << 7);
        let preshift_out = saturating_rounding_doubling_high_mul16(hires, p.output_multiplier);
        let mut reluish = hires;
        if p.reluish_exponent > 0 {
            reluish = saturating_left_shift16(reluish, p.reluish_exponent - 1);
        }
        reluish = saturating_rounding_doubling_high_mul16(reluish, p.reluish_multiplier);
        if p.reluish_exponent > 0 {
            reluish = saturating_left_shift16(reluish, 1);
        }
        if p.reluish_exponent < 0 {
            reluish = rounding_divide_by_pot16(reluish, -p.reluish_exponent);
        }
        let reluish = ((i32::from(reluish) + (1 << 15)) >> 1) as i16;
        let pre = saturating_doubling_high_mul16(reluish, preshift_out);
        let mut y = i32::from(rounding_divide_by_pot16(pre, -p.output_exponent));
        y += p.output_zero_point;
        *o = y.clamp(-128, 127) as i8;
    }
}
