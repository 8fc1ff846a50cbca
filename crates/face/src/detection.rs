// SPDX-License-Identifier: Apache-2.0
//! A detected face: box, confidence and the five alignment landmarks.

use crate::geometry::{BBox, Point};

/// Index of each landmark in [`Detection::landmarks`], in image terms (a frontal face's left
/// eye is the one nearer x = 0), the order of the ArcFace template and RetinaFace.
pub mod landmark {
    /// Eye nearer the image's left edge.
    pub const LEFT_EYE: usize = 0;
    /// Eye nearer the image's right edge.
    pub const RIGHT_EYE: usize = 1;
    /// Nose tip.
    pub const NOSE: usize = 2;
    /// Mouth corner nearer the image's left edge.
    pub const LEFT_MOUTH: usize = 3;
    /// Mouth corner nearer the image's right edge.
    pub const RIGHT_MOUTH: usize = 4;
}

/// One face found by a detector.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Detection {
    /// Face box.
    pub bbox: BBox,
    /// Face probability in [0, 1].
    pub score: f32,
    /// Eyes, nose, mouth corners; see [`landmark`].
    pub landmarks: [Point; 5],
}

impl Detection {
    /// Applies `f` to the box corners and every landmark (coordinate mapping).
    pub fn map_points(&self, f: impl Fn(Point) -> Point) -> Detection {
        let a = f(Point::new(self.bbox.x0, self.bbox.y0));
        let b = f(Point::new(self.bbox.x1, self.bbox.y1));
        Detection {
            bbox: BBox::new(a.x.min(b.x), a.y.min(b.y), a.x.max(b.x), a.y.max(b.y)),
            score: self.score,
            landmarks: self.landmarks.map(f),
        }
    }
}
