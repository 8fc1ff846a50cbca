// SPDX-License-Identifier: Apache-2.0
//! MEAN, int8 (TFLite `reference_ops::QuantizedMeanOrSum`): integer sum over the reduced
//! axes minus `zp_in · n`, with the `s_in / s_out` multiplier pre-divided by `n`
//! (`(m << shift) / n`, shift = min(⌊log2 n⌋, 32, 31 + exponent)).

use crate::quant::{mean_multiplier, QuantizedMultiplier};
use crate::shape::{next_index, MAX_RANK};

/// Mean over the axes flagged in `reduce` of a right-aligned rank-6 input: the contiguous
/// variant when the reduced axes are adjacent (e.g. H and W of NHWC), else the reference.
pub fn mean(
    dims: [usize; MAX_RANK],
    reduce: [bool; MAX_RANK],
    input_zp: i32,
    output_zp: i32,
    m: QuantizedMultiplier,
    x: &[i8],
    y: &mut [i8],
) {
    if !mean_contiguous(dims, reduce, input_zp, output_zp, m, x, y) {
        mean_reference(dims, reduce, input_zp, output_zp, m, x, y);
    }
}

/// Rows of the inner axes summed at once by [`mean_contiguous`].
const INNER_CHUNK: usize = 256;

/// Mean when the reduced axes are adjacent: the input is `[outer][reduced][inner]` and each
/// output `[o][i]` sums `reduced` rows of `inner` contiguous values, a chunk of `inner` at a
/// time (a loop compilers vectorise). The integer sum is the reference's (wrapping addition
/// in any order), then the same requantisation. Returns false, touching nothing, when the
/// reduced axes are not adjacent, none is reduced, or a size is 0.
pub fn mean_contiguous(
    dims: [usize; MAX_RANK],
    reduce: [bool; MAX_RANK],
    input_zp: i32,
    output_zp: i32,
    m: QuantizedMultiplier,
    x: &[i8],
    y: &mut [i8],
) -> bool {
    let (Some(first), Some(last)) = (
        reduce.iter().position(|&r| r),
        reduce.iter().rposition(|&r| r),
    ) else {
        return false;
    };
    if reduce[first..=last].iter().any(|&r| !r) {
        return false;
    }
    let outer: usize = dims[..first].iter().product();
    let n: usize = dims[first..=last].iter().product();
    let inner: usize = dims[last + 1..].iter().product();
    if n == 0 || inner == 0 || x.len() < outer * n * inner || y.len() < outer * inner {
        return false;
    }
    let mm = mean_multiplier(m, n);
    let correction = input_zp.wrapping_mul(n as i32);
    let mut acc = [0i32; INNER_CHUNK];
    for o in 0..outer {
        let block = &x[o * n * inner..(o + 1) * n * inner];
        let mut i0 = 0;
        while i0 < inner {
            let len = INNER_CHUNK.min(inner - i0);
            let acc = &mut acc[..len];
            acc.fill(0);
            for row in block.chunks_exact(inner) {
                for (a, &v) in acc.iter_mut().zip(&row[i0..i0 + len]) {
                    *a = a.wrapping_add(i32::from(v));
                }
            }
            let out = &mut y[o * inner + i0..o * inner + i0 + len];
            for (yo, &sum) in out.iter_mut().zip(acc.iter()) {
                let shifted = sum.wrapping_sub(correction);
                *yo = mm.apply(shifted).wrapping_add(output_zp).clamp(-128, 127) as i8;
            }
            i0 += len;
        }
    }
    true
}

/// Reference mean over the axes flagged in `reduce` of a right-aligned rank-6 input.
pub fn mean_reference(
    dims: [usize; MAX_RANK],
    reduce: [bool; MAX_RANK],
    input_zp: i32,
    output_zp: i32,
    m: QuantizedMultiplier,
    x: &[i8],
    y: &mut [i8],
) {
    // Output strides over the kept axes (reduced axes collapse to size 1).
    let mut out_dims = dims;
    let mut n = 1usize;
    for i in 0..MAX_RANK {
        if reduce[i] {
            out_dims[i] = 1;
            n *= dims[i];
        }
    }
    let mm = mean_multiplier(m, n);
    let red_dims: [usize; MAX_RANK] = core::array::from_fn(|i| if reduce[i] { dims[i] } else { 1 });
    let out_len: usize = out_dims.iter().product();
    for (o, yo) in y.iter_mut().enumerate().take(out_len) {
        // Decompose the output index.
        let mut base = [0usize; MAX_RANK];
        let mut rem = o;
        for i in (0..MAX_RANK).rev() {
            base[i] = rem % out_dims[i];
            rem /= out_dims[i];
        }
        let mut sum = 0i32;
        let mut off = [0usize; MAX_RANK];
        for _ in 0..n {
            let mut flat = 0usize;
            for i in 0..MAX_RANK {
                flat = flat * dims[i] + base[i] + off[i];
            }
            sum = sum.wrapping_add(i32::from(x[flat]));
            next_index(&mut off, &red_dims);
        }
        let shifted = sum.wrapping_sub(input_zp.wrapping_mul(n as i32));
        *yo = mm.apply(shifted).wrapping_add(output_zp).clamp(-128, 127) as i8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_rng::Rng;

    extern crate std;

    /// Random shapes and adjacent reduced axes (incl. inner runs longer than one chunk):
    /// the contiguous variant equals the reference; non-adjacent axes are declined.
    #[test]
    fn contiguous_matches_reference() {
        let mut rng = Rng(23);
        let mut checked = 0;
        for round in 0..300 {
            let mut dims = [1usize; MAX_RANK];
            for d in dims.iter_mut().skip(2) {
                *d = rng.range(1, 7);
            }
            if round % 10 == 0 {
                dims[MAX_RANK - 1] = rng.range(250, 600);
            }
            let first = rng.range(2, MAX_RANK);
            let last = rng.range(first, MAX_RANK);
            let reduce: [bool; MAX_RANK] = core::array::from_fn(|i| (first..=last).contains(&i));
            let len: usize = dims.iter().product();
            let out_len = len / dims[first..=last].iter().product::<usize>();
            let x = rng.vec_i8(len);
            let m = QuantizedMultiplier::from_real(0.2 + rng.range(0, 100) as f64 * 0.01).unwrap();
            let (zi, zo) = (
                rng.range(0, 256) as i32 - 128,
                rng.range(0, 256) as i32 - 128,
            );
            let (mut a, mut b) = (std::vec![0i8; out_len], std::vec![0i8; out_len]);
            mean_reference(dims, reduce, zi, zo, m, &x, &mut a);
            assert!(mean_contiguous(dims, reduce, zi, zo, m, &x, &mut b));
            assert_eq!(a, b, "dims {dims:?} reduce {reduce:?}");
            checked += 1;
        }
        assert_eq!(checked, 300);
        let mut gap = [false; MAX_RANK];
        gap[2] = true;
        gap[4] = true;
        let m = QuantizedMultiplier::from_real(0.5).unwrap();
        let mut y = [0i8; 8];
        assert!(!mean_contiguous(
            [1, 1, 2, 2, 2, 1],
            gap,
            0,
            0,
            m,
            &[0; 8],
            &mut y
        ));
    }
}
