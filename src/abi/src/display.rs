// SPDX-License-Identifier: Apache-2.0
//! Display port over `fg_disp_*`: capabilities, pixel format, checked rectangle writes.

use crate::error::check;
use crate::{ffi, AbiError, Fourcc, Frame, Result};

/// Pixel formats the display shim maps to Zephyr's `enum display_pixel_format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisplayFormat {
    /// Little-endian RGB565, the same bytes as the camera's `VIDEO_PIX_FMT_RGB565`
    /// (Zephyr >= 4.4 `PIXEL_FORMAT_RGB_565`).
    Rgb565,
    /// Byte-swapped RGB565 (`PIXEL_FORMAT_RGB_565X`), what SPI panels take on the wire.
    Rgb565X,
    /// RGB888.
    Rgb888,
    /// ARGB8888.
    Argb8888,
}

impl DisplayFormat {
    const ALL: [Self; 4] = [Self::Rgb565, Self::Rgb565X, Self::Rgb888, Self::Argb8888];

    fn raw(self) -> u32 {
        match self {
            Self::Rgb565 => ffi::FG_PIX_RGB565,
            Self::Rgb565X => ffi::FG_PIX_RGB565X,
            Self::Rgb888 => ffi::FG_PIX_RGB888,
            Self::Argb8888 => ffi::FG_PIX_ARGB8888,
        }
    }

    fn from_raw(raw: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.raw() == raw)
    }

    /// Bytes per pixel.
    pub fn bytes_per_pixel(self) -> usize {
        match self {
            Self::Rgb565 | Self::Rgb565X => 2,
            Self::Rgb888 => 3,
            Self::Argb8888 => 4,
        }
    }

    /// The camera format whose bytes this display format shows unchanged, if any.
    pub fn camera_fourcc(self) -> Option<Fourcc> {
        match self {
            Self::Rgb565 => Some(Fourcc::RGB565),
            Self::Rgb888 => Some(Fourcc::RGB24),
            Self::Argb8888 => Some(Fourcc::XRGB32),
            Self::Rgb565X => None,
        }
    }
}

/// What the display reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisplayCaps {
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    formats: u32,
    /// Format in use, `None` if it is none of ours.
    pub current: Option<DisplayFormat>,
}

impl DisplayCaps {
    /// Whether the display can be switched to `format`.
    pub fn supports(&self, format: DisplayFormat) -> bool {
        self.formats & (1 << format.raw()) != 0
    }
}

/// The chosen `zephyr,display`.
#[derive(Debug)]
pub struct Display {
    caps: DisplayCaps,
}

impl Display {
    /// Finds the display and reads its capabilities.
    pub fn open() -> Result<Self> {
        let mut raw = ffi::FgDispCaps::default();
        // SAFETY: `raw` is a valid, exclusively borrowed fg_disp_caps for the call.
        check(unsafe { ffi::fg_disp_open(&mut raw) })?;
        if raw.width == 0 || raw.height == 0 {
            return Err(AbiError::ContractViolation);
        }
        Ok(Self {
            caps: DisplayCaps {
                width: raw.width,
                height: raw.height,
                formats: raw.formats,
                current: DisplayFormat::from_raw(raw.current),
            },
        })
    }

    /// Capabilities as last known.
    pub fn caps(&self) -> DisplayCaps {
        self.caps
    }

    /// Switches the pixel format; refuses formats the display does not list.
    pub fn set_format(&mut self, format: DisplayFormat) -> Result<()> {
        if self.caps.current == Some(format) {
            return Ok(());
        }
        if !self.caps.supports(format) {
            return Err(AbiError::NotSupported);
        }
        // SAFETY: plain integer argument.
        check(unsafe { ffi::fg_disp_set_format(format.raw()) })?;
        self.caps.current = Some(format);
        Ok(())
    }

    /// Shows the framebuffer (`display_blanking_off`); displays without blanking succeed.
    pub fn blanking_off(&mut self) -> Result<()> {
        // SAFETY: no arguments.
        check(unsafe { ffi::fg_disp_blanking_off() }).map(|_| ())
    }

    /// Writes a `width` x `height` rectangle at (`x`, `y`) whose rows start `pitch_px` pixels
    /// apart in `bytes`, in the current format. Rectangles must lie on the screen.
    pub fn write(
        &mut self,
        x: u16,
        y: u16,
        width: u16,
        height: u16,
        pitch_px: u16,
        bytes: &[u8],
    ) -> Result<()> {
        let format = self.caps.current.ok_or(AbiError::FormatMismatch)?;
        if width == 0
            || height == 0
            || pitch_px < width
            || u32::from(x) + u32::from(width) > u32::from(self.caps.width)
            || u32::from(y) + u32::from(height) > u32::from(self.caps.height)
        {
            return Err(AbiError::BadGeometry);
        }
        let bpp = format.bytes_per_pixel();
        let needed = ((usize::from(height) - 1) * usize::from(pitch_px) + usize::from(width)) * bpp;
        if bytes.len() < needed {
            return Err(AbiError::BufferTooShort {
                needed,
                got: bytes.len(),
            });
        }
        let len = u32::try_from(bytes.len()).map_err(|_| AbiError::TooLarge)?;
        // SAFETY: `bytes` is a live slice of `len` bytes for the whole call, and the checks
        // above guarantee the driver reads only inside it.
        check(unsafe {
            ffi::fg_disp_write(x, y, width, height, pitch_px, bytes.as_ptr().cast(), len)
        })
        .map(|_| ())
    }

    /// Shows a camera frame at (`x`, `y`), passing its pitch through (no copy). The frame's
    /// pixel format must be the display's current one.
    pub fn write_frame(&mut self, x: u16, y: u16, frame: &Frame) -> Result<()> {
        let format = self.caps.current.ok_or(AbiError::FormatMismatch)?;
        if format.camera_fourcc() != Some(frame.fourcc()) {
            return Err(AbiError::FormatMismatch);
        }
        let bpp = format.bytes_per_pixel() as u32;
        if !frame.pitch().is_multiple_of(bpp) {
            return Err(AbiError::BadGeometry);
        }
        let narrow = |v: u32| u16::try_from(v).map_err(|_| AbiError::BadGeometry);
        self.write(
            x,
            y,
            narrow(frame.width())?,
            narrow(frame.height())?,
            narrow(frame.pitch() / bpp)?,
            frame.data(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{fake, Camera, CameraRole};

    fn open_rgb565() -> Display {
        let mut d = Display::open().unwrap();
        d.set_format(DisplayFormat::Rgb565).unwrap();
        d
    }

    #[test]
    fn open_reads_caps_and_set_format_checks_them() {
        let _g = fake::serial();
        let mut d = Display::open().unwrap();
        assert_eq!((d.caps().width, d.caps().height), (320, 240));
        assert_eq!(d.caps().current, Some(DisplayFormat::Rgb888));
        assert!(d.caps().supports(DisplayFormat::Rgb565X));
        assert_eq!(
            d.set_format(DisplayFormat::Argb8888).unwrap_err(),
            AbiError::NotSupported
        );
        d.set_format(DisplayFormat::Rgb565).unwrap();
        assert_eq!(fake::with(|s| s.disp_caps.current), ffi::FG_PIX_RGB565);
    }

    #[test]
    fn open_maps_not_ready() {
        let _g = fake::serial();
        fake::with(|s| s.force_code = Some(ffi::FG_ERR_NOT_READY));
        assert_eq!(Display::open().unwrap_err(), AbiError::NotReady);
    }

    #[test]
    fn write_passes_geometry_and_bytes() {
        let _g = fake::serial();
        let mut d = open_rgb565();
        let px: std::vec::Vec<u8> = (0..2 * 6 * 2).map(|i| i as u8).collect();
        // 4 px wide rect out of 6 px rows.
        d.write(10, 20, 4, 2, 6, &px).unwrap();
        let w = fake::with(|s| s.disp_writes.pop().unwrap());
        assert_eq!((w.x, w.y, w.width, w.height, w.pitch_px), (10, 20, 4, 2, 6));
        assert_eq!(w.bytes, px);
    }

    #[test]
    fn write_refuses_short_buffers_and_offscreen_rects() {
        let _g = fake::serial();
        let mut d = open_rgb565();
        let px = [0u8; 15];
        // Needs (1 * 4 + 4) * 2 = 16 bytes.
        assert_eq!(
            d.write(0, 0, 4, 2, 4, &px).unwrap_err(),
            AbiError::BufferTooShort {
                needed: 16,
                got: 15
            }
        );
        assert_eq!(
            d.write(318, 0, 4, 1, 4, &[0; 8]).unwrap_err(),
            AbiError::BadGeometry
        );
        assert_eq!(
            d.write(0, 0, 4, 1, 3, &[0; 8]).unwrap_err(),
            AbiError::BadGeometry
        );
        assert!(fake::with(|s| s.disp_writes.is_empty()));
    }

    #[test]
    fn write_frame_converts_the_byte_pitch_to_pixels() {
        let _g = fake::serial();
        fake::with(|s| s.cam_pitch_align = 16);
        let mut cam = Camera::open(CameraRole::Main, Fourcc::RGB565, 100, 3, 2).unwrap();
        cam.start().unwrap();
        fake::with(|s| s.push_frame_pattern(3));
        let frame = cam.next_frame(0).unwrap();
        assert_eq!(frame.pitch(), 208);
        let mut d = open_rgb565();
        d.write_frame(0, 0, &frame).unwrap();
        let w = fake::with(|s| s.disp_writes.pop().unwrap());
        assert_eq!((w.width, w.height, w.pitch_px), (100, 3, 104));
        assert_eq!(w.bytes, frame.data());
    }

    #[test]
    fn write_frame_refuses_a_format_mismatch() {
        let _g = fake::serial();
        let mut cam = Camera::open(CameraRole::Main, Fourcc::RGB565, 8, 2, 2).unwrap();
        cam.start().unwrap();
        fake::with(|s| s.push_frame_pattern(0));
        let frame = cam.next_frame(0).unwrap();
        let mut d = Display::open().unwrap();
        d.set_format(DisplayFormat::Rgb565X).unwrap();
        assert_eq!(
            d.write_frame(0, 0, &frame).unwrap_err(),
            AbiError::FormatMismatch
        );
    }
}
