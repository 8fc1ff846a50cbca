// SPDX-License-Identifier: Apache-2.0
//! Loader, planner and interpreter behaviour on corrupt, truncated and hostile inputs, and
//! on arenas that are too small: always an Error, never a panic.

use facegate_nn::{Error, Interpreter, Model, Plan};
use std::path::Path;

fn op_model(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/ops")
            .join(name),
    )
    .unwrap()
}

/// Loads, plans and runs whatever `bytes` is; returns the first error.
fn try_all(bytes: &[u8]) -> Result<(), Error> {
    let model = Model::from_bytes(bytes)?;
    let plan = Plan::new(&model)?;
    let mut arena = vec![0u8; plan.arena_bytes().min(1 << 22)];
    let mut nn = Interpreter::new(model, &mut arena)?;
    nn.invoke()
}

#[test]
fn not_a_model_is_refused() {
    assert_eq!(Model::from_bytes(b"").unwrap_err(), Error::NotTflite);
    assert_eq!(
        Model::from_bytes(b"\x10\0\0\0GIF8").unwrap_err(),
        Error::NotTflite
    );
}

#[test]
fn every_truncation_is_an_error() {
    for name in [
        "conv2d_0.tflite",
        "softmax_1.tflite",
        "concatenation_2.tflite",
    ] {
        let bytes = op_model(name);
        assert!(try_all(&bytes).is_ok(), "{name} must run intact");
        for n in 0..bytes.len() {
            // Most prefixes fail to load; a prefix that drops only trailing padding may load.
            let _ = try_all(&bytes[..n]);
        }
        let err = Model::from_bytes(&bytes[..bytes.len() / 2]).unwrap_err();
        assert!(matches!(err, Error::Corrupt(_)), "{name}: {err}");
    }
}

#[test]
fn corrupted_bytes_never_panic() {
    for name in [
        "depthwise_conv2d_1.tflite",
        "conv2d_2.tflite",
        "fully_connected_0.tflite",
        "mean_1.tflite",
        "softmax_0.tflite",
        "strided_slice_2.tflite",
        "resize_bilinear_1.tflite",
        "pad_0.tflite",
        "hard_swish_0.tflite",
        "add_2.tflite",
    ] {
        corrupt_many(&op_model(name));
    }
}

fn corrupt_many(bytes: &[u8]) {
    let mut state = 0x1234_5678u32;
    let mut errors = 0;
    for _ in 0..3000 {
        let mut b = bytes.to_vec();
        for _ in 0..4 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let i = (state as usize) % b.len();
            b[i] = (state >> 24) as u8;
        }
        if try_all(&b).is_err() {
            errors += 1;
        }
    }
    assert!(
        errors > 0,
        "random corruption should be detected at least sometimes"
    );
}

#[test]
fn hostile_offsets_name_what_is_wrong() {
    let mut bytes = op_model("add_0.tflite");
    // Root offset pointing beyond the file.
    bytes[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
    let err = Model::from_bytes(&bytes).unwrap_err();
    assert_eq!(err, Error::Corrupt("model table"));
    assert_eq!(
        err.to_string(),
        "corrupt or truncated model: bad model table"
    );
}

#[test]
fn small_arena_says_how_much_is_needed() {
    let bytes = op_model("conv2d_0.tflite");
    let model = Model::from_bytes(&bytes).unwrap();
    let needed = Plan::new(&model).unwrap().arena_bytes();
    let mut arena = vec![0u8; needed - 1];
    match Interpreter::new(model, &mut arena) {
        Err(Error::ArenaTooSmall {
            needed: n,
            available,
        }) => {
            assert_eq!((n, available), (needed, needed - 1));
        }
        other => panic!("expected ArenaTooSmall, got {other:?}"),
    }
    let mut arena = vec![0u8; needed];
    assert!(Interpreter::new(model, &mut arena).is_ok());
}

#[test]
fn plan_never_exceeds_sum_and_respects_lower_bound() {
    for name in ["conv2d_1.tflite", "mean_0.tflite", "pad_3.tflite"] {
        let bytes = op_model(name);
        let model = Model::from_bytes(&bytes).unwrap();
        let plan = Plan::new(&model).unwrap();
        assert!(plan.arena_bytes() >= plan.lower_bound, "{name}");
        // Tensors that are alive together never overlap: single-op models keep input and
        // output apart.
        let i = model.input_tensor(0).unwrap();
        let o = model.output_tensor(0).unwrap();
        let (ri, ro) = (plan.range(i).unwrap(), plan.range(o).unwrap());
        assert!(
            ri.end <= ro.start || ro.end <= ri.start,
            "{name}: {ri:?} {ro:?}"
        );
    }
}

#[test]
fn multi_node_plan_reuses_memory_without_overlapping_live_tensors() {
    let bytes = op_model("graph_block_0.tflite");
    let model = Model::from_bytes(&bytes).unwrap();
    let plan = Plan::new(&model).unwrap();
    let mut total = 0;
    for t in 0..model.num_tensors() {
        if let Some(r) = plan.range(t) {
            total += r.len();
        }
    }
    assert!(
        plan.tensor_bytes < total,
        "no reuse: {} of {total}",
        plan.tensor_bytes
    );
    assert!(plan.arena_bytes() >= plan.lower_bound);
    // Every node's inputs and output occupy disjoint ranges.
    for n in 0..model.num_nodes() {
        let node = model.node(n).unwrap();
        let out = plan.range(node.output(0).unwrap()).unwrap();
        for k in 0..node.num_inputs() {
            if let Some(r) = node.input(k).and_then(|t| plan.range(t)) {
                assert!(
                    r.end <= out.start || out.end <= r.start,
                    "node {n} input {k}"
                );
            }
        }
    }
}

#[test]
fn typed_io_round_trips_and_checks_lengths() {
    let bytes = op_model("relu_0.tflite");
    let model = Model::from_bytes(&bytes).unwrap();
    let mut arena = vec![0u8; Plan::new(&model).unwrap().arena_bytes()];
    let mut nn = Interpreter::new(model, &mut arena).unwrap();
    let n = nn.input(0).unwrap().data.len();
    assert_eq!(
        nn.set_input(0, &vec![0i8; n + 1]).unwrap_err(),
        Error::WrongLength {
            expected: n,
            got: n + 1
        }
    );
    let (scale, zp) = {
        let v = nn.input(0).unwrap();
        (v.scale, v.zero_point)
    };
    // Inputs at the zero point are real 0: ReLU keeps 0, i.e. the output's zero point.
    nn.set_input(0, &vec![zp as i8; n]).unwrap();
    nn.invoke().unwrap();
    let out = nn.output(0).unwrap();
    assert!(scale > 0.0);
    assert!(out.data.iter().all(|&v| i32::from(v) == out.zero_point));
    assert_eq!(nn.output(1).unwrap_err(), Error::NoSuchTensor { index: 1 });
}

#[test]
fn summary_counts_ops_macs_and_npu_support() {
    use facegate_nn::npu_support::neural_art_support;
    let bytes = op_model("conv2d_0.tflite");
    let model = Model::from_bytes(&bytes).unwrap();
    let s = facegate_nn::Summary::new(&model).unwrap();
    assert_eq!(s.nodes, 1);
    assert_eq!(s.ops().len(), 1);
    assert_eq!(s.ops()[0].name, "CONV_2D");
    let f = model
        .tensor(model.node(0).unwrap().input(1).unwrap())
        .unwrap();
    let o = model.tensor(model.output_tensor(0).unwrap()).unwrap();
    let d = f.shape.dims();
    assert_eq!(s.macs, (o.shape.num_elements() * d[1] * d[2] * d[3]) as u64);
    assert_eq!(s.arena_bytes, Plan::new(&model).unwrap().arena_bytes());
    // The NPU table runs CONV_2D; the CPU runs everything here.
    struct Npu;
    impl facegate_nn::Backend for Npu {
        fn name(&self) -> &'static str {
            "npu-table"
        }
        fn support(&self, code: i32) -> facegate_nn::backend::Support {
            neural_art_support(code)
        }
        fn invoke(&mut self, _: &Model<'_>, _: &Plan, _: &mut [u8]) -> Result<(), Error> {
            Ok(())
        }
    }
    assert_eq!(s.unsupported(&Npu).count(), 0);
    assert_eq!(s.unsupported_by(neural_art_support).count(), 0);
    let graph = op_model("graph_block_1.tflite");
    let g = facegate_nn::Summary::new(&Model::from_bytes(&graph).unwrap()).unwrap();
    let names: Vec<_> = g.ops().iter().map(|o| (o.name, o.count)).collect();
    assert_eq!(
        names,
        [
            ("CONV_2D", 2),
            ("DEPTHWISE_CONV_2D", 1),
            ("ADD", 1),
            ("LEAKY_RELU", 1),
            ("MEAN", 1),
            ("FULLY_CONNECTED", 1),
            ("SOFTMAX", 1)
        ]
    );
    let soft: Vec<_> = g
        .support_by(neural_art_support)
        .filter(|(_, s)| *s == facegate_nn::backend::Support::Software)
        .map(|(o, _)| o.name)
        .collect();
    assert_eq!(soft, ["SOFTMAX"]);
    assert_eq!(s.unsupported(&facegate_nn::Cpu).count(), 0);
}

#[test]
fn unsupported_op_is_refused_with_node_and_name() {
    // Turn the single node of a model into BATCH_MATMUL (builtin code 126) by patching its
    // operator code table entry, then ask the CPU interpreter to take it.
    let mut bytes = op_model("mul_0.tflite");
    let model = Model::from_bytes(&bytes).unwrap();
    assert_eq!(model.node(0).unwrap().code, 18);
    // The operator code (18 = MUL) is stored as a byte and an int32; the node's code is the
    // larger of the two, so patching either to 126 makes it BATCH_MATMUL.
    let mut found = false;
    for i in 0..bytes.len() {
        if bytes[i] != 18 {
            continue;
        }
        bytes[i] = 126;
        if let Ok(m) = Model::from_bytes(&bytes) {
            if m.node(0).map(|n| n.code) == Ok(126) {
                let mut arena = vec![0u8; 1 << 16];
                let err = Interpreter::new(m, &mut arena).unwrap_err();
                assert_eq!(
                    err,
                    Error::UnsupportedOp {
                        node: 0,
                        op: "BATCH_MATMUL",
                        code: 126,
                        backend: "CPU"
                    }
                );
                assert!(err.to_string().contains("node 0: operator BATCH_MATMUL"));
                found = true;
                break;
            }
        }
        bytes[i] = 18;
    }
    assert!(found, "could not patch the operator code");
}

#[test]
fn interpreter_footprint_matches_the_documented_bound() {
    // lib.rs documents the interpreter as "about 8.5 KiB" (its plan: offsets and sizes of up
    // to MAX_TENSORS tensors); keep the docs honest if the structures grow.
    let size = std::mem::size_of::<Interpreter<'static, 'static>>();
    assert!(size <= 8 * 1024 + 512, "Interpreter is {size} bytes");
    assert!(
        size >= 8 * 1024,
        "Interpreter is {size} bytes: update the docs"
    );
}

#[test]
fn fuzz_regressions_fail_fast() {
    // Inputs the fuzzer found (tests/data/fuzz); each must be refused or run quickly.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let bytes = std::fs::read(e.path()).unwrap();
        let r = try_all(&bytes);
        println!("{}: {r:?}", e.path().display());
        if let Ok(m) = Model::from_bytes(&bytes) {
            let _ = facegate_nn::Summary::new(&m);
        }
    }
    // The first one: a CONV_2D filter [8, 50331651, 0, 2] (no bytes, 50 M rows) used to
    // spin for minutes; it is now refused at prepare.
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/fuzz/slow_conv_empty_filter_dim.tflite"),
    )
    .unwrap();
    let err = try_all(&bytes).unwrap_err();
    assert_eq!(
        err,
        Error::InvalidNode {
            node: 0,
            op: "CONV_2D",
            reason: "filter has an empty dimension"
        }
    );
}

/// Checks that no two tensors alive at the same node share arena bytes.
fn assert_no_live_overlap(name: &str, model: &Model<'_>, plan: &Plan) {
    let nt = model.num_tensors();
    let nn = model.num_nodes();
    let (mut first, mut last) = (vec![usize::MAX; nt], vec![0usize; nt]);
    for i in 0..model.num_inputs() {
        first[model.input_tensor(i).unwrap()] = 0;
    }
    for n in 0..nn {
        let node = model.node(n).unwrap();
        let ins = (0..node.num_inputs()).filter_map(|k| node.input(k));
        let outs = (0..node.num_outputs()).filter_map(|k| node.output(k));
        for t in ins.chain(outs) {
            first[t] = first[t].min(n);
            last[t] = last[t].max(n);
        }
    }
    for i in 0..model.num_outputs() {
        last[model.output_tensor(i).unwrap()] = nn.saturating_sub(1);
    }
    for a in 0..nt {
        for b in a + 1..nt {
            let (Some(ra), Some(rb)) = (plan.range(a), plan.range(b)) else {
                continue;
            };
            let live_together = first[a] <= last[b] && first[b] <= last[a];
            let share = ra.start < rb.end && rb.start < ra.end && !ra.is_empty() && !rb.is_empty();
            assert!(
                !(live_together && share),
                "{name}: tensors {a} and {b} overlap"
            );
        }
    }
}

#[test]
fn no_two_live_tensors_share_memory() {
    let mut paths: Vec<_> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ops"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
    if let Ok(d) = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models")) {
        paths.extend(d.flatten().map(|e| e.path()));
    }
    let mut checked = 0;
    for p in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "tflite"))
    {
        let bytes = std::fs::read(p).unwrap();
        let model = Model::from_bytes(&bytes).unwrap();
        let plan = Plan::new(&model).unwrap();
        assert!(plan.arena_bytes() >= plan.lower_bound);
        assert_no_live_overlap(&p.display().to_string(), &model, &plan);
        checked += 1;
    }
    assert!(checked >= 200, "checked {checked} models");
}

/// Every shipped model's arena is within 1 % of its lower bound (the largest set of tensors
/// live at one node, plus that node's scratch; issue 4 asks for 5 %). Two things keep it
/// there: each node's scratch sits in its output's slot rather than in one area after the
/// tensors (the MobileNetV2 anti-spoof model's 1280-channel convolution alone put it 6 %
/// above), and the shuffled orders (EdgeFace's fixed orders leave it 6.6 % above).
#[test]
fn shipped_models_arena_is_within_one_percent_of_the_lower_bound() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
    let mut checked = 0;
    for p in std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()) {
        if p.extension().is_none_or(|x| x != "tflite") {
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        let plan = Plan::new(&Model::from_bytes(&bytes).unwrap()).unwrap();
        assert!(
            plan.arena_bytes() * 100 <= plan.lower_bound * 101,
            "{}: arena {} B, lower bound {} B",
            p.display(),
            plan.arena_bytes(),
            plan.lower_bound
        );
        checked += 1;
    }
    assert!(checked >= 6, "checked {checked} models");
}

#[test]
fn io_only_plan_holds_just_inputs_and_outputs() {
    let bytes = op_model("graph_block_2.tflite");
    let model = Model::from_bytes(&bytes).unwrap();
    let full = Plan::new(&model).unwrap();
    let io = Plan::io_only(&model).unwrap();
    let mut io_bytes = 0;
    for t in 0..model.num_tensors() {
        let is_io = (0..model.num_inputs()).any(|i| model.input_tensor(i).unwrap() == t)
            || (0..model.num_outputs()).any(|i| model.output_tensor(i).unwrap() == t);
        assert_eq!(io.range(t).is_some(), is_io, "tensor {t}");
        io_bytes += io.range(t).map_or(0, |r| r.len());
    }
    assert_eq!(
        io.tensor_bytes, io_bytes,
        "I/O tensors are all live together"
    );
    assert_eq!(io.scratch_bytes, 0);
    assert!(io.arena_bytes() < full.arena_bytes());
    assert_no_live_overlap("io-only", &model, &io);
}

#[test]
fn observed_invoke_reports_every_node_and_matches_invoke() {
    let bytes = op_model("graph_block_0.tflite");
    let model = Model::from_bytes(&bytes).unwrap();
    let mut arena = vec![0u8; Plan::new(&model).unwrap().arena_bytes()];
    let mut nn = Interpreter::new(model, &mut arena).unwrap();
    let n = nn.input(0).unwrap().data.len();
    let input: Vec<i8> = (0..n).map(|i| (i * 37 % 251) as i8).collect();
    nn.set_input(0, &input).unwrap();
    nn.invoke().unwrap();
    let plain = nn.output(0).unwrap().data.to_vec();
    // Inputs share memory with later activations: set them again before every run.
    nn.set_input(0, &input).unwrap();
    let mut seen = Vec::new();
    nn.invoke_observed(|i, op| seen.push((i, op))).unwrap();
    assert_eq!(nn.output(0).unwrap().data, &plain[..]);
    assert_eq!(seen.len(), nn.model().num_nodes());
    assert_eq!(seen[0], (0, "CONV_2D"));
    assert_eq!(seen.last().unwrap().1, "SOFTMAX");
}

#[test]
fn tensor_names_read_as_the_file_holds_them() {
    // LiteRT names BlazeFace's first three tensors `x`, `arith.constant11` and
    // `arith.constant13`.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/detector_blazeface_short.tflite");
    let bytes = std::fs::read(path).unwrap();
    let model = Model::from_bytes(&bytes).unwrap();
    let names: Vec<&str> = (0..3).map(|i| model.tensor(i).unwrap().name()).collect();
    assert_eq!(names, ["x", "arith.constant11", "arith.constant13"]);
}
