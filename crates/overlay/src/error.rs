// SPDX-License-Identifier: Apache-2.0
//! The one error type of `facegate-overlay`.

use core::fmt;

/// Everything that can go wrong outside of a draw target's own errors.
///
/// Drawing itself never fails on bad geometry (boxes off screen, huge boxes, overlong names are
/// clipped or truncated); these errors come from buffers and mappings whose sizes do not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A pixel source buffer is shorter than `pitch * height` (or the pitch is shorter than
    /// `width * 2`).
    SourceTooShort {
        /// Bytes the geometry needs.
        needed: usize,
        /// Bytes given.
        got: usize,
    },
    /// A row pitch smaller than `width * 2` bytes.
    PitchTooSmall {
        /// Pitch given, in bytes.
        pitch: usize,
        /// Image width in pixels.
        width: u32,
    },
    /// A destination buffer is too small for the requested region.
    DestinationTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes given.
        got: usize,
    },
    /// A region that does not lie inside the framebuffer.
    RegionOutOfBounds,
    /// A frame or display of zero width or height, where a scale must be derived from it.
    EmptyGeometry,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::SourceTooShort { needed, got } => {
                write!(f, "pixel source too short: need {needed} bytes, got {got}")
            }
            Error::PitchTooSmall { pitch, width } => {
                write!(
                    f,
                    "row pitch {pitch} bytes is smaller than {width} RGB565 pixels"
                )
            }
            Error::DestinationTooSmall { needed, got } => {
                write!(
                    f,
                    "destination buffer too small: need {needed} bytes, got {got}"
                )
            }
            Error::RegionOutOfBounds => f.write_str("region lies outside the framebuffer"),
            Error::EmptyGeometry => f.write_str("frame or display has zero width or height"),
        }
    }
}

impl core::error::Error for Error {}
