// SPDX-License-Identifier: Apache-2.0
//! Tensor shapes: a fixed-capacity list of dimensions (no heap).

use crate::Error;

/// Highest tensor rank the engine handles.
pub const MAX_RANK: usize = 6;

/// A tensor shape, row-major (last dimension varies fastest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    dims: [usize; MAX_RANK],
    rank: usize,
}

impl Shape {
    /// A shape from its dimensions; fails on rank > [`MAX_RANK`].
    pub fn new(dims: &[usize]) -> Result<Self, Error> {
        if dims.len() > MAX_RANK {
            return Err(Error::Capacity {
                what: "dimensions",
                needed: dims.len(),
                max: MAX_RANK,
            });
        }
        let mut d = [1usize; MAX_RANK];
        d[..dims.len()].copy_from_slice(dims);
        Ok(Self {
            dims: d,
            rank: dims.len(),
        })
    }

    /// The scalar shape (rank 0, one element).
    pub const fn scalar() -> Self {
        Self {
            dims: [1; MAX_RANK],
            rank: 0,
        }
    }

    /// Number of dimensions.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// The dimensions.
    pub fn dims(&self) -> &[usize] {
        &self.dims[..self.rank]
    }

    /// Dimension `i` (1 beyond the rank).
    pub fn dim(&self, i: usize) -> usize {
        if i < self.rank {
            self.dims[i]
        } else {
            1
        }
    }

    /// Number of elements (saturating; shapes are validated against buffer sizes).
    pub fn num_elements(&self) -> usize {
        self.dims()
            .iter()
            .fold(1usize, |acc, &d| acc.saturating_mul(d))
    }

    /// The shape right-aligned to rank 4 with leading 1s (TFLite's `RuntimeShape::ExtendedShape(4)`),
    /// or an error when the rank exceeds 4.
    pub fn to4(&self) -> Option<[usize; 4]> {
        if self.rank > 4 {
            return None;
        }
        let mut out = [1usize; 4];
        out[4 - self.rank..].copy_from_slice(self.dims());
        Some(out)
    }

    /// Right-aligns to rank `MAX_RANK` with leading 1s.
    pub fn extended(&self) -> [usize; MAX_RANK] {
        let mut out = [1usize; MAX_RANK];
        out[MAX_RANK - self.rank..].copy_from_slice(self.dims());
        out
    }
}

/// Advances a row-major multi-index over `dims` (last axis fastest), wrapping to all zeros
/// after the last element. Axes whose `dims` entry is 0 or 1 never move.
pub fn next_index(idx: &mut [usize; MAX_RANK], dims: &[usize; MAX_RANK]) {
    let mut d = MAX_RANK;
    while d > 0 {
        d -= 1;
        idx[d] += 1;
        if idx[d] < dims[d] {
            return;
        }
        idx[d] = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extends_and_counts() {
        let s = Shape::new(&[2, 3]).unwrap();
        assert_eq!(s.num_elements(), 6);
        assert_eq!(s.to4(), Some([1, 1, 2, 3]));
        assert_eq!(s.extended(), [1, 1, 1, 1, 2, 3]);
        assert!(Shape::new(&[1; 7]).is_err());
        assert_eq!(Shape::new(&[1, 2, 3, 4, 5]).unwrap().to4(), None);
        assert_eq!(Shape::scalar().num_elements(), 1);
    }

    #[test]
    fn multi_index_counts_row_major() {
        let dims = [1, 1, 1, 1, 2, 3];
        let mut idx = [0; MAX_RANK];
        next_index(&mut idx, &dims);
        assert_eq!(idx[4..], [0, 1]);
        for _ in 0..2 {
            next_index(&mut idx, &dims);
        }
        assert_eq!(idx[4..], [1, 0]);
        for _ in 0..3 {
            next_index(&mut idx, &dims);
        }
        assert_eq!(idx, [0; MAX_RANK], "wraps after the last element");
    }
}
