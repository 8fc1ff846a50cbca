// SPDX-License-Identifier: Apache-2.0
//! Enrolment: quality gates on each sample of one tracked face (size, sharpness, pose,
//! light, liveness, consistency), guidance for the person, and the averaged template.

use crate::align::ARCFACE_112;
use crate::detection::{landmark, Detection};
use crate::embedding::{Embedding, EmbeddingSum};
use crate::frame::Frame;
use crate::geometry::{BBox, Point};
use crate::liveness::Liveness;
use crate::Error;

/// What the person should do for the next sample (serialised as a snake_case code, e.g.
/// `"come_closer"`, in kiosk events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Guidance {
    /// The sample is good.
    Ok,
    /// No face is visible.
    NoFace,
    /// More than one face: only the person enrolling should be in view.
    TooManyFaces,
    /// The face is too small.
    ComeCloser,
    /// Head turned, tilted or nodding.
    FaceTheCamera,
    /// Blurred, moving, or inconsistent with the earlier samples.
    HoldStill,
    /// Too dark.
    MoreLight,
    /// The anti-spoof stage does not see a live face.
    ShowRealFace,
}

impl Guidance {
    /// A short text for the screen.
    pub fn text(&self) -> &'static str {
        match self {
            Guidance::Ok => "Hold on...",
            Guidance::NoFace => "Look at the camera",
            Guidance::TooManyFaces => "One person at a time",
            Guidance::ComeCloser => "Come closer",
            Guidance::FaceTheCamera => "Face the camera",
            Guidance::HoldStill => "Hold still",
            Guidance::MoreLight => "More light, please",
            Guidance::ShowRealFace => "Show your real face",
        }
    }
}

/// Head pose indices from the five landmarks (no camera model needed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    /// Horizontal nose offset from the eye midpoint, in half eye distances (0 = frontal,
    /// about ±1 at a profile).
    pub yaw: f32,
    /// Nose height between eye line and mouth line minus the template's (0 = frontal;
    /// positive = looking down).
    pub pitch: f32,
    /// Angle of the eye line, degrees.
    pub roll_deg: f32,
}

fn mid(a: Point, b: Point) -> Point {
    Point::new(0.5 * (a.x + b.x), 0.5 * (a.y + b.y))
}

/// Nose position between eyes and mouth on the template (about 0.494).
fn template_pitch_ratio() -> f32 {
    let t = &ARCFACE_112;
    let eyes = mid(t[landmark::LEFT_EYE], t[landmark::RIGHT_EYE]);
    let mouth = mid(t[landmark::LEFT_MOUTH], t[landmark::RIGHT_MOUTH]);
    (t[landmark::NOSE].y - eyes.y) / (mouth.y - eyes.y)
}

/// Estimates the pose; measured in the eye-line frame, so roll does not leak into yaw/pitch.
pub fn pose(lm: &[Point; 5]) -> Result<Pose, Error> {
    let (le, re) = (lm[landmark::LEFT_EYE], lm[landmark::RIGHT_EYE]);
    let (dx, dy) = (re.x - le.x, re.y - le.y);
    let eye_dist = libm::sqrtf(dx * dx + dy * dy);
    if eye_dist.is_nan() || eye_dist <= 1e-3 {
        return Err(Error::DegenerateLandmarks);
    }
    let (ux, uy) = (dx / eye_dist, dy / eye_dist);
    // Coordinates along the eye line (u) and perpendicular to it (v), origin at eye midpoint.
    let eyes = mid(le, re);
    let local = |p: Point| {
        let (px, py) = (p.x - eyes.x, p.y - eyes.y);
        (px * ux + py * uy, -px * uy + py * ux)
    };
    let (nu, nv) = local(lm[landmark::NOSE]);
    let (_, mv) = local(mid(lm[landmark::LEFT_MOUTH], lm[landmark::RIGHT_MOUTH]));
    if mv.is_nan() || mv <= 1e-3 {
        return Err(Error::DegenerateLandmarks);
    }
    Ok(Pose {
        yaw: nu / (0.5 * eye_dist),
        pitch: nv / mv - template_pitch_ratio(),
        roll_deg: libm::atan2f(dy, dx).to_degrees(),
    })
}

/// Variance of the 4-neighbour Laplacian of the luma of an int8 NHWC crop (3 channels),
/// integer arithmetic; higher = sharper. Luma is `c0 + 2 c1 + c2` (channel order does not
/// matter much for this purpose), in the crop's quantised units.
pub fn sharpness(crop: &[i8], width: usize, height: usize) -> Result<u32, Error> {
    let n = width
        .checked_mul(height)
        .and_then(|n| n.checked_mul(3))
        .ok_or(Error::InvalidParameter("crop size"))?;
    crate::quant::check_len(crop, n)?;
    if width < 3 || height < 3 {
        return Err(Error::EmptyImage);
    }
    let y = |x: usize, r: usize| {
        let o = 3 * (r * width + x);
        i32::from(crop[o]) + 2 * i32::from(crop[o + 1]) + i32::from(crop[o + 2])
    };
    let (mut sum, mut sum2, mut n) = (0i64, 0i64, 0i64);
    for r in 1..height - 1 {
        for x in 1..width - 1 {
            let l = 4 * y(x, r) - y(x - 1, r) - y(x + 1, r) - y(x, r - 1) - y(x, r + 1);
            sum += i64::from(l);
            sum2 += i64::from(l) * i64::from(l);
            n += 1;
        }
    }
    let var = (sum2 - sum * sum / n) / n;
    Ok(var.clamp(0, i64::from(u32::MAX)) as u32)
}

/// Mean luma (0..=255) of `bbox` in `frame`, sampled on a 16 x 16 grid.
pub fn brightness(frame: &Frame<'_>, bbox: &BBox) -> u8 {
    let mut sum = 0u32;
    for j in 0..16 {
        for i in 0..16 {
            let x = bbox.x0 + (i as f32 + 0.5) * bbox.width() / 16.0;
            let y = bbox.y0 + (j as f32 + 0.5) * bbox.height() / 16.0;
            sum += u32::from(frame.luma_clamped(x as i32, y as i32));
        }
    }
    (sum / 256) as u8
}

/// Quality thresholds (calibrate per camera; defaults are starting points).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityGates {
    /// Minimum face box side in frame pixels.
    pub min_face_px: f32,
    /// Maximum |yaw| index.
    pub max_yaw: f32,
    /// Maximum |pitch| index.
    pub max_pitch: f32,
    /// Maximum |roll| in degrees.
    pub max_roll_deg: f32,
    /// Minimum [`sharpness`] of the aligned crop. Measured on 112 x 112 recognizer crops
    /// (q = pixel - 128) of the test photos: sharp faces 2300..33000, the same faces blurred
    /// (4x down and up) 143..344; the default 800 sits between.
    pub min_sharpness: u32,
    /// Minimum [`brightness`] of the face box.
    pub min_brightness: u8,
    /// Minimum IoU between this sample's box and the previous sample's (motion).
    pub min_steady_iou: f32,
    /// Minimum cosine of a sample to the running mean of the accepted ones.
    pub min_consistency: f32,
}

impl Default for QualityGates {
    fn default() -> Self {
        Self {
            min_face_px: 80.0,
            max_yaw: 0.35,
            max_pitch: 0.15,
            max_roll_deg: 15.0,
            min_sharpness: 800,
            min_brightness: 50,
            min_steady_iou: 0.7,
            min_consistency: 0.6,
        }
    }
}

/// What the kiosk measured on one frame for the face being enrolled.
#[derive(Debug, Clone, Copy)]
pub struct Sample<'a, const D: usize> {
    /// Faces detected in the frame.
    pub faces: usize,
    /// The enrolled person's detection (frame coordinates).
    pub detection: &'a Detection,
    /// [`sharpness`] of the aligned crop.
    pub sharpness: u32,
    /// [`brightness`] of the face box.
    pub brightness: u8,
    /// Anti-spoof result.
    pub liveness: Liveness,
    /// The recognizer's embedding of the aligned crop.
    pub embedding: &'a Embedding<D>,
}

/// Collects `needed` good samples of one face and averages them into a template.
#[derive(Debug, Clone)]
pub struct Enroller<const D: usize> {
    gates: QualityGates,
    needed: usize,
    sum: EmbeddingSum<D>,
    last_box: Option<BBox>,
}

impl<const D: usize> Enroller<D> {
    /// Starts an enrolment needing `needed` (>= 1) good samples.
    pub fn new(gates: QualityGates, needed: usize) -> Result<Self, Error> {
        if needed == 0 || needed > usize::from(u16::MAX) {
            return Err(Error::InvalidParameter("enrolment sample count"));
        }
        Ok(Self {
            gates,
            needed,
            sum: EmbeddingSum::default(),
            last_box: None,
        })
    }

    /// Judges a frame without a usable face (none, or several).
    pub fn no_sample(&self, faces: usize) -> Guidance {
        if faces == 0 {
            Guidance::NoFace
        } else {
            Guidance::TooManyFaces
        }
    }

    /// The gate a sample fails first, in the order a person can act on, or `Ok`.
    pub fn check(&self, s: &Sample<'_, D>) -> Guidance {
        let g = &self.gates;
        let b = &s.detection.bbox;
        if s.faces != 1 {
            return self.no_sample(s.faces);
        }
        if b.width().min(b.height()) < g.min_face_px {
            return Guidance::ComeCloser;
        }
        if s.brightness < g.min_brightness {
            return Guidance::MoreLight;
        }
        match pose(&s.detection.landmarks) {
            Ok(p)
                if libm::fabsf(p.yaw) <= g.max_yaw
                    && libm::fabsf(p.pitch) <= g.max_pitch
                    && libm::fabsf(p.roll_deg) <= g.max_roll_deg => {}
            _ => return Guidance::FaceTheCamera,
        }
        let moved = self
            .last_box
            .is_some_and(|last| last.iou(b) < g.min_steady_iou);
        if moved || s.sharpness < g.min_sharpness {
            return Guidance::HoldStill;
        }
        if s.liveness != Liveness::Live {
            return Guidance::ShowRealFace;
        }
        if self.sum.count() > 0 {
            let consistent = self
                .sum
                .mean()
                .map(|m| m.cosine(s.embedding) >= g.min_consistency)
                .unwrap_or(false);
            if !consistent {
                return Guidance::HoldStill;
            }
        }
        Guidance::Ok
    }

    /// Checks a sample and keeps it if good. The box is remembered either way, so motion is
    /// measured frame to frame.
    pub fn offer(&mut self, s: &Sample<'_, D>) -> Guidance {
        let verdict = self.check(s);
        if s.faces == 1 {
            self.last_box = Some(s.detection.bbox);
        }
        if verdict == Guidance::Ok && !self.is_complete() {
            self.sum.add(s.embedding);
        }
        verdict
    }

    /// Good samples so far.
    pub fn accepted(&self) -> usize {
        self.sum.count()
    }

    /// Good samples needed.
    pub fn needed(&self) -> usize {
        self.needed
    }

    /// True once enough good samples were collected.
    pub fn is_complete(&self) -> bool {
        self.sum.count() >= self.needed
    }

    /// The averaged, re-normalised template (needs [`is_complete`](Self::is_complete)).
    pub fn template(&self) -> Result<Embedding<D>, Error> {
        if !self.is_complete() {
            return Err(Error::InvalidParameter("enrolment not complete"));
        }
        self.sum.mean()
    }

    /// Starts over.
    pub fn reset(&mut self) {
        self.sum.clear();
        self.last_box = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::Similarity;
    use crate::frame::PixelFormat;
    use std::vec;

    /// A detection whose landmarks are the template under a similarity (scale, roll, shift).
    fn face(scale: f32, roll_deg: f32, x: f32) -> Detection {
        let r = roll_deg.to_radians();
        let s = Similarity {
            a: scale * libm::cosf(r),
            b: scale * libm::sinf(r),
            tx: x,
            ty: 50.0,
        };
        let lm = ARCFACE_112.map(|p| s.apply(p));
        Detection {
            bbox: BBox::new(x, 50.0, x + 112.0 * scale, 50.0 + 112.0 * scale),
            score: 0.9,
            landmarks: lm,
        }
    }

    #[test]
    fn pose_of_template_is_frontal_and_roll_is_measured() {
        let p = pose(&ARCFACE_112).unwrap();
        assert!(
            p.yaw.abs() < 0.02 && p.pitch.abs() < 1e-4 && p.roll_deg.abs() < 0.5,
            "{p:?}"
        );
        let p = pose(&face(2.0, 25.0, 0.0).landmarks).unwrap();
        assert!(
            (p.roll_deg - 25.0).abs() < 0.5 && p.yaw.abs() < 0.02,
            "{p:?}"
        );
        // Turn the head: nose moves sideways by 10 px at eye distance 35 -> yaw ~0.57.
        let mut lm = ARCFACE_112;
        lm[landmark::NOSE].x += 10.0;
        assert!((pose(&lm).unwrap().yaw - 10.0 / 17.62).abs() < 0.03);
        // Look down: nose closer to the mouth.
        let mut lm = ARCFACE_112;
        lm[landmark::NOSE].y += 8.0;
        assert!(pose(&lm).unwrap().pitch > 0.15);
        assert!(pose(&[Point::new(1.0, 1.0); 5]).is_err());
    }

    #[test]
    fn sharpness_prefers_edges() {
        let (w, h) = (16, 16);
        let flat = vec![5i8; w * h * 3];
        assert_eq!(sharpness(&flat, w, h).unwrap(), 0);
        let mut checker = vec![0i8; w * h * 3];
        for (i, px) in checker.chunks_mut(3).enumerate() {
            let v = if (i % w + i / w) % 2 == 0 { 40 } else { -40 };
            px.fill(v);
        }
        let mut soft = vec![0i8; w * h * 3];
        for (i, px) in soft.chunks_mut(3).enumerate() {
            px.fill(((i % w) * 4) as i8);
        }
        let sharp = sharpness(&checker, w, h).unwrap();
        assert!(sharp > 100_000, "{sharp}");
        assert_eq!(
            sharpness(&soft, w, h).unwrap(),
            0,
            "a linear ramp has no Laplacian"
        );
        assert!(sharpness(&flat, w, h - 1).is_err());
    }

    #[test]
    fn brightness_of_box() {
        let mut buf = vec![0u8; 64 * 64 * 3];
        for y in 0..64 {
            for x in 32..64 {
                buf[3 * (y * 64 + x)..3 * (y * 64 + x) + 3].fill(200);
            }
        }
        let f = Frame::packed(&buf, 64, 64, PixelFormat::Rgb888).unwrap();
        assert_eq!(brightness(&f, &BBox::new(0.0, 0.0, 32.0, 64.0)), 0);
        assert_eq!(brightness(&f, &BBox::new(32.0, 0.0, 64.0, 64.0)), 200);
        assert_eq!(brightness(&f, &BBox::new(16.0, 0.0, 48.0, 64.0)), 100);
    }

    #[test]
    fn gates_guide_then_average() {
        let mut e: Enroller<2> = Enroller::new(QualityGates::default(), 3).unwrap();
        let good = face(1.5, 0.0, 100.0);
        let emb = |deg: f32| {
            let r = deg.to_radians();
            Embedding::<2>::from_f32(&[libm::cosf(r), libm::sinf(r)]).unwrap()
        };
        let e0 = emb(0.0);
        let sample = |d, faces, sharp, light, live, emb| Sample {
            faces,
            detection: d,
            sharpness: sharp,
            brightness: light,
            liveness: live,
            embedding: emb,
        };
        let small = face(0.5, 0.0, 100.0);
        let tilted = face(1.5, 30.0, 100.0);
        let moved = face(1.5, 0.0, 160.0);
        let far = emb(80.0);
        let cases = [
            (
                sample(&good, 2, 2000, 120, Liveness::Live, &e0),
                Guidance::TooManyFaces,
            ),
            (
                sample(&small, 1, 2000, 120, Liveness::Live, &e0),
                Guidance::ComeCloser,
            ),
            (
                sample(&good, 1, 2000, 20, Liveness::Live, &e0),
                Guidance::MoreLight,
            ),
            (
                sample(&tilted, 1, 2000, 120, Liveness::Live, &e0),
                Guidance::FaceTheCamera,
            ),
            (
                sample(&good, 1, 50, 120, Liveness::Live, &e0),
                Guidance::HoldStill,
            ),
            (
                sample(&good, 1, 2000, 120, Liveness::Spoof, &e0),
                Guidance::ShowRealFace,
            ),
            (
                sample(&good, 1, 2000, 120, Liveness::Live, &e0),
                Guidance::Ok,
            ),
            (
                sample(&moved, 1, 2000, 120, Liveness::Live, &e0),
                Guidance::HoldStill,
            ),
            (
                sample(&moved, 1, 2000, 120, Liveness::Live, &far),
                Guidance::HoldStill,
            ),
        ];
        for (s, want) in cases {
            assert_eq!(e.offer(&s), want, "{:?}", s.detection.bbox);
        }
        assert_eq!(e.accepted(), 1);
        assert!(e.template().is_err());
        let e20 = emb(20.0);
        for _ in 0..2 {
            let s = sample(&moved, 1, 2000, 120, Liveness::Live, &e20);
            assert_eq!(e.offer(&s), Guidance::Ok);
        }
        assert!(e.is_complete());
        // Mean of 0, 20, 20 degrees: about 13.4 degrees.
        let t = e.template().unwrap();
        let ang = libm::atan2f(t.as_q15()[1] as f32, t.as_q15()[0] as f32).to_degrees();
        assert!((ang - 13.4).abs() < 0.3, "{ang}");
        assert_eq!(Guidance::ComeCloser.text(), "Come closer");
        e.reset();
        assert_eq!(e.accepted(), 0);
        assert!(Enroller::<2>::new(QualityGates::default(), 0).is_err());
    }
}
