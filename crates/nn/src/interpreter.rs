// SPDX-License-Identifier: Apache-2.0
//! The interpreter: a verified model, its memory plan, a caller-provided arena and a
//! backend. Load → plan → set input → invoke → read output, with no heap.

use crate::backend::{check_model, Backend};
use crate::cpu::Cpu;
use crate::model::{DType, Model};
use crate::packed::{PackedCpu, PackedFilters};
use crate::planner::{Plan, ALIGN};
use crate::shape::Shape;
use crate::Error;

/// A model input or output: its int8 data in the arena and its quantisation.
#[derive(Debug)]
pub struct TensorView<'x> {
    /// Tensor index in subgraph 0.
    pub index: usize,
    /// Shape.
    pub shape: Shape,
    /// Scale (`real = scale · (q − zero_point)`).
    pub scale: f32,
    /// Zero point.
    pub zero_point: i32,
    /// Data, row-major.
    pub data: &'x [i8],
}

/// A mutable model input.
#[derive(Debug)]
pub struct TensorViewMut<'x> {
    /// Tensor index in subgraph 0.
    pub index: usize,
    /// Shape.
    pub shape: Shape,
    /// Scale.
    pub scale: f32,
    /// Zero point.
    pub zero_point: i32,
    /// Data to fill, row-major.
    pub data: &'x mut [i8],
}

/// A model ready to run in a caller-provided arena.
#[derive(Debug)]
pub struct Interpreter<'m, 'a, B: Backend = Cpu> {
    model: Model<'m>,
    plan: Plan,
    arena: &'a mut [u8],
    backend: B,
}

impl<'m, 'a> Interpreter<'m, 'a, Cpu> {
    /// Plans `model` into `arena` for the CPU backend. Fails with
    /// [`Error::ArenaTooSmall`] (saying how many bytes are needed) when the arena is short,
    /// and with [`Error::UnsupportedOp`] when a node is not runnable.
    pub fn new(model: Model<'m>, arena: &'a mut [u8]) -> Result<Self, Error> {
        Self::with_backend(model, arena, Cpu)
    }
    /// Runs the model once on the CPU, calling `after_node(node_index, op_name)` after each
    /// node, so a caller can time or count instructions per operator (e.g. with SysTick on
    /// QEMU) without a profiler.
    pub fn invoke_observed(
        &mut self,
        after_node: impl FnMut(usize, &'static str),
    ) -> Result<(), Error> {
        observe(&self.model, &self.plan, None, self.arena, after_node)
    }
}

impl<'m, 'a, 'p> Interpreter<'m, 'a, PackedCpu<'p>> {
    /// [`Interpreter::invoke_observed`] on the CPU with packed filters.
    pub fn invoke_observed(
        &mut self,
        after_node: impl FnMut(usize, &'static str),
    ) -> Result<(), Error> {
        let filters = *self.backend.filters();
        observe(
            &self.model,
            &self.plan,
            Some(&filters),
            self.arena,
            after_node,
        )
    }
}

/// Runs every node on the CPU, calling `after_node` after each.
fn observe(
    model: &Model<'_>,
    plan: &Plan,
    packs: Option<&PackedFilters<'_>>,
    arena: &mut [u8],
    mut after_node: impl FnMut(usize, &'static str),
) -> Result<(), Error> {
    for n in 0..model.num_nodes() {
        let name = match packs {
            Some(p) => p.run(model, plan, n, arena)?,
            None => {
                let node = model.node(n)?;
                crate::cpu::run_node(model, plan, &node, None, arena)?;
                crate::opcode::builtin_name(node.code)
            }
        };
        after_node(n, name);
    }
    Ok(())
}

impl<'m, 'a, B: Backend> Interpreter<'m, 'a, B> {
    /// As [`Interpreter::new`] with another backend.
    pub fn with_backend(model: Model<'m>, arena: &'a mut [u8], backend: B) -> Result<Self, Error> {
        check_model(&backend, &model)?;
        let plan = backend.plan(&model)?;
        let needed = plan.arena_bytes();
        if arena.len() < needed {
            return Err(Error::ArenaTooSmall {
                needed,
                available: arena.len(),
            });
        }
        let skip = (ALIGN - (arena.as_ptr() as usize % ALIGN)) % ALIGN;
        let usable = needed - ALIGN;
        let arena = &mut arena[skip..skip + usable];
        Ok(Self {
            model,
            plan,
            arena,
            backend,
        })
    }

    /// Raw bytes of any non-constant tensor (e.g. a float input), by tensor index.
    pub fn tensor_bytes(&self, t: usize) -> Result<&[u8], Error> {
        let len = self.model.tensor(t)?.byte_len();
        let r = self.plan.range(t).ok_or(Error::NoSuchTensor { index: t })?;
        Ok(&self.arena[r.start..r.start + len])
    }

    /// Mutable raw bytes of any non-constant tensor, by tensor index.
    pub fn tensor_bytes_mut(&mut self, t: usize) -> Result<&mut [u8], Error> {
        let len = self.model.tensor(t)?.byte_len();
        let r = self.plan.range(t).ok_or(Error::NoSuchTensor { index: t })?;
        Ok(&mut self.arena[r.start..r.start + len])
    }

    /// The model.
    pub fn model(&self) -> &Model<'m> {
        &self.model
    }

    /// The memory plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    fn view_parts(&self, t: usize) -> Result<(Shape, f32, i32, core::ops::Range<usize>), Error> {
        let info = self.model.tensor(t)?;
        if info.dtype != Some(DType::I8) {
            return Err(Error::UnsupportedType { tensor: t });
        }
        let (scale, zp) = info.scale_zp()?;
        let r = self
            .plan
            .range(t)
            .ok_or(Error::InvalidModel("input/output tensor has no storage"))?;
        Ok((info.shape, scale, zp, r.start..r.start + info.byte_len()))
    }

    /// Model input `i`, to fill before each [`Interpreter::invoke`] (a run overwrites it).
    pub fn input(&mut self, i: usize) -> Result<TensorViewMut<'_>, Error> {
        let t = self.model.input_tensor(i)?;
        let (shape, scale, zero_point, r) = self.view_parts(t)?;
        Ok(TensorViewMut {
            index: t,
            shape,
            scale,
            zero_point,
            data: bytemuck::cast_slice_mut(&mut self.arena[r]),
        })
    }

    /// Copies `data` into model input `i` (length must match).
    pub fn set_input(&mut self, i: usize, data: &[i8]) -> Result<(), Error> {
        let v = self.input(i)?;
        if v.data.len() != data.len() {
            return Err(Error::WrongLength {
                expected: v.data.len(),
                got: data.len(),
            });
        }
        v.data.copy_from_slice(data);
        Ok(())
    }

    /// Model output `i`, valid after [`Interpreter::invoke`].
    pub fn output(&self, i: usize) -> Result<TensorView<'_>, Error> {
        let t = self.model.output_tensor(i)?;
        let (shape, scale, zero_point, r) = self.view_parts(t)?;
        Ok(TensorView {
            index: t,
            shape,
            scale,
            zero_point,
            data: bytemuck::cast_slice(&self.arena[r]),
        })
    }

    /// Runs the model once. Inputs are consumed: their arena bytes are reused for later
    /// activations (that is what keeps the arena at the lower bound), so fill every input
    /// again before the next call. Outputs stay valid until the next call.
    pub fn invoke(&mut self) -> Result<(), Error> {
        self.backend.invoke(&self.model, &self.plan, self.arena)
    }
}
