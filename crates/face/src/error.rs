// SPDX-License-Identifier: Apache-2.0
//! The one error type of `facegate-face`.

use core::fmt;

/// Everything that can go wrong in the face pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The inference engine reported an error.
    Nn(facegate_nn::Error),
    /// A frame or tensor has a zero width or height.
    EmptyImage,
    /// A YUYV frame has an odd width (pixels come in pairs).
    OddWidth {
        /// The offending width.
        width: usize,
    },
    /// A frame's stride is shorter than one line of pixels.
    StrideTooSmall {
        /// Stride given, in bytes.
        stride: usize,
        /// Minimum stride for the width and format, in bytes.
        min: usize,
    },
    /// A buffer (frame, tensor, scratch) is shorter than its geometry requires.
    BufferTooShort {
        /// Bytes or elements needed.
        needed: usize,
        /// Bytes or elements available.
        got: usize,
    },
    /// A tensor has a different number of elements than the decoder expects.
    ShapeMismatch {
        /// Elements expected.
        expected: usize,
        /// Elements given.
        got: usize,
    },
    /// A configuration value is out of range (the text names it).
    InvalidParameter(&'static str),
    /// Landmarks are degenerate (all points coincide): no similarity transform exists.
    DegenerateLandmarks,
    /// An embedding has zero length and cannot be normalised.
    ZeroEmbedding,
    /// A name is longer than the 32 bytes a gallery entry holds.
    NameTooLong,
    /// A name is empty.
    EmptyName,
    /// Another identity already has this name.
    DuplicateName,
    /// The gallery holds as many identities as its capacity allows.
    GalleryFull,
    /// No identity with this id.
    UnknownIdentity {
        /// The id asked for.
        id: u32,
    },
    /// A stored record is not valid (bad magic, version, length or CRC).
    CorruptRecord {
        /// Store key of the record.
        key: u16,
    },
    /// The persistent store failed (its own error was reported by the store).
    Store,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Nn(e) => write!(f, "inference: {e}"),
            Error::EmptyImage => f.write_str("image has zero width or height"),
            Error::OddWidth { width } => write!(f, "YUYV frame width {width} is odd"),
            Error::StrideTooSmall { stride, min } => {
                write!(f, "frame stride {stride} is below the line length {min}")
            }
            Error::BufferTooShort { needed, got } => {
                write!(f, "buffer too short: need {needed}, got {got}")
            }
            Error::ShapeMismatch { expected, got } => {
                write!(f, "tensor has {got} elements, expected {expected}")
            }
            Error::InvalidParameter(what) => write!(f, "invalid parameter: {what}"),
            Error::DegenerateLandmarks => f.write_str("landmarks are degenerate"),
            Error::ZeroEmbedding => f.write_str("embedding has zero length"),
            Error::NameTooLong => f.write_str("name longer than 32 bytes"),
            Error::EmptyName => f.write_str("name is empty"),
            Error::DuplicateName => f.write_str("name already enrolled"),
            Error::GalleryFull => f.write_str("gallery is full"),
            Error::UnknownIdentity { id } => write!(f, "no identity with id {id}"),
            Error::CorruptRecord { key } => write!(f, "stored record {key} is corrupt"),
            Error::Store => f.write_str("persistent store failed"),
        }
    }
}

impl core::error::Error for Error {}

impl From<facegate_nn::Error> for Error {
    fn from(e: facegate_nn::Error) -> Self {
        Error::Nn(e)
    }
}
