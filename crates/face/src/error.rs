// SPDX-License-Identifier: Apache-2.0
//! The one error type of `facegate-face`.

use core::fmt;

/// Everything that can go wrong in the face pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The inference engine reported an error.
    Nn(facegate_nn::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Nn(e) => write!(f, "inference: {e}"),
        }
    }
}

impl core::error::Error for Error {}

impl From<facegate_nn::Error> for Error {
    fn from(e: facegate_nn::Error) -> Self {
        Error::Nn(e)
    }
}
