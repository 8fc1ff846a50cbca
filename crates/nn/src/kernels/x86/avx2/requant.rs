// SPDX-License-Identifier: Apache-2.0
//! Eight int32 accumulators to int8 at once in AVX2: TFLite's per-channel
//! `MultiplyByQuantizedMultiplier` (double rounding), output offset and clamp — lane for
//! lane equal to [`QuantizedMultiplier::apply`] followed by [`OutputStage::finish`].
//!
//! Per lane, with `a = acc << left` (wrapping) and the 64-bit product `P = a · m`:
//! `h = (P + 2^30) >> 31` is gemmlowp's `SaturatingRoundingDoublingHighMul` for both signs
//! (its saturating case, `a = m = i32::MIN`, is excluded by [`supported`]), and
//! `RoundingDivideByPOT(h, r) = (h >> r) + [h mod 2^r > (2^r − 1) / 2 + [h < 0]]`, computed
//! exactly as written (no term can overflow).

use core::arch::x86_64::*;

use crate::kernels::OutputStage;
use crate::quant::QuantizedMultiplier;

pub use crate::kernels::x86::requant::supported;

/// Vectors in [`Requant8::to_vecs`].
pub const REQUANT8_VECS: usize = 10;

/// Eight output channels' requantisation parameters, one lane each.
#[derive(Debug, Clone, Copy)]
pub struct Requant8 {
    /// Q31 mantissas.
    mult: __m256i,
    /// The odd lanes' mantissas moved down into the even lanes (`_mm256_mul_epi32`'s
    /// operand layout).
    mult_odd: __m256i,
    /// Left shifts (`max(shift, 0)`).
    left: __m256i,
    /// Right shifts (`max(−shift, 0)`).
    right: __m256i,
    /// `2^right − 1`.
    mask: __m256i,
    /// `mask >> 1`: the rounding threshold of a non-negative lane.
    half: __m256i,
    /// [`Requant8::multiply_bounded`]'s 64-bit rounding constants `2^30 + 2^(r−1) · 2^31`
    /// (`2^30` when `r = 0`), for the even lanes and, moved down, the odd lanes.
    nudge_even: __m256i,
    nudge_odd: __m256i,
    /// `2^(r−1)`, or `i32::MIN` when `r = 0`: nudged lanes below it were negative.
    negative_below: __m256i,
    /// True when no lane shifts left ([`Requant8::multiply_bounded`] applies).
    no_left: bool,
}

impl Requant8 {
    /// Lanes `0..mults.len()` from `mults` (at most 8; further lanes multiply by 0).
    ///
    /// # Safety
    /// The CPU must support AVX2 ([`super::super::has_avx2`] returned true).
    #[target_feature(enable = "avx2")]
    pub fn new(mults: &[QuantizedMultiplier]) -> Self {
        let Some(eight) = mults.first_chunk::<8>() else {
            return Self::permuted(mults, core::array::from_fn(|k| k));
        };
        // SAFETY: `eight` is 64 readable bytes (`QuantizedMultiplier` is two `i32`,
        // `repr(C)`); the loads are unaligned.
        let (a, b) = unsafe {
            let p = eight.as_ptr().cast::<__m256i>();
            (_mm256_loadu_si256(p), _mm256_loadu_si256(p.add(1)))
        };
        // Each holds four (multiplier, shift) pairs: gather the multipliers into the low
        // half and the shifts into the high one, then join the halves.
        let split = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
        let (a, b) = (
            _mm256_permutevar8x32_epi32(a, split),
            _mm256_permutevar8x32_epi32(b, split),
        );
        Self::from_lanes(
            _mm256_permute2x128_si256::<0x20>(a, b),
            _mm256_permute2x128_si256::<0x31>(a, b),
        )
    }

    /// `q` in every lane (an op with one output multiplier).
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub fn splat(q: QuantizedMultiplier) -> Self {
        Self::permuted(core::slice::from_ref(&q), [0; 8])
    }

    /// Lane `k` from `mults[order[k]]` (the lane order of a kernel whose vectors hold
    /// channels out of order); lanes whose index is out of range multiply by 0.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub fn permuted(mults: &[QuantizedMultiplier], order: [usize; 8]) -> Self {
        let q = |k: usize| mults.get(order[k]).copied().unwrap_or_default();
        let m: [i32; 8] = core::array::from_fn(|k| q(k).multiplier);
        let s: [i32; 8] = core::array::from_fn(|k| q(k).shift);
        Self::from_lanes(load8(&m), load8(&s))
    }

    /// The parameters of multipliers `mult` with shifts `shift` (each −31..=30), lane by
    /// lane.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn from_lanes(mult: __m256i, shift: __m256i) -> Self {
        let zero = _mm256_setzero_si256();
        let one = _mm256_set1_epi32(1);
        let left = _mm256_max_epi32(shift, zero);
        let right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero);
        // `1 << 31` wraps to i32::MIN; minus one gives 2^31 − 1, the mask for r = 31.
        let mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
        let shifts_right = _mm256_cmpgt_epi32(right, zero);
        // `2^(r−1)` where r > 0 (a shift count of −1 gives 0 elsewhere), else i32::MIN.
        let negative_below = _mm256_blendv_epi8(
            _mm256_set1_epi32(i32::MIN),
            _mm256_sllv_epi32(one, _mm256_sub_epi32(right, one)),
            shifts_right,
        );
        // 64-bit `2^30 + [r > 0] · 2^(r−1+31)` from the even lanes' shifts and, moved
        // down, the odd lanes'.
        let nudge = |r: __m256i| {
            let big = _mm256_sllv_epi64(
                _mm256_set1_epi64x(1),
                _mm256_add_epi64(r, _mm256_set1_epi64x(30)),
            );
            let big = _mm256_and_si256(big, _mm256_cmpgt_epi64(r, zero));
            _mm256_add_epi64(_mm256_set1_epi64x(1 << 30), big)
        };
        let low32 = _mm256_set1_epi64x(0xffff_ffff);
        Self {
            mult,
            mult_odd: _mm256_srli_epi64::<32>(mult),
            left,
            right,
            mask,
            half: _mm256_srli_epi32::<1>(mask),
            nudge_even: nudge(_mm256_and_si256(right, low32)),
            nudge_odd: nudge(_mm256_srli_epi64::<32>(right)),
            negative_below,
            no_left: _mm256_movemask_epi8(_mm256_cmpeq_epi32(left, zero)) == -1,
        }
    }

    /// The parameters as plain vectors (to keep them in a byte buffer, where any bits are
    /// a valid `__m256i`): the nine vectors, then the no-left-shift flag in every lane of a
    /// tenth (−1 or 0). [`Requant8::from_vecs`] turns them back.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub fn to_vecs(&self) -> [__m256i; REQUANT8_VECS] {
        let flag = _mm256_set1_epi32(-i32::from(self.no_left));
        [
            self.mult,
            self.mult_odd,
            self.left,
            self.right,
            self.mask,
            self.half,
            self.nudge_even,
            self.nudge_odd,
            self.negative_below,
            flag,
        ]
    }

    /// The parameters [`Requant8::to_vecs`] wrote.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub fn from_vecs(v: &[__m256i; REQUANT8_VECS]) -> Self {
        Self {
            mult: v[0],
            mult_odd: v[1],
            left: v[2],
            right: v[3],
            mask: v[4],
            half: v[5],
            nudge_even: v[6],
            nudge_odd: v[7],
            negative_below: v[8],
            no_left: _mm256_movemask_epi8(v[9]) != 0,
        }
    }

    /// True when no lane shifts left, so [`Requant8::multiply_bounded`] applies to
    /// accumulators below 2^30 in magnitude.
    pub fn has_no_left_shift(&self) -> bool {
        self.no_left
    }

    /// [`Requant8::multiply`] for accumulators with `|acc| < 2^30` when
    /// [`Requant8::has_no_left_shift`]: the rounding shift's nudge `2^(r−1)` rides in the
    /// 64-bit product's rounding constant (adding `N · 2^31` before the shift by 31 adds
    /// exactly `N`), so `t = h + 2^(r−1)` comes out of the high multiply (no overflow:
    /// `|h| < 2^30`), and the result is `(t − [h < 0]) >> r` with `h < 0` exactly when
    /// `t < 2^(r−1)`. Four operations fewer than the general form.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub fn multiply_bounded(&self, acc: __m256i) -> __m256i {
        let t = self.high_mul(acc, self.nudge_even, self.nudge_odd);
        // `t < negative_below` is −1 in the comparison's lane: adding it subtracts one.
        let t = _mm256_add_epi32(t, _mm256_cmpgt_epi32(self.negative_below, t));
        _mm256_srav_epi32(t, self.right)
    }

    /// [`Requant8::multiply`] for accumulators known to lie below 2^30 in magnitude: the
    /// bounded form when no lane shifts left, else the general one.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub fn multiply_small(&self, acc: __m256i) -> __m256i {
        if self.no_left {
            self.multiply_bounded(acc)
        } else {
            self.multiply(acc)
        }
    }

    /// Bits 31..=62 of the 64-bit `a · m + nudge` per lane (`nudge_even` for the even lanes,
    /// `nudge_odd` for the odd ones): the even lanes' products shifted down into the low
    /// half, the odd lanes' (multiplied after moving them down) shifted up by one into the
    /// high half, where they live.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn high_mul(&self, a: __m256i, nudge_even: __m256i, nudge_odd: __m256i) -> __m256i {
        let even =
            _mm256_srli_epi64::<31>(_mm256_add_epi64(_mm256_mul_epi32(a, self.mult), nudge_even));
        let odd = _mm256_slli_epi64::<1>(_mm256_add_epi64(
            _mm256_mul_epi32(_mm256_srli_epi64::<32>(a), self.mult_odd),
            nudge_odd,
        ));
        _mm256_blend_epi32::<0b1010_1010>(even, odd)
    }

    /// [`QuantizedMultiplier::apply`] lane by lane.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub fn multiply(&self, acc: __m256i) -> __m256i {
        let a = _mm256_sllv_epi32(acc, self.left);
        // `h` is bits 31..=62 of `P + 2^30`.
        let nudge = _mm256_set1_epi64x(1 << 30);
        let h = self.high_mul(a, nudge, nudge);
        let q = _mm256_srav_epi32(h, self.right);
        let rem = _mm256_and_si256(h, self.mask);
        // `h < 0` is −1 in the comparison's lane: subtracting it adds one to the threshold.
        let negative = _mm256_cmpgt_epi32(_mm256_setzero_si256(), h);
        let threshold = _mm256_sub_epi32(self.half, negative);
        // `rem > threshold` is −1: subtracting it rounds up.
        _mm256_sub_epi32(q, _mm256_cmpgt_epi32(rem, threshold))
    }
}

/// The offset, clamp and int8 narrowing of [`OutputStage::finish`], broadcast once.
#[derive(Debug, Clone, Copy)]
pub struct Stage8 {
    offset: __m256i,
    min: __m256i,
    max: __m256i,
    /// The offset in int16 lanes and the bounds in int8 lanes, for the narrowings of
    /// small lanes.
    offset16: __m256i,
    min8: __m256i,
    max8: __m256i,
}

impl Stage8 {
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub fn new(stage: &OutputStage) -> Self {
        Self {
            offset: _mm256_set1_epi32(stage.offset),
            min: _mm256_set1_epi32(stage.min),
            max: _mm256_set1_epi32(stage.max),
            // Truncation cannot bite where these are used: [`fits`] keeps all three in int8.
            offset16: _mm256_set1_epi16(stage.offset as i16),
            min8: _mm256_set1_epi8(stage.min as i8),
            max8: _mm256_set1_epi8(stage.max as i8),
        }
    }

    /// The int8 clamp of sixteen lanes narrowed to int16 (`w`, saturated): the offset is
    /// added with int16 saturation, the lanes narrowed to int8 with saturation and clamped
    /// there. Equal to [`Stage8::clamp`] and narrowing for lanes below 2^30 in magnitude:
    /// a lane the int16 saturation moved lies beyond ±32767, and with an offset of at most
    /// 128 in magnitude both forms clamp it to the same bound; any other lane is exact.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn clamp_narrowed(&self, w: __m256i) -> __m256i {
        let b = _mm256_packs_epi16(_mm256_adds_epi16(w, self.offset16), w);
        _mm256_min_epi8(_mm256_max_epi8(b, self.min8), self.max8)
    }

    /// [`Stage8::narrow16`] for lanes below 2^30 in magnitude (what
    /// [`Requant8::multiply_bounded`] returns): clamped after narrowing, six operations
    /// instead of eleven.
    ///
    /// # Safety
    /// The CPU must support AVX2; the stage must [`fits`]; every lane of `a` and `b` lies
    /// below 2^30 in magnitude.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub fn narrow16_small(&self, a: __m256i, b: __m256i) -> __m128i {
        // The layout of `narrow16`'s packs, the bytes in the low 8 of each half.
        let bytes = self.clamp_narrowed(_mm256_packs_epi32(a, b));
        let order = _mm256_setr_epi32(0, 4, 1, 5, 0, 0, 0, 0);
        _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(bytes, order))
    }

    /// [`Stage8::narrow16_unpacked`] for lanes below 2^30 in magnitude, as
    /// [`Stage8::narrow16_small`].
    ///
    /// # Safety
    /// As [`Stage8::narrow16_small`].
    #[inline]
    #[target_feature(enable = "avx2")]
    pub fn narrow16_unpacked_small(&self, lo: __m256i, hi: __m256i) -> __m128i {
        let bytes = self.clamp_narrowed(_mm256_packs_epi32(lo, hi));
        _mm256_castsi256_si128(_mm256_permute4x64_epi64::<0b1000>(bytes))
    }

    /// [`OutputStage::finish`] of eight lanes, as sixteen int32 lanes clamped into int8 (the
    /// stage's bounds are int8 values for every int8 output).
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub fn clamp(&self, v: __m256i) -> __m256i {
        let v = _mm256_add_epi32(v, self.offset);
        _mm256_min_epi32(_mm256_max_epi32(v, self.min), self.max)
    }

    /// Eight requantised lanes to eight int8 in lane order (the low 8 bytes of the result).
    ///
    /// # Safety
    /// The CPU must support AVX2; the stage's bounds must lie in `-128..=127` ([`fits`]).
    #[inline]
    #[target_feature(enable = "avx2")]
    pub fn narrow8(&self, v: __m256i) -> __m128i {
        let v = self.clamp(v);
        // The packs work within 128-bit halves: afterwards dword 0 of each half holds its
        // four lanes as bytes.
        let w = _mm256_packs_epi32(v, v);
        let b = _mm256_packs_epi16(w, w);
        _mm_unpacklo_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256::<1>(b))
    }

    /// Two vectors of requantised lanes (channels 0-7, then 8-15) to sixteen int8 in order.
    ///
    /// # Safety
    /// The CPU must support AVX2; the stage's bounds must lie in `-128..=127` ([`fits`]).
    #[inline]
    #[target_feature(enable = "avx2")]
    pub fn narrow16(&self, a: __m256i, b: __m256i) -> __m128i {
        // Per 128-bit half after the packs: dword 0 holds four lanes of `a`, dword 1 the same
        // four of `b` (lanes 0-3 in the low half, 4-7 in the high one).
        let w = _mm256_packs_epi32(self.clamp(a), self.clamp(b));
        let bytes = _mm256_packs_epi16(w, w);
        let order = _mm256_setr_epi32(0, 4, 1, 5, 0, 0, 0, 0);
        _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(bytes, order))
    }

    /// Two vectors of requantised lanes, `lo` holding channels 0-3 and 8-11 and `hi` 4-7
    /// and 12-15 (the order of `vpunpck{l,h}wd` results), to sixteen int8 in channel order.
    ///
    /// # Safety
    /// The CPU must support AVX2; the stage's bounds must lie in `-128..=127` ([`fits`]).
    #[inline]
    #[target_feature(enable = "avx2")]
    pub fn narrow16_unpacked(&self, lo: __m256i, hi: __m256i) -> __m128i {
        // Per 128-bit half: [lo 0-3, hi 0-3] then [lo 4-7, hi 4-7] as int16, which is
        // channels 0-7 then 8-15.
        let w = _mm256_packs_epi32(self.clamp(lo), self.clamp(hi));
        let b = _mm256_packs_epi16(w, w);
        _mm256_castsi256_si128(_mm256_permute4x64_epi64::<0b1000>(b))
    }
}

/// True when an accumulator `Σ_taps f · (x + off) + bias` over `taps` int8 products
/// (`|f| ≤ 128`, `|x + off| ≤ 255`) and a bias of at most `largest_bias` in magnitude stays
/// below 2^30 in magnitude ([`Requant8::multiply_bounded`]'s condition).
pub fn bounded_below_2_30(taps: usize, largest_bias: u32) -> bool {
    (taps as u64) * 128 * 255 + u64::from(largest_bias) < 1 << 30
}

/// True when `stage` clamps into int8 and its offset is an int8 value, as every int8
/// output's zero point is (the narrowings above rely on both).
pub fn fits(stage: &OutputStage) -> bool {
    -128 <= stage.min
        && stage.min <= stage.max
        && stage.max <= 127
        && i8::try_from(stage.offset).is_ok()
}

/// A vector from eight lanes.
///
/// # Safety
/// The CPU must support AVX2.
#[inline]
#[target_feature(enable = "avx2")]
pub fn load8(v: &[i32; 8]) -> __m256i {
    // SAFETY: `v` is 32 readable bytes; the load is unaligned.
    unsafe { _mm256_loadu_si256(v.as_ptr().cast()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_rng::Rng;
    use crate::kernels::x86::avx2_or_skip;

    /// A Q31 mantissa: in turn 2^30, the largest, 0 and a random one.
    fn mantissa(rng: &mut Rng, turn: usize) -> i32 {
        match turn % 4 {
            0 => 1 << 30,
            1 => i32::MAX,
            2 => 0,
            _ => (1 << 30) + (rng.next() >> 2) as i32,
        }
    }

    /// Every shift from −31 to 30, mantissas across their range, accumulators near the
    /// rounding ties and the int32 extremes: lane for lane equal to the scalar path.
    #[test]
    fn matches_the_scalar_requantisation() {
        if !avx2_or_skip() {
            return;
        }
        let mut rng = Rng(17);
        let stage = OutputStage {
            offset: -3,
            min: -128,
            max: 127,
        };
        let special = [
            0,
            1,
            -1,
            i32::MAX,
            i32::MIN,
            i32::MIN + 1,
            1 << 20,
            -(1 << 20),
        ];
        for shift in -31..=30 {
            for round in 0..200 {
                let mults: [QuantizedMultiplier; 8] = core::array::from_fn(|k| {
                    let multiplier = mantissa(&mut rng, round + k);
                    QuantizedMultiplier { multiplier, shift }
                });
                let acc: [i32; 8] = core::array::from_fn(|k| match round % 3 {
                    0 => special[k],
                    // Just around multiples of the rounding step, where ties fall.
                    1 => {
                        let step = 1i64 << (-shift).clamp(0, 30);
                        let base = (rng.next() as i32 >> 8) as i64 * step;
                        (base + rng.range(0, 5) as i64 - 2).clamp(i32::MIN.into(), i32::MAX.into())
                            as i32
                    }
                    _ => rng.next() as i32,
                });
                // SAFETY: AVX2 is present (checked above).
                let (got, bytes) = unsafe {
                    let r = Requant8::new(&mults);
                    let v = r.multiply(load8(&acc));
                    let mut lanes = [0i32; 8];
                    _mm256_storeu_si256(lanes.as_mut_ptr().cast(), v);
                    let mut bytes = [0i8; 16];
                    _mm_storeu_si128(bytes.as_mut_ptr().cast(), Stage8::new(&stage).narrow8(v));
                    (lanes, bytes)
                };
                for k in 0..8 {
                    let want = mults[k].apply(acc[k]);
                    assert_eq!(
                        got[k], want,
                        "shift {shift} m {:?} acc {}",
                        mults[k], acc[k]
                    );
                    assert_eq!(bytes[k], stage.finish(want));
                }
            }
        }
    }

    /// Eight multipliers loaded whole give the parameters gathered lane by lane, for every
    /// shift; fewer than eight (a partial block) multiply the missing lanes by 0.
    #[test]
    fn loads_the_parameters_it_gathers() {
        if !avx2_or_skip() {
            return;
        }
        let vecs = |r: Requant8| {
            // SAFETY: AVX2 is present (checked above).
            let v = unsafe { r.to_vecs() };
            v.map(|v| {
                let mut lanes = [0i32; 8];
                // SAFETY: AVX2; `lanes` is 32 writable bytes.
                unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), v) };
                lanes
            })
        };
        let mut rng = Rng(29);
        for round in 0..400 {
            let mults: [QuantizedMultiplier; 8] = core::array::from_fn(|k| QuantizedMultiplier {
                multiplier: mantissa(&mut rng, round + k),
                shift: rng.range(0, 62) as i32 - 31,
            });
            let identity = core::array::from_fn(|k| k);
            // SAFETY: AVX2 is present (checked above).
            let (whole, gathered) =
                unsafe { (Requant8::new(&mults), Requant8::permuted(&mults, identity)) };
            assert_eq!(vecs(whole), vecs(gathered), "{mults:?}");
            let n = round % 8;
            let mut padded = [QuantizedMultiplier::default(); 8];
            padded[..n].copy_from_slice(&mults[..n]);
            // SAFETY: AVX2 is present (checked above).
            let (partial, zeros) = unsafe { (Requant8::new(&mults[..n]), Requant8::new(&padded)) };
            assert_eq!(vecs(partial), vecs(zeros), "{n} lanes");
        }
    }

    /// The bounded form equals the scalar path for every right shift 0..=31 on
    /// accumulators below 2^30 in magnitude, ties and extremes included.
    #[test]
    fn bounded_form_matches_the_scalar_requantisation() {
        if !avx2_or_skip() {
            return;
        }
        let mut rng = Rng(19);
        let limit = (1 << 30) - 1;
        for shift in -31..=0 {
            for round in 0..300 {
                let mults: [QuantizedMultiplier; 8] = core::array::from_fn(|k| {
                    let multiplier = mantissa(&mut rng, round + k);
                    // Lanes with different shifts, as per-channel layers have.
                    let shift = if k % 2 == 0 {
                        shift
                    } else {
                        -(rng.range(0, 32) as i32)
                    };
                    QuantizedMultiplier { multiplier, shift }
                });
                let acc: [i32; 8] = core::array::from_fn(|k| match round % 3 {
                    0 => [0, 1, -1, limit, -limit, 1 << 20, -(1 << 20), 12345][k],
                    1 => {
                        let step = 1i64 << (-shift).clamp(0, 29);
                        let base = (rng.next() as i32 >> 10) as i64 * step;
                        (base + rng.range(0, 5) as i64 - 2).clamp(-limit as i64, limit as i64)
                            as i32
                    }
                    _ => (rng.next() as i32) >> 2,
                });
                // SAFETY: AVX2 is present (checked above).
                let got = unsafe {
                    let r = Requant8::new(&mults);
                    assert!(r.has_no_left_shift());
                    let mut lanes = [0i32; 8];
                    _mm256_storeu_si256(lanes.as_mut_ptr().cast(), r.multiply_bounded(load8(&acc)));
                    lanes
                };
                for k in 0..8 {
                    assert_eq!(
                        got[k],
                        mults[k].apply(acc[k]),
                        "{:?} acc {}",
                        mults[k],
                        acc[k]
                    );
                }
            }
        }
    }

    /// The narrowings of small lanes equal the offset, clamp and narrowing of
    /// [`OutputStage::finish`] for lanes up to 2^30 − 1 in magnitude, at and around the
    /// int16 and int8 limits, for offsets and bounds across int8.
    #[test]
    fn small_narrowings_match_finish() {
        if !avx2_or_skip() {
            return;
        }
        let mut rng = Rng(23);
        let limit = (1 << 30) - 1;
        let special = [
            0, 1, -1, 127, -128, 128, -129, 255, -256, 32767, -32768, 32768, -32769,
        ];
        for round in 0..2000 {
            let (a, b) = (
                rng.range(0, 256) as i32 - 128,
                rng.range(0, 256) as i32 - 128,
            );
            let stage = OutputStage {
                offset: rng.range(0, 256) as i32 - 128,
                min: a.min(b),
                max: a.max(b),
            };
            let lanes: [i32; 16] = core::array::from_fn(|k| match (round + k) % 4 {
                0 => special[rng.range(0, special.len())] + rng.range(0, 3) as i32 - 1,
                1 => [limit, -limit][k % 2],
                2 => (rng.next() as i32) >> 2,
                _ => (rng.next() as i32) >> 20,
            });
            let (x, y): ([i32; 8], [i32; 8]) = (
                core::array::from_fn(|k| lanes[k]),
                core::array::from_fn(|k| lanes[8 + k]),
            );
            // SAFETY: AVX2 is present (checked above).
            let (plain, unpacked) = unsafe {
                let (x, y) = (load8(&x), load8(&y));
                let s = Stage8::new(&stage);
                let mut p = [0i8; 16];
                let mut u = [0i8; 16];
                _mm_storeu_si128(p.as_mut_ptr().cast(), s.narrow16_small(x, y));
                _mm_storeu_si128(u.as_mut_ptr().cast(), s.narrow16_unpacked_small(x, y));
                (p, u)
            };
            let want: [i8; 16] = core::array::from_fn(|k| stage.finish(lanes[k]));
            assert_eq!(plain, want, "{stage:?} {lanes:?}");
            // `x` holds channels 0-3 and 8-11, `y` 4-7 and 12-15.
            let order = [0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15];
            let want_unpacked: [i8; 16] =
                core::array::from_fn(|c| want[order.iter().position(|&o| o == c).unwrap()]);
            assert_eq!(unpacked, want_unpacked, "{stage:?} {lanes:?}");
        }
    }

    /// The interleaved narrowing puts every channel back in place.
    #[test]
    fn unpacked_halves_narrow_in_channel_order() {
        if !avx2_or_skip() {
            return;
        }
        let stage = OutputStage {
            offset: 0,
            min: -128,
            max: 127,
        };
        let lo = [0, 1, 2, 3, 8, 9, 10, 11];
        let hi = [4, 5, 6, 7, 12, 13, 14, 15];
        // SAFETY: AVX2 is present (checked above).
        let bytes = unsafe {
            let v = Stage8::new(&stage).narrow16_unpacked(load8(&lo), load8(&hi));
            let mut bytes = [0i8; 16];
            _mm_storeu_si128(bytes.as_mut_ptr().cast(), v);
            bytes
        };
        assert_eq!(bytes, core::array::from_fn(|k| k as i8));
    }
}
