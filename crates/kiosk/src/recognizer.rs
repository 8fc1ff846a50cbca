// SPDX-License-Identifier: Apache-2.0
//! The recognition stage: 5-point alignment of a detected face straight from the frame into
//! the recognizer's int8 input, inference, and an L2-normalised embedding.

use facegate_face::align::{align_face, arcface_template};
use facegate_face::{Canvas, ChannelOrder, Detection, Embedding, Frame, PixelEncoder};
use facegate_nn::{Backend, Cpu, Interpreter};

use crate::{stage_model, Error};

/// Embedding dimension of the shipped recognizer (MobileFaceNet, 192-d).
pub const EMBEDDING_DIM: usize = 192;

const STAGE: &str = "recognizer";

/// The shipped int8 MobileFaceNet's input: RGB, `(v − 128) / 128` (models/README.md; the
/// float original used 127.5, half an input step away).
const MEAN: [f32; 3] = [128.0; 3];
const STD: [f32; 3] = [128.0; 3];

/// A face recognizer running on the engine.
#[derive(Debug)]
pub struct Recognizer<'m, 'a, B: Backend = Cpu> {
    nn: Interpreter<'m, 'a, B>,
    size: usize,
    encoder: PixelEncoder,
}

impl<'m, 'a> Recognizer<'m, 'a, Cpu> {
    /// Loads a recognizer with a square NHWC int8 input (112×112×3) and one output of
    /// [`EMBEDDING_DIM`] values into `arena`, on the CPU backend.
    pub fn new(model: &'m [u8], arena: &'a mut [u8]) -> Result<Self, Error> {
        Self::with_backend(model, arena, Cpu)
    }
}

impl<'m, 'a, B: Backend> Recognizer<'m, 'a, B> {
    /// As [`Recognizer::new`], on `backend`.
    pub fn with_backend(model: &'m [u8], arena: &'a mut [u8], backend: B) -> Result<Self, Error> {
        let (nn, input) = stage_model::load(model, arena, backend, STAGE)?;
        let mismatch = |what| Error::ModelMismatch { stage: STAGE, what };
        if nn.model().num_outputs() != 1 {
            return Err(mismatch("expected 1 output"));
        }
        if input.width != input.height {
            return Err(mismatch("input is not square"));
        }
        let out = nn.model().tensor(nn.model().output_tensor(0)?)?;
        if out.shape.num_elements() != EMBEDDING_DIM {
            return Err(mismatch("output is not a 192-d embedding"));
        }
        let encoder = PixelEncoder::new(ChannelOrder::Rgb, MEAN, STD, input.quant)?;
        Ok(Self {
            nn,
            size: input.width,
            encoder,
        })
    }

    /// The aligned crop side in pixels (112).
    pub fn input_size(&self) -> usize {
        self.size
    }

    /// Aligns `face` onto the ArcFace template in the model input (the alignment stage).
    pub fn align(&mut self, frame: &Frame<'_>, face: &Detection) -> Result<(), Error> {
        let template = arcface_template(self.size as f32);
        let input = self.nn.input(0)?;
        let mut canvas = Canvas::new(input.data, self.size, self.size)?;
        align_face(
            frame,
            &face.landmarks,
            &template,
            &self.encoder,
            &mut canvas,
        )?;
        Ok(())
    }

    /// The aligned crop currently in the model input (int8, RGB, NHWC), e.g. for quality
    /// checks before spending an inference on it.
    pub fn aligned(&mut self) -> Result<&[i8], Error> {
        Ok(self.nn.input(0)?.data)
    }

    /// Runs the model on the aligned crop (the embedding stage).
    pub fn embed(&mut self) -> Result<Embedding<EMBEDDING_DIM>, Error> {
        self.nn.invoke()?;
        let out = self.nn.output(0)?;
        Ok(Embedding::from_i8(out.data, out.zero_point)?)
    }
}
