// SPDX-License-Identifier: Apache-2.0
//! The overlay's own description of one face on screen (state, box, landmarks, identity,
//! liveness), independent of the face pipeline's types: the kiosk maps its results onto it.

use embedded_graphics::geometry::Point;
use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::primitives::Rectangle;

use crate::palette::Palette;

/// What the kiosk has decided about a face; selects the box colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceState {
    /// A live face that matched an enrolled identity.
    Recognized,
    /// A live face that matched no one.
    Unknown,
    /// A presentation attack (photo, screen, mask).
    Spoof,
    /// Not decided yet (tracking, waiting for liveness or embedding).
    Checking,
}

impl FaceState {
    /// This state's box colour in `palette`.
    pub fn color(self, palette: &Palette) -> Rgb565 {
        match self {
            FaceState::Recognized => palette.recognized,
            FaceState::Unknown => palette.unknown,
            FaceState::Spoof => palette.spoof,
            FaceState::Checking => palette.checking,
        }
    }

    /// The label shown when no name is given.
    pub fn default_label(self) -> &'static str {
        match self {
            FaceState::Recognized => "?",
            FaceState::Unknown => "Unknown",
            FaceState::Spoof => "Spoof",
            FaceState::Checking => "...",
        }
    }
}

/// The anti-spoof verdict shown under the box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// Judged a live face.
    Live,
    /// Judged a presentation attack.
    Spoof,
    /// No verdict (yet).
    Undecided,
}

impl Liveness {
    /// The tag text: "live", "spoof" or "?".
    pub fn text(self) -> &'static str {
        match self {
            Liveness::Live => "live",
            Liveness::Spoof => "spoof",
            Liveness::Undecided => "?",
        }
    }

    /// The tag's plate colour in `palette`.
    pub fn color(self, palette: &Palette) -> Rgb565 {
        match self {
            Liveness::Live => palette.recognized,
            Liveness::Spoof => palette.spoof,
            Liveness::Undecided => palette.checking,
        }
    }
}

/// How the box outline is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BoxStyle {
    /// The full rectangle.
    #[default]
    Rectangle,
    /// Only the four corners (brackets a quarter of the shorter side long).
    Corners,
}

/// One face in display coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Face<'a> {
    /// Bounding box on the display; it may hang off the screen.
    pub bbox: Rectangle,
    /// Eye (subject's right, left), nose, mouth (right, left) on the display, if known.
    pub landmarks: Option<[Point; 5]>,
    /// Decision state (box colour).
    pub state: FaceState,
    /// Identity name; `None` shows the state's default label.
    pub name: Option<&'a str>,
    /// Best-match cosine similarity, shown with two decimals after the name.
    pub similarity: Option<f32>,
    /// Anti-spoof verdict.
    pub liveness: Liveness,
}

impl<'a> Face<'a> {
    /// A face in `state` with a box and nothing else known.
    pub fn new(bbox: Rectangle, state: FaceState) -> Face<'a> {
        Face {
            bbox,
            landmarks: None,
            state,
            name: None,
            similarity: None,
            liveness: Liveness::Undecided,
        }
    }

    /// With landmarks.
    pub fn with_landmarks(mut self, landmarks: [Point; 5]) -> Self {
        self.landmarks = Some(landmarks);
        self
    }

    /// With an identity and its similarity.
    pub fn with_identity(mut self, name: &'a str, similarity: f32) -> Self {
        self.name = Some(name);
        self.similarity = Some(similarity);
        self
    }

    /// With a similarity but no name (e.g. an unknown face's best score).
    pub fn with_similarity(mut self, similarity: f32) -> Self {
        self.similarity = Some(similarity);
        self
    }

    /// With a liveness verdict.
    pub fn with_liveness(mut self, liveness: Liveness) -> Self {
        self.liveness = liveness;
        self
    }
}
