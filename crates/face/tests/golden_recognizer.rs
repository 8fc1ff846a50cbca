// SPDX-License-Identifier: Apache-2.0
//! Embeddings and matching on the real recognizer's outputs: the golden vectors hold LiteRT
//! reference-kernel outputs of models/recognizer_mobilefacenet.tflite for aligned crops of
//! obama.jpg, obama2.jpg, biden.jpg and the first t1.jpg face (models/README.md).

use facegate_face::{match_face, Embedding, Gallery, MatchOutcome, MatchPolicy};

mod common;
use common::{golden, quant};

#[test]
fn genuine_pair_matches_impostors_do_not() {
    let (model, cases) = golden("recognizer_mobilefacenet");
    assert_eq!(cases.len(), 4, "obama, obama2, biden, t1 face");
    let embs: Vec<Embedding<192>> = cases
        .iter()
        .map(|(_, outs)| {
            let zp = quant(&model, outs[0].index).zero_point;
            Embedding::from_i8(&outs[0].data, zp).unwrap()
        })
        .collect();
    let (obama, obama2, biden, t1) = (&embs[0], &embs[1], &embs[2], &embs[3]);
    let genuine = obama.cosine(obama2);
    assert!(genuine > 0.7, "genuine {genuine}");
    for (who, e) in [("biden", biden), ("t1", t1)] {
        for o in [obama, obama2] {
            assert!(o.cosine(e) < 0.4, "{who}: {}", o.cosine(e));
        }
    }
    // Enrol obama and biden; obama2 is recognised as obama, the t1 face is nobody.
    let mut g: Gallery<4, 192> = Gallery::new();
    let id = g.enroll("obama", *obama).unwrap();
    g.enroll("biden", *biden).unwrap();
    let policy = MatchPolicy::default();
    assert_eq!(match_face(&g, obama2, &policy).id(), Some(id));
    assert!(matches!(
        match_face(&g, t1, &policy),
        MatchOutcome::Unknown { best_score: Some(s) } if s < policy.threshold
    ));
}
