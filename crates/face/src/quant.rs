// SPDX-License-Identifier: Apache-2.0
//! Per-tensor int8 quantisation parameters as the face pipeline receives them from the engine.

use crate::Error;

/// `real = scale * (q - zero_point)`, TFLite's affine int8 quantisation of one tensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quant {
    /// Real value of one quantisation step (> 0).
    pub scale: f32,
    /// The int8 value that represents real zero.
    pub zero_point: i32,
}

impl Quant {
    /// Checked constructor: the scale must be finite and positive, the zero point in int8.
    pub fn new(scale: f32, zero_point: i32) -> Result<Self, Error> {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(Error::InvalidParameter("quantisation scale"));
        }
        if !(-128..=127).contains(&zero_point) {
            return Err(Error::InvalidParameter("quantisation zero point"));
        }
        Ok(Self { scale, zero_point })
    }

    /// The real value of `q`.
    pub fn dequantize(self, q: i8) -> f32 {
        self.scale * (i32::from(q) - self.zero_point) as f32
    }

    /// The int8 value nearest to `x` (saturating), as TFLite rounds: half away from zero.
    pub fn quantize(self, x: f32) -> i8 {
        let v = libm::roundf(x / self.scale) + self.zero_point as f32;
        v.clamp(-128.0, 127.0) as i8
    }
}

/// Checks a tensor slice has exactly `expected` elements.
pub fn check_len<T>(t: &[T], expected: usize) -> Result<(), Error> {
    if t.len() == expected {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            expected,
            got: t.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_saturation() {
        let q = Quant::new(0.05, -10).unwrap();
        assert_eq!(q.quantize(0.0), -10);
        assert_eq!(q.dequantize(q.quantize(1.0)), 1.0);
        assert_eq!(q.quantize(1000.0), 127);
        assert_eq!(q.quantize(-1000.0), -128);
        assert!(Quant::new(0.0, 0).is_err());
        assert!(Quant::new(f32::NAN, 0).is_err());
        assert!(Quant::new(1.0, 128).is_err());
        assert!(check_len(&[0i8; 3], 4).is_err());
    }
}
