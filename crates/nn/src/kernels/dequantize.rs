// SPDX-License-Identifier: Apache-2.0
//! DEQUANTIZE: int8 → float as `(float)((double)scale · (q − zp))`.

/// Int8 to float.
pub fn dequantize(scale: f32, zero_point: i32, x: &[i8], y: &mut [f32]) {
    for (o, &v) in y.iter_mut().zip(x) {
        *o = (f64::from(scale) * f64::from(i32::from(v) - zero_point)) as f32;
    }
}
