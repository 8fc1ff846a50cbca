#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the bare-metal runner (m55/), boots it on QEMU's Cortex-M55 (mps3-an547), and checks
# that (1) it exits 0 and (2) every result line it prints is byte-identical to what the host
# build of the same crates prints (`facegate selfcheck`).
#
#   tools/ci/m55-qemu.sh            correctness only (fast: QEMU runs freely)
#   tools/ci/m55-qemu.sh --icount   also count guest instructions (-icount shift=0: SysTick
#                                   then ticks once per 31.25 instructions; 3-4x slower); the
#                                   runner's "cost ..." lines are the counts
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

ICOUNT=()
if [ "${1:-}" = "--icount" ]; then
  ICOUNT=(-icount shift=0)
fi

(cd m55 && "$ROOT/tools/ci/cross.sh" build --release --quiet)
ELF=m55/target/thumbv8m.main-none-eabihf/release/facegate-m55
mkdir -p target

set +e
timeout 1800 qemu-system-arm -M mps3-an547 -nographic \
  -semihosting-config enable=on,target=native "${ICOUNT[@]}" -kernel "$ELF" >target/m55.out 2>&1
status=$?
set -e
if [ ${#ICOUNT[@]} -gt 0 ]; then
  cat target/m55.out
else
  # Without -icount the "cost" lines are not instruction counts: leave them out.
  grep -v '^cost ' target/m55.out || true
fi
if [ "$status" != 0 ]; then
  echo "m55: FAILED: QEMU run exited with status $status" >&2
  exit 1
fi

# The host side in the cargo profile the caller built with (test-all.sh: ci).
cargo run --quiet --profile "${FACEGATE_HOST_PROFILE:-release}" -p facegate-sim -- selfcheck \
  >target/host-selfcheck.out
# Compare the result lines (the runner's banner and cost lines are target-only by design).
if ! diff <(grep -Ev '^(facegate-m55 |cost )' target/m55.out) target/host-selfcheck.out; then
  echo "m55: FAILED: Cortex-M55 results differ from the host's (diff above: < m55, > host)" >&2
  exit 1
fi
echo "m55: ok: $(grep -Evc '^(facegate-m55 |cost )' target/m55.out) result line(s) identical on QEMU Cortex-M55 and host"
