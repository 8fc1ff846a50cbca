// SPDX-License-Identifier: Apache-2.0
//! Shared test support: the FGGV golden-vector reader and a runner that checks a model
//! against it bit for bit.

#![allow(dead_code)]

use facegate_nn::{Interpreter, Model};

/// One tensor of a golden case.
pub struct GoldenTensor {
    pub index: usize,
    pub dtype: u8,
    pub dims: Vec<usize>,
    pub data: Vec<u8>,
}

/// One case: inputs and expected outputs.
pub struct Case {
    pub inputs: Vec<GoldenTensor>,
    pub outputs: Vec<GoldenTensor>,
}

struct Reader<'a>(&'a [u8], usize);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let s = &self.0[self.1..self.1 + n];
        self.1 += n;
        s
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take(4).try_into().unwrap())
    }
    fn u8(&mut self) -> u8 {
        self.take(1)[0]
    }
    fn tensor(&mut self) -> GoldenTensor {
        let index = self.u32() as usize;
        let dtype = self.u8();
        let rank = self.u8() as usize;
        let dims = (0..rank).map(|_| self.u32() as usize).collect();
        let n = self.u32() as usize;
        GoldenTensor {
            index,
            dtype,
            dims,
            data: self.take(n).to_vec(),
        }
    }
}

/// Parses an FGGV file (format in the shared conventions: magic, version 1, cases).
pub fn read_fggv(bytes: &[u8]) -> Vec<Case> {
    assert_eq!(&bytes[..4], b"FGGV", "not an FGGV file");
    let mut r = Reader(bytes, 4);
    assert_eq!(r.u32(), 1, "FGGV version");
    let n = r.u32();
    (0..n)
        .map(|_| {
            let ni = r.u32();
            let inputs = (0..ni).map(|_| r.tensor()).collect();
            let no = r.u32();
            let outputs = (0..no).map(|_| r.tensor()).collect();
            Case { inputs, outputs }
        })
        .collect()
}

/// Runs every case of `golden` through `model` and returns (elements compared, mismatches,
/// max abs difference). Float inputs/outputs are handled through the raw arena view.
pub fn check_model(model_bytes: &[u8], golden: &[u8]) -> Result<(usize, usize, i32), String> {
    let model = Model::from_bytes(model_bytes).map_err(|e| format!("load: {e}"))?;
    let plan = facegate_nn::Plan::new(&model).map_err(|e| format!("plan: {e}"))?;
    let mut arena = vec![0u8; plan.arena_bytes()];
    let mut nn = Interpreter::new(model, &mut arena).map_err(|e| format!("interpreter: {e}"))?;
    let (mut compared, mut bad, mut maxdiff) = (0, 0, 0);
    for case in read_fggv(golden) {
        for t in &case.inputs {
            nn.tensor_bytes_mut(t.index)
                .map_err(|e| format!("input {}: {e}", t.index))?
                .copy_from_slice(&t.data);
        }
        nn.invoke().map_err(|e| format!("invoke: {e}"))?;
        for t in &case.outputs {
            let got = nn
                .tensor_bytes(t.index)
                .map_err(|e| format!("output: {e}"))?;
            if got.len() != t.data.len() {
                return Err(format!(
                    "output {} length {} vs {}",
                    t.index,
                    got.len(),
                    t.data.len()
                ));
            }
            match t.dtype {
                0 => {
                    for (&g, &w) in got.iter().zip(&t.data) {
                        let d = (i32::from(g as i8) - i32::from(w as i8)).abs();
                        compared += 1;
                        if d != 0 {
                            bad += 1;
                            maxdiff = maxdiff.max(d);
                        }
                    }
                }
                _ => {
                    for (g, w) in got.chunks(4).zip(t.data.chunks(4)) {
                        compared += 1;
                        if g != w {
                            bad += 1;
                            maxdiff = maxdiff.max(1);
                        }
                    }
                }
            }
        }
    }
    Ok((compared, bad, maxdiff))
}
