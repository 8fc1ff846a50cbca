// SPDX-License-Identifier: Apache-2.0
//! The kiosk loop: one call per camera frame runs detection, tracking, and — only for new or
//! changed faces — alignment, anti-spoof, embedding and matching; it votes over time, drives
//! enrolment, times every stage and reports events.

use facegate_face::enroll::{brightness, sharpness, Enroller, Guidance, QualityGates, Sample};
use facegate_face::liveness::Liveness;
use facegate_face::track::{IdentityVote, Observation, Tracker};
use facegate_face::{
    gallery::make_name, match_face, Detection, Embedding, Frame, GalleryStore, LoadReport,
    MatchOutcome, Name, PersistentGallery,
};
use facegate_nn::{Backend, Cpu};
use heapless::Vec;

use crate::antispoof::AntiSpoof;
use crate::config::KioskConfig;
use crate::detector::{Detector, MAX_FACES};
use crate::event::{EnrolFailure, Event};
use crate::ports::{Clock, FrameSource};
use crate::recognizer::{Recognizer, EMBEDDING_DIM};
use crate::Error;

/// Faces tracked at once.
pub const MAX_TRACKS: usize = 8;
/// Recognitions remembered per track for voting.
pub const VOTES: usize = 5;
/// Events one frame can produce: per track a loss, an appearance and a state change, plus
/// two for enrolment.
pub const MAX_EVENTS: usize = 3 * MAX_TRACKS + 2;
/// Identities a gallery holds unless a build chooses otherwise (the record format does not
/// depend on it, so galleries move between builds of different capacity while they fit).
pub const DEFAULT_GALLERY_CAPACITY: usize = 64;

/// The model-running stages, each on its backend (`B`: the CPU kernels by default; the
/// N6's NPU where a board provides one).
#[derive(Debug)]
pub struct Stages<'m, 'a, B: Backend = Cpu> {
    /// Face detector.
    pub detector: Detector<'m, 'a, B>,
    /// Aligner + recognizer.
    pub recognizer: Recognizer<'m, 'a, B>,
    /// Anti-spoof model; without one, liveness is always unsure.
    pub antispoof: Option<AntiSpoof<'m, 'a, B>>,
}

/// Microseconds spent in each stage for one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct StageTimes {
    /// Preprocess + detector + decode + NMS.
    pub detect_us: u32,
    /// Alignment warps.
    pub align_us: u32,
    /// Anti-spoof crops and inference.
    pub spoof_us: u32,
    /// Recognizer inference.
    pub embed_us: u32,
    /// Gallery matching.
    pub match_us: u32,
}

/// A tracked face's state as the screen and the events show it.
#[derive(Debug, Clone, PartialEq)]
pub enum FaceState {
    /// Not decided yet (no recognition, disagreeing votes, or liveness unsure).
    Checking,
    /// Live and matching nobody.
    Unknown,
    /// Judged a presentation attack.
    Spoof,
    /// Live and recognised.
    Recognized {
        /// Identity id.
        id: u32,
        /// Identity name.
        name: Name,
    },
}

/// One face in this frame's report.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceStatus {
    /// Track id.
    pub track: u32,
    /// Box and landmarks in frame coordinates.
    pub detection: Detection,
    /// Voted state.
    pub state: FaceState,
    /// Voted liveness (`Unsure` before any check or without an anti-spoof model).
    pub liveness: Liveness,
    /// Similarity of the last match (to the best identity), if any.
    pub similarity: Option<f32>,
    /// Spoof score of the last anti-spoof check, if any.
    pub spoof_score: Option<f32>,
}

/// What the kiosk is doing.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Watching and recognising.
    Recognizing,
    /// Enrolling `name`.
    Enrolling {
        /// Name being enrolled.
        name: Name,
        /// Good samples so far.
        captured: u8,
        /// Good samples needed.
        needed: u8,
        /// Last guidance.
        guidance: Guidance,
    },
}

/// The outcome of one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameReport {
    /// Frame number (from 1).
    pub frame: u32,
    /// Faces detected this frame (before tracking).
    pub detections: usize,
    /// Visible tracked faces.
    pub faces: Vec<FaceStatus, MAX_TRACKS>,
    /// Stage timings.
    pub times: StageTimes,
    /// Events, in order.
    pub events: Vec<Event, MAX_EVENTS>,
    /// Mode after this frame.
    pub mode: Mode,
}

#[derive(Debug, Clone)]
struct TrackNote {
    track: u32,
    similarity: Option<f32>,
    spoof_score: Option<f32>,
    reported: Option<FaceState>,
}

#[derive(Debug, Clone)]
struct Enrolment {
    name: Name,
    enroller: Enroller<EMBEDDING_DIM>,
    started: u32,
    guidance: Guidance,
}

/// The kiosk state machine over the stages, a gallery store and the configuration.
#[derive(Debug)]
pub struct Kiosk<'m, 'a, S: GalleryStore, const CAP: usize, B: Backend = Cpu> {
    stages: Stages<'m, 'a, B>,
    tracker: Tracker<MAX_TRACKS, VOTES>,
    gallery: PersistentGallery<S, CAP, EMBEDDING_DIM>,
    config: KioskConfig,
    gates: QualityGates,
    notes: Vec<TrackNote, MAX_TRACKS>,
    enrolment: Option<Enrolment>,
    frame: u32,
}

fn elapsed(clock: &impl Clock, since: u64) -> u32 {
    clock
        .now_us()
        .saturating_sub(since)
        .min(u64::from(u32::MAX)) as u32
}

/// Appends an event; false when the frame's event list is full (it is sized for the worst
/// case, so this does not happen; callers still only mark what was actually reported).
fn push_event(events: &mut Vec<Event, MAX_EVENTS>, e: Event) -> bool {
    events.push(e).is_ok()
}

impl<'m, 'a, S: GalleryStore, const CAP: usize, B: Backend> Kiosk<'m, 'a, S, CAP, B> {
    /// A kiosk over `stages`, loading the gallery from `store`.
    pub fn new(
        mut stages: Stages<'m, 'a, B>,
        store: S,
        config: KioskConfig,
    ) -> Result<(Self, LoadReport), Error> {
        config.validate()?;
        let (gallery, report) = PersistentGallery::load(store)?;
        let det = config.detector(*stages.detector.config());
        stages.detector.set_config(det);
        if let Some(a) = stages.antispoof.as_mut() {
            a.set_policy(config.liveness_policy());
        }
        Ok((
            Self {
                stages,
                tracker: Tracker::new(config.tracker()),
                gallery,
                config,
                gates: QualityGates::default(),
                notes: Vec::new(),
                enrolment: None,
                frame: 0,
            },
            report,
        ))
    }

    /// The configuration in use.
    pub fn config(&self) -> &KioskConfig {
        &self.config
    }

    /// Replaces the configuration (thresholds apply from the next frame).
    pub fn set_config(&mut self, config: KioskConfig) -> Result<(), Error> {
        config.validate()?;
        let det = config.detector(*self.stages.detector.config());
        self.stages.detector.set_config(det);
        if let Some(a) = self.stages.antispoof.as_mut() {
            a.set_policy(config.liveness_policy());
        }
        self.tracker = Tracker::new(config.tracker());
        self.notes.clear();
        self.config = config;
        Ok(())
    }

    /// Enrolment quality gates (defaults suit a live camera; still photos need no motion
    /// gate, see [`QualityGates`]).
    pub fn set_quality_gates(&mut self, gates: QualityGates) {
        self.gates = gates;
    }

    /// The enrolled identities.
    pub fn gallery(&self) -> &facegate_face::Gallery<CAP, EMBEDDING_DIM> {
        self.gallery.gallery()
    }

    /// Renames an identity (persisted).
    pub fn rename(&mut self, id: u32, name: &str) -> Result<(), Error> {
        Ok(self.gallery.rename(id, name)?)
    }

    /// Forgets every tracked face (the next frame starts a new scene, e.g. another photo).
    pub fn reset_tracking(&mut self) {
        self.tracker = Tracker::new(self.config.tracker());
        self.notes.clear();
    }

    /// Deletes an identity (persisted).
    pub fn delete(&mut self, id: u32) -> Result<(), Error> {
        self.reset_tracking();
        Ok(self.gallery.delete(id)?)
    }

    /// Starts enrolling `name` from the next frames (one face in view). Fails at once on a
    /// bad or taken name or a full gallery, so the person is not asked to pose for nothing.
    pub fn start_enrolment(&mut self, name: &str) -> Result<(), Error> {
        let name = make_name(name)?;
        if self.gallery.gallery().find_name(&name).is_some() {
            return Err(facegate_face::Error::DuplicateName.into());
        }
        if self.gallery.gallery().len() >= CAP {
            return Err(facegate_face::Error::GalleryFull.into());
        }
        let needed = usize::from(self.config.enrol_samples);
        self.enrolment = Some(Enrolment {
            name,
            enroller: Enroller::new(self.gates, needed)?,
            started: self.frame,
            guidance: Guidance::NoFace,
        });
        Ok(())
    }

    /// Abandons the enrolment in progress (if any); returns its name.
    pub fn cancel_enrolment(&mut self) -> Option<Name> {
        self.enrolment.take().map(|e| e.name)
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        match &self.enrolment {
            None => Mode::Recognizing,
            Some(e) => Mode::Enrolling {
                name: e.name.clone(),
                captured: e.enroller.accepted() as u8,
                needed: e.enroller.needed() as u8,
                guidance: e.guidance,
            },
        }
    }

    /// Pulls the next frame from `source` and processes it; `None` at the end of a finite
    /// source. A source error is [`Error::Camera`] (the source's own error is logged by it).
    pub fn step(
        &mut self,
        source: &mut impl FrameSource,
        clock: &impl Clock,
    ) -> Result<Option<FrameReport>, Error> {
        match source.next_frame() {
            Ok(Some(frame)) => self.process(&frame, clock).map(Some),
            Ok(None) => Ok(None),
            Err(_) => Err(Error::Camera),
        }
    }

    /// Processes one camera frame.
    pub fn process(&mut self, frame: &Frame<'_>, clock: &impl Clock) -> Result<FrameReport, Error> {
        self.frame = self.frame.wrapping_add(1);
        let mut times = StageTimes::default();
        let mut events = Vec::new();

        let t = clock.now_us();
        let mut dets: Vec<Detection, MAX_FACES> = Vec::new();
        self.stages.detector.detect(frame, &mut dets)?;
        times.detect_us = elapsed(clock, t);

        let before: Vec<u32, MAX_TRACKS> = self.tracker.tracks().map(|t| t.id()).collect();
        self.tracker.update(&dets);
        self.sync_notes(&before, &mut events);

        if self.enrolment.is_some() {
            match self.enrol_step(frame, &dets, clock, &mut times) {
                Ok(Some(e)) => {
                    push_event(&mut events, e);
                }
                Ok(None) => {}
                // One bad sample (e.g. degenerate landmarks) is not an enrolment failure:
                // the person is asked again on the next frame.
                Err(_) => {
                    if let Some(e) = self.enrol_retry_event() {
                        push_event(&mut events, e);
                    }
                }
            }
            if let Some(e) = self.enrol_finish() {
                push_event(&mut events, e);
            }
        } else {
            let mut work: Vec<u32, MAX_TRACKS> = Vec::new();
            self.tracker.work(&mut work);
            for id in work {
                let Some(det) = self.tracker.get(id).map(|t| *t.detection()) else {
                    continue;
                };
                // A face the pipeline cannot handle (degenerate landmarks, a crop outside
                // the frame) is recorded as undecided; the other faces of the frame go on.
                let (outcome, check) = match self.recognize(frame, &det, clock, &mut times) {
                    Ok(r) => r,
                    Err(e) => {
                        push_event(
                            &mut events,
                            Event::FaceError {
                                track: id,
                                error: e,
                            },
                        );
                        (MatchOutcome::Unknown { best_score: None }, None)
                    }
                };
                let liveness = check.map_or(Liveness::Unsure, |c| c.0);
                self.tracker.record(
                    id,
                    Observation {
                        identity: outcome.id(),
                        liveness,
                    },
                );
                if let Some(n) = self.notes.iter_mut().find(|n| n.track == id) {
                    n.similarity = match outcome {
                        MatchOutcome::Match { score, .. } => Some(score),
                        MatchOutcome::Unknown { best_score } => best_score,
                    };
                    n.spoof_score = check.map(|c| c.1);
                }
            }
        }

        let faces = self.faces(&mut events);
        Ok(FrameReport {
            frame: self.frame,
            detections: dets.len(),
            faces,
            times,
            events,
            mode: self.mode(),
        })
    }

    /// Align → anti-spoof → embed → match for one face.
    #[allow(clippy::type_complexity)]
    fn recognize(
        &mut self,
        frame: &Frame<'_>,
        det: &Detection,
        clock: &impl Clock,
        times: &mut StageTimes,
    ) -> Result<(MatchOutcome, Option<(Liveness, f32)>), Error> {
        let t = clock.now_us();
        self.stages.recognizer.align(frame, det)?;
        times.align_us += elapsed(clock, t);

        let t = clock.now_us();
        let check = match self.stages.antispoof.as_mut() {
            Some(a) => {
                let c = a.check(frame, det)?;
                Some((c.liveness, c.score))
            }
            None => None,
        };
        times.spoof_us += elapsed(clock, t);

        // A spoof is never matched: no identity can be accepted for it anyway.
        if matches!(check, Some((Liveness::Spoof, _))) {
            return Ok((MatchOutcome::Unknown { best_score: None }, check));
        }

        let t = clock.now_us();
        let embedding = self.stages.recognizer.embed()?;
        times.embed_us += elapsed(clock, t);

        let t = clock.now_us();
        let outcome = match_face(
            self.gallery.gallery(),
            &embedding,
            &self.config.match_policy(),
        );
        times.match_us += elapsed(clock, t);
        Ok((outcome, check))
    }

    /// Keeps one note per track, reporting appearances and losses.
    fn sync_notes(&mut self, before: &[u32], events: &mut Vec<Event, MAX_EVENTS>) {
        let live: Vec<u32, MAX_TRACKS> = self.tracker.tracks().map(|t| t.id()).collect();
        for &id in before {
            if !live.contains(&id) {
                push_event(events, Event::FaceLost { track: id });
            }
        }
        self.notes.retain(|n| live.contains(&n.track));
        for &id in &live {
            if !self.notes.iter().any(|n| n.track == id) {
                let _ = self.notes.push(TrackNote {
                    track: id,
                    similarity: None,
                    spoof_score: None,
                    reported: None,
                });
                push_event(events, Event::FaceAppeared { track: id });
            }
        }
    }

    /// The voted state of every visible track, reporting changes.
    fn faces(&mut self, events: &mut Vec<Event, MAX_EVENTS>) -> Vec<FaceStatus, MAX_TRACKS> {
        let cfg = *self.tracker.config();
        let mut out = Vec::new();
        for t in self.tracker.tracks().filter(|t| t.is_visible()) {
            let liveness = if t.observations().next().is_some() {
                t.liveness(&cfg)
            } else {
                Liveness::Unsure
            };
            let note = self.notes.iter_mut().find(|n| n.track == t.id());
            let (similarity, spoof_score) = note
                .as_ref()
                .map_or((None, None), |n| (n.similarity, n.spoof_score));
            let accept_unsure = self.config.accept_unsure_liveness;
            let state = match (liveness, t.identity(&cfg)) {
                (Liveness::Spoof, _) => FaceState::Spoof,
                (Liveness::Unsure, _) if !accept_unsure => FaceState::Checking,
                (_, IdentityVote::Known(id)) => match self.gallery.gallery().get(id) {
                    Some(i) => FaceState::Recognized {
                        id,
                        name: i.name.clone(),
                    },
                    None => FaceState::Unknown,
                },
                (_, IdentityVote::Unknown) => FaceState::Unknown,
                (_, IdentityVote::None | IdentityVote::Undecided) => FaceState::Checking,
            };
            if let Some(n) = note {
                if n.reported.as_ref() != Some(&state) {
                    let e = match &state {
                        FaceState::Recognized { id, name } => Some(Event::Recognized {
                            track: t.id(),
                            id: *id,
                            name: name.clone(),
                            score: similarity.unwrap_or(0.0),
                        }),
                        FaceState::Unknown => Some(Event::Unknown {
                            track: t.id(),
                            best_score: similarity,
                        }),
                        FaceState::Spoof => Some(Event::SpoofDetected {
                            track: t.id(),
                            score: spoof_score.unwrap_or(0.0),
                        }),
                        FaceState::Checking => None,
                    };
                    let reported = match e {
                        Some(e) => push_event(events, e),
                        None => true,
                    };
                    if reported {
                        n.reported = Some(state.clone());
                    }
                }
            }
            let _ = out.push(FaceStatus {
                track: t.id(),
                detection: *t.detection(),
                state,
                liveness,
                similarity,
                spoof_score,
            });
        }
        out
    }

    /// One enrolment sample from this frame.
    fn enrol_step(
        &mut self,
        frame: &Frame<'_>,
        dets: &[Detection],
        clock: &impl Clock,
        times: &mut StageTimes,
    ) -> Result<Option<Event>, Error> {
        let Some(en) = self.enrolment.as_ref() else {
            return Ok(None);
        };
        let guidance = if dets.len() != 1 {
            en.enroller.no_sample(dets.len())
        } else {
            let det = dets[0];
            let t = clock.now_us();
            self.stages.recognizer.align(frame, &det)?;
            times.align_us += elapsed(clock, t);
            let size = self.stages.recognizer.input_size();
            let sharp = sharpness(self.stages.recognizer.aligned()?, size, size)?;
            let light = brightness(frame, &det.bbox);
            let t = clock.now_us();
            let liveness = match self.stages.antispoof.as_mut() {
                Some(a) => a.check(frame, &det)?.liveness,
                // Without an anti-spoof model the operator vouches for the person.
                None => Liveness::Live,
            };
            times.spoof_us += elapsed(clock, t);
            let t = clock.now_us();
            let embedding: Embedding<EMBEDDING_DIM> = self.stages.recognizer.embed()?;
            times.embed_us += elapsed(clock, t);
            let sample = Sample {
                faces: 1,
                detection: &det,
                sharpness: sharp,
                brightness: light,
                liveness,
                embedding: &embedding,
            };
            match self.enrolment.as_mut() {
                Some(en) => en.enroller.offer(&sample),
                None => return Ok(None),
            }
        };
        let Some(en) = self.enrolment.as_mut() else {
            return Ok(None);
        };
        en.guidance = guidance;
        Ok(Some(Event::EnrolmentProgress {
            name: en.name.clone(),
            captured: en.enroller.accepted() as u8,
            needed: en.enroller.needed() as u8,
            guidance,
        }))
    }

    /// The progress event for a sample that could not be processed.
    fn enrol_retry_event(&mut self) -> Option<Event> {
        let en = self.enrolment.as_mut()?;
        en.guidance = Guidance::HoldStill;
        Some(Event::EnrolmentProgress {
            name: en.name.clone(),
            captured: en.enroller.accepted() as u8,
            needed: en.enroller.needed() as u8,
            guidance: Guidance::HoldStill,
        })
    }

    /// Stores a complete enrolment or ends a timed-out one.
    fn enrol_finish(&mut self) -> Option<Event> {
        let en = self.enrolment.as_ref()?;
        if en.enroller.is_complete() {
            let en = self.enrolment.take()?;
            let result = en
                .enroller
                .template()
                .and_then(|t| self.gallery.enroll(&en.name, t));
            return Some(match result {
                Ok(id) => Event::Enrolled { id, name: en.name },
                Err(e) => Event::EnrolmentFailed {
                    name: en.name,
                    reason: match e {
                        facegate_face::Error::GalleryFull => EnrolFailure::GalleryFull,
                        facegate_face::Error::DuplicateName => EnrolFailure::DuplicateName,
                        _ => EnrolFailure::StoreFailed,
                    },
                },
            });
        }
        if self.frame.wrapping_sub(en.started) >= self.config.enrol_timeout_frames {
            let en = self.enrolment.take()?;
            return Some(Event::EnrolmentFailed {
                name: en.name,
                reason: EnrolFailure::TimedOut,
            });
        }
        None
    }
}
