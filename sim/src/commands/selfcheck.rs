// SPDX-License-Identifier: Apache-2.0
//! `facegate selfcheck`: the integer digest and the end-to-end conformance scenario
//! (tests/data/conformance.txt) that the QEMU Cortex-M55 runner must reproduce byte for
//! byte.

use std::path::Path;

use anyhow::{bail, Context, Result};
use facegate_kiosk::conformance::{self, Photo, Scenario};

use crate::assets::{repo_root, LoadedModel, DETECTOR, RECOGNIZER};
use crate::image_io::{load_rgb, RgbImage};

/// Samples per multiplier (the m55 runner uses the same number).
const SELFCHECK_SAMPLES: u32 = 4096;

/// The scenario file: `enrol NAME FILE` once, `probe FILE` lines, `golden STEM` lines.
pub struct ScenarioFile {
    pub name: String,
    pub enrol_file: String,
    pub probes: Vec<String>,
    pub goldens: Vec<String>,
}

pub fn read_scenario(path: &Path) -> Result<ScenarioFile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut enrol = None;
    let mut probes = Vec::new();
    let mut goldens = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            [w, ..] if w.starts_with('#') => {}
            ["enrol", name, file] => enrol = Some((name.to_string(), file.to_string())),
            ["probe", file] => probes.push(file.to_string()),
            ["golden", stem] => goldens.push(stem.to_string()),
            _ => bail!("{}:{}: cannot parse {line:?}", path.display(), n + 1),
        }
    }
    let Some((name, file)) = enrol else {
        bail!("{}: no enrol line", path.display());
    };
    Ok(ScenarioFile {
        name,
        enrol_file: file,
        probes,
        goldens,
    })
}

pub fn selfcheck(models_dir: &Path) -> Result<()> {
    let (digest, count) = facegate_nn::selfcheck::requantize_digest(SELFCHECK_SAMPLES)?;
    println!("selfcheck requantize n={count} digest={digest:08x}");

    let root = repo_root();
    let ScenarioFile {
        name,
        enrol_file,
        probes: probe_files,
        goldens,
    } = read_scenario(&root.join("tests/data/conformance.txt"))?;
    let images = root.join("tests/data/images");
    let enrol_img = load_rgb(&images.join(&enrol_file))?;
    let probes: Vec<(String, RgbImage)> = probe_files
        .iter()
        .map(|f| Ok((f.clone(), load_rgb(&images.join(f))?)))
        .collect::<Result<_>>()?;
    let photo = |label: &'_ str, img: &'_ RgbImage| -> Photo<'static> {
        // Leaked once per process run: the scenario borrows them for its whole length.
        let label: &'static str = Box::leak(label.to_string().into_boxed_str());
        let rgb: &'static [u8] = Box::leak(img.pixels.clone().into_boxed_slice());
        Photo {
            label,
            width: img.width as usize,
            height: img.height as usize,
            rgb,
        }
    };
    let probe_photos: Vec<Photo<'_>> = probes.iter().map(|(l, i)| photo(l, i)).collect();
    let mut det = LoadedModel::load(&models_dir.join(DETECTOR))?;
    let mut rec = LoadedModel::load(&models_dir.join(RECOGNIZER))?;
    let scenario = Scenario {
        detector: &det.bytes,
        recognizer: &rec.bytes,
        enrol: (&name, photo(&enrol_file, &enrol_img)),
        probes: &probe_photos,
    };
    let mut report = String::new();
    for stem in &goldens {
        let model = LoadedModel::load(&models_dir.join(format!("{stem}.tflite")))?;
        let path = models_dir.join("golden").join(format!("{stem}.fggv"));
        let golden =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut arena = model.arena.clone();
        let differing = conformance::golden(stem, &model.bytes, &golden, &mut arena, &mut report)?;
        if differing > 0 {
            print!("{report}");
            bail!("{stem}: {differing} output elements differ from the golden vectors");
        }
    }
    conformance::run(&scenario, &mut det.arena, &mut rec.arena, &mut report)?;
    print!("{report}");
    Ok(())
}
