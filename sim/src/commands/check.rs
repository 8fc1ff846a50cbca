// SPDX-License-Identifier: Apache-2.0
//! `facegate check MODEL`: what a model contains and whether a backend can run it.

use anyhow::{bail, Context, Result};
use facegate_nn::backend::{Backend, Support};
use facegate_nn::npu_support::neural_art_support;
use facegate_nn::{Cpu, Model, Summary};

use super::{BackendKind, CheckArgs};

pub fn check(args: CheckArgs) -> Result<()> {
    let path = &args.model;
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read model {}", path.display()))?;
    let model = Model::from_bytes(&bytes)
        .with_context(|| format!("model {} is not a valid TFLite file", path.display()))?;
    let summary = Summary::new(&model)
        .with_context(|| format!("model {} cannot be planned", path.display()))?;
    let support = |code: i32| match args.backend {
        BackendKind::Cpu => Cpu.support(code),
        BackendKind::NeuralArt => neural_art_support(code),
    };
    let backend = match args.backend {
        BackendKind::Cpu => "cpu",
        BackendKind::NeuralArt => "neural-art",
    };
    println!("model       {}", path.display());
    println!("size        {} bytes", bytes.len());
    println!("nodes       {}", summary.nodes);
    println!("tensors     {}", summary.tensors);
    println!("parameters  {}", summary.params);
    println!("MACs        {}", summary.macs);
    println!(
        "arena       {} bytes (lower bound {})",
        summary.arena_bytes, summary.arena_lower_bound
    );
    println!("ops ({backend}):");
    let mut refused = Vec::new();
    for op in summary.ops() {
        let verdict = match support(op.code) {
            Support::Yes => "yes",
            Support::Software => "software",
            Support::No => {
                refused.push(format!("{} (first at node {})", op.name, op.first_node));
                "NO"
            }
        };
        println!("  {:<28} x{:<4} {verdict}", op.name, op.count);
    }
    if !refused.is_empty() {
        bail!(
            "backend {backend} cannot run {}: {}",
            path.display(),
            refused.join(", ")
        );
    }
    println!("backend {backend}: can run this model");
    Ok(())
}
