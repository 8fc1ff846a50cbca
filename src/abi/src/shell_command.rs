// SPDX-License-Identifier: Apache-2.0
//! The `facegate` shell subcommands, parsed from the C shim's `argc`/`argv`.

use core::ffi::{c_char, CStr};

use crate::ffi;
use crate::{AbiError, Result};

/// Most arguments a `facegate` subcommand takes, its name included.
pub const SHELL_MAX_ARGS: usize = 4;

/// A parsed `facegate` subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellCommand<'a> {
    /// `facegate enroll NAME`: enroll the face in view as NAME.
    Enroll {
        /// Identity name.
        name: &'a str,
    },
    /// `facegate list`: list enrolled identities.
    List,
    /// `facegate delete NAME`: remove an identity.
    Delete {
        /// Identity name.
        name: &'a str,
    },
    /// `facegate threshold [V]`: show or set the match threshold (cosine similarity).
    Threshold {
        /// New value in thousandths, `None` to show the current one.
        milli: Option<i32>,
    },
    /// `facegate stats`: frame, drop and timing counters.
    Stats,
}

impl<'a> ShellCommand<'a> {
    /// Parses subcommand `cmd` (`FG_CMD_*`) with `args` = `argv[1..]`.
    pub fn parse(cmd: u32, args: &[&'a [u8]]) -> Result<Self> {
        let text = |i: usize| -> Result<&'a str> {
            let bytes = args.get(i).ok_or(AbiError::BadArguments)?;
            core::str::from_utf8(bytes).map_err(|_| AbiError::BadArguments)
        };
        let arity = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(AbiError::BadArguments)
            }
        };
        match cmd {
            ffi::FG_CMD_ENROLL => {
                arity(1)?;
                Ok(Self::Enroll { name: text(0)? })
            }
            ffi::FG_CMD_LIST => arity(0).map(|_| Self::List),
            ffi::FG_CMD_DELETE => {
                arity(1)?;
                Ok(Self::Delete { name: text(0)? })
            }
            ffi::FG_CMD_THRESHOLD => match args.len() {
                0 => Ok(Self::Threshold { milli: None }),
                1 => Ok(Self::Threshold {
                    milli: Some(parse_milli(text(0)?)?),
                }),
                _ => Err(AbiError::BadArguments),
            },
            ffi::FG_CMD_STATS => arity(0).map(|_| Self::Stats),
            other => Err(AbiError::UnknownCommand(other)),
        }
    }
}

/// Parses a decimal in [-1, 1] with at most three decimals ("0.42", "-1", ".5") into
/// thousandths, without floating point.
pub fn parse_milli(s: &str) -> Result<i32> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || frac.len() > 3 || !digits(int) || !digits(frac) {
        return Err(AbiError::BadThreshold);
    }
    if int.len() > 1 {
        return Err(AbiError::BadThreshold);
    }
    let int_val = int.bytes().fold(0i32, |a, b| a * 10 + i32::from(b - b'0'));
    let mut frac_val = frac.bytes().fold(0i32, |a, b| a * 10 + i32::from(b - b'0'));
    for _ in frac.len()..3 {
        frac_val *= 10;
    }
    let v = int_val * 1000 + frac_val;
    if v > 1000 {
        return Err(AbiError::BadThreshold);
    }
    Ok(if neg { -v } else { v })
}

/// Borrows `argv[1..argc]` as byte strings (at most `SHELL_MAX_ARGS` in all).
///
/// # Safety
/// `argv` must point to `argc` valid NUL-terminated strings that outlive `'a`, as the Zephyr
/// shell guarantees for the duration of a command handler.
pub unsafe fn args_from_argv<'a>(
    argc: usize,
    argv: *const *const c_char,
) -> Result<heapless::Vec<&'a [u8], SHELL_MAX_ARGS>> {
    let mut out = heapless::Vec::new();
    if argc == 0 || argv.is_null() {
        return Ok(out);
    }
    if argc > SHELL_MAX_ARGS {
        return Err(AbiError::BadArguments);
    }
    for i in 1..argc {
        // SAFETY: i < argc, and the caller guarantees argv has argc entries.
        let p = unsafe { *argv.add(i) };
        if p.is_null() {
            return Err(AbiError::BadArguments);
        }
        // SAFETY: the caller guarantees each entry is NUL-terminated and lives for 'a.
        let s: &'a CStr = unsafe { CStr::from_ptr(p) };
        out.push(s.to_bytes()).map_err(|_| AbiError::BadArguments)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_subcommand_with_its_arity() {
        assert_eq!(
            ShellCommand::parse(ffi::FG_CMD_ENROLL, &[b"ada"]),
            Ok(ShellCommand::Enroll { name: "ada" })
        );
        assert_eq!(
            ShellCommand::parse(ffi::FG_CMD_ENROLL, &[]),
            Err(AbiError::BadArguments)
        );
        assert_eq!(
            ShellCommand::parse(ffi::FG_CMD_LIST, &[]),
            Ok(ShellCommand::List)
        );
        assert_eq!(
            ShellCommand::parse(ffi::FG_CMD_LIST, &[b"x"]),
            Err(AbiError::BadArguments)
        );
        assert_eq!(
            ShellCommand::parse(ffi::FG_CMD_DELETE, &[b"bo"]),
            Ok(ShellCommand::Delete { name: "bo" })
        );
        assert_eq!(
            ShellCommand::parse(ffi::FG_CMD_THRESHOLD, &[]),
            Ok(ShellCommand::Threshold { milli: None })
        );
        assert_eq!(
            ShellCommand::parse(ffi::FG_CMD_THRESHOLD, &[b"0.42"]),
            Ok(ShellCommand::Threshold { milli: Some(420) })
        );
        assert_eq!(
            ShellCommand::parse(ffi::FG_CMD_STATS, &[]),
            Ok(ShellCommand::Stats)
        );
        assert_eq!(
            ShellCommand::parse(99, &[]),
            Err(AbiError::UnknownCommand(99))
        );
        assert_eq!(
            ShellCommand::parse(ffi::FG_CMD_ENROLL, &[b"\xff"]),
            Err(AbiError::BadArguments)
        );
    }

    #[test]
    fn thresholds_parse_to_thousandths_without_floats() {
        for (s, v) in [
            ("0.5", 500),
            (".5", 500),
            ("1", 1000),
            ("1.000", 1000),
            ("-0.25", -250),
            ("0.001", 1),
            ("0", 0),
        ] {
            assert_eq!(parse_milli(s), Ok(v), "{s}");
        }
        for s in [
            "", ".", "-", "1.5", "2", "0.1234", "0,5", "abc", "10", "--1", "1e3",
        ] {
            assert_eq!(parse_milli(s), Err(AbiError::BadThreshold), "{s}");
        }
    }

    #[test]
    fn argv_is_borrowed_without_the_command_name() {
        let name = c"enroll";
        let arg = c"grace";
        let argv = [name.as_ptr(), arg.as_ptr()];
        // SAFETY: (test) argv holds two live NUL-terminated strings.
        let args = unsafe { args_from_argv(2, argv.as_ptr()) }.unwrap();
        assert_eq!(args.as_slice(), [b"grace".as_slice()]);
        let many = [name.as_ptr(); SHELL_MAX_ARGS + 1];
        // SAFETY: (test) as above.
        let err = unsafe { args_from_argv(many.len(), many.as_ptr()) }.unwrap_err();
        assert_eq!(err, AbiError::BadArguments);
        let with_null = [name.as_ptr(), core::ptr::null()];
        // SAFETY: (test) argc matches the array; the null entry is what is being tested.
        let err = unsafe { args_from_argv(2, with_null.as_ptr()) }.unwrap_err();
        assert_eq!(err, AbiError::BadArguments);
    }
}
