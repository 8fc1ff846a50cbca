// SPDX-License-Identifier: Apache-2.0
//! The one error type of `facegate-nn`.

use core::fmt;

/// Everything that can go wrong while loading or running a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A real-valued multiplier that cannot be represented (negative, NaN or infinite).
    InvalidMultiplier,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidMultiplier => {
                f.write_str("quantization multiplier is negative, NaN or infinite")
            }
        }
    }
}

impl core::error::Error for Error {}
