// SPDX-License-Identifier: Apache-2.0
//! LOGISTIC and TANH, int8: LiteRT's reference path is a 256-entry lookup table built in
//! single precision (`LUTPopulateInt8` with `1 / (1 + expf(−x))` or `tanhf(x)`).

/// `1 / (1 + e^−x)` in single precision, as the LUT uses it.
pub fn sigmoid(x: f32) -> f32 {
    1.0f32 / (1.0f32 + libm::expf(-x))
}

/// Builds the LOGISTIC table.
pub fn build_lut(input_scale: f32, input_zp: i32, output_scale: f32, output_zp: i32) -> [i8; 256] {
    build_lut_with(input_scale, input_zp, output_scale, output_zp, sigmoid)
}

/// Builds a table: `lut[(q as u8)] = clamp(round(f(s_in · (q − zp_in)) / s_out) + zp_out)`.
pub fn build_lut_with(
    input_scale: f32,
    input_zp: i32,
    output_scale: f32,
    output_zp: i32,
    f: impl Fn(f32) -> f32,
) -> [i8; 256] {
    let mut lut = [0i8; 256];
    let inverse_scale = 1.0f32 / output_scale;
    for q in -128i32..=127 {
        let x = input_scale * ((q - input_zp) as f32);
        let y = f(x);
        let rescaled = libm::roundf(y * inverse_scale);
        let v = (rescaled + output_zp as f32) as i32;
        lut[usize::from(q as i8 as u8)] = v.clamp(-128, 127) as i8;
    }
    lut
}

/// Applies a 256-entry table to every element.
pub fn apply_lut(lut: &[i8; 256], input: &[i8], out: &mut [i8]) {
    #[cfg(target_arch = "x86_64")]
    if super::x86::lut::try_apply_lut(lut, input, out)
        || super::x86::avx2::lut::try_apply_lut(lut, input, out)
    {
        return;
    }
    for (o, &x) in out.iter_mut().zip(input) {
        *o = lut[usize::from(x as u8)];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_monotonic_and_centred() {
        let lut = build_lut(0.1, 0, 1.0 / 256.0, -128);
        // σ(0) = 0.5 → 128 − 128 = 0.
        assert_eq!(lut[0], 0);
        let mut prev = -128i8;
        for q in -128i32..=127 {
            let v = lut[usize::from(q as i8 as u8)];
            assert!(v >= prev);
            prev = v;
        }
    }
}
