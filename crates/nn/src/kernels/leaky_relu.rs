// SPDX-License-Identifier: Apache-2.0
//! LEAKY_RELU, int8 (TFLite `reference_ops::QuantizeLeakyRelu`): identity and alpha branches
//! each with their own multiplier; a negative alpha is applied as a negated magnitude.

use crate::quant::QuantizedMultiplier;

/// Precomputed quantisation of one LEAKY_RELU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeakyReluParams {
    /// Input zero point.
    pub input_zero_point: i32,
    /// Output zero point.
    pub output_zero_point: i32,
    /// `s_in / s_out`.
    pub identity: QuantizedMultiplier,
    /// `|s_in · alpha / s_out|`.
    pub alpha: QuantizedMultiplier,
    /// True when alpha is negative.
    pub alpha_negative: bool,
}

/// Element-wise leaky ReLU: the vector kernel on x86-64 with AVX-512, else the reference.
pub fn leaky_relu(p: &LeakyReluParams, input: &[i8], out: &mut [i8]) {
    #[cfg(target_arch = "x86_64")]
    if super::x86::leaky_relu::try_leaky_relu(p, input, out) {
        return;
    }
    leaky_relu_reference(p, input, out);
}

/// Reference: every element through the scalar arithmetic.
pub fn leaky_relu_reference(p: &LeakyReluParams, input: &[i8], out: &mut [i8]) {
    for (o, &x) in out.iter_mut().zip(input) {
        let v = i32::from(x) - p.input_zero_point;
        let scaled = if v >= 0 {
            p.identity.apply(v)
        } else {
            let s = p.alpha.apply(v);
            if p.alpha_negative {
                s.wrapping_neg()
            } else {
                s
            }
        };
        *o = scaled.wrapping_add(p.output_zero_point).clamp(-128, 127) as i8;
    }
}
