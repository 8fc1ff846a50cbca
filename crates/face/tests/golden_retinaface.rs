// SPDX-License-Identifier: Apache-2.0
//! The RetinaFace decoder on the real model's outputs: the golden vectors hold LiteRT
//! reference-kernel outputs of models/detector_retinaface_mnet025.tflite on real photos,
//! so this checks the prior layout, output order and score kind against the shipped model
//! without running the engine.

use facegate_face::detection::landmark;
use facegate_face::retinaface::{self, PriorBoxes, RetinaFaceConfig, RetinaFaceOutputs};
use facegate_face::{Detection, Letterbox, ScoreKind};

mod common;
use common::{golden, quant};

#[test]
fn decodes_the_shipped_model_outputs_on_real_photos() {
    let (model, cases) = golden("detector_retinaface_mnet025");
    let quant = |index: usize| quant(&model, index);
    assert!(!cases.is_empty());
    for (inputs, outputs) in &cases {
        let dims = &inputs[0].dims; // 1 x H x W x 3
        let priors = PriorBoxes::new(dims[2], dims[1]).unwrap();
        let by_width = |w: usize| {
            outputs
                .iter()
                .find(|t| *t.dims.last().unwrap() == w)
                .expect("output with that last dimension")
        };
        let (loc, conf, landm) = (by_width(4), by_width(2), by_width(10));
        assert_eq!(loc.dims[1], priors.len(), "prior count matches the model");
        let out = RetinaFaceOutputs {
            loc: &loc.data,
            loc_q: quant(loc.index),
            conf: &conf.data,
            conf_q: quant(conf.index),
            landm: &landm.data,
            landm_q: quant(landm.index),
        };
        let cfg = RetinaFaceConfig::default();
        assert_eq!(cfg.score_kind, ScoreKind::Logits);
        let mut dets: heapless::Vec<Detection, 64> = heapless::Vec::new();
        retinaface::decode(&out, &priors, &cfg, &Letterbox::IDENTITY, &mut dets).unwrap();
        assert!(!dets.is_empty(), "a face in every golden photo");
        for d in &dets {
            let b = d.bbox;
            assert!(b.width() > 8.0 && b.height() > 8.0, "{d:?}");
            assert!(b.x0 > -10.0 && b.y0 > -10.0, "{d:?}");
            assert!(
                b.x1 < dims[2] as f32 + 10.0 && b.y1 < dims[1] as f32 + 10.0,
                "{d:?}"
            );
            let lm = &d.landmarks;
            for p in lm {
                assert!(
                    p.x >= b.x0 && p.x <= b.x1 && p.y >= b.y0 && p.y <= b.y1,
                    "{d:?}"
                );
            }
            // Upright faces: eyes left/right, above the nose, nose above the mouth.
            assert!(
                lm[landmark::LEFT_EYE].x < lm[landmark::RIGHT_EYE].x,
                "{d:?}"
            );
            assert!(
                lm[landmark::LEFT_MOUTH].x < lm[landmark::RIGHT_MOUTH].x,
                "{d:?}"
            );
            let eyes_y = lm[landmark::LEFT_EYE].y.max(lm[landmark::RIGHT_EYE].y);
            let mouth_y = lm[landmark::LEFT_MOUTH].y.min(lm[landmark::RIGHT_MOUTH].y);
            assert!(
                eyes_y < lm[landmark::NOSE].y && lm[landmark::NOSE].y < mouth_y,
                "{d:?}"
            );
        }
        // Clear faces score high once read as logits.
        assert!(dets[0].score > 0.95, "{:?}", dets[0]);
        // The conf output can hold negative values: logits, not probabilities.
        assert!(out.conf_q.dequantize(-128) < -1.0, "{:?}", out.conf_q);
        println!(
            "{} faces, scores {:?}",
            dets.len(),
            dets.iter().map(|d| d.score).collect::<Vec<_>>()
        );
    }
}
