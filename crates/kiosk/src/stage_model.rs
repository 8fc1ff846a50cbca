// SPDX-License-Identifier: Apache-2.0
//! Loading a stage's model: verify it, plan it into the arena on the chosen backend, and
//! check its one image input (int8 NHWC, batch 1, three channels).

use facegate_face::Quant;
use facegate_nn::{Backend, Interpreter, Model};

use crate::Error;

/// The image input of a stage's model.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ImageInput {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// The input tensor's quantisation.
    pub quant: Quant,
}

/// Loads `model` for `stage` and describes its image input.
pub(crate) fn load<'m, 'a, B: Backend>(
    model: &'m [u8],
    arena: &'a mut [u8],
    backend: B,
    stage: &'static str,
) -> Result<(Interpreter<'m, 'a, B>, ImageInput), Error> {
    let nn = Interpreter::with_backend(Model::from_bytes(model)?, arena, backend)?;
    let mismatch = |what| Error::ModelMismatch { stage, what };
    if nn.model().num_inputs() != 1 {
        return Err(mismatch("expected 1 input"));
    }
    let info = nn.model().tensor(nn.model().input_tensor(0)?)?;
    let dims = info.shape.to4().ok_or(mismatch("input is not NHWC"))?;
    if dims[0] != 1 || dims[3] != 3 {
        return Err(mismatch("input is not 1xHxWx3"));
    }
    let (scale, zp) = info.scale_zp()?;
    let input = ImageInput {
        width: dims[2],
        height: dims[1],
        quant: Quant::new(scale, zp)?,
    };
    Ok((nn, input))
}
