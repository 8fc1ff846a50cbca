// SPDX-License-Identifier: Apache-2.0
//! The kiosk's tunable settings, as one serde record (a board keeps it in settings, the PC
//! reads it from JSON), with the defaults measured on the shipped models.

use facegate_face::liveness::LivenessPolicy;
use facegate_face::retinaface::RetinaFaceConfig;
use facegate_face::track::TrackerConfig;
use facegate_face::MatchPolicy;
use serde::{Deserialize, Serialize};

use crate::Error;

/// Every threshold and budget of the kiosk loop.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KioskConfig {
    /// Minimum face probability for a detection.
    pub detection_threshold: f32,
    /// IoU above which overlapping detections are merged.
    pub nms_iou: f32,
    /// Minimum cosine similarity to accept an identity.
    pub match_threshold: f32,
    /// Minimum lead of the best identity over the runner-up.
    pub match_margin: f32,
    /// Spoof scores below this are live.
    pub live_below: f32,
    /// Spoof scores above this are spoofs (between: unsure, looked at again).
    pub spoof_above: f32,
    /// Accept identities while liveness is unsure (only for installations without a
    /// trusted anti-spoof model; spoofs are never accepted).
    pub accept_unsure_liveness: bool,
    /// Good samples an enrolment averages.
    pub enrol_samples: u8,
    /// Frames an enrolment may take before it gives up.
    pub enrol_timeout_frames: u32,
    /// Re-recognise a tracked face after this many frames.
    pub refresh_frames: u32,
    /// Faces that get align / anti-spoof / embed per frame.
    pub max_work_per_frame: u8,
}

impl Default for KioskConfig {
    fn default() -> Self {
        let det = RetinaFaceConfig::default();
        let policy = MatchPolicy::default();
        let track = TrackerConfig::default();
        Self {
            detection_threshold: det.score_threshold,
            nms_iou: det.nms_iou,
            match_threshold: policy.threshold,
            match_margin: policy.margin,
            live_below: LivenessPolicy::DTN.live_below,
            spoof_above: LivenessPolicy::DTN.spoof_above,
            accept_unsure_liveness: false,
            enrol_samples: 5,
            enrol_timeout_frames: 300,
            refresh_frames: track.refresh_frames,
            max_work_per_frame: track.max_work_per_frame as u8,
        }
    }
}

impl KioskConfig {
    /// Checks every value is usable; names the first one that is not.
    pub fn validate(&self) -> Result<(), Error> {
        let unit = |v: f32| v.is_finite() && (0.0..=1.0).contains(&v);
        if !(unit(self.detection_threshold) && self.detection_threshold < 1.0) {
            return Err(Error::InvalidConfig("detection_threshold"));
        }
        if !(unit(self.nms_iou) && self.nms_iou > 0.0) {
            return Err(Error::InvalidConfig("nms_iou"));
        }
        if !(self.match_threshold.is_finite() && (-1.0..=1.0).contains(&self.match_threshold)) {
            return Err(Error::InvalidConfig("match_threshold"));
        }
        if !(unit(self.match_margin)) {
            return Err(Error::InvalidConfig("match_margin"));
        }
        if !(self.live_below.is_finite() && self.spoof_above.is_finite())
            || self.live_below > self.spoof_above
        {
            return Err(Error::InvalidConfig("live_below/spoof_above"));
        }
        if self.enrol_samples == 0 || self.enrol_samples > 32 {
            return Err(Error::InvalidConfig("enrol_samples"));
        }
        if self.enrol_timeout_frames == 0 {
            return Err(Error::InvalidConfig("enrol_timeout_frames"));
        }
        if self.refresh_frames == 0 {
            return Err(Error::InvalidConfig("refresh_frames"));
        }
        if self.max_work_per_frame == 0 {
            return Err(Error::InvalidConfig("max_work_per_frame"));
        }
        Ok(())
    }

    /// The detector decoder's settings.
    pub fn detector(&self, base: RetinaFaceConfig) -> RetinaFaceConfig {
        RetinaFaceConfig {
            score_threshold: self.detection_threshold,
            nms_iou: self.nms_iou,
            ..base
        }
    }

    /// The matcher's settings.
    pub fn match_policy(&self) -> MatchPolicy {
        MatchPolicy {
            threshold: self.match_threshold,
            margin: self.match_margin,
        }
    }

    /// The anti-spoof thresholds.
    pub fn liveness_policy(&self) -> LivenessPolicy {
        LivenessPolicy {
            live_below: self.live_below,
            spoof_above: self.spoof_above,
        }
    }

    /// The tracker's settings.
    pub fn tracker(&self) -> TrackerConfig {
        TrackerConfig {
            refresh_frames: self.refresh_frames,
            max_work_per_frame: usize::from(self.max_work_per_frame),
            ..TrackerConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        let c = KioskConfig::default();
        assert_eq!(c.validate(), Ok(()));
        let bad = KioskConfig {
            match_threshold: f32::NAN,
            ..c
        };
        assert_eq!(bad.validate(), Err(Error::InvalidConfig("match_threshold")));
        let bad = KioskConfig {
            live_below: 0.5,
            spoof_above: 0.2,
            ..c
        };
        assert_eq!(
            bad.validate(),
            Err(Error::InvalidConfig("live_below/spoof_above"))
        );
        let bad = KioskConfig {
            enrol_samples: 0,
            ..c
        };
        assert_eq!(bad.validate(), Err(Error::InvalidConfig("enrol_samples")));
    }

    #[test]
    fn maps_onto_stage_settings() {
        let c = KioskConfig {
            detection_threshold: 0.7,
            match_threshold: 0.5,
            refresh_frames: 12,
            ..KioskConfig::default()
        };
        assert_eq!(c.detector(RetinaFaceConfig::default()).score_threshold, 0.7);
        assert_eq!(c.match_policy().threshold, 0.5);
        assert_eq!(c.tracker().refresh_frames, 12);
    }
}
