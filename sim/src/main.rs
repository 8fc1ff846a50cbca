// SPDX-License-Identifier: Apache-2.0
//! `facegate`: the FaceGate host simulator and command-line tool.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "facegate",
    version,
    about = "FaceGate face-recognition kiosk on a PC"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the kiosk demo on the bundled models and images (the default command).
    Demo,
    /// Print the integer self-check digest; the QEMU Cortex-M55 runner prints the same line.
    Selfcheck,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Demo) {
        Command::Demo => demo(),
        Command::Selfcheck => selfcheck(),
    }
}

fn demo() -> ExitCode {
    println!("facegate {}", env!("CARGO_PKG_VERSION"));
    println!("The kiosk demo is not built yet: the pipeline crates are still being written.");
    println!(
        "Installed pipeline crates: facegate-nn, facegate-face, facegate-overlay, facegate-kiosk"
    );
    ExitCode::SUCCESS
}

fn selfcheck() -> ExitCode {
    match facegate_nn::selfcheck::requantize_digest(SELFCHECK_SAMPLES) {
        Ok((digest, count)) => {
            println!("selfcheck requantize n={count} digest={digest:08x}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: selfcheck: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Samples per multiplier in the self-check (the m55 runner uses the same number).
const SELFCHECK_SAMPLES: u32 = 4096;
