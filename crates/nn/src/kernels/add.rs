// SPDX-License-Identifier: Apache-2.0
//! ADD and SUB, int8 (TFLite `reference_integer_ops::AddFunc`, `reference_ops::SubElementwise`):
//! both inputs are shifted left by 20, rescaled to twice the larger input scale, added or
//! subtracted, then rescaled to the output.

use super::broadcast::Broadcast;
use super::OutputStage;
use crate::quant::QuantizedMultiplier;

/// Precomputed quantisation of one ADD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddParams {
    /// `-zero_point` of input 1.
    pub input1_offset: i32,
    /// `-zero_point` of input 2.
    pub input2_offset: i32,
    /// Left shift applied to both inputs (20 for int8).
    pub left_shift: i32,
    /// Rescale of input 1.
    pub input1: QuantizedMultiplier,
    /// Rescale of input 2.
    pub input2: QuantizedMultiplier,
    /// Rescale of the sum.
    pub output: QuantizedMultiplier,
    /// SUB instead of ADD.
    pub subtract: bool,
}

impl AddParams {
    /// One element.
    #[inline]
    pub fn apply(&self, x: i8, y: i8, stage: OutputStage) -> i8 {
        let a = (i32::from(x) + self.input1_offset) * (1 << self.left_shift);
        let b = (i32::from(y) + self.input2_offset) * (1 << self.left_shift);
        let (sa, sb) = (self.input1.apply(a), self.input2.apply(b));
        let sum = if self.subtract {
            sa.wrapping_sub(sb)
        } else {
            sa.wrapping_add(sb)
        };
        stage.finish(self.output.apply(sum))
    }
}

/// Element-wise or broadcast add.
pub fn add(p: &AddParams, bc: &Broadcast, a: &[i8], b: &[i8], stage: OutputStage, out: &mut [i8]) {
    if bc.is_elementwise() {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = p.apply(x, y, stage);
        }
    } else {
        bc.for_each(|o, ia, ib| out[o] = p.apply(a[ia], b[ib], stage));
    }
}
