// SPDX-License-Identifier: Apache-2.0
//! A 256-entry int8 lookup table applied 64 bytes at a time with AVX-512 VBMI byte permutes:
//! the fast path of every unary op the engine runs as a table (LEAKY_RELU, RELU, HARD_SWISH,
//! LOGISTIC, TANH), identical to the scalar lookup by construction.
//!
//! The table sits in four registers of 64 entries; `vpermi2b` picks from a pair of them by
//! the index's low seven bits, and the index's sign bit chooses between the two pairs.

use core::arch::x86_64::*;

/// Bytes per vector.
const LANES: usize = 64;

/// `out[i] = lut[input[i] as u8]` for `i < min(input.len(), out.len())`, when the CPU has
/// AVX-512 VBMI; returns false (output untouched) otherwise.
pub fn try_apply_lut(lut: &[i8; 256], input: &[i8], out: &mut [i8]) -> bool {
    if !super::has_avx512_vbmi() {
        return false;
    }
    // SAFETY: the CPU supports AVX-512 F/BW/VL/VBMI (checked just above).
    unsafe { apply_lut_vbmi(lut, input, out) };
    true
}

/// A 256-entry table held in four registers.
#[derive(Debug, Clone, Copy)]
pub struct Table256 {
    quarters: [__m512i; 4],
}

impl Table256 {
    /// # Safety
    /// The CPU must support AVX-512 F ([`super::has_avx512_vbmi`] returned true).
    #[target_feature(enable = "avx512f")]
    pub fn new(lut: &[i8; 256]) -> Self {
        Self {
            quarters: core::array::from_fn(|k| {
                // SAFETY: `k < 4`, so bytes `64k..64k + 64` lie inside the 256-byte table;
                // the load is unaligned.
                unsafe { _mm512_loadu_si512(lut.as_ptr().add(k * LANES).cast()) }
            }),
        }
    }

    /// `lut[x as u8]` in each of the 64 byte lanes.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F/BW/VBMI ([`super::has_avx512_vbmi`] returned true).
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub fn look(&self, x: __m512i) -> __m512i {
        let [t0, t1, t2, t3] = self.quarters;
        let low = _mm512_permutex2var_epi8(t0, x, t1);
        let high = _mm512_permutex2var_epi8(t2, x, t3);
        _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), low, high)
    }
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi")]
fn apply_lut_vbmi(lut: &[i8; 256], input: &[i8], out: &mut [i8]) {
    let n = input.len().min(out.len());
    let table = Table256::new(lut);
    let look = |x| table.look(x);
    let mut i = 0;
    while i + LANES <= n {
        // SAFETY: `i + 64 <= n` bytes are readable in `input` and writable in `out` (both at
        // least `n` long); the accesses are unaligned.
        unsafe {
            let x = _mm512_loadu_si512(input.as_ptr().add(i).cast());
            _mm512_storeu_si512(out.as_mut_ptr().add(i).cast(), look(x));
        }
        i += LANES;
    }
    if i < n {
        let mask: __mmask64 = (1u64 << (n - i)) - 1;
        // SAFETY: the mask enables only the `n − i < 64` bytes from `i`, all inside both
        // slices; masked-off bytes are neither read (faults suppressed) nor written.
        unsafe {
            let x = _mm512_maskz_loadu_epi8(mask, input.as_ptr().add(i));
            _mm512_mask_storeu_epi8(out.as_mut_ptr().add(i), mask, look(x));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_rng::Rng;

    /// Random tables over random inputs of every length up to 200 and a long one: every byte
    /// equals the scalar lookup, and bytes past the input stay untouched.
    #[test]
    fn matches_the_scalar_lookup() {
        if !super::super::vbmi_or_skip() {
            return;
        }
        let mut rng = Rng(77);
        let mut x = [0i8; 1000];
        for n in (0..200).chain([1000, 999, 937]) {
            let lut: [i8; 256] = core::array::from_fn(|_| rng.next() as i8);
            for v in x.iter_mut() {
                *v = rng.next() as i8;
            }
            // Every table entry used at least once in the long inputs.
            if n == 1000 {
                for (k, v) in x.iter_mut().take(256).enumerate() {
                    *v = k as u8 as i8;
                }
            }
            let mut got = [55i8; 1001];
            assert!(try_apply_lut(&lut, &x[..n], &mut got[..n]));
            for k in 0..n {
                assert_eq!(got[k], lut[usize::from(x[k] as u8)], "n {n} k {k}");
            }
            assert!(
                got[n..].iter().all(|&v| v == 55),
                "n {n}: wrote past the end"
            );
        }
    }
}
