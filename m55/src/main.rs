// SPDX-License-Identifier: Apache-2.0
//! Bare-metal FaceGate runner for QEMU's Cortex-M55 (mps3-an547).
//!
//! It runs the same integer workloads as the host's `facegate selfcheck` and prints the same
//! lines over semihosting; `tools/ci/m55-qemu.sh` compares the two outputs byte for byte. The
//! exit status is 0 when every workload ran, 1 when one reported an error (a panic exits 101).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use semihosting::{println, process};

/// Samples per multiplier in the requantisation digest (the host uses the same number).
const SELFCHECK_SAMPLES: u32 = 4096;

#[entry]
fn main() -> ! {
    println!("facegate-m55 {}", env!("CARGO_PKG_VERSION"));
    let status = match facegate_nn::selfcheck::requantize_digest(SELFCHECK_SAMPLES) {
        Ok((digest, count)) => {
            println!("selfcheck requantize n={count} digest={digest:08x}");
            0
        }
        Err(e) => {
            println!("error: selfcheck: {e}");
            1
        }
    };
    process::exit(status)
}
