// SPDX-License-Identifier: Apache-2.0
//! FourCC pixel-format codes as Zephyr's `VIDEO_FOURCC()` builds them, with bytes per pixel.

/// A FourCC code, same value as Zephyr's `VIDEO_PIX_FMT_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fourcc(pub u32);

impl Fourcc {
    /// `VIDEO_PIX_FMT_RGB565` ('RGBP'): little-endian u16 `RRRRRGGGGGGBBBBB`.
    pub const RGB565: Self = Self::from_bytes(*b"RGBP");
    /// `VIDEO_PIX_FMT_RGB24` ('RGB3'): bytes R, G, B.
    pub const RGB24: Self = Self::from_bytes(*b"RGB3");
    /// `VIDEO_PIX_FMT_BGR24` ('BGR3'): bytes B, G, R.
    pub const BGR24: Self = Self::from_bytes(*b"BGR3");
    /// `VIDEO_PIX_FMT_XRGB32` ('BX24').
    pub const XRGB32: Self = Self::from_bytes(*b"BX24");
    /// `VIDEO_PIX_FMT_YUYV` ('YUYV').
    pub const YUYV: Self = Self::from_bytes(*b"YUYV");
    /// `VIDEO_PIX_FMT_GREY` ('GREY').
    pub const GREY: Self = Self::from_bytes(*b"GREY");

    /// Packs four ASCII bytes, first byte in the low bits (`VIDEO_FOURCC(a, b, c, d)`).
    pub const fn from_bytes(b: [u8; 4]) -> Self {
        Self(u32::from_le_bytes(b))
    }

    /// The four characters.
    pub const fn to_bytes(self) -> [u8; 4] {
        self.0.to_le_bytes()
    }

    /// Bytes per pixel of the packed formats FaceGate handles, `None` for others.
    pub const fn bytes_per_pixel(self) -> Option<u32> {
        match &self.to_bytes() {
            b"RGBP" | b"YUYV" => Some(2),
            b"RGB3" | b"BGR3" => Some(3),
            b"BX24" => Some(4),
            b"GREY" => Some(1),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_like_video_fourcc() {
        // VIDEO_FOURCC('R','G','B','P') = 'R' | 'G' << 8 | 'B' << 16 | 'P' << 24.
        let expect = u32::from(b'R')
            | (u32::from(b'G') << 8)
            | (u32::from(b'B') << 16)
            | (u32::from(b'P') << 24);
        assert_eq!(Fourcc::RGB565.0, expect);
        assert_eq!(Fourcc::BGR24.to_bytes(), *b"BGR3");
        assert_eq!(Fourcc::RGB565.bytes_per_pixel(), Some(2));
        assert_eq!(Fourcc::RGB24.bytes_per_pixel(), Some(3));
        assert_eq!(Fourcc::from_bytes(*b"NV12").bytes_per_pixel(), None);
    }
}
