// SPDX-License-Identifier: Apache-2.0
//! Repeatable cost measurement on QEMU: with `-icount shift=0` SysTick (on the core clock)
//! advances once per 31.25 executed guest instructions, identically run to run. The 24-bit
//! counter is extended with its wrap interrupt.

use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::{SCB, SYST};
use cortex_m_rt::exception;

const RELOAD: u32 = 0x00ff_ffff;

/// Guest instructions per SysTick tick under `-icount shift=0` (m55-qemu.md).
pub const INSTRUCTIONS_PER_TICK_X100: u64 = 3125;

static WRAPS: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    WRAPS.fetch_add(1, Ordering::Relaxed);
}

/// A free-running tick counter.
pub struct TickCounter {
    _syst: SYST,
}

impl TickCounter {
    /// Starts SysTick on the core clock with the wrap interrupt enabled.
    pub fn start(mut syst: SYST) -> Self {
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(RELOAD);
        syst.clear_current();
        syst.enable_interrupt();
        syst.enable_counter();
        // VAL reads 0 until the first tick after enabling: wait for it, so the count is
        // monotonic from here on.
        while SYST::get_current() == 0 {}
        Self { _syst: syst }
    }

    /// Ticks since start (monotonic; consistent across a wrap).
    pub fn ticks(&self) -> u64 {
        loop {
            let before = WRAPS.load(Ordering::Acquire);
            let value = SYST::get_current();
            let after = WRAPS.load(Ordering::Acquire);
            // A pending (not yet taken) wrap would make `value` jump back up: re-read then.
            if before == after && !SCB::is_pendst_pending() {
                return u64::from(after) * (u64::from(RELOAD) + 1) + u64::from(RELOAD - value);
            }
        }
    }
}

/// Converts a tick delta into guest instructions (exact to ±32 instructions).
pub fn instructions(ticks: u64) -> u64 {
    ticks * INSTRUCTIONS_PER_TICK_X100 / 100
}
