// SPDX-License-Identifier: Apache-2.0
//! Benchmark (not a test): times the CPU backend on each shipped model present in models/,
//! printing arena figures, the median of N runs and the share of time per operator.
//!
//! `cargo run --release -p facegate-nn --example bench [runs]`

use facegate_nn::{Interpreter, Model, Plan, Summary};
use std::path::Path;
use std::time::Instant;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|x| x == "tflite"));
    paths.sort();
    if paths.is_empty() {
        println!("no models in {}", dir.display());
    }
    for p in paths {
        let bytes = std::fs::read(&p).unwrap();
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        let model = match Model::from_bytes(&bytes) {
            Ok(m) => m,
            Err(e) => {
                println!("{name}: {e}");
                continue;
            }
        };
        let s = match Summary::new(&model) {
            Ok(s) => s,
            Err(e) => {
                println!("{name}: {e}");
                continue;
            }
        };
        let plan = Plan::new(&model).unwrap();
        let mut arena = vec![0u8; plan.arena_bytes()];
        let mut nn = match Interpreter::new(model, &mut arena) {
            Ok(nn) => nn,
            Err(e) => {
                println!("{name}: {e}");
                continue;
            }
        };
        let mut times = Vec::new();
        let mut per_op: Vec<(&'static str, f64)> = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let mut last = t;
            let r = nn.invoke_observed(|_, op| {
                let now = Instant::now();
                let dt = (now - last).as_secs_f64() * 1e3;
                last = now;
                match per_op.iter_mut().find(|(o, _)| *o == op) {
                    Some(e) => e.1 += dt,
                    None => per_op.push((op, dt)),
                }
            });
            if let Err(e) = r {
                println!("{name}: {e}");
                break;
            }
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
        println!(
            "{name}: {} nodes, {:.1} MMAC, arena {} B (lower bound {} B), median {median:.2} ms over {runs}",
            s.nodes,
            s.macs as f64 / 1e6,
            s.arena_bytes,
            s.arena_lower_bound
        );
        per_op.sort_by(|a, b| b.1.total_cmp(&a.1));
        let total: f64 = per_op.iter().map(|(_, t)| t).sum();
        for (op, t) in per_op.iter().take(5) {
            println!("    {op:<24} {:5.1} %", 100.0 * t / total.max(1e-9));
        }
    }
}
