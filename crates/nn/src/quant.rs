// SPDX-License-Identifier: Apache-2.0
//! Fixed-point quantisation arithmetic with TFLite's integer semantics.
//!
//! This is the single home of the requantisation maths every int8 kernel uses: a real
//! multiplier `M` is stored as a Q31 mantissa and a power-of-two exponent, and applied with a
//! saturating rounding doubling high multiply followed by a rounding right shift (the
//! "double rounding" of TFLite's reference kernels, which LiteRT's reference op resolver and
//! TFLite-Micro share).

use crate::Error;

/// A real multiplier `M ≈ multiplier · 2^(shift − 31)`, with `multiplier` in `[2^30, 2^31)`
/// (or 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuantizedMultiplier {
    /// Q31 mantissa.
    pub multiplier: i32,
    /// Power-of-two exponent: positive shifts left, negative shifts right.
    pub shift: i32,
}

impl QuantizedMultiplier {
    /// Decomposes a non-negative real multiplier the way TFLite's `QuantizeMultiplier` does
    /// (frexp, round half away from zero, renormalise on overflow, flush tiny values to 0).
    pub fn from_real(real: f64) -> Result<Self, Error> {
        if !real.is_finite() || real < 0.0 {
            return Err(Error::InvalidMultiplier);
        }
        if real == 0.0 {
            return Ok(Self {
                multiplier: 0,
                shift: 0,
            });
        }
        let (mantissa, exp) = libm::frexp(real);
        let mut shift = exp;
        let mut q = libm::round(mantissa * (1u64 << 31) as f64) as i64;
        if q == 1i64 << 31 {
            q /= 2;
            shift += 1;
        }
        if shift < -31 {
            shift = 0;
            q = 0;
        }
        if shift > 30 {
            return Err(Error::InvalidMultiplier);
        }
        Ok(Self {
            multiplier: q as i32,
            shift,
        })
    }

    /// Applies the multiplier to an accumulator (TFLite's `MultiplyByQuantizedMultiplier`).
    #[inline]
    pub fn apply(self, x: i32) -> i32 {
        let left = if self.shift > 0 { self.shift } else { 0 };
        let right = if self.shift > 0 { 0 } else { -self.shift };
        let shifted = x.wrapping_mul(1i32 << left);
        rounding_divide_by_pot(
            saturating_rounding_doubling_high_mul(shifted, self.multiplier),
            right,
        )
    }
}

/// `(a · b · 2) >> 32` with rounding to nearest, saturating the one overflow case
/// (`i32::MIN · i32::MIN`) — gemmlowp's `SaturatingRoundingDoublingHighMul`.
#[inline]
pub fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == i32::MIN && b == i32::MIN {
        return i32::MAX;
    }
    let ab = i64::from(a) * i64::from(b);
    let nudge: i64 = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
    // Division truncates toward zero, as in gemmlowp.
    ((ab + nudge) / (1i64 << 31)) as i32
}

/// Arithmetic right shift by `exponent` rounding half away from zero — gemmlowp's
/// `RoundingDivideByPOT`. `exponent` must lie in `0..=31`.
#[inline]
pub fn rounding_divide_by_pot(x: i32, exponent: i32) -> i32 {
    debug_assert!((0..=31).contains(&exponent));
    let mask: i32 = ((1i64 << exponent) - 1) as i32;
    let remainder = x & mask;
    let threshold = (mask >> 1) + i32::from(x < 0);
    (x >> exponent) + i32::from(remainder > threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposes_like_tflite() {
        // 0.5 = 0.5 · 2^0 → mantissa 2^30, shift 0.
        let m = QuantizedMultiplier::from_real(0.5).unwrap();
        assert_eq!((m.multiplier, m.shift), (1 << 30, 0));
        // 1.0 = 0.5 · 2^1.
        let m = QuantizedMultiplier::from_real(1.0).unwrap();
        assert_eq!((m.multiplier, m.shift), (1 << 30, 1));
        // 0.75 → 0.75 · 2^31 = 1610612736, shift 0.
        let m = QuantizedMultiplier::from_real(0.75).unwrap();
        assert_eq!((m.multiplier, m.shift), (1_610_612_736, 0));
        // A value that rounds up to 2^31 renormalises.
        let m = QuantizedMultiplier::from_real(1.0 - 1e-12).unwrap();
        assert_eq!((m.multiplier, m.shift), (1 << 30, 1));
        // Tiny values flush to zero.
        let m = QuantizedMultiplier::from_real(1e-12).unwrap();
        assert_eq!((m.multiplier, m.shift), (0, 0));
        assert_eq!(
            QuantizedMultiplier::from_real(-1.0),
            Err(Error::InvalidMultiplier)
        );
        assert_eq!(
            QuantizedMultiplier::from_real(f64::NAN),
            Err(Error::InvalidMultiplier)
        );
    }

    #[test]
    fn rounding_shift_rounds_half_away_from_zero() {
        assert_eq!(rounding_divide_by_pot(5, 1), 3);
        assert_eq!(rounding_divide_by_pot(-5, 1), -3);
        assert_eq!(rounding_divide_by_pot(4, 1), 2);
        assert_eq!(rounding_divide_by_pot(-4, 1), -2);
        assert_eq!(rounding_divide_by_pot(7, 2), 2);
        assert_eq!(rounding_divide_by_pot(-7, 2), -2);
        assert_eq!(rounding_divide_by_pot(i32::MIN, 31), -1);
        assert_eq!(rounding_divide_by_pot(123, 0), 123);
    }

    #[test]
    fn doubling_high_mul_saturates_only_min_min() {
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MIN, i32::MIN),
            i32::MAX
        );
        assert_eq!(saturating_rounding_doubling_high_mul(1 << 30, 1 << 30), 1 << 29);
        assert_eq!(saturating_rounding_doubling_high_mul(-(1 << 30), 1 << 30), -(1 << 29));
        // 3 · 2^30 · 2 / 2^32 = 1.5 → 2; gemmlowp's nudge for negative products is
        // 1 − 2^30, so −1.5 truncates to −1 (the tie is not rounded away from zero).
        assert_eq!(saturating_rounding_doubling_high_mul(3, 1 << 30), 2);
        assert_eq!(saturating_rounding_doubling_high_mul(-3, 1 << 30), -1);
        assert_eq!(saturating_rounding_doubling_high_mul(-5, 1 << 30), -2);
    }

    #[test]
    fn apply_matches_real_scaling_within_one() {
        // Compare against exact rational arithmetic over a spread of inputs and multipliers.
        let reals = [0.000_123, 0.0071, 0.25, 0.499_999, 0.75, 1.9, 3.3];
        for &r in &reals {
            let m = QuantizedMultiplier::from_real(r).unwrap();
            let mut x: i32 = -1_000_003;
            while x < 1_000_003 {
                let got = m.apply(x);
                let want = libm::round(f64::from(x) * r) as i32;
                assert!((got - want).abs() <= 1, "r={r} x={x} got={got} want={want}");
                x += 7919;
            }
        }
    }
}
