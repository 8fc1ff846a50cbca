// SPDX-License-Identifier: Apache-2.0
//! RELU / RELU6 / RELU_N1_TO_1, int8 (TFLite `ReluX`): requantise `s_in / s_out`, then clamp
//! to the activation's range on the output grid.

use super::OutputStage;
use crate::quant::QuantizedMultiplier;

/// Element-wise quantised ReLU-family activation.
pub fn relu(
    input_zero_point: i32,
    m: QuantizedMultiplier,
    stage: OutputStage,
    input: &[i8],
    out: &mut [i8],
) {
    for (o, &x) in out.iter_mut().zip(input) {
        *o = stage.finish(m.apply(i32::from(x) - input_zero_point));
    }
}
