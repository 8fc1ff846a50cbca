// SPDX-License-Identifier: Apache-2.0
//! The screen port: an RGB565 canvas in RAM that embedded-graphics draws on, filled from camera
//! frames and flushed to the display (whole or by dirty rectangles).

use core::convert::Infallible;

use embedded_graphics::pixelcolor::raw::RawU16;
use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::{AbiError, Display, DisplayFormat, Fourcc, Frame, Result};

/// A `width` x `height` RGB565 canvas over caller-provided memory, in the display's byte order
/// (little-endian for `Rgb565`, big-endian for `Rgb565X` panels), rows `width` pixels apart.
#[derive(Debug)]
pub struct Canvas<'a> {
    buf: &'a mut [u8],
    width: u16,
    height: u16,
    swapped: bool,
}

impl<'a> Canvas<'a> {
    /// A canvas over `buf` (at least `width * height * 2` bytes) for a display in `format`.
    pub fn new(buf: &'a mut [u8], width: u16, height: u16, format: DisplayFormat) -> Result<Self> {
        let swapped = match format {
            DisplayFormat::Rgb565 => false,
            DisplayFormat::Rgb565X => true,
            _ => return Err(AbiError::FormatMismatch),
        };
        if width == 0 || height == 0 {
            return Err(AbiError::BadGeometry);
        }
        let needed = usize::from(width) * usize::from(height) * 2;
        if buf.len() < needed {
            return Err(AbiError::BufferTooShort {
                needed,
                got: buf.len(),
            });
        }
        Ok(Self {
            buf,
            width,
            height,
            swapped,
        })
    }

    fn encode(&self, c: Rgb565) -> [u8; 2] {
        let raw = RawU16::from(c).into_inner();
        if self.swapped {
            raw.to_be_bytes()
        } else {
            raw.to_le_bytes()
        }
    }

    fn offset(&self, x: u32, y: u32) -> usize {
        (y as usize * usize::from(self.width) + x as usize) * 2
    }

    /// The canvas bytes, row-major.
    pub fn bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.width) * usize::from(self.height) * 2]
    }

    /// Copies an RGB565 camera frame with its top-left corner at (`x0`, `y0`), clipped to the
    /// canvas, honouring the frame's pitch and the display's byte order.
    pub fn blit_frame(&mut self, frame: &Frame, x0: u32, y0: u32) -> Result<()> {
        if frame.fourcc() != Fourcc::RGB565 {
            return Err(AbiError::FormatMismatch);
        }
        let (cw, ch) = (u32::from(self.width), u32::from(self.height));
        if x0 >= cw || y0 >= ch {
            return Ok(());
        }
        let w = frame.width().min(cw - x0) as usize;
        let rows = frame.height().min(ch - y0);
        for y in 0..rows {
            let src = frame.row(y).ok_or(AbiError::BadGeometry)?;
            let at = self.offset(x0, y0 + y);
            let dst = &mut self.buf[at..at + w * 2];
            dst.copy_from_slice(&src[..w * 2]);
            if self.swapped {
                dst.chunks_exact_mut(2).for_each(|p| p.swap(0, 1));
            }
        }
        Ok(())
    }

    /// Writes `area` (clipped to the canvas) to the display with the canvas's top-left corner
    /// at (`x0`, `y0`) on the screen.
    pub fn flush(&self, display: &mut Display, x0: u16, y0: u16, area: &Rectangle) -> Result<()> {
        let area = area.intersection(&self.bounding_box());
        let (Some(br), tl) = (area.bottom_right(), area.top_left) else {
            return Ok(());
        };
        let (x, y) = (tl.x as u32, tl.y as u32);
        let w = (br.x as u32 - x + 1) as u16;
        let h = (br.y as u32 - y + 1) as u16;
        let start = self.offset(x, y);
        let end = self.offset(x + u32::from(w) - 1, y + u32::from(h) - 1) + 2;
        display.write(
            x0 + x as u16,
            y0 + y as u16,
            w,
            h,
            self.width,
            &self.buf[start..end],
        )
    }
}

impl OriginDimensions for Canvas<'_> {
    fn size(&self) -> Size {
        Size::new(u32::from(self.width), u32::from(self.height))
    }
}

impl DrawTarget for Canvas<'_> {
    type Color = Rgb565;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> core::result::Result<(), Infallible>
    where
        I: IntoIterator<Item = Pixel<Rgb565>>,
    {
        let (w, h) = (i32::from(self.width), i32::from(self.height));
        for Pixel(p, c) in pixels {
            if (0..w).contains(&p.x) && (0..h).contains(&p.y) {
                let at = self.offset(p.x as u32, p.y as u32);
                let bytes = self.encode(c);
                self.buf[at..at + 2].copy_from_slice(&bytes);
            }
        }
        Ok(())
    }

    fn fill_solid(
        &mut self,
        area: &Rectangle,
        color: Rgb565,
    ) -> core::result::Result<(), Infallible> {
        let area = area.intersection(&self.bounding_box());
        let Some(br) = area.bottom_right() else {
            return Ok(());
        };
        let bytes = self.encode(color);
        let (x0, x1) = (area.top_left.x as u32, br.x as u32);
        for y in area.top_left.y as u32..=br.y as u32 {
            let (a, b) = (self.offset(x0, y), self.offset(x1, y) + 2);
            self.buf[a..b]
                .chunks_exact_mut(2)
                .for_each(|px| px.copy_from_slice(&bytes));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{fake, Camera, CameraRole};
    use embedded_graphics::primitives::{PrimitiveStyle, StyledDrawable};

    #[test]
    fn new_checks_size_and_format() {
        let mut buf = [0u8; 16];
        assert!(Canvas::new(&mut buf, 4, 2, DisplayFormat::Rgb565).is_ok());
        assert_eq!(
            Canvas::new(&mut buf, 4, 3, DisplayFormat::Rgb565).unwrap_err(),
            AbiError::BufferTooShort {
                needed: 24,
                got: 16
            }
        );
        assert_eq!(
            Canvas::new(&mut buf, 2, 2, DisplayFormat::Rgb888).unwrap_err(),
            AbiError::FormatMismatch
        );
    }

    #[test]
    fn drawing_encodes_in_the_display_byte_order_and_clips() {
        let mut le = [0u8; 4 * 3 * 2];
        let mut c = Canvas::new(&mut le, 4, 3, DisplayFormat::Rgb565).unwrap();
        Rectangle::new(Point::new(2, 1), Size::new(5, 5))
            .draw_styled(&PrimitiveStyle::with_fill(Rgb565::RED), &mut c)
            .unwrap();
        Pixel(Point::new(-1, 0), Rgb565::RED).draw(&mut c).unwrap();
        Pixel(Point::new(0, 0), Rgb565::BLUE).draw(&mut c).unwrap();
        // RED = 0xf800, BLUE = 0x001f, little-endian.
        assert_eq!(&c.bytes()[0..2], &[0x1f, 0x00]);
        assert_eq!(
            &c.bytes()[c.offset(2, 1)..c.offset(2, 1) + 4],
            &[0, 0xf8, 0, 0xf8]
        );
        assert_eq!(&c.bytes()[c.offset(1, 1)..c.offset(1, 1) + 2], &[0, 0]);
        assert_eq!(&c.bytes()[c.offset(3, 2)..c.offset(3, 2) + 2], &[0, 0xf8]);

        let mut be = [0u8; 8];
        let mut c = Canvas::new(&mut be, 2, 2, DisplayFormat::Rgb565X).unwrap();
        Pixel(Point::new(1, 0), Rgb565::RED).draw(&mut c).unwrap();
        assert_eq!(&c.bytes()[2..4], &[0xf8, 0x00]);
    }

    #[test]
    fn blit_keeps_pitch_clips_and_swaps_for_565x() {
        let _g = fake::serial();
        fake::with(|s| s.cam_pitch_align = 16);
        let mut cam = Camera::open(CameraRole::Main, Fourcc::RGB565, 3, 2, 2).unwrap();
        cam.start().unwrap();
        fake::with(|s| s.push_frame_pattern(0));
        let frame = cam.next_frame(0).unwrap();
        // Frame rows: [0..6) and [16..22) (pitch 16). Canvas 4x2, frame at x=2: 2 px fit.
        let mut buf = [0xaau8; 16];
        let mut c = Canvas::new(&mut buf, 4, 2, DisplayFormat::Rgb565X).unwrap();
        c.blit_frame(&frame, 2, 0).unwrap();
        assert_eq!(
            c.bytes(),
            &[0xaa, 0xaa, 0xaa, 0xaa, 1, 0, 3, 2, 0xaa, 0xaa, 0xaa, 0xaa, 17, 16, 19, 18]
        );
    }

    #[test]
    fn flush_writes_the_clipped_region_with_the_canvas_pitch() {
        let _g = fake::serial();
        let mut d = Display::open().unwrap();
        d.set_format(DisplayFormat::Rgb565).unwrap();
        let mut buf: std::vec::Vec<u8> = (0..10 * 4 * 2).map(|i| i as u8).collect();
        let c = Canvas::new(&mut buf, 10, 4, DisplayFormat::Rgb565).unwrap();
        // Region x 8..12 (clipped to 8..10), y 1..3, canvas shown at (100, 50).
        c.flush(
            &mut d,
            100,
            50,
            &Rectangle::new(Point::new(8, 1), Size::new(4, 2)),
        )
        .unwrap();
        let w = fake::with(|s| s.disp_writes.pop().unwrap());
        assert_eq!(
            (w.x, w.y, w.width, w.height, w.pitch_px),
            (108, 51, 2, 2, 10)
        );
        // From pixel (8,1) = byte 36 to pixel (9,2) = bytes 58..60.
        assert_eq!(w.bytes.first(), Some(&36));
        assert_eq!(w.bytes.len(), 60 - 36);
        // An area off the canvas writes nothing.
        c.flush(
            &mut d,
            0,
            0,
            &Rectangle::new(Point::new(20, 20), Size::new(2, 2)),
        )
        .unwrap();
        assert!(fake::with(|s| s.disp_writes.is_empty()));
    }
}
