// SPDX-License-Identifier: Apache-2.0
//! MUL, int8 (TFLite `reference_integer_ops::MulElementwise`):
//! `(x + off1) · (y + off2)` requantised by `s1 · s2 / s_out`.

use super::broadcast::Broadcast;
use super::OutputStage;
use crate::quant::QuantizedMultiplier;

/// Element-wise or broadcast multiply.
pub fn mul(
    input1_offset: i32,
    input2_offset: i32,
    m: QuantizedMultiplier,
    bc: &Broadcast,
    a: &[i8],
    b: &[i8],
    stage: OutputStage,
    out: &mut [i8],
) {
    bc.for_each(|o, ia, ib| {
        let prod = (i32::from(a[ia]) + input1_offset) * (i32::from(b[ib]) + input2_offset);
        out[o] = stage.finish(m.apply(prod));
    });
}
