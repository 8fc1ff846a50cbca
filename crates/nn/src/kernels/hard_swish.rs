// SPDX-License-Identifier: Apache-2.0
//! HARD_SWISH, int8 (TFLite `reference_ops::HardSwish`): 16-bit fixed-point evaluation of
//! `x · relu6(x + 3) / 6` with a "reluish" multiplier mapping [-3, 3] to [-1, 1].

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

/// gemmlowp's rounding doubling high multiply on 16-bit values.
fn srdhm16(a: i16, b: i16) -> i16 {
    if a == i16::MIN && b == i16::MIN {
        return i16::MAX;
    }
    let ab = i32::from(a) * i32::from(b);
    let nudge = if ab >= 0 { 1 << 14 } else { 1 - (1 << 14) };
    ((ab + nudge) / (1 << 15)) as i16
}

/// Doubling high multiply without rounding (ARM SQDMULH).
fn sdhm16(a: i16, b: i16) -> i16 {
    if a == i16::MIN && b == i16::MIN {
        return i16::MAX;
    }
    ((i32::from(a) * i32::from(b)) / (1 << 15)) as i16
}

fn saturating_left_shift16(v: i16, amount: i32) -> i16 {
    let r = i64::from(v) * (1i64 << amount);
    r.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16
}

fn rounding_divide_by_pot16(x: i16, exponent: i32) -> i16 {
    crate::quant::rounding_divide_by_pot(i32::from(x), exponent) as i16
}

/// Element-wise hard swish.
pub fn hard_swish(p: &HardSwishParams, input: &[i8], out: &mut [i8]) {
    for (o, &x) in out.iter_mut().zip(input) {
        let v = (i32::from(x) - p.input_zero_point) as i16;
        let hires = v.wrapping_mul(1 << 7);
        let preshift_out = srdhm16(hires, p.output_multiplier);
        let mut reluish = hires;
        if p.reluish_exponent > 0 {
            reluish = saturating_left_shift16(reluish, p.reluish_exponent - 1);
        }
        reluish = srdhm16(reluish, p.reluish_multiplier);
        if p.reluish_exponent > 0 {
            reluish = saturating_left_shift16(reluish, 1);
        }
        if p.reluish_exponent < 0 {
            reluish = rounding_divide_by_pot16(reluish, -p.reluish_exponent);
        }
        let reluish = ((i32::from(reluish) + (1 << 15)) >> 1) as i16;
        let pre = sdhm16(reluish, preshift_out);
        let mut y = i32::from(rounding_divide_by_pot16(pre, -p.output_exponent));
        y += p.output_zero_point;
        *o = y.clamp(-128, 127) as i8;
    }
}
