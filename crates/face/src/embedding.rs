// SPDX-License-Identifier: Apache-2.0
//! Face embeddings as L2-normalised Q15 fixed-point vectors, and their cosine similarity.
//!
//! Why i16 Q15 rather than `[f32; D]`: the int8 recognizer output is already integer, so
//! normalising it in integer arithmetic and comparing with an integer dot product gives
//! results that are bit-identical on every core (FPU or not, host or target) with no `libm`
//! subtlety; a template takes half the RAM and flash of f32 (384 bytes for 192-d); and the
//! rounding error (1/32767 per component, < 1e-3 on a cosine) is far below the gap between
//! genuine and impostor scores (~0.70 vs ~0.54 for MobileFaceNet).

use crate::Error;

/// Fixed-point one: components are `round(32767 * x_i)` of a unit vector.
pub const Q15_ONE: i32 = 32767;

/// An L2-normalised embedding of dimension `D`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Embedding<const D: usize> {
    v: [i16; D],
}

/// Integer square root (floor) of a u128.
fn isqrt(n: u128) -> u128 {
    if n < 2 {
        return n;
    }
    // Newton from above: x_{k+1} = (x_k + n / x_k) / 2 decreases to floor(sqrt(n)).
    let mut x = 1u128 << (128 - n.leading_zeros()).div_ceil(2);
    loop {
        let y = (x + n / x) / 2;
        if y >= x {
            return x;
        }
        x = y;
    }
}

impl<const D: usize> Embedding<D> {
    /// Normalises integer components (any common scale) to a unit vector.
    fn from_ints(v: impl Fn(usize) -> i64) -> Result<Self, Error> {
        let norm2: u128 = (0..D).map(|i| (v(i).unsigned_abs() as u128).pow(2)).sum();
        if norm2 == 0 {
            return Err(Error::ZeroEmbedding);
        }
        if norm2 >= 1u128 << 94 {
            return Err(Error::InvalidParameter("embedding components too large"));
        }
        // r = sqrt(norm2) in 16.16 fixed point.
        let r = isqrt(norm2 << 32) as i128;
        let mut out = [0i16; D];
        for (i, o) in out.iter_mut().enumerate() {
            let num = (i128::from(v(i)) * i128::from(Q15_ONE)) << 16;
            let q = (num + num.signum() * r / 2) / r;
            *o = q.clamp(-i128::from(Q15_ONE), i128::from(Q15_ONE)) as i16;
        }
        Ok(Self { v: out })
    }

    /// From the recognizer's int8 output and its zero point (the scale cancels in the
    /// normalisation, so it is not needed).
    pub fn from_i8(q: &[i8], zero_point: i32) -> Result<Self, Error> {
        crate::quant::check_len(q, D)?;
        Self::from_ints(|i| i64::from(i32::from(q[i]) - zero_point))
    }

    /// From float components (test vectors, float models).
    pub fn from_f32(x: &[f32]) -> Result<Self, Error> {
        crate::quant::check_len(x, D)?;
        let mut norm2 = 0.0f32;
        for &c in x {
            if !c.is_finite() {
                return Err(Error::InvalidParameter("embedding not finite"));
            }
            norm2 += c * c;
        }
        if norm2 <= 0.0 {
            return Err(Error::ZeroEmbedding);
        }
        // Scale to a large integer vector, then share the exact integer normalisation.
        let k = (1u32 << 30) as f32 / libm::sqrtf(norm2);
        Self::from_ints(|i| libm::roundf(x[i] * k) as i64)
    }

    /// From stored Q15 components, re-normalised (stored data is not trusted to be unit).
    pub fn from_q15(v: &[i16]) -> Result<Self, Error> {
        crate::quant::check_len(v, D)?;
        Self::from_ints(|i| i64::from(v[i]))
    }

    /// The Q15 components.
    pub fn as_q15(&self) -> &[i16; D] {
        &self.v
    }

    /// Integer dot product (unit vectors: about `32767^2 * cos`).
    pub fn dot(&self, other: &Self) -> i64 {
        self.v
            .iter()
            .zip(other.v.iter())
            .map(|(&a, &b)| i64::from(a) * i64::from(b))
            .sum()
    }

    /// Cosine similarity in [-1, 1].
    pub fn cosine(&self, other: &Self) -> f32 {
        self.dot(other) as f32 / (Q15_ONE * Q15_ONE) as f32
    }
}

/// Running sum of embeddings whose mean, re-normalised, is an enrolment template.
#[derive(Debug, Clone)]
pub struct EmbeddingSum<const D: usize> {
    sum: [i32; D],
    count: u16,
}

impl<const D: usize> Default for EmbeddingSum<D> {
    fn default() -> Self {
        Self {
            sum: [0; D],
            count: 0,
        }
    }
}

impl<const D: usize> EmbeddingSum<D> {
    /// Adds one sample (saturates at 65535 samples, where the sum still fits i32).
    pub fn add(&mut self, e: &Embedding<D>) {
        if self.count == u16::MAX {
            return;
        }
        for (s, &v) in self.sum.iter_mut().zip(e.v.iter()) {
            *s += i32::from(v);
        }
        self.count += 1;
    }

    /// Samples added.
    pub fn count(&self) -> usize {
        usize::from(self.count)
    }

    /// The normalised mean direction.
    pub fn mean(&self) -> Result<Embedding<D>, Error> {
        Embedding::from_ints(|i| i64::from(self.sum[i]))
    }

    /// Forgets all samples.
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isqrt_exact() {
        for n in [
            0u128,
            1,
            2,
            3,
            4,
            15,
            16,
            17,
            1 << 64,
            (1 << 64) - 1,
            u128::MAX >> 2,
        ] {
            let r = isqrt(n);
            assert!(r * r <= n && (r + 1) * (r + 1) > n, "{n}");
        }
    }

    #[test]
    fn normalises_int8_and_float_alike() {
        let q: [i8; 4] = [13, -7, 3, 3]; // minus zp 3 -> 10, -10, 0, 0
        let e = Embedding::<4>::from_i8(&q, 3).unwrap();
        assert_eq!(e.as_q15(), &[23170, -23170, 0, 0]);
        let f = Embedding::<4>::from_f32(&[0.5, -0.5, 0.0, 0.0]).unwrap();
        assert_eq!(e, f);
        assert!((e.cosine(&e) - 1.0).abs() < 1e-4);
        let g = Embedding::<4>::from_f32(&[1.0, 1.0, 0.0, 0.0]).unwrap();
        assert!(e.cosine(&g).abs() < 1e-4);
        let h = Embedding::<4>::from_f32(&[1.0, 0.0, 0.0, 0.0]).unwrap();
        assert!((e.cosine(&h) - core::f32::consts::FRAC_1_SQRT_2).abs() < 1e-4);
        assert_eq!(
            Embedding::<4>::from_i8(&[3; 4], 3),
            Err(Error::ZeroEmbedding)
        );
        assert!(Embedding::<4>::from_i8(&[3; 5], 3).is_err());
        assert!(Embedding::<2>::from_f32(&[f32::NAN, 1.0]).is_err());
        // A single dominant component stays within i16.
        let one = Embedding::<3>::from_i8(&[127, 0, 0], 0).unwrap();
        assert_eq!(one.as_q15()[0], 32767);
    }

    #[test]
    fn mean_of_samples_is_renormalised() {
        let a = Embedding::<2>::from_f32(&[1.0, 0.0]).unwrap();
        let b = Embedding::<2>::from_f32(&[0.0, 1.0]).unwrap();
        let mut s = EmbeddingSum::<2>::default();
        s.add(&a);
        s.add(&b);
        assert_eq!(s.count(), 2);
        let m = s.mean().unwrap();
        assert_eq!(m.as_q15(), &[23170, 23170]);
        s.clear();
        assert_eq!(s.mean(), Err(Error::ZeroEmbedding));
    }
}
