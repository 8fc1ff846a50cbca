// SPDX-License-Identifier: Apache-2.0
//! Bare-metal FaceGate runner for QEMU's Cortex-M55 (mps3-an547).
//!
//! It runs the same workloads as the host's `facegate selfcheck` — the integer digest and the
//! end-to-end conformance scenario (real models, real photos: enrol, detect, align, embed,
//! match) — and prints the same lines over semihosting; `tools/ci/m55-qemu.sh` compares the
//! two outputs byte for byte. Lines starting with `cost` are target-only: guest instruction
//! counts when QEMU runs with `-icount shift=0` (`tools/ci/m55-qemu.sh --icount`), meaningless
//! otherwise. The exit status is 0 when every workload ran, 1 when one reported an error
//! (a panic exits 101).
#![no_std]
#![no_main]

mod icount;

use core::ptr::addr_of_mut;

use cortex_m_rt::entry;
use facegate_kiosk::conformance::{self, Photo, Scenario};
use semihosting::{print, println, process};

/// Samples per multiplier in the requantisation digest (the host uses the same number).
const SELFCHECK_SAMPLES: u32 = 4096;

mod scenario {
    use facegate_kiosk::conformance::Photo;
    include!(concat!(env!("OUT_DIR"), "/scenario.rs"));
}

/// Tensor arenas in ISRAM (4 MiB); sized above the planner's figures for the shipped models
/// (the golden-vector runs reuse the detector's, one model at a time).
const DETECTOR_ARENA: usize = 1536 * 1024;
const RECOGNIZER_ARENA: usize = 2048 * 1024;

#[link_section = ".arena"]
static mut DETECTOR_ARENA_MEM: [u8; DETECTOR_ARENA] = [0; DETECTOR_ARENA];
#[link_section = ".arena"]
static mut RECOGNIZER_ARENA_MEM: [u8; RECOGNIZER_ARENA] = [0; RECOGNIZER_ARENA];

/// Writes report text straight to the semihosting console.
struct Console;

impl core::fmt::Write for Console {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        print!("{s}");
        Ok(())
    }
}

#[entry]
fn main() -> ! {
    println!("facegate-m55 {}", env!("CARGO_PKG_VERSION"));
    let Some(peripherals) = cortex_m::Peripherals::take() else {
        println!("error: core peripherals already taken");
        process::exit(1)
    };
    let counter = icount::TickCounter::start(peripherals.SYST);
    let mut status = 0;

    let t0 = counter.ticks();
    match facegate_nn::selfcheck::requantize_digest(SELFCHECK_SAMPLES) {
        Ok((digest, count)) => {
            println!("selfcheck requantize n={count} digest={digest:08x}");
            let ticks = counter.ticks() - t0;
            println!(
                "cost selfcheck instructions~{}",
                icount::instructions(ticks)
            );
        }
        Err(e) => {
            println!("error: selfcheck: {e}");
            status = 1;
        }
    }

    // SAFETY: `main` runs once (cortex-m-rt's entry, no interrupts touch the arenas), so these
    // are the only references to the two statics for the rest of the program.
    let (det_arena, rec_arena) = unsafe {
        (
            &mut *addr_of_mut!(DETECTOR_ARENA_MEM),
            &mut *addr_of_mut!(RECOGNIZER_ARENA_MEM),
        )
    };
    for (stem, model, golden) in scenario::GOLDENS.iter() {
        let t0 = counter.ticks();
        match conformance::golden(stem, model, golden, det_arena, &mut Console) {
            Ok(differing) => {
                if differing > 0 {
                    println!("error: golden {stem}: {differing} elements differ");
                    status = 1;
                }
                let ticks = counter.ticks() - t0;
                println!(
                    "cost golden {stem} instructions~{}",
                    icount::instructions(ticks)
                );
            }
            Err(e) => {
                println!("error: golden {stem}: {e}");
                status = 1;
            }
        }
    }

    let probes: &[Photo<'static>] = &scenario::PROBES;
    let run = Scenario {
        detector: &scenario::DETECTOR,
        recognizer: &scenario::RECOGNIZER,
        enrol: (scenario::ENROL_NAME, scenario::ENROL_PHOTO),
        probes,
    };
    let t0 = counter.ticks();
    match conformance::run(&run, det_arena, rec_arena, &mut Console) {
        Ok(()) => {
            let ticks = counter.ticks() - t0;
            println!("cost pipeline instructions~{}", icount::instructions(ticks));
        }
        Err(e) => {
            println!("error: pipeline: {e}");
            status = 1;
        }
    }
    process::exit(status)
}
