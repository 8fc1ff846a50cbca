// SPDX-License-Identifier: Apache-2.0
//! Shared helpers of the golden-vector tests: repository files and a minimal FGGV reader.
#![allow(dead_code)]

use facegate_face::Quant;
use facegate_nn::Model;

pub fn repo_file(rel: &str) -> Vec<u8> {
    let path = format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One tensor of a golden case: tensor index, dims, int8 data.
pub struct Tensor {
    pub index: usize,
    pub dims: Vec<usize>,
    pub data: Vec<i8>,
}

/// Minimal FGGV reader (format in the shared conventions): int8 tensors only.
pub fn read_fggv(b: &[u8]) -> Vec<Case> {
    let mut o = 0usize;
    let u32_at = |o: &mut usize| {
        let v = u32::from_le_bytes(b[*o..*o + 4].try_into().unwrap());
        *o += 4;
        v as usize
    };
    assert_eq!(&b[..4], b"FGGV");
    o += 4;
    assert_eq!(u32_at(&mut o), 1, "FGGV version");
    let cases = u32_at(&mut o);
    let mut out = Vec::new();
    for _ in 0..cases {
        let mut io = [Vec::new(), Vec::new()];
        for list in io.iter_mut() {
            for _ in 0..u32_at(&mut o) {
                let index = u32_at(&mut o);
                let (dtype, rank) = (b[o], usize::from(b[o + 1]));
                o += 2;
                let dims: Vec<usize> = (0..rank).map(|_| u32_at(&mut o)).collect();
                let n = u32_at(&mut o);
                assert_eq!(dtype, 0, "int8 tensors only");
                let data = b[o..o + n].iter().map(|&v| v as i8).collect();
                o += n;
                list.push(Tensor { index, dims, data });
            }
        }
        let [i, p] = io;
        out.push((i, p));
    }
    assert_eq!(o, b.len());
    out
}

/// A golden case: input tensors, output tensors.
pub type Case = (Vec<Tensor>, Vec<Tensor>);

/// The model file `models/<stem>.tflite` and its golden cases `models/golden/<stem>.fggv`.
pub fn golden(stem: &str) -> (Vec<u8>, Vec<Case>) {
    let model = repo_file(&format!("models/{stem}.tflite"));
    let cases = read_fggv(&repo_file(&format!("models/golden/{stem}.fggv")));
    (model, cases)
}

/// Quantisation of tensor `index` of a model, as the face crate takes it.
pub fn quant(model: &[u8], index: usize) -> Quant {
    let m = Model::from_bytes(model).unwrap();
    let (s, z) = m.tensor(index).unwrap().scale_zp().unwrap();
    Quant::new(s, z).unwrap()
}
