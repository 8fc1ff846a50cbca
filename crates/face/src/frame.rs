// SPDX-License-Identifier: Apache-2.0
//! Borrowed, validated views over camera frame buffers, with a per-pixel RGB accessor.

use crate::Error;

/// Pixel layouts a camera hands over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    /// 16-bit little-endian `RRRRRGGG GGGBBBBB` (Zephyr `VIDEO_PIX_FMT_RGB565`).
    Rgb565,
    /// Three bytes per pixel: R, G, B.
    Rgb888,
    /// Three bytes per pixel: B, G, R.
    Bgr888,
    /// YUV 4:2:2 packed as Y0 U Y1 V per pixel pair, BT.601 limited ("studio") range.
    Yuyv,
}

impl PixelFormat {
    /// Bytes per pixel (YUYV: 2, averaged over a pair).
    pub const fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Rgb565 | PixelFormat::Yuyv => 2,
            PixelFormat::Rgb888 | PixelFormat::Bgr888 => 3,
        }
    }
}

/// A camera frame: a borrowed byte buffer with its geometry, checked at construction so that
/// every accessor stays inside the buffer.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    data: &'a [u8],
    width: usize,
    height: usize,
    stride: usize,
    format: PixelFormat,
}

impl<'a> Frame<'a> {
    /// Wraps `data` as a `width` x `height` frame whose lines start `stride` bytes apart.
    ///
    /// Errors: zero size, odd YUYV width, stride below one line, buffer shorter than
    /// `stride * (height - 1) + line length` (the last line need not be padded).
    pub fn new(
        data: &'a [u8],
        width: usize,
        height: usize,
        stride: usize,
        format: PixelFormat,
    ) -> Result<Self, Error> {
        if width == 0 || height == 0 {
            return Err(Error::EmptyImage);
        }
        if format == PixelFormat::Yuyv && !width.is_multiple_of(2) {
            return Err(Error::OddWidth { width });
        }
        let line = width
            .checked_mul(format.bytes_per_pixel())
            .ok_or(Error::InvalidParameter("frame width"))?;
        if stride < line {
            return Err(Error::StrideTooSmall { stride, min: line });
        }
        let needed = stride
            .checked_mul(height - 1)
            .and_then(|n| n.checked_add(line))
            .ok_or(Error::InvalidParameter("frame size"))?;
        if data.len() < needed {
            return Err(Error::BufferTooShort {
                needed,
                got: data.len(),
            });
        }
        Ok(Self {
            data,
            width,
            height,
            stride,
            format,
        })
    }

    /// A tightly packed frame (stride = width x bytes per pixel).
    pub fn packed(
        data: &'a [u8],
        width: usize,
        height: usize,
        format: PixelFormat,
    ) -> Result<Self, Error> {
        Self::new(
            data,
            width,
            height,
            width.saturating_mul(format.bytes_per_pixel()),
            format,
        )
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Bytes from one line to the next.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Pixel layout.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// The `[R, G, B]` value at (`x`, `y`), or `None` outside the frame.
    pub fn rgb(&self, x: usize, y: usize) -> Option<[u8; 3]> {
        if x < self.width && y < self.height {
            Some(self.rgb_in(x, y))
        } else {
            None
        }
    }

    /// The `[R, G, B]` value at (`x`, `y`) with coordinates clamped to the frame (edge
    /// replication), for resamplers.
    pub fn rgb_clamped(&self, x: i32, y: i32) -> [u8; 3] {
        let x = x.clamp(0, self.width as i32 - 1) as usize;
        let y = y.clamp(0, self.height as i32 - 1) as usize;
        self.rgb_in(x, y)
    }

    /// BT.601 luma (0..=255) at (`x`, `y`), clamped to the frame.
    pub fn luma_clamped(&self, x: i32, y: i32) -> u8 {
        luma(self.rgb_clamped(x, y))
    }

    /// Caller guarantees `x < width`, `y < height`; construction guarantees the bytes exist.
    fn rgb_in(&self, x: usize, y: usize) -> [u8; 3] {
        match self.format {
            PixelFormat::Rgb565 => self.px::<FMT_RGB565>(x, y),
            PixelFormat::Rgb888 => self.px::<FMT_RGB888>(x, y),
            PixelFormat::Bgr888 => self.px::<FMT_BGR888>(x, y),
            PixelFormat::Yuyv => self.px::<FMT_YUYV>(x, y),
        }
    }

    /// The format code for [`px`](Self::px).
    pub(crate) fn format_code(&self) -> u8 {
        match self.format {
            PixelFormat::Rgb565 => FMT_RGB565,
            PixelFormat::Rgb888 => FMT_RGB888,
            PixelFormat::Bgr888 => FMT_BGR888,
            PixelFormat::Yuyv => FMT_YUYV,
        }
    }

    /// Pixel read with the format fixed at compile time (`F` must be this frame's
    /// [`format_code`](Self::format_code)), for resampling loops; `x < width`, `y < height`
    /// (indexing stays bounds-checked either way).
    #[inline(always)]
    pub(crate) fn px<const F: u8>(&self, x: usize, y: usize) -> [u8; 3] {
        let line = y * self.stride;
        match F {
            FMT_RGB565 => {
                let o = line + 2 * x;
                let v = u16::from_le_bytes([self.data[o], self.data[o + 1]]);
                let r = ((v >> 11) & 0x1f) as u8;
                let g = ((v >> 5) & 0x3f) as u8;
                let b = (v & 0x1f) as u8;
                [
                    (r << 3) | (r >> 2),
                    (g << 2) | (g >> 4),
                    (b << 3) | (b >> 2),
                ]
            }
            FMT_RGB888 => {
                let o = line + 3 * x;
                [self.data[o], self.data[o + 1], self.data[o + 2]]
            }
            FMT_BGR888 => {
                let o = line + 3 * x;
                [self.data[o + 2], self.data[o + 1], self.data[o]]
            }
            _ => {
                let pair = line + 4 * (x / 2);
                let y_val = self.data[pair + 2 * (x % 2)];
                yuv_to_rgb(y_val, self.data[pair + 1], self.data[pair + 3])
            }
        }
    }
}

pub(crate) const FMT_RGB565: u8 = 0;
pub(crate) const FMT_RGB888: u8 = 1;
pub(crate) const FMT_BGR888: u8 = 2;
pub(crate) const FMT_YUYV: u8 = 3;

/// BT.601 limited-range YCbCr to RGB in integer arithmetic (8-bit fixed-point coefficients).
pub fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let c = 298 * (i32::from(y) - 16);
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    let clip = |x: i32| ((x + 128) >> 8).clamp(0, 255) as u8;
    [
        clip(c + 409 * e),
        clip(c - 100 * d - 208 * e),
        clip(c + 516 * d),
    ]
}

/// BT.601 luma of an RGB value, integer weights summing to 256.
pub fn luma(rgb: [u8; 3]) -> u8 {
    ((77 * u32::from(rgb[0]) + 150 * u32::from(rgb[1]) + 29 * u32::from(rgb[2]) + 128) >> 8) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_geometry() {
        let buf = [0u8; 64];
        assert_eq!(
            Frame::new(&buf, 3, 2, 6, PixelFormat::Yuyv).unwrap_err(),
            Error::OddWidth { width: 3 }
        );
        assert_eq!(
            Frame::new(&buf, 4, 2, 7, PixelFormat::Rgb565).unwrap_err(),
            Error::StrideTooSmall { stride: 7, min: 8 }
        );
        assert_eq!(
            Frame::new(&buf, 4, 5, 16, PixelFormat::Rgb888).unwrap_err(),
            Error::BufferTooShort {
                needed: 16 * 4 + 12,
                got: 64
            }
        );
        assert_eq!(
            Frame::new(&buf, 0, 5, 16, PixelFormat::Rgb888).unwrap_err(),
            Error::EmptyImage
        );
        // Last line need not be padded: 2 lines of stride 40 with 4 RGB888 pixels = 52 bytes.
        assert!(Frame::new(&buf[..52], 4, 2, 40, PixelFormat::Rgb888).is_ok());
        assert!(Frame::new(&buf[..51], 4, 2, 40, PixelFormat::Rgb888).is_err());
    }

    #[test]
    fn rgb565_little_endian_expands_to_full_range() {
        // pixel 0 pure red, pixel 1 pure green, pixel 2 pure blue, pixel 3 a mid value.
        let px = |v: u16| v.to_le_bytes();
        let mut buf = [0u8; 8];
        buf[0..2].copy_from_slice(&px(0xF800));
        buf[2..4].copy_from_slice(&px(0x07E0));
        buf[4..6].copy_from_slice(&px(0x001F));
        buf[6..8].copy_from_slice(&px((16 << 11) | (32 << 5) | 16));
        let f = Frame::packed(&buf, 4, 1, PixelFormat::Rgb565).unwrap();
        assert_eq!(f.rgb(0, 0), Some([255, 0, 0]));
        assert_eq!(f.rgb(1, 0), Some([0, 255, 0]));
        assert_eq!(f.rgb(2, 0), Some([0, 0, 255]));
        assert_eq!(f.rgb(3, 0), Some([132, 130, 132]));
        assert_eq!(f.rgb(4, 0), None);
    }

    #[test]
    fn rgb_and_bgr_with_stride() {
        // 2x2 image, stride 8 (2 padding bytes per line).
        let buf = [1, 2, 3, 4, 5, 6, 99, 99, 7, 8, 9, 10, 11, 12];
        let rgb = Frame::new(&buf, 2, 2, 8, PixelFormat::Rgb888).unwrap();
        let bgr = Frame::new(&buf, 2, 2, 8, PixelFormat::Bgr888).unwrap();
        assert_eq!(rgb.rgb(1, 1), Some([10, 11, 12]));
        assert_eq!(bgr.rgb(1, 1), Some([12, 11, 10]));
        assert_eq!(rgb.rgb_clamped(-5, 9), [7, 8, 9]);
    }

    #[test]
    fn yuyv_bt601() {
        // Pair 0: black (Y=16) and white (Y=235), neutral chroma. Pair 1: saturated red.
        let buf = [16, 128, 235, 128, 81, 90, 81, 240];
        let f = Frame::packed(&buf, 4, 1, PixelFormat::Yuyv).unwrap();
        assert_eq!(f.rgb(0, 0), Some([0, 0, 0]));
        assert_eq!(f.rgb(1, 0), Some([255, 255, 255]));
        let red = f.rgb(2, 0).unwrap();
        assert!(red[0] >= 250 && red[1] <= 5 && red[2] <= 5, "{red:?}");
        assert_eq!(luma([255, 255, 255]), 255);
        assert_eq!(luma([0, 0, 0]), 0);
    }
}
