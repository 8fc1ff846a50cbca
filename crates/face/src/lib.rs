// SPDX-License-Identifier: Apache-2.0
//! `facegate-face`: the no_std face pipeline — detection decoding, alignment, anti-spoof,
//! recognition, gallery, enrolment and tracking.
//!
//! Everything operates on int8 tensors handed in as slices together with their
//! quantisation ([`Quant`]); the inference engine lives in `facegate-nn`. Nothing allocates:
//! capacities are const generics, buffers are the caller's.
//!
//! One frame, as the kiosk drives it (`tests/pipeline.rs` runs this with synthetic outputs):
//!
//! ```text
//! let frame = Frame::new(buf, w, h, stride, PixelFormat::Rgb565)?;
//! let lb = preprocess(&frame, &det_spec, &det_encoder, det_input)?;      // letterbox + LUT
//! /* engine: detector */
//! retinaface::decode(&outputs, &priors, &cfg, &lb, &mut dets)?;          // frame coords
//! tracker.update(&dets);
//! tracker.work(&mut todo);                                                // budgeted
//! for id in todo {
//!     let d = tracker.get(id).unwrap().detection();
//!     align_face(&frame, &d.landmarks, &ARCFACE_112, &rec_encoder, &mut rec_canvas)?;
//!     BoxCrop { scale: 2.7, square: false }.crop(&frame, &d.bbox, &spoof_encoder, &mut c)?;
//!     /* engine: anti-spoof, recognizer */
//!     let live = LivenessPolicy::DTN.decide(dtn_spoof_score(s, sq, m, mq)?);
//!     let emb = Embedding::<192>::from_i8(rec_out, rec_zp)?;
//!     let outcome = match_face(store.gallery(), &emb, &MatchPolicy::default());
//!     tracker.record(id, Observation { identity: outcome.id(), liveness: live });
//!     let shown = verdict(&outcome, tracker.get(id).unwrap().liveness(tracker.config()), false);
//! }
//! // enrolment: Enroller::offer(&Sample { .. }) -> Guidance, then
//! // PersistentGallery::enroll(name, enroller.template()?)
//! ```
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
