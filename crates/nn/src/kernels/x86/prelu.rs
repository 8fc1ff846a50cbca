// SPDX-License-Identifier: Apache-2.0
//! PRELU with one alpha per innermost channel, sixteen channels at a time in AVX-512: both
//! branches of the reference arithmetic (`positive(x)` and `negative(x · alpha)`, each a
//! [`Requant16`] rescale) computed lane by lane and the one the input's sign picks kept, so
//! the bytes equal the portable kernel's.

use core::arch::x86_64::*;

use super::requant::{self, Requant16};
use crate::kernels::prelu::PreluParams;
use crate::kernels::OutputStage;

/// Channels per vector.
const LANES: usize = 16;

/// Runs the op here when the CPU has AVX-512, the input is a whole number of pixels of
/// `alpha.len()` channels with the output's length, and both multipliers are ones the vector
/// form reproduces; returns false (output untouched) otherwise.
pub fn try_prelu_per_channel(p: &PreluParams, input: &[i8], alpha: &[i8], out: &mut [i8]) -> bool {
    let c = alpha.len();
    if !super::has_avx512_vnni()
        || c == 0
        || input.len() != out.len()
        || !input.len().is_multiple_of(c)
        || !requant::supported(&[p.positive, p.negative])
    {
        return false;
    }
    // SAFETY: the CPU supports AVX-512 F/BW/VL (checked just above).
    unsafe { per_channel(p, input, alpha, out) };
    true
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn per_channel(p: &PreluParams, input: &[i8], alpha: &[i8], out: &mut [i8]) {
    let c = alpha.len();
    let (pos, neg) = (Requant16::splat(p.positive), Requant16::splat(p.negative));
    let input_offset = _mm512_set1_epi32(p.input_offset);
    let alpha_offset = _mm512_set1_epi32(p.alpha_offset);
    let stage = OutputStage {
        offset: p.output_offset,
        min: -128,
        max: 127,
    };
    let zero = _mm512_setzero_si512();
    // Sixteen outputs from sixteen inputs and their channels' alphas.
    let lanes = |x: __m128i, a: __m128i| {
        let x = _mm512_add_epi32(_mm512_cvtepi8_epi32(x), input_offset);
        let a = _mm512_add_epi32(_mm512_cvtepi8_epi32(a), alpha_offset);
        let positive = pos.multiply(x);
        let negative = neg.multiply(_mm512_mullo_epi32(x, a));
        let v = _mm512_mask_blend_epi32(_mm512_cmpge_epi32_mask(x, zero), negative, positive);
        requant::finish(v, &stage)
    };
    for (xs, os) in input.chunks_exact(c).zip(out.chunks_exact_mut(c)) {
        let mut k = 0;
        while k < c {
            let mask: __mmask16 = if c - k >= LANES {
                u16::MAX
            } else {
                (1u16 << (c - k)) - 1
            };
            // SAFETY: the mask enables only bytes `k..min(k + 16, c)`, inside `xs`, `os` and
            // `alpha` (each `c` long); masked-off bytes are neither read (faults suppressed)
            // nor written.
            unsafe {
                let x = _mm_maskz_loadu_epi8(mask, xs.as_ptr().add(k));
                let a = _mm_maskz_loadu_epi8(mask, alpha.as_ptr().add(k));
                _mm_mask_storeu_epi8(os.as_mut_ptr().add(k), mask, lanes(x, a));
            }
            k += LANES;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::broadcast::Broadcast;
    use crate::kernels::prelu::prelu_reference;
    use crate::kernels::test_rng::Rng;
    use crate::quant::QuantizedMultiplier;

    /// Random zero points (extremes included), multipliers, channel counts (most not a
    /// multiple of 16) and pixels: every byte equals the reference.
    #[test]
    fn matches_the_reference() {
        if !super::super::vnni_or_skip() {
            return;
        }
        let mut rng = Rng(9);
        let offset = |rng: &mut Rng| match rng.range(0, 6) {
            0 => -127,
            1 => 128,
            _ => rng.range(0, 256) as i32 - 127,
        };
        for round in 0..400 {
            let p = PreluParams {
                input_offset: offset(&mut rng),
                alpha_offset: offset(&mut rng),
                output_offset: rng.range(0, 256) as i32 - 128,
                positive: QuantizedMultiplier {
                    multiplier: (1 << 30) + rng.range(0, 1 << 30) as i32,
                    shift: rng.range(0, 8) as i32 - 5,
                },
                negative: QuantizedMultiplier {
                    multiplier: if round % 9 == 0 {
                        i32::MAX
                    } else {
                        (1 << 30) + rng.range(0, 1 << 30) as i32
                    },
                    shift: rng.range(0, 20) as i32 - 16,
                },
            };
            let c = if round % 4 == 0 {
                16 * rng.range(1, 5)
            } else {
                rng.range(1, 70)
            };
            let pixels = rng.range(1, 1000 / c + 1);
            let n = pixels * c;
            let (x, alpha) = (rng.i8s(n), rng.i8s(c));
            let dims = [1, 1, 1, 1, pixels, c];
            let bc = Broadcast::new(dims, [1, 1, 1, 1, 1, c], dims).unwrap();
            let mut want = [0i8; 1024];
            let mut got = [0i8; 1024];
            prelu_reference(&p, &bc, &x[..n], &alpha[..c], &mut want[..n]);
            assert!(try_prelu_per_channel(
                &p,
                &x[..n],
                &alpha[..c],
                &mut got[..n]
            ));
            assert_eq!(want[..n], got[..n], "round {round}: {p:?}, {pixels} x {c}");
        }
    }

    /// An input that is not a whole number of pixels is left to the caller.
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
    }
}
