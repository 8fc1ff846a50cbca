// SPDX-License-Identifier: Apache-2.0
//! ADD, SUB and SQUARED_DIFFERENCE, int8 (TFLite `reference_integer_ops::AddFunc`,
//! `reference_ops::SubElementwise`, `SquaredDifference`): both inputs are shifted left (20
//! bits, 7 for the squared difference), rescaled to twice the larger input scale, combined,
//! then rescaled to the output.

use super::broadcast::Broadcast;
use super::OutputStage;
use crate::quant::QuantizedMultiplier;

/// Precomputed quantisation of one ADD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddParams {
    /// `-zero_point` of input 1.
    pub input1_offset: i32,
    /// `-zero_point` of input 2.
    pub input2_offset: i32,
    /// Left shift applied to both inputs (20 for int8).
    pub left_shift: i32,
    /// Rescale of input 1.
    pub input1: QuantizedMultiplier,
    /// Rescale of input 2.
    pub input2: QuantizedMultiplier,
    /// Rescale of the sum.
    pub output: QuantizedMultiplier,
    /// How the rescaled inputs combine.
    pub combine: Combine,
}

/// The arithmetic between the two rescaled inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// `a + b`
    Add,
    /// `a − b`
    Sub,
    /// `(a − b)²`
    SquaredDifference,
}

impl AddParams {
    /// True when the two inputs rescaled by multipliers below 1 (shifts ≤ 0), and so their
    /// sum or difference, stay below 2^30 in magnitude: each is at most `|x + offset| ·
    /// 2^left_shift` with `|x| ≤ 128`. Vector kernels take a cheaper output rescale then.
    pub fn rescaled_below_2_30(&self) -> bool {
        let largest = |offset: i32| (128 + u64::from(offset.unsigned_abs())) << self.left_shift;
        (0..32).contains(&self.left_shift)
            && largest(self.input1_offset) + largest(self.input2_offset) < 1 << 30
    }

    /// Input 1 rescaled (`(x + off1) << shift`, times its multiplier).
    #[inline]
    fn scaled1(&self, x: i8) -> i32 {
        self.input1
            .apply((i32::from(x) + self.input1_offset) * (1 << self.left_shift))
    }

    /// Input 2 rescaled.
    #[inline]
    fn scaled2(&self, y: i8) -> i32 {
        self.input2
            .apply((i32::from(y) + self.input2_offset) * (1 << self.left_shift))
    }

    /// Combines two rescaled inputs and requantises to the output.
    #[inline]
    fn finish(&self, sa: i32, sb: i32, stage: OutputStage) -> i8 {
        let sum = match self.combine {
            Combine::Add => sa.wrapping_add(sb),
            Combine::Sub => sa.wrapping_sub(sb),
            Combine::SquaredDifference => {
                let d = sa.wrapping_sub(sb);
                d.wrapping_mul(d)
            }
        };
        stage.finish(self.output.apply(sum))
    }

    /// One element (the reference arithmetic).
    #[inline]
    pub fn apply(&self, x: i8, y: i8, stage: OutputStage) -> i8 {
        self.finish(self.scaled1(x), self.scaled2(y), stage)
    }
}

/// Reference: every element through [`AddParams::apply`].
pub fn add_reference(
    p: &AddParams,
    bc: &Broadcast,
    a: &[i8],
    b: &[i8],
    stage: OutputStage,
    out: &mut [i8],
) {
    if bc.is_elementwise() {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = p.apply(x, y, stage);
        }
    } else {
        bc.for_each(|o, ia, ib| out[o] = p.apply(a[ia], b[ib], stage));
    }
}

/// Most channels of a per-channel operand given whole-output lookup tables.
const LUT_CHANNELS: usize = 4;

/// Elements per channel from which filling a 256-entry output table pays off.
const LUT_MIN_ELEMENTS: usize = 1024;

/// Table variant: each input's rescale depends on its int8 value only, so both are looked
/// up in 256-entry tables filled with the same arithmetic; only the output rescale runs per
/// element. Identical results by construction.
pub fn add_tables(
    p: &AddParams,
    bc: &Broadcast,
    a: &[i8],
    b: &[i8],
    stage: OutputStage,
    out: &mut [i8],
) {
    let t1: [i32; 256] = core::array::from_fn(|i| p.scaled1(i as u8 as i8));
    let t2: [i32; 256] = core::array::from_fn(|i| p.scaled2(i as u8 as i8));
    let look = |t: &[i32; 256], v: i8| t[usize::from(v as u8)];
    // Row length over which `a` runs contiguously against all of `b`: the whole tensor when
    // both have the output's shape, one pixel's channels when `b` is per-channel.
    let elementwise = bc.is_elementwise();
    let row = if elementwise {
        Some(out.len())
    } else {
        bc.per_channel_b().filter(|&c| c == b.len())
    };
    match row.filter(|&r| r > 0) {
        // Few channels against many pixels (an input normalisation): the output depends on
        // the int8 input and its channel only, so it is looked up in per-channel tables
        // filled with the same arithmetic.
        Some(r) if !elementwise && r <= LUT_CHANNELS && out.len() >= LUT_MIN_ELEMENTS * r => {
            let mut lut = [[0i8; 256]; LUT_CHANNELS];
            for (t, &y) in lut.iter_mut().zip(b) {
                for (v, e) in t.iter_mut().enumerate() {
                    *e = p.finish(look(&t1, v as u8 as i8), look(&t2, y), stage);
                }
            }
            for (os, xs) in out.chunks_exact_mut(r).zip(a.chunks_exact(r)) {
                for ((o, &x), t) in os.iter_mut().zip(xs).zip(&lut) {
                    *o = t[usize::from(x as u8)];
                }
            }
        }
        // The common residual ADD, with the combine step resolved outside the loop.
        Some(r) if p.combine == Combine::Add => rows(out, a, b, r, |x, y| {
            stage.finish(p.output.apply(look(&t1, x).wrapping_add(look(&t2, y))))
        }),
        Some(r) => rows(out, a, b, r, |x, y| {
            p.finish(look(&t1, x), look(&t2, y), stage)
        }),
        None => {
            bc.for_each(|o, ia, ib| out[o] = p.finish(look(&t1, a[ia]), look(&t2, b[ib]), stage))
        }
    }
}

/// `out = f(a, b)` with `a` and `out` taken in rows of `r` elements, each row against `b`.
#[inline(always)]
fn rows(out: &mut [i8], a: &[i8], b: &[i8], r: usize, f: impl Fn(i8, i8) -> i8) {
    for (os, xs) in out.chunks_exact_mut(r).zip(a.chunks_exact(r)) {
        for ((o, &x), &y) in os.iter_mut().zip(xs).zip(b) {
            *o = f(x, y);
        }
    }
}

/// Element-wise or broadcast add: the table variant once the tensor outgrows the tables.
/// On x86-64 with AVX-512 or AVX2, same-shape operands go to a vector kernel first.
pub fn add(p: &AddParams, bc: &Broadcast, a: &[i8], b: &[i8], stage: OutputStage, out: &mut [i8]) {
    #[cfg(target_arch = "x86_64")]
    if super::x86::add::try_add(p, bc, a, b, stage, out)
        || super::x86::avx2::add::try_add(p, bc, a, b, stage, out)
    {
        return;
    }
    if out.len() > 512 {
        add_tables(p, bc, a, b, stage, out);
    } else {
        add_reference(p, bc, a, b, stage, out);
    }
}

/// Shared checks for the vector ADD kernels: each compares a kernel with [`add_reference`]
/// byte for byte.
#[cfg(test)]
pub(crate) mod checks {
    use super::{add_reference, AddParams, Combine};
    use crate::kernels::broadcast::Broadcast;
    use crate::kernels::test_rng::Rng;
    use crate::kernels::OutputStage;
    use crate::quant::QuantizedMultiplier;
    use crate::shape::MAX_RANK;

    /// A kernel under test: computes the op into the output and returns true, or returns
    /// false when it does not take it.
    pub(crate) type Kernel<'k> =
        &'k dyn Fn(&AddParams, &Broadcast, &[i8], &[i8], OutputStage, &mut [i8]) -> bool;

    /// A random multiplier: mostly realistic, sometimes an extreme mantissa or shift.
    fn multiplier(rng: &mut Rng, lo_shift: i32, hi_shift: i32) -> QuantizedMultiplier {
        let multiplier = match rng.range(0, 8) {
            0 => i32::MAX,
            1 => 1 << 30,
            _ => (1 << 30) + rng.range(0, 1 << 30) as i32,
        };
        let shift = lo_shift + rng.range(0, (hi_shift - lo_shift + 1) as usize) as i32;
        QuantizedMultiplier { multiplier, shift }
    }

    /// Offsets of 255 in magnitude, input multipliers near 1, a left shift of 21 and an
    /// output rescale whose rounding nudge is 2^30: the rescaled sum passes 2^30, outside a
    /// bounded output rescale. Every input pair must equal the reference.
    pub(crate) fn wide_offsets(kernel: Kernel<'_>) {
        extern crate std;
        let near_one = QuantizedMultiplier {
            multiplier: i32::MAX,
            shift: 0,
        };
        for (off1, off2, combine) in [
            (255, 255, Combine::Add),
            (-255, -255, Combine::Add),
            (255, -255, Combine::Sub),
        ] {
            let p = AddParams {
                input1_offset: off1,
                input2_offset: off2,
                left_shift: 21,
                input1: near_one,
                input2: near_one,
                output: QuantizedMultiplier {
                    multiplier: i32::MAX,
                    shift: -31,
                },
                combine,
            };
            assert!(!p.rescaled_below_2_30());
            let stage = OutputStage {
                offset: 0,
                min: -128,
                max: 127,
            };
            let a: std::vec::Vec<i8> = (0..65536).map(|i| (i % 256) as u8 as i8).collect();
            let b: std::vec::Vec<i8> = (0..65536).map(|i| (i / 256) as u8 as i8).collect();
            let dims = [1, 1, 1, 1, 1, a.len()];
            let bc = Broadcast::new(dims, dims, dims).expect("equal shapes broadcast");
            let (mut want, mut got) = (std::vec![0i8; a.len()], std::vec![0i8; a.len()]);
            add_reference(&p, &bc, &a, &b, stage, &mut want);
            assert!(
                kernel(&p, &bc, &a, &b, stage, &mut got),
                "{combine:?} not taken"
            );
            assert!(want == got, "offsets {off1} {off2} {combine:?} differ");
        }
    }

    /// Random offsets, multipliers, stages and lengths (most not a multiple of 16), the
    /// combines in turn, left shifts 20 (7 for SQUARED_DIFFERENCE) or, every fifth round,
    /// from `shifts`: the kernel must take every case, every byte must equal the reference
    /// and nothing past the output may be written.
    pub(crate) fn random_ops(
        seed: u32,
        combines: &[Combine],
        shifts: core::ops::Range<usize>,
        kernel: Kernel<'_>,
    ) {
        let mut rng = Rng(seed);
        for round in 0..3000 {
            let combine = combines[round % combines.len()];
            let left_shift = match combine {
                Combine::SquaredDifference => 7,
                _ if round % 5 == 0 => rng.range(shifts.start, shifts.end) as i32,
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
                input1: multiplier(&mut rng, if round % 6 == 0 { -31 } else { -8 }, 0),
                input2: multiplier(&mut rng, if round % 8 == 0 { -31 } else { -8 }, 0),
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
            let bc = Broadcast::new(dims, dims, dims).expect("equal shapes broadcast");
            let (a, b) = (rng.i8s(n), rng.i8s(n));
            let mut want = [0i8; 1024];
            let mut got = [99i8; 1025];
            add_reference(&p, &bc, &a[..n], &b[..n], stage, &mut want[..n]);
            assert!(
                kernel(&p, &bc, &a[..n], &b[..n], stage, &mut got[..n]),
                "round {round}"
            );
            assert_eq!(want[..n], got[..n], "round {round}: {p:?} {stage:?}");
            assert!(
                got[n..].iter().all(|&v| v == 99),
                "round {round}: wrote past the end"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_rng::Rng;
    use crate::shape::MAX_RANK;

    #[test]
    fn tables_match_reference() {
        let mut rng = Rng(21);
        for combine in [Combine::Add, Combine::Sub, Combine::SquaredDifference] {
            let m = |r: &mut Rng| {
                QuantizedMultiplier::from_real(0.2 + r.range(0, 60) as f64 * 0.01).unwrap()
            };
            let p = AddParams {
                input1_offset: rng.range(0, 40) as i32 - 20,
                input2_offset: rng.range(0, 40) as i32 - 20,
                left_shift: if combine == Combine::SquaredDifference {
                    7
                } else {
                    20
                },
                input1: m(&mut rng),
                input2: m(&mut rng),
                output: QuantizedMultiplier::from_real(0.0003).unwrap(),
                combine,
            };
            let stage = OutputStage {
                offset: 3,
                min: -128,
                max: 127,
            };
            let dims: [usize; MAX_RANK] = [1, 1, 1, 4, 16, 16];
            let bc = Broadcast::new(dims, dims, dims).unwrap();
            let (a, b) = (rng.i8s(1024), rng.i8s(1024));
            let (mut x, mut y) = ([0i8; 1024], [0i8; 1024]);
            add_reference(&p, &bc, &a, &b, stage, &mut x);
            add_tables(&p, &bc, &a, &b, stage, &mut y);
            assert_eq!(x, y);
            // b one value per channel, broadcast over the pixels.
            let pc = Broadcast::new(dims, [1, 1, 1, 1, 1, 16], dims).unwrap();
            assert_eq!(pc.per_channel_b(), Some(16));
            add_reference(&p, &pc, &a, &b[..16], stage, &mut x);
            add_tables(&p, &pc, &a, &b[..16], stage, &mut y);
            assert_eq!(x, y);
            // Three channels over 1024 pixels: the per-channel output tables.
            let big: [usize; MAX_RANK] = [1, 1, 1, 32, 32, 3];
            let pc = Broadcast::new(big, [1, 1, 1, 1, 1, 3], big).unwrap();
            let mut a3 = [0i8; 3072];
            for v in a3.iter_mut() {
                *v = rng.next() as i8;
            }
            let (mut x3, mut y3) = ([0i8; 3072], [0i8; 3072]);
            add_reference(&p, &pc, &a3, &b[..3], stage, &mut x3);
            add_tables(&p, &pc, &a3, &b[..3], stage, &mut y3);
            assert_eq!(x3, y3);
        }
    }
}
