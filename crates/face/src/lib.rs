// SPDX-License-Identifier: Apache-2.0
//! `facegate-face`: the no_std face pipeline — detection decoding, alignment, anti-spoof,
//! recognition, gallery, enrolment and tracking.
//!
//! Everything operates on int8 tensors handed in as slices together with their
//! quantisation ([`Quant`]); the inference engine lives in `facegate-nn`.
#![no_std]
#![deny(unsafe_code)]

#[cfg(test)]
extern crate std;

pub mod align;
pub mod blazeface;
pub mod crc32;
pub mod cutstore;
pub mod detection;
pub mod embedding;
pub mod enroll;
pub mod error;
pub mod frame;
pub mod gallery;
pub mod geometry;
pub mod liveness;
pub mod matcher;
pub mod memstore;
pub mod nms;
pub mod persistent;
pub mod preprocess;
pub mod quant;
pub mod record;
pub mod retinaface;
pub mod score;
pub mod store;
pub mod track;
pub mod warp;

pub use detection::Detection;
pub use embedding::{Embedding, EmbeddingSum};
pub use enroll::{Enroller, Guidance, QualityGates, Sample};
pub use error::Error;
pub use frame::{Frame, PixelFormat};
pub use gallery::{Gallery, Identity, Name};
pub use geometry::{BBox, Point};
pub use liveness::{verdict, Liveness, LivenessPolicy, Verdict};
pub use matcher::{match_face, MatchOutcome, MatchPolicy};
pub use persistent::{LoadReport, PersistentGallery};
pub use preprocess::{preprocess, ChannelOrder, Fit, InputSpec, Letterbox, PixelEncoder};
pub use quant::Quant;
pub use score::ScoreKind;
pub use store::GalleryStore;
pub use track::{IdentityVote, Observation, Track, Tracker, TrackerConfig};
pub use warp::{warp, Affine, Border, Canvas, Interp, Region};
