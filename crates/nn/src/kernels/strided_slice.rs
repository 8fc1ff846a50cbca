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
pub fn strided_slice(
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
}
