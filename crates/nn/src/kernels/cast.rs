// SPDX-License-Identifier: Apache-2.0
//! CAST (TFLite `copyCast`): element-wise C++ `static_cast` between bool, int8, uint8,
//! int16, int32, int64 and float32, ignoring quantisation. Out-of-range float → integer
//! conversions (undefined in C++) saturate here.

use crate::model::DType;

enum Value {
    Int(i64),
    Float(f32),
}

fn read(t: DType, b: &[u8]) -> Value {
    match t {
        DType::Bool | DType::U8 => Value::Int(i64::from(b[0])),
        DType::I8 => Value::Int(i64::from(b[0] as i8)),
        DType::I16 => Value::Int(i64::from(i16::from_le_bytes([b[0], b[1]]))),
        DType::I32 => Value::Int(i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
        DType::I64 => {
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[..8]);
            Value::Int(i64::from_le_bytes(a))
        }
        DType::F32 => Value::Float(f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
    }
}

fn write(t: DType, v: Value, b: &mut [u8]) {
    // Integers narrow by truncating bits (C++ integral conversion); floats truncate toward 0.
    let as_int = |v: &Value| -> i64 {
        match *v {
            Value::Int(i) => i,
            Value::Float(f) => f as i64,
        }
    };
    match t {
        DType::Bool => {
            b[0] = u8::from(match v {
                Value::Int(i) => i != 0,
                Value::Float(f) => f != 0.0,
            })
        }
        DType::U8 | DType::I8 => b[0] = as_int(&v) as u8,
        DType::I16 => b[..2].copy_from_slice(&(as_int(&v) as i16).to_le_bytes()),
        DType::I32 => b[..4].copy_from_slice(&(as_int(&v) as i32).to_le_bytes()),
        DType::I64 => b[..8].copy_from_slice(&as_int(&v).to_le_bytes()),
        DType::F32 => {
            let f = match v {
                Value::Int(i) => i as f32,
                Value::Float(f) => f,
            };
            b[..4].copy_from_slice(&f.to_le_bytes());
        }
    }
}

/// Casts every element of `x` (type `from`) into `y` (type `to`).
pub fn cast(from: DType, to: DType, x: &[u8], y: &mut [u8]) {
    for (src, dst) in x
        .chunks_exact(from.size())
        .zip(y.chunks_exact_mut(to.size()))
    {
        write(to, read(from, src), dst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_like_static_cast() {
        let mut y = [0u8; 12];
        cast(DType::Bool, DType::F32, &[1, 0, 1], &mut y);
        assert_eq!(y[..4], 1.0f32.to_le_bytes());
        assert_eq!(y[4..8], 0.0f32.to_le_bytes());
        let mut z = [0u8; 3];
        cast(DType::F32, DType::I8, &y[..12], &mut z);
        assert_eq!(z, [1, 0, 1]);
        let mut w = [0u8; 2];
        let mut src = [0u8; 8];
        src[..4].copy_from_slice(&(-2.7f32).to_le_bytes());
        src[4..].copy_from_slice(&2.7f32.to_le_bytes());
        cast(DType::F32, DType::I8, &src, &mut w);
        assert_eq!(w, [(-2i8) as u8, 2]);
    }
}
