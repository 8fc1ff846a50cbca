#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what a fresh machine lacks for FaceGate's tests, and nothing that is already there:
#   - the Cortex-M55 Rust target (rustup), or Debian's Rust with its library sources so that
#     core can be rebuilt for the target (-Zbuild-std) where rustup cannot download it;
#   - qemu-system-arm (Debian) for the emulated Cortex-M55 (mps3-an547).
# Writes the chosen cross-build mode to target/facegate-m55-mode (rustup | build-std).
set -euo pipefail

cd "$(dirname "$0")/../.."
TARGET=thumbv8m.main-none-eabihf
mkdir -p target

have_root_apt() { command -v apt-get >/dev/null 2>&1; }
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

apt_install() {
  have_root_apt || { echo "setup: apt-get not found; install $* by hand" >&2; return 1; }
  if [ -z "${FACEGATE_APT_UPDATED:-}" ]; then
    $SUDO apt-get update -qq
    export FACEGATE_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Rust toolchain components pinned by rust-toolchain.toml (rustup installs them on first use).
rustup show active-toolchain >/dev/null

if rustup target list --installed | grep -qx "$TARGET"; then
  echo rustup >target/facegate-m55-mode
elif timeout 300 rustup target add "$TARGET"; then
  echo rustup >target/facegate-m55-mode
else
  echo "setup: rustup could not add $TARGET; falling back to Debian's Rust with -Zbuild-std" >&2
  apt_install rustc-web cargo-web rust-web-src
  echo build-std >target/facegate-m55-mode
fi

if ! command -v qemu-system-arm >/dev/null 2>&1; then
  apt_install qemu-system-arm
fi
qemu-system-arm -machine help | grep -q mps3-an547 || {
  echo "setup: this qemu-system-arm has no mps3-an547 machine" >&2
  exit 1
}
echo "setup: ok ($(cat target/facegate-m55-mode) cross build, $(qemu-system-arm --version | head -1))"
