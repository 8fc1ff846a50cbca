// SPDX-License-Identifier: Apache-2.0
//! A tiny deterministic xorshift generator for kernel unit tests (test builds only).

extern crate std;
use std::vec::Vec;

use crate::quant::QuantizedMultiplier;

/// xorshift32 state.
pub struct Rng(pub u32);

impl Rng {
    /// Next raw value.
    pub fn next(&mut self) -> u32 {
        let mut s = self.0;
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        self.0 = s;
        s
    }

    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() as usize) % (hi - lo)
    }

    /// Fills a fixed buffer with random int8 and returns the first `n`.
    pub fn i8s(&mut self, n: usize) -> [i8; 1024] {
        let mut out = [0i8; 1024];
        for v in out.iter_mut().take(n) {
            *v = self.next() as i8;
        }
        out
    }

    /// `n` random int8 values.
    pub fn vec_i8(&mut self, n: usize) -> Vec<i8> {
        (0..n).map(|_| self.next() as i8).collect()
    }

    /// `n` random biases in `−span..span`.
    pub fn vec_bias(&mut self, n: usize, span: usize) -> Vec<i32> {
        (0..n)
            .map(|_| self.range(0, 2 * span) as i32 - span as i32)
            .collect()
    }

    /// `n` random requantisation multipliers, reals in `base..base + 400 · step`.
    pub fn vec_mults(&mut self, n: usize, base: f64, step: f64) -> Vec<QuantizedMultiplier> {
        (0..n)
            .map(|_| QuantizedMultiplier::from_real(base + self.range(0, 400) as f64 * step))
            .collect::<Result<_, _>>()
            .expect("test multipliers are positive and finite")
    }
}
