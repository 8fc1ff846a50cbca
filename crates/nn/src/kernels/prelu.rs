// SPDX-License-Identifier: Apache-2.0
//! PRELU, int8 (TFLite `reference_ops::BroadcastPrelu4DSlow`): non-negative inputs are
//! rescaled by `s_in / s_out`, negative ones multiplied by `alpha − alpha_zp` and rescaled by
//! `s_in · s_alpha / s_out`.

use super::broadcast::Broadcast;
use crate::quant::QuantizedMultiplier;

/// Precomputed quantisation of one PRELU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreluParams {
    /// `-input_zero_point`.
    pub input_offset: i32,
    /// `-alpha_zero_point`.
    pub alpha_offset: i32,
    /// Output zero point.
    pub output_offset: i32,
    /// Rescale of the positive branch.
    pub positive: QuantizedMultiplier,
    /// Rescale of the negative branch.
    pub negative: QuantizedMultiplier,
}

/// Broadcast PReLU (alpha broadcast against the input).
pub fn prelu(p: &PreluParams, bc: &Broadcast, input: &[i8], alpha: &[i8], out: &mut [i8]) {
    bc.for_each(|o, ii, ia| {
        let x = i32::from(input[ii]) + p.input_offset;
        let v = if x >= 0 {
            p.positive.apply(x)
        } else {
            p.negative
                .apply(x * (i32::from(alpha[ia]) + p.alpha_offset))
        };
        out[o] = v.wrapping_add(p.output_offset).clamp(-128, 127) as i8;
    });
}
