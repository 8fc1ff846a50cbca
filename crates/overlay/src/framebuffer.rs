// SPDX-License-Identifier: Apache-2.0
//! An in-memory RGB565 framebuffer `DrawTarget` with a compile-time size and byte order, as
//! Zephyr's displays take it: `PIXEL_FORMAT_RGB_565` (little-endian u16, Zephyr >= 4.4) or
//! `PIXEL_FORMAT_RGB_565X` (big-endian, what SPI panels take on the wire).

use core::convert::Infallible;
use core::marker::PhantomData;

use embedded_graphics::geometry::{OriginDimensions, Point, Size};
use embedded_graphics::pixelcolor::raw::RawU16;
use embedded_graphics::pixelcolor::{IntoStorage, Rgb565};
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::error::Error;
use crate::rect;

/// Byte order of a stored RGB565 pixel.
pub trait PixelOrder: sealed::Sealed {
    /// True for big-endian (`RGB_565X`), false for little-endian (`RGB_565`).
    const BIG_ENDIAN: bool;

    /// The two bytes of a raw RGB565 value in this order.
    fn encode(raw: u16) -> [u8; 2] {
        if Self::BIG_ENDIAN {
            raw.to_be_bytes()
        } else {
            raw.to_le_bytes()
        }
    }

    /// The raw RGB565 value of two bytes in this order.
    fn decode(bytes: [u8; 2]) -> u16 {
        if Self::BIG_ENDIAN {
            u16::from_be_bytes(bytes)
        } else {
            u16::from_le_bytes(bytes)
        }
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Rgb565Le {}
    impl Sealed for super::Rgb565Be {}
}

/// Little-endian RGB565: Zephyr's `PIXEL_FORMAT_RGB_565` (>= 4.4) and `VIDEO_PIX_FMT_RGB565`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rgb565Le;

/// Big-endian RGB565: Zephyr's `PIXEL_FORMAT_RGB_565X` and `VIDEO_PIX_FMT_RGB565X`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rgb565Be;

impl PixelOrder for Rgb565Le {
    const BIG_ENDIAN: bool = false;
}

impl PixelOrder for Rgb565Be {
    const BIG_ENDIAN: bool = true;
}

/// A `W`x`H` RGB565 framebuffer stored in byte order `O`, row-major, no padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framebuffer<const W: usize, const H: usize, O: PixelOrder = Rgb565Le> {
    rows: [[[u8; 2]; W]; H],
    order: PhantomData<O>,
}

impl<const W: usize, const H: usize, O: PixelOrder> Framebuffer<W, H, O> {
    /// A black framebuffer.
    pub const fn new() -> Self {
        Framebuffer {
            rows: [[[0; 2]; W]; H],
            order: PhantomData,
        }
    }

    /// The stored bytes, row-major, in byte order `O`: ready for `display_write` with the
    /// matching pixel format.
    pub fn as_bytes(&self) -> &[u8] {
        self.rows.as_flattened().as_flattened()
    }

    /// The stored bytes, writable (e.g. for a DMA or camera driver to fill).
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        self.rows.as_flattened_mut().as_flattened_mut()
    }

    /// The pixel at `p`, or `None` outside the framebuffer.
    pub fn pixel(&self, p: Point) -> Option<Rgb565> {
        let (x, y) = index(p, W, H)?;
        Some(Rgb565::from(RawU16::new(O::decode(self.rows[y][x]))))
    }

    /// Copies `region` into `out`, row-major, in byte order `T` (e.g. [`Rgb565Be`] for an SPI
    /// panel's window write). Returns the bytes written.
    pub fn copy_region<T: PixelOrder>(
        &self,
        region: &Rectangle,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let (_, _, w, h) = inside(region, W, H)?;
        let needed = w * h * 2;
        if out.len() < needed {
            return Err(Error::DestinationTooSmall {
                needed,
                got: out.len(),
            });
        }
        let rows = self.copy_region_rows::<T>(region, 0, out)?;
        Ok(rows * w * 2)
    }

    /// Copies as many whole rows of `region` as fit in `out`, starting at row `first_row` of
    /// the region, in byte order `T`: streams a large dirty region through a small line
    /// buffer. Returns the number of rows copied (0 once `first_row` reaches the end).
    pub fn copy_region_rows<T: PixelOrder>(
        &self,
        region: &Rectangle,
        first_row: usize,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let (x0, y0, w, h) = inside(region, W, H)?;
        let row_bytes = w * 2;
        let rows = (out.len() / row_bytes).min(h.saturating_sub(first_row));
        if rows == 0 && first_row < h {
            return Err(Error::DestinationTooSmall {
                needed: row_bytes,
                got: out.len(),
            });
        }
        let src_rows = &self.rows[y0 + first_row..y0 + first_row + rows];
        for (row, dst) in src_rows.iter().zip(out.chunks_exact_mut(row_bytes)) {
            for (px, d) in row[x0..x0 + w].iter().zip(dst.chunks_exact_mut(2)) {
                d.copy_from_slice(&T::encode(O::decode(*px)));
            }
        }
        Ok(rows)
    }

    /// Copies an RGB565 image in byte order `S` (`width`x`height`, rows `pitch` bytes apart)
    /// with its top-left at `at`, clipping what falls outside. A camera frame already at
    /// display size is `blit::<Rgb565Le>(frame, size, size.width * 2, Point::zero())`.
    pub fn blit<S: PixelOrder>(
        &mut self,
        src: &[u8],
        size: Size,
        pitch: usize,
        at: Point,
    ) -> Result<(), Error> {
        let (w, h) = (size.width as usize, size.height as usize);
        if w == 0 || h == 0 {
            return Ok(());
        }
        if pitch < w * 2 {
            return Err(Error::PitchTooSmall {
                pitch,
                width: size.width,
            });
        }
        let needed = pitch * (h - 1) + w * 2;
        if src.len() < needed {
            return Err(Error::SourceTooShort {
                needed,
                got: src.len(),
            });
        }
        let dst_area = rect::intersect(&Rectangle::new(at, size), &self.bounding_box());
        if rect::is_empty(&dst_area) {
            return Ok(());
        }
        // dst_area lies inside both the framebuffer and the image placed at `at`.
        let (dx0, dy0, cw, ch) = inside(&dst_area, W, H)?;
        let sx0 = (i64::from(dst_area.top_left.x) - i64::from(at.x)) as usize;
        let sy0 = (i64::from(dst_area.top_left.y) - i64::from(at.y)) as usize;
        for r in 0..ch {
            let s = (sy0 + r) * pitch + sx0 * 2;
            let src_row = &src[s..s + cw * 2];
            let dst_row = &mut self.rows[dy0 + r][dx0..dx0 + cw];
            for (d, sp) in dst_row.iter_mut().zip(src_row.chunks_exact(2)) {
                let b = [sp[0], sp[1]];
                *d = if S::BIG_ENDIAN == O::BIG_ENDIAN {
                    b
                } else {
                    [b[1], b[0]]
                };
            }
        }
        Ok(())
    }

    /// Copies a camera frame of exactly the framebuffer's size, packed rows, in byte order `S`.
    pub fn blit_preview<S: PixelOrder>(&mut self, frame: &[u8]) -> Result<(), Error> {
        let size = self.size();
        self.blit::<S>(frame, size, W * 2, Point::zero())
    }
}

impl<const W: usize, const H: usize, O: PixelOrder> Default for Framebuffer<W, H, O> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const W: usize, const H: usize, O: PixelOrder> OriginDimensions for Framebuffer<W, H, O> {
    fn size(&self) -> Size {
        Size::new(
            u32::try_from(W).unwrap_or(u32::MAX),
            u32::try_from(H).unwrap_or(u32::MAX),
        )
    }
}

impl<const W: usize, const H: usize, O: PixelOrder> DrawTarget for Framebuffer<W, H, O> {
    type Color = Rgb565;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Infallible>
    where
        I: IntoIterator<Item = Pixel<Rgb565>>,
    {
        for Pixel(p, c) in pixels {
            if let Some((x, y)) = index(p, W, H) {
                self.rows[y][x] = O::encode(c.into_storage());
            }
        }
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, color: Rgb565) -> Result<(), Infallible> {
        let clipped = rect::intersect(area, &self.bounding_box());
        if let Ok((x0, y0, w, h)) = inside(&clipped, W, H) {
            let b = O::encode(color.into_storage());
            for row in &mut self.rows[y0..y0 + h] {
                row[x0..x0 + w].fill(b);
            }
        }
        Ok(())
    }
}

/// Array indices of `p` in a `w`x`h` grid.
fn index(p: Point, w: usize, h: usize) -> Option<(usize, usize)> {
    let x = usize::try_from(p.x).ok()?;
    let y = usize::try_from(p.y).ok()?;
    (x < w && y < h).then_some((x, y))
}

/// `(x, y, width, height)` of a non-empty `r` that lies wholly inside a `w`x`h` grid.
fn inside(r: &Rectangle, w: usize, h: usize) -> Result<(usize, usize, usize, usize), Error> {
    let x = usize::try_from(r.top_left.x).map_err(|_| Error::RegionOutOfBounds)?;
    let y = usize::try_from(r.top_left.y).map_err(|_| Error::RegionOutOfBounds)?;
    let rw = r.size.width as usize;
    let rh = r.size.height as usize;
    if rw == 0
        || rh == 0
        || x.checked_add(rw).is_none_or(|e| e > w)
        || y.checked_add(rh).is_none_or(|e| e > h)
    {
        return Err(Error::RegionOutOfBounds);
    }
    Ok((x, y, rw, rh))
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_graphics::primitives::PrimitiveStyle;

    const RED: Rgb565 = Rgb565::RED;

    #[test]
    fn byte_orders_of_one_pixel() {
        // Red is 0xF800: little-endian [0x00, 0xF8], big-endian [0xF8, 0x00].
        let mut le = Framebuffer::<2, 1, Rgb565Le>::new();
        le.draw_iter([Pixel(Point::new(1, 0), RED)]).unwrap();
        assert_eq!(le.as_bytes(), &[0, 0, 0x00, 0xF8]);
        let mut be = Framebuffer::<2, 1, Rgb565Be>::new();
        be.draw_iter([Pixel(Point::new(1, 0), RED)]).unwrap();
        assert_eq!(be.as_bytes(), &[0, 0, 0xF8, 0x00]);
        assert_eq!(le.pixel(Point::new(1, 0)), Some(RED));
        assert_eq!(be.pixel(Point::new(1, 0)), Some(RED));
        assert_eq!(be.pixel(Point::new(2, 0)), None);
    }

    #[test]
    fn drawing_off_screen_is_clipped() {
        let mut fb = Framebuffer::<8, 8>::new();
        Rectangle::new(Point::new(-4, 6), Size::new(20, 10))
            .into_styled(PrimitiveStyle::with_fill(RED))
            .draw(&mut fb)
            .unwrap();
        fb.draw_iter([Pixel(Point::new(-1, 0), RED), Pixel(Point::new(8, 0), RED)])
            .unwrap();
        for y in 0..8 {
            for x in 0..8 {
                let want = if y >= 6 { RED } else { Rgb565::BLACK };
                assert_eq!(fb.pixel(Point::new(x, y)), Some(want), "({x},{y})");
            }
        }
    }

    #[test]
    fn region_copy_in_both_orders() {
        let mut fb = Framebuffer::<4, 3>::new();
        fb.fill_solid(&Rectangle::new(Point::new(1, 1), Size::new(2, 1)), RED)
            .unwrap();
        let region = Rectangle::new(Point::new(1, 0), Size::new(2, 2));
        let mut out = [0xAAu8; 10];
        assert_eq!(fb.copy_region::<Rgb565Be>(&region, &mut out), Ok(8));
        assert_eq!(out, [0, 0, 0, 0, 0xF8, 0, 0xF8, 0, 0xAA, 0xAA]);
        assert_eq!(fb.copy_region::<Rgb565Le>(&region, &mut out), Ok(8));
        assert_eq!(&out[..8], &[0, 0, 0, 0, 0, 0xF8, 0, 0xF8]);
        assert_eq!(
            fb.copy_region::<Rgb565Le>(&region, &mut out[..7]),
            Err(Error::DestinationTooSmall { needed: 8, got: 7 })
        );
        // Streaming through a one-row buffer gives the same bytes.
        let mut line = [0u8; 4];
        let mut streamed = [0u8; 8];
        let mut row = 0;
        while let Ok(n) = fb.copy_region_rows::<Rgb565Le>(&region, row, &mut line) {
            if n == 0 {
                break;
            }
            streamed[row * 4..row * 4 + 4].copy_from_slice(&line);
            row += n;
        }
        assert_eq!(row, 2);
        assert_eq!(streamed, out[..8]);
        assert_eq!(
            fb.copy_region_rows::<Rgb565Le>(&region, 0, &mut line[..3]),
            Err(Error::DestinationTooSmall { needed: 4, got: 3 })
        );
        let outside = Rectangle::new(Point::new(3, 0), Size::new(2, 1));
        assert_eq!(
            fb.copy_region::<Rgb565Le>(&outside, &mut out),
            Err(Error::RegionOutOfBounds)
        );
    }

    #[test]
    fn blit_converts_order_and_clips() {
        // A 3x2 big-endian image with a 4-byte row gap, placed hanging off the right edge.
        let mut img = [0u8; 2 * 10 + 6];
        for (i, v) in [0x0001u16, 0x0203, 0x0405].iter().enumerate() {
            img[i * 2..i * 2 + 2].copy_from_slice(&v.to_be_bytes());
            img[10 + i * 2..10 + i * 2 + 2].copy_from_slice(&(v + 0x1000).to_be_bytes());
        }
        let mut fb = Framebuffer::<4, 4, Rgb565Le>::new();
        fb.blit::<Rgb565Be>(&img[..16], Size::new(3, 2), 10, Point::new(2, 1))
            .unwrap();
        let raw = |x, y| fb.pixel(Point::new(x, y)).map(|c| c.into_storage());
        assert_eq!(raw(2, 1), Some(0x0001));
        assert_eq!(raw(3, 1), Some(0x0203));
        assert_eq!(raw(2, 2), Some(0x1001));
        assert_eq!(raw(3, 2), Some(0x1203));
        assert_eq!(raw(1, 1), Some(0));
        assert_eq!(raw(2, 3), Some(0));
    }

    #[test]
    fn blit_rejects_short_sources() {
        let mut fb = Framebuffer::<4, 4>::new();
        assert_eq!(
            fb.blit_preview::<Rgb565Le>(&[0; 31]),
            Err(Error::SourceTooShort {
                needed: 32,
                got: 31
            })
        );
        assert_eq!(
            fb.blit::<Rgb565Le>(&[0; 64], Size::new(4, 4), 7, Point::zero()),
            Err(Error::PitchTooSmall { pitch: 7, width: 4 })
        );
        let frame: [u8; 32] = core::array::from_fn(|i| i as u8);
        fb.blit_preview::<Rgb565Le>(&frame).unwrap();
        assert_eq!(fb.as_bytes(), &frame);
    }
}
