// SPDX-License-Identifier: Apache-2.0
//! QUANTIZE: float → int8 (`round(x / scale) + zp`, single precision) and int8 → int8
//! requantisation (`s_in / s_out` multiplier, TFLite `reference_ops::Requantize`).

use crate::quant::QuantizedMultiplier;

/// Float to int8.
pub fn quantize_f32(scale: f32, zero_point: i32, x: &[f32], y: &mut [i8]) {
    for (o, &v) in y.iter_mut().zip(x) {
        let q = (libm::roundf(v / scale) as i32).saturating_add(zero_point);
        *o = q.clamp(-128, 127) as i8;
    }
}

/// Int8 to int8 with a new scale and zero point.
pub fn requantize(m: QuantizedMultiplier, input_zp: i32, output_zp: i32, x: &[i8], y: &mut [i8]) {
    for (o, &v) in y.iter_mut().zip(x) {
        let r = m.apply(i32::from(v) - input_zp).wrapping_add(output_zp);
        *o = r.clamp(-128, 127) as i8;
    }
}
