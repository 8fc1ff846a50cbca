// SPDX-License-Identifier: Apache-2.0
//! Finding and loading what the simulator runs: the model files (checked by the engine's
//! verifier before use) and their tensor arenas, sized by the engine's memory planner.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use facegate_nn::{Model, PackedFilters, Plan};

/// Default model file names under the models folder.
pub const DETECTOR: &str = "detector_retinaface_mnet025.tflite";
/// The light alternative detector (`--detector blazeface`).
pub const DETECTOR_BLAZEFACE: &str = "detector_blazeface_short.tflite";

/// The detector file the CLI chose (`--detector`), set once at start.
static DETECTOR_FILE: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Chooses the detector model for this run (first call wins).
pub fn choose_detector(file: &'static str) {
    let _ = DETECTOR_FILE.set(file);
}

fn detector_file() -> &'static str {
    DETECTOR_FILE.get().copied().unwrap_or(DETECTOR)
}
/// Recognizer file name.
pub const RECOGNIZER: &str = "recognizer_mobilefacenet.tflite";
/// Anti-spoof file name.
pub const ANTISPOOF: &str = "antispoof_dtn.tflite";

/// The repository's bundled models folder (`models/` beside `sim/`), overridable with
/// `--models` or `FACEGATE_MODELS`.
pub fn default_models_dir() -> PathBuf {
    std::env::var_os("FACEGATE_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("models"))
}

/// The repository's bundled test images.
pub fn default_images_dir() -> PathBuf {
    repo_root().join("tests/data/images")
}

/// The repository this binary was built from (sim/ is one level below it).
pub fn repo_root() -> PathBuf {
    let sim = Path::new(env!("CARGO_MANIFEST_DIR"));
    sim.parent().unwrap_or(sim).to_path_buf()
}

/// One model file in memory with an arena the planner says it needs, and a buffer for its
/// convolution filters packed once for this CPU (empty where the CPU's kernels do not use
/// packed filters).
#[derive(Debug)]
pub struct LoadedModel {
    /// Where it came from.
    pub path: PathBuf,
    /// The file.
    pub bytes: Vec<u8>,
    /// Its tensor arena.
    pub arena: Vec<u8>,
    /// Room for its packed filters (`PackedFilters::bytes_needed`).
    pub packs: Vec<u8>,
}

impl LoadedModel {
    /// Reads and verifies `path`, and allocates its arena and packed-filter buffer.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read model {}", path.display()))?;
        let model = Model::from_bytes(&bytes)
            .with_context(|| format!("model {} is not a valid TFLite file", path.display()))?;
        let plan = Plan::new(&model)
            .with_context(|| format!("model {} cannot be planned", path.display()))?;
        let arena = vec![0u8; plan.arena_bytes()];
        let packs = vec![0u8; PackedFilters::bytes_needed(&model)?];
        Ok(Self {
            path: path.to_path_buf(),
            bytes,
            arena,
            packs,
        })
    }
}

/// The kiosk's three models.
#[derive(Debug)]
pub struct ModelSet {
    /// RetinaFace.
    pub detector: LoadedModel,
    /// MobileFaceNet.
    pub recognizer: LoadedModel,
    /// DTN, when enabled and present.
    pub antispoof: Option<LoadedModel>,
}

impl ModelSet {
    /// Loads the models from `dir`; the anti-spoof model only when `with_antispoof` and
    /// its file exists (without it liveness stays unsure, which the caller must allow).
    pub fn load(dir: &Path, with_antispoof: bool) -> Result<Self> {
        let spoof_path = dir.join(ANTISPOOF);
        Ok(Self {
            detector: LoadedModel::load(&dir.join(detector_file()))?,
            recognizer: LoadedModel::load(&dir.join(RECOGNIZER))?,
            antispoof: if with_antispoof && spoof_path.exists() {
                Some(LoadedModel::load(&spoof_path)?)
            } else {
                None
            },
        })
    }

    /// Kiosk settings that fit the loaded models and still photos: without an anti-spoof
    /// model liveness cannot be established, so unsure liveness must be accepted; and a
    /// photo is seen once, so every face in it gets recognised in that one frame (a camera
    /// spreads that work over frames).
    pub fn kiosk_config(&self) -> facegate_kiosk::KioskConfig {
        facegate_kiosk::KioskConfig {
            accept_unsure_liveness: self.antispoof.is_none(),
            max_work_per_frame: facegate_kiosk::kiosk::MAX_TRACKS as u8,
            ..facegate_kiosk::KioskConfig::default()
        }
    }
}
