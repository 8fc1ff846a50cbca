#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every FaceGate test a machine without a board can run (the README's test command):
# formatting, clippy, host unit/integration tests, the Cortex-M55 cross build of every no_std
# crate, and the whole-crate check on QEMU's emulated Cortex-M55. Installs what is missing
# first (tools/ci/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*"; }

step "setup"
tools/ci/setup.sh

step "cargo fmt --check"
cargo fmt --all --check
(cd m55 && cargo fmt --check)

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
# The NPU backend's FFI (the only unsafe in crates/) is feature-gated: lint it for the target.
tools/ci/cross.sh clippy --quiet -p facegate-nn --features backend-neural-art \
  --target thumbv8m.main-none-eabihf -- -D warnings
(cd m55 && "$ROOT/tools/ci/cross.sh" clippy --release --quiet -- -D warnings)

step "cargo test --workspace (profile ci: optimised, with overflow checks)"
cargo test --workspace --profile ci 2>&1 | tee target/test.log | grep -E '^(test result|error|failures:|---- )' || true
if grep -qE '^test result: FAILED|^error' target/test.log; then
  echo "cargo test: FAILED (full log: target/test.log)" >&2
  exit 1
fi
grep -q '^test result: ok' target/test.log || { echo "cargo test: no tests ran" >&2; exit 1; }

step "cross build for thumbv8m.main-none-eabihf (Cortex-M55)"
for pkg in facegate-nn facegate-face facegate-overlay facegate-kiosk; do
  tools/ci/cross.sh build --quiet --release -p "$pkg" --target thumbv8m.main-none-eabihf
  echo "built $pkg for thumbv8m.main-none-eabihf"
done

step "QEMU mps3-an547 (Cortex-M55)"
FACEGATE_HOST_PROFILE=ci tools/ci/m55-qemu.sh

printf '\nall tests passed\n'
