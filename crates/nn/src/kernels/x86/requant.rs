// SPDX-License-Identifier: Apache-2.0
//! Sixteen int32 accumulators to int8 at once: TFLite's per-channel
//! `MultiplyByQuantizedMultiplier` (double rounding), output offset and clamp, in AVX-512 —
//! lane for lane equal to [`QuantizedMultiplier::apply`] followed by
//! [`OutputStage::finish`].

use core::arch::x86_64::*;

use crate::kernels::OutputStage;
use crate::quant::QuantizedMultiplier;

/// Sixteen output channels' requantisation parameters, one lane each.
#[derive(Debug, Clone, Copy)]
pub struct Requant16 {
    /// Q31 mantissas.
    mult: __m512i,
    /// The odd lanes' mantissas moved down into the even lanes (the operand layout of
    /// `_mm512_mul_epi32`).
    mult_odd: __m512i,
    /// Left shifts (`max(shift, 0)`).
    left: __m512i,
    /// Right shifts (`max(−shift, 0)`).
    right: __m512i,
    /// True when no lane shifts left: [`Requant16::multiply`] then takes the fused route.
    fused: bool,
    /// The fused route's constants, for the even lanes then the odd lanes (64-bit lanes).
    fused_even: Fused,
    fused_odd: Fused,
}

/// Per 64-bit lane, the constants of `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul
/// (x, m), r)` computed as one rounding of the 64-bit product `P = x · m`:
/// `(P + 2^30 + c · 2^31) >> (31 + r)` with `c = 2^(r−1) − [P < −2^30]` for `r > 0` and
/// `c = 0` for `r = 0`. Exact because `⌊(⌊A / 2^31⌋ + c) / 2^r⌋ = ⌊(A + c · 2^31) /
/// 2^(31 + r)⌋` for integer `c`, and the high multiply's result `h = ⌊(P + 2^30) / 2^31⌋` is
/// negative exactly when `P < −2^30`; `|P| ≤ 2^62`, so nothing overflows 64 bits.
#[derive(Debug, Clone, Copy)]
struct Fused {
    /// `2^30 + 2^(r−1) · 2^31` (`2^30` when `r = 0`).
    nudge: __m512i,
    /// `−2^30` when `r > 0`, else `i64::MIN` (no lane below it: no correction).
    negative_below: __m512i,
    /// `31 + r`.
    shift: __m512i,
}

impl Fused {
    /// From the right shifts of the lanes this half covers (eight 64-bit lanes).
    #[target_feature(enable = "avx512f")]
    fn new(right: [i32; 8]) -> Self {
        let lane = |f: &dyn Fn(i32) -> i64| {
            _mm512_setr_epi64(
                f(right[0]),
                f(right[1]),
                f(right[2]),
                f(right[3]),
                f(right[4]),
                f(right[5]),
                f(right[6]),
                f(right[7]),
            )
        };
        Self {
            nudge: lane(&|r| (1 << 30) + if r > 0 { 1i64 << (r - 1 + 31) } else { 0 }),
            negative_below: lane(&|r| if r > 0 { -(1 << 30) } else { i64::MIN }),
            shift: lane(&|r| i64::from(31 + r)),
        }
    }

    /// The requantised value of eight products, in the low halves of the 64-bit lanes.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn round(&self, product: __m512i) -> __m512i {
        let t = _mm512_add_epi64(product, self.nudge);
        let negative = _mm512_cmplt_epi64_mask(product, self.negative_below);
        let t = _mm512_mask_sub_epi64(t, negative, t, _mm512_set1_epi64(1 << 31));
        _mm512_srav_epi64(t, self.shift)
    }
}

/// True when every multiplier is one the vector form reproduces exactly: the mantissa is not
/// `i32::MIN` (the one saturating case of the doubling high multiply, which a
/// [`QuantizedMultiplier::from_real`] mantissa never is) and the shift lies in `-31..=30`.
pub fn supported(mults: &[QuantizedMultiplier]) -> bool {
    mults
        .iter()
        .all(|m| m.multiplier != i32::MIN && (-31..=30).contains(&m.shift))
}

impl Requant16 {
    /// Lanes `0..mults.len()` from `mults` (at most 16; further lanes multiply by 0).
    ///
    /// # Safety
    /// The CPU must support AVX-512 F ([`super::has_avx512_vnni`] returned true).
    #[target_feature(enable = "avx512f")]
    pub fn new(mults: &[QuantizedMultiplier]) -> Self {
        let mut m = [0i32; 16];
        let mut l = [0i32; 16];
        let mut r = [0i32; 16];
        for (k, q) in mults.iter().take(16).enumerate() {
            m[k] = q.multiplier;
            l[k] = q.shift.max(0);
            r[k] = (-q.shift).max(0);
        }
        let mult = from_array(m);
        Self {
            mult,
            mult_odd: _mm512_srli_epi64::<32>(mult),
            left: from_array(l),
            right: from_array(r),
            fused: l.iter().all(|&v| v == 0),
            fused_even: Fused::new(core::array::from_fn(|k| r[2 * k])),
            fused_odd: Fused::new(core::array::from_fn(|k| r[2 * k + 1])),
        }
    }

    /// One multiplier in every lane.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F ([`super::has_avx512_vnni`] returned true).
    #[target_feature(enable = "avx512f")]
    pub fn splat(q: QuantizedMultiplier) -> Self {
        let mult = _mm512_set1_epi32(q.multiplier);
        let right = (-q.shift).max(0);
        Self {
            mult,
            mult_odd: mult,
            left: _mm512_set1_epi32(q.shift.max(0)),
            right: _mm512_set1_epi32(right),
            fused: q.shift <= 0,
            fused_even: Fused::new([right; 8]),
            fused_odd: Fused::new([right; 8]),
        }
    }

    /// [`QuantizedMultiplier::apply`] lane by lane.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F ([`super::has_avx512_vnni`] returned true).
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn multiply(&self, acc: __m512i) -> __m512i {
        if self.fused {
            let even = self.fused_even.round(_mm512_mul_epi32(acc, self.mult));
            let acc_odd = _mm512_srli_epi64::<32>(acc);
            let odd = self
                .fused_odd
                .round(_mm512_mul_epi32(acc_odd, self.mult_odd));
            // Each result fits 32 bits: the even ones are the low halves already.
            return _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64::<32>(odd));
        }
        let shifted = _mm512_sllv_epi32(acc, self.left);
        let nudge = _mm512_set1_epi64(1 << 30);
        let high = doubling_high_mul(shifted, self.mult, self.mult_odd, [nudge, nudge]);
        rounding_shift_right(high, self.right)
    }

    /// [`Requant16::multiply`] for multipliers without a left shift (shift ≤ 0) and
    /// products below 2^30 in magnitude: the doubling high multiply, with `round`'s nudge
    /// folded into the product's rounding constant, then `round`'s shift.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F ([`super::has_avx512_vnni`] returned true).
    #[target_feature(enable = "avx512f")]
    pub fn multiply_narrow(&self, acc: __m512i, round: &RoundShift) -> __m512i {
        let nudge = round.wide_nudge;
        round.apply(doubling_high_mul(
            acc,
            self.mult,
            self.mult_odd,
            [nudge, nudge],
        ))
    }

    /// The doubling high multiply of `acc` plus `plus`'s lane constants (no left shift, no
    /// rounding shift), the constants folded into the product's rounding.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F ([`super::has_avx512_vnni`] returned true).
    #[target_feature(enable = "avx512f")]
    pub fn high_mul_plus(&self, acc: __m512i, plus: &LanePlus) -> __m512i {
        doubling_high_mul(acc, self.mult, self.mult_odd, [plus.even, plus.odd])
    }

    /// Requantises `acc` and applies `stage`; returns sixteen int8 lanes.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F ([`super::has_avx512_vnni`] returned true).
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn apply(&self, acc: __m512i, stage: &OutputStage) -> __m128i {
        finish(self.multiply(acc), stage)
    }
}

/// [`OutputStage::finish`] lane by lane: adds the offset, clamps, narrows to int8.
///
/// # Safety
/// The CPU must support AVX-512 F ([`super::has_avx512_vnni`] returned true).
#[inline]
#[target_feature(enable = "avx512f")]
pub fn finish(v: __m512i, stage: &OutputStage) -> __m128i {
    let v = _mm512_add_epi32(v, _mm512_set1_epi32(stage.offset));
    let v = _mm512_max_epi32(v, _mm512_set1_epi32(stage.min));
    let v = _mm512_min_epi32(v, _mm512_set1_epi32(stage.max));
    // The clamp keeps every lane inside int8 (the stage's bounds are int8 values), so the
    // saturating narrow changes nothing.
    _mm512_cvtsepi32_epi8(v)
}

/// `RoundingDivideByPOT` by a fixed exponent `r` (0..=31) of lanes `h` with `|h| < 2^30`, in
/// the form `(h + 2^(r−1) − [h < 0]) >> r` (round half away from zero), the nudge added by
/// the caller (often folded into another constant).
#[derive(Debug, Clone, Copy)]
pub struct RoundShift {
    /// `2^(r−1)`, or 0 when `r = 0`.
    pub nudge: i32,
    /// `2^30 + nudge · 2^31` in 64-bit lanes: the doubling high multiply's rounding
    /// constant with this nudge folded in.
    wide_nudge: __m512i,
    /// Nudged lanes below this were negative before the nudge (`i32::MIN`, never, when
    /// `r = 0`: no correction then).
    negative_below: __m512i,
    /// `r`.
    r: __m128i,
}

impl RoundShift {
    /// # Safety
    /// The CPU must support AVX-512 F ([`super::has_avx512_vnni`] returned true).
    #[target_feature(enable = "avx512f")]
    pub fn new(r: i32) -> Self {
        let nudge = if r > 0 { 1 << (r - 1) } else { 0 };
        Self {
            nudge,
            wide_nudge: _mm512_set1_epi64((1 << 30) + (i64::from(nudge) << 31)),
            negative_below: _mm512_set1_epi32(if r > 0 { nudge } else { i32::MIN }),
            r: _mm_cvtsi32_si128(r),
        }
    }

    /// The rounded shift of `h`, given `t = h + nudge` (no overflow: `|h| < 2^30`).
    ///
    /// # Safety
    /// The CPU must support AVX-512 F ([`super::has_avx512_vnni`] returned true).
    #[target_feature(enable = "avx512f")]
    pub fn apply(&self, t: __m512i) -> __m512i {
        let negative = _mm512_cmplt_epi32_mask(t, self.negative_below);
        _mm512_sra_epi32(
            _mm512_mask_sub_epi32(t, negative, t, _mm512_set1_epi32(1)),
            self.r,
        )
    }
}

/// Sixteen int32 constants `e` in the form [`Requant16::high_mul_plus`] adds them: `2^30 +
/// e · 2^31` in 64-bit lanes, for the even and for the odd lanes.
#[derive(Debug, Clone, Copy)]
pub struct LanePlus {
    even: __m512i,
    odd: __m512i,
}

impl LanePlus {
    /// # Safety
    /// The CPU must support AVX-512 F ([`super::has_avx512_vnni`] returned true).
    #[target_feature(enable = "avx512f")]
    pub fn new(e: __m512i) -> Self {
        let base = _mm512_set1_epi64(1 << 30);
        // Each 64-bit lane's low (even) and high (odd) int32, sign-extended.
        let even = _mm512_srai_epi64::<32>(_mm512_slli_epi64::<32>(e));
        let odd = _mm512_srai_epi64::<32>(e);
        Self {
            even: _mm512_add_epi64(base, _mm512_slli_epi64::<31>(even)),
            odd: _mm512_add_epi64(base, _mm512_slli_epi64::<31>(odd)),
        }
    }
}

/// Sixty-four int32 lanes `h` (four vectors, in order) plus `offset` (int16 lanes) narrowed
/// to int8 with saturation: `sat8(sat16(h) + offset)` with a saturating add. That is
/// `clamp(h + offset, −128, 127)` whenever `h + offset` does not overflow int32 and
/// `|offset| ≤ 32 639` (a saturated `h` stays beyond int8 after the offset, on its side).
///
/// # Safety
/// The CPU must support AVX-512 F/BW ([`super::has_avx512_vnni`] returned true).
#[target_feature(enable = "avx512f,avx512bw")]
pub fn narrow64(v: [__m512i; 4], offset: __m512i) -> __m512i {
    // After the two packs, 128-bit lane k holds dwords k of vectors 0..4 in turn: dword
    // 4k + j has elements 16j + 4k..16j + 4k + 4. Output dword 4j + k takes dword 4k + j.
    let order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    let w01 = _mm512_adds_epi16(_mm512_packs_epi32(v[0], v[1]), offset);
    let w23 = _mm512_adds_epi16(_mm512_packs_epi32(v[2], v[3]), offset);
    _mm512_permutexvar_epi32(order, _mm512_packs_epi16(w01, w23))
}

/// A vector from sixteen lanes.
#[target_feature(enable = "avx512f")]
fn from_array(v: [i32; 16]) -> __m512i {
    _mm512_setr_epi32(
        v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
        v[14], v[15],
    )
}

/// `(a · b + 2^30) >> 31` per lane in 64-bit arithmetic: gemmlowp's
/// `SaturatingRoundingDoublingHighMul` without its saturating case (excluded by
/// [`supported`]; see `quant::saturating_rounding_doubling_high_mul` for why one add and an
/// arithmetic shift round like gemmlowp for both signs). `b_odd` holds `b`'s odd lanes in
/// the even lanes. `nudge` (64-bit lanes, for the even then the odd lanes) is
/// `2^30 + e · 2^31`, which adds `e` to the lane's result (`(a · b + 2^30) >> 31` plus a
/// multiple of 2^31 shifted by 31).
#[inline]
#[target_feature(enable = "avx512f")]
fn doubling_high_mul(a: __m512i, b: __m512i, b_odd: __m512i, nudge: [__m512i; 2]) -> __m512i {
    // The int32 result is bits 31..=62 of the 64-bit `a · b + 2^30`.
    // Even lanes: `_mm512_mul_epi32` multiplies the low (signed) halves of each 64-bit lane;
    // shifting right by 31 brings the result bits into the low half.
    let even = _mm512_srli_epi64::<31>(_mm512_add_epi64(_mm512_mul_epi32(a, b), nudge[0]));
    // Odd lanes, moved down into the low halves first; shifting left by 1 puts the result
    // bits in the high half, where the odd lane lives.
    let a_odd = _mm512_srli_epi64::<32>(a);
    let odd = _mm512_slli_epi64::<1>(_mm512_add_epi64(_mm512_mul_epi32(a_odd, b_odd), nudge[1]));
    _mm512_mask_blend_epi32(0xAAAA, even, odd)
}

/// gemmlowp's `RoundingDivideByPOT` per lane: arithmetic shift right by `exp` (0..=31),
/// rounding half away from zero.
#[inline]
#[target_feature(enable = "avx512f")]
fn rounding_shift_right(x: __m512i, exp: __m512i) -> __m512i {
    let one = _mm512_set1_epi32(1);
    let mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, exp), one);
    let remainder = _mm512_and_si512(x, mask);
    let negative = _mm512_srli_epi32::<31>(x);
    let threshold = _mm512_add_epi32(_mm512_srai_epi32::<1>(mask), negative);
    let round_up = _mm512_cmpgt_epi32_mask(remainder, threshold);
    let shifted = _mm512_srav_epi32(x, exp);
    _mm512_mask_add_epi32(shifted, round_up, shifted, one)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_rng::Rng;
    use crate::quant::rounding_divide_by_pot;

    extern crate std;

    /// Edge accumulators plus random ones, random multipliers, shifts −31..=30 and stages:
    /// every lane equals the scalar path.
    #[test]
    fn matches_the_scalar_requantisation() {
        if !super::super::has_avx512_vnni() {
            std::eprintln!("no AVX-512 VNNI on this CPU: the vector path is not used here");
            return;
        }
        let mut rng = Rng(5);
        let edges = [
            0,
            1,
            -1,
            i32::MAX,
            i32::MIN,
            1 << 30,
            -(1 << 30),
            12345,
            -12345,
        ];
        for round in 0..4000 {
            let mults: [QuantizedMultiplier; 16] = core::array::from_fn(|_| {
                let multiplier = if rng.range(0, 10) == 0 {
                    i32::MAX
                } else {
                    (1 << 30) + rng.range(0, 1 << 30) as i32
                };
                // Even rounds: right shifts only (the fused route); odd rounds: any.
                let shift = if round % 2 == 0 {
                    -(rng.range(0, 32) as i32)
                } else {
                    rng.range(0, 62) as i32 - 31
                };
                QuantizedMultiplier { multiplier, shift }
            });
            let acc: [i32; 16] = core::array::from_fn(|k| {
                if round % 3 == 0 {
                    edges[(k + round) % edges.len()]
                } else {
                    (rng.next() as i32) >> rng.range(0, 31)
                }
            });
            let lo = rng.range(0, 256) as i32 - 128;
            let stage = OutputStage {
                offset: rng.range(0, 256) as i32 - 128,
                min: lo,
                max: lo + rng.range(0, (128 - lo) as usize) as i32,
            };
            assert!(supported(&mults));
            // SAFETY: AVX-512 F/BW/VNNI was detected above.
            let got: [i8; 16] = unsafe {
                let q = Requant16::new(&mults);
                let v = q.apply(from_array(acc), &stage);
                core::mem::transmute(v)
            };
            let want: [i8; 16] = core::array::from_fn(|k| stage.finish(mults[k].apply(acc[k])));
            assert_eq!(got, want, "round {round}: acc {acc:?} mults {mults:?}");
            // SAFETY: as above.
            let got32: [i32; 16] =
                unsafe { core::mem::transmute(Requant16::new(&mults).multiply(from_array(acc))) };
            let want32: [i32; 16] = core::array::from_fn(|k| mults[k].apply(acc[k]));
            assert_eq!(got32, want32, "round {round}: acc {acc:?} mults {mults:?}");
        }
    }

    /// The rounding shift equals gemmlowp's `RoundingDivideByPOT` for every exponent, on
    /// exact ties of both signs, zero and magnitudes up to just below 2^30.
    #[test]
    fn round_shift_matches_rounding_divide_by_pot() {
        if !super::super::vnni_or_skip() {
            return;
        }
        let mut rng = Rng(12);
        for r in 0..32 {
            // SAFETY: AVX-512 F was detected above.
            let round = unsafe { RoundShift::new(r) };
            for _ in 0..200 {
                let h: [i32; 16] = core::array::from_fn(|k| {
                    let m = (rng.next() >> 2) as i32 >> rng.range(0, 30);
                    let v = match k % 4 {
                        // Exact ties and their neighbours (for r = 31 the only ties, ±2^30,
                        // lie outside the range).
                        0 if r > 0 && r < 31 => (m >> r << r) + (1 << (r - 1)),
                        1 if r > 0 && r < 31 => (m >> r << r) + (1 << (r - 1)) - 1,
                        2 => (1 << 30) - 1 - rng.range(0, 3) as i32,
                        _ => m,
                    };
                    if rng.next().is_multiple_of(2) {
                        -v
                    } else {
                        v
                    }
                });
                // SAFETY: AVX-512 F was detected above.
                let got: [i32; 16] = unsafe {
                    let t = _mm512_add_epi32(
                        core::mem::transmute::<[i32; 16], __m512i>(h),
                        _mm512_set1_epi32(round.nudge),
                    );
                    core::mem::transmute(round.apply(t))
                };
                let want = h.map(|v| rounding_divide_by_pot(v, r));
                assert_eq!(got, want, "r {r} h {h:?}");
            }
        }
    }

    /// The narrow multiply (nudge folded into the product) equals the scalar rescale for
    /// products below 2^30 in magnitude and every shift −31..=0.
    #[test]
    fn narrow_multiply_matches_the_scalar_rescale() {
        if !super::super::vnni_or_skip() {
            return;
        }
        let mut rng = Rng(8);
        for round in 0..3000 {
            let q = QuantizedMultiplier {
                multiplier: if round % 7 == 0 {
                    i32::MAX
                } else {
                    (1 << 30) + rng.range(0, 1 << 30) as i32
                },
                shift: -(rng.range(0, 32) as i32),
            };
            let acc: [i32; 16] = core::array::from_fn(|k| {
                let v = (rng.next() >> 2) as i32 >> rng.range(0, 30);
                let v = if k == 0 { (1 << 30) - 1 } else { v };
                if rng.next().is_multiple_of(2) {
                    -v
                } else {
                    v
                }
            });
            // SAFETY: AVX-512 F was detected above.
            let got: [i32; 16] = unsafe {
                let r = Requant16::splat(q);
                core::mem::transmute(r.multiply_narrow(from_array(acc), &RoundShift::new(-q.shift)))
            };
            let want = acc.map(|a| q.apply(a));
            assert_eq!(got, want, "{q:?} {acc:?}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_reproduce() {
        let ok = QuantizedMultiplier {
            multiplier: 1 << 30,
            shift: -3,
        };
        assert!(supported(&[ok]));
        assert!(!supported(&[
            ok,
            QuantizedMultiplier {
                multiplier: i32::MIN,
                shift: 0
            }
        ]));
        assert!(!supported(&[QuantizedMultiplier {
            multiplier: 1 << 30,
            shift: 31
        }]));
    }
}
