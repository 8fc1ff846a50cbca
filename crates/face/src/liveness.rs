// SPDX-License-Identifier: Apache-2.0
//! Anti-spoof decisions (Live / Spoof / Unsure) from a model's int8 output, and the rule that
//! ties them to recognition: a face is never accepted as an identity while judged a spoof.

use crate::gallery::Name;
use crate::matcher::MatchOutcome;
use crate::quant::check_len;
use crate::score::{class_probability, ScoreKind};
use crate::{Error, Quant};

/// What the anti-spoof stage concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Liveness {
    /// A live face.
    Live,
    /// A presentation attack (print, replay, mask).
    Spoof,
    /// Between the thresholds: neither accepted as live nor rejected.
    Unsure,
}

/// Thresholds on a spoof score (higher = more likely a spoof).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LivenessPolicy {
    /// Scores below this are [`Liveness::Live`].
    pub live_below: f32,
    /// Scores above this are [`Liveness::Spoof`]; in between is [`Liveness::Unsure`].
    pub spoof_above: f32,
}

impl LivenessPolicy {
    /// Deep Tree Network: the authors' rule is spoof if the score exceeds 0.2. Real faces
    /// scored 0.0005-0.009 with the float model and 0.004-0.058 with the shipped int8 one
    /// (models/README.md); 0.1..=0.2 is treated as unsure.
    pub const DTN: LivenessPolicy = LivenessPolicy {
        live_below: 0.1,
        spoof_above: 0.2,
    };

    /// A 2- or 3-class classifier read as `1 - p(live)`.
    pub const CLASSIFIER: LivenessPolicy = LivenessPolicy {
        live_below: 0.3,
        spoof_above: 0.5,
    };

    /// Classifies a spoof score (NaN is [`Liveness::Unsure`]).
    pub fn decide(&self, spoof_score: f32) -> Liveness {
        if spoof_score < self.live_below {
            Liveness::Live
        } else if spoof_score > self.spoof_above {
            Liveness::Spoof
        } else {
            Liveness::Unsure
        }
    }
}

/// DTN spoof score: `sum_i |score_i| * mask_i` over the tree's leaves (8 for the published
/// model), from the two int8 outputs.
pub fn dtn_spoof_score(
    scores: &[i8],
    scores_q: Quant,
    mask: &[i8],
    mask_q: Quant,
) -> Result<f32, Error> {
    check_len(mask, scores.len())?;
    if scores.is_empty() {
        return Err(Error::ShapeMismatch {
            expected: 8,
            got: 0,
        });
    }
    Ok(scores
        .iter()
        .zip(mask)
        .map(|(&s, &m)| libm::fabsf(scores_q.dequantize(s)) * mask_q.dequantize(m))
        .sum())
}

/// The leaf the int8 DTN routes a sample to, from its 7 routing projections (the shipped
/// model outputs projections instead of a boolean mask; models/README.md). Node 0 goes to
/// node 1 when its projection is >= 0 (int8: `q >= zero_point`), else node 2; node 1 to 3 or
/// 4, node 2 to 5 or 6; node k in 3..=6 picks leaf `2 (k - 3)` or `2 (k - 3) + 1`.
pub fn dtn_leaf(projections: &[i8], zero_point: i32) -> Result<usize, Error> {
    check_len(projections, 7)?;
    let positive = |node: usize| i32::from(projections[node]) >= zero_point;
    let mut node = if positive(0) { 1 } else { 2 };
    node = 2 * node + if positive(node) { 1 } else { 2 };
    Ok(2 * (node - 3) + usize::from(!positive(node)))
}

/// DTN spoof score from the shipped int8 model's outputs: `|leaf score|` of the leaf the
/// routing projections select (the mask form of [`dtn_spoof_score`] with one leaf set).
pub fn dtn_routed_spoof_score(
    scores: &[i8],
    scores_q: Quant,
    projections: &[i8],
    projections_q: Quant,
) -> Result<f32, Error> {
    check_len(scores, 8)?;
    let leaf = dtn_leaf(projections, projections_q.zero_point)?;
    Ok(libm::fabsf(scores_q.dequantize(scores[leaf])))
}

/// Spoof score of a classifier: `1 - p(live_class)` over its int8 outputs (softmax applied
/// when they are logits).
pub fn classifier_spoof_score(
    outputs: &[i8],
    q: Quant,
    kind: ScoreKind,
    live_class: usize,
) -> Result<f32, Error> {
    if live_class >= outputs.len() {
        return Err(Error::InvalidParameter("live class index"));
    }
    Ok(1.0 - class_probability(outputs, q, kind, live_class))
}

/// The kiosk's verdict for one face: recognition gated by liveness.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// A live, recognised person.
    Accepted {
        /// Identity id.
        id: u32,
        /// Identity name.
        name: Name,
        /// Similarity.
        score: f32,
    },
    /// A live face nobody enrolled matches.
    Unknown,
    /// Judged a presentation attack: never accepted, whatever the match.
    Spoof,
    /// Liveness is unsure: no decision yet (look again).
    Pending,
}

/// Combines a match with liveness. `Spoof` always wins; `Unsure` gives `Pending` unless
/// `accept_unsure` (for deployments without a trusted anti-spoof model).
pub fn verdict(outcome: &MatchOutcome, liveness: Liveness, accept_unsure: bool) -> Verdict {
    match (liveness, outcome) {
        (Liveness::Spoof, _) => Verdict::Spoof,
        (Liveness::Unsure, _) if !accept_unsure => Verdict::Pending,
        (
            _,
            MatchOutcome::Match {
                id, name, score, ..
            },
        ) => Verdict::Accepted {
            id: *id,
            name: name.clone(),
            score: *score,
        },
        (_, MatchOutcome::Unknown { .. }) => Verdict::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::make_name;

    #[test]
    fn dtn_score_and_policy() {
        let sq = Quant::new(0.01, 0).unwrap();
        let mq = Quant::new(1.0 / 255.0, -128).unwrap();
        // Leaf scores -0.5 and 0.3 with mask 1 on leaf 0 only -> 0.5.
        let mut scores = [0i8; 8];
        scores[0] = -50;
        scores[1] = 30;
        let mut mask = [-128i8; 8];
        mask[0] = 127;
        let s = dtn_spoof_score(&scores, sq, &mask, mq).unwrap();
        assert!((s - 0.5).abs() < 1e-3, "{s}");
        assert_eq!(LivenessPolicy::DTN.decide(s), Liveness::Spoof);
        mask[0] = -128;
        mask[1] = 127;
        let s = dtn_spoof_score(&scores, sq, &mask, mq).unwrap();
        assert!((s - 0.3).abs() < 1e-3);
        scores[1] = 1;
        let s = dtn_spoof_score(&scores, sq, &mask, mq).unwrap();
        assert_eq!(LivenessPolicy::DTN.decide(s), Liveness::Live);
        assert_eq!(LivenessPolicy::DTN.decide(0.15), Liveness::Unsure);
        assert_eq!(LivenessPolicy::DTN.decide(f32::NAN), Liveness::Unsure);
        assert!(dtn_spoof_score(&scores, sq, &mask[..7], mq).is_err());
    }

    #[test]
    fn dtn_routing_follows_the_readme_table() {
        // (signs of p0..p6 that matter, leaf) from models/README.md; '+' = q >= zp.
        let table: [(&[(usize, bool)], usize); 8] = [
            (&[(0, true), (1, true), (3, true)], 0),
            (&[(0, true), (1, true), (3, false)], 1),
            (&[(0, true), (1, false), (4, true)], 2),
            (&[(0, true), (1, false), (4, false)], 3),
            (&[(0, false), (2, true), (5, true)], 4),
            (&[(0, false), (2, true), (5, false)], 5),
            (&[(0, false), (2, false), (6, true)], 6),
            (&[(0, false), (2, false), (6, false)], 7),
        ];
        let zp = -58;
        for (path, leaf) in table {
            // Nodes off the path get the opposite sign of what would mislead, to show they
            // are ignored: try both fillings.
            for fill in [zp, zp - 1] {
                let mut p = [fill as i8; 7];
                for &(node, plus) in path {
                    p[node] = if plus { zp as i8 } else { (zp - 1) as i8 };
                }
                assert_eq!(dtn_leaf(&p, zp).unwrap(), leaf, "{path:?}");
            }
        }
        assert!(dtn_leaf(&[0; 6], 0).is_err());
        let sq = Quant::new(0.01, 0).unwrap();
        let pq = Quant::new(1e-5, 0).unwrap();
        let mut scores = [0i8; 8];
        scores[5] = -42;
        // Route to leaf 5: p0-, p2+, p5-.
        let p = [-1, 0, 0, 0, 0, -1, 0];
        let s = dtn_routed_spoof_score(&scores, sq, &p, pq).unwrap();
        assert!((s - 0.42).abs() < 1e-6);
        assert!(dtn_routed_spoof_score(&scores[..7], sq, &p, pq).is_err());
    }

    #[test]
    fn classifier_score() {
        let q = Quant::new(0.1, 0).unwrap();
        // Logits (spoof, live) = (0, 2.2): p(live) = 0.9.
        let s = classifier_spoof_score(&[0, 22], q, ScoreKind::Logits, 1).unwrap();
        assert!((s - 0.1).abs() < 0.01, "{s}");
        assert_eq!(LivenessPolicy::CLASSIFIER.decide(s), Liveness::Live);
        assert!(classifier_spoof_score(&[0, 22], q, ScoreKind::Logits, 2).is_err());
    }

    #[test]
    fn spoof_is_never_accepted() {
        let m = MatchOutcome::Match {
            id: 3,
            name: make_name("ada").unwrap(),
            score: 0.9,
            margin: 0.5,
        };
        assert_eq!(verdict(&m, Liveness::Spoof, true), Verdict::Spoof);
        assert_eq!(verdict(&m, Liveness::Unsure, false), Verdict::Pending);
        assert!(matches!(
            verdict(&m, Liveness::Unsure, true),
            Verdict::Accepted { id: 3, .. }
        ));
        assert!(matches!(
            verdict(&m, Liveness::Live, false),
            Verdict::Accepted { id: 3, .. }
        ));
        let u = MatchOutcome::Unknown {
            best_score: Some(0.2),
        };
        assert_eq!(verdict(&u, Liveness::Live, false), Verdict::Unknown);
        assert_eq!(verdict(&u, Liveness::Spoof, false), Verdict::Spoof);
    }
}
