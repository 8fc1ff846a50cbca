// SPDX-License-Identifier: Apache-2.0
//! The BlazeFace decoder on the real model's outputs: the golden vectors hold LiteRT
//! reference-kernel outputs of models/detector_blazeface_short.tflite for t1.jpg and
//! astronaut.png letterboxed to 128 x 128 (models/README.md).

use facegate_face::blazeface::{self, BlazeFaceConfig, BlazeFaceOutputs, NUM_ANCHORS};
use facegate_face::detection::landmark;
use facegate_face::{Detection, Letterbox};

mod common;
use common::{golden, quant};

#[test]
fn decodes_the_shipped_model_outputs() {
    let (model, cases) = golden("detector_blazeface_short");
    let quant = |index: usize| quant(&model, index);
    assert_eq!(cases.len(), 2, "t1, astronaut");
    let mut counts = Vec::new();
    for (_, outs) in &cases {
        let boxes = outs
            .iter()
            .find(|t| t.data.len() == NUM_ANCHORS * 16)
            .unwrap();
        let scores = outs.iter().find(|t| t.data.len() == NUM_ANCHORS).unwrap();
        let out = BlazeFaceOutputs {
            boxes: &boxes.data,
            boxes_q: quant(boxes.index),
            scores: &scores.data,
            scores_q: quant(scores.index),
        };
        let mut dets: heapless::Vec<Detection, 64> = heapless::Vec::new();
        let cfg = BlazeFaceConfig::default();
        blazeface::decode(&out, &cfg, &Letterbox::IDENTITY, &mut dets).unwrap();
        for d in &dets {
            let b = d.bbox;
            assert!(b.width() > 4.0 && b.width() < 128.0, "{d:?}");
            let c = b.center();
            assert!(
                (0.0..128.0).contains(&c.x) && (0.0..128.0).contains(&c.y),
                "{d:?}"
            );
            let lm = &d.landmarks;
            // Eyes inside the box, above the estimated mouth corners.
            for p in [lm[landmark::LEFT_EYE], lm[landmark::RIGHT_EYE]] {
                assert!(
                    p.x >= b.x0 && p.x <= b.x1 && p.y >= b.y0 && p.y <= b.y1,
                    "{d:?}"
                );
                assert!(p.y < lm[landmark::LEFT_MOUTH].y, "{d:?}");
            }
        }
        counts.push(dets.len());
    }
    // The astronaut portrait has one face; the group photo at 128 x 128 at least one.
    assert_eq!(counts[1], 1, "{counts:?}");
    assert!(counts[0] >= 1, "{counts:?}");
}
