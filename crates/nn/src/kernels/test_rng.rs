// SPDX-License-Identifier: Apache-2.0
//! A tiny deterministic xorshift generator for kernel unit tests (test builds only).

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
}
