// SPDX-License-Identifier: Apache-2.0
//! ADD, SUB and SQUARED_DIFFERENCE of two same-shape int8 tensors, sixteen elements at a
//! time in AVX-512: the reference arithmetic of [`AddParams::apply`] lane by lane (offset,
//! wrapping left shift, each input's rescale, the combine step in wrapping int32, the output
//! rescale and stage), so the bytes equal the portable kernel's.

use core::arch::x86_64::*;

use super::requant::{self, Requant16};
use crate::kernels::add::{AddParams, Combine};
use crate::kernels::broadcast::Broadcast;
use crate::kernels::OutputStage;

/// Elements per vector.
const LANES: usize = 16;

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
    // SAFETY: the CPU supports AVX-512 F/BW/VL (checked just above).
    unsafe {
        match p.combine {
            Combine::Add => elementwise(p, &a[..n], &b[..n], &stage, out, |x, y| {
                _mm512_add_epi32(x, y)
            }),
            Combine::Sub => elementwise(p, &a[..n], &b[..n], &stage, out, |x, y| {
                _mm512_sub_epi32(x, y)
            }),
            Combine::SquaredDifference => elementwise(p, &a[..n], &b[..n], &stage, out, |x, y| {
                let d = _mm512_sub_epi32(x, y);
                _mm512_mullo_epi32(d, d)
            }),
        }
    }
    true
}

/// `out[i] = stage(output(combine(input1(a[i]), input2(b[i]))))`; `a`, `b` and `out` have
/// one length.
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn elementwise(
    p: &AddParams,
    a: &[i8],
    b: &[i8],
    stage: &OutputStage,
    out: &mut [i8],
    combine: impl Fn(__m512i, __m512i) -> __m512i,
) {
    let n = out.len().min(a.len()).min(b.len());
    let (q1, q2, qo) = (
        Requant16::splat(p.input1),
        Requant16::splat(p.input2),
        Requant16::splat(p.output),
    );
    let (off1, off2) = (
        _mm512_set1_epi32(p.input1_offset),
        _mm512_set1_epi32(p.input2_offset),
    );
    let shift = _mm_cvtsi32_si128(p.left_shift);
    // `(x + offset) << left_shift` (wrapping, as the scalar `* (1 << left_shift)`), rescaled.
    let scaled = |x: __m128i, off: __m512i, q: &Requant16| {
        q.multiply(_mm512_sll_epi32(
            _mm512_add_epi32(_mm512_cvtepi8_epi32(x), off),
            shift,
        ))
    };
    let lanes = |x: __m128i, y: __m128i| {
        qo.apply(combine(scaled(x, off1, &q1), scaled(y, off2, &q2)), stage)
    };
    let mut i = 0;
    while i + LANES <= n {
        // SAFETY: `i + 16 <= n` bytes are readable in `a`, `b` and writable in `out` (all at
        // least `n` long); the accesses are unaligned.
        unsafe {
            let x = _mm_loadu_si128(a.as_ptr().add(i).cast());
            let y = _mm_loadu_si128(b.as_ptr().add(i).cast());
            _mm_storeu_si128(out.as_mut_ptr().add(i).cast(), lanes(x, y));
        }
        i += LANES;
    }
    if i < n {
        let mask: __mmask16 = (1u16 << (n - i)) - 1;
        // SAFETY: the mask enables only the `n − i < 16` bytes from `i`, inside all three
        // slices; masked-off bytes are neither read (faults suppressed) nor written.
        unsafe {
            let x = _mm_maskz_loadu_epi8(mask, a.as_ptr().add(i));
            let y = _mm_maskz_loadu_epi8(mask, b.as_ptr().add(i));
            _mm_mask_storeu_epi8(out.as_mut_ptr().add(i), mask, lanes(x, y));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::add::add_reference;
    use crate::kernels::test_rng::Rng;
    use crate::quant::QuantizedMultiplier;
    use crate::shape::MAX_RANK;

    extern crate std;

    /// A random multiplier: mostly realistic (`from_real`), sometimes an extreme mantissa or
    /// shift.
    fn multiplier(rng: &mut Rng, lo_shift: i32, hi_shift: i32) -> QuantizedMultiplier {
        let multiplier = match rng.range(0, 8) {
            0 => i32::MAX,
            1 => 1 << 30,
            _ => (1 << 30) + rng.range(0, 1 << 30) as i32,
        };
        let shift = lo_shift + rng.range(0, (hi_shift - lo_shift + 1) as usize) as i32;
        QuantizedMultiplier { multiplier, shift }
    }

    /// Random offsets, multipliers, shifts, stages and lengths (most not a multiple of 16),
    /// each combine: every byte equals the reference and nothing past the output is written.
    #[test]
    fn matches_the_reference() {
        if !super::super::has_avx512_vnni() {
            std::eprintln!("no AVX-512 VNNI on this CPU: the vector path is not used here");
            return;
        }
        let mut rng = Rng(31);
        for round in 0..600 {
            let combine = [Combine::Add, Combine::Sub, Combine::SquaredDifference][round % 3];
            let left_shift = match combine {
                Combine::SquaredDifference => 7,
                _ if round % 5 == 0 => rng.range(0, 24) as i32,
                _ => 20,
            };
            let p = AddParams {
                input1_offset: rng.range(0, 256) as i32 - 127,
                input2_offset: if round % 7 == 0 {
                    128
                } else {
                    rng.range(0, 256) as i32 - 127
                },
                left_shift,
                input1: multiplier(&mut rng, -8, 0),
                input2: multiplier(&mut rng, -8, 0),
                output: multiplier(&mut rng, -31, if round % 4 == 0 { 3 } else { -10 }),
                combine,
            };
            let lo = rng.range(0, 256) as i32 - 128;
            let stage = OutputStage {
                offset: rng.range(0, 256) as i32 - 128,
                min: lo,
                max: lo + rng.range(0, (128 - lo) as usize) as i32,
            };
            let n = if round % 10 == 0 {
                1024
            } else {
                rng.range(0, 100)
            };
            let dims: [usize; MAX_RANK] = [1, 1, 1, 1, 1, n];
            let bc = Broadcast::new(dims, dims, dims).unwrap();
            let (a, b) = (rng.i8s(n), rng.i8s(n));
            let mut want = [0i8; 1024];
            let mut got = [99i8; 1025];
            add_reference(&p, &bc, &a[..n], &b[..n], stage, &mut want[..n]);
            assert!(try_add(&p, &bc, &a[..n], &b[..n], stage, &mut got[..n]));
            assert_eq!(want[..n], got[..n], "round {round}: {p:?} {stage:?}");
            assert!(
                got[n..].iter().all(|&v| v == 99),
                "round {round}: wrote past the end"
            );
        }
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
