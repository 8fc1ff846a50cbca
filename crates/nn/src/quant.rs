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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
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
        let (mut q, mut shift) = frexp_q31(real);
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

/// `frexp(real)` as `(round(mantissa · 2^31), exponent)` with the rounding half away from
/// zero of `libm::round`, for a finite `real > 0`. Normal numbers take the exact integer
/// route (the mantissa is `(2^52 + fraction) / 2^53`, so `mantissa · 2^31` rounds to
/// `(2^52 + fraction + 2^21) >> 22`); subnormals go through `libm`. Kernels call this per
/// channel on every invoke, so it is on the hot path.
fn frexp_q31(real: f64) -> (i64, i32) {
    let bits = real.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        let (mantissa, exp) = libm::frexp(real);
        return (libm::round(mantissa * (1u64 << 31) as f64) as i64, exp);
    }
    let significand = (1u64 << 52) | (bits & ((1u64 << 52) - 1));
    (((significand + (1 << 21)) >> 22) as i64, biased - 1022)
}

/// `(a · b · 2) >> 32` with rounding to nearest, saturating the one overflow case
/// (`i32::MIN · i32::MIN`) — gemmlowp's `SaturatingRoundingDoublingHighMul`.
#[inline]
pub fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == i32::MIN && b == i32::MIN {
        return i32::MAX;
    }
    let ab = i64::from(a) * i64::from(b);
    // gemmlowp adds 2^30 (ab ≥ 0) or 1 − 2^30 (ab < 0) and divides by 2^31 truncating
    // toward zero. For ab < 0 that truncation is ⌈(ab + 1 − 2^30) / 2^31⌉
    // = ⌊(ab + 1 − 2^30 + 2^31 − 1) / 2^31⌋ = ⌊(ab + 2^30) / 2^31⌋, the ab ≥ 0 formula, so
    // one add and an arithmetic shift give the same result without the sign branch.
    ((ab + (1 << 30)) >> 31) as i32
}

/// Arithmetic right shift by `exponent` rounding half away from zero — gemmlowp's
/// `RoundingDivideByPOT`. `exponent` must lie in `0..=31`.
#[inline]
pub fn rounding_divide_by_pot(x: i32, exponent: i32) -> i32 {
    debug_assert!((0..=31).contains(&exponent));
    // 32-bit arithmetic: `(1 << 31) − 1` wraps to the same mask as the 64-bit form.
    let mask = (1u32 << exponent).wrapping_sub(1) as i32;
    let remainder = x & mask;
    let threshold = (mask >> 1) + i32::from(x < 0);
    (x >> exponent) + i32::from(remainder > threshold)
}

/// A fused activation of TFLite's builtin options (`ActivationFunctionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// No clamping beyond the int8 range.
    None,
    /// `max(x, 0)`.
    Relu,
    /// `clamp(x, -1, 1)`.
    ReluN1To1,
    /// `clamp(x, 0, 6)`.
    Relu6,
}

impl Activation {
    /// Decodes TFLite's enum value; TANH and SIGN_BIT are not fused by int8 kernels.
    pub fn from_tflite(v: i8) -> Option<Self> {
        match v {
            0 => Some(Activation::None),
            1 => Some(Activation::Relu),
            2 => Some(Activation::ReluN1To1),
            3 => Some(Activation::Relu6),
            _ => None,
        }
    }
}

/// Quantises a real value to the output's integer grid the way TFLite's
/// `CalculateActivationRangeQuantized` does (float division, round half away from zero).
fn quantize_bound(f: f32, scale: f32, zero_point: i32) -> i32 {
    zero_point.saturating_add(libm::roundf(f / scale) as i32)
}

/// The int8 output clamp `[min, max]` for a fused activation.
pub fn activation_range(act: Activation, scale: f32, zero_point: i32) -> (i32, i32) {
    let (qmin, qmax) = (i32::from(i8::MIN), i32::from(i8::MAX));
    match act {
        Activation::None => (qmin, qmax),
        Activation::Relu => (qmin.max(quantize_bound(0.0, scale, zero_point)), qmax),
        Activation::Relu6 => (
            qmin.max(quantize_bound(0.0, scale, zero_point)),
            qmax.min(quantize_bound(6.0, scale, zero_point)),
        ),
        Activation::ReluN1To1 => (
            qmin.max(quantize_bound(-1.0, scale, zero_point)),
            qmax.min(quantize_bound(1.0, scale, zero_point)),
        ),
    }
}

/// Per-channel convolution (and fully-connected) rescale as a real number:
/// `(double)in · (double)filter / (double)out` (TFLite's
/// `PopulateConvolutionQuantizationParams`).
#[inline]
pub fn conv_real(input_scale: f32, filter_scale: f32, output_scale: f32) -> f64 {
    f64::from(input_scale) * f64::from(filter_scale) / f64::from(output_scale)
}

/// Per-channel convolution multiplier: [`conv_real`] decomposed.
pub fn conv_multiplier(
    input_scale: f32,
    filter_scale: f32,
    output_scale: f32,
) -> Result<QuantizedMultiplier, Error> {
    QuantizedMultiplier::from_real(conv_real(input_scale, filter_scale, output_scale))
}

/// [`conv_multiplier`] for each filter scale in turn, into `out` (as many as both hold).
/// The quotients are computed a batch at a time before any is decomposed, so that their
/// divisions overlap: one channel after another, each division's latency was most of the
/// cost, and convolutions pay it for every channel on every invoke.
pub fn conv_multipliers(
    input_scale: f32,
    filter_scales: impl Iterator<Item = f32>,
    output_scale: f32,
    out: &mut [QuantizedMultiplier],
) -> Result<(), Error> {
    const BATCH: usize = 32;
    let mut scales = filter_scales;
    for chunk in out.chunks_mut(BATCH) {
        let mut reals = [0f64; BATCH];
        let mut n = 0;
        for (r, f) in reals.iter_mut().zip(&mut scales).take(chunk.len()) {
            *r = conv_real(input_scale, f, output_scale);
            n += 1;
        }
        for (m, &r) in chunk.iter_mut().zip(&reals[..n]) {
            *m = QuantizedMultiplier::from_real(r)?;
        }
    }
    Ok(())
}

/// `a · b / c` evaluated in single precision, then widened (the C++ expression
/// `double m = a_f32 * b_f32 / c_f32;` that MUL, PRELU and LEAKY_RELU use).
pub fn multiplier_f32(a: f32, b: f32, c: f32) -> Result<QuantizedMultiplier, Error> {
    QuantizedMultiplier::from_real(f64::from(a * b / c))
}

/// `a / b` evaluated in single precision, then widened.
pub fn ratio_f32(a: f32, b: f32) -> Result<QuantizedMultiplier, Error> {
    QuantizedMultiplier::from_real(f64::from(a / b))
}

/// gemmlowp's `SaturatingRoundingMultiplyByPOT`: `x · 2^exponent`, rounding right shifts
/// and saturating left shifts.
pub fn saturating_rounding_mul_by_pot(x: i32, exponent: i32) -> i32 {
    if exponent > 0 {
        let threshold = (1i32 << (31 - exponent)) - 1;
        if x > threshold {
            i32::MAX
        } else if x < -threshold {
            i32::MIN
        } else {
            x << exponent
        }
    } else if exponent < 0 {
        rounding_divide_by_pot(x, -exponent)
    } else {
        x
    }
}

/// gemmlowp `exp` on Q0.31 values in [-1/4, 0).
fn exp_on_interval_between_negative_one_quarter_and_0_excl(a: i32) -> i32 {
    let mul = saturating_rounding_doubling_high_mul;
    const CONSTANT_TERM: i32 = 1_895_147_668; // exp(-1/8)
    const ONE_THIRD: i32 = 715_827_883;
    let x = a.wrapping_add(1 << 28);
    let x2 = mul(x, x);
    let x3 = mul(x2, x);
    let x4 = mul(x2, x2);
    let x4_over_4 = saturating_rounding_mul_by_pot(x4, -2);
    let poly = saturating_rounding_mul_by_pot(
        mul(x4_over_4.wrapping_add(x3), ONE_THIRD).wrapping_add(x2),
        -1,
    );
    CONSTANT_TERM.wrapping_add(mul(CONSTANT_TERM, x.wrapping_add(poly)))
}

/// gemmlowp's `exp_on_negative_values` for a fixed-point input with `integer_bits` integer
/// bits (raw int32); returns exp(a) in Q0.31.
pub fn exp_on_negative_values(a: i32, integer_bits: i32) -> i32 {
    let fractional_bits = 31 - integer_bits;
    let one_quarter = 1i32 << (fractional_bits - 2);
    let mask = one_quarter - 1;
    let a_mod_quarter_minus_one_quarter = (a & mask).wrapping_sub(one_quarter);
    let mut result = exp_on_interval_between_negative_one_quarter_and_0_excl(
        saturating_rounding_mul_by_pot(a_mod_quarter_minus_one_quarter, integer_bits),
    );
    let remainder = a_mod_quarter_minus_one_quarter.wrapping_sub(a);
    const BARREL: [(i32, i32); 7] = [
        (-2, 1_672_461_947),
        (-1, 1_302_514_674),
        (0, 790_015_084),
        (1, 290_630_308),
        (2, 39_332_535),
        (3, 720_401),
        (4, 242),
    ];
    for (exponent, multiplier) in BARREL {
        if integer_bits > exponent {
            let shift = fractional_bits + exponent;
            if remainder & (1i32 << shift) != 0 {
                result = saturating_rounding_doubling_high_mul(result, multiplier);
            }
        }
    }
    if integer_bits > 5 {
        let clamp = -(1i32 << (36 - integer_bits));
        if a < clamp {
            result = 0;
        }
    }
    if a == 0 {
        result = i32::MAX;
    }
    result
}

/// gemmlowp's `one_over_one_plus_x_for_x_in_0_1` (Q0.31 in and out; Newton–Raphson).
pub fn one_over_one_plus_x_for_x_in_0_1(a: i32) -> i32 {
    let mul = saturating_rounding_doubling_high_mul;
    let sum = i64::from(a) + i64::from(i32::MAX);
    let sign = if sum >= 0 { 1 } else { -1 };
    let half_denominator = ((sum + sign) / 2) as i32;
    const C48_OVER_17: i32 = 1_515_870_810;
    const CNEG32_OVER_17: i32 = -1_010_580_540;
    const F2_ONE: i32 = 1 << 29;
    let mut x = C48_OVER_17.wrapping_add(mul(half_denominator, CNEG32_OVER_17));
    for _ in 0..3 {
        let half_denominator_times_x = mul(half_denominator, x);
        let one_minus = F2_ONE.wrapping_sub(half_denominator_times_x);
        x = x.wrapping_add(saturating_rounding_mul_by_pot(mul(x, one_minus), 2));
    }
    saturating_rounding_mul_by_pot(x, 1)
}

/// TFLite's `GetReciprocal`: returns (Q0.31 reciprocal mantissa, num_bits_over_unit).
pub fn get_reciprocal(x: i32, x_integer_digits: i32) -> (i32, i32) {
    let headroom_plus_one = (x as u32).leading_zeros() as i32;
    let num_bits_over_unit = x_integer_digits - headroom_plus_one;
    let shifted = ((x as u32).wrapping_shl(headroom_plus_one as u32)).wrapping_sub(1u32 << 31);
    (
        one_over_one_plus_x_for_x_in_0_1(shifted as i32),
        num_bits_over_unit,
    )
}

/// MEAN: folds the element count `n` into the `s_in / s_out` multiplier the way TFLite's
/// `QuantizedMeanOrSum` does (`(m << shift) / n`, shift = min(⌊log2 n⌋, 32, 31 + exponent)).
pub fn mean_multiplier(m: QuantizedMultiplier, n: usize) -> QuantizedMultiplier {
    let n = n.max(1) as i64;
    let mut shift = 63 - (n as u64).leading_zeros() as i32;
    shift = shift.min(32).min(31 + m.shift);
    let multiplier = ((i64::from(m.multiplier) << shift) / n) as i32;
    QuantizedMultiplier {
        multiplier,
        shift: m.shift - shift,
    }
}

/// gemmlowp's rounding doubling high multiply on 16-bit values.
pub fn saturating_rounding_doubling_high_mul16(a: i16, b: i16) -> i16 {
    if a == i16::MIN && b == i16::MIN {
        return i16::MAX;
    }
    let ab = i32::from(a) * i32::from(b);
    let nudge = if ab >= 0 { 1 << 14 } else { 1 - (1 << 14) };
    ((ab + nudge) / (1 << 15)) as i16
}

/// Doubling high multiply without rounding (ARM SQDMULH).
pub fn saturating_doubling_high_mul16(a: i16, b: i16) -> i16 {
    if a == i16::MIN && b == i16::MIN {
        return i16::MAX;
    }
    ((i32::from(a) * i32::from(b)) / (1 << 15)) as i16
}

pub fn saturating_left_shift16(v: i16, amount: i32) -> i16 {
    let r = i64::from(v) * (1i64 << amount);
    r.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16
}

pub fn rounding_divide_by_pot16(x: i16, exponent: i32) -> i16 {
    rounding_divide_by_pot(i32::from(x), exponent) as i16
}

/// TFLite's `DownScaleInt32ToInt16Multiplier`.
pub fn downscale_q15(m: i32) -> i16 {
    const ROUND: i32 = 1 << 15;
    if m >= i32::MAX - ROUND {
        return i16::MAX;
    }
    ((m + ROUND) >> 16) as i16
}

/// SOFTMAX input scaling (TFLite's `PreprocessSoftmaxScaling` and `CalculateInputRadius`):
/// the multiplier taking `input − max` to Q(`integer_bits`) fixed point, and the smallest
/// difference that still contributes (`diff_min`).
pub fn softmax_input_scaling(
    beta: f32,
    input_scale: f32,
    integer_bits: i32,
) -> Result<(QuantizedMultiplier, i32), Error> {
    let max_real = f64::from(i32::MAX);
    let real = (f64::from(beta) * f64::from(input_scale) * f64::from(1i32 << (31 - integer_bits)))
        .min(max_real);
    let m = QuantizedMultiplier::from_real(real)?;
    if m.shift < 0 {
        return Err(Error::InvalidMultiplier);
    }
    // floor(((1 << integer_bits) - 1) · 2^(31 − integer_bits) / 2^shift)
    let radius = f64::from((1i32 << integer_bits) - 1) * (1i64 << (31 - integer_bits)) as f64
        / (1i64 << m.shift) as f64;
    Ok((m, -(libm::floor(radius) as i32)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The batched form equals one [`conv_multiplier`] per channel, across batch borders,
    /// and reports a scale that gives no multiplier.
    #[test]
    fn batched_multipliers_equal_one_by_one() {
        let scales: [f32; 70] = core::array::from_fn(|c| 1e-3 + c as f32 * 3.7e-4);
        let mut out = [QuantizedMultiplier {
            multiplier: 0,
            shift: 0,
        }; 70];
        conv_multipliers(0.02, scales.iter().copied(), 0.05, &mut out).unwrap();
        for (m, &f) in out.iter().zip(&scales) {
            assert_eq!(*m, conv_multiplier(0.02, f, 0.05).unwrap());
        }
        let bad = [1e-3f32, f32::NAN];
        assert!(conv_multipliers(0.02, bad.into_iter(), 0.05, &mut out[..2]).is_err());
    }

    /// The integer route of `frexp_q31` equals `libm`'s frexp and round on normal numbers
    /// across the exponent range, including mantissas exactly halfway between two Q31
    /// values and ones that round up to 2^31.
    #[test]
    fn q31_decomposition_equals_libm() {
        let libm_route = |real: f64| {
            let (mantissa, exp) = libm::frexp(real);
            (libm::round(mantissa * (1u64 << 31) as f64) as i64, exp)
        };
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for k in 0..200_000u32 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let real = match k % 4 {
                // Random normal numbers over a wide exponent range.
                0 | 1 => {
                    f64::from_bits((state & 0x000f_ffff_ffff_ffff) | ((900 + state % 250) << 52))
                }
                // Exactly halfway: fraction bits below the 22nd are 1000…0.
                2 => f64::from_bits(
                    (state & 0x000f_ffff_ffc0_0000) | (1 << 21) | ((1000 + state % 40) << 52),
                ),
                // Just below 1: rounds up to 2^31.
                _ => 1.0 - (1 + state % 1000) as f64 * f64::EPSILON / 4.0,
            };
            assert_eq!(frexp_q31(real), libm_route(real), "{real:e}");
        }
        let tiny = f64::from_bits(12345);
        assert_eq!(frexp_q31(tiny), libm_route(tiny));
    }

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
    fn doubling_high_mul_equals_gemmlowp_nudge_and_truncate() {
        let gemmlowp = |a: i32, b: i32| -> i32 {
            if a == i32::MIN && b == i32::MIN {
                return i32::MAX;
            }
            let ab = i64::from(a) * i64::from(b);
            let nudge: i64 = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
            ((ab + nudge) / (1i64 << 31)) as i32
        };
        let edges = [
            i32::MIN,
            i32::MIN + 1,
            -(1 << 30) - 1,
            -(1 << 30),
            -3,
            -1,
            0,
            1,
            3,
            1 << 30,
            (1 << 30) + 1,
            i32::MAX - 1,
            i32::MAX,
        ];
        for &a in &edges {
            for &b in &edges {
                assert_eq!(saturating_rounding_doubling_high_mul(a, b), gemmlowp(a, b));
            }
        }
        // Exact ties (ab ≡ ±2^30 mod 2^31) of both signs, and a pseudo-random spread.
        for k in -40i32..40 {
            let a = (2 * k + 1) << 25;
            for b in [1 << 5, -(1 << 5), 3 << 5, -(3 << 5), 1 << 6, 12345, -12345] {
                assert_eq!(saturating_rounding_doubling_high_mul(a, b), gemmlowp(a, b));
            }
        }
        let mut s = 0x1234_5678u32;
        for _ in 0..200_000 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let a = s as i32;
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let b = (s as i32) >> (s % 24);
            assert_eq!(saturating_rounding_doubling_high_mul(a, b), gemmlowp(a, b));
        }
    }

    #[test]
    fn doubling_high_mul_saturates_only_min_min() {
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MIN, i32::MIN),
            i32::MAX
        );
        assert_eq!(
            saturating_rounding_doubling_high_mul(1 << 30, 1 << 30),
            1 << 29
        );
        assert_eq!(
            saturating_rounding_doubling_high_mul(-(1 << 30), 1 << 30),
            -(1 << 29)
        );
        // 3 · 2^30 · 2 / 2^32 = 1.5 → 2; gemmlowp's nudge for negative products is
        // 1 − 2^30, so −1.5 truncates to −1 (the tie is not rounded away from zero).
        assert_eq!(saturating_rounding_doubling_high_mul(3, 1 << 30), 2);
        assert_eq!(saturating_rounding_doubling_high_mul(-3, 1 << 30), -1);
        assert_eq!(saturating_rounding_doubling_high_mul(-5, 1 << 30), -2);
    }

    #[test]
    fn exp_and_reciprocal_track_floats() {
        // exp(-x) for x in Q5.26.
        for &x in &[0.0f64, 0.1, 0.5, 1.0, 2.5, 7.0, 15.0] {
            let raw = -(x * f64::from(1 << 26)) as i32;
            let got = f64::from(exp_on_negative_values(raw, 5)) / 2f64.powi(31);
            assert!((got - libm::exp(-x)).abs() < 2e-6, "exp(-{x}) = {got}");
        }
        for &x in &[0.0f64, 0.25, 0.5, 0.9] {
            let raw = (x * 2f64.powi(31)) as i32;
            let got = f64::from(one_over_one_plus_x_for_x_in_0_1(raw)) / 2f64.powi(31);
            assert!((got - 1.0 / (1.0 + x)).abs() < 1e-6, "1/(1+{x}) = {got}");
        }
        // Reciprocal of 3.0 with 12 integer bits: mantissa · 2^-bits_over_unit ≈ 1/3.
        let (m, bits) = get_reciprocal(3 << 19, 12);
        let got = f64::from(m) / 2f64.powi(31) / 2f64.powi(bits);
        assert!((got - 1.0 / 3.0).abs() < 1e-6, "{got}");
    }

    #[test]
    fn activation_ranges_follow_scale_and_zero_point() {
        assert_eq!(activation_range(Activation::None, 0.1, 3), (-128, 127));
        assert_eq!(activation_range(Activation::Relu, 0.1, 3), (3, 127));
        assert_eq!(activation_range(Activation::Relu6, 0.1, -100), (-100, -40));
        assert_eq!(activation_range(Activation::ReluN1To1, 0.5, 0), (-2, 2));
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
