// SPDX-License-Identifier: Apache-2.0
//! The host's monotonic clock behind the kiosk's `Clock` port.

use std::time::Instant;

use facegate_kiosk::Clock;

/// Microseconds since the clock was made.
#[derive(Debug, Clone, Copy)]
pub struct HostClock {
    origin: Instant,
}

impl HostClock {
    /// A clock starting now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for HostClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for HostClock {
    fn now_us(&self) -> u64 {
        self.origin.elapsed().as_micros().min(u128::from(u64::MAX)) as u64
    }
}
