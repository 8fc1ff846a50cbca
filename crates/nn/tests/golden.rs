// SPDX-License-Identifier: Apache-2.0
//! Whole-model bit-exactness: for every shipped model whose golden vectors
//! (models/golden/<stem>.fggv, LiteRT BUILTIN_REF outputs on real inputs) are present, every
//! output element must match, on the CPU backend and on the CPU backend with its filters
//! packed ahead. A model without a golden file is skipped with a note.

mod common;

use std::path::Path;

const MODELS: [&str; 6] = [
    "detector_retinaface_mnet025",
    "detector_blazeface_short",
    "recognizer_mobilefacenet",
    "antispoof_dtn",
    "recognizer_edgeface_csa",
    "antispoof_mobilenetv2",
];

#[test]
fn shipped_models_match_their_golden_vectors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
    let mut stems: Vec<String> = MODELS.iter().map(|s| s.to_string()).collect();
    // Also any other golden file the models helper adds.
    if let Ok(dir) = std::fs::read_dir(root.join("golden")) {
        for e in dir.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "fggv") {
                let s = p.file_stem().unwrap().to_string_lossy().to_string();
                if !stems.contains(&s) {
                    stems.push(s);
                }
            }
        }
    }
    let mut failures = Vec::new();
    for stem in &stems {
        let golden = root.join("golden").join(format!("{stem}.fggv"));
        let Ok(golden) = std::fs::read(&golden) else {
            println!("note: skipping {stem}: models/golden/{stem}.fggv is absent");
            continue;
        };
        let model = std::fs::read(root.join(format!("{stem}.tflite"))).unwrap_or_else(|_| {
            panic!("golden vectors for {stem} present but models/{stem}.tflite is not")
        });
        // The CPU backend, then the same with its filters packed ahead (on a CPU that
        // packs none, the second run repeats the first).
        for (packed, how) in [(false, "cpu"), (true, "packed cpu")] {
            match common::check_model(&model, &golden, packed) {
                Ok(c) if c.mismatched == 0 => {
                    println!("{stem} ({how}): {} output elements bit-exact", c.compared)
                }
                Ok(c) => failures.push(format!(
                    "{stem} ({how}): {}/{} differ (max {} LSB)",
                    c.mismatched, c.compared, c.max_abs_diff
                )),
                Err(e) => failures.push(format!("{stem} ({how}): {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
