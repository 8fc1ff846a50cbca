// SPDX-License-Identifier: Apache-2.0
//! The `facegate` shell command (registered by shim/fg_shell.c): parsed and printed in the
//! shell thread, executed on the inference thread that owns the engine.

use core::ffi::{c_char, c_int};
use core::fmt::Write;

use facegate_zephyr_abi::ffi::Shell;
use facegate_zephyr_abi::{args_from_argv, AbiError, ShellCommand, ShellWriter};
use zephyr::sync::channel::{Receiver, Sender};
use zephyr::sync::Mutex;
use zephyr::time::Duration;

use crate::pipeline::{Name, Reply, Request};
use crate::stats;

/// Channels to the inference thread, set by `connect` once the threads run.
struct Link {
    requests: Sender<Request>,
    replies: Receiver<Reply>,
}

static LINK: Mutex<Option<Link>> = Mutex::new(None);

/// How long the shell waits for the inference thread (one inference step at most, plus the
/// request itself).
const SEND_TIMEOUT_MS: u32 = 1000;
const REPLY_TIMEOUT_MS: u32 = 10_000;

/// Makes shell requests go to the inference thread. The channel ends stay in `LINK` for good
/// (dropping them would panic, see threads.rs).
pub fn connect(requests: Sender<Request>, replies: Receiver<Reply>) {
    match LINK.lock() {
        Ok(mut link) => *link = Some(Link { requests, replies }),
        Err(_) => {
            core::mem::forget(requests);
            core::mem::forget(replies);
        }
    }
}

/// Called by fg_shell.c for `facegate <subcommand> ...`.
#[no_mangle]
extern "C" fn facegate_shell_cmd(
    sh: *const Shell,
    cmd: u32,
    argc: usize,
    argv: *const *const c_char,
) -> c_int {
    // SAFETY: `sh` is the shell running this command; `out` is dropped before we return.
    let mut out = unsafe { ShellWriter::new(sh) };
    // SAFETY: the Zephyr shell passes `argc` NUL-terminated strings in `argv`, valid for the
    // duration of the handler, and `args` does not outlive this function.
    let result = unsafe { args_from_argv(argc, argv) }
        .and_then(|args| ShellCommand::parse(cmd, &args).and_then(|c| run(c, &mut out)));
    match result {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(out, "facegate: {e}");
            e.to_code()
        }
    }
}

fn run(cmd: ShellCommand<'_>, out: &mut ShellWriter) -> Result<(), AbiError> {
    let req = match cmd {
        ShellCommand::Stats => return stats::print(out).map_err(|_| AbiError::Io),
        ShellCommand::List => Request::List,
        ShellCommand::Enroll { name } => Request::Enroll(name_of(name)?),
        ShellCommand::Delete { name } => Request::Delete(name_of(name)?),
        ShellCommand::Threshold { milli } => Request::Threshold(milli),
    };
    let reply = ask(req)?;
    for line in &reply.lines {
        let _ = writeln!(out, "{line}");
    }
    if reply.ok {
        Ok(())
    } else {
        Err(AbiError::Io)
    }
}

fn name_of(s: &str) -> Result<Name, AbiError> {
    let mut n = Name::new();
    n.push_str(s).map_err(|_| AbiError::TooLarge)?;
    Ok(n)
}

fn ask(req: Request) -> Result<Reply, AbiError> {
    let guard = LINK.lock().map_err(|_| AbiError::Busy)?;
    let link = guard.as_ref().ok_or(AbiError::NotReady)?;
    // A reply left over from a request that timed out earlier is stale.
    while link.replies.try_recv().is_ok() {}
    link.requests
        .send_timeout(req, Duration::millis_at_least(SEND_TIMEOUT_MS.into()))
        .map_err(|_| AbiError::Busy)?;
    link.replies
        .recv_timeout(Duration::millis_at_least(REPLY_TIMEOUT_MS.into()))
        .map_err(|_| AbiError::Timeout)
}
