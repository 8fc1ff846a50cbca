// SPDX-License-Identifier: Apache-2.0
//! `core::fmt::Write` for shell output: buffers text and prints whole lines via `fg_shell_puts`.

use core::fmt;

use crate::ffi;

/// Longest line printed in one piece; longer lines are split.
pub const SHELL_LINE_MAX: usize = 96;

/// Writes to the shell that ran the current command. Lines go out on `\n`, when the buffer is
/// full, and on drop.
#[derive(Debug)]
pub struct ShellWriter {
    sh: *const ffi::Shell,
    line: heapless::Vec<u8, { SHELL_LINE_MAX + 1 }>,
}

impl ShellWriter {
    /// A writer for shell `sh`.
    ///
    /// # Safety
    /// `sh` must be the `const struct shell *` the shim passed to the command handler, and the
    /// writer must be dropped before the handler returns.
    pub unsafe fn new(sh: *const ffi::Shell) -> Self {
        Self {
            sh,
            line: heapless::Vec::new(),
        }
    }

    /// Prints the buffered partial line, if any.
    pub fn flush(&mut self) {
        if self.line.is_empty() {
            return;
        }
        // Capacity is SHELL_LINE_MAX + 1 and push_byte keeps one slot free for the NUL.
        let _ = self.line.push(0);
        // SAFETY: `line` is NUL-terminated and lives through the call; `sh` is valid per `new`.
        unsafe { ffi::fg_shell_puts(self.sh, self.line.as_ptr().cast()) };
        self.line.clear();
    }

    fn push_byte(&mut self, b: u8) {
        if b == b'\n' {
            // An empty line still prints (a blank separator line).
            if self.line.is_empty() {
                let _ = self.line.push(b' ');
            }
            self.flush();
            return;
        }
        if self.line.len() == SHELL_LINE_MAX {
            self.flush();
        }
        // NUL would cut the line short in C; show it as '?'.
        let _ = self.line.push(if b == 0 { b'?' } else { b });
    }
}

impl fmt::Write for ShellWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            self.push_byte(b);
        }
        Ok(())
    }
}

impl Drop for ShellWriter {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake;
    use core::fmt::Write;
    use std::string::String;

    fn sh() -> *const ffi::Shell {
        core::ptr::NonNull::dangling().as_ptr()
    }

    #[test]
    fn prints_whole_lines_and_the_tail_on_drop() {
        let _g = fake::serial();
        {
            // SAFETY: (test) the fake ignores the shell pointer.
            let mut w = unsafe { ShellWriter::new(sh()) };
            write!(w, "ids: {}\nthreshold {}.{:03}\n", 2, 0, 420).unwrap();
            write!(w, "tail").unwrap();
            assert_eq!(fake::with(|s| s.shell_lines.len()), 2);
        }
        assert_eq!(
            fake::with(|s| s.shell_lines.clone()),
            ["ids: 2", "threshold 0.420", "tail"]
        );
    }

    #[test]
    fn long_lines_are_split_and_nul_is_escaped() {
        let _g = fake::serial();
        let long: String = "x".repeat(SHELL_LINE_MAX + 5);
        {
            // SAFETY: (test) as above.
            let mut w = unsafe { ShellWriter::new(sh()) };
            w.write_str(&long).unwrap();
            w.write_str("\na\0b\n").unwrap();
        }
        let lines = fake::with(|s| s.shell_lines.clone());
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].len(), SHELL_LINE_MAX);
        assert_eq!(lines[1], "xxxxx");
        assert_eq!(lines[2], "a?b");
    }
}
