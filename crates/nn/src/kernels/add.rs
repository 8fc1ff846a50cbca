// SPDX-License-Identifier: Apache-2.0
//! ADD, SUB and SQUARED_DIFFERENCE, int8 (TFLite `reference_integer_ops::AddFunc`,
//! `reference_ops::SubElementwise`, `SquaredDifference`): both inputs are shifted left (20
//! bits, 7 for the squared difference), rescaled to twice the larger input scale, combined,
//! then rescaled to the output.

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
    /// How the rescaled inputs combine.
    pub combine: Combine,
}

/// The arithmetic between the two rescaled inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// `a + b`
    Add,
    /// `a − b`
    Sub,
    /// `(a − b)²`
    SquaredDifference,
}

impl AddParams {
    /// One element.
    #[inline]
    pub fn apply(&self, x: i8, y: i8, stage: OutputStage) -> i8 {
        let a = (i32::from(x) + self.input1_offset) * (1 << self.left_shift);
        let b = (i32::from(y) + self.input2_offset) * (1 << self.left_shift);
        let (sa, sb) = (self.input1.apply(a), self.input2.apply(b));
        let sum = match self.combine {
            Combine::Add => sa.wrapping_add(sb),
            Combine::Sub => sa.wrapping_sub(sb),
            Combine::SquaredDifference => {
                let d = sa.wrapping_sub(sb);
                d.wrapping_mul(d)
            }
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
