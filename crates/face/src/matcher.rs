// SPDX-License-Identifier: Apache-2.0
//! One-to-many matching: best identity above a threshold AND ahead of the runner-up by a margin.

use crate::embedding::Embedding;
use crate::gallery::{Gallery, Name};

/// Decision thresholds (cosine similarity). Calibrate per recognizer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchPolicy {
    /// Minimum similarity to the best identity.
    pub threshold: f32,
    /// Minimum lead of the best identity over the second best.
    pub margin: f32,
}

impl Default for MatchPolicy {
    /// For MobileFaceNet (genuine >= ~0.70, impostor <= ~0.54 on the few labelled faces).
    fn default() -> Self {
        Self {
            threshold: 0.62,
            margin: 0.05,
        }
    }
}

/// What the gallery says about a face.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchOutcome {
    /// Recognised.
    Match {
        /// Identity id.
        id: u32,
        /// Identity name.
        name: Name,
        /// Cosine similarity to its template.
        score: f32,
        /// Lead over the runner-up (an absent runner-up counts as similarity 0).
        margin: f32,
    },
    /// Nobody matched well enough.
    Unknown {
        /// Best similarity seen (`None` when the gallery is empty).
        best_score: Option<f32>,
    },
}

impl MatchOutcome {
    /// The matched id, if any.
    pub fn id(&self) -> Option<u32> {
        match self {
            MatchOutcome::Match { id, .. } => Some(*id),
            MatchOutcome::Unknown { .. } => None,
        }
    }
}

/// Compares `probe` with every identity (one template each, so the runner-up is always a
/// different identity) and applies `policy`.
pub fn match_face<const CAP: usize, const D: usize>(
    gallery: &Gallery<CAP, D>,
    probe: &Embedding<D>,
    policy: &MatchPolicy,
) -> MatchOutcome {
    let mut best: Option<(i64, usize)> = None;
    let mut second: Option<i64> = None;
    for (i, e) in gallery.iter().enumerate() {
        let s = e.embedding.dot(probe);
        match best {
            Some((b, _)) if s <= b => {
                if second.is_none_or(|t| s > t) {
                    second = Some(s);
                }
            }
            _ => {
                second = best.map(|(b, _)| b);
                best = Some((s, i));
            }
        }
    }
    let to_cos = |d: i64| {
        let one = i64::from(crate::embedding::Q15_ONE);
        d as f32 / (one * one) as f32
    };
    let Some((b, i)) = best else {
        return MatchOutcome::Unknown { best_score: None };
    };
    let score = to_cos(b);
    let margin = score - second.map_or(0.0, to_cos);
    match gallery.iter().nth(i) {
        Some(e) if score >= policy.threshold && margin >= policy.margin => MatchOutcome::Match {
            id: e.id,
            name: e.name.clone(),
            score,
            margin,
        },
        _ => MatchOutcome::Unknown {
            best_score: Some(score),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unit vector at `deg` degrees in the first two axes: cos between two is cos(difference).
    fn at(deg: f32) -> Embedding<3> {
        let r = deg.to_radians();
        Embedding::from_f32(&[r.cos(), r.sin(), 0.0]).unwrap()
    }

    #[test]
    fn threshold_margin_and_unknown() {
        let mut g: Gallery<4, 3> = Gallery::new();
        let policy = MatchPolicy {
            threshold: 0.6,
            margin: 0.1,
        };
        assert_eq!(
            match_face(&g, &at(0.0), &policy),
            MatchOutcome::Unknown { best_score: None }
        );
        let a = g.enroll("a", at(0.0)).unwrap();
        g.enroll("b", at(90.0)).unwrap();
        // Probe at 10 deg: cos 0.985 to a, 0.174 to b.
        match match_face(&g, &at(10.0), &policy) {
            MatchOutcome::Match {
                id,
                name,
                score,
                margin,
            } => {
                assert_eq!((id, name.as_str()), (a, "a"));
                assert!((score - 0.985).abs() < 1e-3);
                assert!((margin - (0.985 - 0.174)).abs() < 1e-3);
            }
            o => panic!("{o:?}"),
        }
        // Probe at 45 deg: 0.707 to both a and b -> no margin.
        let o = match_face(&g, &at(45.0), &policy);
        assert!(
            matches!(o, MatchOutcome::Unknown { best_score: Some(s) } if (s - core::f32::consts::FRAC_1_SQRT_2).abs() < 1e-3),
            "{o:?}"
        );
        // A probe orthogonal to everybody: best 0, below threshold.
        let z = Embedding::from_f32(&[0.0, 0.0, 1.0]).unwrap();
        let o = match_face(&g, &z, &policy);
        assert!(
            matches!(o, MatchOutcome::Unknown { best_score: Some(s) } if s.abs() < 1e-3),
            "{o:?}"
        );
        // Add c at 20 deg: probe at 10 deg is 0.985 to both a and c -> no margin -> Unknown.
        g.enroll("c", at(20.0)).unwrap();
        let o = match_face(&g, &at(10.0), &policy);
        assert_eq!(o.id(), None, "{o:?}");
        // Probe at 2 deg: a 0.9994, c 0.9511: margin 0.048 < 0.1 -> Unknown; with margin 0.04 Match.
        assert_eq!(match_face(&g, &at(2.0), &policy).id(), None);
        let loose = MatchPolicy {
            margin: 0.04,
            ..policy
        };
        assert_eq!(match_face(&g, &at(2.0), &loose).id(), Some(a));
    }
}
