// SPDX-License-Identifier: Apache-2.0
//! Numpy-style broadcasting of two operands to an output shape (up to rank 6), as TFLite's
//! `BroadcastBinaryFunction6DSlow` does.

use crate::shape::MAX_RANK;

/// Strides that map an output index to each operand's flat index.
#[derive(Debug, Clone, Copy)]
pub struct Broadcast {
    out: [usize; MAX_RANK],
    stride_a: [usize; MAX_RANK],
    stride_b: [usize; MAX_RANK],
}

fn strides(dims: &[usize; MAX_RANK], out: &[usize; MAX_RANK]) -> Option<[usize; MAX_RANK]> {
    let mut s = [0usize; MAX_RANK];
    let mut acc = 1usize;
    for i in (0..MAX_RANK).rev() {
        if dims[i] == out[i] {
            s[i] = if dims[i] == 1 { 0 } else { acc };
        } else if dims[i] == 1 {
            s[i] = 0;
        } else {
            return None;
        }
        acc *= dims[i];
    }
    Some(s)
}

impl Broadcast {
    /// Plans a broadcast of operands with right-aligned dims `a` and `b` to `out`; `None`
    /// when the shapes are not broadcast-compatible.
    pub fn new(a: [usize; MAX_RANK], b: [usize; MAX_RANK], out: [usize; MAX_RANK]) -> Option<Self> {
        Some(Self {
            out,
            stride_a: strides(&a, &out)?,
            stride_b: strides(&b, &out)?,
        })
    }

    /// Calls `f(out_index, a_index, b_index)` for every output element, in row-major order.
    /// The innermost axis runs as a tight strided loop; the outer axes advance an odometer.
    pub fn for_each(&self, mut f: impl FnMut(usize, usize, usize)) {
        let last = MAX_RANK - 1;
        let inner = self.out[last];
        let (sa, sb) = (self.stride_a[last], self.stride_b[last]);
        if self.out.contains(&0) {
            return;
        }
        let outer: usize = self.out[..last].iter().product();
        let mut idx = [0usize; MAX_RANK];
        let (mut base_a, mut base_b) = (0usize, 0usize);
        let mut o = 0usize;
        for _ in 0..outer {
            let (mut ia, mut ib) = (base_a, base_b);
            for _ in 0..inner {
                f(o, ia, ib);
                o += 1;
                ia += sa;
                ib += sb;
            }
            // Advance the outer multi-index, updating the operand bases incrementally.
            let mut d = last;
            while d > 0 {
                d -= 1;
                idx[d] += 1;
                base_a += self.stride_a[d];
                base_b += self.stride_b[d];
                if idx[d] < self.out[d] {
                    break;
                }
                base_a -= self.stride_a[d] * idx[d];
                base_b -= self.stride_b[d] * idx[d];
                idx[d] = 0;
            }
        }
    }

    /// `Some(c)` when operand a has the output's shape and operand b is one vector of `c`
    /// values along the innermost axis, repeated for every outer index (a per-channel
    /// parameter in NHWC).
    pub fn per_channel_b(&self) -> Option<usize> {
        let last = MAX_RANK - 1;
        let b_ok = self.stride_b[last] == 1
            && self.stride_b[..last]
                .iter()
                .zip(&self.out[..last])
                .all(|(&s, &o)| s == 0 || o == 1);
        let a_ok = self.stride_a[last] == 1 && self.is_elementwise_a();
        (b_ok && a_ok).then_some(self.out[last])
    }

    fn is_elementwise_a(&self) -> bool {
        let mut expect = 1usize;
        for d in (0..MAX_RANK).rev() {
            if self.out[d] != 1 && self.stride_a[d] != expect {
                return false;
            }
            expect *= self.out[d];
        }
        true
    }

    /// True when both operands have the output's shape (plain element-wise loop).
    pub fn is_elementwise(&self) -> bool {
        let mut expect = 1usize;
        for d in (0..MAX_RANK).rev() {
            let s = if self.out[d] == 1 { 0 } else { expect };
            let a_ok = self.stride_a[d] == s || self.out[d] == 1;
            let b_ok = self.stride_b[d] == s || self.out[d] == 1;
            if !(a_ok && b_ok) {
                return false;
            }
            expect *= self.out[d];
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasts_rows_and_columns() {
        let bc =
            Broadcast::new([1, 1, 1, 1, 2, 1], [1, 1, 1, 1, 1, 3], [1, 1, 1, 1, 2, 3]).unwrap();
        let mut got = [(0, 0); 6];
        bc.for_each(|o, a, b| got[o] = (a, b));
        assert_eq!(got, [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]);
        assert!(
            Broadcast::new([1, 1, 1, 1, 2, 3], [1, 1, 1, 1, 3, 3], [1, 1, 1, 1, 3, 3]).is_none()
        );
    }
}
