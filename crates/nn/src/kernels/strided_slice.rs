// SPDX-License-Identifier: Apache-2.0
//! STRIDED_SLICE (TFLite `StartForAxis`/`StopForAxis` semantics with begin, end and
//! shrink-axis masks) over tensors of `elem`-byte elements.

use crate::shape::{next_index, MAX_RANK};

/// Resolved start, stop and stride of one axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AxisRange {
    /// First index (may be −1 for negative strides).
    pub start: i64,
    /// One past the last index, in the stride's direction.
    pub stop: i64,
    /// Step (non-zero).
    pub stride: i64,
}

impl AxisRange {
    /// Resolves one axis of size `size`.
    pub fn resolve(
        begin: i64,
        end: i64,
        stride: i64,
        size: usize,
        begin_masked: bool,
        end_masked: bool,
        shrink: bool,
    ) -> Self {
        let size = size as i64;
        if size == 0 {
            return Self {
                start: 0,
                stop: 0,
                stride,
            };
        }
        let clamp = |v: i64| {
            if stride > 0 {
                v.clamp(0, size)
            } else {
                v.clamp(-1, size - 1)
            }
        };
        let mut start = if begin_masked {
            if stride > 0 {
                i64::from(i32::MIN)
            } else {
                i64::from(i32::MAX)
            }
        } else {
            begin
        };
        if start < 0 {
            start += size;
        }
        let start = clamp(start);
        let stop = if shrink {
            start + 1
        } else {
            let mut stop = if end_masked {
                if stride > 0 {
                    i64::from(i32::MAX)
                } else {
                    i64::from(i32::MIN)
                }
            } else {
                end
            };
            if stop < 0 {
                stop += size;
            }
            clamp(stop)
        };
        Self {
            start,
            stop,
            stride,
        }
    }

    /// Number of indices visited.
    pub fn len(&self) -> usize {
        if self.stride > 0 && self.stop > self.start {
            ((self.stop - self.start + self.stride - 1) / self.stride) as usize
        } else if self.stride < 0 && self.stop < self.start {
            ((self.start - self.stop - self.stride - 1) / -self.stride) as usize
        } else {
            0
        }
    }

    /// True when every visited index lies in `0..size`.
    pub fn in_bounds(&self, size: usize) -> bool {
        let n = self.len() as i64;
        if n == 0 {
            return true;
        }
        let last = self.start + (n - 1) * self.stride;
        let ok = |v: i64| v >= 0 && v < size as i64;
        ok(self.start) && ok(last)
    }

    /// True when no index is visited.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Copies the selected elements; `ranges` and `in_dims` are right-aligned to rank 6
/// (leading axes: full range of size 1).
///
/// Trailing axes taken whole, together with the axis above them when its stride is 1, are
/// contiguous in both tensors: they are copied as one run per index of the other axes
/// (equal to `strided_slice_elementwise`, which the tests check).
pub fn strided_slice(
    in_dims: [usize; MAX_RANK],
    ranges: [AxisRange; MAX_RANK],
    elem: usize,
    x: &[u8],
    y: &mut [u8],
) {
    let counts: [usize; MAX_RANK] = core::array::from_fn(|i| ranges[i].len());
    if counts.contains(&0) {
        return;
    }
    let whole = |i: usize| ranges[i].stride == 1 && ranges[i].start == 0 && counts[i] == in_dims[i];
    let mut run_axis = MAX_RANK;
    while run_axis > 0 && whole(run_axis - 1) {
        run_axis -= 1;
    }
    if run_axis > 0 && ranges[run_axis - 1].stride == 1 {
        run_axis -= 1;
    }
    let run = counts[run_axis..].iter().product::<usize>() * elem;
    let mut outer = counts;
    for c in &mut outer[run_axis..] {
        *c = 1;
    }
    let mut idx = [0usize; MAX_RANK];
    for dst in y.chunks_exact_mut(run).take(outer.iter().product()) {
        let mut src = 0usize;
        for i in 0..MAX_RANK {
            let v = ranges[i].start + idx[i] as i64 * ranges[i].stride;
            src = src * in_dims[i] + v as usize;
        }
        dst.copy_from_slice(&x[src * elem..src * elem + run]);
        next_index(&mut idx, &outer);
    }
}

/// [`strided_slice`] one element at a time: the definition, kept for the tests.
#[cfg(test)]
fn strided_slice_elementwise(
    in_dims: [usize; MAX_RANK],
    ranges: [AxisRange; MAX_RANK],
    elem: usize,
    x: &[u8],
    y: &mut [u8],
) {
    let counts: [usize; MAX_RANK] = core::array::from_fn(|i| ranges[i].len());
    let total: usize = counts.iter().product();
    let mut idx = [0usize; MAX_RANK];
    for o in 0..total {
        let mut src = 0usize;
        for i in 0..MAX_RANK {
            let v = ranges[i].start + idx[i] as i64 * ranges[i].stride;
            src = src * in_dims[i] + v as usize;
        }
        y[o * elem..(o + 1) * elem].copy_from_slice(&x[src * elem..(src + 1) * elem]);
        next_index(&mut idx, &counts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    extern crate std;

    #[test]
    fn resolves_like_tflite() {
        let r = AxisRange::resolve(1, -1, 1, 5, false, false, false);
        assert_eq!((r.start, r.stop, r.len()), (1, 4, 3));
        let r = AxisRange::resolve(0, 0, -1, 5, true, true, false);
        assert_eq!((r.start, r.stop, r.len()), (4, -1, 5));
        let r = AxisRange::resolve(2, 0, 1, 5, false, false, true);
        assert_eq!(r.len(), 1);
        let r = AxisRange::resolve(0, 5, 2, 5, false, false, false);
        assert_eq!(r.len(), 3);
    }

    /// Random slices (whole axes, partial unit-stride runs, strides of 2 and 3, negative
    /// strides, shrunk axes, 1- and 4-byte elements) equal the element-by-element copy.
    #[test]
    fn runs_equal_the_elementwise_copy() {
        let mut rng = crate::kernels::test_rng::Rng(61);
        let mut checked = 0;
        for round in 0..400 {
            let mut in_dims = [1usize; MAX_RANK];
            let mut ranges = [AxisRange {
                start: 0,
                stop: 1,
                stride: 1,
            }; MAX_RANK];
            for d in 2..MAX_RANK {
                let size = rng.range(1, 7);
                in_dims[d] = size;
                let (begin, end) = (rng.range(0, size + 1) as i64, rng.range(0, size + 1) as i64);
                let stride = [1, 1, 1, 2, 3, -1, -2][rng.range(0, 7)];
                let whole = rng.range(0, 3) == 0;
                let shrink = rng.range(0, 8) == 0;
                ranges[d] = AxisRange::resolve(begin, end, stride, size, whole, whole, shrink);
            }
            // The dispatcher refuses slices that reach outside the input.
            if (0..MAX_RANK).any(|d| !ranges[d].in_bounds(in_dims[d])) {
                continue;
            }
            checked += 1;
            let elem = [1, 4][round % 2];
            let n: usize = in_dims.iter().product::<usize>() * elem;
            let x: std::vec::Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            let out: usize = ranges.iter().map(|r| r.len()).product::<usize>() * elem;
            let (mut want, mut got) = (std::vec![0u8; out], std::vec![0xAAu8; out]);
            strided_slice_elementwise(in_dims, ranges, elem, &x, &mut want);
            strided_slice(in_dims, ranges, elem, &x, &mut got);
            assert_eq!(want, got, "round {round}: {in_dims:?} {ranges:?}");
        }
        assert!(checked > 300, "checked {checked}");
    }
}
