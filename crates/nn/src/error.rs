// SPDX-License-Identifier: Apache-2.0
//! The one error type of `facegate-nn`.

use core::fmt;

/// Everything that can go wrong while loading or running a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A real-valued multiplier that cannot be represented (negative, NaN or infinite).
    InvalidMultiplier,
    /// The bytes are not a TFLite flatbuffer (missing `TFL3` identifier or too short).
    NotTflite,
    /// The flatbuffer is truncated or malformed; names the structure being read.
    Corrupt(&'static str),
    /// The model is well formed but breaks a rule the engine relies on.
    InvalidModel(&'static str),
    /// A node is malformed or has parameters its kernel cannot run.
    InvalidNode {
        /// Node (operator) index in subgraph 0.
        node: usize,
        /// Operator name.
        op: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The model uses an operator that the chosen backend cannot run.
    UnsupportedOp {
        /// Node (operator) index in subgraph 0.
        node: usize,
        /// Operator name (`"BUILTIN_<code>"` style names for unknown codes are `"UNKNOWN"`).
        op: &'static str,
        /// TFLite builtin operator code.
        code: i32,
        /// Backend that refused it.
        backend: &'static str,
    },
    /// A tensor has a type the engine does not handle where it is used.
    UnsupportedType {
        /// Tensor index in subgraph 0.
        tensor: usize,
    },
    /// The model exceeds one of the engine's fixed capacities.
    Capacity {
        /// Which capacity.
        what: &'static str,
        /// The model's count.
        needed: usize,
        /// The engine's limit.
        max: usize,
    },
    /// The caller's arena is smaller than the plan needs.
    ArenaTooSmall {
        /// Bytes the plan needs (alignment slack included).
        needed: usize,
        /// Bytes the caller provided.
        available: usize,
    },
    /// The caller's buffer for [`crate::packed::PackedFilters`] is smaller than the model's
    /// packed filters.
    PackBufferTooSmall {
        /// Bytes the packed filters need (alignment slack included).
        needed: usize,
        /// Bytes the caller provided.
        available: usize,
    },
    /// An input or output index beyond the model's list.
    NoSuchTensor {
        /// The index asked for.
        index: usize,
    },
    /// Data handed to the engine has the wrong length.
    WrongLength {
        /// Expected length in bytes.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// An NPU backend returned a failure code.
    Backend(i32),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::InvalidMultiplier => {
                f.write_str("quantization multiplier is negative, NaN or infinite")
            }
            Error::NotTflite => f.write_str("not a TFLite model (no TFL3 flatbuffer identifier)"),
            Error::Corrupt(what) => write!(f, "corrupt or truncated model: bad {what}"),
            Error::InvalidModel(why) => write!(f, "invalid model: {why}"),
            Error::InvalidNode { node, op, reason } => {
                write!(f, "node {node} ({op}): {reason}")
            }
            Error::UnsupportedOp {
                node,
                op,
                code,
                backend,
            } => write!(
                f,
                "node {node}: operator {op} (builtin code {code}) is not supported by the {backend} backend"
            ),
            Error::UnsupportedType { tensor } => {
                write!(f, "tensor {tensor} has an unsupported element type")
            }
            Error::Capacity { what, needed, max } => {
                write!(f, "model has {needed} {what}, the engine supports at most {max}")
            }
            Error::ArenaTooSmall { needed, available } => write!(
                f,
                "tensor arena too small: {needed} bytes needed, {available} provided"
            ),
            Error::PackBufferTooSmall { needed, available } => write!(
                f,
                "packed-filter buffer too small: {needed} bytes needed, {available} provided"
            ),
            Error::NoSuchTensor { index } => write!(f, "no model input/output number {index}"),
            Error::WrongLength { expected, got } => {
                write!(f, "wrong data length: expected {expected} bytes, got {got}")
            }
            Error::Backend(code) => write!(f, "NPU backend failed with code {code}"),
        }
    }
}

impl core::error::Error for Error {}
