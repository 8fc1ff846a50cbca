// SPDX-License-Identifier: Apache-2.0
//! PRELU with one alpha per innermost channel in AVX2, eight channels at a time: both
//! branches of the reference arithmetic lane by lane (the positive rescale of
//! `u = x − zp`, and the negative rescale of `u · (alpha − alpha_zp)`), the sign of `u`
//! picking one, so the bytes equal the portable kernel's. A channel count that is not a
//! multiple of eight ends with a block that overlaps the one before (it rewrites a few
//! channels with the same values).

use core::arch::x86_64::*;

use super::requant::{self, Requant8, Stage8};
use crate::kernels::prelu::PreluParams;
use crate::kernels::OutputStage;

/// Channels per block.
const LANES: usize = 8;

/// Runs the op here when the CPU has AVX2, there are at least eight channels, the input is
/// a whole number of pixels of `alpha.len()` channels with the output's length, the input
/// and alpha offsets are near int8 zero points (|offset| ≤ 255, so `|u|, |A| ≤ 383` and
/// `|u · A| < 2^18`) and
/// both multipliers are ones [`Requant8`] reproduces; returns false (output untouched)
/// otherwise.
pub fn try_prelu_per_channel(p: &PreluParams, input: &[i8], alpha: &[i8], out: &mut [i8]) -> bool {
    let c = alpha.len();
    if !super::super::has_avx2()
        || c < LANES
        || input.len() != out.len()
        || !input.len().is_multiple_of(c)
        || !(-255..=255).contains(&p.input_offset)
        || !(-255..=255).contains(&p.alpha_offset)
        || !requant::supported(&[p.positive, p.negative])
    {
        return false;
    }
    // SAFETY: the CPU supports AVX2 (checked just above).
    unsafe { per_channel(p, input, alpha, out) };
    true
}

/// The kernel, once [`try_prelu_per_channel`] checked its conditions.
#[target_feature(enable = "avx2")]
fn per_channel(p: &PreluParams, input: &[i8], alpha: &[i8], out: &mut [i8]) {
    let c = alpha.len();
    let positive = Requant8::splat(p.positive);
    let negative = Requant8::splat(p.negative);
    let stage = Stage8::new(&OutputStage {
        offset: p.output_offset,
        min: -128,
        max: 127,
    });
    let input_offset = _mm256_set1_epi32(p.input_offset);
    let zero = _mm256_setzero_si256();
    let mut c0 = 0;
    loop {
        // The last block ends at channel `c`.
        let c0_here = c0.min(c - LANES);
        let a = load8_i8(&alpha[c0_here..c0_here + LANES]);
        let factor = _mm256_add_epi32(a, _mm256_set1_epi32(p.alpha_offset));
        for (xs, os) in input.chunks_exact(c).zip(out.chunks_exact_mut(c)) {
            let u = _mm256_add_epi32(load8_i8(&xs[c0_here..c0_here + LANES]), input_offset);
            // `|u| ≤ 383` and `|u · A| < 2^18`: both far below 2^30.
            let pos = positive.multiply_small(u);
            let neg = negative.multiply_small(_mm256_mullo_epi32(u, factor));
            let v = _mm256_blendv_epi8(pos, neg, _mm256_cmpgt_epi32(zero, u));
            let o = &mut os[c0_here..c0_here + LANES];
            // SAFETY: `o` is 8 writable bytes; the store is unaligned.
            unsafe { _mm_storel_epi64(o.as_mut_ptr().cast(), stage.narrow8(v)) };
        }
        if c0_here + LANES >= c {
            break;
        }
        c0 += LANES;
    }
}

/// Eight int8 sign-extended to int32 lanes.
#[inline]
#[target_feature(enable = "avx2")]
fn load8_i8(v: &[i8]) -> __m256i {
    assert!(v.len() >= LANES);
    // SAFETY: `v` holds at least 8 readable bytes (asserted); the load is unaligned.
    _mm256_cvtepi8_epi32(unsafe { _mm_loadl_epi64(v.as_ptr().cast()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random zero points (extremes included), multipliers with left and right shifts,
    /// channel counts from 8 (most not a multiple of 8) and pixels: every byte equals the
    /// reference.
    #[test]
    fn matches_the_reference() {
        if !crate::kernels::x86::avx2_or_skip() {
            return;
        }
        crate::kernels::prelu::checks::random_ops(13, LANES, &try_prelu_per_channel);
    }
}
