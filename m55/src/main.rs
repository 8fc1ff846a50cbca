// SPDX-License-Identifier: Apache-2.0
//! Bare-metal FaceGate runner for QEMU's Cortex-M55 (mps3-an547).
//!
//! It runs the same integer workloads as the host's `facegate selfcheck` and prints the same
//! lines over semihosting; `tools/ci/m55-qemu.sh` compares the two outputs byte for byte. The
//! exit status is 0 when every workload ran, 1 when one reported an error (a panic exits 101).
#![no_std]
#![no_main]

mod icount;

use cortex_m_rt::entry;
use semihosting::{println, process};

/// Samples per multiplier in the requantisation digest (the host uses the same number).
const SELFCHECK_SAMPLES: u32 = 4096;

#[entry]
fn main() -> ! {
    println!("facegate-m55 {}", env!("CARGO_PKG_VERSION"));
    let Some(peripherals) = cortex_m::Peripherals::take() else {
        println!("error: core peripherals already taken");
        process::exit(1)
    };
    let counter = icount::TickCounter::start(peripherals.SYST);
    let t0 = counter.ticks();
    let result = facegate_nn::selfcheck::requantize_digest(SELFCHECK_SAMPLES);
    let ticks = counter.ticks() - t0;
    let status = match result {
        Ok((digest, count)) => {
            println!("selfcheck requantize n={count} digest={digest:08x}");
            // Cost lines start with "cost" so the host comparison skips them.
            println!(
                "cost selfcheck ticks={ticks} instructions~{}",
                icount::instructions(ticks)
            );
            0
        }
        Err(e) => {
            println!("error: selfcheck: {e}");
            1
        }
    };
    process::exit(status)
}
