// SPDX-License-Identifier: Apache-2.0
//! Shared helpers of the golden-vector tests: repository files and golden cases.
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

/// The cases of an FGGV file, read with the engine's checked reader (int8 tensors only).
pub fn read_fggv(b: &[u8]) -> Vec<Case> {
    let golden = facegate_nn::fggv::Golden::parse(b).expect("valid FGGV file");
    let tensors = |it: &mut dyn Iterator<Item = facegate_nn::fggv::GoldenTensor<'_>>| {
        it.map(|t| {
            assert_eq!(t.dtype, 0, "int8 tensors only");
            Tensor {
                index: t.index,
                dims: t.dims().iter().map(|&d| d as usize).collect(),
                data: t.data.iter().map(|&v| v as i8).collect(),
            }
        })
        .collect::<Vec<_>>()
    };
    golden
        .cases()
        .map(|c| (tensors(&mut c.inputs()), tensors(&mut c.outputs())))
        .collect()
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
