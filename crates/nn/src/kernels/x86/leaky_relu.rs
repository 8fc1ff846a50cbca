// SPDX-License-Identifier: Apache-2.0
//! LEAKY_RELU sixteen elements at a time in AVX-512: both branches of the reference
//! arithmetic (identity and alpha rescale, the latter negated for a negative alpha) lane by
//! lane, the input's sign picking one, so the bytes equal the portable kernel's. Large
//! tensors run as a 256-entry table ([`super::lut`]); this fills that table and computes
//! small tensors directly.

use core::arch::x86_64::*;

use super::requant::{self, Requant16};
use crate::kernels::leaky_relu::LeakyReluParams;
use crate::kernels::OutputStage;

/// Elements per vector.
const LANES: usize = 16;

/// Runs the op here when the CPU has AVX-512, the zero points are near int8 (|zp| ≤ 255) and
/// both multipliers are ones [`Requant16`] reproduces; returns false (output untouched)
/// otherwise.
pub fn try_leaky_relu(p: &LeakyReluParams, input: &[i8], out: &mut [i8]) -> bool {
    if !super::has_avx512_vnni()
        || !(-255..=255).contains(&p.input_zero_point)
        || !(-255..=255).contains(&p.output_zero_point)
        || !requant::supported(&[p.identity, p.alpha])
    {
        return false;
    }
    // SAFETY: the CPU supports AVX-512 F/BW/VL (checked just above).
    unsafe { leaky_relu_avx512(p, input, out) };
    true
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn leaky_relu_avx512(p: &LeakyReluParams, input: &[i8], out: &mut [i8]) {
    let n = input.len().min(out.len());
    let (identity, alpha) = (Requant16::splat(p.identity), Requant16::splat(p.alpha));
    let zero_point = _mm512_set1_epi32(p.input_zero_point);
    let zero = _mm512_setzero_si512();
    let stage = OutputStage {
        offset: p.output_zero_point,
        min: -128,
        max: 127,
    };
    let lanes = |x: __m128i| {
        let v = _mm512_sub_epi32(_mm512_cvtepi8_epi32(x), zero_point);
        let scaled = alpha.multiply(v);
        let negative = if p.alpha_negative {
            _mm512_sub_epi32(zero, scaled)
        } else {
            scaled
        };
        let non_negative = _mm512_cmpge_epi32_mask(v, zero);
        let v = _mm512_mask_blend_epi32(non_negative, negative, identity.multiply(v));
        requant::finish(v, &stage)
    };
    let mut i = 0;
    while i < n {
        let mask: __mmask16 = if n - i >= LANES {
            u16::MAX
        } else {
            (1u16 << (n - i)) - 1
        };
        // SAFETY: the mask enables only bytes `i..min(i + 16, n)`, inside both slices;
        // masked-off bytes are neither read (faults suppressed) nor written.
        unsafe {
            let x = _mm_maskz_loadu_epi8(mask, input.as_ptr().add(i));
            _mm_mask_storeu_epi8(out.as_mut_ptr().add(i), mask, lanes(x));
        }
        i += LANES;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::leaky_relu::leaky_relu_reference;
    use crate::kernels::test_rng::Rng;
    use crate::quant::QuantizedMultiplier;

    /// Random zero points (extremes included), multipliers with shifts of both signs, alphas of
    /// both signs, over every int8 input and odd lengths: every byte equals the reference and
    /// nothing past the output is written.
    #[test]
    fn matches_the_reference() {
        if !super::super::vnni_or_skip() {
            return;
        }
        let mut rng = Rng(3);
        let mut x = [0i8; 300];
        for (k, v) in x.iter_mut().enumerate() {
            *v = k as u8 as i8;
        }
        let multiplier = |rng: &mut Rng| QuantizedMultiplier {
            multiplier: (1 << 30) + rng.range(0, 1 << 30) as i32,
            shift: rng.range(0, 14) as i32 - 10,
        };
        for round in 0..2000 {
            let zero_point = |rng: &mut Rng| match rng.range(0, 6) {
                0 => -128,
                1 => 127,
                _ => rng.range(0, 256) as i32 - 128,
            };
            let p = LeakyReluParams {
                input_zero_point: zero_point(&mut rng),
                output_zero_point: zero_point(&mut rng),
                identity: multiplier(&mut rng),
                alpha: multiplier(&mut rng),
                alpha_negative: round % 3 == 0,
            };
            let n = if round % 4 == 0 {
                256
            } else {
                rng.range(0, 300)
            };
            let mut want = [0i8; 300];
            let mut got = [77i8; 301];
            leaky_relu_reference(&p, &x[..n], &mut want[..n]);
            assert!(try_leaky_relu(&p, &x[..n], &mut got[..n]));
            assert_eq!(want[..n], got[..n], "round {round}: {p:?}");
            assert!(
                got[n..].iter().all(|&v| v == 77),
                "round {round}: wrote past the end"
            );
        }
    }
}
