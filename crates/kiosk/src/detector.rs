// SPDX-License-Identifier: Apache-2.0
//! The detection stage: frame → detector int8 input → engine → decoded faces in frame
//! coordinates. Two model families are understood, told apart by their outputs: RetinaFace
//! (the default: three outputs of 4 box, 2 class and 10 landmark values per prior, any input
//! size) and BlazeFace short range (the light alternative: 896 anchors of 16 regression
//! values and one score, 128×128 input; its six keypoints become the five landmarks).

use facegate_face::blazeface::{self, BlazeFaceConfig, BlazeFaceOutputs, BOX_VALUES, NUM_ANCHORS};
use facegate_face::retinaface::{self, PriorBoxes, RetinaFaceConfig, RetinaFaceOutputs};
use facegate_face::{
    preprocess, ChannelOrder, Detection, Fit, Frame, InputSpec, Interp, PixelEncoder, Quant,
    ScoreKind,
};
use facegate_nn::{Backend, Cpu, Interpreter};
use heapless::Vec;

use crate::{stage_model, Error};

/// Most faces the detector reports per frame.
pub const MAX_FACES: usize = 16;
/// Candidates kept before non-maximum suppression: every face lights up several priors, so
/// this must be well above [`MAX_FACES`] or strong faces crowd weaker ones out.
pub const MAX_CANDIDATES: usize = 128;

/// The shipped detectors take RGB pixels minus 128 (RetinaFace's first layer restores its
/// original BGR minus (104, 117, 127) inside the graph; models/README.md).
const MEAN: [f32; 3] = [128.0; 3];
/// Letterbox padding: mid-grey, which encodes to zero.
const PAD: [u8; 3] = [128; 3];

const STAGE: &str = "detector";

/// TFLite builtin code of SOFTMAX.
const SOFTMAX: i32 = 25;

/// Which detector family the model is, with what its decoder needs.
#[derive(Debug, Clone, Copy)]
enum Family {
    RetinaFace {
        priors: PriorBoxes,
        /// Output indices of loc `[N,4]`, conf `[N,2]`, landmarks `[N,10]`.
        outputs: [usize; 3],
    },
    BlazeFace {
        /// Output index of the `[896,16]` regression.
        boxes: usize,
        /// Output index of the `[896,1]` scores.
        scores: usize,
    },
}

/// A face detector running on the engine.
#[derive(Debug)]
pub struct Detector<'m, 'a, B: Backend = Cpu> {
    nn: Interpreter<'m, 'a, B>,
    family: Family,
    spec: InputSpec,
    encoder: PixelEncoder,
    /// Thresholds (and, for RetinaFace, how scores read); BlazeFace uses its thresholds.
    config: RetinaFaceConfig,
    /// Decoder output before the final copy (kept here, off the caller's stack).
    candidates: Vec<Detection, MAX_CANDIDATES>,
}

impl<'m, 'a> Detector<'m, 'a, Cpu> {
    /// Loads a detector model into `arena`, on the CPU backend: RetinaFace (NHWC int8 input,
    /// three outputs told apart by their last dimension: 4 box values, 2 class scores, 10
    /// landmark values per prior) or BlazeFace short range (128×128 input; `[896,16]` and
    /// `[896,1]` outputs). `config`'s score threshold, NMS IoU and top-k apply to either.
    pub fn new(
        model: &'m [u8],
        arena: &'a mut [u8],
        config: RetinaFaceConfig,
    ) -> Result<Self, Error> {
        Self::with_backend(model, arena, config, Cpu)
    }
}

impl<'m, 'a, B: Backend> Detector<'m, 'a, B> {
    /// As [`Detector::new`], on `backend` (refused with the op and node named if the backend
    /// cannot run the model).
    pub fn with_backend(
        model: &'m [u8],
        arena: &'a mut [u8],
        config: RetinaFaceConfig,
        backend: B,
    ) -> Result<Self, Error> {
        let (nn, input) = stage_model::load(model, arena, backend, STAGE)?;
        let mismatch = |what| Error::ModelMismatch { stage: STAGE, what };
        let (width, height, input_q) = (input.width, input.height, input.quant);
        let (family, config) = match nn.model().num_outputs() {
            3 => Self::retinaface(&nn, width, height, config)?,
            2 => (Self::blazeface(&nn, width, height)?, config),
            _ => return Err(mismatch("expected 3 (RetinaFace) or 2 (BlazeFace) outputs")),
        };
        // Both shipped detectors take RGB `pixel - 128` (models/README.md): mean 128, and a
        // std that makes one pixel step one input step.
        let std = 1.0 / input_q.scale;
        let encoder = PixelEncoder::new(ChannelOrder::Rgb, MEAN, [std; 3], input_q)?;
        let spec = InputSpec {
            width,
            height,
            fit: Fit::LetterboxCenter,
            // Area sampling: a 4x downscale (1280-px photo, 1296-px camera line) with plain
            // bilinear taps aliases small faces away.
            interp: Interp::Area,
            pad: PAD,
        };
        Ok(Self {
            nn,
            family,
            spec,
            encoder,
            config,
            candidates: Vec::new(),
        })
    }

    fn retinaface(
        nn: &Interpreter<'m, 'a, B>,
        width: usize,
        height: usize,
        config: RetinaFaceConfig,
    ) -> Result<(Family, RetinaFaceConfig), Error> {
        let mismatch = |what| Error::ModelMismatch { stage: STAGE, what };
        let priors = PriorBoxes::new(width, height)?;
        let mut outputs = [usize::MAX; 3];
        for i in 0..3 {
            let info = nn.model().tensor(nn.model().output_tensor(i)?)?;
            let dims = info.shape.dims();
            let last = *dims.last().ok_or(mismatch("scalar output"))?;
            let slot = match last {
                4 => 0,
                2 => 1,
                10 => 2,
                _ => return Err(mismatch("outputs must end in 4, 2 and 10 values per prior")),
            };
            if outputs[slot] != usize::MAX {
                return Err(mismatch("two outputs have the same width"));
            }
            if info.shape.num_elements() != priors.len() * last {
                return Err(mismatch(
                    "output length does not match the priors of its input size",
                ));
            }
            outputs[slot] = i;
        }
        // Class scores are probabilities when the node producing them is a softmax, logits
        // otherwise (the int8 conversion may drop the softmax to keep the output scale
        // useful).
        let conf_tensor = nn.model().output_tensor(outputs[1])?;
        let mut score_kind = ScoreKind::Logits;
        for n in 0..nn.model().num_nodes() {
            let node = nn.model().node(n)?;
            if node.output(0) == Some(conf_tensor) && node.code == SOFTMAX {
                score_kind = ScoreKind::Probabilities;
            }
        }
        let config = RetinaFaceConfig {
            score_kind,
            ..config
        };
        Ok((Family::RetinaFace { priors, outputs }, config))
    }

    fn blazeface(
        nn: &Interpreter<'m, 'a, B>,
        width: usize,
        height: usize,
    ) -> Result<Family, Error> {
        let mismatch = |what| Error::ModelMismatch { stage: STAGE, what };
        if (width, height) != (blazeface::INPUT_SIZE, blazeface::INPUT_SIZE) {
            return Err(mismatch("BlazeFace input is not 128x128"));
        }
        let n0 = nn
            .model()
            .tensor(nn.model().output_tensor(0)?)?
            .shape
            .num_elements();
        let n1 = nn
            .model()
            .tensor(nn.model().output_tensor(1)?)?
            .shape
            .num_elements();
        let (boxes, scores) = match (n0, n1) {
            (a, b) if a == NUM_ANCHORS * BOX_VALUES && b == NUM_ANCHORS => (0, 1),
            (a, b) if b == NUM_ANCHORS * BOX_VALUES && a == NUM_ANCHORS => (1, 0),
            _ => return Err(mismatch("BlazeFace outputs must be [896,16] and [896,1]")),
        };
        Ok(Family::BlazeFace { boxes, scores })
    }

    /// The model's input size (width, height).
    pub fn input_size(&self) -> (usize, usize) {
        (self.spec.width, self.spec.height)
    }

    /// Decoder settings in use.
    pub fn config(&self) -> &RetinaFaceConfig {
        &self.config
    }

    /// Changes the decoder's thresholds (from the next frame). How scores are read stays
    /// what the model says.
    pub fn set_config(&mut self, config: RetinaFaceConfig) {
        self.config = RetinaFaceConfig {
            score_kind: self.config.score_kind,
            ..config
        };
    }

    /// Finds the faces in `frame`, strongest first, in frame coordinates.
    pub fn detect(
        &mut self,
        frame: &Frame<'_>,
        faces: &mut Vec<Detection, MAX_FACES>,
    ) -> Result<(), Error> {
        let letterbox = {
            let input = self.nn.input(0)?;
            preprocess(frame, &self.spec, &self.encoder, input.data)?
        };
        self.nn.invoke()?;
        let top_k = self.config.top_k.min(MAX_FACES);
        match self.family {
            Family::RetinaFace { priors, outputs } => {
                let loc = self.nn.output(outputs[0])?;
                let conf = self.nn.output(outputs[1])?;
                let landm = self.nn.output(outputs[2])?;
                let outs = RetinaFaceOutputs {
                    loc: loc.data,
                    loc_q: Quant::new(loc.scale, loc.zero_point)?,
                    conf: conf.data,
                    conf_q: Quant::new(conf.scale, conf.zero_point)?,
                    landm: landm.data,
                    landm_q: Quant::new(landm.scale, landm.zero_point)?,
                };
                let config = RetinaFaceConfig {
                    top_k,
                    ..self.config
                };
                retinaface::decode(&outs, &priors, &config, &letterbox, &mut self.candidates)?;
            }
            Family::BlazeFace { boxes, scores } => {
                let b = self.nn.output(boxes)?;
                let s = self.nn.output(scores)?;
                let outs = BlazeFaceOutputs {
                    boxes: b.data,
                    boxes_q: Quant::new(b.scale, b.zero_point)?,
                    scores: s.data,
                    scores_q: Quant::new(s.scale, s.zero_point)?,
                };
                let config = BlazeFaceConfig {
                    score_threshold: self.config.score_threshold,
                    nms_iou: self.config.nms_iou,
                    top_k,
                    ..BlazeFaceConfig::default()
                };
                blazeface::decode(&outs, &config, &letterbox, &mut self.candidates)?;
            }
        }
        faces.clear();
        for d in self.candidates.iter().take(MAX_FACES) {
            let _ = faces.push(*d);
        }
        Ok(())
    }
}
