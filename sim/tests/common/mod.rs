// SPDX-License-Identifier: Apache-2.0
//! Helpers shared by the CLI's integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

/// The `facegate` binary built by this `cargo test`.
pub fn facegate() -> Command {
    Command::cargo_bin("facegate").expect("facegate binary is built by cargo test")
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A bundled photo's path.
pub fn img(name: &str) -> String {
    repo()
        .join("tests/data/images")
        .join(name)
        .display()
        .to_string()
}

/// A fresh, empty temporary folder unique to this process and `name`.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("facegate-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Exactly one line on stderr, starting with "error:", and no panic message.
pub fn one_error_line() -> impl Predicate<str> {
    predicate::str::starts_with("error: ")
        .and(predicate::function(|s: &str| {
            s.trim_end().lines().count() == 1
        }))
        .and(predicate::str::contains("panicked").not())
}
