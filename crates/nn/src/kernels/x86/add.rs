// SPDX-License-Identifier: Apache-2.0
//! ADD, SUB and SQUARED_DIFFERENCE of two same-shape int8 tensors, 64 elements at a time in
//! AVX-512 (four vectors of sixteen int32 lanes): the reference arithmetic of
//! [`AddParams::apply`] lane by lane (offset, wrapping left shift, each input's rescale, the
//! combine step in wrapping int32, the output rescale and stage), so the bytes equal the
//! portable kernel's.
//!
//! The input rescale `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(u · 2^ls, m), r)`
//! of `u = x + offset` (|u| ≤ 255) needs no 64-bit product when `8 ≤ ls ≤ 21`: with
//! `m = mh · 2^j + ml`, `j = 31 − ls`, `0 ≤ ml < 2^j`,
//! `⌊(u · 2^ls · m + 2^30) / 2^31⌋ = u · mh + ⌊(u · ml + 2^(j−1)) / 2^j⌋`, both products and
//! the sum inside int32; the rounding shift is then `(h + 2^(r−1) − [h < 0]) >> r`. Other
//! shifts take the general [`Requant16`] path.

use core::arch::x86_64::*;

use super::requant::{self, Requant16, RoundShift};
use crate::kernels::add::{AddParams, Combine};
use crate::kernels::broadcast::Broadcast;
use crate::kernels::OutputStage;
use crate::quant::QuantizedMultiplier;

/// Elements per block (four vectors of sixteen lanes).
const BLOCK: usize = 64;

/// True when this kernel computes `p` exactly: every multiplier is one [`Requant16`]
/// reproduces and the left shift is a valid int32 shift.
pub fn applies(p: &AddParams) -> bool {
    (0..32).contains(&p.left_shift) && requant::supported(&[p.input1, p.input2, p.output])
}

/// Runs the op here when the CPU has AVX-512, both operands have the output's shape and
/// [`applies`] holds; returns false (output untouched) otherwise, and the caller uses a
/// portable kernel.
pub fn try_add(
    p: &AddParams,
    bc: &Broadcast,
    a: &[i8],
    b: &[i8],
    stage: OutputStage,
    out: &mut [i8],
) -> bool {
    let n = out.len();
    if !super::has_avx512_vnni()
        || !applies(p)
        || !bc.is_elementwise()
        || a.len() < n
        || b.len() < n
    {
        return false;
    }
    let job = Job {
        p,
        a: &a[..n],
        b: &b[..n],
        stage: &stage,
        out,
    };
    // SAFETY: the CPU supports AVX-512 F/BW/VL (checked just above).
    unsafe {
        if NarrowScale::fits(p.input1, p.left_shift) && NarrowScale::fits(p.input2, p.left_shift) {
            let s1 = NarrowScale::new(p.input1, p.input1_offset, p.left_shift);
            let s2 = NarrowScale::new(p.input2, p.input2_offset, p.left_shift);
            // An input whose rescale is exact (a mantissa without low bits, no right shift:
            // typically the larger-scale operand, multiplier 1/2) is one multiply-add.
            match (s1.is_linear(), s2.is_linear()) {
                (true, true) => with_output(job, |x| s1.linear(x), |y| s2.linear(y), true),
                (true, false) => with_output(job, |x| s1.linear(x), |y| s2.apply(y), true),
                (false, true) => with_output(job, |x| s1.apply(x), |y| s2.linear(y), true),
                (false, false) => with_output(job, |x| s1.apply(x), |y| s2.apply(y), true),
            }
        } else {
            let (q1, q2) = (Requant16::splat(p.input1), Requant16::splat(p.input2));
            let (off1, off2) = (
                _mm512_set1_epi32(p.input1_offset),
                _mm512_set1_epi32(p.input2_offset),
            );
            let shift = _mm_cvtsi32_si128(p.left_shift);
            // `(x + offset) << left_shift` (wrapping, as the scalar `* (1 << left_shift)`),
            // rescaled.
            let s1 = |x| q1.multiply(_mm512_sll_epi32(_mm512_add_epi32(x, off1), shift));
            let s2 = |y| q2.multiply(_mm512_sll_epi32(_mm512_add_epi32(y, off2), shift));
            with_output(job, s1, s2, false);
        }
    }
    true
}

/// One call's operands: `out[i]` from `a[i]` and `b[i]`, all of one length.
struct Job<'a> {
    p: &'a AddParams,
    a: &'a [i8],
    b: &'a [i8],
    stage: &'a OutputStage,
    out: &'a mut [i8],
}

/// [`with_combine`] with the output rescale: when the inputs are narrow-scaled
/// (`narrow_inputs`) and their offsets and left shift keep ADD and SUB sums below 2^30 in
/// magnitude ([`AddParams::rescaled_below_2_30`]), the rescale can be
/// [`Requant16::multiply_narrow`] with the offset added in the narrowing; otherwise (and for
/// SQUARED_DIFFERENCE, output left shifts, wide offsets) the general rescale, offset in
/// wrapping int32 like [`OutputStage::finish`].
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn with_output(
    job: Job<'_>,
    s1: impl Fn(__m512i) -> __m512i,
    s2: impl Fn(__m512i) -> __m512i,
    narrow_inputs: bool,
) {
    let (p, stage) = (job.p, job.stage);
    let qo = Requant16::splat(p.output);
    if narrow_inputs
        && p.rescaled_below_2_30()
        && (-31..=0).contains(&p.output.shift)
        && p.combine != Combine::SquaredDifference
        && (-255..=255).contains(&stage.offset)
    {
        let round = RoundShift::new(-p.output.shift);
        let offset16 = _mm512_set1_epi16(stage.offset as i16);
        with_combine(job, s1, s2, |s| qo.multiply_narrow(s, &round), offset16);
    } else {
        let offset = _mm512_set1_epi32(stage.offset);
        let so = |s| _mm512_add_epi32(qo.multiply(s), offset);
        with_combine(job, s1, s2, so, _mm512_setzero_si512());
    }
}

/// [`elementwise`] with `p`'s combine step between the rescaled inputs and the output
/// rescale `so` (`offset16` added in the narrowing).
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn with_combine(
    job: Job<'_>,
    s1: impl Fn(__m512i) -> __m512i,
    s2: impl Fn(__m512i) -> __m512i,
    so: impl Fn(__m512i) -> __m512i,
    offset16: __m512i,
) {
    match job.p.combine {
        Combine::Add => elementwise(job, |x, y| so(_mm512_add_epi32(s1(x), s2(y))), offset16),
        Combine::Sub => elementwise(job, |x, y| so(_mm512_sub_epi32(s1(x), s2(y))), offset16),
        Combine::SquaredDifference => elementwise(
            job,
            |x, y| {
                let d = _mm512_sub_epi32(s1(x), s2(y));
                so(_mm512_mullo_epi32(d, d))
            },
            offset16,
        ),
    }
}

/// `out[i] = clamp(f(a[i], b[i]) + offset16)` with `f` on sixteen sign-extended lanes at a
/// time, `offset16` added with saturation at 16 bits (see [`requant::narrow64`]), clamped to
/// the stage's bounds, for `i < out.len()` (`a` and `b` at least as long).
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn elementwise(job: Job<'_>, f: impl Fn(__m512i, __m512i) -> __m512i, offset16: __m512i) {
    let Job {
        a, b, stage, out, ..
    } = job;
    let (lo, hi) = (
        _mm512_set1_epi8(stage.min as i8),
        _mm512_set1_epi8(stage.max as i8),
    );
    let block = |x: &[i8; BLOCK], y: &[i8; BLOCK]| {
        let v = |k: usize| {
            // SAFETY: `k < 4`, so bytes `16k..16k + 16` lie inside both 64-byte blocks; the
            // loads are unaligned.
            let (x, y) = unsafe {
                (
                    _mm_loadu_si128(x.as_ptr().add(16 * k).cast()),
                    _mm_loadu_si128(y.as_ptr().add(16 * k).cast()),
                )
            };
            f(_mm512_cvtepi8_epi32(x), _mm512_cvtepi8_epi32(y))
        };
        // Saturating to int8 keeps every value's clamp to the int8 bounds.
        let bytes = requant::narrow64([v(0), v(1), v(2), v(3)], offset16);
        _mm512_min_epi8(_mm512_max_epi8(bytes, lo), hi)
    };
    super::in_steps::<BLOCK>(a, b, out, |x, y, o| {
        // SAFETY: `o` is 64 writable bytes; the store is unaligned.
        unsafe { _mm512_storeu_si512(o.as_mut_ptr().cast(), block(x, y)) }
    });
}

/// One input's rescale, `(x + offset) << ls` through a multiplier, in 32-bit products only
/// (see the module note): valid for `8 ≤ ls ≤ 21` and a shift in `-31..=0`.
#[derive(Clone, Copy)]
struct NarrowScale {
    /// `m >> j`.
    mh: __m512i,
    /// `m mod 2^j`.
    ml: __m512i,
    /// `offset · ml + 2^(j−1)`.
    low_nudge: __m512i,
    /// `offset · mh` plus the rounding shift's nudge.
    high_nudge: __m512i,
    /// `j = 31 − ls`.
    j: __m128i,
    /// The final rounding shift by `−shift`.
    round: RoundShift,
    /// True when `ml = 0` and the shift is 0: the rescale is exactly `(x + offset) · mh`.
    linear: bool,
}

impl NarrowScale {
    /// True when the 32-bit form is exact for `q` and `left_shift`: `|u · mh|` and
    /// `|u · ml| + 2^(j−1)` stay below 2^31 for `ls ≤ 23`, and the rescaled magnitude
    /// `≤ 255 · 2^ls < 2^29` leaves room for the rounding nudge (at most 2^30) for `ls ≤ 21`.
    fn fits(q: QuantizedMultiplier, left_shift: i32) -> bool {
        (8..=21).contains(&left_shift) && (-31..=0).contains(&q.shift)
    }

    /// # Safety
    /// The CPU must support AVX-512 F, and [`NarrowScale::fits`] must hold.
    #[target_feature(enable = "avx512f")]
    fn new(q: QuantizedMultiplier, offset: i32, left_shift: i32) -> Self {
        let j = 31 - left_shift;
        let round = RoundShift::new(-q.shift);
        let (mh, ml) = (q.multiplier >> j, q.multiplier & ((1 << j) - 1));
        Self {
            mh: _mm512_set1_epi32(mh),
            ml: _mm512_set1_epi32(ml),
            low_nudge: _mm512_set1_epi32(offset.wrapping_mul(ml).wrapping_add(1 << (j - 1))),
            high_nudge: _mm512_set1_epi32(offset.wrapping_mul(mh).wrapping_add(round.nudge)),
            j: _mm_cvtsi32_si128(j),
            round,
            linear: ml == 0 && q.shift == 0,
        }
    }

    /// True when [`NarrowScale::linear`] equals [`NarrowScale::apply`].
    fn is_linear(&self) -> bool {
        self.linear
    }

    /// The rescaled `(x + offset) << ls` of sixteen sign-extended int8 lanes `x`, equal to
    /// [`QuantizedMultiplier::apply`]. All adds wrap; the true values fit in int32, so the
    /// wrapped sums are those values.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F.
    #[target_feature(enable = "avx512f")]
    fn apply(&self, x: __m512i) -> __m512i {
        let low = _mm512_sra_epi32(
            _mm512_add_epi32(_mm512_mullo_epi32(x, self.ml), self.low_nudge),
            self.j,
        );
        let h = _mm512_add_epi32(_mm512_mullo_epi32(x, self.mh), low);
        self.round.apply(_mm512_add_epi32(h, self.high_nudge))
    }

    /// [`NarrowScale::apply`] when [`NarrowScale::is_linear`]: the low product is 0, its
    /// nudge `2^(j−1)` shifts out, and there is no rounding shift, leaving `x · mh + offset ·
    /// mh`.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F.
    #[target_feature(enable = "avx512f")]
    fn linear(&self, x: __m512i) -> __m512i {
        _mm512_add_epi32(_mm512_mullo_epi32(x, self.mh), self.high_nudge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_rng::Rng;
    use crate::quant::QuantizedMultiplier;

    /// Random offsets, multipliers, shifts, stages and lengths, each combine: every byte
    /// equals the reference and nothing past the output is written.
    #[test]
    fn matches_the_reference() {
        if !super::super::vnni_or_skip() {
            return;
        }
        let combines = [Combine::Add, Combine::Sub, Combine::SquaredDifference];
        crate::kernels::add::checks::random_ops(31, &combines, 0..24, &try_add);
    }

    /// Offsets of 255 in magnitude put the rescaled sum past 2^30: the general output
    /// rescale keeps every byte exact.
    #[test]
    fn wide_offsets_match_the_reference() {
        if !super::super::vnni_or_skip() {
            return;
        }
        crate::kernels::add::checks::wide_offsets(&try_add);
    }

    /// The 32-bit input rescale equals the scalar one for every offset input `x + offset` in
    /// −255..=255, random mantissas (extremes included), every left shift and right shift it
    /// accepts.
    #[test]
    fn narrow_scale_matches_the_scalar_rescale() {
        if !super::super::vnni_or_skip() {
            return;
        }
        let mut rng = Rng(4);
        for round in 0..2000 {
            let left_shift = rng.range(8, 22) as i32;
            let q = if round % 4 == 3 {
                // Linear: no low mantissa bits below 2^(31 − ls), no right shift.
                QuantizedMultiplier {
                    multiplier: rng.next() as i32 & !((1 << (31 - left_shift)) - 1),
                    shift: 0,
                }
            } else {
                QuantizedMultiplier {
                    multiplier: match round % 5 {
                        0 => i32::MAX,
                        1 => -(rng.range(0, 1 << 31) as i32),
                        _ => rng.next() as i32,
                    },
                    shift: -(rng.range(0, 32) as i32),
                }
            };
            assert!(NarrowScale::fits(q, left_shift));
            let offset = rng.range(0, 256) as i32 - 127;
            // SAFETY: AVX-512 F was detected above; `fits` holds.
            let s = unsafe { NarrowScale::new(q, offset, left_shift) };
            for x0 in (-128..128).step_by(16) {
                let x: [i32; 16] = core::array::from_fn(|k| x0 + k as i32);
                // SAFETY: AVX-512 F was detected above.
                let got: [i32; 16] = unsafe {
                    core::mem::transmute(s.apply(core::mem::transmute::<[i32; 16], __m512i>(x)))
                };
                let want = x.map(|x| q.apply((x + offset) * (1 << left_shift)));
                assert_eq!(got, want, "{q:?} ls {left_shift} offset {offset}");
                if s.is_linear() {
                    // SAFETY: AVX-512 F was detected above.
                    let linear: [i32; 16] = unsafe {
                        core::mem::transmute(
                            s.linear(core::mem::transmute::<[i32; 16], __m512i>(x)),
                        )
                    };
                    assert_eq!(linear, want, "linear {q:?} ls {left_shift} offset {offset}");
                }
            }
            // The linear rounds take the one multiply-add form.
            assert!(round % 4 != 3 || s.is_linear());
        }
        let q = QuantizedMultiplier::from_real(0.4).unwrap();
        assert!(!NarrowScale::fits(q, 7) && !NarrowScale::fits(q, 22));
        assert!(!NarrowScale::fits(
            QuantizedMultiplier::from_real(1.5).unwrap(),
            20
        ));
    }

    /// Broadcast operands and multipliers outside the vector form are left to the caller.
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
            output: QuantizedMultiplier {
                multiplier: i32::MIN,
                shift: 0
            },
            ..p
        }));
        assert!(!applies(&AddParams {
            left_shift: 32,
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
