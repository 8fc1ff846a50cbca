// SPDX-License-Identifier: Apache-2.0
//! Liveness on the real DTN's outputs: the golden vectors hold LiteRT reference-kernel outputs
//! of models/antispoof_dtn.tflite for an obama.jpg face crop (a live face) and the first
//! t1.jpg face (a photo of a printed photo, which the model calls a spoof; models/README.md).

use facegate_face::liveness::{dtn_routed_spoof_score, Liveness, LivenessPolicy};

mod common;
use common::{golden, quant};

#[test]
fn live_face_is_live_and_photo_of_photo_is_spoof() {
    let (model, cases) = golden("antispoof_dtn");
    let quant = |index: usize| quant(&model, index);
    assert_eq!(cases.len(), 2, "obama, t1 face");
    let verdicts: Vec<(f32, Liveness)> = cases
        .iter()
        .map(|(_, outs)| {
            let leaves = outs
                .iter()
                .find(|t| t.data.len() == 8)
                .expect("8 leaf scores");
            let routes = outs
                .iter()
                .find(|t| t.data.len() == 7)
                .expect("7 projections");
            let score = dtn_routed_spoof_score(
                &leaves.data,
                quant(leaves.index),
                &routes.data,
                quant(routes.index),
            )
            .unwrap();
            (score, LivenessPolicy::DTN.decide(score))
        })
        .collect();
    assert!(verdicts[0].0 < 0.1, "obama {:?}", verdicts[0]);
    assert_eq!(verdicts[0].1, Liveness::Live);
    assert!(verdicts[1].0 > 0.9, "t1 {:?}", verdicts[1]);
    assert_eq!(verdicts[1].1, Liveness::Spoof);
}
