// SPDX-License-Identifier: Apache-2.0
//! Candidate collection and non-maximum suppression (greedy and score-weighted), in place on a
//! fixed-capacity list.

use crate::detection::Detection;
use crate::geometry::{BBox, Point};
use heapless::Vec;

/// Adds `d` to `dets`, keeping only the `N` highest-scoring candidates when full.
pub fn push_top<const N: usize>(dets: &mut Vec<Detection, N>, d: Detection) {
    if let Err(d) = dets.push(d) {
        let mut worst = 0;
        for (i, c) in dets.iter().enumerate() {
            if c.score < dets[worst].score {
                worst = i;
            }
        }
        if let Some(w) = dets.get_mut(worst) {
            if d.score > w.score {
                *w = d;
            }
        }
    }
}

fn sort_by_score(dets: &mut [Detection]) {
    dets.sort_unstable_by(|a, b| b.score.total_cmp(&a.score));
}

/// Greedy NMS: keeps the best box, drops every box overlapping a kept one by more than
/// `iou_threshold`, stops after `top_k` kept. Result sorted by descending score.
pub fn nms<const N: usize>(dets: &mut Vec<Detection, N>, iou_threshold: f32, top_k: usize) {
    sort_by_score(dets);
    let mut kept = 0;
    for i in 0..dets.len() {
        if kept >= top_k {
            break;
        }
        let cand = dets[i];
        if dets[..kept]
            .iter()
            .all(|k| k.bbox.iou(&cand.bbox) <= iou_threshold)
        {
            dets[kept] = cand;
            kept += 1;
        }
    }
    dets.truncate(kept);
}

/// Weighted NMS (MediaPipe's blending): each kept box is the score-weighted mean of itself and
/// every remaining box overlapping it by more than `iou_threshold`; the score is the best one.
pub fn weighted_nms<const N: usize>(
    dets: &mut Vec<Detection, N>,
    iou_threshold: f32,
    top_k: usize,
) {
    sort_by_score(dets);
    let mut kept = 0;
    for i in 0..dets.len() {
        if kept >= top_k {
            break;
        }
        let top = dets[i];
        if top.score < 0.0 {
            continue; // absorbed by an earlier cluster
        }
        let mut wsum = 0.0f32;
        let mut acc = [0.0f32; 4];
        let mut lm = [Point::default(); 5];
        for j in i..dets.len() {
            let c = dets[j];
            if c.score < 0.0 || (j != i && top.bbox.iou(&c.bbox) <= iou_threshold) {
                continue;
            }
            let w = c.score;
            wsum += w;
            acc[0] += w * c.bbox.x0;
            acc[1] += w * c.bbox.y0;
            acc[2] += w * c.bbox.x1;
            acc[3] += w * c.bbox.y1;
            for (a, p) in lm.iter_mut().zip(c.landmarks.iter()) {
                a.x += w * p.x;
                a.y += w * p.y;
            }
            if j != i {
                dets[j].score = -1.0;
            }
        }
        let merged = if wsum > 0.0 {
            Detection {
                bbox: BBox::new(acc[0] / wsum, acc[1] / wsum, acc[2] / wsum, acc[3] / wsum),
                score: top.score,
                landmarks: lm.map(|p| Point::new(p.x / wsum, p.y / wsum)),
            }
        } else {
            top
        };
        dets[kept] = merged;
        kept += 1;
    }
    dets.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(x: f32, y: f32, s: f32, score: f32) -> Detection {
        Detection {
            bbox: BBox::new(x, y, x + s, y + s),
            score,
            landmarks: [Point::new(x, y); 5],
        }
    }

    #[test]
    fn greedy_suppresses_overlaps_keeps_separate_faces() {
        let mut v: Vec<Detection, 8> = Vec::new();
        // Cluster A around (0,0): 3 boxes; cluster B far away: 2 boxes; one small box inside A
        // whose IoU with A's best is low (kept).
        for d in [
            det(0.0, 0.0, 10.0, 0.8),
            det(1.0, 0.0, 10.0, 0.9),
            det(0.0, 1.0, 10.0, 0.7),
            det(50.0, 50.0, 10.0, 0.6),
            det(51.0, 50.0, 10.0, 0.65),
            det(2.0, 2.0, 2.0, 0.5),
        ] {
            v.push(d).unwrap();
        }
        nms(&mut v, 0.4, 10);
        let scores: std::vec::Vec<f32> = v.iter().map(|d| d.score).collect();
        assert_eq!(scores, [0.9, 0.65, 0.5]);
        let mut w = v.clone();
        nms(&mut w, 0.4, 2);
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn weighted_nms_blends_cluster() {
        let mut v: Vec<Detection, 4> = Vec::new();
        v.push(det(0.0, 0.0, 10.0, 0.6)).unwrap();
        v.push(det(2.0, 0.0, 10.0, 0.2)).unwrap();
        v.push(det(40.0, 0.0, 10.0, 0.5)).unwrap();
        weighted_nms(&mut v, 0.3, 10);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].score, 0.6);
        // x0 = (0.6*0 + 0.2*2) / 0.8 = 0.5
        assert!((v[0].bbox.x0 - 0.5).abs() < 1e-6);
        assert!((v[0].landmarks[0].x - 0.5).abs() < 1e-6);
        assert_eq!(v[1].bbox.x0, 40.0);
    }

    #[test]
    fn push_top_keeps_best() {
        let mut v: Vec<Detection, 2> = Vec::new();
        for s in [0.3, 0.9, 0.1, 0.5] {
            push_top(&mut v, det(0.0, 0.0, 1.0, s));
        }
        let mut s: std::vec::Vec<f32> = v.iter().map(|d| d.score).collect();
        s.sort_by(|a, b| b.total_cmp(a));
        assert_eq!(s, [0.9, 0.5]);
    }
}
