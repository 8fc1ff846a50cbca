// SPDX-License-Identifier: Apache-2.0
//! A 256-entry int8 table applied to 32 bytes at a time in AVX2 (`vpshufb` looks up only
//! sixteen entries): the table is held as sixteen 16-entry rows, each byte's low nibble
//! picks the entry within every row, and its high nibble picks the row (a compare and a
//! blend per row). Sixteen rows cost 48 vector instructions per 32 bytes, against one load
//! and one store per byte in the scalar loop. Used by every op that runs as a table
//! (LOGISTIC, TANH, LEAKY_RELU, HARD_SWISH, RELU on large tensors).

use core::arch::x86_64::*;

/// Bytes per step.
const STEP: usize = 32;

/// `out[i] = lut[input[i] as u8]` for `i < min(input.len(), out.len())`, when the CPU has
/// AVX2; returns false (output untouched) otherwise.
pub fn try_apply_lut(lut: &[i8; 256], input: &[i8], out: &mut [i8]) -> bool {
    if !super::super::has_avx2() {
        return false;
    }
    // SAFETY: the CPU supports AVX2 (checked just above).
    unsafe { apply_lut_avx2(lut, input, out) };
    true
}

#[target_feature(enable = "avx2")]
fn apply_lut_avx2(lut: &[i8; 256], input: &[i8], out: &mut [i8]) {
    // Row `k` (entries `16k..16k + 16`) in both 128-bit halves (`vpshufb` works per half).
    let rows: [__m256i; 16] = core::array::from_fn(|k| {
        // SAFETY: `k < 16`, so bytes `16k..16k + 16` lie inside the 256-byte table; the
        // load is unaligned.
        _mm256_broadcastsi128_si256(unsafe { _mm_loadu_si128(lut.as_ptr().add(16 * k).cast()) })
    });
    let nibble = _mm256_set1_epi8(0x0F);
    let n = input.len().min(out.len());
    super::super::in_steps::<STEP>(&input[..n], &input[..n], &mut out[..n], |x, _, o| {
        // SAFETY: `x` is 32 readable bytes; the load is unaligned.
        let x = unsafe { _mm256_loadu_si256(x.as_ptr().cast()) };
        let low = _mm256_and_si256(x, nibble);
        // The shift works on 16-bit lanes; the mask drops the bits the neighbour byte
        // shifted in.
        let high = _mm256_and_si256(_mm256_srli_epi16::<4>(x), nibble);
        let mut y = _mm256_setzero_si256();
        for (k, row) in rows.iter().enumerate() {
            let here = _mm256_cmpeq_epi8(high, _mm256_set1_epi8(k as i8));
            y = _mm256_blendv_epi8(y, _mm256_shuffle_epi8(*row, low), here);
        }
        // SAFETY: `o` is 32 writable bytes; the store is unaligned.
        unsafe { _mm256_storeu_si256(o.as_mut_ptr().cast(), y) };
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_rng::Rng;

    /// Every input value through random tables, over lengths that are and are not whole
    /// steps: equal to the scalar lookup, nothing written past the output.
    #[test]
    fn equals_the_scalar_lookup() {
        if !crate::kernels::x86::avx2_or_skip() {
            return;
        }
        let mut rng = Rng(23);
        let all: [i8; 300] = core::array::from_fn(|i| (i * 7 + 3) as u8 as i8);
        for round in 0..200 {
            let lut: [i8; 256] = core::array::from_fn(|_| rng.next() as i8);
            let n = if round % 3 == 0 {
                256
            } else {
                rng.range(0, 300)
            };
            let mut got = [77i8; 301];
            assert!(try_apply_lut(&lut, &all[..n], &mut got[..n]));
            for (i, (&x, &y)) in all[..n].iter().zip(&got[..n]).enumerate() {
                assert_eq!(y, lut[usize::from(x as u8)], "round {round}, byte {i}");
            }
            assert!(
                got[n..].iter().all(|&v| v == 77),
                "round {round}: wrote past the end"
            );
        }
    }
}
