// SPDX-License-Identifier: Apache-2.0
//! PAD (and PADV2 with a constant), any element size: copies the input into the middle of
//! the output and fills the border with a pad value (the output zero point for int8 PAD).

use crate::shape::{next_index, MAX_RANK};

/// Pads a right-aligned rank-6 tensor of `elem`-byte elements; `before[i]` elements are
/// inserted ahead of axis `i`, `fill` is one element's bytes.
pub fn pad(
    in_dims: [usize; MAX_RANK],
    out_dims: [usize; MAX_RANK],
    before: [usize; MAX_RANK],
    elem: usize,
    fill: &[u8],
    x: &[u8],
    y: &mut [u8],
) {
    if elem == 1 {
        y.fill(fill[0]);
    } else {
        for chunk in y.chunks_exact_mut(elem) {
            chunk.copy_from_slice(&fill[..elem]);
        }
    }
    if in_dims.contains(&0) {
        return;
    }
    // Trailing axes the pad leaves alone are contiguous in both tensors: copy them, with the
    // first padded axis above them, as one run per outer index.
    let mut inner = MAX_RANK - 1;
    while inner > 0 && in_dims[inner] == out_dims[inner] {
        inner -= 1;
    }
    let rows: usize = in_dims[..inner].iter().product();
    let row_len = in_dims[inner..].iter().product::<usize>() * elem;
    let mut row_dims = in_dims;
    for d in &mut row_dims[inner..] {
        *d = 1;
    }
    let mut idx = [0usize; MAX_RANK];
    for r in 0..rows {
        let mut flat = 0usize;
        for i in 0..MAX_RANK {
            flat = flat * out_dims[i] + idx[i] + before[i];
        }
        let dst = flat * elem;
        y[dst..dst + row_len].copy_from_slice(&x[r * row_len..(r + 1) * row_len]);
        next_index(&mut idx, &row_dims);
    }
}
