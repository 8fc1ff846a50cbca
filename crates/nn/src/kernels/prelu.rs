// SPDX-License-Identifier: Apache-2.0
//! PRELU, int8 (TFLite `reference_ops::BroadcastPrelu4DSlow`): non-negative inputs are
//! rescaled by `s_in / s_out`, negative ones multiplied by `alpha − alpha_zp` and rescaled by
//! `s_in · s_alpha / s_out`.

use super::broadcast::Broadcast;
use crate::quant::QuantizedMultiplier;

/// Precomputed quantisation of one PRELU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreluParams {
    /// `-input_zero_point`.
    pub input_offset: i32,
    /// `-alpha_zero_point`.
    pub alpha_offset: i32,
    /// Output zero point.
    pub output_offset: i32,
    /// Rescale of the positive branch.
    pub positive: QuantizedMultiplier,
    /// Rescale of the negative branch.
    pub negative: QuantizedMultiplier,
}

/// One element (the reference arithmetic).
#[inline]
fn one(p: &PreluParams, x: i8, alpha: i8) -> i8 {
    let x = i32::from(x) + p.input_offset;
    let v = if x >= 0 {
        p.positive.apply(x)
    } else {
        p.negative.apply(x * (i32::from(alpha) + p.alpha_offset))
    };
    v.wrapping_add(p.output_offset).clamp(-128, 127) as i8
}

/// Broadcast PReLU (alpha broadcast against the input).
pub fn prelu_reference(
    p: &PreluParams,
    bc: &Broadcast,
    input: &[i8],
    alpha: &[i8],
    out: &mut [i8],
) {
    bc.for_each(|o, ii, ia| out[o] = one(p, input[ii], alpha[ia]));
}

/// The output for every int8 input at or above the zero point (the alpha-free branch: one
/// table shared by all channels), indexed by the input as `u8`; entries below the zero point
/// are not PReLU outputs.
pub fn positive_table(p: &PreluParams) -> [i8; 256] {
    core::array::from_fn(|v| one(p, v as u8 as i8, 0))
}

/// Channels whose lookup tables live on the stack together (256 bytes each).
const TABLE_CHANNELS: usize = 16;

/// Pixels from which filling a 256-entry table per channel costs less than computing every
/// element.
const TABLE_MIN_PIXELS: usize = 128;

/// PReLU with one alpha per innermost-axis channel (`alpha.len()` channels, the input a whole
/// number of pixels). Each output depends only on the int8 input and its channel, so large
/// tensors look results up in per-channel tables filled with the reference arithmetic;
/// small ones compute them directly. Identical results either way.
pub fn prelu_per_channel(p: &PreluParams, input: &[i8], alpha: &[i8], out: &mut [i8]) {
    let c = alpha.len();
    if c == 0 {
        return;
    }
    let positive = positive_table(p);
    // Raw int8 inputs below this take the negative branch.
    let split = (-p.input_offset).clamp(-128, 128);
    let pixels = input.len() / c;
    if pixels < TABLE_MIN_PIXELS {
        for (xs, os) in input.chunks_exact(c).zip(out.chunks_exact_mut(c)) {
            for ((o, &x), &a) in os.iter_mut().zip(xs).zip(alpha) {
                *o = if i32::from(x) >= split {
                    positive[usize::from(x as u8)]
                } else {
                    one(p, x, a)
                };
            }
        }
        return;
    }
    let mut table = [[0i8; 256]; TABLE_CHANNELS];
    let mut c0 = 0;
    while c0 < c {
        let n = TABLE_CHANNELS.min(c - c0);
        for (t, &a) in table.iter_mut().zip(&alpha[c0..c0 + n]) {
            t.copy_from_slice(&positive);
            for v in -128..split {
                t[usize::from(v as i8 as u8)] = one(p, v as i8, a);
            }
        }
        for (xs, os) in input.chunks_exact(c).zip(out.chunks_exact_mut(c)) {
            let (xs, os) = (&xs[c0..c0 + n], &mut os[c0..c0 + n]);
            for ((o, &x), t) in os.iter_mut().zip(xs).zip(&table) {
                *o = t[usize::from(x as u8)];
            }
        }
        c0 += n;
    }
}

/// Broadcast PReLU: the per-channel variant when alpha is one value per innermost channel
/// and the input has the output's shape (on x86-64 with AVX-512 or AVX2, a vector kernel
/// first), else the reference.
pub fn prelu(p: &PreluParams, bc: &Broadcast, input: &[i8], alpha: &[i8], out: &mut [i8]) {
    match bc.per_channel_b() {
        Some(c) if c == alpha.len() && input.len() == out.len() => {
            #[cfg(target_arch = "x86_64")]
            if super::x86::prelu::try_prelu_per_channel(p, input, alpha, out)
                || super::x86::avx2::prelu::try_prelu_per_channel(p, input, alpha, out)
            {
                return;
            }
            prelu_per_channel(p, input, alpha, out)
        }
        _ => prelu_reference(p, bc, input, alpha, out),
    }
}

/// Shared checks for the vector PReLU kernels: each compares a per-channel kernel with
/// [`prelu_reference`] byte for byte.
#[cfg(test)]
pub(crate) mod checks {
    use super::{prelu_reference, PreluParams};
    use crate::kernels::broadcast::Broadcast;
    use crate::kernels::test_rng::Rng;
    use crate::quant::QuantizedMultiplier;

    /// A kernel under test: computes `out` from `input` and one alpha per channel and
    /// returns true, or returns false when it does not take the op.
    pub(crate) type Kernel<'k> = &'k dyn Fn(&PreluParams, &[i8], &[i8], &mut [i8]) -> bool;

    /// Random zero points (extremes, and offsets beyond them that put every input on one
    /// side of the split), positive multipliers with left and right shifts, normalised
    /// negative ones with right shifts, channel counts from `min_channels` (most not a
    /// multiple of 16) and pixels: the kernel must take every case and equal the reference.
    pub(crate) fn random_ops(seed: u32, min_channels: usize, kernel: Kernel<'_>) {
        let mut rng = Rng(seed);
        let offset = |rng: &mut Rng| match rng.range(0, 8) {
            0 => -127,
            1 => 128,
            2 => -255 + rng.range(0, 128) as i32,
            3 => 255 - rng.range(0, 128) as i32,
            _ => rng.range(0, 256) as i32 - 127,
        };
        for round in 0..400 {
            let p = PreluParams {
                input_offset: offset(&mut rng),
                alpha_offset: offset(&mut rng),
                output_offset: rng.range(0, 256) as i32 - 128,
                positive: QuantizedMultiplier {
                    multiplier: (1 << 30) + rng.range(0, 1 << 30) as i32,
                    shift: rng.range(0, 8) as i32 - 5,
                },
                negative: QuantizedMultiplier {
                    multiplier: match round % 9 {
                        0 => i32::MAX,
                        1 => 1 << 30,
                        _ => (1 << 30) + rng.range(0, 1 << 30) as i32,
                    },
                    shift: -(rng.range(0, if round % 5 == 0 { 32 } else { 12 }) as i32),
                },
            };
            let c = if round % 4 == 0 {
                16 * rng.range(1, 5)
            } else {
                rng.range(min_channels, 70)
            };
            let pixels = rng.range(1, 1000 / c + 1);
            let n = pixels * c;
            let (x, alpha) = (rng.i8s(n), rng.i8s(c));
            let dims = [1, 1, 1, 1, pixels, c];
            let bc = Broadcast::new(dims, [1, 1, 1, 1, 1, c], dims).expect("per-channel alpha");
            let mut want = [0i8; 1024];
            let mut got = [0i8; 1024];
            prelu_reference(&p, &bc, &x[..n], &alpha[..c], &mut want[..n]);
            assert!(
                kernel(&p, &x[..n], &alpha[..c], &mut got[..n]),
                "round {round}"
            );
            assert_eq!(want[..n], got[..n], "round {round}: {p:?}, {pixels} x {c}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_rng::Rng;

    #[test]
    fn per_channel_matches_reference() {
        let mut rng = Rng(55);
        for (h, w, c) in [
            (1, 3, 5),
            (4, 4, 7),
            (20, 20, 17),
            (24, 24, 16),
            (2, 300, 3),
        ] {
            let p = PreluParams {
                input_offset: rng.range(0, 60) as i32 - 30,
                alpha_offset: rng.range(0, 60) as i32 - 30,
                output_offset: rng.range(0, 40) as i32 - 20,
                positive: QuantizedMultiplier::from_real(0.3 + rng.range(0, 90) as f64 * 0.01)
                    .unwrap(),
                negative: QuantizedMultiplier::from_real(0.001 + rng.range(0, 50) as f64 * 0.0002)
                    .unwrap(),
            };
            let n = h * w * c;
            let mut x = [0i8; 2400 * 4];
            for v in &mut x[..n] {
                *v = rng.next() as i8;
            }
            let alpha = &rng.i8s(c)[..c];
            let bc =
                Broadcast::new([1, 1, 1, h, w, c], [1, 1, 1, 1, 1, c], [1, 1, 1, h, w, c]).unwrap();
            assert_eq!(bc.per_channel_b(), Some(c));
            let mut want = [0i8; 2400 * 4];
            let mut got = [0i8; 2400 * 4];
            prelu_reference(&p, &bc, &x[..n], alpha, &mut want[..n]);
            prelu(&p, &bc, &x[..n], alpha, &mut got[..n]);
            assert_eq!(want[..n], got[..n], "{h}x{w}x{c}");
        }
        let bc =
            Broadcast::new([1, 1, 1, 1, 2, 3], [1, 1, 1, 1, 2, 3], [1, 1, 1, 1, 2, 3]).unwrap();
        assert_eq!(bc.per_channel_b(), None);
    }
}
