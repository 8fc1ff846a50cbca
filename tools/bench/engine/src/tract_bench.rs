// SPDX-License-Identifier: Apache-2.0
//! The tract side of the bench: loads the .tflite with tract-tflite and times it on the same
//! input bytes (feature `tract`, on by default).

use std::time::Instant;

use tract_tflite::internal::*;

use crate::{time_runs, write_outputs, Args, Report};

/// Loads `a.model` with tract (optimised, single-thread executor) and times it on `inputs`.
pub fn bench_tract(a: &Args, inputs: &[Vec<u8>]) -> TractResult<Report> {
    let t0 = Instant::now();
    let model = tract_tflite::tflite()
        .model_for_path(&a.model)?
        .into_optimized()?
        .into_runnable()?;
    let load_us = t0.elapsed().as_secs_f64() * 1e6;
    let n_in = model.model().inputs.len();
    if n_in != inputs.len() {
        bail!(
            "model has {n_in} inputs, got {} --input files",
            inputs.len()
        );
    }
    let mut tensors = TVec::new();
    for (i, b) in inputs.iter().enumerate() {
        let fact = model.model().input_fact(i)?;
        let shape: Vec<usize> = fact
            .shape
            .as_concrete()
            .context("symbolic input shape")?
            .to_vec();
        if fact.datum_type.size_of() * shape.iter().product::<usize>() != b.len() {
            bail!(
                "input {i}: {} bytes for {:?} {shape:?}",
                b.len(),
                fact.datum_type
            );
        }
        // SAFETY: the byte count was checked against shape x element size just above, and
        // every bit pattern is valid for the model's (int8 / quantised int8) input type.
        let t = unsafe { Tensor::from_raw_dt(fact.datum_type, &shape, b)? };
        tensors.push(t.into_tvalue());
    }
    let mut state = model.spawn()?;
    let mut last = TVec::new();
    let (wall_us, cpu_us) = time_runs(a.warmup, a.runs, a.budget_s, || {
        last = state.run(tensors.clone())?;
        Ok::<(), TractError>(())
    })?;
    let outs: Vec<Vec<u8>> = last.iter().map(|t| t.as_bytes().to_vec()).collect();
    write_outputs(a.out_dir.as_deref(), "tract", &outs).map_err(TractError::msg)?;
    Ok(Report {
        runtime: "tract",
        load_us,
        wall_us,
        cpu_us,
        extra: Vec::new(),
        profile: Vec::new(),
    })
}
