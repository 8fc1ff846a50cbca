// SPDX-License-Identifier: Apache-2.0
//! What `facegate check` prints, as a standalone example: operators with counts, parameters,
//! MACs, arena bytes and per-operator support on the CPU and Neural-ART backends.
//!
//! `cargo run -p facegate-nn --example check -- model.tflite`

use facegate_nn::backend::Support;
use facegate_nn::npu_support::neural_art_support;
use facegate_nn::{Backend, Cpu, Model, Summary};

fn main() {
    let path = std::env::args().nth(1).expect("usage: check MODEL.tflite");
    let bytes = std::fs::read(&path).expect("read model");
    let report = || -> Result<(), facegate_nn::Error> {
        let model = Model::from_bytes(&bytes)?;
        let s = Summary::new(&model)?;
        println!("{path}: {} nodes, {} tensors", s.nodes, s.tensors);
        println!(
            "params {}  MACs {}  arena {} B (lower bound {} B)",
            s.params, s.macs, s.arena_bytes, s.arena_lower_bound
        );
        println!(
            "{:<26} {:>5} {:>10}  {:<4} NPU",
            "operator", "count", "first node", "CPU"
        );
        for (op, npu) in s.support_by(neural_art_support) {
            let cpu = Cpu.support(op.code);
            let word = |x: Support| match x {
                Support::Yes => "yes",
                Support::Software => "sw",
                Support::No => "NO",
            };
            println!(
                "{:<26} {:>5} {:>10}  {:<4} {}",
                op.name,
                op.count,
                op.first_node,
                word(cpu),
                word(npu)
            );
        }
        Ok(())
    };
    if let Err(e) = report() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
