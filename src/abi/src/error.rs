// SPDX-License-Identifier: Apache-2.0
//! The crate's one error enum: shim result codes (`FG_ERR_*`) and argument checks.

use core::fmt;

use crate::ffi;

/// Everything a shim call or an argument check can report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbiError {
    /// `FG_ERR_NOT_FOUND`: no such key or device node.
    NotFound,
    /// `FG_ERR_NO_SPACE`: the storage partition is full.
    NoSpace,
    /// `FG_ERR_TIMEOUT`: nothing arrived within the timeout.
    Timeout,
    /// `FG_ERR_INVALID`: the driver rejected an argument or format.
    Invalid,
    /// `FG_ERR_NOT_SUPPORTED`: the driver cannot do this.
    NotSupported,
    /// `FG_ERR_BUSY`: e.g. a format change while streaming.
    Busy,
    /// `FG_ERR_NO_MEMORY`: the video buffer pool or heap is exhausted.
    NoMemory,
    /// `FG_ERR_IO`: an I/O error, or an errno the shim does not map.
    Io,
    /// `FG_ERR_NOT_READY`: the device is absent or not ready.
    NotReady,
    /// `FG_ERR_TOO_SMALL`: a caller buffer is smaller than the data.
    TooSmall,
    /// `FG_ERR_TOO_LARGE`: over a shim limit (value size, name length).
    TooLarge,
    /// A negative code that `facegate_shim.h` does not define.
    UnknownCode(i32),
    /// The shim returned data that breaks the ABI contract (null pointer, size beyond the
    /// buffer it was given): refused rather than read.
    ContractViolation,
    /// A store key was empty.
    KeyEmpty,
    /// A store key is longer than `FG_STORE_KEY_MAX` bytes.
    KeyTooLong {
        /// Length of the rejected key in bytes.
        len: usize,
    },
    /// A store key contains a byte outside `[A-Za-z0-9_.-/]`, or a misplaced `/`.
    KeyInvalidByte {
        /// The offending byte.
        byte: u8,
        /// Its position in the key.
        at: usize,
    },
    /// A value is larger than `FG_STORE_VALUE_MAX` bytes.
    ValueTooLarge {
        /// Length of the rejected value in bytes.
        len: usize,
    },
    /// A buffer is shorter than the operation needs.
    BufferTooShort {
        /// Bytes needed.
        needed: usize,
        /// Bytes given.
        got: usize,
    },
    /// A zero or inconsistent size: width 0, pitch smaller than a row, a rectangle that
    /// leaves the screen, or a frame shorter than `pitch * height`.
    BadGeometry,
    /// The pixel formats of a frame and the display differ.
    FormatMismatch,
    /// A shell subcommand number the parser does not know.
    UnknownCommand(u32),
    /// A shell command lacks an argument, has too many, or one is not UTF-8.
    BadArguments,
    /// A threshold is not a decimal in [-1, 1] with at most 3 decimals.
    BadThreshold,
}

impl AbiError {
    /// The error for a negative shim result code.
    pub fn from_code(code: i32) -> Self {
        match code {
            ffi::FG_ERR_NOT_FOUND => Self::NotFound,
            ffi::FG_ERR_NO_SPACE => Self::NoSpace,
            ffi::FG_ERR_TIMEOUT => Self::Timeout,
            ffi::FG_ERR_INVALID => Self::Invalid,
            ffi::FG_ERR_NOT_SUPPORTED => Self::NotSupported,
            ffi::FG_ERR_BUSY => Self::Busy,
            ffi::FG_ERR_NO_MEMORY => Self::NoMemory,
            ffi::FG_ERR_IO => Self::Io,
            ffi::FG_ERR_NOT_READY => Self::NotReady,
            ffi::FG_ERR_TOO_SMALL => Self::TooSmall,
            ffi::FG_ERR_TOO_LARGE => Self::TooLarge,
            other => Self::UnknownCode(other),
        }
    }

    /// The `FG_ERR_*` code to hand back to C (for the shell handler's return value).
    pub fn to_code(self) -> i32 {
        match self {
            Self::NotFound => ffi::FG_ERR_NOT_FOUND,
            Self::NoSpace => ffi::FG_ERR_NO_SPACE,
            Self::Timeout => ffi::FG_ERR_TIMEOUT,
            Self::NotSupported => ffi::FG_ERR_NOT_SUPPORTED,
            Self::Busy => ffi::FG_ERR_BUSY,
            Self::NoMemory => ffi::FG_ERR_NO_MEMORY,
            Self::NotReady => ffi::FG_ERR_NOT_READY,
            Self::TooSmall | Self::BufferTooShort { .. } => ffi::FG_ERR_TOO_SMALL,
            Self::TooLarge | Self::ValueTooLarge { .. } | Self::KeyTooLong { .. } => {
                ffi::FG_ERR_TOO_LARGE
            }
            Self::Io | Self::UnknownCode(_) | Self::ContractViolation => ffi::FG_ERR_IO,
            Self::Invalid
            | Self::KeyEmpty
            | Self::KeyInvalidByte { .. }
            | Self::BadGeometry
            | Self::FormatMismatch
            | Self::UnknownCommand(_)
            | Self::BadArguments
            | Self::BadThreshold => ffi::FG_ERR_INVALID,
        }
    }
}

/// Turns a shim result (`>= 0` success, `< 0` an `FG_ERR_*` code) into a `Result`.
pub(crate) fn check(code: i32) -> crate::Result<u32> {
    if code >= 0 {
        Ok(code as u32)
    } else {
        Err(AbiError::from_code(code))
    }
}

impl fmt::Display for AbiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => f.write_str("not found"),
            Self::NoSpace => f.write_str("storage full"),
            Self::Timeout => f.write_str("timed out"),
            Self::Invalid => f.write_str("invalid argument or format"),
            Self::NotSupported => f.write_str("not supported by the driver"),
            Self::Busy => f.write_str("device busy"),
            Self::NoMemory => f.write_str("out of buffers or memory"),
            Self::Io => f.write_str("I/O error"),
            Self::NotReady => f.write_str("device not ready"),
            Self::TooSmall => f.write_str("buffer too small"),
            Self::TooLarge => f.write_str("over a shim size limit"),
            Self::UnknownCode(c) => write!(f, "unknown shim result code {c}"),
            Self::ContractViolation => f.write_str("shim broke the ABI contract"),
            Self::KeyEmpty => f.write_str("empty store key"),
            Self::KeyTooLong { len } => write!(
                f,
                "store key of {len} bytes exceeds {} bytes",
                ffi::FG_STORE_KEY_MAX
            ),
            Self::KeyInvalidByte { byte, at } => {
                write!(f, "store key byte 0x{byte:02x} at {at} is not allowed")
            }
            Self::ValueTooLarge { len } => write!(
                f,
                "value of {len} bytes exceeds {} bytes",
                ffi::FG_STORE_VALUE_MAX
            ),
            Self::BufferTooShort { needed, got } => {
                write!(f, "buffer of {got} bytes, {needed} needed")
            }
            Self::BadGeometry => f.write_str("zero or inconsistent width, height or pitch"),
            Self::FormatMismatch => f.write_str("frame and display pixel formats differ"),
            Self::UnknownCommand(c) => write!(f, "unknown shell subcommand {c}"),
            Self::BadArguments => f.write_str("missing, extra or non-UTF-8 argument"),
            Self::BadThreshold => f.write_str("threshold must be a decimal in [-1, 1]"),
        }
    }
}

impl core::error::Error for AbiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_code_maps_to_its_own_variant_and_back() {
        for code in -11..=-1 {
            let err = AbiError::from_code(code);
            assert!(!matches!(err, AbiError::UnknownCode(_)), "code {code}");
            assert_eq!(err.to_code(), code, "{err}");
        }
        assert_eq!(AbiError::from_code(-12), AbiError::UnknownCode(-12));
        assert_eq!(AbiError::from_code(-12).to_code(), ffi::FG_ERR_IO);
    }

    #[test]
    fn check_passes_counts_and_maps_failures() {
        assert_eq!(check(0), Ok(0));
        assert_eq!(check(7), Ok(7));
        assert_eq!(check(ffi::FG_ERR_TIMEOUT), Err(AbiError::Timeout));
        assert_eq!(check(ffi::FG_ERR_NO_SPACE), Err(AbiError::NoSpace));
    }
}
