// SPDX-License-Identifier: Apache-2.0
//! Pipeline counters shared by the threads and printed by `facegate stats`.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// Frames dequeued from the camera (both streams).
pub static CAPTURED: AtomicU32 = AtomicU32::new(0);
/// Frames dropped because inference was still busy with the previous one.
pub static DROPPED_INFER: AtomicU32 = AtomicU32::new(0);
/// Frames dropped because the render thread was behind.
pub static DROPPED_RENDER: AtomicU32 = AtomicU32::new(0);
/// Frames the detector ran on.
pub static INFERRED: AtomicU32 = AtomicU32::new(0);
/// Frames shown.
pub static RENDERED: AtomicU32 = AtomicU32::new(0);
/// Camera or display errors seen.
pub static ERRORS: AtomicU32 = AtomicU32::new(0);
/// Duration of the last inference step in milliseconds.
pub static LAST_INFER_MS: AtomicU32 = AtomicU32::new(0);

/// Writes the counters, one per line.
pub fn print(out: &mut impl Write) -> fmt::Result {
    writeln!(out, "captured {}", CAPTURED.load(Relaxed))?;
    writeln!(out, "inferred {}", INFERRED.load(Relaxed))?;
    writeln!(out, "rendered {}", RENDERED.load(Relaxed))?;
    writeln!(
        out,
        "dropped (inference busy) {}",
        DROPPED_INFER.load(Relaxed)
    )?;
    writeln!(
        out,
        "dropped (render busy) {}",
        DROPPED_RENDER.load(Relaxed)
    )?;
    writeln!(out, "errors {}", ERRORS.load(Relaxed))?;
    writeln!(out, "last inference {} ms", LAST_INFER_MS.load(Relaxed))?;
    writeln!(
        out,
        "lost camera buffers {}",
        facegate_zephyr_abi::requeue_errors()
    )
}
