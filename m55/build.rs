// SPDX-License-Identifier: Apache-2.0
//! Puts memory.x on the linker search path for cortex-m-rt's link.x, and turns the
//! conformance scenario (tests/data/conformance.txt) into Rust statics: the model files in
//! the QSPI section, the photos — decoded on the build host by the same `image` crate the
//! host's `facegate selfcheck` uses — as raw RGB888 in the DDR section.

use std::fmt::Write as _;
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::copy("memory.x", out.join("memory.x")).expect("copy memory.x into OUT_DIR");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");

    let repo = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("manifest dir")).join("..");
    let scenario = repo.join("tests/data/conformance.txt");
    println!("cargo:rerun-if-changed={}", scenario.display());
    let text = fs::read_to_string(&scenario).expect("read tests/data/conformance.txt");
    let mut enrol = None;
    let mut probes = Vec::new();
    let mut goldens = Vec::new();
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w.as_slice() {
            ["enrol", name, file] => enrol = Some((name.to_string(), file.to_string())),
            ["probe", file] => probes.push(file.to_string()),
            ["golden", stem] => goldens.push(stem.to_string()),
            _ => {}
        }
    }
    let (name, enrol_file) = enrol.expect("conformance.txt has an enrol line");

    let mut src = String::new();
    let model = |src: &mut String, ident: &str, file: &str| {
        let path = repo.join("models").join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let len = fs::metadata(&path).expect("model file").len();
        writeln!(
            src,
            "#[link_section = \".models\"]\npub static {ident}: [u8; {len}] = *include_bytes!({:?});",
            path.display().to_string()
        )
        .unwrap();
    };
    model(&mut src, "DETECTOR", "detector_retinaface_mnet025.tflite");
    model(&mut src, "RECOGNIZER", "recognizer_mobilefacenet.tflite");
    let mut golden_entries = Vec::new();
    for (i, stem) in goldens.iter().enumerate() {
        // The scenario's two models are already embedded; others get their own static.
        let model_ident = match stem.as_str() {
            "detector_retinaface_mnet025" => "DETECTOR".to_string(),
            "recognizer_mobilefacenet" => "RECOGNIZER".to_string(),
            _ => {
                let ident = format!("GOLDEN_MODEL{i}");
                model(&mut src, &ident, &format!("{stem}.tflite"));
                ident
            }
        };
        let path = repo.join("models/golden").join(format!("{stem}.fggv"));
        println!("cargo:rerun-if-changed={}", path.display());
        let len = fs::metadata(&path).expect("golden file").len();
        writeln!(
            src,
            "#[link_section = \".models\"]\nstatic GOLDEN{i}: [u8; {len}] = *include_bytes!({:?});",
            path.display().to_string()
        )
        .unwrap();
        golden_entries.push(format!("({stem:?}, &{model_ident}, &GOLDEN{i})"));
    }
    writeln!(
        src,
        "pub static GOLDENS: [(&str, &[u8], &[u8]); {}] = [{}];",
        golden_entries.len(),
        golden_entries.join(", ")
    )
    .unwrap();

    let photo = |src: &mut String, ident: &str, file: &str| -> String {
        let path = repo.join("tests/data/images").join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let img = image::open(&path).expect("decode photo").to_rgb8();
        let (w, h) = img.dimensions();
        let raw = out.join(format!("{ident}.rgb"));
        fs::write(&raw, img.as_raw()).expect("write raw photo");
        writeln!(
            src,
            "#[link_section = \".images\"]\nstatic {ident}_RGB: [u8; {}] = *include_bytes!({:?});",
            img.as_raw().len(),
            raw.display().to_string()
        )
        .unwrap();
        format!("Photo {{ label: {file:?}, width: {w}, height: {h}, rgb: &{ident}_RGB }}")
    };
    let enrol_photo = photo(&mut src, "ENROL", &enrol_file);
    let probe_photos: Vec<String> = probes
        .iter()
        .enumerate()
        .map(|(i, f)| photo(&mut src, &format!("PROBE{i}"), f))
        .collect();
    writeln!(src, "pub const ENROL_NAME: &str = {name:?};").unwrap();
    writeln!(
        src,
        "pub static ENROL_PHOTO: Photo<'static> = {enrol_photo};"
    )
    .unwrap();
    writeln!(
        src,
        "pub static PROBES: [Photo<'static>; {}] = [{}];",
        probe_photos.len(),
        probe_photos.join(", ")
    )
    .unwrap();
    fs::write(out.join("scenario.rs"), src).expect("write scenario.rs");
}
