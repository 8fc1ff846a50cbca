// SPDX-License-Identifier: Apache-2.0
//! Cold reboot through `fg_reboot` (used by the gallery store check).

use crate::ffi;

/// Reboots the board (on native_sim: restarts the program, flash file kept). Does not return
/// on a board; if the shim returns anyway (host fake), so does this.
pub fn reboot() {
    // SAFETY: no arguments; the shim either reboots or panics the kernel.
    unsafe { ffi::fg_reboot() };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake;

    #[test]
    fn reboot_calls_the_shim_once() {
        let _g = fake::serial();
        reboot();
        assert_eq!(fake::with(|s| s.reboots), 1);
    }
}
