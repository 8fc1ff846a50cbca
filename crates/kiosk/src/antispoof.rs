// SPDX-License-Identifier: Apache-2.0
//! The anti-spoof stage: crop the face with context from the frame into the model's int8
//! input, run it, and turn its outputs into a spoof score and a Live / Spoof / Unsure call.
//!
//! Two model families are understood, told apart by their outputs: the Deep Tree Network
//! (two outputs of 8 leaves: scores and leaf mask; spoof score = Σ|score|·mask) and a plain
//! classifier (one output of 2 or 3 classes; spoof score = 1 − p(live)).

use facegate_face::align::BoxCrop;
use facegate_face::liveness::{classifier_spoof_score, dtn_spoof_score, Liveness, LivenessPolicy};
use facegate_face::{Canvas, ChannelOrder, Detection, Frame, PixelEncoder, Quant, ScoreKind};
use facegate_nn::{Interpreter, Model};

use crate::Error;

const STAGE: &str = "anti-spoof";

/// How the model wants its input and how its output reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AntiSpoofSpec {
    /// Face box enlargement and squaring before resizing to the input.
    pub crop: BoxCrop,
    /// Channel order of the input.
    pub order: ChannelOrder,
    /// Per-channel mean (0..255 units, model channel order).
    pub mean: [f32; 3],
    /// Per-channel std (0..255 units).
    pub std: [f32; 3],
    /// For classifiers: index of the live class and whether outputs are logits.
    pub live_class: usize,
    /// For classifiers: probabilities or logits.
    pub score_kind: ScoreKind,
    /// Thresholds on the spoof score.
    pub policy: LivenessPolicy,
}

impl AntiSpoofSpec {
    /// The Deep Tree Network shipped as `antispoof_dtn.tflite`: RGB scaled to [0, 1], the
    /// square face box as the crop, spoof if the score exceeds 0.2.
    pub const DTN: AntiSpoofSpec = AntiSpoofSpec {
        crop: BoxCrop {
            scale: 1.0,
            square: true,
        },
        order: ChannelOrder::Rgb,
        mean: [0.0; 3],
        std: [255.0; 3],
        live_class: 0,
        score_kind: ScoreKind::Probabilities,
        policy: LivenessPolicy::DTN,
    };
}

#[derive(Debug, Clone, Copy)]
enum Head {
    /// Output indices of leaf scores and leaf mask.
    Dtn { scores: usize, mask: usize },
    /// A single classification output.
    Classifier,
}

/// An anti-spoof model running on the engine.
#[derive(Debug)]
pub struct AntiSpoof<'m, 'a> {
    nn: Interpreter<'m, 'a>,
    width: usize,
    height: usize,
    encoder: PixelEncoder,
    spec: AntiSpoofSpec,
    head: Head,
}

/// The stage's result for one face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpoofCheck {
    /// Higher means more likely a presentation attack.
    pub score: f32,
    /// The policy's call.
    pub liveness: Liveness,
}

impl<'m, 'a> AntiSpoof<'m, 'a> {
    /// Loads an anti-spoof model into `arena`.
    pub fn new(model: &'m [u8], arena: &'a mut [u8], spec: AntiSpoofSpec) -> Result<Self, Error> {
        let nn = Interpreter::new(Model::from_bytes(model)?, arena)?;
        let mismatch = |what| Error::ModelMismatch { stage: STAGE, what };
        if nn.model().num_inputs() != 1 {
            return Err(mismatch("expected 1 input"));
        }
        let info = nn.model().tensor(nn.model().input_tensor(0)?)?;
        let dims = info.shape.to4().ok_or(mismatch("input is not NHWC"))?;
        if dims[0] != 1 || dims[3] != 3 {
            return Err(mismatch("input is not 1xHxWx3"));
        }
        let (scale, zp) = info.scale_zp()?;
        let encoder = PixelEncoder::new(spec.order, spec.mean, spec.std, Quant::new(scale, zp)?)?;
        let head = match nn.model().num_outputs() {
            1 => {
                let n = nn
                    .model()
                    .tensor(nn.model().output_tensor(0)?)?
                    .shape
                    .num_elements();
                if n <= spec.live_class || n > 8 {
                    return Err(mismatch("classifier output has no live class"));
                }
                Head::Classifier
            }
            2 => {
                let a = nn
                    .model()
                    .tensor(nn.model().output_tensor(0)?)?
                    .shape
                    .num_elements();
                let b = nn
                    .model()
                    .tensor(nn.model().output_tensor(1)?)?
                    .shape
                    .num_elements();
                if a != b || a == 0 {
                    return Err(mismatch("DTN outputs must both hold one value per leaf"));
                }
                // The mask output is the one ending in a sigmoid: its quantisation spans
                // [0, 1] (zero point −128). The score output is signed.
                let zp0 = nn
                    .model()
                    .tensor(nn.model().output_tensor(0)?)?
                    .scale_zp()?
                    .1;
                let zp1 = nn
                    .model()
                    .tensor(nn.model().output_tensor(1)?)?
                    .scale_zp()?
                    .1;
                match (zp0 == -128, zp1 == -128) {
                    (false, true) => Head::Dtn { scores: 0, mask: 1 },
                    (true, false) => Head::Dtn { scores: 1, mask: 0 },
                    _ => return Err(mismatch("cannot tell DTN score and mask outputs apart")),
                }
            }
            _ => return Err(mismatch("expected 1 (classifier) or 2 (DTN) outputs")),
        };
        Ok(Self {
            nn,
            width: dims[2],
            height: dims[1],
            encoder,
            spec,
            head,
        })
    }

    /// The thresholds in use.
    pub fn policy(&self) -> LivenessPolicy {
        self.spec.policy
    }

    /// Changes the thresholds.
    pub fn set_policy(&mut self, policy: LivenessPolicy) {
        self.spec.policy = policy;
    }

    /// Crops `face` from `frame`, runs the model and decides.
    pub fn check(&mut self, frame: &Frame<'_>, face: &Detection) -> Result<SpoofCheck, Error> {
        {
            let input = self.nn.input(0)?;
            let mut canvas = Canvas::new(input.data, self.width, self.height)?;
            self.spec
                .crop
                .crop(frame, &face.bbox, &self.encoder, &mut canvas)?;
        }
        self.nn.invoke()?;
        let score = match self.head {
            Head::Dtn { scores, mask } => {
                let s = self.nn.output(scores)?;
                let m = self.nn.output(mask)?;
                dtn_spoof_score(
                    s.data,
                    Quant::new(s.scale, s.zero_point)?,
                    m.data,
                    Quant::new(m.scale, m.zero_point)?,
                )?
            }
            Head::Classifier => {
                let o = self.nn.output(0)?;
                classifier_spoof_score(
                    o.data,
                    Quant::new(o.scale, o.zero_point)?,
                    self.spec.score_kind,
                    self.spec.live_class,
                )?
            }
        };
        Ok(SpoofCheck {
            score,
            liveness: self.spec.policy.decide(score),
        })
    }
}
