// SPDX-License-Identifier: Apache-2.0
//! Face alignment: a least-squares similarity (Umeyama, no reflection) from five detected
//! landmarks to the ArcFace template, and the crops that feed the recognizer and the
//! anti-spoof model, warped straight into their int8 inputs.

use crate::frame::Frame;
use crate::geometry::{BBox, Point};
use crate::preprocess::PixelEncoder;
use crate::warp::{warp, Affine, Border, Canvas, Interp};
use crate::Error;

/// The standard ArcFace 112 x 112 five-point template (eyes, nose, mouth corners), in
/// pixel-index coordinates, as insightface aligns with OpenCV's `warpAffine`.
pub const ARCFACE_112: [Point; 5] = [
    Point::new(38.2946, 51.6963),
    Point::new(73.5318, 51.5014),
    Point::new(56.0252, 71.7366),
    Point::new(41.5493, 92.3655),
    Point::new(70.7299, 92.2041),
];

/// The ArcFace template scaled to a square `size` x `size` crop.
pub fn arcface_template(size: f32) -> [Point; 5] {
    let s = size / 112.0;
    ARCFACE_112.map(|p| Point::new(p.x * s, p.y * s))
}

/// `dst = [a -b; b a] * src + (tx, ty)`: rotation, uniform scale and translation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// scale * cos(angle).
    pub a: f32,
    /// scale * sin(angle).
    pub b: f32,
    /// Translation x.
    pub tx: f32,
    /// Translation y.
    pub ty: f32,
}

impl Similarity {
    /// Least-squares similarity taking `src[i]` to `dst[i]` (Umeyama 1991 restricted to
    /// proper rotations; in 2-D it has this closed form). Needs at least two distinct points.
    pub fn estimate(src: &[Point], dst: &[Point]) -> Result<Self, Error> {
        if src.len() != dst.len() || src.len() < 2 {
            return Err(Error::ShapeMismatch {
                expected: dst.len().max(2),
                got: src.len(),
            });
        }
        let n = src.len() as f32;
        let mean = |pts: &[Point]| {
            let (sx, sy) = pts
                .iter()
                .fold((0.0f32, 0.0f32), |(x, y), p| (x + p.x, y + p.y));
            Point::new(sx / n, sy / n)
        };
        let (ms, md) = (mean(src), mean(dst));
        let (mut var, mut dot, mut cross) = (0.0f32, 0.0f32, 0.0f32);
        for (s, d) in src.iter().zip(dst) {
            let (sx, sy) = (s.x - ms.x, s.y - ms.y);
            let (dx, dy) = (d.x - md.x, d.y - md.y);
            var += sx * sx + sy * sy;
            dot += sx * dx + sy * dy;
            cross += sx * dy - sy * dx;
        }
        if var.is_nan() || var <= 1e-6 || !dot.is_finite() || !cross.is_finite() {
            return Err(Error::DegenerateLandmarks);
        }
        let (a, b) = (dot / var, cross / var);
        if a == 0.0 && b == 0.0 {
            return Err(Error::DegenerateLandmarks);
        }
        Ok(Self {
            a,
            b,
            tx: md.x - (a * ms.x - b * ms.y),
            ty: md.y - (b * ms.x + a * ms.y),
        })
    }

    /// Uniform scale factor.
    pub fn scale(&self) -> f32 {
        libm::sqrtf(self.a * self.a + self.b * self.b)
    }

    /// Rotation angle in radians.
    pub fn angle(&self) -> f32 {
        libm::atan2f(self.b, self.a)
    }

    /// Maps a point.
    pub fn apply(&self, p: Point) -> Point {
        Point::new(
            self.a * p.x - self.b * p.y + self.tx,
            self.b * p.x + self.a * p.y + self.ty,
        )
    }

    /// The inverse similarity (scale is never zero for an estimated one).
    pub fn inverse(&self) -> Similarity {
        let k = self.a * self.a + self.b * self.b;
        let (a, b) = (self.a / k, -self.b / k);
        Similarity {
            a,
            b,
            tx: -(a * self.tx - b * self.ty),
            ty: -(b * self.tx + a * self.ty),
        }
    }

    /// The same map as an [`Affine`].
    pub fn to_affine(&self) -> Affine {
        Affine {
            a: self.a,
            b: -self.b,
            tx: self.tx,
            c: self.b,
            d: self.a,
            ty: self.ty,
        }
    }
}

/// Aligns the face with `landmarks` (frame coordinates) onto `template` in `canvas`
/// (bilinear, black border as insightface), encoding pixels with `enc`. Returns the
/// frame -> crop similarity (its inverse maps crop points back to the frame).
pub fn align_face(
    frame: &Frame<'_>,
    landmarks: &[Point; 5],
    template: &[Point; 5],
    enc: &PixelEncoder,
    canvas: &mut Canvas<'_>,
) -> Result<Similarity, Error> {
    let fwd = Similarity::estimate(landmarks, template)?;
    let map = fwd.inverse().to_affine();
    warp_black(frame, &map, enc, canvas)?;
    Ok(fwd)
}

/// A box crop for models that take the face with context (anti-spoof): the box scaled about
/// its centre, kept inside the frame, resized to the model input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxCrop {
    /// Box enlargement (Silent-Face: 2.7 for its 80 x 80 model; 1.0 = the box itself).
    pub scale: f32,
    /// Make the box square (longer side) before scaling.
    pub square: bool,
}

impl BoxCrop {
    /// The frame region this crop takes from `bbox` in a `frame_w` x `frame_h` frame.
    ///
    /// Like Silent-Face: the scale shrinks so that the region fits the frame, and the region
    /// shifts inward where it would cross an edge.
    pub fn region(&self, bbox: &BBox, frame_w: usize, frame_h: usize) -> Result<BBox, Error> {
        let (fw, fh) = (frame_w as f32, frame_h as f32);
        let (mut w, mut h) = (bbox.width(), bbox.height());
        if !(w > 0.0 && h > 0.0 && self.scale > 0.0 && fw > 1.0 && fh > 1.0) {
            return Err(Error::InvalidParameter("crop box or scale"));
        }
        if self.square {
            let s = w.max(h);
            w = s;
            h = s;
        }
        let scale = self.scale.min((fh - 1.0) / h).min((fw - 1.0) / w);
        let (nw, nh) = (w * scale, h * scale);
        let c = bbox.center();
        let mut x0 = c.x - 0.5 * nw;
        let mut y0 = c.y - 0.5 * nh;
        x0 = x0.clamp(0.0, (fw - 1.0 - nw).max(0.0));
        y0 = y0.clamp(0.0, (fh - 1.0 - nh).max(0.0));
        Ok(BBox::new(x0, y0, x0 + nw, y0 + nh))
    }

    /// The warp map from a `out_w` x `out_h` input to the crop region (pixel centres).
    pub fn affine(
        &self,
        bbox: &BBox,
        frame_w: usize,
        frame_h: usize,
        out_w: usize,
        out_h: usize,
    ) -> Result<Affine, Error> {
        let r = self.region(bbox, frame_w, frame_h)?;
        Ok(region_map(&r, out_w, out_h))
    }

    /// The region centred on `bbox` (scaled, made square if asked), neither shrunk nor
    /// shifted to fit the frame: parts outside read as black. This is the crop the shipped DTN
    /// was calibrated on (tools/models/dataset.py `face_context_crops`, scale 1, square).
    pub fn centered_region(&self, bbox: &BBox) -> Result<BBox, Error> {
        let (mut w, mut h) = (bbox.width(), bbox.height());
        if !(w > 0.0 && h > 0.0 && self.scale > 0.0 && (w * self.scale).is_finite()) {
            return Err(Error::InvalidParameter("crop box or scale"));
        }
        if self.square {
            let s = w.max(h);
            w = s;
            h = s;
        }
        let c = bbox.center();
        Ok(BBox::from_center(c.x, c.y, w * self.scale, h * self.scale))
    }

    /// Crops [`centered_region`](Self::centered_region) into `canvas` (bilinear, black
    /// outside the frame).
    pub fn crop_centered(
        &self,
        frame: &Frame<'_>,
        bbox: &BBox,
        enc: &PixelEncoder,
        canvas: &mut Canvas<'_>,
    ) -> Result<(), Error> {
        let r = self.centered_region(bbox)?;
        let map = region_map(&r, canvas.width(), canvas.height());
        warp_black(frame, &map, enc, canvas)
    }

    /// Crops `bbox` from `frame` into `canvas` (bilinear, edge replication), encoding pixels
    /// with `enc`.
    pub fn crop(
        &self,
        frame: &Frame<'_>,
        bbox: &BBox,
        enc: &PixelEncoder,
        canvas: &mut Canvas<'_>,
    ) -> Result<(), Error> {
        let map = self.affine(
            bbox,
            frame.width(),
            frame.height(),
            canvas.width(),
            canvas.height(),
        )?;
        warp(
            frame,
            &map,
            Interp::Bilinear,
            Border::Replicate,
            enc,
            canvas,
            None,
        )
    }
}

/// Bilinear warp of the whole canvas with black beyond the frame (insightface's and the
/// model build's convention for aligned and context crops).
fn warp_black(
    frame: &Frame<'_>,
    map: &Affine,
    enc: &PixelEncoder,
    canvas: &mut Canvas<'_>,
) -> Result<(), Error> {
    warp(
        frame,
        map,
        Interp::Bilinear,
        Border::Constant([0, 0, 0]),
        enc,
        canvas,
        None,
    )
}

/// The warp map from a `out_w` x `out_h` input onto the frame region `r` (pixel centres).
fn region_map(r: &BBox, out_w: usize, out_h: usize) -> Affine {
    let (sx, sy) = (r.width() / out_w as f32, r.height() / out_h as f32);
    Affine {
        a: sx,
        b: 0.0,
        tx: r.x0 + 0.5 * sx - 0.5,
        c: 0.0,
        d: sy,
        ty: r.y0 + 0.5 * sy - 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::PixelFormat;
    use crate::preprocess::ChannelOrder;
    use crate::Quant;
    use std::vec;

    fn close(a: f32, b: f32, tol: f32) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn recovers_known_similarity() {
        for (scale, deg, tx, ty) in [
            (0.5f32, 20.0f32, 30.0, -12.0),
            (2.3, -75.0, -100.0, 40.0),
            (1.0, 179.0, 0.0, 0.0),
        ] {
            let r = deg.to_radians();
            let truth = Similarity {
                a: scale * r.cos(),
                b: scale * r.sin(),
                tx,
                ty,
            };
            let src = ARCFACE_112;
            let dst = src.map(|p| truth.apply(p));
            let est = Similarity::estimate(&src, &dst).unwrap();
            assert!(close(est.scale(), scale, 1e-4), "{est:?}");
            assert!(close(est.angle(), r, 1e-4), "{est:?}");
            assert!(
                close(est.tx, tx, 1e-2) && close(est.ty, ty, 1e-2),
                "{est:?}"
            );
            let inv = est.inverse();
            let p = inv.apply(est.apply(Point::new(7.0, -3.0)));
            assert!(close(p.x, 7.0, 1e-3) && close(p.y, -3.0, 1e-3));
        }
    }

    #[test]
    fn no_reflection_and_least_squares() {
        // A mirrored template cannot be matched by a proper similarity: the estimate must stay
        // a rotation (positive determinant a^2 + b^2), never flip.
        let mirrored = ARCFACE_112.map(|p| Point::new(112.0 - p.x, p.y));
        let est = Similarity::estimate(&ARCFACE_112, &mirrored).unwrap();
        let det = est.to_affine().a * est.to_affine().d - est.to_affine().b * est.to_affine().c;
        assert!(det > 0.0);
        // Perturbing one destination point moves the fit less than the perturbation.
        let mut noisy = ARCFACE_112;
        noisy[2].x += 5.0;
        let est = Similarity::estimate(&ARCFACE_112, &noisy).unwrap();
        let moved = est.apply(ARCFACE_112[2]).x - ARCFACE_112[2].x;
        assert!(moved > 0.0 && moved < 5.0, "{moved}");
        let same = [Point::new(1.0, 1.0); 5];
        assert_eq!(
            Similarity::estimate(&same, &ARCFACE_112),
            Err(Error::DegenerateLandmarks)
        );
        assert!(Similarity::estimate(&same[..1], &ARCFACE_112[..1]).is_err());
    }

    fn raw_encoder() -> PixelEncoder {
        let q = Quant::new(1.0, -128).unwrap();
        PixelEncoder::new(ChannelOrder::Rgb, [0.0; 3], [1.0; 3], q).unwrap()
    }

    fn align_raw<'o>(
        frame: &Frame<'_>,
        landmarks: &[Point; 5],
        out: &'o mut [i8],
    ) -> (Similarity, Canvas<'o>) {
        let mut canvas = Canvas::new(out, 112, 112).unwrap();
        let enc = raw_encoder();
        let fwd = align_face(frame, landmarks, &ARCFACE_112, &enc, &mut canvas).unwrap();
        (fwd, canvas)
    }

    /// Frame where R = x / 2, G = y / 2 (a linear gradient bilinear sampling reproduces).
    fn gradient_frame(w: usize, h: usize) -> std::vec::Vec<u8> {
        let mut buf = vec![0u8; w * h * 3];
        for y in 0..h {
            for x in 0..w {
                buf[3 * (y * w + x)] = (x / 2) as u8;
                buf[3 * (y * w + x) + 1] = (y / 2) as u8;
                buf[3 * (y * w + x) + 2] = 200;
            }
        }
        buf
    }

    #[test]
    fn aligned_crop_samples_where_the_similarity_says() {
        let (w, h) = (400, 300);
        let buf = gradient_frame(w, h);
        let frame = Frame::packed(&buf, w, h, PixelFormat::Rgb888).unwrap();
        // A face rotated by 10 degrees at 1.5x template size, placed at (150, 80).
        let r = 10f32.to_radians();
        let place = Similarity {
            a: 1.5 * r.cos(),
            b: 1.5 * r.sin(),
            tx: 150.0,
            ty: 80.0,
        };
        let landmarks = ARCFACE_112.map(|p| place.apply(p));
        let mut out = vec![0i8; 112 * 112 * 3];
        let (fwd, canvas) = align_raw(&frame, &landmarks, &mut out);
        assert!(close(fwd.scale(), 1.0 / 1.5, 1e-4));
        for (x, y) in [(0usize, 0usize), (56, 56), (111, 5), (20, 100)] {
            let src = place.apply(Point::new(x as f32, y as f32));
            let got = canvas.pixel(x, y).unwrap();
            // Bilinear of floor(x / 2) is within 0.5 of x / 2 - 0.25, plus rounding.
            let want_r = src.x / 2.0 - 0.25;
            let want_g = src.y / 2.0 - 0.25;
            assert!(
                close(f32::from(got[0]) + 128.0, want_r, 1.0),
                "{x},{y}: {got:?} {src:?}"
            );
            assert!(
                close(f32::from(got[1]) + 128.0, want_g, 1.0),
                "{x},{y}: {got:?} {src:?}"
            );
            assert_eq!(got[2], 72);
        }
    }

    #[test]
    fn aligned_crop_outside_frame_is_black() {
        let buf = gradient_frame(64, 64);
        let frame = Frame::packed(&buf, 64, 64, PixelFormat::Rgb888).unwrap();
        // Landmarks far to the left: most of the crop lies outside the frame.
        let landmarks = ARCFACE_112.map(|p| Point::new(p.x - 200.0, p.y));
        let mut out = vec![0i8; 112 * 112 * 3];
        let (_, canvas) = align_raw(&frame, &landmarks, &mut out);
        assert_eq!(canvas.pixel(56, 56).unwrap(), [-128; 3]);
    }

    #[test]
    fn box_crop_scales_clamps_and_shifts() {
        let crop = BoxCrop {
            scale: 2.7,
            square: false,
        };
        // Centre box: scaled 2.7x about its centre.
        let b = BBox::new(300.0, 200.0, 340.0, 250.0);
        let r = crop.region(&b, 640, 480).unwrap();
        assert!(close(r.width(), 108.0, 1e-3) && close(r.height(), 135.0, 1e-3));
        assert!(close(r.center().x, 320.0, 1e-3) && close(r.center().y, 225.0, 1e-3));
        // Near the left edge: shifted inside, size kept.
        let r = crop
            .region(&BBox::new(0.0, 200.0, 40.0, 250.0), 640, 480)
            .unwrap();
        assert_eq!(r.x0, 0.0);
        assert!(close(r.width(), 108.0, 1e-3));
        // Huge box: scale reduced so that the region fits.
        let r = crop
            .region(&BBox::new(100.0, 0.0, 400.0, 400.0), 640, 480)
            .unwrap();
        assert!(r.height() <= 479.0 + 1e-3 && r.y0 >= 0.0);
        assert!(crop.region(&BBox::default(), 640, 480).is_err());
        // Crop into a 4x4 canvas of a gradient: column values increase left to right.
        let buf = gradient_frame(64, 64);
        let frame = Frame::packed(&buf, 64, 64, PixelFormat::Rgb888).unwrap();
        let unit = BoxCrop {
            scale: 1.0,
            square: true,
        };
        let mut out = [0i8; 4 * 4 * 3];
        let mut canvas = Canvas::new(&mut out, 4, 4).unwrap();
        unit.crop(
            &frame,
            &BBox::new(16.0, 16.0, 48.0, 40.0),
            &raw_encoder(),
            &mut canvas,
        )
        .unwrap();
        // Square 32x32 region centred at (32, 28): x from 16 to 48, y from 12 to 44.
        let p0 = canvas.pixel(0, 0).unwrap();
        let p3 = canvas.pixel(3, 3).unwrap();
        assert!(close(f32::from(p0[0]) + 128.0, 10.0, 1.0), "{p0:?}");
        assert!(close(f32::from(p3[0]) + 128.0, 21.75, 1.0), "{p3:?}");
        assert!(close(f32::from(p0[1]) + 128.0, 8.0, 1.0), "{p0:?}");
        // Centred crop: same centre, not shifted, black outside the frame.
        let edge = BBox::new(0.0, 20.0, 20.0, 40.0);
        let r = unit.centered_region(&edge).unwrap();
        assert_eq!((r.x0, r.x1), (0.0, 20.0));
        let wide = BoxCrop {
            scale: 2.0,
            square: true,
        };
        let r = wide.centered_region(&edge).unwrap();
        assert_eq!((r.x0, r.y0, r.x1, r.y1), (-10.0, 10.0, 30.0, 50.0));
        let mut c = Canvas::new(&mut out, 4, 4).unwrap();
        wide.crop_centered(&frame, &edge, &raw_encoder(), &mut c)
            .unwrap();
        assert_eq!(
            c.pixel(0, 2).unwrap(),
            [-128; 3],
            "left of the frame is black"
        );
        assert!(f32::from(c.pixel(3, 2).unwrap()[2]) + 128.0 > 150.0);
        assert!(wide.centered_region(&BBox::default()).is_err());
    }
}
