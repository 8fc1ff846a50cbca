#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs `cargo <args>` for the Cortex-M55 target (thumbv8m.main-none-eabihf) in the mode that
# tools/ci/setup.sh chose: rustup's prebuilt core, or Debian's toolchain rebuilding core.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
MODE="$(cat "$ROOT/target/facegate-m55-mode" 2>/dev/null || echo rustup)"
if [ "$MODE" = build-std ]; then
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 exec /usr/bin/cargo "$@" -Zbuild-std=core,alloc
else
  exec cargo "$@"
fi
