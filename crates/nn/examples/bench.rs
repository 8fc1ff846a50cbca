// SPDX-License-Identifier: Apache-2.0
//! Benchmark (not a test): times the CPU backend, its convolution filters packed once at
//! load ([`facegate_nn::PackedCpu`]; nothing is packed on a CPU whose kernels do not use
//! it), on each shipped model present in models/,
//! printing arena figures, the median of N runs and the share of time per operator; with
//! `--nodes K`, also the K slowest nodes (median time, operator, input and output shapes), to
//! find the layers worth an optimised kernel.
//!
//! `cargo run --release -p facegate-nn --example bench [runs] [--nodes K] [--model SUBSTR]`

use facegate_nn::{Interpreter, Model, PackedCpu, PackedFilters, Plan, Summary};
use std::path::Path;
use std::time::Instant;

/// Command-line options.
struct Options {
    runs: usize,
    nodes: usize,
    model: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        runs: 5,
        nodes: 0,
        model: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |what: &str| args.next().ok_or(format!("{a}: expected {what}"));
        match a.as_str() {
            "--nodes" => {
                let v = value("a count")?;
                o.nodes = v.parse().map_err(|_| format!("--nodes {v}: not a count"))?;
            }
            "--model" => o.model = Some(value("part of a model file name")?),
            _ => o.runs = a.parse().map_err(|_| format!("{a}: not a run count"))?,
        }
    }
    Ok(o)
}

fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bench: {e}");
            std::process::exit(2);
        }
    };
    let runs = o.runs.max(1);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|x| x == "tflite"));
    if let Some(m) = &o.model {
        paths.retain(|p| {
            p.file_name()
                .is_some_and(|f| f.to_string_lossy().contains(m))
        });
    }
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
        let mut pack = vec![0u8; PackedFilters::bytes_needed(&model).unwrap()];
        let filters = PackedFilters::new(&model, &mut pack).unwrap();
        let mut nn = match Interpreter::with_backend(model, &mut arena, PackedCpu::new(filters)) {
            Ok(nn) => nn,
            Err(e) => {
                println!("{name}: {e}");
                continue;
            }
        };
        let mut times = Vec::new();
        let mut per_op: Vec<(&'static str, f64)> = Vec::new();
        let mut per_node: Vec<Vec<f64>> = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let mut last = t;
            let r = nn.invoke_observed(|n, op| {
                let now = Instant::now();
                let dt = (now - last).as_secs_f64() * 1e3;
                last = now;
                if per_node.len() <= n {
                    per_node.resize(n + 1, Vec::new());
                }
                per_node[n].push(dt);
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
        let median = median(&mut times).unwrap_or(f64::NAN);
        let fastest = times.first().copied().unwrap_or(f64::NAN);
        println!(
            "{name}: {} nodes, {:.1} MMAC, arena {} B (lower bound {} B), packed filters {} B, \
             median {median:.3} ms (fastest {fastest:.3}) over {runs}",
            s.nodes,
            s.macs as f64 / 1e6,
            s.arena_bytes,
            s.arena_lower_bound,
            pack.len()
        );
        per_op.sort_by(|a, b| b.1.total_cmp(&a.1));
        let total: f64 = per_op.iter().map(|(_, t)| t).sum();
        for (op, t) in per_op.iter().take(5) {
            println!("    {op:<24} {:5.1} %", 100.0 * t / total.max(1e-9));
        }
        if o.nodes > 0 {
            print_slowest_nodes(&bytes, per_node, o.nodes);
        }
    }
}

/// Sorts `times` and returns their median (`None` when empty).
fn median(times: &mut [f64]) -> Option<f64> {
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied()
}

/// Prints the `k` nodes with the largest median time, with their operator and shapes.
fn print_slowest_nodes(bytes: &[u8], per_node: Vec<Vec<f64>>, k: usize) {
    let Ok(model) = Model::from_bytes(bytes) else {
        return;
    };
    let mut medians: Vec<(usize, f64)> = per_node
        .into_iter()
        .enumerate()
        .map(|(n, mut t)| (n, median(&mut t).unwrap_or(0.0)))
        .collect();
    medians.sort_by(|a, b| b.1.total_cmp(&a.1));
    let shape_of = |t: Option<usize>| {
        t.and_then(|t| model.tensor(t).ok())
            .map_or("-".to_string(), |t| format!("{:?}", t.shape.dims()))
    };
    for (n, ms) in medians.into_iter().take(k) {
        let Ok(node) = model.node(n) else { continue };
        println!(
            "    node {n:>3} {:<20} {ms:7.3} ms  in {} w {} out {}",
            facegate_nn::opcode::builtin_name(node.code),
            shape_of(node.input(0)),
            shape_of(node.input(1)),
            shape_of(node.output(0)),
        );
    }
}
