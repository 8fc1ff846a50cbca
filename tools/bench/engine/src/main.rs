// SPDX-License-Identifier: Apache-2.0
//! Times facegate-nn (and tract, where it loads the file) on one .tflite model with given
//! raw input bytes; prints one JSON line per runtime and writes each output's bytes.
//!
//! ```text
//! facegate-bench-engine --model M.tflite --input in0.bin [--input in1.bin ..]
//!     [--runs 30] [--warmup 3] [--budget-s S] [--out-dir DIR] [--runtime engine|tract|all]
//!     [--ops N]
//! ```
//!
//! `--ops N`: after timing, run facegate-nn `--runs` more times node by node and print (as
//! `#`-prefixed text lines, after the JSON) the time per operator type and the N slowest
//! nodes with their output shapes: where an inference's time goes.
//!
//! `--budget-s`: stop timing a runtime early once its timed runs took S seconds in total and
//! at least 5 (or `--runs`, if fewer) were done, so slow runtimes on heavy models stay bounded.
//!
//! One timed inference = copy the input into the runtime + run the whole graph (the input
//! is written every time because facegate-nn's planner may reuse the input's arena bytes
//! once the input is consumed). Both wall time and this thread's CPU time are recorded per
//! run, so a run slowed by other processes on a shared machine shows up as wall >> CPU.
//! Output files: `DIR/<runtime>.out<i>.bin` (raw bytes, subgraph output order).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[cfg(feature = "tract")]
mod tract_bench;

use facegate_nn::{Interpreter, Model, PackedCpu, PackedFilters, Plan};

struct Args {
    model: PathBuf,
    inputs: Vec<PathBuf>,
    runs: usize,
    warmup: usize,
    budget_s: f64,
    out_dir: Option<PathBuf>,
    engine: bool,
    tract: bool,
    ops: Option<usize>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        model: PathBuf::new(),
        inputs: Vec::new(),
        runs: 30,
        warmup: 3,
        budget_s: f64::INFINITY,
        out_dir: None,
        engine: true,
        tract: true,
        ops: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--model" => a.model = PathBuf::from(val()?),
            "--input" => a.inputs.push(PathBuf::from(val()?)),
            "--runs" => a.runs = val()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--warmup" => a.warmup = val()?.parse().map_err(|e| format!("--warmup: {e}"))?,
            "--budget-s" => a.budget_s = val()?.parse().map_err(|e| format!("--budget-s: {e}"))?,
            "--out-dir" => a.out_dir = Some(PathBuf::from(val()?)),
            "--ops" => a.ops = Some(val()?.parse().map_err(|e| format!("--ops: {e}"))?),
            "--runtime" => {
                let v = val()?;
                a.engine = v == "engine" || v == "all";
                a.tract = v == "tract" || v == "all";
                if !a.engine && !a.tract {
                    return Err(format!("--runtime {v}: expected engine, tract or all"));
                }
            }
            _ => {
                return Err(format!(
                    "unknown argument {flag} (see the file's doc comment)"
                ))
            }
        }
    }
    if a.model.as_os_str().is_empty() || a.runs == 0 {
        return Err("need --model and --runs >= 1".into());
    }
    Ok(a)
}

/// CPU time consumed by the calling thread, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0;
    }
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Wall and CPU microseconds of each of `runs` calls to `f` (fewer once `budget_s` seconds
/// are spent and 5 were done), after `warmup` untimed calls.
fn time_runs<E>(
    warmup: usize,
    runs: usize,
    budget_s: f64,
    mut f: impl FnMut() -> Result<(), E>,
) -> Result<(Vec<f64>, Vec<f64>), E> {
    for _ in 0..warmup {
        f()?;
    }
    let (mut wall, mut cpu) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    let start = Instant::now();
    for k in 0..runs {
        if k >= runs.min(5) && start.elapsed().as_secs_f64() > budget_s {
            break;
        }
        let (c0, t0) = (thread_cpu_ns(), Instant::now());
        f()?;
        let dt = t0.elapsed();
        let dc = thread_cpu_ns().saturating_sub(c0);
        wall.push(dt.as_secs_f64() * 1e6);
        cpu.push(dc as f64 / 1e3);
    }
    Ok((wall, cpu))
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn json_nums(v: &[f64]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:.2}")).collect();
    format!("[{}]", items.join(","))
}

/// Result of one runtime on one model, printed as one JSON line.
struct Report {
    runtime: &'static str,
    load_us: f64,
    wall_us: Vec<f64>,
    cpu_us: Vec<f64>,
    /// Extra `"key":value` members (already JSON).
    extra: Vec<(String, String)>,
    /// `--ops` text lines, printed after the JSON line.
    profile: Vec<String>,
}

fn print_report(model: &Path, r: &Report) {
    let mut line = format!(
        "{{\"model\":{},\"runtime\":{},\"load_us\":{:.1},\"wall_us\":{},\"cpu_us\":{}",
        json_str(&model.display().to_string()),
        json_str(r.runtime),
        r.load_us,
        json_nums(&r.wall_us),
        json_nums(&r.cpu_us)
    );
    for (k, v) in &r.extra {
        line.push_str(&format!(",{}:{}", json_str(k), v));
    }
    line.push('}');
    println!("{line}");
    for l in &r.profile {
        println!("{l}");
    }
}

/// `msg`: one line; `detail`: the whole error chain (may be long, multi-line).
fn print_error(model: &Path, runtime: &str, msg: &str, detail: &str) {
    println!(
        "{{\"model\":{},\"runtime\":{},\"error\":{},\"detail\":{}}}",
        json_str(&model.display().to_string()),
        json_str(runtime),
        json_str(msg),
        json_str(detail)
    );
}

fn write_outputs(dir: Option<&Path>, runtime: &str, outs: &[Vec<u8>]) -> Result<(), String> {
    let Some(dir) = dir else { return Ok(()) };
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (i, o) in outs.iter().enumerate() {
        let p = dir.join(format!("{runtime}.out{i}.bin"));
        fs::write(&p, o).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    Ok(())
}

fn bench_engine(a: &Args, bytes: &[u8], inputs: &[Vec<u8>]) -> Result<Report, String> {
    let e = |x: facegate_nn::Error| format!("facegate-nn: {x}");
    let t0 = Instant::now();
    let model = Model::from_bytes(bytes).map_err(e)?;
    let arena_bytes = Plan::new(&model).map_err(e)?.arena_bytes();
    let mut arena = vec![0u8; arena_bytes];
    // The host's fastest configuration: convolution filters packed once at load (none on
    // a CPU whose kernels do not use them).
    let pack_bytes = PackedFilters::bytes_needed(&model).map_err(e)?;
    let mut pack = vec![0u8; pack_bytes];
    let filters = PackedFilters::new(&model, &mut pack).map_err(e)?;
    let mut nn =
        Interpreter::with_backend(model, &mut arena, PackedCpu::new(filters)).map_err(e)?;
    let load_us = t0.elapsed().as_secs_f64() * 1e6;
    let n_in = nn.model().num_inputs();
    if n_in != inputs.len() {
        return Err(format!(
            "model has {n_in} inputs, got {} --input files",
            inputs.len()
        ));
    }
    let ins: Vec<Vec<i8>> = inputs
        .iter()
        .map(|b| b.iter().map(|&x| x as i8).collect())
        .collect();
    let (wall_us, cpu_us) = time_runs(a.warmup, a.runs, a.budget_s, || {
        for (i, x) in ins.iter().enumerate() {
            nn.set_input(i, x)?;
        }
        nn.invoke()
    })
    .map_err(e)?;
    let mut outs = Vec::new();
    let mut indices = Vec::new();
    for i in 0..nn.model().num_outputs() {
        let o = nn.output(i).map_err(e)?;
        indices.push(o.index.to_string());
        outs.push(o.data.iter().map(|&x| x as u8).collect::<Vec<u8>>());
    }
    write_outputs(a.out_dir.as_deref(), "engine", &outs)?;
    let profile = match a.ops {
        Some(top) => profile_ops(&mut nn, &ins, a.runs, top).map_err(e)?,
        None => Vec::new(),
    };
    Ok(Report {
        runtime: "engine",
        load_us,
        wall_us,
        cpu_us,
        extra: vec![
            ("arena_bytes".into(), arena_bytes.to_string()),
            ("pack_bytes".into(), pack_bytes.to_string()),
            ("output_tensors".into(), format!("[{}]", indices.join(","))),
        ],
        profile,
    })
}

/// Runs `nn` `runs` times node by node; returns text lines: microseconds per run by
/// operator type (slowest first), then the `top` slowest nodes with their output shapes.
fn profile_ops(
    nn: &mut Interpreter<'_, '_, PackedCpu<'_>>,
    ins: &[Vec<i8>],
    runs: usize,
    top: usize,
) -> Result<Vec<String>, facegate_nn::Error> {
    let mut per_node: Vec<(f64, &'static str)> = Vec::new();
    for _ in 0..runs {
        for (i, x) in ins.iter().enumerate() {
            nn.set_input(i, x)?;
        }
        let mut last = Instant::now();
        nn.invoke_observed(|n, name| {
            let now = Instant::now();
            if per_node.len() <= n {
                per_node.resize(n + 1, (0.0, ""));
            }
            per_node[n].0 += (now - last).as_secs_f64() * 1e6;
            per_node[n].1 = name;
            last = now;
        })?;
    }
    let runs = runs as f64;
    let total: f64 = per_node.iter().map(|p| p.0).sum::<f64>() / runs;
    let mut by_op: Vec<(&str, f64, usize)> = Vec::new();
    for &(us, name) in &per_node {
        match by_op.iter_mut().find(|o| o.0 == name) {
            Some(o) => (o.1 += us / runs, o.2 += 1).1,
            None => by_op.push((name, us / runs, 1)),
        }
    }
    by_op.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut lines = vec![format!("# {total:.0} us per run, node by node")];
    for (name, us, count) in by_op {
        let pct = 100.0 * us / total;
        lines.push(format!(
            "#   {name:<24} {us:>9.0} us {pct:>5.1} %  ({count} nodes)"
        ));
    }
    let mut order: Vec<usize> = (0..per_node.len()).collect();
    order.sort_by(|&a, &b| per_node[b].0.total_cmp(&per_node[a].0));
    lines.push(format!("# slowest {top} nodes:"));
    for n in order.into_iter().take(top) {
        let node = nn.model().node(n)?;
        let shape = |t: Option<usize>| {
            t.and_then(|t| nn.model().tensor(t).ok())
                .map_or(String::from("-"), |t| format!("{:?}", t.shape.dims()))
        };
        lines.push(format!(
            "#   node {n:>3} {:<20} {:>8.0} us  in {} w {} out {}",
            per_node[n].1,
            per_node[n].0 / runs,
            shape(node.input(0)),
            shape(node.input(1)),
            shape(node.output(0)),
        ));
    }
    Ok(lines)
}

fn main() {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("facegate-bench-engine: {e}");
            std::process::exit(2);
        }
    };
    let read = |p: &Path| fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let loaded = read(&a.model).and_then(|m| {
        let ins = a
            .inputs
            .iter()
            .map(|p| read(p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((m, ins))
    });
    let (bytes, inputs) = match loaded {
        Ok(x) => x,
        Err(e) => {
            eprintln!("facegate-bench-engine: {e}");
            std::process::exit(2);
        }
    };
    if a.engine {
        match bench_engine(&a, &bytes, &inputs) {
            Ok(r) => print_report(&a.model, &r),
            Err(e) => print_error(&a.model, "engine", &e, &e),
        }
    }
    if a.tract {
        #[cfg(feature = "tract")]
        match tract_bench::bench_tract(&a, &inputs) {
            Ok(r) => print_report(&a.model, &r),
            Err(e) => {
                let root = e.root_cause().to_string();
                let root = root.lines().next().unwrap_or_default();
                print_error(&a.model, "tract", root, &format!("{e:#}"))
            }
        }
        #[cfg(not(feature = "tract"))]
        {
            let msg = "built without the `tract` feature";
            print_error(&a.model, "tract", msg, msg);
        }
    }
}
