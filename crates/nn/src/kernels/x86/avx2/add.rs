// SPDX-License-Identifier: Apache-2.0
//! ADD and SUB of two same-shape int8 tensors in AVX2, sixteen elements per step: the
//! reference arithmetic of `AddParams` lane by lane, so the bytes equal the portable
//! kernel's.
//!
//! Each input's rescale of `u = x + offset` (|u| ≤ 255) shifted left by `ls` takes 32-bit
//! products only, exact for `8 ≤ ls ≤ 21` and right shifts `0..=31` (the derivation is in
//! the AVX-512 kernel's module note, [`crate::kernels::x86::add`]): with `m = mh · 2^j + ml`,
//! `j = 31 − ls`, the doubling high multiply is `u · mh + ((u · ml + 2^(j−1)) >> j)`, then
//! the rounding shift `(h + 2^(r−1) − [h < 0]) >> r`. The sum's rescale to the output is the
//! general [`Requant8`]. SQUARED_DIFFERENCE and other shifts stay with the portable kernel.

use core::arch::x86_64::*;

use super::requant::{self, Requant8, Stage8};
use crate::kernels::add::{AddParams, Combine};
use crate::kernels::broadcast::Broadcast;
use crate::kernels::OutputStage;
use crate::quant::QuantizedMultiplier;

/// Elements per step (two vectors of eight int32 lanes).
const STEP: usize = 16;

/// True when this kernel computes `p` exactly: ADD or SUB, input rescales in the 32-bit
/// form's range, an output multiplier [`Requant8`] reproduces.
pub fn applies(p: &AddParams) -> bool {
    matches!(p.combine, Combine::Add | Combine::Sub)
        && Scale8::fits(p.input1, p.left_shift)
        && Scale8::fits(p.input2, p.left_shift)
        && (-255..=255).contains(&p.input1_offset)
        && (-255..=255).contains(&p.input2_offset)
        && requant::supported(&[p.output])
}

/// Runs the op here when the CPU has AVX2, both operands have the output's shape, the clamp
/// is int8 and [`applies`] holds; returns false (output untouched) otherwise.
pub fn try_add(
    p: &AddParams,
    bc: &Broadcast,
    a: &[i8],
    b: &[i8],
    stage: OutputStage,
    out: &mut [i8],
) -> bool {
    let n = out.len();
    if !super::super::has_avx2()
        || !applies(p)
        || !requant::fits(&stage)
        || !bc.is_elementwise()
        || a.len() < n
        || b.len() < n
    {
        return false;
    }
    // SAFETY: the CPU supports AVX2 (checked just above).
    unsafe {
        if p.combine == Combine::Add {
            add_avx2::<false>(p, &a[..n], &b[..n], &stage, out);
        } else {
            add_avx2::<true>(p, &a[..n], &b[..n], &stage, out);
        }
    }
    true
}

#[target_feature(enable = "avx2")]
fn add_avx2<const SUB: bool>(
    p: &AddParams,
    a: &[i8],
    b: &[i8],
    stage: &OutputStage,
    out: &mut [i8],
) {
    let op = Step::<SUB>::new(p, stage);
    super::super::in_steps::<STEP>(a, b, out, |x, y, o| {
        // SAFETY: the CPU supports AVX2 (this function's feature); `o` is 16 writable
        // bytes; the store is unaligned.
        unsafe { _mm_storeu_si128(o.as_mut_ptr().cast(), op.sixteen(x, y)) }
    });
}

/// One op's constants, and its arithmetic on sixteen elements. (Methods rather than
/// closures: a closure in an AVX2 function was not inlined into the loop.)
#[derive(Clone, Copy)]
struct Step<const SUB: bool> {
    s1: Scale8,
    s2: Scale8,
    out: Requant8,
    stage: Stage8,
    /// Every rescaled sum lies below 2^30 in magnitude ([`AddParams::rescaled_below_2_30`]).
    small: bool,
    /// And so does every result: the output rescale is the bounded form, which shifts
    /// nothing left.
    small_result: bool,
}

impl<const SUB: bool> Step<SUB> {
    /// # Safety
    /// The CPU must support AVX2; [`applies`] holds for `p`, and `stage` [`requant::fits`].
    #[target_feature(enable = "avx2")]
    fn new(p: &AddParams, stage: &OutputStage) -> Self {
        let out = Requant8::splat(p.output);
        let small = p.rescaled_below_2_30();
        Self {
            s1: Scale8::new(p.input1, p.input1_offset, p.left_shift),
            s2: Scale8::new(p.input2, p.input2_offset, p.left_shift),
            out,
            stage: Stage8::new(stage),
            small,
            small_result: small && out.has_no_left_shift(),
        }
    }

    /// Eight sums (`x`, `y`: the low eight bytes of each), rescaled to the output.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn eight(&self, x: __m128i, y: __m128i) -> __m256i {
        let (x, y) = (
            self.s1.rescale(_mm256_cvtepi8_epi32(x)),
            self.s2.rescale(_mm256_cvtepi8_epi32(y)),
        );
        let v = if SUB {
            _mm256_sub_epi32(x, y)
        } else {
            _mm256_add_epi32(x, y)
        };
        if self.small {
            self.out.multiply_small(v)
        } else {
            self.out.multiply(v)
        }
    }

    /// Sixteen outputs from sixteen elements of each input.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn sixteen(&self, x: &[i8; STEP], y: &[i8; STEP]) -> __m128i {
        // SAFETY: both are 16 readable bytes; the loads are unaligned.
        let (x, y) = unsafe {
            (
                _mm_loadu_si128(x.as_ptr().cast()),
                _mm_loadu_si128(y.as_ptr().cast()),
            )
        };
        let lo = self.eight(x, y);
        let hi = self.eight(_mm_srli_si128::<8>(x), _mm_srli_si128::<8>(y));
        if self.small_result {
            self.stage.narrow16_small(lo, hi)
        } else {
            self.stage.narrow16(lo, hi)
        }
    }
}

/// One input's rescale, `(x + offset) << ls` through a multiplier, in 32-bit products only
/// (see the module note).
#[derive(Clone, Copy)]
struct Scale8 {
    /// `m >> j`.
    mh: __m256i,
    /// `m mod 2^j`.
    ml: __m256i,
    /// `offset · ml + 2^(j−1)`.
    low_nudge: __m256i,
    /// `offset · mh + 2^(r−1)` (no `2^(r−1)` when `r = 0`).
    high_nudge: __m256i,
    /// Nudged lanes below this were negative before the nudge (`i32::MIN`, never, when
    /// `r = 0`).
    negative_below: __m256i,
    /// `j = 31 − ls`.
    j: __m128i,
    /// `r = −shift`.
    r: __m128i,
    /// True when `ml = 0` and `r = 0`: the rescale is exactly `(x + offset) · mh`.
    linear: bool,
}

impl Scale8 {
    /// True when the 32-bit form is exact for `q` and `left_shift` (as the AVX-512 kernel's
    /// `NarrowScale::fits`).
    fn fits(q: QuantizedMultiplier, left_shift: i32) -> bool {
        (8..=21).contains(&left_shift) && (-31..=0).contains(&q.shift)
    }

    /// # Safety
    /// The CPU must support AVX2, and [`Scale8::fits`] must hold.
    #[target_feature(enable = "avx2")]
    fn new(q: QuantizedMultiplier, offset: i32, left_shift: i32) -> Self {
        let j = 31 - left_shift;
        let r = -q.shift;
        let nudge = if r > 0 { 1 << (r - 1) } else { 0 };
        let (mh, ml) = (q.multiplier >> j, q.multiplier & ((1 << j) - 1));
        Self {
            mh: _mm256_set1_epi32(mh),
            ml: _mm256_set1_epi32(ml),
            low_nudge: _mm256_set1_epi32(offset.wrapping_mul(ml).wrapping_add(1 << (j - 1))),
            high_nudge: _mm256_set1_epi32(offset.wrapping_mul(mh).wrapping_add(nudge)),
            negative_below: _mm256_set1_epi32(if r > 0 { nudge } else { i32::MIN }),
            j: _mm_cvtsi32_si128(j),
            r: _mm_cvtsi32_si128(r),
            linear: ml == 0 && r == 0,
        }
    }

    /// [`Scale8::apply`], as one multiply-add when the rescale is linear (typically the
    /// input with the larger scale, whose multiplier is exactly 1/2): the low product is 0,
    /// its nudge `2^(j−1)` shifts out, and there is no rounding shift, leaving
    /// `x · mh + offset · mh`.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn rescale(&self, x: __m256i) -> __m256i {
        if self.linear {
            _mm256_add_epi32(_mm256_mullo_epi32(x, self.mh), self.high_nudge)
        } else {
            self.apply(x)
        }
    }

    /// The rescaled `(x + offset) << ls` of eight sign-extended int8 lanes `x`, equal to
    /// [`QuantizedMultiplier::apply`]. The adds wrap; the true values fit in int32.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn apply(&self, x: __m256i) -> __m256i {
        let low = _mm256_sra_epi32(
            _mm256_add_epi32(_mm256_mullo_epi32(x, self.ml), self.low_nudge),
            self.j,
        );
        let t = _mm256_add_epi32(
            _mm256_add_epi32(_mm256_mullo_epi32(x, self.mh), low),
            self.high_nudge,
        );
        // `t < negative_below` is −1 in the comparison's lane: adding it subtracts one.
        let t = _mm256_add_epi32(t, _mm256_cmpgt_epi32(self.negative_below, t));
        _mm256_sra_epi32(t, self.r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random offsets (extremes included), multipliers, left shifts 8-21, stages and
    /// lengths, ADD and SUB: every byte equals the reference and nothing past the output is
    /// written.
    #[test]
    fn matches_the_reference() {
        if !crate::kernels::x86::avx2_or_skip() {
            return;
        }
        let combines = [Combine::Add, Combine::Sub];
        crate::kernels::add::checks::random_ops(37, &combines, 8..22, &try_add);
    }

    /// Offsets at the 255 this kernel accepts put the rescaled sum past 2^30: the general
    /// output rescale keeps every byte exact.
    #[test]
    fn wide_offsets_match_the_reference() {
        if !crate::kernels::x86::avx2_or_skip() {
            return;
        }
        crate::kernels::add::checks::wide_offsets(&try_add);
    }

    /// SQUARED_DIFFERENCE, shifts outside the 32-bit form and broadcasts are left to the
    /// caller, output untouched.
    #[test]
    fn declines_what_it_does_not_handle() {
        let q = QuantizedMultiplier::from_real(0.3).unwrap();
        let p = AddParams {
            input1_offset: 0,
            input2_offset: 0,
            left_shift: 20,
            input1: q,
            input2: q,
            output: q,
            combine: Combine::Add,
        };
        assert!(applies(&p));
        assert!(!applies(&AddParams {
            combine: Combine::SquaredDifference,
            ..p
        }));
        assert!(!applies(&AddParams { left_shift: 7, ..p }));
        assert!(!applies(&AddParams {
            input1: QuantizedMultiplier::from_real(1.5).unwrap(),
            ..p
        }));
        let stage = OutputStage {
            offset: 0,
            min: -128,
            max: 127,
        };
        let bc =
            Broadcast::new([1, 1, 1, 1, 2, 3], [1, 1, 1, 1, 1, 3], [1, 1, 1, 1, 2, 3]).unwrap();
        let mut out = [7i8; 6];
        assert!(!try_add(&p, &bc, &[1; 6], &[2; 3], stage, &mut out));
        assert_eq!(out, [7; 6]);
    }
}
