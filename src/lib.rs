// SPDX-License-Identifier: Apache-2.0
//! `rustapp`: FaceGate on Zephyr. `rust_main` (called by zephyr-lang-rust's main.c) starts the
//! capture, inference and render threads joined by bounded channels, or runs one of the
//! built-in checks selected by Kconfig (self-test on an embedded image, gallery store check).
//!
//! Hardware is reached only through the C shims in `shim/` via `facegate-zephyr-abi`; the
//! pipeline crates are reached only through `rust/pipeline.rs`.
#![no_std]
// Kconfig and devicetree cfgs (CONFIG_*, dt = "...") are unknown to rustc's cfg checker.
#![allow(unexpected_cfgs)]

extern crate alloc;

// The Neural-ART backend exists in facegate-nn (feature backend-neural-art) but rustapp does
// not drive it yet (rust/pipeline.rs TODO 1): refuse the Kconfig rather than silently run
// the CPU kernels.
#[cfg(CONFIG_FACEGATE_BACKEND_NEURAL_ART)]
compile_error!(
    "CONFIG_FACEGATE_BACKEND_NEURAL_ART is not wired into rustapp yet; use the CPU backend"
);

// The model statics are read once pipeline.rs TODO 1-2 land.
#[allow(dead_code)]
#[path = "rust/assets.rs"]
mod assets;
#[path = "rust/capture.rs"]
mod capture;
#[path = "rust/inference.rs"]
mod inference;
#[path = "rust/pipeline.rs"]
mod pipeline;
#[path = "rust/render.rs"]
mod render;
#[path = "rust/selftest.rs"]
mod selftest;
#[path = "rust/shell.rs"]
mod shell;
#[path = "rust/stats.rs"]
mod stats;
#[path = "rust/store_check.rs"]
mod store_check;
#[path = "rust/store_port.rs"]
mod store_port;
#[path = "rust/threads.rs"]
mod threads;

/// Entry point, called once from zephyr-lang-rust's `main()`.
#[no_mangle]
extern "C" fn rust_main() {
    // SAFETY: called once, before any other Rust thread exists (set_logger's requirement).
    if unsafe { zephyr::set_logger() }.is_err() {
        zephyr::printkln!("facegate: logger already set");
    }
    log::info!(
        "facegate {} on {}",
        env!("CARGO_PKG_VERSION"),
        zephyr::kconfig::CONFIG_BOARD
    );

    if cfg!(CONFIG_FACEGATE_STORE_CHECK) {
        store_check::run();
    } else if cfg!(CONFIG_FACEGATE_SELFTEST) {
        threads::start_selftest();
    } else {
        threads::start();
    }
}
