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
    if in_dims[..inner] == out_dims[..inner] {
        // Only axis `inner` grows (e.g. channel padding): the runs sit at a fixed offset in
        // consecutive output rows (the output was filled whole above: faster than filling
        // each row's few pad bytes on their own).
        let out_row = out_dims[inner..].iter().product::<usize>() * elem;
        let lead = before[inner] * in_dims[inner + 1..].iter().product::<usize>() * elem;
        for (src, dst) in x
            .chunks_exact(row_len)
            .zip(y.chunks_exact_mut(out_row))
            .take(rows)
        {
            dst[lead..lead + row_len].copy_from_slice(src);
        }
        return;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_rng::Rng;

    extern crate std;
    use std::vec::Vec;

    /// Element by element: output index minus `before` inside the input copies it, anything
    /// else is `fill`.
    fn pad_naive(
        in_dims: [usize; MAX_RANK],
        out_dims: [usize; MAX_RANK],
        before: [usize; MAX_RANK],
        fill: u8,
        x: &[u8],
    ) -> Vec<u8> {
        let n: usize = out_dims.iter().product();
        let mut y = std::vec![fill; n];
        let mut idx = [0usize; MAX_RANK];
        for v in y.iter_mut() {
            let mut src = Some(0usize);
            for d in 0..MAX_RANK {
                src = src.and_then(|s| {
                    let i = idx[d].checked_sub(before[d]).filter(|&i| i < in_dims[d])?;
                    Some(s * in_dims[d] + i)
                });
            }
            if let Some(s) = src {
                *v = x[s];
            }
            next_index(&mut idx, &out_dims);
        }
        y
    }

    /// Random rank-4 paddings (none, channel only, spatial only, all axes) equal the
    /// element-by-element definition.
    #[test]
    fn matches_elementwise_definition() {
        let mut rng = Rng(53);
        for round in 0..300 {
            let mut in_dims = [1usize; MAX_RANK];
            let mut out_dims = [1usize; MAX_RANK];
            let mut before = [0usize; MAX_RANK];
            for d in 2..MAX_RANK {
                in_dims[d] = rng.range(1, 6);
                let padded = match round % 4 {
                    0 => false,
                    1 => d == MAX_RANK - 1,
                    2 => d == 3 || d == 4,
                    _ => true,
                };
                let (b, a) = if padded {
                    (rng.range(0, 3), rng.range(0, 3))
                } else {
                    (0, 0)
                };
                before[d] = b;
                out_dims[d] = in_dims[d] + b + a;
            }
            let x: Vec<u8> = rng
                .vec_i8(in_dims.iter().product())
                .into_iter()
                .map(|v| v as u8)
                .collect();
            let mut y = std::vec![0xAAu8; out_dims.iter().product()];
            pad(in_dims, out_dims, before, 1, &[7], &x, &mut y);
            assert_eq!(
                y,
                pad_naive(in_dims, out_dims, before, 7, &x),
                "round {round}"
            );
        }
    }
}
