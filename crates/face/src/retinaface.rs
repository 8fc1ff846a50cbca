// SPDX-License-Identifier: Apache-2.0
//! RetinaFace (biubug6 lineage) output decoding: prior boxes, box and landmark regression,
//! face score, NMS and mapping back to the frame.
//!
//! Priors: three levels with steps 8, 16, 32 and min sizes {16, 32}, {64, 128}, {256, 512};
//! a level's feature map is `ceil(H / step) x ceil(W / step)`; order: level, row, column,
//! min size. Each prior is `(cx, cy, w, h)` normalised by the input width and height.
//! Outputs per prior: `loc[4]`, `conf[2]` (background, face), `landm[10]` (x, y of 5 points).

use crate::detection::Detection;
use crate::geometry::{BBox, Point};
use crate::nms::{nms, push_top};
use crate::preprocess::Letterbox;
use crate::quant::check_len;
use crate::score::{first_passing, sigmoid, ScoreKind};
use crate::{Error, Quant};
use heapless::Vec;

const STEPS: [usize; 3] = [8, 16, 32];
const MIN_SIZES: [[f32; 2]; 3] = [[16.0, 32.0], [64.0, 128.0], [256.0, 512.0]];

/// One prior box, normalised to the input size.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Prior {
    /// Centre x / input width.
    pub cx: f32,
    /// Centre y / input height.
    pub cy: f32,
    /// Width / input width.
    pub w: f32,
    /// Height / input height.
    pub h: f32,
}

/// The prior boxes of one input size, computed on demand (no table needed; see
/// [`PriorBoxes::fill`] for one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorBoxes {
    width: usize,
    height: usize,
    /// Feature-map columns and rows per level.
    maps: [(usize, usize); 3],
    len: usize,
}

impl PriorBoxes {
    /// Priors for a `width` x `height` input (e.g. 320 x 240, 320 x 320).
    pub fn new(width: usize, height: usize) -> Result<Self, Error> {
        if width == 0 || height == 0 || width > 4096 || height > 4096 {
            return Err(Error::InvalidParameter("RetinaFace input size"));
        }
        let mut maps = [(0, 0); 3];
        let mut len = 0;
        for (m, step) in maps.iter_mut().zip(STEPS) {
            *m = (width.div_ceil(step), height.div_ceil(step));
            len += m.0 * m.1 * 2;
        }
        Ok(Self {
            width,
            height,
            maps,
            len,
        })
    }

    /// Number of priors (4200 for 320 x 320).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false (an input has at least one prior per level).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Input width.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Input height.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Prior number `i`, or `None` past the end.
    pub fn get(&self, mut i: usize) -> Option<Prior> {
        for (level, &(cols, rows)) in self.maps.iter().enumerate() {
            let n = cols * rows * 2;
            if i < n {
                let k = i % 2;
                let cell = i / 2;
                let (row, col) = (cell / cols, cell % cols);
                let step = STEPS[level] as f32;
                let size = MIN_SIZES[level][k];
                return Some(Prior {
                    cx: (col as f32 + 0.5) * step / self.width as f32,
                    cy: (row as f32 + 0.5) * step / self.height as f32,
                    w: size / self.width as f32,
                    h: size / self.height as f32,
                });
            }
            i -= n;
        }
        None
    }

    /// Writes all priors into `out` (which must hold at least [`len`](Self::len)).
    pub fn fill(&self, out: &mut [Prior]) -> Result<(), Error> {
        if out.len() < self.len {
            return Err(Error::BufferTooShort {
                needed: self.len,
                got: out.len(),
            });
        }
        for (i, o) in out.iter_mut().take(self.len).enumerate() {
            *o = self.get(i).unwrap_or_default();
        }
        Ok(())
    }
}

/// Decoder settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetinaFaceConfig {
    /// Minimum face probability.
    pub score_threshold: f32,
    /// NMS IoU threshold.
    pub nms_iou: f32,
    /// Maximum faces returned.
    pub top_k: usize,
    /// Whether `conf` holds softmax probabilities or logits.
    pub score_kind: ScoreKind,
    /// Box regression variances (centre, size); biubug6: 0.1, 0.2.
    pub variances: [f32; 2],
}

impl Default for RetinaFaceConfig {
    /// Settings for the shipped int8 RetinaFace-MobileNet0.25 (320 x 240): its `conf`
    /// output holds logits (the conversion has no SOFTMAX; output scale ~0.065, zero point
    /// 6). On the test photos clear faces score >= 0.99 and the one false positive seen
    /// scored 0.55, hence the 0.6 threshold.
    fn default() -> Self {
        Self {
            score_threshold: 0.6,
            nms_iou: 0.4,
            top_k: 16,
            score_kind: ScoreKind::Logits,
            variances: [0.1, 0.2],
        }
    }
}

/// The three int8 output tensors (batch 1, prior-major) and their quantisation.
#[derive(Debug, Clone, Copy)]
pub struct RetinaFaceOutputs<'a> {
    /// `[N, 4]` box regression.
    pub loc: &'a [i8],
    /// Quantisation of `loc`.
    pub loc_q: Quant,
    /// `[N, 2]` background / face scores.
    pub conf: &'a [i8],
    /// Quantisation of `conf`.
    pub conf_q: Quant,
    /// `[N, 10]` landmark regression.
    pub landm: &'a [i8],
    /// Quantisation of `landm`.
    pub landm_q: Quant,
}

/// Decodes the outputs into at most `N` candidates, suppresses overlaps, keeps `top_k`, and
/// maps boxes and landmarks to frame coordinates through `letterbox`.
///
/// Candidates are screened in the integer domain (a precomputed int8 threshold), so only
/// faces above the threshold cost any float work.
pub fn decode<const N: usize>(
    out: &RetinaFaceOutputs<'_>,
    priors: &PriorBoxes,
    cfg: &RetinaFaceConfig,
    letterbox: &Letterbox,
    dets: &mut Vec<Detection, N>,
) -> Result<(), Error> {
    let n = priors.len();
    check_len(out.loc, n * 4)?;
    check_len(out.conf, n * 2)?;
    check_len(out.landm, n * 10)?;
    if !(0.0..1.0).contains(&cfg.score_threshold) {
        return Err(Error::InvalidParameter("score threshold"));
    }
    dets.clear();
    let thr = cfg.score_threshold;
    let cq = out.conf_q;
    // Integer screen: probability q1 >= qmin, or logit difference q1 - q0 >= dmin.
    let qmin = first_passing(-128..=127, |q| cq.dequantize(q as i8) >= thr);
    let dmin = first_passing(-255..=255, |d| sigmoid(cq.scale * d as f32) >= thr);
    let (w, h) = (priors.width as f32, priors.height as f32);
    let [v0, v1] = cfg.variances;
    let lq = out.loc_q;
    let mq = out.landm_q;
    for i in 0..n {
        let (c0, c1) = (i32::from(out.conf[2 * i]), i32::from(out.conf[2 * i + 1]));
        let score = match cfg.score_kind {
            ScoreKind::Probabilities if c1 >= qmin => cq.dequantize(c1 as i8).min(1.0),
            ScoreKind::Logits if c1 - c0 >= dmin => sigmoid(cq.scale * (c1 - c0) as f32),
            _ => continue,
        };
        let Some(p) = priors.get(i) else { continue };
        let l = &out.loc[4 * i..4 * i + 4];
        let cx = p.cx + lq.dequantize(l[0]) * v0 * p.w;
        let cy = p.cy + lq.dequantize(l[1]) * v0 * p.h;
        let bw = p.w * libm::expf(lq.dequantize(l[2]) * v1);
        let bh = p.h * libm::expf(lq.dequantize(l[3]) * v1);
        let m = &out.landm[10 * i..10 * i + 10];
        let mut landmarks = [Point::default(); 5];
        for (k, lm) in landmarks.iter_mut().enumerate() {
            lm.x = (p.cx + mq.dequantize(m[2 * k]) * v0 * p.w) * w;
            lm.y = (p.cy + mq.dequantize(m[2 * k + 1]) * v0 * p.h) * h;
        }
        let d = Detection {
            bbox: BBox::from_center(cx * w, cy * h, bw * w, bh * h),
            score,
            landmarks,
        };
        push_top(dets, d);
    }
    nms(dets, cfg.nms_iou, cfg.top_k);
    letterbox.all_to_frame(dets);
    Ok(())
}

/// Encodes a box and landmarks (input pixels) against `prior` with variances (0.1, 0.2):
/// the exact inverse of the decoder, for building synthetic outputs and checking decoders.
/// Returns the real-valued `loc[4]` and `landm[10]`.
pub fn encode(
    prior: &Prior,
    bbox: &BBox,
    landmarks: &[Point; 5],
    width: f32,
    height: f32,
) -> ([f32; 4], [f32; 10]) {
    let (p, w, h) = (prior, width, height);
    let c = bbox.center();
    let loc = [
        (c.x / w - p.cx) / (0.1 * p.w),
        (c.y / h - p.cy) / (0.1 * p.h),
        libm::logf(bbox.width() / w / p.w) / 0.2,
        libm::logf(bbox.height() / h / p.h) / 0.2,
    ];
    let mut lm = [0.0; 10];
    for (k, q) in landmarks.iter().enumerate() {
        lm[2 * k] = (q.x / w - p.cx) / (0.1 * p.w);
        lm[2 * k + 1] = (q.y / h - p.cy) / (0.1 * p.h);
    }
    (loc, lm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    const IDENT: Letterbox = Letterbox::IDENTITY;

    #[test]
    fn prior_counts_and_order() {
        let p = PriorBoxes::new(320, 320).unwrap();
        assert_eq!(p.len(), 2 * (40 * 40 + 20 * 20 + 10 * 10));
        let p = PriorBoxes::new(320, 240).unwrap();
        assert_eq!(p.len(), 2 * (40 * 30 + 20 * 15 + 10 * 8));
        // First two priors share the first cell of level 0 with sizes 16 and 32.
        let a = p.get(0).unwrap();
        let b = p.get(1).unwrap();
        assert_eq!((a.cx, a.cy), (4.0 / 320.0, 4.0 / 240.0));
        assert_eq!((a.w, b.w, b.h), (16.0 / 320.0, 32.0 / 320.0, 32.0 / 240.0));
        // Index 2 is the next column.
        assert_eq!(p.get(2).unwrap().cx, 12.0 / 320.0);
        // First prior of level 1.
        let l1 = p.get(2 * 40 * 30).unwrap();
        assert_eq!((l1.cx, l1.w), (8.0 / 320.0, 64.0 / 320.0));
        // Last prior: level 2, last row (7), last col (9), size 512; ceil(240/32) = 8 rows.
        let last = p.get(p.len() - 1).unwrap();
        assert_eq!((last.cx, last.cy), (9.5 * 32.0 / 320.0, 7.5 * 32.0 / 240.0));
        assert!(p.get(p.len()).is_none());
        let mut table = vec![Prior::default(); p.len()];
        p.fill(&mut table).unwrap();
        assert_eq!(table[2 * 40 * 30], l1);
        assert!(p.fill(&mut table[..10]).is_err());
        assert!(PriorBoxes::new(0, 10).is_err());
    }

    struct Synth {
        loc: std::vec::Vec<i8>,
        conf: std::vec::Vec<i8>,
        landm: std::vec::Vec<i8>,
        lq: Quant,
        cq: Quant,
    }

    impl Synth {
        fn outputs(&self) -> RetinaFaceOutputs<'_> {
            RetinaFaceOutputs {
                loc: &self.loc,
                loc_q: self.lq,
                conf: &self.conf,
                conf_q: self.cq,
                landm: &self.landm,
                landm_q: self.lq,
            }
        }
    }

    /// Builds int8 outputs with faces `(prior index, box, landmarks, probability)`.
    fn synth(priors: &PriorBoxes, faces: &[(usize, BBox, [Point; 5], f32)], logits: bool) -> Synth {
        let n = priors.len();
        let lq = Quant::new(0.05, 3).unwrap();
        let cq = if logits {
            Quant::new(0.1, 0).unwrap()
        } else {
            Quant::new(1.0 / 256.0, -128).unwrap()
        };
        let mut s = Synth {
            loc: vec![lq.quantize(0.0); n * 4],
            conf: vec![0; n * 2],
            landm: vec![lq.quantize(0.0); n * 10],
            lq,
            cq,
        };
        for i in 0..n {
            let (b, f) = if logits {
                (cq.quantize(2.0), cq.quantize(-2.0))
            } else {
                (cq.quantize(0.99), cq.quantize(0.01))
            };
            s.conf[2 * i] = b;
            s.conf[2 * i + 1] = f;
        }
        let (w, h) = (priors.width() as f32, priors.height() as f32);
        for &(i, b, lms, prob) in faces {
            let (loc, lm) = encode(&priors.get(i).unwrap(), &b, &lms, w, h);
            for (o, v) in s.loc[4 * i..4 * i + 4].iter_mut().zip(loc) {
                *o = lq.quantize(v);
            }
            for (o, v) in s.landm[10 * i..10 * i + 10].iter_mut().zip(lm) {
                *o = lq.quantize(v);
            }
            if logits {
                let l = crate::score::logit(prob);
                s.conf[2 * i] = cq.quantize(-l / 2.0);
                s.conf[2 * i + 1] = cq.quantize(l / 2.0);
            } else {
                s.conf[2 * i] = cq.quantize(1.0 - prob);
                s.conf[2 * i + 1] = cq.quantize(prob);
            }
        }
        s
    }

    fn face_at(x: f32, y: f32, size: f32) -> (BBox, [Point; 5]) {
        let b = BBox::new(x, y, x + size, y + size * 1.2);
        let lm = [
            Point::new(x + 0.3 * size, y + 0.45 * size),
            Point::new(x + 0.7 * size, y + 0.45 * size),
            Point::new(x + 0.5 * size, y + 0.65 * size),
            Point::new(x + 0.35 * size, y + 0.9 * size),
            Point::new(x + 0.65 * size, y + 0.9 * size),
        ];
        (b, lm)
    }

    fn nearest_prior(priors: &PriorBoxes, b: &BBox) -> usize {
        let c = b.center();
        let (w, h) = (priors.width() as f32, priors.height() as f32);
        let mut best = (f32::MAX, 0);
        for i in 0..priors.len() {
            let p = priors.get(i).unwrap();
            let d = (p.cx * w - c.x).abs() + (p.cy * h - c.y).abs() + (p.w * w - b.width()).abs();
            if d < best.0 {
                best = (d, i);
            }
        }
        best.1
    }

    fn round_trip(logits: bool) {
        let priors = PriorBoxes::new(320, 240).unwrap();
        let (b1, l1) = face_at(40.0, 30.0, 40.0);
        let (b2, l2) = face_at(180.0, 60.0, 110.0);
        let i1 = nearest_prior(&priors, &b1);
        let i2 = nearest_prior(&priors, &b2);
        // A duplicate of face 1 on the neighbouring prior (lower score) must be suppressed.
        let faces = [(i1, b1, l1, 0.95), (i1 + 2, b1, l1, 0.8), (i2, b2, l2, 0.9)];
        let s = synth(&priors, &faces, logits);
        let out = s.outputs();
        let cfg = RetinaFaceConfig {
            score_kind: if logits {
                ScoreKind::Logits
            } else {
                ScoreKind::Probabilities
            },
            ..RetinaFaceConfig::default()
        };
        // A 640x480 frame letterboxed into 320x240 at scale 0.5.
        let lb = Letterbox {
            scale_x: 0.5,
            scale_y: 0.5,
            ..IDENT
        };
        let mut dets: Vec<Detection, 32> = Vec::new();
        decode(&out, &priors, &cfg, &lb, &mut dets).unwrap();
        assert_eq!(dets.len(), 2, "{dets:?}");
        assert!((dets[0].score - 0.95).abs() < 0.02, "{}", dets[0].score);
        for (d, (b, l)) in dets.iter().zip([(b1, l1), (b2, l2)]) {
            let want = lb.bbox_to_frame(&b);
            assert!(d.bbox.iou(&want) > 0.95, "{d:?} vs {want:?}");
            for (got, want) in d.landmarks.iter().zip(l) {
                let p = lb.to_frame(want);
                let err = (got.x - p.x).abs() + (got.y - p.y).abs();
                assert!(err < 2.0, "landmark {got:?} vs {p:?}");
            }
        }
    }

    #[test]
    fn encode_decode_round_trip_probabilities() {
        round_trip(false);
    }

    #[test]
    fn encode_decode_round_trip_logits() {
        round_trip(true);
    }

    #[test]
    fn threshold_and_shape_errors() {
        let priors = PriorBoxes::new(64, 64).unwrap();
        let (b, l) = face_at(10.0, 10.0, 20.0);
        let i = nearest_prior(&priors, &b);
        let s = synth(&priors, &[(i, b, l, 0.5)], false);
        let out = s.outputs();
        let mut dets: Vec<Detection, 8> = Vec::new();
        decode(
            &out,
            &priors,
            &RetinaFaceConfig::default(),
            &IDENT,
            &mut dets,
        )
        .unwrap();
        assert!(dets.is_empty(), "0.5 is below the 0.6 threshold");
        let low = RetinaFaceConfig {
            score_threshold: 0.4,
            ..RetinaFaceConfig::default()
        };
        decode(&out, &priors, &low, &IDENT, &mut dets).unwrap();
        assert_eq!(dets.len(), 1);
        let short = RetinaFaceOutputs {
            loc: &s.loc[1..],
            ..out
        };
        assert!(matches!(
            decode(&short, &priors, &low, &IDENT, &mut dets),
            Err(Error::ShapeMismatch { .. })
        ));
    }
}
