// SPDX-License-Identifier: Apache-2.0
//! How a model encodes a class score (probability or logit), and the maths to read it.

use crate::Quant;

/// What a classification output holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreKind {
    /// Probabilities (the model ends with SOFTMAX or LOGISTIC).
    Probabilities,
    /// Raw logits (the decoder applies softmax or sigmoid).
    Logits,
}

/// Logistic function.
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + libm::expf(-x))
}

/// Inverse of [`sigmoid`] for `p` in (0, 1).
pub fn logit(p: f32) -> f32 {
    libm::logf(p / (1.0 - p))
}

/// The smallest integer in `range` for which the monotonic `pass` holds, or one past the
/// end: turns a real-valued score threshold into an integer one, exactly.
pub fn first_passing(range: core::ops::RangeInclusive<i32>, pass: impl Fn(i32) -> bool) -> i32 {
    let end = *range.end() + 1;
    range.into_iter().find(|&v| pass(v)).unwrap_or(end)
}

/// Probability of class `class` among the int8 `scores` of one sample.
///
/// With logits, a numerically stable softmax over the dequantised values; with probabilities,
/// the dequantised value itself. `class` out of range gives 0.
pub fn class_probability(scores: &[i8], q: Quant, kind: ScoreKind, class: usize) -> f32 {
    let Some(&target) = scores.get(class) else {
        return 0.0;
    };
    match kind {
        ScoreKind::Probabilities => q.dequantize(target).clamp(0.0, 1.0),
        ScoreKind::Logits => {
            let max = scores.iter().copied().max().unwrap_or(target);
            let mut sum = 0.0f32;
            for &s in scores {
                sum += libm::expf(q.scale * (i32::from(s) - i32::from(max)) as f32);
            }
            libm::expf(q.scale * (i32::from(target) - i32::from(max)) as f32) / sum
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_and_probabilities() {
        let q = Quant::new(0.1, 0).unwrap();
        // logits 0 and ln(3) ~ 1.1 -> p(class 1) = 0.75.
        let p = class_probability(&[0, 11], q, ScoreKind::Logits, 1);
        assert!((p - 0.75).abs() < 0.01, "{p}");
        let pq = Quant::new(1.0 / 256.0, -128).unwrap();
        let p = class_probability(&[-128, 64], pq, ScoreKind::Probabilities, 1);
        assert!((p - 0.75).abs() < 1e-6, "{p}");
        assert_eq!(class_probability(&[1, 2], q, ScoreKind::Logits, 5), 0.0);
        assert!((sigmoid(logit(0.3)) - 0.3).abs() < 1e-6);
    }
}
