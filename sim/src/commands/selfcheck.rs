// SPDX-License-Identifier: Apache-2.0
//! `facegate selfcheck`: the integer digest the QEMU Cortex-M55 runner must reproduce.

use anyhow::Result;

/// Samples per multiplier (the m55 runner uses the same number).
const SELFCHECK_SAMPLES: u32 = 4096;

pub fn selfcheck() -> Result<()> {
    let (digest, count) = facegate_nn::selfcheck::requantize_digest(SELFCHECK_SAMPLES)?;
    println!("selfcheck requantize n={count} digest={digest:08x}");
    Ok(())
}
