// SPDX-License-Identifier: Apache-2.0
//! Affine resampling of a camera frame straight into a model's int8 NHWC input, in fixed point.
//!
//! Coordinates here are pixel indices (pixel `i`'s centre is at `i`), as in OpenCV's
//! `warpAffine`; the [`Affine`] maps an output (model) pixel to the frame position it samples.

use crate::frame::{Frame, FMT_BGR888, FMT_RGB565, FMT_RGB888, FMT_YUYV};
use crate::geometry::Point;
use crate::preprocess::PixelEncoder;
use crate::Error;

/// `src = (a*x + b*y + tx, c*x + d*y + ty)`: from output pixel to frame pixel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine {
    /// x coefficient of src.x.
    pub a: f32,
    /// y coefficient of src.x.
    pub b: f32,
    /// Offset of src.x.
    pub tx: f32,
    /// x coefficient of src.y.
    pub c: f32,
    /// y coefficient of src.y.
    pub d: f32,
    /// Offset of src.y.
    pub ty: f32,
}

impl Affine {
    /// The identity map.
    pub const IDENTITY: Affine = Affine {
        a: 1.0,
        b: 0.0,
        tx: 0.0,
        c: 0.0,
        d: 1.0,
        ty: 0.0,
    };

    /// Applies the map to `p`.
    pub fn apply(&self, p: Point) -> Point {
        Point::new(
            self.a * p.x + self.b * p.y + self.tx,
            self.c * p.x + self.d * p.y + self.ty,
        )
    }

    /// The inverse map, or `None` if singular.
    pub fn inverse(&self) -> Option<Affine> {
        let det = self.a * self.d - self.b * self.c;
        if !det.is_finite() || libm::fabsf(det) < 1e-12 {
            return None;
        }
        let (a, b, c, d) = (self.d / det, -self.b / det, -self.c / det, self.a / det);
        Some(Affine {
            a,
            b,
            tx: -(a * self.tx + b * self.ty),
            c,
            d,
            ty: -(c * self.tx + d * self.ty),
        })
    }
}

/// Sampling filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interp {
    /// Nearest neighbour.
    Nearest,
    /// Bilinear with 8-bit weights.
    Bilinear,
    /// Anti-aliased: the mean of n x n bilinear samples spread over the output pixel's
    /// footprint in the frame (n = footprint size rounded up, at most 8 per axis). For big
    /// downscales (photos into a detector input) where bilinear aliases; at scale <= 1 it
    /// is bilinear. (An exact 2x downscale is already a 2 x 2 box with `Bilinear`.)
    Area,
}

/// What samples outside the frame read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Border {
    /// A constant RGB colour (then encoded like any pixel).
    Constant([u8; 3]),
    /// The nearest edge pixel.
    Replicate,
}

/// A model's 3-channel int8 NHWC input (batch 1), borrowed mutably.
#[derive(Debug)]
pub struct Canvas<'o> {
    data: &'o mut [i8],
    width: usize,
    height: usize,
}

impl<'o> Canvas<'o> {
    /// Wraps `data`, which must hold exactly `width * height * 3` values.
    pub fn new(data: &'o mut [i8], width: usize, height: usize) -> Result<Self, Error> {
        if width == 0 || height == 0 {
            return Err(Error::EmptyImage);
        }
        let n = width
            .checked_mul(height)
            .and_then(|n| n.checked_mul(3))
            .ok_or(Error::InvalidParameter("canvas size"))?;
        crate::quant::check_len(data, n)?;
        Ok(Self {
            data,
            width,
            height,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The three channel values of pixel (`x`, `y`), if inside.
    pub fn pixel(&self, x: usize, y: usize) -> Option<[i8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let o = 3 * (y * self.width + x);
        Some([self.data[o], self.data[o + 1], self.data[o + 2]])
    }

    /// The raw NHWC values.
    pub fn data(&self) -> &[i8] {
        self.data
    }

    fn put(&mut self, x: usize, y: usize, v: [i8; 3]) {
        let o = 3 * (y * self.width + x);
        self.data[o..o + 3].copy_from_slice(&v);
    }

    /// Fills the rectangle `[x0, x1) x [y0, y1)` (clipped) with one value.
    pub fn fill(&mut self, x0: usize, y0: usize, x1: usize, y1: usize, v: [i8; 3]) {
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                self.put(x, y, v);
            }
        }
    }
}

/// A rectangle of output pixels `[x0, x1) x [y0, y1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// First column.
    pub x0: usize,
    /// First row.
    pub y0: usize,
    /// One past the last column.
    pub x1: usize,
    /// One past the last row.
    pub y1: usize,
}

const FRAC: u32 = 16;
const ONE: i64 = 1 << FRAC;

fn to_fixed(v: f32) -> Result<i64, Error> {
    let f = libm::roundf(v * ONE as f32);
    if !f.is_finite() || libm::fabsf(f) > (1i64 << 46) as f32 {
        return Err(Error::InvalidParameter("warp transform out of range"));
    }
    Ok(f as i64)
}

/// Resamples `frame` through `map` into `canvas` (every pixel, or only `region`), encoding
/// each RGB sample with `enc` (channel order + quantisation lookup).
pub fn warp(
    frame: &Frame<'_>,
    map: &Affine,
    interp: Interp,
    border: Border,
    enc: &PixelEncoder,
    canvas: &mut Canvas<'_>,
    region: Option<Region>,
) -> Result<(), Error> {
    let r = region.unwrap_or(Region {
        x0: 0,
        y0: 0,
        x1: canvas.width,
        y1: canvas.height,
    });
    if r.x1 > canvas.width || r.y1 > canvas.height || r.x0 > r.x1 || r.y0 > r.y1 {
        return Err(Error::InvalidParameter("warp region outside canvas"));
    }
    let da = to_fixed(map.a)?;
    let dc = to_fixed(map.c)?;
    let (w, h) = (frame.width() as i64, frame.height() as i64);
    let run = Run {
        map,
        region: r,
        da,
        dc,
        interp,
        taps: Taps::new(map)?,
    };
    match frame.format_code() {
        FMT_RGB565 => run.rows(
            &Sampler::<FMT_RGB565> {
                frame,
                border,
                w,
                h,
            },
            enc,
            canvas,
        ),
        FMT_RGB888 => run.rows(
            &Sampler::<FMT_RGB888> {
                frame,
                border,
                w,
                h,
            },
            enc,
            canvas,
        ),
        FMT_BGR888 => run.rows(
            &Sampler::<FMT_BGR888> {
                frame,
                border,
                w,
                h,
            },
            enc,
            canvas,
        ),
        _ => run.rows(
            &Sampler::<FMT_YUYV> {
                frame,
                border,
                w,
                h,
            },
            enc,
            canvas,
        ),
    }
}

/// One warp's loop parameters.
struct Run<'m> {
    map: &'m Affine,
    region: Region,
    da: i64,
    dc: i64,
    interp: Interp,
    taps: Taps,
}

/// Most sample offsets per axis of [`Interp::Area`].
const MAX_TAPS: usize = 8;

/// Sub-sample offsets (fixed point) along the output pixel's two axes, for [`Interp::Area`].
struct Taps {
    u: [(i64, i64); MAX_TAPS],
    nu: usize,
    v: [(i64, i64); MAX_TAPS],
    nv: usize,
}

impl Taps {
    fn new(map: &Affine) -> Result<Self, Error> {
        let axis = |dx: f32, dy: f32| -> Result<([(i64, i64); MAX_TAPS], usize), Error> {
            let len = libm::sqrtf(dx * dx + dy * dy);
            let n = if len.is_finite() {
                (libm::ceilf(len) as usize).clamp(1, MAX_TAPS)
            } else {
                1
            };
            let mut taps = [(0, 0); MAX_TAPS];
            for (i, t) in taps.iter_mut().take(n).enumerate() {
                let f = (i as f32 + 0.5) / n as f32 - 0.5;
                *t = (to_fixed(f * dx)?, to_fixed(f * dy)?);
            }
            Ok((taps, n))
        };
        let (u, nu) = axis(map.a, map.c)?;
        let (v, nv) = axis(map.b, map.d)?;
        Ok(Self { u, nu, v, nv })
    }
}

impl Run<'_> {
    /// The pixel loop, monomorphised per pixel format.
    fn rows<const F: u8>(
        &self,
        sampler: &Sampler<'_, '_, F>,
        enc: &PixelEncoder,
        canvas: &mut Canvas<'_>,
    ) -> Result<(), Error> {
        let r = self.region;
        for y in r.y0..r.y1 {
            // Row start from the float map (bounds drift to one row), then fixed-point steps.
            let start = self.map.apply(Point::new(r.x0 as f32, y as f32));
            let mut sx = to_fixed(start.x)?;
            let mut sy = to_fixed(start.y)?;
            for x in r.x0..r.x1 {
                let rgb = match self.interp {
                    Interp::Nearest => sampler.nearest(sx, sy),
                    Interp::Bilinear => sampler.bilinear(sx, sy),
                    Interp::Area => sampler.area(sx, sy, &self.taps),
                };
                canvas.put(x, y, enc.encode(rgb));
                sx += self.da;
                sy += self.dc;
            }
        }
        Ok(())
    }
}

/// Reads frame pixels for a sample position; `F` is the frame's format code.
struct Sampler<'f, 'a, const F: u8> {
    frame: &'f Frame<'a>,
    border: Border,
    w: i64,
    h: i64,
}

impl<const F: u8> Sampler<'_, '_, F> {
    /// Pixel (`x`, `y`) or the border's answer outside the frame.
    fn at(&self, x: i64, y: i64) -> [u8; 3] {
        let inside = x >= 0 && y >= 0 && x < self.w && y < self.h;
        match self.border {
            Border::Constant(c) if !inside => c,
            _ => self.frame.px::<F>(
                x.clamp(0, self.w - 1) as usize,
                y.clamp(0, self.h - 1) as usize,
            ),
        }
    }

    fn nearest(&self, sx: i64, sy: i64) -> [u8; 3] {
        self.at((sx + ONE / 2) >> FRAC, (sy + ONE / 2) >> FRAC)
    }

    fn area(&self, sx: i64, sy: i64, t: &Taps) -> [u8; 3] {
        let mut acc = [0u32; 3];
        for &(ux, uy) in &t.u[..t.nu] {
            for &(vx, vy) in &t.v[..t.nv] {
                let p = self.bilinear(sx + ux + vx, sy + uy + vy);
                for (a, &c) in acc.iter_mut().zip(p.iter()) {
                    *a += u32::from(c);
                }
            }
        }
        let n = (t.nu * t.nv) as u32;
        acc.map(|a| ((a + n / 2) / n) as u8)
    }

    fn bilinear(&self, sx: i64, sy: i64) -> [u8; 3] {
        let x0 = sx >> FRAC;
        let y0 = sy >> FRAC;
        let (p00, p01, p10, p11);
        if x0 >= 0 && y0 >= 0 && x0 + 1 < self.w && y0 + 1 < self.h {
            // Interior: all four neighbours exist.
            let (x, y) = (x0 as usize, y0 as usize);
            p00 = self.frame.px::<F>(x, y);
            p01 = self.frame.px::<F>(x + 1, y);
            p10 = self.frame.px::<F>(x, y + 1);
            p11 = self.frame.px::<F>(x + 1, y + 1);
        } else {
            if let Border::Constant(c) = self.border {
                if x0 < -1 || y0 < -1 || x0 >= self.w || y0 >= self.h {
                    return c;
                }
            }
            p00 = self.at(x0, y0);
            p01 = self.at(x0 + 1, y0);
            p10 = self.at(x0, y0 + 1);
            p11 = self.at(x0 + 1, y0 + 1);
        }
        let fx = ((sx & (ONE - 1)) >> (FRAC - 8)) as u32;
        let fy = ((sy & (ONE - 1)) >> (FRAC - 8)) as u32;
        let w00 = (256 - fx) * (256 - fy);
        let w01 = fx * (256 - fy);
        let w10 = (256 - fx) * fy;
        let w11 = fx * fy;
        let mut out = [0u8; 3];
        for (ch, o) in out.iter_mut().enumerate() {
            let s = w00 * u32::from(p00[ch])
                + w01 * u32::from(p01[ch])
                + w10 * u32::from(p10[ch])
                + w11 * u32::from(p11[ch]);
            *o = ((s + (1 << 15)) >> 16) as u8;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::PixelFormat;
    use crate::preprocess::{ChannelOrder, PixelEncoder};

    /// Identity encoder: value v -> v - 128 (scale 1, zero point -128).
    pub(crate) fn raw_encoder(order: ChannelOrder) -> PixelEncoder {
        PixelEncoder::new(
            order,
            [0.0; 3],
            [1.0; 3],
            crate::Quant::new(1.0, -128).unwrap(),
        )
        .unwrap()
    }

    fn gradient(buf: &mut [u8], w: usize, h: usize) {
        // R = 10*x, G = 10*y, B = 7.
        for y in 0..h {
            for x in 0..w {
                let o = 3 * (y * w + x);
                buf[o] = (10 * x) as u8;
                buf[o + 1] = (10 * y) as u8;
                buf[o + 2] = 7;
            }
        }
    }

    #[test]
    fn affine_inverse_round_trips() {
        let m = Affine {
            a: 0.8,
            b: -0.3,
            tx: 12.0,
            c: 0.3,
            d: 0.8,
            ty: -4.0,
        };
        let inv = m.inverse().unwrap();
        let p = Point::new(3.5, -7.25);
        let q = inv.apply(m.apply(p));
        assert!((q.x - p.x).abs() < 1e-4 && (q.y - p.y).abs() < 1e-4);
        let singular = Affine {
            a: 1.0,
            b: 2.0,
            tx: 0.0,
            c: 2.0,
            d: 4.0,
            ty: 0.0,
        };
        assert!(singular.inverse().is_none());
    }

    #[test]
    fn bilinear_interpolates_a_linear_gradient_exactly() {
        let (w, h) = (16, 12);
        let mut buf = [0u8; 16 * 12 * 3];
        gradient(&mut buf, w, h);
        let frame = Frame::packed(&buf, w, h, PixelFormat::Rgb888).unwrap();
        // Quarter-pixel offsets and half-scale: src = 0.5*x + 2.25, 0.5*y + 1.75.
        let map = Affine {
            a: 0.5,
            b: 0.0,
            tx: 2.25,
            c: 0.0,
            d: 0.5,
            ty: 1.75,
        };
        let mut out = [0i8; 8 * 8 * 3];
        let mut canvas = Canvas::new(&mut out, 8, 8).unwrap();
        let enc = raw_encoder(ChannelOrder::Rgb);
        warp(
            &frame,
            &map,
            Interp::Bilinear,
            Border::Replicate,
            &enc,
            &mut canvas,
            None,
        )
        .unwrap();
        for y in 0..8 {
            for x in 0..8 {
                let p = canvas.pixel(x, y).unwrap();
                let sx = 0.5 * x as f32 + 2.25;
                let sy = 0.5 * y as f32 + 1.75;
                let want_r = 10.0 * sx;
                let want_g = 10.0 * sy;
                assert!(
                    (f32::from(p[0]) + 128.0 - want_r).abs() <= 0.6,
                    "{x},{y} {p:?}"
                );
                assert!(
                    (f32::from(p[1]) + 128.0 - want_g).abs() <= 0.6,
                    "{x},{y} {p:?}"
                );
                assert_eq!(p[2], -121);
            }
        }
    }

    #[test]
    fn borders_nearest_and_channel_order() {
        let (w, h) = (4, 4);
        let mut buf = [0u8; 4 * 4 * 3];
        gradient(&mut buf, w, h);
        let frame = Frame::packed(&buf, w, h, PixelFormat::Rgb888).unwrap();
        // Shift by -2 pixels: the first two output columns fall outside the frame.
        let map = Affine {
            tx: -2.0,
            ..Affine::IDENTITY
        };
        let mut out = [0i8; 4 * 4 * 3];
        let mut canvas = Canvas::new(&mut out, 4, 4).unwrap();
        let enc = raw_encoder(ChannelOrder::Bgr);
        let grey = Border::Constant([100, 100, 100]);
        warp(&frame, &map, Interp::Nearest, grey, &enc, &mut canvas, None).unwrap();
        assert_eq!(canvas.pixel(0, 1).unwrap(), [-28, -28, -28]);
        // Column 2 reads frame column 0 of row 1: R=0, G=10, B=7, stored B,G,R.
        assert_eq!(canvas.pixel(2, 1).unwrap(), [-121, -118, -128]);
        warp(
            &frame,
            &map,
            Interp::Bilinear,
            Border::Replicate,
            &enc,
            &mut canvas,
            None,
        )
        .unwrap();
        assert_eq!(canvas.pixel(0, 3).unwrap(), [-121, -98, -128]);
        let bad = Region {
            x0: 0,
            y0: 0,
            x1: 5,
            y1: 1,
        };
        assert!(warp(
            &frame,
            &map,
            Interp::Nearest,
            grey,
            &enc,
            &mut canvas,
            Some(bad)
        )
        .is_err());
        let mut short = [0i8; 10];
        assert!(Canvas::new(&mut short, 2, 2).is_err());
    }

    #[test]
    fn every_pixel_format_warps_like_its_rgb888_equivalent() {
        let (w, h) = (10, 6);
        let raw: std::vec::Vec<u8> = (0..w * h * 3).map(|i| (i * 53 % 256) as u8).collect();
        let map = Affine {
            a: 0.7,
            b: 0.2,
            tx: -1.3,
            c: -0.2,
            d: 0.7,
            ty: 0.6,
        };
        let enc = raw_encoder(ChannelOrder::Rgb);
        for format in [
            PixelFormat::Rgb565,
            PixelFormat::Rgb888,
            PixelFormat::Bgr888,
            PixelFormat::Yuyv,
        ] {
            let n = w * h * format.bytes_per_pixel();
            let frame = Frame::packed(&raw[..n], w, h, format).unwrap();
            // The same picture as RGB888, through the generic accessor.
            let mut rgb = std::vec![0u8; w * h * 3];
            for y in 0..h {
                for x in 0..w {
                    let o = 3 * (y * w + x);
                    rgb[o..o + 3].copy_from_slice(&frame.rgb(x, y).unwrap());
                }
            }
            let reference = Frame::packed(&rgb, w, h, PixelFormat::Rgb888).unwrap();
            for border in [Border::Replicate, Border::Constant([9, 99, 199])] {
                for interp in [Interp::Nearest, Interp::Bilinear, Interp::Area] {
                    let mut a = [0i8; 8 * 8 * 3];
                    let mut b = [0i8; 8 * 8 * 3];
                    let mut ca = Canvas::new(&mut a, 8, 8).unwrap();
                    let mut cb = Canvas::new(&mut b, 8, 8).unwrap();
                    warp(&frame, &map, interp, border, &enc, &mut ca, None).unwrap();
                    warp(&reference, &map, interp, border, &enc, &mut cb, None).unwrap();
                    assert_eq!(a, b, "{format:?} {border:?} {interp:?}");
                }
            }
        }
    }

    #[test]
    fn area_downscale_averages_what_bilinear_aliases() {
        // 1-pixel stripes 0 / 200, downscaled 4x: the true mean is 100 everywhere.
        let (w, h) = (32, 8);
        let mut buf = [0u8; 32 * 8 * 3];
        for (i, px) in buf.chunks_mut(3).enumerate() {
            px.fill(if (i % w) % 2 == 0 { 0 } else { 200 });
        }
        let frame = Frame::packed(&buf, w, h, PixelFormat::Rgb888).unwrap();
        let map = Affine {
            a: 4.0,
            b: 0.0,
            tx: 1.5,
            c: 0.0,
            d: 4.0,
            ty: 1.5,
        };
        let enc = raw_encoder(ChannelOrder::Rgb);
        let run_on = |m: &Affine, interp| {
            let mut out = [0i8; 8 * 2 * 3];
            let mut c = Canvas::new(&mut out, 8, 2).unwrap();
            warp(&frame, m, interp, Border::Replicate, &enc, &mut c, None).unwrap();
            out.map(|v| i32::from(v) + 128)
        };
        let area = run_on(&map, Interp::Area);
        assert!(area.iter().all(|&v| v == 100), "{area:?}");
        let bilinear = run_on(&map, Interp::Bilinear);
        assert!(
            bilinear.iter().all(|&v| v == 100),
            "sampling at x = 4k + 1.5 blends 0 and 200"
        );
        // Shift by a quarter pixel: bilinear aliases (not 100), area still averages.
        let shifted = Affine { tx: 1.25, ..map };
        assert!(run_on(&shifted, Interp::Bilinear).iter().all(|&v| v != 100));
        // (Column 0 reaches past the left edge, where the replicated border is 0.)
        let area = run_on(&shifted, Interp::Area);
        for (i, v) in area.iter().enumerate() {
            assert!((i / 3) % 8 == 0 || (v - 100).abs() <= 1, "{area:?}");
        }
        // Upscaling: one tap, identical to bilinear.
        let up = Affine {
            a: 0.5,
            d: 0.5,
            tx: 0.3,
            ty: 0.2,
            ..map
        };
        assert_eq!(run_on(&up, Interp::Area), run_on(&up, Interp::Bilinear));
    }
}
