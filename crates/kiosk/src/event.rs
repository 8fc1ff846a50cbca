// SPDX-License-Identifier: Apache-2.0
//! What the kiosk reports as it runs, as serde records (JSON lines on a PC, a log or a
//! network message on a board).

use facegate_face::enroll::Guidance;
use facegate_face::Name;
use serde::{Deserialize, Serialize};

/// One thing that happened. Identity events fire when a tracked face's voted state changes,
/// not on every frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A new face is being tracked.
    FaceAppeared {
        /// Track id.
        track: u32,
    },
    /// A tracked face left the view.
    FaceLost {
        /// Track id.
        track: u32,
    },
    /// A live face was recognised.
    Recognized {
        /// Track id.
        track: u32,
        /// Identity id.
        id: u32,
        /// Identity name.
        name: Name,
        /// Cosine similarity of the last match.
        score: f32,
    },
    /// A live face matches nobody enrolled.
    Unknown {
        /// Track id.
        track: u32,
        /// Best similarity of the last match.
        best_score: Option<f32>,
    },
    /// A face was judged a presentation attack.
    SpoofDetected {
        /// Track id.
        track: u32,
        /// Spoof score of the last check.
        score: f32,
    },
    /// A face could not be processed this frame (it stays undecided and is tried again).
    FaceError {
        /// Track id.
        track: u32,
        /// What failed.
        #[serde(serialize_with = "display")]
        error: crate::Error,
    },
    /// Enrolment of a new identity began.
    EnrolmentStarted {
        /// Name being enrolled.
        name: Name,
    },
    /// An enrolment sample was judged.
    EnrolmentProgress {
        /// Name being enrolled.
        name: Name,
        /// Good samples so far.
        captured: u8,
        /// Good samples needed.
        needed: u8,
        /// What the person should do.
        guidance: Guidance,
    },
    /// A new identity was stored.
    Enrolled {
        /// New identity id.
        id: u32,
        /// Its name.
        name: Name,
    },
    /// Enrolment ended without a new identity.
    EnrolmentFailed {
        /// Name that was being enrolled.
        name: Name,
        /// Why.
        reason: EnrolFailure,
    },
}

/// Serialises a value through its `Display` text.
fn display<T: core::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// Why an enrolment ended without a new identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolFailure {
    /// Not enough good samples before the time limit.
    TimedOut,
    /// Cancelled by the operator.
    Cancelled,
    /// The gallery is full.
    GalleryFull,
    /// The name is taken.
    DuplicateName,
    /// The store refused the write.
    StoreFailed,
}
