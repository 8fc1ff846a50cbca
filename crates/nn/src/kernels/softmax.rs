// SPDX-License-Identifier: Apache-2.0
//! SOFTMAX, int8 in and out (TFLite `reference_ops::Softmax`, quantised): differences to the
//! row maximum are scaled to Q5.26, exponentiated with gemmlowp's fixed-point `exp`, summed
//! in Q12.19, inverted with `GetReciprocal`, and written on the 1/256 output grid.

use crate::quant::{
    self, exp_on_negative_values, get_reciprocal, rounding_divide_by_pot,
    saturating_rounding_doubling_high_mul, QuantizedMultiplier,
};

const SCALED_DIFF_INTEGER_BITS: i32 = 5;
const ACCUMULATION_INTEGER_BITS: i32 = 12;

/// Precomputed quantisation of one SOFTMAX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoftmaxParams {
    /// `beta · s_in` in Q(31−5) with a left shift.
    pub input_beta: QuantizedMultiplier,
    /// Differences below this contribute nothing.
    pub diff_min: i32,
}

impl SoftmaxParams {
    /// Parameters for `beta` and the input scale (see [`quant::softmax_input_scaling`]).
    pub fn new(beta: f32, input_scale: f32) -> Result<Self, crate::Error> {
        let (input_beta, diff_min) =
            quant::softmax_input_scaling(beta, input_scale, SCALED_DIFF_INTEGER_BITS)?;
        Ok(Self {
            input_beta,
            diff_min,
        })
    }
}

/// Softmax over the last dimension (`depth`) of `x`, int8 output with zero point −128.
pub fn softmax(p: &SoftmaxParams, depth: usize, x: &[i8], y: &mut [i8]) {
    if depth == 0 {
        return;
    }
    for (row, out) in x.chunks_exact(depth).zip(y.chunks_exact_mut(depth)) {
        let max = row.iter().copied().max().unwrap_or(i8::MIN);
        let scaled = |v: i8| -> Option<i32> {
            let diff = i32::from(v) - i32::from(max);
            (diff >= p.diff_min).then(|| p.input_beta.apply(diff))
        };
        let mut sum = 0i32;
        for &v in row {
            if let Some(s) = scaled(v) {
                let e = exp_on_negative_values(s, SCALED_DIFF_INTEGER_BITS);
                // Rescale Q0.31 → Q12.19.
                sum = sum.wrapping_add(rounding_divide_by_pot(e, ACCUMULATION_INTEGER_BITS));
            }
        }
        let (shifted_scale, bits_over_unit) = get_reciprocal(sum, ACCUMULATION_INTEGER_BITS);
        let exponent = (bits_over_unit + 31 - 8).clamp(0, 31);
        for (o, &v) in out.iter_mut().zip(row) {
            *o = match scaled(v) {
                Some(s) => {
                    let e = exp_on_negative_values(s, SCALED_DIFF_INTEGER_BITS);
                    let unsat = rounding_divide_by_pot(
                        saturating_rounding_doubling_high_mul(shifted_scale, e),
                        exponent,
                    );
                    (unsat - 128).clamp(-128, 127) as i8
                }
                None => i8::MIN,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_row_splits_evenly_and_max_dominates() {
        let p = SoftmaxParams::new(1.0, 0.1).unwrap();
        let mut y = [0i8; 4];
        softmax(&p, 4, &[5, 5, 5, 5], &mut y);
        // 0.25 on the 1/256 grid is 64 → 64 − 128 = −64.
        assert_eq!(y, [-64; 4]);
        softmax(&p, 4, &[127, -128, -128, -128], &mut y);
        assert_eq!(y[0], 127);
        assert_eq!(y[1], -128);
    }
}
