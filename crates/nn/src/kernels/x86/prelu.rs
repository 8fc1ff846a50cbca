// SPDX-License-Identifier: Apache-2.0
//! PRELU with one alpha per innermost channel, 64 channels at a time in AVX-512: inputs at
//! or above the zero point look their output up in the shared positive-branch table
//! (`vpermi2b`), the others take the reference negative branch
//! `negative((x − zp) · (alpha − alpha_zp))` in sixteen-lane int32 arithmetic; each lane keeps
//! the branch its input picks, so the bytes equal the portable kernel's.

use core::arch::x86_64::*;

use super::lut::Table256;
use super::requant::{self, LanePlus, Requant16};
use crate::kernels::prelu::{positive_table, PreluParams};

/// Channels per block (one byte vector).
const BLOCK: usize = 64;

/// Runs the op here when the CPU has AVX-512 VBMI, the input is a whole number of pixels of
/// `alpha.len()` channels with the output's length, all offsets are int8 zero points or near
/// (|offset| ≤ 255, so products stay far inside int32) and the negative multiplier is one the
/// narrow vector form reproduces (normalised mantissa, shift ≤ 0); returns false (output
/// untouched) otherwise.
pub fn try_prelu_per_channel(p: &PreluParams, input: &[i8], alpha: &[i8], out: &mut [i8]) -> bool {
    let c = alpha.len();
    if !super::has_avx512_vbmi()
        || c == 0
        || input.len() != out.len()
        || !input.len().is_multiple_of(c)
        || !(-255..=255).contains(&p.input_offset)
        || !(-255..=255).contains(&p.alpha_offset)
        || !(-255..=255).contains(&p.output_offset)
        || !(-31..=0).contains(&p.negative.shift)
        || p.negative.multiplier < 1 << 30
        || !requant::supported(&[p.negative])
    {
        return false;
    }
    // SAFETY: the CPU supports AVX-512 F/BW/VL/VBMI (checked just above).
    unsafe { per_channel(p, input, alpha, out) };
    true
}

/// The kernel, once [`try_prelu_per_channel`] checked its conditions.
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi")]
fn per_channel(p: &PreluParams, input: &[i8], alpha: &[i8], out: &mut [i8]) {
    let c = alpha.len();
    // The negative branch is `RoundingDivideByPOT(h, r)` of the doubling high multiply `h`
    // of `v = (x − zp) · A`, `A = alpha − alpha_zp`, `|v| ≤ 383² < 2^18`: with `r > 0` that is
    // `(h + 2^(r−1) − [h < 0]) >> r`. For the lanes that take this branch `x − zp < 0`, and
    // with a normalised mantissa (≥ 2^30) `h < 0` exactly when `A > 0` (when `v = −1` and the
    // mantissa is 2^30, `h = 0` and the shift gives 0 either way). So the whole addend is
    // one constant per channel, folded into the multiply's rounding.
    let q = Requant16::splat(p.negative);
    let r = -p.negative.shift;
    let nudge = _mm512_set1_epi32(if r > 0 { 1 << (r - 1) } else { 0 });
    let shift = _mm_cvtsi32_si128(r);
    let positive = Table256::new(&positive_table(p));
    // Inputs below `-input_offset` take the negative branch.
    let split = (-p.input_offset).clamp(-128, 128);
    let below = _mm512_set1_epi8(split.min(127) as i8);
    let all_negative = split == 128;
    let output_offset = _mm512_set1_epi16(p.output_offset as i16);
    let mut c0 = 0;
    while c0 < c {
        let width = (c - c0).min(BLOCK);
        let mask: __mmask64 = if width == BLOCK {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        // SAFETY: the mask enables only bytes `c0..c0 + width`, inside `alpha`; masked-off
        // bytes are not read (faults suppressed).
        let a = unsafe { _mm512_maskz_loadu_epi8(mask, alpha.as_ptr().add(c0)) };
        // Per lane group: `alpha − alpha_zp` and `−zp · (alpha − alpha_zp)`, so that the
        // product is `x · A + B`.
        let wide = widen(a);
        let alpha_offset = _mm512_set1_epi32(p.alpha_offset);
        let input_offset = _mm512_set1_epi32(p.input_offset);
        let factor = wide.map(|v| _mm512_add_epi32(v, alpha_offset));
        let constant = factor.map(|f| _mm512_mullo_epi32(f, input_offset));
        let plus = factor.map(|f| {
            let positive = if r > 0 {
                _mm512_cmpgt_epi32_mask(f, _mm512_setzero_si512())
            } else {
                0
            };
            LanePlus::new(_mm512_mask_sub_epi32(
                nudge,
                positive,
                nudge,
                _mm512_set1_epi32(1),
            ))
        });
        let mut base = c0;
        while base < input.len() {
            // SAFETY: `base` is the start of channel `c0` in one pixel, so the enabled bytes
            // `base..base + width` lie inside that pixel's `c` bytes of `input` (and of
            // `out`, of equal length); masked-off bytes are neither read nor written.
            let x = unsafe { _mm512_maskz_loadu_epi8(mask, input.as_ptr().add(base)) };
            let xs = widen(x);
            let v: [__m512i; 4] = core::array::from_fn(|k| {
                let product = _mm512_add_epi32(_mm512_mullo_epi32(xs[k], factor[k]), constant[k]);
                _mm512_sra_epi32(q.high_mul_plus(product, &plus[k]), shift)
            });
            let neg = if all_negative {
                u64::MAX
            } else {
                _mm512_cmplt_epi8_mask(x, below)
            };
            // The narrowing adds the offset and saturates: the reference's clamp to int8.
            let negative = requant::narrow64(v, output_offset);
            let y = _mm512_mask_blend_epi8(neg, positive.look(x), negative);
            // SAFETY: as for the load above.
            unsafe { _mm512_mask_storeu_epi8(out.as_mut_ptr().add(base), mask, y) };
            base += c;
        }
        c0 += BLOCK;
    }
}

/// The 64 bytes of `x` sign-extended to four vectors of sixteen int32 lanes, in order.
#[target_feature(enable = "avx512f")]
fn widen(x: __m512i) -> [__m512i; 4] {
    [
        _mm512_cvtepi8_epi32(_mm512_extracti32x4_epi32::<0>(x)),
        _mm512_cvtepi8_epi32(_mm512_extracti32x4_epi32::<1>(x)),
        _mm512_cvtepi8_epi32(_mm512_extracti32x4_epi32::<2>(x)),
        _mm512_cvtepi8_epi32(_mm512_extracti32x4_epi32::<3>(x)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::broadcast::Broadcast;
    use crate::kernels::prelu::prelu_reference;
    use crate::quant::QuantizedMultiplier;

    /// Random zero points (extremes included), multipliers, channel counts (most not a
    /// multiple of 16) and pixels: every byte equals the reference.
    #[test]
    fn matches_the_reference() {
        if !super::super::vbmi_or_skip() {
            return;
        }
        crate::kernels::prelu::checks::random_ops(9, 1, &try_prelu_per_channel);
    }

    /// Small alphas and a multiplier of 1/4 put many negative-branch results on exact ties of
    /// the rounding shift, which round away from zero like the reference.
    #[test]
    fn negative_ties_match_the_reference() {
        if !super::super::vbmi_or_skip() {
            return;
        }
        for shift in -3..=0 {
            let p = PreluParams {
                input_offset: 0,
                alpha_offset: 0,
                output_offset: 0,
                positive: QuantizedMultiplier::from_real(0.5).unwrap(),
                negative: QuantizedMultiplier {
                    multiplier: 1 << 30,
                    shift,
                },
            };
            let c = 16;
            let alpha: [i8; 16] = core::array::from_fn(|k| k as i8 - 8);
            let x: [i8; 256 * 16] = core::array::from_fn(|i| (i / c) as u8 as i8);
            let dims = [1, 1, 1, 1, 256, c];
            let bc = Broadcast::new(dims, [1, 1, 1, 1, 1, c], dims).unwrap();
            let mut want = [0i8; 256 * 16];
            let mut got = [0i8; 256 * 16];
            prelu_reference(&p, &bc, &x, &alpha, &mut want);
            assert!(try_prelu_per_channel(&p, &x, &alpha, &mut got));
            assert_eq!(want, got, "shift {shift}");
        }
    }

    /// An input that is not a whole number of pixels, offsets beyond int8 zero points and a
    /// negative-branch multiplier above 1 or not normalised are left to the caller.
    #[test]
    fn declines_a_partial_pixel() {
        let q = QuantizedMultiplier::from_real(0.3).unwrap();
        let p = PreluParams {
            input_offset: 0,
            alpha_offset: 0,
            output_offset: 0,
            positive: q,
            negative: q,
        };
        let mut out = [5i8; 7];
        assert!(!try_prelu_per_channel(&p, &[1; 7], &[1; 3], &mut out));
        assert_eq!(out, [5; 7]);
        let far = PreluParams {
            input_offset: 300,
            ..p
        };
        assert!(!try_prelu_per_channel(
            &far,
            &[1; 6],
            &[1; 3],
            &mut out[..6]
        ));
        assert_eq!(out, [5; 7]);
    }
}
