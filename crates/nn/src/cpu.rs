// SPDX-License-Identifier: Apache-2.0
//! The portable CPU backend: reads each node's options and quantisation from the model,
//! derives the integer parameters exactly as TFLite's `Prepare` functions do, validates
//! shapes, and calls the kernels on slices of the arena.

use crate::backend::{Backend, Support};
use crate::flatbuffer::Table;
use crate::kernels::{self, broadcast::Broadcast, Nhwc, OutputStage, Window};
use crate::model::{DType, Model, Node, TensorInfo};
use crate::opcode::OpCode;
use crate::packed::PackedFilters;
use crate::planner::Plan;
use crate::quant::{self, Activation, QuantizedMultiplier};
use crate::shape::MAX_RANK;
use crate::Error;

/// The CPU backend (every op in [`crate::opcode::CPU_OPS`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct Cpu;

impl Backend for Cpu {
    fn name(&self) -> &'static str {
        "CPU"
    }

    fn support(&self, code: i32) -> Support {
        if OpCode::from_code(code).is_some() {
            Support::Yes
        } else {
            Support::No
        }
    }

    fn invoke(&mut self, model: &Model<'_>, plan: &Plan, arena: &mut [u8]) -> Result<(), Error> {
        for n in 0..model.num_nodes() {
            run_node(model, plan, &model.node(n)?, None, arena)?;
        }
        Ok(())
    }
}

/// Read-only views of the arena around one node's output.
struct Io<'x> {
    lo: &'x [u8],
    hi: &'x [u8],
    hi_base: usize,
}

impl<'x> Io<'x> {
    /// Splits `arena` around the output slot `out_range` (inside `arena`): the views of the
    /// rest, and the slot.
    fn around(arena: &'x mut [u8], out_range: core::ops::Range<usize>) -> (Self, &'x mut [u8]) {
        let (lo, rest) = arena.split_at_mut(out_range.start);
        let (slot, hi) = rest.split_at_mut(out_range.len());
        let io = Io {
            lo: &*lo,
            hi: &*hi,
            hi_base: out_range.end,
        };
        (io, slot)
    }

    fn bytes<'m: 'x>(&self, plan: &Plan, t: &TensorInfo<'m>) -> Result<&'x [u8], Error> {
        let len = t.byte_len();
        if let Some(d) = t.data {
            return Ok(&d[..len]);
        }
        self.range(plan, t.index, len)
    }

    /// The `len` bytes of arena tensor `index`, which must not overlap the output.
    fn range(&self, plan: &Plan, index: usize, len: usize) -> Result<&'x [u8], Error> {
        let r = plan
            .range(index)
            .ok_or(Error::InvalidModel("tensor has no storage"))?;
        if r.start + len <= self.lo.len() {
            Ok(&self.lo[r.start..r.start + len])
        } else if r.start >= self.hi_base && r.start - self.hi_base + len <= self.hi.len() {
            let s = r.start - self.hi_base;
            Ok(&self.hi[s..s + len])
        } else {
            Err(Error::InvalidModel("a node's input overlaps its output"))
        }
    }
}

/// Per-node context: names errors after the node.
struct Ctx<'m, 'n> {
    model: &'n Model<'m>,
    node: &'n Node<'m>,
    op: &'static str,
}

impl<'m> Ctx<'m, '_> {
    fn err(&self, reason: &'static str) -> Error {
        Error::InvalidNode {
            node: self.node.index,
            op: self.op,
            reason,
        }
    }

    /// Input `k`, which must exist and have a type the engine knows.
    fn input(&self, k: usize) -> Result<TensorInfo<'m>, Error> {
        self.opt_input(k)?.ok_or(self.err("missing input"))
    }

    /// Input `k` if the node has it (optional inputs such as a bias); its type must be one
    /// the engine knows.
    fn opt_input(&self, k: usize) -> Result<Option<TensorInfo<'m>>, Error> {
        let Some(t) = self.node.input(k) else {
            return Ok(None);
        };
        let info = self.model.tensor(t)?;
        if info.dtype.is_none() {
            return Err(Error::UnsupportedType { tensor: t });
        }
        Ok(Some(info))
    }

    fn options(&self) -> Option<Table<'m>> {
        self.node.options
    }

    fn opt_i32(&self, id: usize, default: i32) -> Result<i32, Error> {
        self.options().map_or(Ok(default), |t| t.i32(id, default))
    }

    fn opt_i8(&self, id: usize, default: i8) -> Result<i8, Error> {
        self.options().map_or(Ok(default), |t| t.i8(id, default))
    }

    fn opt_bool(&self, id: usize) -> Result<bool, Error> {
        self.options().map_or(Ok(false), |t| t.bool(id))
    }

    fn opt_f32(&self, id: usize, default: f32) -> Result<f32, Error> {
        self.options().map_or(Ok(default), |t| t.f32(id, default))
    }

    fn activation(&self, id: usize) -> Result<Activation, Error> {
        Activation::from_tflite(self.opt_i8(id, 0)?).ok_or(self.err("unsupported fused activation"))
    }

    fn positive(&self, id: usize, default: i32) -> Result<usize, Error> {
        let v = self.opt_i32(id, default)?;
        if v <= 0 || v > 0xffff {
            return Err(self.err("stride, dilation or filter size must be in 1..=65535"));
        }
        Ok(v as usize)
    }

    fn nhwc(&self, t: &TensorInfo<'_>) -> Result<Nhwc, Error> {
        t.shape
            .to4()
            .map(Nhwc::from4)
            .ok_or(self.err("tensor must have rank ≤ 4"))
    }

    fn expect_i8(&self, t: &TensorInfo<'_>) -> Result<(), Error> {
        if t.dtype != Some(DType::I8) {
            return Err(Error::UnsupportedType { tensor: t.index });
        }
        Ok(())
    }

    /// Small constant integer operand (axes, paddings, sizes, permutations).
    fn ints(&self, t: &TensorInfo<'_>, out: &mut [i64]) -> Result<usize, Error> {
        let d = t.data.ok_or(self.err("shape operand must be constant"))?;
        let n = t.shape.num_elements();
        if n > out.len() {
            return Err(self.err("shape operand too long"));
        }
        match t.dtype {
            Some(DType::I32) => {
                for (i, o) in out.iter_mut().enumerate().take(n) {
                    let b = &d[i * 4..i * 4 + 4];
                    *o = i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                }
            }
            Some(DType::I64) => {
                for (i, o) in out.iter_mut().enumerate().take(n) {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&d[i * 8..i * 8 + 8]);
                    *o = i64::from_le_bytes(b);
                }
            }
            _ => return Err(Error::UnsupportedType { tensor: t.index }),
        }
        Ok(n)
    }
}

pub(crate) fn i8s(b: &[u8]) -> &[i8] {
    bytemuck::cast_slice(b)
}

fn i8s_mut(b: &mut [u8]) -> &mut [i8] {
    bytemuck::cast_slice_mut(b)
}

fn stage(out: &TensorInfo<'_>, act: Activation) -> Result<OutputStage, Error> {
    let (scale, zp) = out.scale_zp()?;
    let (min, max) = quant::activation_range(act, scale, zp);
    if min > max {
        return Err(Error::InvalidModel(
            "fused activation leaves no representable output",
        ));
    }
    Ok(OutputStage {
        offset: zp,
        min,
        max,
    })
}

/// Splits scratch into per-channel multipliers and biases (both aligned in the arena).
fn channel_scratch<'s>(
    ctx: &Ctx<'_, '_>,
    scratch: &'s mut [u8],
    channels: usize,
) -> Result<(&'s mut [QuantizedMultiplier], &'s mut [i32]), Error> {
    let mb = channels * core::mem::size_of::<QuantizedMultiplier>();
    if scratch.len() < mb + channels * 4 {
        return Err(ctx.err("scratch area too small"));
    }
    let (m, rest) = scratch.split_at_mut(mb);
    let m: &mut [QuantizedMultiplier] =
        bytemuck::try_cast_slice_mut(m).map_err(|_| ctx.err("misaligned scratch area"))?;
    let b: &mut [i32] = bytemuck::try_cast_slice_mut(&mut rest[..channels * 4])
        .map_err(|_| ctx.err("misaligned scratch area"))?;
    Ok((m, b))
}

/// Copies a constant int32 bias (any alignment) into `dst`.
fn load_bias(ctx: &Ctx<'_, '_>, bias: &TensorInfo<'_>, dst: &mut [i32]) -> Result<(), Error> {
    if bias.dtype != Some(DType::I32) {
        return Err(Error::UnsupportedType { tensor: bias.index });
    }
    let d = bias.data.ok_or(ctx.err("bias must be constant"))?;
    if bias.shape.num_elements() != dst.len() {
        return Err(ctx.err("bias length differs from output channels"));
    }
    for (o, b) in dst.iter_mut().zip(d.chunks_exact(4)) {
        *o = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    }
    Ok(())
}

fn window_dims(
    ctx: &Ctx<'_, '_>,
    same: bool,
    inp: Nhwc,
    out: Nhwc,
    kh: usize,
    kw: usize,
    sh: usize,
    sw: usize,
    dh: usize,
    dw: usize,
) -> Result<Window, Error> {
    use kernels::padding::{out_size, pad_before};
    // Bounding the dilated window keeps every index product small on 32-bit targets.
    let effective = |k: usize, d: usize| (k.saturating_sub(1)).saturating_mul(d).saturating_add(1);
    if effective(kh, dh) > 1 << 16 || effective(kw, dw) > 1 << 16 {
        return Err(ctx.err("dilated window larger than 65536"));
    }
    if out.h != out_size(same, inp.h, kh, sh, dh) || out.w != out_size(same, inp.w, kw, sw, dw) {
        return Err(ctx.err("output size does not follow from input, filter, stride and padding"));
    }
    Ok(Window {
        stride_h: sh,
        stride_w: sw,
        dilation_h: dh,
        dilation_w: dw,
        pad_h: pad_before(sh, dh, inp.h, kh, out.h),
        pad_w: pad_before(sw, dw, inp.w, kw, out.w),
    })
}

fn padding_same(ctx: &Ctx<'_, '_>, id: usize) -> Result<bool, Error> {
    match ctx.opt_i8(id, 0)? {
        0 => Ok(true),
        1 => Ok(false),
        _ => Err(ctx.err("unknown padding type")),
    }
}

/// Runs one node on the CPU.
pub(crate) fn run_node(
    model: &Model<'_>,
    plan: &Plan,
    node: &Node<'_>,
    packs: Option<&PackedFilters<'_>>,
    arena: &mut [u8],
) -> Result<(), Error> {
    let code = OpCode::from_code(node.code).ok_or(Error::UnsupportedOp {
        node: node.index,
        op: crate::opcode::builtin_name(node.code),
        code: node.code,
        backend: "CPU",
    })?;
    // SPLIT and SPLIT_V write several outputs: each is computed as its own slice.
    let outputs = match code {
        OpCode::Split | OpCode::SplitV => node.num_outputs(),
        _ => 1,
    };
    for j in 0..outputs {
        run_output(model, plan, node, code, j, packs, arena)?;
    }
    Ok(())
}

/// Computes output `j` of a node.
fn run_output(
    model: &Model<'_>,
    plan: &Plan,
    node: &Node<'_>,
    code: OpCode,
    j: usize,
    packs: Option<&PackedFilters<'_>>,
    arena: &mut [u8],
) -> Result<(), Error> {
    let ctx = Ctx {
        model,
        node,
        op: code.name(),
    };
    let out_info = model.tensor(node.output(j).ok_or(ctx.err("missing output"))?)?;
    let out_range = plan
        .range(out_info.index)
        .ok_or(ctx.err("output has no storage"))?;
    let sr = plan
        .scratch_after(out_info.index, out_info.byte_len())
        .ok_or(ctx.err("output slot is shorter than the output"))?;
    if out_range.end > arena.len() {
        return Err(Error::ArenaTooSmall {
            needed: plan.arena_bytes(),
            available: arena.len(),
        });
    }
    // The output's slot holds the output, then this node's scratch.
    let slot_start = out_range.start;
    let (io, slot) = Io::around(arena, out_range);
    let (out, scratch) = slot.split_at_mut(sr.start - slot_start);
    let out = &mut out[..out_info.byte_len()];
    // Each input's type is checked where the op reads it (`Ctx::input`), so no tensor table
    // is parsed twice per node.
    if out_info.dtype.is_none() {
        return Err(Error::UnsupportedType {
            tensor: out_info.index,
        });
    }
    if out_info.shape.num_elements() == 0 {
        // Nothing to compute (and loops over the other output axes could be huge).
        return Ok(());
    }
    let x_info = ctx.input(0)?;
    let x = io.bytes(plan, &x_info)?;
    let r = Run {
        ctx,
        plan,
        io,
        code,
        x_info,
        x,
        out_info,
        packs,
    };

    match code {
        OpCode::Conv2d | OpCode::DepthwiseConv2d => conv(&r, out, scratch)?,
        OpCode::FullyConnected => fully_connected(&r, out, scratch)?,
        OpCode::Add
        | OpCode::Sub
        | OpCode::SquaredDifference
        | OpCode::Mul
        | OpCode::Prelu
        | OpCode::Maximum
        | OpCode::Minimum => binary(&r, out, scratch)?,
        OpCode::Logistic
        | OpCode::Tanh
        | OpCode::Relu
        | OpCode::Relu6
        | OpCode::LeakyRelu
        | OpCode::HardSwish
        | OpCode::Softmax => unary(&r, out, scratch)?,
        OpCode::AveragePool2d | OpCode::MaxPool2d => pool(&r, out, scratch)?,
        OpCode::Mean => mean(&r, out, scratch)?,
        OpCode::Greater
        | OpCode::GreaterEqual
        | OpCode::Less
        | OpCode::LessEqual
        | OpCode::Equal
        | OpCode::NotEqual => comparison(&r, out, scratch)?,
        OpCode::Cast => cast(&r, out, scratch)?,
        OpCode::Reshape => reshape(&r, out, scratch)?,
        OpCode::Concatenation => concatenation(&r, out, scratch)?,
        OpCode::Pad => pad(&r, out, scratch)?,
        OpCode::ResizeNearestNeighbor | OpCode::ResizeBilinear => resize(&r, out, scratch)?,
        OpCode::Quantize => quantize(&r, out, scratch)?,
        OpCode::Dequantize => dequantize(&r, out, scratch)?,
        OpCode::StridedSlice => strided_slice(&r, out, scratch)?,
        OpCode::Transpose => transpose(&r, out, scratch)?,
        OpCode::Split | OpCode::SplitV => split(&r, out, j)?,
    }
    Ok(())
}

/// Runs an element-wise int8 kernel through a 256-entry table when the tensor is larger
/// than the table: the kernel itself fills the table from every int8 value, so results are
/// identical by construction and the per-element cost drops to one lookup.
fn via_lut(x: &[i8], out: &mut [i8], kernel: impl Fn(&[i8], &mut [i8])) {
    if x.len() <= 256 {
        kernel(x, out);
        return;
    }
    let all: [i8; 256] = core::array::from_fn(|i| i as u8 as i8);
    let mut lut = [0i8; 256];
    kernel(&all, &mut lut);
    kernels::logistic::apply_lut(&lut, x, out);
}

/// SPLIT (axis, input) and SPLIT_V (input, sizes, axis): output `j` is the slab of the
/// input that follows outputs `0..j` along the axis (sizes taken from the output shapes).
fn split(r: &Run<'_, '_, '_>, out: &mut [u8], j: usize) -> Result<(), Error> {
    let (ctx, io, plan, code, out_info) = (&r.ctx, &r.io, r.plan, r.code, r.out_info);
    let node = ctx.node;
    let (x_info, axis_info) = if code == OpCode::Split {
        (ctx.input(1)?, ctx.input(0)?)
    } else {
        (ctx.input(0)?, ctx.input(2)?)
    };
    let mut a = [0i64; 1];
    if ctx.ints(&axis_info, &mut a)? != 1 {
        return Err(ctx.err("axis must be one constant integer"));
    }
    let rank = x_info.shape.rank();
    let axis = if a[0] < 0 { a[0] + rank as i64 } else { a[0] };
    if axis < 0 || axis >= rank as i64 {
        return Err(ctx.err("split axis out of range"));
    }
    let axis = axis as usize;
    if x_info.dtype != out_info.dtype
        || (x_info.dtype == Some(DType::I8) && x_info.scale_zp()? != out_info.scale_zp()?)
    {
        return Err(ctx.err("outputs must keep the input's type and quantisation"));
    }
    // Offset of output j along the axis, and consistency of every output's shape.
    let mut before = 0usize;
    let mut total = 0usize;
    for k in 0..node.num_outputs() {
        let t = model_tensor(ctx, node.output(k))?;
        if t.shape.rank() != rank {
            return Err(ctx.err("outputs must keep the input's rank"));
        }
        for d in 0..rank {
            if d != axis && t.shape.dim(d) != x_info.shape.dim(d) {
                return Err(ctx.err("outputs differ from the input outside the split axis"));
            }
        }
        if k < j {
            before += t.shape.dim(axis);
        }
        total += t.shape.dim(axis);
    }
    if total != x_info.shape.dim(axis) {
        return Err(ctx.err("outputs do not add up to the input along the axis"));
    }
    let elem = x_info.dtype.map_or(1, |t| t.size());
    let outer: usize = x_info.shape.dims()[..axis].iter().product();
    let inner: usize = x_info.shape.dims()[axis + 1..].iter().product::<usize>() * elem;
    let in_row = x_info.shape.dim(axis) * inner;
    let copy = out_info.shape.dim(axis) * inner;
    let x = io.bytes(plan, &x_info)?;
    for k in 0..outer {
        let src = k * in_row + before * inner;
        out[k * copy..(k + 1) * copy].copy_from_slice(&x[src..src + copy]);
    }
    Ok(())
}

fn model_tensor<'m>(ctx: &Ctx<'m, '_>, t: Option<usize>) -> Result<TensorInfo<'m>, Error> {
    ctx.model.tensor(t.ok_or(ctx.err("missing output"))?)
}

/// What every node handler reads: the node, its first input and its output.
struct Run<'x, 'm, 'n> {
    ctx: Ctx<'m, 'n>,
    plan: &'x Plan,
    io: Io<'x>,
    code: OpCode,
    x_info: TensorInfo<'m>,
    x: &'x [u8],
    out_info: TensorInfo<'m>,
    /// The model's filters packed ahead, if they were.
    packs: Option<&'x PackedFilters<'x>>,
}

impl<'x, 'm: 'x> Run<'x, 'm, '_> {
    /// The second operand's bytes and the broadcast of both operands to the output.
    fn second_operand(&self, y_info: &TensorInfo<'m>) -> Result<(&'x [u8], Broadcast), Error> {
        let y = self.io.bytes(self.plan, y_info)?;
        let bc = Broadcast::new(
            self.x_info.shape.extended(),
            y_info.shape.extended(),
            self.out_info.shape.extended(),
        )
        .ok_or(
            self.ctx
                .err("operand shapes do not broadcast to the output"),
        )?;
        Ok((y, bc))
    }

    fn same_len(&self, a: &TensorInfo<'_>) -> Result<(), Error> {
        if a.shape.num_elements() != self.out_info.shape.num_elements() {
            return Err(self.ctx.err("input and output element counts differ"));
        }
        Ok(())
    }
}

/// A CONV_2D or DEPTHWISE_CONV_2D resolved from the model and checked: everything it
/// needs but the arena, the filter's bytes and the per-channel parameters.
/// [`PackedFilters`] keeps one per such node, so that an invoke need not parse the model
/// for it ([`run_conv_call`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ConvCall {
    pub(crate) depthwise: bool,
    /// Input and output tensor indices.
    pub(crate) x: usize,
    pub(crate) out: usize,
    pub(crate) input: Nhwc,
    pub(crate) output: Nhwc,
    pub(crate) kh: usize,
    pub(crate) kw: usize,
    /// CONV_2D: the filter's depth; DEPTHWISE_CONV_2D: the depth multiplier.
    pub(crate) depth: usize,
    pub(crate) window: Window,
    pub(crate) input_offset: i32,
    pub(crate) stage: OutputStage,
    /// The filter's bytes: offset in the model's bytes, and length.
    pub(crate) filter_at: usize,
    pub(crate) filter_len: usize,
}

/// Resolves and checks a CONV_2D or DEPTHWISE_CONV_2D node (`code`) with input `x_info`
/// and output `out_info`; returns the call, the filter's tensor and its bytes.
fn resolve_conv<'m>(
    ctx: &Ctx<'m, '_>,
    code: OpCode,
    x_info: &TensorInfo<'m>,
    out_info: &TensorInfo<'m>,
) -> Result<(ConvCall, TensorInfo<'m>, &'m [u8]), Error> {
    ctx.expect_i8(x_info)?;
    ctx.expect_i8(out_info)?;
    let f_info = ctx.input(1)?;
    ctx.expect_i8(&f_info)?;
    let f_data = f_info.data.ok_or(ctx.err("filter must be constant"))?;
    let fd = f_info
        .shape
        .to4()
        .ok_or(ctx.err("filter must have rank 4"))?;
    if fd.contains(&0) {
        // Also bounds the kernel loops by the filter bytes actually in the file.
        return Err(ctx.err("filter has an empty dimension"));
    }
    let inp = ctx.nhwc(x_info)?;
    let outs = ctx.nhwc(out_info)?;
    let depthwise = code == OpCode::DepthwiseConv2d;
    let (kh, kw, oc) = if depthwise {
        (fd[1], fd[2], fd[3])
    } else {
        (fd[1], fd[2], fd[0])
    };
    if oc != outs.c || inp.n != outs.n || oc == 0 {
        return Err(ctx.err("filter and output channels differ"));
    }
    let depth = if depthwise {
        if fd[0] != 1 || inp.c == 0 || oc % inp.c != 0 {
            return Err(ctx.err("depthwise filter shape does not fit the input"));
        }
        oc / inp.c
    } else {
        let fc = fd[3];
        if fc == 0 || inp.c < fc || inp.c % fc != 0 || oc % (inp.c / fc) != 0 {
            return Err(ctx.err("filter depth does not divide the input channels"));
        }
        fc
    };
    let ids = if depthwise {
        (0, 1, 2, 4, 5, 6)
    } else {
        (0, 1, 2, 3, 4, 5)
    };
    let same = padding_same(ctx, ids.0)?;
    let (sw, sh) = (ctx.positive(ids.1, 1)?, ctx.positive(ids.2, 1)?);
    let act = ctx.activation(ids.3)?;
    let (dw, dh) = (ctx.positive(ids.4, 1)?, ctx.positive(ids.5, 1)?);
    let window = window_dims(ctx, same, inp, outs, kh, kw, sh, sw, dh, dw)?;
    let (_, in_zp) = x_info.scale_zp()?;
    let filter_at = (f_data.as_ptr() as usize).wrapping_sub(ctx.model.bytes().as_ptr() as usize);
    let call = ConvCall {
        depthwise,
        x: x_info.index,
        out: out_info.index,
        input: inp,
        output: outs,
        kh,
        kw,
        depth,
        window,
        input_offset: in_zp.wrapping_neg(),
        stage: stage(out_info, act)?,
        filter_at,
        filter_len: f_data.len(),
    };
    Ok((call, f_info, f_data))
}

/// Runs a resolved convolution on `x` into `out`.
#[allow(clippy::too_many_arguments)]
fn execute_conv(
    call: &ConvCall,
    filter: &[u8],
    mults: &[QuantizedMultiplier],
    bias: Option<&[i32]>,
    packed: Option<&[u8]>,
    x: &[u8],
    out: &mut [u8],
) {
    let operands = kernels::ConvOperands {
        input_offset: call.input_offset,
        input: i8s(x),
        filter: i8s(filter),
        bias,
        mults,
        stage: call.stage,
    };
    if call.depthwise {
        let g = kernels::depthwise_conv2d::DepthwiseGeometry {
            input: call.input,
            output: call.output,
            kh: call.kh,
            kw: call.kw,
            depth_multiplier: call.depth,
            window: call.window,
        };
        kernels::depthwise_conv2d::depthwise_conv2d(&g, &operands, packed, i8s_mut(out));
    } else {
        let g = kernels::conv2d::ConvGeometry {
            input: call.input,
            output: call.output,
            kh: call.kh,
            kw: call.kw,
            filter_c: call.depth,
            window: call.window,
        };
        kernels::conv2d::conv2d(&g, &operands, packed, i8s_mut(out));
    }
}

/// CONV_2D and DEPTHWISE_CONV_2D: per-channel multipliers and biases from the packs, or
/// derived in scratch.
fn conv(r: &Run<'_, '_, '_>, out: &mut [u8], scratch: &mut [u8]) -> Result<(), Error> {
    let ctx = &r.ctx;
    let (call, f_info, f_data) = resolve_conv(ctx, r.code, &r.x_info, &r.out_info)?;
    let oc = call.output.c;
    // The channel parameters come from the packs when they were derived there (from these
    // very bytes), else are derived here into scratch.
    let cached = r.packs.and_then(|p| p.channels(ctx.node.index, f_data, oc));
    let (mults, bias) = match cached {
        Some(c) => (c.mults, c.bias),
        None => {
            let (mults, bias) = channel_scratch(ctx, scratch, oc)?;
            let has_bias = derive_channels(
                ctx,
                &r.x_info,
                &f_info,
                &r.out_info,
                call.depthwise,
                mults,
                bias,
            )?;
            (&*mults, has_bias.then_some(&*bias))
        }
    };
    let packed = r.packs.and_then(|p| p.filter(ctx.node.index, f_data));
    execute_conv(&call, f_data, mults, bias, packed, r.x, out);
    Ok(())
}

/// Node `node`'s [`ConvCall`], resolved ahead of time (for [`PackedFilters`]), when it is a
/// CONV_2D or DEPTHWISE_CONV_2D whose input lives in the arena and whose output is not
/// empty (others run through [`run_node`]). An error is what running the node would
/// report.
pub(crate) fn conv_call(model: &Model<'_>, node: &Node<'_>) -> Result<Option<ConvCall>, Error> {
    let Some(code @ (OpCode::Conv2d | OpCode::DepthwiseConv2d)) = OpCode::from_code(node.code)
    else {
        return Ok(None);
    };
    let ctx = Ctx {
        model,
        node,
        op: code.name(),
    };
    let out_info = model.tensor(node.output(0).ok_or(ctx.err("missing output"))?)?;
    let x_info = ctx.input(0)?;
    if node.num_outputs() != 1 || x_info.data.is_some() || out_info.shape.num_elements() == 0 {
        return Ok(None);
    }
    Ok(Some(resolve_conv(&ctx, code, &x_info, &out_info)?.0))
}

/// Runs node `n`, a convolution resolved ahead ([`conv_call`]), straight from its
/// [`ConvCall`]: no parse of the model. Returns false (nothing done) when the packs do not
/// hold this model's parameters for it or the arena does not fit the call (the caller then
/// runs the node the usual way, which reports any error).
pub(crate) fn run_conv_call(
    model: &Model<'_>,
    plan: &Plan,
    packs: &PackedFilters<'_>,
    n: usize,
    call: &ConvCall,
    arena: &mut [u8],
) -> bool {
    let Some(filter) = call
        .filter_at
        .checked_add(call.filter_len)
        .and_then(|end| model.bytes().get(call.filter_at..end))
    else {
        return false;
    };
    // Found only for the very filter bytes they were derived from: the same model.
    let Some(channels) = packs.channels(n, filter, call.output.c) else {
        return false;
    };
    // Anything amiss (which the plan rules out) is left to the usual path to report.
    let out_len = call.output.len();
    let Some(out_range) = plan
        .range(call.out)
        .filter(|r| r.len() >= out_len && r.end <= arena.len())
    else {
        return false;
    };
    let (io, slot) = Io::around(arena, out_range);
    let Ok(x) = io.range(plan, call.x, call.input.len()) else {
        return false;
    };
    let packed = packs.filter(n, filter);
    execute_conv(
        call,
        filter,
        channels.mults,
        channels.bias,
        packed,
        x,
        &mut slot[..out_len],
    );
    true
}

/// A CONV_2D's or DEPTHWISE_CONV_2D's per-output-channel multipliers (`mults`) and bias
/// (into `bias` when the node has one; returns whether it does), derived and checked as
/// TFLite's `Prepare` does. `mults` and `bias` are as long as the output channels.
fn derive_channels(
    ctx: &Ctx<'_, '_>,
    x_info: &TensorInfo<'_>,
    f_info: &TensorInfo<'_>,
    out_info: &TensorInfo<'_>,
    depthwise: bool,
    mults: &mut [QuantizedMultiplier],
    bias: &mut [i32],
) -> Result<bool, Error> {
    let oc = mults.len();
    let (in_scale, _) = x_info.scale_zp()?;
    let (out_scale, _) = out_info.scale_zp()?;
    let fq = f_info.quant.ok_or(Error::UnsupportedType {
        tensor: f_info.index,
    })?;
    if fq.num_scales() != 1 && fq.num_scales() != oc {
        return Err(ctx.err("per-channel scales do not match output channels"));
    }
    if fq.zero_point != 0 {
        return Err(ctx.err("int8 filters must be symmetric (zero point 0)"));
    }
    let channel_axis = if depthwise { 3 } else { 0 };
    if fq.num_scales() > 1 && fq.quantized_dimension != channel_axis {
        return Err(ctx.err("per-channel filter scales must run along output channels"));
    }
    let scales = fq
        .channel_scales(oc)
        .ok_or(ctx.err("per-channel scales do not match output channels"))?;
    quant::conv_multipliers(in_scale, scales, out_scale, mults)?;
    match ctx.opt_input(2)? {
        Some(b) => {
            load_bias(ctx, &b, &mut bias[..oc])?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// The output channels of node `node` when it is a CONV_2D or DEPTHWISE_CONV_2D with a
/// constant rank-4 filter, and whether it has a bias input: what
/// [`conv_channels`] needs room for.
pub(crate) fn conv_channel_count(model: &Model<'_>, node: &Node<'_>) -> Option<(usize, bool)> {
    let depthwise = match OpCode::from_code(node.code)? {
        OpCode::Conv2d => false,
        OpCode::DepthwiseConv2d => true,
        _ => return None,
    };
    let f = model.tensor(node.input(1)?).ok()?;
    f.data?;
    let fd = f.shape.to4()?;
    let oc = if depthwise { fd[3] } else { fd[0] };
    (oc > 0).then_some((oc, node.input(2).is_some()))
}

/// [`derive_channels`] for a node ahead of time (for [`PackedFilters`]): `mults` must be
/// [`conv_channel_count`] long, and `bias` too when the node has a bias (it may be empty
/// otherwise). Returns whether the node has a bias, and its input offset (the negated input
/// zero point). An error is what running the node would report.
pub(crate) fn conv_channels(
    model: &Model<'_>,
    node: &Node<'_>,
    mults: &mut [QuantizedMultiplier],
    bias: &mut [i32],
) -> Result<(bool, i32), Error> {
    let depthwise = OpCode::from_code(node.code) == Some(OpCode::DepthwiseConv2d);
    let ctx = Ctx {
        model,
        node,
        op: if depthwise {
            OpCode::DepthwiseConv2d.name()
        } else {
            OpCode::Conv2d.name()
        },
    };
    let x_info = ctx.input(0)?;
    let f_info = ctx.input(1)?;
    let out_info = model.tensor(node.output(0).ok_or(ctx.err("missing output"))?)?;
    if conv_channel_count(model, node).map(|(oc, _)| oc) != Some(mults.len())
        || (node.input(2).is_some() && bias.len() < mults.len())
    {
        return Err(ctx.err("filter and output channels differ"));
    }
    let has_bias = derive_channels(&ctx, &x_info, &f_info, &out_info, depthwise, mults, bias)?;
    let (_, in_zp) = x_info.scale_zp()?;
    Ok((has_bias, in_zp.wrapping_neg()))
}

/// FULLY_CONNECTED (double-precision requantisation, as LiteRT's reference).
fn fully_connected(r: &Run<'_, '_, '_>, out: &mut [u8], scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, x_info, x, out_info) = (&r.ctx, r.x_info, r.x, r.out_info);
    ctx.expect_i8(&x_info)?;
    ctx.expect_i8(&out_info)?;
    let f_info = ctx.input(1)?;
    ctx.expect_i8(&f_info)?;
    let filter = i8s(f_info.data.ok_or(ctx.err("weights must be constant"))?);
    if f_info.shape.rank() != 2 || ctx.opt_i8(1, 0)? != 0 {
        return Err(ctx.err("weights must be a plain 2-D matrix"));
    }
    let (od, depth) = (f_info.shape.dim(0), f_info.shape.dim(1));
    if depth == 0 || x_info.shape.num_elements() % depth != 0 {
        return Err(ctx.err("input size is not a multiple of the weights' depth"));
    }
    let batches = x_info.shape.num_elements() / depth;
    if batches.checked_mul(od) != Some(out_info.shape.num_elements()) {
        return Err(ctx.err("output size differs from batches × units"));
    }
    let act = ctx.activation(0)?;
    let (in_scale, in_zp) = x_info.scale_zp()?;
    let (out_scale, _) = out_info.scale_zp()?;
    let fq = f_info.quant.ok_or(Error::UnsupportedType {
        tensor: f_info.index,
    })?;
    if fq.num_scales() != 1 && (fq.num_scales() != od || fq.quantized_dimension != 0) {
        return Err(ctx.err("per-channel scales do not match output units"));
    }
    let bias_buf: &mut [i32] = bytemuck::try_cast_slice_mut(
        scratch
            .get_mut(..od * 4)
            .ok_or(ctx.err("output units differ from the output's last dimension"))?,
    )
    .map_err(|_| ctx.err("misaligned scratch area"))?;
    let bias = match ctx.opt_input(2)? {
        Some(b) => {
            load_bias(ctx, &b, bias_buf)?;
            Some(&*bias_buf)
        }
        None => None,
    };
    // Every weight scale is checked before use: a missing, NaN or non-positive one is a
    // corrupt model, not an output of zero.
    for oc in 0..od {
        let s = fq.channel_scale(oc)?;
        if !(s.is_finite() && s > 0.0) {
            return Err(ctx.err("weight scale is not a positive number"));
        }
    }
    let scale = |oc: usize| {
        quant::conv_real(
            in_scale,
            fq.channel_scale(oc).unwrap_or(f32::NAN),
            out_scale,
        )
    };
    let g = kernels::fully_connected::FcGeometry {
        batches,
        accum_depth: depth,
        output_depth: od,
    };
    let st = stage(&out_info, act)?;
    kernels::fully_connected::fully_connected(
        &g,
        -in_zp,
        -fq.zero_point,
        i8s(x),
        filter,
        bias,
        scale,
        st,
        i8s_mut(out),
    );
    Ok(())
}

/// Two-operand element-wise ops with broadcasting.
fn binary(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, code, x_info, x, out_info) = (&r.ctx, r.code, r.x_info, r.x, r.out_info);
    let y_info = ctx.input(1)?;
    for t in [&x_info, &y_info, &out_info] {
        ctx.expect_i8(t)?;
    }
    let (y, bc) = r.second_operand(&y_info)?;
    if out_info.shape.rank() < x_info.shape.rank().max(y_info.shape.rank()) {
        return Err(ctx.err("output rank below operand rank"));
    }
    let (s1, z1) = x_info.scale_zp()?;
    let (s2, z2) = y_info.scale_zp()?;
    let (so, zo) = out_info.scale_zp()?;
    match code {
        OpCode::Add | OpCode::Sub | OpCode::SquaredDifference => {
            let squared = code == OpCode::SquaredDifference;
            let left_shift = if squared { 7 } else { 20 };
            let twice_max = f64::from(2.0f32 * s1.max(s2));
            let p = kernels::add::AddParams {
                input1_offset: -z1,
                input2_offset: -z2,
                left_shift,
                input1: QuantizedMultiplier::from_real(f64::from(s1) / twice_max)?,
                input2: QuantizedMultiplier::from_real(f64::from(s2) / twice_max)?,
                output: QuantizedMultiplier::from_real(if squared {
                    twice_max * twice_max / f64::from((1i32 << 14) as f32 * so)
                } else {
                    twice_max / f64::from((1i32 << left_shift) as f32 * so)
                })?,
                combine: match code {
                    OpCode::Add => kernels::add::Combine::Add,
                    OpCode::Sub => kernels::add::Combine::Sub,
                    _ => kernels::add::Combine::SquaredDifference,
                },
            };
            let act = if squared {
                Activation::None
            } else {
                ctx.activation(0)?
            };
            let st = stage(&out_info, act)?;
            kernels::add::add(&p, &bc, i8s(x), i8s(y), st, i8s_mut(out));
        }
        OpCode::Maximum | OpCode::Minimum => {
            let max = code == OpCode::Maximum;
            let (x, y, out) = (i8s(x), i8s(y), i8s_mut(out));
            bc.for_each(|o, ia, ib| {
                out[o] = if max {
                    x[ia].max(y[ib])
                } else {
                    x[ia].min(y[ib])
                };
            });
        }
        OpCode::Mul => {
            let m = quant::multiplier_f32(s1, s2, so)?;
            let st = stage(&out_info, ctx.activation(0)?)?;
            kernels::mul::mul(-z1, -z2, m, &bc, i8s(x), i8s(y), st, i8s_mut(out));
        }
        _ => {
            if out_info.shape != x_info.shape {
                return Err(ctx.err("PRELU output shape must equal its input"));
            }
            let p = kernels::prelu::PreluParams {
                input_offset: -z1,
                alpha_offset: -z2,
                output_offset: zo,
                positive: quant::ratio_f32(s1, so)?,
                negative: quant::multiplier_f32(s1, s2, so)?,
            };
            kernels::prelu::prelu(&p, &bc, i8s(x), i8s(y), i8s_mut(out));
        }
    }
    Ok(())
}

/// One-operand activations and SOFTMAX.
fn unary(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, code, x_info, x, out_info) = (&r.ctx, r.code, r.x_info, r.x, r.out_info);
    ctx.expect_i8(&x_info)?;
    ctx.expect_i8(&out_info)?;
    r.same_len(&x_info)?;
    let (si, zi) = x_info.scale_zp()?;
    let (so, zo) = out_info.scale_zp()?;
    let (x, out) = (i8s(x), i8s_mut(out));
    match code {
        OpCode::Logistic => {
            let lut = kernels::logistic::build_lut(si, zi, so, zo);
            kernels::logistic::apply_lut(&lut, x, out);
        }
        OpCode::Tanh => {
            let lut = kernels::logistic::build_lut_with(si, zi, so, zo, libm::tanhf);
            kernels::logistic::apply_lut(&lut, x, out);
        }
        OpCode::Relu | OpCode::Relu6 => {
            let act = if code == OpCode::Relu {
                Activation::Relu
            } else {
                Activation::Relu6
            };
            let st = stage(&out_info, act)?;
            let m = quant::ratio_f32(si, so)?;
            via_lut(x, out, |a, b| kernels::relu::relu(zi, m, st, a, b));
        }
        OpCode::LeakyRelu => {
            let alpha = ctx.opt_f32(0, 0.0)?;
            let a = si * alpha / so;
            let p = kernels::leaky_relu::LeakyReluParams {
                input_zero_point: zi,
                output_zero_point: zo,
                identity: quant::ratio_f32(si, so)?,
                alpha: QuantizedMultiplier::from_real(f64::from(a.abs()))?,
                alpha_negative: a < 0.0,
            };
            via_lut(x, out, |a, b| kernels::leaky_relu::leaky_relu(&p, a, b));
        }
        OpCode::HardSwish => {
            let hires = (1.0f32 / 128.0) * si;
            let om = QuantizedMultiplier::from_real(f64::from(hires / so))?;
            let rm = QuantizedMultiplier::from_real(f64::from(hires / (3.0f32 / 32768.0)))?;
            if om.shift > 0 {
                return Err(ctx.err("HARD_SWISH output multiplier exponent must be ≤ 0"));
            }
            let p = kernels::hard_swish::HardSwishParams {
                input_zero_point: zi,
                output_zero_point: zo,
                output_multiplier: quant::downscale_q15(om.multiplier),
                output_exponent: om.shift,
                reluish_multiplier: quant::downscale_q15(rm.multiplier),
                reluish_exponent: rm.shift,
            };
            via_lut(x, out, |a, b| kernels::hard_swish::hard_swish(&p, a, b));
        }
        _ => {
            let depth = x_info.shape.dims().last().copied().unwrap_or(1);
            if out_info.shape != x_info.shape || zo != -128 {
                return Err(ctx.err("SOFTMAX needs output shape = input, zero point −128"));
            }
            let p = kernels::softmax::SoftmaxParams::new(ctx.opt_f32(0, 0.0)?, si)?;
            kernels::softmax::softmax(&p, depth, x, out);
        }
    }
    Ok(())
}

/// AVERAGE_POOL_2D and MAX_POOL_2D.
fn pool(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, code, x_info, x, out_info) = (&r.ctx, r.code, r.x_info, r.x, r.out_info);
    ctx.expect_i8(&x_info)?;
    ctx.expect_i8(&out_info)?;
    let inp = ctx.nhwc(&x_info)?;
    let outs = ctx.nhwc(&out_info)?;
    if inp.n != outs.n || inp.c != outs.c {
        return Err(ctx.err("pooling must keep batches and channels"));
    }
    let same = padding_same(ctx, 0)?;
    let (sw, sh) = (ctx.positive(1, 1)?, ctx.positive(2, 1)?);
    let (fw, fh) = (ctx.positive(3, 1)?, ctx.positive(4, 1)?);
    let act = ctx.activation(5)?;
    let w = window_dims(ctx, same, inp, outs, fh, fw, sh, sw, 1, 1)?;
    let st = stage(&out_info, act)?;
    if code == OpCode::AveragePool2d {
        if !kernels::average_pool2d::average_pool2d(
            inp,
            outs,
            fh,
            fw,
            &w,
            (st.min, st.max),
            i8s(x),
            i8s_mut(out),
        ) {
            return Err(ctx.err("a pooling window lies entirely in the padding"));
        }
    } else {
        kernels::max_pool2d::max_pool2d(
            inp,
            outs,
            fh,
            fw,
            &w,
            (st.min, st.max),
            i8s(x),
            i8s_mut(out),
        );
    }
    Ok(())
}

/// MEAN over constant axes.
fn mean(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, x_info, x, out_info) = (&r.ctx, r.x_info, r.x, r.out_info);
    ctx.expect_i8(&x_info)?;
    ctx.expect_i8(&out_info)?;
    let mut axes = [0i64; MAX_RANK];
    let na = ctx.ints(&ctx.input(1)?, &mut axes)?;
    let rank = x_info.shape.rank();
    let mut reduce = [false; MAX_RANK];
    let mut n = 1usize;
    for &a in &axes[..na] {
        let a = if a < 0 { a + rank as i64 } else { a };
        if a < 0 || a >= rank as i64 {
            return Err(ctx.err("reduction axis out of range"));
        }
        let i = MAX_RANK - rank + a as usize;
        if !reduce[i] {
            reduce[i] = true;
            n *= x_info.shape.dim(a as usize);
        }
    }
    if n == 0 || x_info.shape.num_elements() / n != out_info.shape.num_elements() {
        return Err(ctx.err("output size does not match the reduction"));
    }
    let (si, zi) = x_info.scale_zp()?;
    let (so, zo) = out_info.scale_zp()?;
    let m = QuantizedMultiplier::from_real(f64::from(si) / f64::from(so))?;
    kernels::mean::mean(
        x_info.shape.extended(),
        reduce,
        zi,
        zo,
        m,
        i8s(x),
        i8s_mut(out),
    );
    Ok(())
}

/// Int8 comparisons into bool tensors.
fn comparison(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, code, x_info, x, out_info) = (&r.ctx, r.code, r.x_info, r.x, r.out_info);
    use kernels::comparison::{compare, Relation, Side};
    let y_info = ctx.input(1)?;
    ctx.expect_i8(&x_info)?;
    ctx.expect_i8(&y_info)?;
    if out_info.dtype != Some(DType::Bool) {
        return Err(Error::UnsupportedType {
            tensor: out_info.index,
        });
    }
    let (y, bc) = r.second_operand(&y_info)?;
    let side = |t: &TensorInfo<'_>| -> Result<Side, Error> {
        let (s, z) = t.scale_zp()?;
        Ok(Side {
            offset: -z,
            multiplier: QuantizedMultiplier::from_real(f64::from(s))?,
        })
    };
    let rel = match code {
        OpCode::Greater => Relation::Greater,
        OpCode::GreaterEqual => Relation::GreaterEqual,
        OpCode::Less => Relation::Less,
        OpCode::LessEqual => Relation::LessEqual,
        OpCode::Equal => Relation::Equal,
        _ => Relation::NotEqual,
    };
    compare(
        rel,
        &side(&x_info)?,
        &side(&y_info)?,
        &bc,
        i8s(x),
        i8s(y),
        out,
    );
    Ok(())
}

/// CAST between element types.
fn cast(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (x_info, x, out_info) = (r.x_info, r.x, r.out_info);
    r.same_len(&x_info)?;
    let (Some(from), Some(to)) = (x_info.dtype, out_info.dtype) else {
        return Err(Error::UnsupportedType {
            tensor: x_info.index,
        });
    };
    kernels::cast::cast(from, to, x, out);
    Ok(())
}

/// RESHAPE (a copy; the plan keeps input and output apart).
fn reshape(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, x_info, x, out_info) = (&r.ctx, r.x_info, r.x, r.out_info);
    r.same_len(&x_info)?;
    if x_info.dtype != out_info.dtype {
        return Err(ctx.err("RESHAPE cannot change the element type"));
    }
    out.copy_from_slice(x);
    Ok(())
}

/// CONCATENATION along one axis.
fn concatenation(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, io, plan, out_info, node) = (&r.ctx, &r.io, r.plan, r.out_info, r.ctx.node);
    let rank = out_info.shape.rank();
    let mut axis = ctx.opt_i32(0, 0)? as i64;
    if axis < 0 {
        axis += rank as i64;
    }
    if axis < 0 || axis >= rank as i64 {
        return Err(ctx.err("concatenation axis out of range"));
    }
    let axis = axis as usize;
    let elem = out_info.dtype.map_or(1, |t| t.size());
    let outer: usize = out_info.shape.dims()[..axis].iter().product();
    let out_row: usize = out_info.shape.dims()[axis..].iter().product::<usize>() * elem;
    let mut offset = 0usize;
    for k in 0..node.num_inputs() {
        let t = ctx.input(k)?;
        if t.dtype != out_info.dtype || t.shape.rank() != rank {
            return Err(ctx.err("inputs must match the output's type and rank"));
        }
        if t.dtype == Some(DType::I8) && t.scale_zp()? != out_info.scale_zp()? {
            return Err(ctx.err("int8 inputs must share the output's scale and zero point"));
        }
        for d in 0..rank {
            if d != axis && t.shape.dim(d) != out_info.shape.dim(d) {
                return Err(ctx.err("inputs differ outside the concatenation axis"));
            }
        }
        let copy: usize = t.shape.dims()[axis..].iter().product::<usize>() * elem;
        if offset + copy > out_row {
            return Err(ctx.err("inputs overflow the output along the axis"));
        }
        kernels::concatenation::concat_one(outer, copy, out_row, offset, io.bytes(plan, &t)?, out);
        offset += copy;
    }
    if offset != out_row {
        return Err(ctx.err("inputs do not fill the output along the axis"));
    }
    Ok(())
}

/// PAD with the output zero point.
fn pad(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, x_info, x, out_info) = (&r.ctx, r.x_info, r.x, r.out_info);
    let rank = x_info.shape.rank();
    if out_info.dtype != x_info.dtype || out_info.shape.rank() != rank {
        return Err(ctx.err("PAD must keep type and rank"));
    }
    let mut p = [0i64; 2 * MAX_RANK];
    let np = ctx.ints(&ctx.input(1)?, &mut p)?;
    if np != 2 * rank {
        return Err(ctx.err("paddings must be [rank, 2]"));
    }
    let mut before = [0usize; MAX_RANK];
    for d in 0..rank {
        let (b, a) = (p[2 * d], p[2 * d + 1]);
        let grown = (x_info.shape.dim(d) as i64)
            .checked_add(b)
            .and_then(|v| v.checked_add(a));
        if b < 0 || a < 0 || grown != Some(out_info.shape.dim(d) as i64) {
            return Err(ctx.err("paddings do not produce the output shape"));
        }
        before[MAX_RANK - rank + d] = b as usize;
    }
    let elem = x_info.dtype.map_or(1, |t| t.size());
    let mut fill = [0u8; 8];
    if x_info.dtype == Some(DType::I8) {
        fill[0] = out_info.scale_zp()?.1 as i8 as u8;
    }
    kernels::pad::pad(
        x_info.shape.extended(),
        out_info.shape.extended(),
        before,
        elem,
        &fill,
        x,
        out,
    );
    Ok(())
}

/// RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR.
fn resize(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, code, x_info, x, out_info) = (&r.ctx, r.code, r.x_info, r.x, r.out_info);
    let inp = ctx.nhwc(&x_info)?;
    let outs = ctx.nhwc(&out_info)?;
    let mut size = [0i64; 2];
    if ctx.ints(&ctx.input(1)?, &mut size)? != 2
        || size[0] != outs.h as i64
        || size[1] != outs.w as i64
        || inp.n != outs.n
        || inp.c != outs.c
        || inp.h == 0
        || inp.w == 0
        || outs.h == 0
        || outs.w == 0
        || inp.h.max(inp.w).max(outs.h).max(outs.w) >= 1 << 20
    {
        return Err(ctx.err("size operand does not match the output shape"));
    }
    if x_info.dtype != out_info.dtype {
        return Err(ctx.err("resize cannot change the element type"));
    }
    if code == OpCode::ResizeNearestNeighbor {
        let (ac, hp) = (ctx.opt_bool(0)?, ctx.opt_bool(1)?);
        let elem = x_info.dtype.map_or(1, |t| t.size());
        kernels::resize_nearest_neighbor::resize_nearest(inp, outs, elem, ac, hp, x, out);
    } else {
        ctx.expect_i8(&x_info)?;
        let (ac, hp) = (ctx.opt_bool(2)?, ctx.opt_bool(3)?);
        if ac && hp {
            return Err(ctx.err("align_corners and half_pixel_centers are exclusive"));
        }
        kernels::resize_bilinear::resize_bilinear(inp, outs, ac, hp, i8s(x), i8s_mut(out));
    }
    Ok(())
}

/// QUANTIZE from float or int8.
fn quantize(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, x_info, x, out_info) = (&r.ctx, r.x_info, r.x, r.out_info);
    ctx.expect_i8(&out_info)?;
    r.same_len(&x_info)?;
    let (so, zo) = out_info.scale_zp()?;
    match x_info.dtype {
        Some(DType::F32) => {
            let xf: &[f32] =
                bytemuck::try_cast_slice(x).map_err(|_| ctx.err("misaligned float input"))?;
            kernels::quantize::quantize_f32(so, zo, xf, i8s_mut(out));
        }
        Some(DType::I8) => {
            let (si, zi) = x_info.scale_zp()?;
            let m = QuantizedMultiplier::from_real(f64::from(si) / f64::from(so))?;
            via_lut(i8s(x), i8s_mut(out), |a, b| {
                kernels::quantize::requantize(m, zi, zo, a, b)
            });
        }
        _ => {
            return Err(Error::UnsupportedType {
                tensor: x_info.index,
            })
        }
    }
    Ok(())
}

/// DEQUANTIZE to float.
fn dequantize(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, x_info, x, out_info) = (&r.ctx, r.x_info, r.x, r.out_info);
    ctx.expect_i8(&x_info)?;
    r.same_len(&x_info)?;
    if out_info.dtype != Some(DType::F32) {
        return Err(Error::UnsupportedType {
            tensor: out_info.index,
        });
    }
    let (si, zi) = x_info.scale_zp()?;
    let of: &mut [f32] =
        bytemuck::try_cast_slice_mut(out).map_err(|_| ctx.err("misaligned float output"))?;
    kernels::dequantize::dequantize(si, zi, i8s(x), of);
    Ok(())
}

/// STRIDED_SLICE with begin/end/shrink masks.
fn strided_slice(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, x_info, x, out_info) = (&r.ctx, r.x_info, r.x, r.out_info);
    let rank = x_info.shape.rank();
    let (mut b, mut e, mut s) = ([0i64; MAX_RANK], [0i64; MAX_RANK], [0i64; MAX_RANK]);
    let nb = ctx.ints(&ctx.input(1)?, &mut b)?;
    let ne = ctx.ints(&ctx.input(2)?, &mut e)?;
    let ns = ctx.ints(&ctx.input(3)?, &mut s)?;
    if nb != rank || ne != rank || ns != rank {
        return Err(ctx.err("begin/end/strides must have one entry per input axis"));
    }
    if ctx.opt_i32(2, 0)? != 0 || ctx.opt_i32(3, 0)? != 0 || ctx.opt_bool(5)? {
        return Err(ctx.err("ellipsis, new-axis masks and offset are not supported"));
    }
    let (bm, em, sm) = (ctx.opt_i32(0, 0)?, ctx.opt_i32(1, 0)?, ctx.opt_i32(4, 0)?);
    let mut ranges = [kernels::strided_slice::AxisRange {
        start: 0,
        stop: 1,
        stride: 1,
    }; MAX_RANK];
    let mut count = 1usize;
    for d in 0..rank {
        if s[d] == 0 {
            return Err(ctx.err("zero stride"));
        }
        let r = kernels::strided_slice::AxisRange::resolve(
            b[d],
            e[d],
            s[d],
            x_info.shape.dim(d),
            bm & (1 << d) != 0,
            em & (1 << d) != 0,
            sm & (1 << d) != 0,
        );
        if !r.in_bounds(x_info.shape.dim(d)) {
            return Err(ctx.err("slice reaches outside the input"));
        }
        count *= r.len();
        ranges[MAX_RANK - rank + d] = r;
    }
    if count != out_info.shape.num_elements() || x_info.dtype != out_info.dtype {
        return Err(ctx.err("slice does not produce the output shape"));
    }
    let elem = x_info.dtype.map_or(1, |t| t.size());
    kernels::strided_slice::strided_slice(x_info.shape.extended(), ranges, elem, x, out);
    Ok(())
}

/// TRANSPOSE by a constant permutation.
fn transpose(r: &Run<'_, '_, '_>, out: &mut [u8], _scratch: &mut [u8]) -> Result<(), Error> {
    let (ctx, x_info, x, out_info) = (&r.ctx, r.x_info, r.x, r.out_info);
    let rank = x_info.shape.rank();
    let mut p = [0i64; MAX_RANK];
    if ctx.ints(&ctx.input(1)?, &mut p)? != rank || x_info.dtype != out_info.dtype {
        return Err(ctx.err("permutation length must equal the input rank"));
    }
    let mut perm: [usize; MAX_RANK] = core::array::from_fn(|i| i);
    let mut seen = [false; MAX_RANK];
    for d in 0..rank {
        let v = p[d];
        if v < 0 || v >= rank as i64 || seen[v as usize] {
            return Err(ctx.err("invalid permutation"));
        }
        seen[v as usize] = true;
        if out_info.shape.dim(d) != x_info.shape.dim(v as usize) {
            return Err(ctx.err("permutation does not produce the output shape"));
        }
        perm[MAX_RANK - rank + d] = MAX_RANK - rank + v as usize;
    }
    let elem = x_info.dtype.map_or(1, |t| t.size());
    kernels::transpose::transpose(x_info.shape.extended(), perm, elem, x, out);
    Ok(())
}
