// SPDX-License-Identifier: Apache-2.0
//! A deterministic integer workload run on every target (host, QEMU Cortex-M55, board) so
//! that their results can be compared byte for byte: if requantisation differs anywhere, the
//! digest differs.

use crate::quant::QuantizedMultiplier;
use crate::Error;

/// Multipliers spanning the shifts real models use (right shifts of 1..20, and left shifts).
const MULTIPLIERS: [f64; 8] = [
    0.000_015_3,
    0.000_731,
    0.004_2,
    0.031_25,
    0.333_3,
    0.999_9,
    1.75,
    7.5,
];

/// Requantises a pseudo-random stream of accumulators (a fixed xorshift sequence) with each
/// multiplier, saturating to int8 like a kernel's output stage, and folds every output into
/// an FNV-1a digest. Returns the digest and the number of values processed.
pub fn requantize_digest(samples_per_multiplier: u32) -> Result<(u32, u32), Error> {
    let mut state: u32 = 0x2545_f491;
    let mut digest: u32 = 0x811c_9dc5;
    let mut count = 0u32;
    for &real in &MULTIPLIERS {
        let m = QuantizedMultiplier::from_real(real)?;
        for _ in 0..samples_per_multiplier {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            // Accumulators of int8 convolutions stay well inside ±2^24.
            let acc = (state as i32) >> 7;
            let out = m.apply(acc).saturating_add(-3).clamp(-128, 127) as i8;
            digest = (digest ^ u32::from(out as u8)).wrapping_mul(0x0100_0193);
            count += 1;
        }
    }
    Ok((digest, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_deterministic_and_input_sensitive() {
        let (a, n) = requantize_digest(1000).unwrap();
        let (b, _) = requantize_digest(1000).unwrap();
        let (c, _) = requantize_digest(1001).unwrap();
        assert_eq!(n, 8000);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
