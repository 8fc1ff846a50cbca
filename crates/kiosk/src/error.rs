// SPDX-License-Identifier: Apache-2.0
//! The one error type of `facegate-kiosk`.

use core::fmt;

/// Everything that can go wrong in the kiosk loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The inference engine failed (corrupt model, arena too small, unsupported op...).
    Nn(facegate_nn::Error),
    /// The face pipeline refused an input or a parameter.
    Face(facegate_face::Error),
    /// A model's inputs or outputs are not what its pipeline stage expects.
    ModelMismatch {
        /// Which stage ("detector", "recognizer", "anti-spoof").
        stage: &'static str,
        /// What is wrong.
        what: &'static str,
    },
    /// The camera could not deliver a frame.
    Camera,
    /// The screen refused a drawing operation.
    Display,
    /// The gallery store failed.
    Store,
    /// A configuration value is out of range (the text names it).
    InvalidConfig(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Nn(e) => write!(f, "inference: {e}"),
            Error::Face(e) => write!(f, "face pipeline: {e}"),
            Error::ModelMismatch { stage, what } => write!(f, "{stage} model: {what}"),
            Error::Camera => f.write_str("camera: no frame"),
            Error::Display => f.write_str("display: drawing failed"),
            Error::Store => f.write_str("gallery store: operation failed"),
            Error::InvalidConfig(what) => write!(f, "configuration: {what} is out of range"),
        }
    }
}

impl core::error::Error for Error {}

impl From<facegate_nn::Error> for Error {
    fn from(e: facegate_nn::Error) -> Self {
        Error::Nn(e)
    }
}

impl From<facegate_face::Error> for Error {
    fn from(e: facegate_face::Error) -> Self {
        Error::Face(e)
    }
}
