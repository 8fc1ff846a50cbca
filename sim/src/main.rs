// SPDX-License-Identifier: Apache-2.0
//! `facegate`: the FaceGate host simulator and command-line tool. Every line of pipeline,
//! kiosk and overlay code it runs is the board's; only files, PNGs and the terminal are its
//! own.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod assets;
mod clock;
mod commands;
mod folder_source;
mod gallery_file;
mod image_io;
mod report;
mod screen;
mod session;

use screen::DisplayKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DetectorKind {
    Retinaface,
    Blazeface,
}

#[derive(Debug, Parser)]
#[command(
    name = "facegate",
    version,
    about = "FaceGate face-recognition kiosk on a PC: the board's pipeline, kiosk and overlays"
)]
struct Cli {
    /// Folder holding the .tflite models [default: the repository's models/, or $FACEGATE_MODELS]
    #[arg(long, global = true)]
    models: Option<PathBuf>,
    /// Face detector: RetinaFace-MobileNet0.25 320x240 (default) or the lighter BlazeFace
    /// short range 128x128 (faces within ~2 m of the camera)
    #[arg(long, global = true, value_enum, default_value = "retinaface")]
    detector: DetectorKind,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Enrol the bundled labelled faces, run the bundled photos through the kiosk on a
    /// simulated board screen, write annotated PNGs and print a table (the default).
    Demo(commands::DemoArgs),
    /// Find, check and identify the faces in photos.
    Identify(commands::IdentifyArgs),
    /// Enrol a person from one or more photos into a gallery file.
    Enroll(commands::EnrollArgs),
    /// List the identities in a gallery file.
    List(commands::GalleryArgs),
    /// Delete an identity from a gallery file.
    Delete(commands::DeleteArgs),
    /// Rename an identity in a gallery file.
    Rename(commands::RenameArgs),
    /// Run a sequence of frames (a folder of images, or one image) through the kiosk loop.
    Run(commands::RunArgs),
    /// Report a model's ops, parameters, MACs, arena size and backend compatibility.
    Check(commands::CheckArgs),
    /// Time every stage and the whole frame over N frames.
    Bench(commands::BenchArgs),
    /// Print the integer digest and the end-to-end conformance report; the QEMU Cortex-M55
    /// runner must print the same lines.
    Selfcheck,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let models = cli.models.unwrap_or_else(assets::default_models_dir);
    assets::choose_detector(match cli.detector {
        DetectorKind::Retinaface => assets::DETECTOR,
        DetectorKind::Blazeface => assets::DETECTOR_BLAZEFACE,
    });
    let command = cli.command.unwrap_or(Command::Demo(commands::DemoArgs {
        display: DisplayKind::N6,
        out: PathBuf::from("facegate-out"),
        no_antispoof: false,
        reproducible: false,
    }));
    let result = match command {
        Command::Demo(a) => commands::demo(&models, a),
        Command::Identify(a) => commands::identify(&models, a),
        Command::Enroll(a) => commands::enroll(&models, a),
        Command::List(a) => commands::list(a),
        Command::Delete(a) => commands::delete(a),
        Command::Rename(a) => commands::rename(a),
        Command::Run(a) => commands::run(&models, a),
        Command::Check(a) => commands::check(a),
        Command::Bench(a) => commands::bench(&models, a),
        Command::Selfcheck => commands::selfcheck(&models),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, whatever the underlying libraries put in their messages.
            let msg = format!("{e:#}");
            let one_line: Vec<&str> = msg.split_whitespace().collect();
            eprintln!("error: {}", one_line.join(" "));
            ExitCode::FAILURE
        }
    }
}
