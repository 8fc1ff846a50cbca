// SPDX-License-Identifier: Apache-2.0
//! The ports the kiosk needs from a board or a PC, each one small trait: camera frames and a
//! clock. The screen is any embedded-graphics `DrawTarget<Color = Rgb565>`, the gallery store
//! is `facegate_face::store::GalleryStore`, inference is `facegate_nn`'s backend.

use facegate_face::Frame;

/// A camera, or anything that hands out frames in a known pixel format.
///
/// The frame borrows the source: a Zephyr camera keeps the video buffer dequeued while the
/// frame is alive and gives it back to the driver on the next call.
pub trait FrameSource {
    /// What the source reports when it cannot deliver a frame.
    type Error: core::fmt::Debug + core::fmt::Display;

    /// The next frame, or `None` at the end of a finite stream (a folder of images).
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>, Self::Error>;
}

/// A monotonic microsecond clock (Zephyr's uptime on the board, `Instant` on a PC, a counter
/// in tests).
pub trait Clock {
    /// Microseconds since an arbitrary fixed origin; never decreases.
    fn now_us(&self) -> u64;
}
