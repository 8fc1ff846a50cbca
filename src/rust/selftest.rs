// SPDX-License-Identifier: Apache-2.0
//! Self-test (CONFIG_FACEGATE_SELFTEST): one pipeline step on the image embedded at build time
//! (build.rs decodes CONFIG_FACEGATE_SELFTEST_IMAGE from tests/data/images/), printed as lines
//! the twister suite tests/app matches. No camera, display or store involved. Runs on the
//! inference thread (its stack holds the engine).

use facegate_face::{Frame as FaceFrame, PixelFormat};

use crate::assets;
use crate::pipeline::Engine;

/// Runs the self-test and prints its result lines.
pub fn run() {
    let (w, h) = (assets::SELFTEST_WIDTH, assets::SELFTEST_HEIGHT);
    let frame = match FaceFrame::new(
        assets::SELFTEST_IMAGE.bytes(),
        w,
        h,
        w * 2,
        PixelFormat::Rgb565,
    ) {
        Ok(f) => f,
        Err(e) => {
            zephyr::printkln!("selftest: FAIL image {}: {}", assets::SELFTEST_NAME, e);
            return;
        }
    };
    let mut engine = Engine::new(None);
    let t0 = zephyr::sys::uptime_get();
    let results = engine.process(&frame);
    let ms = zephyr::sys::uptime_get() - t0;
    for f in &results.faces {
        zephyr::printkln!(
            "selftest: face x={} y={} w={} h={} score={} {}",
            f.x,
            f.y,
            f.w,
            f.h,
            f.score_milli,
            f.label.as_str()
        );
    }
    zephyr::printkln!(
        "selftest: image {} {}x{} faces={} time_ms={}",
        assets::SELFTEST_NAME,
        w,
        h,
        results.faces.len(),
        ms
    );
    zephyr::printkln!("selftest: done");
}
