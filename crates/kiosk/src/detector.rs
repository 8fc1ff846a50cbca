// SPDX-License-Identifier: Apache-2.0
//! The detection stage: frame → RetinaFace int8 input → engine → decoded faces in frame
//! coordinates.

use facegate_face::retinaface::{self, PriorBoxes, RetinaFaceConfig, RetinaFaceOutputs};
use facegate_face::{
    preprocess, ChannelOrder, Detection, Fit, Frame, InputSpec, Interp, PixelEncoder, Quant,
    ScoreKind,
};
use facegate_nn::{Backend, Cpu, Interpreter, Model};
use heapless::Vec;

use crate::Error;

/// Most faces the detector reports per frame.
pub const MAX_FACES: usize = 16;
/// Candidates kept before non-maximum suppression: every face lights up several priors, so
/// this must be well above [`MAX_FACES`] or strong faces crowd weaker ones out.
pub const MAX_CANDIDATES: usize = 128;

/// The shipped int8 RetinaFace takes RGB pixels minus 128 (its first layer restores the
/// original BGR minus (104, 117, 127) inside the graph; models/README.md).
const MEAN: [f32; 3] = [128.0; 3];
/// Letterbox padding: mid-grey, which encodes to zero.
const PAD: [u8; 3] = [128; 3];

const STAGE: &str = "detector";

/// TFLite builtin code of SOFTMAX.
const SOFTMAX: i32 = 25;

/// A RetinaFace detector running on the engine.
#[derive(Debug)]
pub struct Detector<'m, 'a, B: Backend = Cpu> {
    nn: Interpreter<'m, 'a, B>,
    priors: PriorBoxes,
    spec: InputSpec,
    encoder: PixelEncoder,
    /// Output indices of loc `[N,4]`, conf `[N,2]`, landmarks `[N,10]`.
    outputs: [usize; 3],
    config: RetinaFaceConfig,
    /// Decoder output before the final copy (kept here, off the caller's stack).
    candidates: Vec<Detection, MAX_CANDIDATES>,
}

impl<'m, 'a> Detector<'m, 'a, Cpu> {
    /// Loads a RetinaFace model (NHWC int8 input, three outputs told apart by their last
    /// dimension: 4 box values, 2 class scores, 10 landmark values per prior) into `arena`,
    /// on the CPU backend.
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
        let nn = Interpreter::with_backend(Model::from_bytes(model)?, arena, backend)?;
        let mismatch = |what| Error::ModelMismatch { stage: STAGE, what };
        if nn.model().num_inputs() != 1 || nn.model().num_outputs() != 3 {
            return Err(mismatch("expected 1 input and 3 outputs"));
        }
        let (width, height, input_q) = {
            let info = nn.model().tensor(nn.model().input_tensor(0)?)?;
            let dims = info.shape.to4().ok_or(mismatch("input is not NHWC"))?;
            if dims[0] != 1 || dims[3] != 3 {
                return Err(mismatch("input is not 1xHxWx3"));
            }
            let (scale, zp) = info.scale_zp()?;
            (dims[2], dims[1], Quant::new(scale, zp)?)
        };
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
        let encoder = PixelEncoder::new(ChannelOrder::Rgb, MEAN, [1.0; 3], input_q)?;
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
            priors,
            spec,
            encoder,
            outputs,
            config,
            candidates: Vec::new(),
        })
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
        let loc = self.nn.output(self.outputs[0])?;
        let conf = self.nn.output(self.outputs[1])?;
        let landm = self.nn.output(self.outputs[2])?;
        let outputs = RetinaFaceOutputs {
            loc: loc.data,
            loc_q: Quant::new(loc.scale, loc.zero_point)?,
            conf: conf.data,
            conf_q: Quant::new(conf.scale, conf.zero_point)?,
            landm: landm.data,
            landm_q: Quant::new(landm.scale, landm.zero_point)?,
        };
        let config = RetinaFaceConfig {
            top_k: self.config.top_k.min(MAX_FACES),
            ..self.config
        };
        retinaface::decode(
            &outputs,
            &self.priors,
            &config,
            &letterbox,
            &mut self.candidates,
        )?;
        faces.clear();
        for d in self.candidates.iter().take(MAX_FACES) {
            let _ = faces.push(*d);
        }
        Ok(())
    }
}
