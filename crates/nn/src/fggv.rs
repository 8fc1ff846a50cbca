// SPDX-License-Identifier: Apache-2.0
//! FGGV golden vectors (FaceGate's format for LiteRT reference outputs): a zero-copy reader
//! and a checker that runs each case through an [`Interpreter`] and compares outputs bit for
//! bit. no_std, so the same check runs on the host, on QEMU's Cortex-M55 and on the board.
//!
//! Format (little-endian): `b"FGGV"`, `u32 version = 1`, `u32 n_cases`; per case
//! `u32 n_inputs`, tensors, `u32 n_outputs`, tensors; a tensor is `u32 tensor_index`,
//! `u8 dtype` (0 int8, 1 uint8, 2 int32, 3 float32), `u8 rank`, `u32 dims[rank]`,
//! `u32 n_bytes`, data.

use crate::backend::Backend;
use crate::interpreter::Interpreter;
use crate::shape::MAX_RANK;
use crate::Error;

/// One tensor of a golden case.
#[derive(Debug, Clone, Copy)]
pub struct GoldenTensor<'a> {
    /// Tensor index in subgraph 0.
    pub index: usize,
    /// 0 int8, 1 uint8, 2 int32, 3 float32.
    pub dtype: u8,
    dims: [u32; MAX_RANK],
    rank: usize,
    /// Row-major data.
    pub data: &'a [u8],
}

impl GoldenTensor<'_> {
    /// Dimensions.
    pub fn dims(&self) -> &[u32] {
        &self.dims[..self.rank]
    }
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(Error::Corrupt("golden file"))?;
        let s = self
            .buf
            .get(self.pos..end)
            .ok_or(Error::Corrupt("golden file (truncated)"))?;
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn tensor(&mut self) -> Result<GoldenTensor<'a>, Error> {
        let index = self.u32()? as usize;
        let head = self.take(2)?;
        let (dtype, rank) = (head[0], usize::from(head[1]));
        if rank > MAX_RANK || dtype > 3 {
            return Err(Error::Corrupt("golden tensor header"));
        }
        let mut dims = [0u32; MAX_RANK];
        for d in dims.iter_mut().take(rank) {
            *d = self.u32()?;
        }
        let n = self.u32()? as usize;
        Ok(GoldenTensor {
            index,
            dtype,
            dims,
            rank,
            data: self.take(n)?,
        })
    }
}

/// A parsed (validated) golden file.
#[derive(Debug, Clone, Copy)]
pub struct Golden<'a> {
    buf: &'a [u8],
    cases: usize,
}

/// One case: a list of inputs followed by a list of outputs.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    buf: &'a [u8],
    inputs_at: usize,
    n_inputs: usize,
    outputs_at: usize,
    n_outputs: usize,
}

impl<'a> Case<'a> {
    fn list(&self, at: usize, n: usize) -> impl Iterator<Item = GoldenTensor<'a>> + 'a {
        let mut c = Cursor {
            buf: self.buf,
            pos: at,
        };
        (0..n).map_while(move |_| c.tensor().ok())
    }

    /// Input tensors.
    pub fn inputs(&self) -> impl Iterator<Item = GoldenTensor<'a>> + 'a {
        self.list(self.inputs_at, self.n_inputs)
    }

    /// Expected output tensors.
    pub fn outputs(&self) -> impl Iterator<Item = GoldenTensor<'a>> + 'a {
        self.list(self.outputs_at, self.n_outputs)
    }
}

impl<'a> Golden<'a> {
    /// Validates a whole FGGV file.
    pub fn parse(buf: &'a [u8]) -> Result<Self, Error> {
        let mut c = Cursor { buf, pos: 0 };
        if c.take(4)? != b"FGGV" || c.u32()? != 1 {
            return Err(Error::Corrupt("golden file header (FGGV version 1)"));
        }
        let cases = c.u32()? as usize;
        for _ in 0..cases {
            for _ in 0..2 {
                let n = c.u32()?;
                for _ in 0..n {
                    c.tensor()?;
                }
            }
        }
        Ok(Self { buf, cases })
    }

    /// Number of cases.
    pub fn len(&self) -> usize {
        self.cases
    }

    /// True when the file holds no case.
    pub fn is_empty(&self) -> bool {
        self.cases == 0
    }

    /// The cases, in file order.
    pub fn cases(&self) -> impl Iterator<Item = Case<'a>> + 'a {
        let mut c = Cursor {
            buf: self.buf,
            pos: 12,
        };
        let buf = self.buf;
        (0..self.cases).map_while(move |_| {
            let n_inputs = c.u32().ok()? as usize;
            let inputs_at = c.pos;
            for _ in 0..n_inputs {
                c.tensor().ok()?;
            }
            let n_outputs = c.u32().ok()? as usize;
            let outputs_at = c.pos;
            for _ in 0..n_outputs {
                c.tensor().ok()?;
            }
            Some(Case {
                buf,
                inputs_at,
                n_inputs,
                outputs_at,
                n_outputs,
            })
        })
    }
}

/// Result of comparing outputs with golden vectors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Elements compared.
    pub compared: usize,
    /// Elements that differ.
    pub mismatched: usize,
    /// Largest absolute difference of an int8/uint8 element (1 for any other mismatch).
    pub max_abs_diff: i32,
}

impl Comparison {
    /// Adds another comparison.
    pub fn merge(&mut self, o: Comparison) {
        self.compared += o.compared;
        self.mismatched += o.mismatched;
        self.max_abs_diff = self.max_abs_diff.max(o.max_abs_diff);
    }
}

/// Runs one case: writes its inputs, invokes, compares every output element.
pub fn run_case<B: Backend>(
    nn: &mut Interpreter<'_, '_, B>,
    case: &Case<'_>,
) -> Result<Comparison, Error> {
    for t in case.inputs() {
        let dst = nn.tensor_bytes_mut(t.index)?;
        if dst.len() != t.data.len() {
            return Err(Error::WrongLength {
                expected: dst.len(),
                got: t.data.len(),
            });
        }
        dst.copy_from_slice(t.data);
    }
    nn.invoke()?;
    let mut r = Comparison::default();
    for t in case.outputs() {
        let got = nn.tensor_bytes(t.index)?;
        if got.len() != t.data.len() {
            return Err(Error::WrongLength {
                expected: t.data.len(),
                got: got.len(),
            });
        }
        match t.dtype {
            0 | 1 => {
                for (&g, &w) in got.iter().zip(t.data) {
                    let d = if t.dtype == 0 {
                        (i32::from(g as i8) - i32::from(w as i8)).abs()
                    } else {
                        (i32::from(g) - i32::from(w)).abs()
                    };
                    r.compared += 1;
                    if d != 0 {
                        r.mismatched += 1;
                        r.max_abs_diff = r.max_abs_diff.max(d);
                    }
                }
            }
            _ => {
                for (g, w) in got.chunks(4).zip(t.data.chunks(4)) {
                    r.compared += 1;
                    if g != w {
                        r.mismatched += 1;
                        r.max_abs_diff = r.max_abs_diff.max(1);
                    }
                }
            }
        }
    }
    Ok(r)
}

/// Runs every case of a golden file.
pub fn run_all<B: Backend>(
    nn: &mut Interpreter<'_, '_, B>,
    golden: &Golden<'_>,
) -> Result<Comparison, Error> {
    let mut total = Comparison::default();
    for case in golden.cases() {
        total.merge(run_case(nn, &case)?);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_truncation() {
        // One case: one int8 input [2] = {1, -1}; one output [1] = {5}.
        let mut f = [0u8; 64];
        let mut n = 0;
        let mut put = |b: &[u8]| {
            f[n..n + b.len()].copy_from_slice(b);
            n += b.len();
        };
        put(b"FGGV");
        put(&1u32.to_le_bytes());
        put(&1u32.to_le_bytes());
        put(&1u32.to_le_bytes());
        put(&0u32.to_le_bytes());
        put(&[0, 1]);
        put(&2u32.to_le_bytes());
        put(&2u32.to_le_bytes());
        put(&[1, 0xff]);
        put(&1u32.to_le_bytes());
        put(&3u32.to_le_bytes());
        put(&[0, 1]);
        put(&1u32.to_le_bytes());
        put(&1u32.to_le_bytes());
        put(&[5]);
        let g = Golden::parse(&f[..n]).unwrap();
        assert_eq!(g.len(), 1);
        let case = g.cases().next().unwrap();
        let i: [GoldenTensor<'_>; 1] = [case.inputs().next().unwrap()];
        assert_eq!(
            (i[0].index, i[0].dims(), i[0].data),
            (0, &[2u32][..], &[1u8, 0xff][..])
        );
        let o = case.outputs().next().unwrap();
        assert_eq!((o.index, o.data), (3, &[5u8][..]));
        for cut in 0..n {
            assert!(Golden::parse(&f[..cut]).is_err(), "cut at {cut}");
        }
    }
}
