// SPDX-License-Identifier: Apache-2.0
//! BlazeFace short-range (MediaPipe, 128 x 128) output decoding: 896 SSD anchors, box and six
//! keypoint regression, sigmoid scores, weighted NMS, and the six keypoints mapped to the
//! five alignment landmarks.
//!
//! Anchors: stride 8 (16 x 16 cells, 2 anchors each) then stride 16 (8 x 8 cells, 6 each),
//! order cell row, cell column, anchor; centres at (cell + 0.5) / cells, fixed size 1.
//! Boxes `[896, 16]`: `dx, dy, w, h` then six `(x, y)` keypoints, all in input pixels
//! relative to the anchor centre (divide by 128). Scores `[896, 1]`: logits.
//!
//! Keypoints (MediaPipe order): two eyes, nose tip, mouth centre, two ear tragions. The
//! five-point landmarks take the eyes (left = smaller x in the image), the nose tip, and two
//! mouth corners ESTIMATED from the mouth centre: placed along the eye line at ± half the
//! ArcFace template's mouth width / eye distance ratio (29.18 / 35.24) times the eye
//! vector. This puts them where the template expects for a frontal face; for turned faces
//! it is an approximation (the ears are unused).

use crate::align::ARCFACE_112;
use crate::detection::{landmark, Detection};
use crate::geometry::{BBox, Point};
use crate::nms::{nms, push_top, weighted_nms};
use crate::preprocess::Letterbox;
use crate::quant::check_len;
use crate::score::{first_passing, sigmoid};
use crate::{Error, Quant};
use heapless::Vec;

/// Input side in pixels.
pub const INPUT_SIZE: usize = 128;
/// Number of anchors.
pub const NUM_ANCHORS: usize = 896;
/// Values per anchor in the box tensor.
pub const BOX_VALUES: usize = 16;

/// Centre of anchor `i` (normalised), or `None` past the end.
pub fn anchor(i: usize) -> Option<Point> {
    let (cells, per_cell, j) = if i < 16 * 16 * 2 {
        (16, 2, i)
    } else if i < NUM_ANCHORS {
        (8, 6, i - 16 * 16 * 2)
    } else {
        return None;
    };
    let cell = j / per_cell;
    let (row, col) = (cell / cells, cell % cells);
    Some(Point::new(
        (col as f32 + 0.5) / cells as f32,
        (row as f32 + 0.5) / cells as f32,
    ))
}

/// Decoder settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlazeFaceConfig {
    /// Minimum face probability (MediaPipe: 0.5).
    pub score_threshold: f32,
    /// NMS IoU threshold (MediaPipe: 0.3).
    pub nms_iou: f32,
    /// Maximum faces returned.
    pub top_k: usize,
    /// Score-weighted blending of overlapping boxes (MediaPipe) instead of plain NMS.
    pub weighted: bool,
    /// Multiplier restoring the score logits (the shipped model's classifier head is
    /// divided by 16: 16, the default; MediaPipe's original float model: 1).
    pub score_factor: f32,
    /// Multiplier restoring the box regression (shipped model: 160, the default;
    /// original: 1).
    pub box_factor: f32,
}

impl Default for BlazeFaceConfig {
    /// Settings for the shipped models/detector_blazeface_short.tflite
    /// (tools/models/build_blazeface.py: head convs scaled by 1/16 and 1/160, input RGB
    /// `q = pixel - 128` at scale 1/128, grey letterbox) with MediaPipe's thresholds.
    fn default() -> Self {
        Self {
            score_threshold: 0.5,
            nms_iou: 0.3,
            top_k: 16,
            weighted: true,
            score_factor: 16.0,
            box_factor: 160.0,
        }
    }
}

/// The two int8 output tensors and their quantisation.
#[derive(Debug, Clone, Copy)]
pub struct BlazeFaceOutputs<'a> {
    /// `[896, 16]` regression.
    pub boxes: &'a [i8],
    /// Quantisation of `boxes`.
    pub boxes_q: Quant,
    /// `[896, 1]` score logits.
    pub scores: &'a [i8],
    /// Quantisation of `scores`.
    pub scores_q: Quant,
}

/// Half the template's mouth width over its eye distance (~0.414).
fn mouth_half_ratio() -> f32 {
    let t = &ARCFACE_112;
    let mouth = t[landmark::RIGHT_MOUTH].x - t[landmark::LEFT_MOUTH].x;
    let eyes = t[landmark::RIGHT_EYE].x - t[landmark::LEFT_EYE].x;
    0.5 * mouth / eyes
}

/// Maps MediaPipe's six keypoints (eye, eye, nose, mouth centre, ear, ear) to the five
/// alignment landmarks (see the module text for the mouth-corner estimate).
pub fn five_points(kp: &[Point; 6]) -> [Point; 5] {
    let (le, re) = if kp[0].x <= kp[1].x {
        (kp[0], kp[1])
    } else {
        (kp[1], kp[0])
    };
    let k = mouth_half_ratio();
    let (vx, vy) = (k * (re.x - le.x), k * (re.y - le.y));
    let m = kp[3];
    let mut out = [Point::default(); 5];
    out[landmark::LEFT_EYE] = le;
    out[landmark::RIGHT_EYE] = re;
    out[landmark::NOSE] = kp[2];
    out[landmark::LEFT_MOUTH] = Point::new(m.x - vx, m.y - vy);
    out[landmark::RIGHT_MOUTH] = Point::new(m.x + vx, m.y + vy);
    out
}

/// Decodes into at most `N` candidates, suppresses overlaps, keeps `top_k` and maps to frame
/// coordinates through `letterbox` (from a 128 x 128 input).
pub fn decode<const N: usize>(
    out: &BlazeFaceOutputs<'_>,
    cfg: &BlazeFaceConfig,
    letterbox: &Letterbox,
    dets: &mut Vec<Detection, N>,
) -> Result<(), Error> {
    check_len(out.boxes, NUM_ANCHORS * BOX_VALUES)?;
    check_len(out.scores, NUM_ANCHORS)?;
    if !(0.0..1.0).contains(&cfg.score_threshold) {
        return Err(Error::InvalidParameter("score threshold"));
    }
    if !(cfg.score_factor > 0.0 && cfg.box_factor > 0.0) {
        return Err(Error::InvalidParameter("output scale factor"));
    }
    dets.clear();
    let sq = out.scores_q;
    let bq = out.boxes_q;
    // MediaPipe clips logits to +-100 before the sigmoid.
    let prob = |q: i8| sigmoid((sq.dequantize(q) * cfg.score_factor).clamp(-100.0, 100.0));
    let qmin = first_passing(-128..=127, |q| prob(q as i8) >= cfg.score_threshold);
    let size = INPUT_SIZE as f32;
    let k = cfg.box_factor / size;
    for (i, &s) in out.scores.iter().enumerate() {
        if i32::from(s) < qmin {
            continue;
        }
        let Some(a) = anchor(i) else { continue };
        let r = &out.boxes[BOX_VALUES * i..BOX_VALUES * (i + 1)];
        let v = |j: usize| bq.dequantize(r[j]) * k;
        let (cx, cy) = (v(0) + a.x, v(1) + a.y);
        let (w, h) = (v(2), v(3));
        let mut kp = [Point::default(); 6];
        for (j, p) in kp.iter_mut().enumerate() {
            *p = Point::new((v(4 + 2 * j) + a.x) * size, (v(5 + 2 * j) + a.y) * size);
        }
        push_top(
            dets,
            Detection {
                bbox: BBox::from_center(cx * size, cy * size, w * size, h * size),
                score: prob(s),
                landmarks: five_points(&kp),
            },
        );
    }
    if cfg.weighted {
        weighted_nms(dets, cfg.nms_iou, cfg.top_k);
    } else {
        nms(dets, cfg.nms_iou, cfg.top_k);
    }
    letterbox.all_to_frame(dets);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    const IDENT: Letterbox = Letterbox::IDENTITY;

    #[test]
    fn anchors_layout() {
        assert_eq!(anchor(0), Some(Point::new(1.0 / 32.0, 1.0 / 32.0)));
        assert_eq!(anchor(1), anchor(0));
        assert_eq!(anchor(2), Some(Point::new(3.0 / 32.0, 1.0 / 32.0)));
        assert_eq!(anchor(32), Some(Point::new(1.0 / 32.0, 3.0 / 32.0)));
        assert_eq!(anchor(511), Some(Point::new(31.0 / 32.0, 31.0 / 32.0)));
        assert_eq!(anchor(512), Some(Point::new(1.0 / 16.0, 1.0 / 16.0)));
        assert_eq!(anchor(517), anchor(512));
        assert_eq!(anchor(518), Some(Point::new(3.0 / 16.0, 1.0 / 16.0)));
        assert_eq!(anchor(895), Some(Point::new(15.0 / 16.0, 15.0 / 16.0)));
        assert_eq!(anchor(896), None);
    }

    #[test]
    fn five_points_from_six() {
        // Eyes given right-to-left: sorted; mouth corners along the eye line.
        let kp = [
            Point::new(80.0, 50.0),
            Point::new(40.0, 50.0),
            Point::new(60.0, 70.0),
            Point::new(60.0, 90.0),
            Point::new(20.0, 60.0),
            Point::new(100.0, 60.0),
        ];
        let p = five_points(&kp);
        assert_eq!(p[landmark::LEFT_EYE].x, 40.0);
        assert_eq!(p[landmark::RIGHT_EYE].x, 80.0);
        let half = 40.0 * mouth_half_ratio();
        assert!((p[landmark::LEFT_MOUTH].x - (60.0 - half)).abs() < 1e-4);
        assert!((p[landmark::RIGHT_MOUTH].x - (60.0 + half)).abs() < 1e-4);
        assert_eq!(p[landmark::LEFT_MOUTH].y, 90.0);
        assert!((mouth_half_ratio() - 0.414).abs() < 0.001);
    }

    /// Builds outputs for the converted model (factors 16, 160) with faces on anchors.
    fn synth(faces: &[(usize, BBox, [Point; 6], f32)]) -> (std::vec::Vec<i8>, std::vec::Vec<i8>) {
        let bq = Quant::new(1.0 / 128.0, 0).unwrap(); // values in [-1, 1] after / 160
        let sq = Quant::new(1.0 / 128.0, 0).unwrap(); // logits / 16 in [-1, 1]
        let mut boxes = vec![0i8; NUM_ANCHORS * BOX_VALUES];
        let mut scores = vec![sq.quantize(-8.0 / 16.0); NUM_ANCHORS];
        for &(i, b, kp, p) in faces {
            let a = anchor(i).unwrap();
            let c = b.center();
            let enc = |v: f32| bq.quantize(v / 160.0);
            let r = &mut boxes[BOX_VALUES * i..BOX_VALUES * (i + 1)];
            r[0] = enc(c.x - a.x * 128.0);
            r[1] = enc(c.y - a.y * 128.0);
            r[2] = enc(b.width());
            r[3] = enc(b.height());
            for (j, q) in kp.iter().enumerate() {
                r[4 + 2 * j] = enc(q.x - a.x * 128.0);
                r[5 + 2 * j] = enc(q.y - a.y * 128.0);
            }
            scores[i] = sq.quantize(crate::score::logit(p) / 16.0);
        }
        (boxes, scores)
    }

    fn kp_for(b: &BBox) -> [Point; 6] {
        let (x, y, s) = (b.x0, b.y0, b.width());
        [
            Point::new(x + 0.3 * s, y + 0.4 * s),
            Point::new(x + 0.7 * s, y + 0.4 * s),
            Point::new(x + 0.5 * s, y + 0.6 * s),
            Point::new(x + 0.5 * s, y + 0.8 * s),
            Point::new(x, y + 0.5 * s),
            Point::new(x + s, y + 0.5 * s),
        ]
    }

    #[test]
    fn encode_decode_round_trip_with_scale_factors() {
        let b1 = BBox::new(20.0, 24.0, 60.0, 64.0);
        let b2 = BBox::new(70.0, 60.0, 120.0, 110.0);
        // Face 1 seen by two neighbouring anchors (merged by weighted NMS), face 2 by one.
        let faces = [
            (2 * (16 * 2 + 2), b1, kp_for(&b1), 0.9),
            (2 * (16 * 2 + 3), b1, kp_for(&b1), 0.8),
            (512 + 6 * (8 * 5 + 5), b2, kp_for(&b2), 0.95),
        ];
        let (boxes, scores) = synth(&faces);
        let q = Quant::new(1.0 / 128.0, 0).unwrap();
        let out = BlazeFaceOutputs {
            boxes: &boxes,
            boxes_q: q,
            scores: &scores,
            scores_q: q,
        };
        let cfg = BlazeFaceConfig::default();
        assert_eq!((cfg.score_factor, cfg.box_factor), (16.0, 160.0));
        // A 256 x 256 frame shown at half scale.
        let lb = Letterbox {
            scale_x: 0.5,
            scale_y: 0.5,
            ..IDENT
        };
        let mut dets: Vec<Detection, 16> = Vec::new();
        decode(&out, &cfg, &lb, &mut dets).unwrap();
        assert_eq!(dets.len(), 2, "{dets:?}");
        assert!((dets[0].score - 0.95).abs() < 0.02);
        let want2 = lb.bbox_to_frame(&b2);
        assert!(dets[0].bbox.iou(&want2) > 0.95, "{:?}", dets[0]);
        assert!(
            dets[1].bbox.iou(&lb.bbox_to_frame(&b1)) > 0.95,
            "{:?}",
            dets[1]
        );
        let nose = lb.to_frame(kp_for(&b2)[2]);
        let got = dets[0].landmarks[landmark::NOSE];
        assert!((got.x - nose.x).abs() < 1.5 && (got.y - nose.y).abs() < 1.5);
        // Without the factors the same tensors decode to nothing credible.
        let mut plain: Vec<Detection, 16> = Vec::new();
        let unscaled = BlazeFaceConfig {
            score_factor: 1.0,
            box_factor: 1.0,
            ..cfg
        };
        decode(&out, &unscaled, &lb, &mut plain).unwrap();
        assert!(plain.iter().all(|d| d.bbox.width() < 2.0), "{plain:?}");
        // Plain NMS keeps the better of the two face-1 boxes unchanged.
        let greedy = BlazeFaceConfig {
            weighted: false,
            ..cfg
        };
        decode(&out, &greedy, &lb, &mut dets).unwrap();
        assert_eq!(dets.len(), 2);
        assert!((dets[1].score - 0.9).abs() < 0.02);
        let short = BlazeFaceOutputs {
            scores: &scores[1..],
            ..out
        };
        assert!(decode(&short, &cfg, &lb, &mut dets).is_err());
    }
}
