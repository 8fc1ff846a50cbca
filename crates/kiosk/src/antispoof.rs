// SPDX-License-Identifier: Apache-2.0
//! The anti-spoof stage: crop the face with context from the frame into the model's int8
//! input, run it, and turn its outputs into a spoof score and a Live / Spoof / Unsure call.
//!
//! Two model families are understood, told apart by their outputs: the Deep Tree Network
//! (8 leaf scores and the 7 routing projections of its binary tree; the projections' signs
//! pick one leaf, spoof score = |score of that leaf|) and a plain classifier (one output of
//! 2 or 3 classes; spoof score = 1 − p(live)).

use facegate_face::align::BoxCrop;
use facegate_face::liveness::{
    classifier_spoof_score, dtn_routed_spoof_score, Liveness, LivenessPolicy,
};
use facegate_face::{Canvas, ChannelOrder, Detection, Frame, PixelEncoder, Quant, ScoreKind};
use facegate_nn::{Backend, Cpu, Interpreter};

use crate::{stage_model, Error};

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
    /// square face box about the same centre as the crop (black where it leaves the frame,
    /// as the model was calibrated), spoof if the score exceeds 0.2.
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

/// Leaves of the Deep Tree Network.
const DTN_LEAVES: usize = 8;
/// Routing nodes of its depth-3 binary tree.
const DTN_ROUTES: usize = 7;

#[derive(Debug, Clone, Copy)]
enum Head {
    /// Output indices of the 8 leaf scores and the 7 routing projections.
    Dtn { leaves: usize, routes: usize },
    /// A single classification output.
    Classifier,
}

/// An anti-spoof model running on the engine.
#[derive(Debug)]
pub struct AntiSpoof<'m, 'a, B: Backend = Cpu> {
    nn: Interpreter<'m, 'a, B>,
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

impl<'m, 'a> AntiSpoof<'m, 'a, Cpu> {
    /// Loads an anti-spoof model into `arena`, on the CPU backend.
    pub fn new(model: &'m [u8], arena: &'a mut [u8], spec: AntiSpoofSpec) -> Result<Self, Error> {
        Self::with_backend(model, arena, spec, Cpu)
    }
}

impl<'m, 'a, B: Backend> AntiSpoof<'m, 'a, B> {
    /// As [`AntiSpoof::new`], on `backend`.
    pub fn with_backend(
        model: &'m [u8],
        arena: &'a mut [u8],
        spec: AntiSpoofSpec,
        backend: B,
    ) -> Result<Self, Error> {
        let (nn, input) = stage_model::load(model, arena, backend, STAGE)?;
        let mismatch = |what| Error::ModelMismatch { stage: STAGE, what };
        let encoder = PixelEncoder::new(spec.order, spec.mean, spec.std, input.quant)?;
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
                match (a, b) {
                    (DTN_LEAVES, DTN_ROUTES) => Head::Dtn {
                        leaves: 0,
                        routes: 1,
                    },
                    (DTN_ROUTES, DTN_LEAVES) => Head::Dtn {
                        leaves: 1,
                        routes: 0,
                    },
                    _ => return Err(mismatch("DTN outputs must be 8 leaf scores and 7 routes")),
                }
            }
            _ => return Err(mismatch("expected 1 (classifier) or 2 (DTN) outputs")),
        };
        Ok(Self {
            nn,
            width: input.width,
            height: input.height,
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
                .crop_centered(frame, &face.bbox, &self.encoder, &mut canvas)?;
        }
        self.nn.invoke()?;
        let score = match self.head {
            Head::Dtn { leaves, routes } => {
                let l = self.nn.output(leaves)?;
                let r = self.nn.output(routes)?;
                dtn_routed_spoof_score(
                    l.data,
                    Quant::new(l.scale, l.zero_point)?,
                    r.data,
                    Quant::new(r.scale, r.zero_point)?,
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
