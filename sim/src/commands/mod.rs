// SPDX-License-Identifier: Apache-2.0
//! The `facegate` subcommands, one file each, and their arguments.

use std::path::PathBuf;

use clap::Args;

use crate::screen::DisplayKind;

mod bench;
mod check;
mod demo;
mod gallery;
mod identify;
mod run;
mod selfcheck;

pub use bench::bench;
pub use check::check;
pub use demo::demo;
pub use gallery::{delete, enroll, list, rename};
pub use identify::identify;
pub use run::run;
pub use selfcheck::selfcheck;

/// Default gallery file of the gallery commands.
pub const DEFAULT_GALLERY: &str = "facegate.gallery";

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Simulated board screen.
    #[arg(long, value_enum, default_value = "n6")]
    pub display: DisplayKind,
    /// Folder for the annotated screens (PNG).
    #[arg(long, default_value = "facegate-out")]
    pub out: PathBuf,
    /// Skip the anti-spoof model (faster; liveness shows as unsure and is not required).
    #[arg(long)]
    pub no_antispoof: bool,
    /// Draw the screens without measured timings (HUD shows zeros), so the PNGs are the
    /// same on every run and machine (how docs/images/demo-*.png are made).
    #[arg(long)]
    pub reproducible: bool,
}

#[derive(Debug, Args)]
pub struct IdentifyArgs {
    /// Photos (JPEG or PNG).
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
    /// Gallery file to match against (none: every face is unknown).
    #[arg(long)]
    pub gallery: Option<PathBuf>,
    /// One JSON object per image instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Skip the anti-spoof model.
    #[arg(long)]
    pub no_antispoof: bool,
}

#[derive(Debug, Args)]
pub struct GalleryArgs {
    /// Gallery file.
    #[arg(long, default_value = DEFAULT_GALLERY)]
    pub gallery: PathBuf,
    /// JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EnrollArgs {
    /// Name of the person (at most 32 bytes).
    pub name: String,
    /// Photos of the person, one face each.
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
    /// Gallery file (created if missing).
    #[arg(long, default_value = DEFAULT_GALLERY)]
    pub gallery: PathBuf,
    /// Skip the anti-spoof model (the operator vouches that the photos show the person).
    #[arg(long)]
    pub no_antispoof: bool,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Name of the identity.
    pub name: String,
    /// Gallery file.
    #[arg(long, default_value = DEFAULT_GALLERY)]
    pub gallery: PathBuf,
}

#[derive(Debug, Args)]
pub struct RenameArgs {
    /// Current name.
    pub old: String,
    /// New name (at most 32 bytes).
    pub new: String,
    /// Gallery file.
    #[arg(long, default_value = DEFAULT_GALLERY)]
    pub gallery: PathBuf,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A folder of frames (sorted by name) or one image.
    #[arg(long)]
    pub input: PathBuf,
    /// Gallery file to match against.
    #[arg(long)]
    pub gallery: Option<PathBuf>,
    /// Write each annotated screen as a PNG into this folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Simulated board screen.
    #[arg(long, value_enum, default_value = "n6")]
    pub display: DisplayKind,
    /// Print kiosk events as JSON lines (and no progress bar).
    #[arg(long)]
    pub json: bool,
    /// Skip the anti-spoof model.
    #[arg(long)]
    pub no_antispoof: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A .tflite model.
    pub model: PathBuf,
    /// Backend to check against.
    #[arg(long, value_enum, default_value = "cpu")]
    pub backend: BackendKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendKind {
    /// The portable int8 kernels (host, QEMU, any Cortex-M).
    Cpu,
    /// The STM32N6 Neural-ART NPU via ST Edge AI.
    NeuralArt,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Frames to time.
    #[arg(long, default_value_t = 20)]
    pub frames: u32,
    /// Photo to use [default: the bundled group photo].
    pub image: Option<PathBuf>,
    /// Skip the anti-spoof model.
    #[arg(long)]
    pub no_antispoof: bool,
}
