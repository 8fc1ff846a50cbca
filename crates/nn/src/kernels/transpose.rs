// SPDX-License-Identifier: Apache-2.0
//! TRANSPOSE: permutes the axes of a tensor of `elem`-byte elements.

use crate::shape::{next_index, MAX_RANK};

/// `out[i0..] = in[perm-applied index]`, with `perm` right-aligned to rank 6 (leading
/// identity axes) and `in_dims` right-aligned likewise.
pub fn transpose(
    in_dims: [usize; MAX_RANK],
    perm: [usize; MAX_RANK],
    elem: usize,
    x: &[u8],
    y: &mut [u8],
) {
    let mut out_dims = [1usize; MAX_RANK];
    for i in 0..MAX_RANK {
        out_dims[i] = in_dims[perm[i]];
    }
    let mut in_strides = [0usize; MAX_RANK];
    let mut s = 1usize;
    for i in (0..MAX_RANK).rev() {
        in_strides[i] = s;
        s *= in_dims[i];
    }
    let total: usize = out_dims.iter().product();
    let mut idx = [0usize; MAX_RANK];
    for o in 0..total {
        let mut src = 0usize;
        for i in 0..MAX_RANK {
            src += idx[i] * in_strides[perm[i]];
        }
        y[o * elem..(o + 1) * elem].copy_from_slice(&x[src * elem..(src + 1) * elem]);
        next_index(&mut idx, &out_dims);
    }
}
