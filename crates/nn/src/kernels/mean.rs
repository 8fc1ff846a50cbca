// SPDX-License-Identifier: Apache-2.0
//! MEAN, int8 (TFLite `reference_ops::QuantizedMeanOrSum`): integer sum over the reduced
//! axes minus `zp_in · n`, with the `s_in / s_out` multiplier pre-divided by `n`
//! (`(m << shift) / n`, shift = min(⌊log2 n⌋, 32, 31 + exponent)).

use crate::quant::{mean_multiplier, QuantizedMultiplier};
use crate::shape::{next_index, MAX_RANK};

/// Mean over the axes flagged in `reduce` of a right-aligned rank-6 input.
pub fn mean(
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
