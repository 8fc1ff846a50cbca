// SPDX-License-Identifier: Apache-2.0
//! GREATER, GREATER_EQUAL, LESS, LESS_EQUAL, EQUAL, NOT_EQUAL on int8 inputs (TFLite
//! `ComparisonWithScaling`): both inputs are offset, shifted left by 8 and rescaled by their
//! own scale, then compared; the output is a bool tensor (one byte, 0 or 1).

use super::broadcast::Broadcast;
use crate::quant::QuantizedMultiplier;

/// Which comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// `a > b`
    Greater,
    /// `a >= b`
    GreaterEqual,
    /// `a < b`
    Less,
    /// `a <= b`
    LessEqual,
    /// `a == b`
    Equal,
    /// `a != b`
    NotEqual,
}

impl Relation {
    fn holds(self, a: i32, b: i32) -> bool {
        match self {
            Relation::Greater => a > b,
            Relation::GreaterEqual => a >= b,
            Relation::Less => a < b,
            Relation::LessEqual => a <= b,
            Relation::Equal => a == b,
            Relation::NotEqual => a != b,
        }
    }
}

/// One operand's rescale: `(q − zp) · 2^8`, times its scale as a fixed-point multiplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Side {
    /// `−zero_point`.
    pub offset: i32,
    /// The input scale as a multiplier.
    pub multiplier: QuantizedMultiplier,
}

impl Side {
    #[inline]
    fn scaled(&self, q: i8) -> i32 {
        self.multiplier
            .apply((i32::from(q) + self.offset) * (1 << 8))
    }
}

/// Element-wise or broadcast comparison into 0/1 bytes.
pub fn compare(
    rel: Relation,
    a: &Side,
    b: &Side,
    bc: &Broadcast,
    x: &[i8],
    y: &[i8],
    out: &mut [u8],
) {
    bc.for_each(|o, ia, ib| {
        out[o] = u8::from(rel.holds(a.scaled(x[ia]), b.scaled(y[ib])));
    });
}
