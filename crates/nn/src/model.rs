// SPDX-License-Identifier: Apache-2.0
//! A verified, zero-copy view of a TFLite model (subgraph 0): tensors, nodes, constants.
//!
//! [`Model::from_bytes`] walks the whole flatbuffer once (every table, vector and index the
//! engine will use) so a truncated, corrupt or hostile file is refused up front with an
//! [`Error`] naming what is wrong. Accessors stay checked afterwards as well.
//!
//! Field numbers follow TFLite's `schema.fbs` (Apache-2.0): Model{version 0, operator_codes 1,
//! subgraphs 2, description 3, buffers 4}, SubGraph{tensors 0, inputs 1, outputs 2,
//! operators 3, name 4}, Tensor{shape 0, type 1, buffer 2, name 3, quantization 4,
//! sparsity 6}, QuantizationParameters{scale 2, zero_point 3, quantized_dimension 6},
//! Operator{opcode_index 0, inputs 1, outputs 2, builtin_options_type 3,
//! builtin_options 4}, OperatorCode{deprecated_builtin_code 0, builtin_code 3},
//! Buffer{data 0, offset 1, size 2}.

use crate::flatbuffer::{Table, Vector};
use crate::shape::{Shape, MAX_RANK};
use crate::Error;

/// Most tensors a model may have.
pub const MAX_TENSORS: usize = 1024;
/// Most nodes (operators) a model may have.
pub const MAX_NODES: usize = 1024;

/// Element types the engine knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    /// `float32`
    F32,
    /// `int32`
    I32,
    /// `uint8`
    U8,
    /// `int64`
    I64,
    /// `int16`
    I16,
    /// `int8`
    I8,
    /// `bool`
    Bool,
}

impl DType {
    fn from_tflite(code: i8) -> Option<Self> {
        Some(match code {
            0 => DType::F32,
            2 => DType::I32,
            3 => DType::U8,
            4 => DType::I64,
            6 => DType::Bool,
            7 => DType::I16,
            9 => DType::I8,
            _ => return None,
        })
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::U8 | DType::I8 | DType::Bool => 1,
            DType::I16 => 2,
            DType::F32 | DType::I32 => 4,
            DType::I64 => 8,
        }
    }
}

/// Affine quantisation of a tensor: `real = scale · (q − zero_point)`.
#[derive(Debug, Clone, Copy)]
pub struct Quant<'a> {
    /// First (or only) scale.
    pub scale: f32,
    /// First (or only) zero point.
    pub zero_point: i32,
    scales: Vector<'a>,
    /// Axis of per-channel quantisation.
    pub quantized_dimension: usize,
}

impl Quant<'_> {
    /// Number of scales (1 for per-tensor).
    pub fn num_scales(&self) -> usize {
        self.scales.len()
    }

    /// The scales of channels `0..n`: the per-channel scales when there are `n` of them,
    /// else the one scale `n` times. `None` when the tensor has some other number of scales.
    pub fn channel_scales(&self, n: usize) -> Option<impl Iterator<Item = f32> + '_> {
        let per_channel = self.scales.len() > 1;
        if per_channel && self.scales.len() != n {
            return None;
        }
        let bytes = if per_channel {
            self.scales.bytes()
        } else {
            &[]
        };
        Some((0..n).map(move |c| match bytes.get(4 * c..4 * c + 4) {
            Some(b) => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            None => self.scale,
        }))
    }

    /// Scale of channel `c` (the only scale when per-tensor).
    pub fn channel_scale(&self, c: usize) -> Result<f32, Error> {
        if self.scales.len() == 1 {
            Ok(self.scale)
        } else {
            self.scales.f32(c)
        }
    }
}

/// One tensor of subgraph 0.
#[derive(Debug, Clone, Copy)]
pub struct TensorInfo<'a> {
    /// Index in subgraph 0's tensor table.
    pub index: usize,
    /// Element type (`None`: a type the engine does not know).
    pub dtype: Option<DType>,
    /// Shape.
    pub shape: Shape,
    /// Quantisation, when the tensor has a scale.
    pub quant: Option<Quant<'a>>,
    /// Constant contents (weights, biases, shape operands), read in place.
    pub data: Option<&'a [u8]>,
    /// Name bytes as stored (decoded by [`TensorInfo::name`] only when asked: the kernels
    /// parse tensors on every invoke and never need the name).
    name_bytes: &'a [u8],
}

impl<'a> TensorInfo<'a> {
    /// Name (may be empty; invalid UTF-8 reads as `"?"`).
    pub fn name(&self) -> &'a str {
        core::str::from_utf8(self.name_bytes).unwrap_or("?")
    }

    /// Size in bytes (0 for unknown types).
    pub fn byte_len(&self) -> usize {
        self.dtype
            .map_or(0, |t| self.shape.num_elements().saturating_mul(t.size()))
    }

    /// Scale and zero point, or an error when the tensor is not quantised.
    pub fn scale_zp(&self) -> Result<(f32, i32), Error> {
        self.quant
            .map(|q| (q.scale, q.zero_point))
            .ok_or(Error::UnsupportedType { tensor: self.index })
    }
}

/// One node (operator) of subgraph 0.
#[derive(Debug, Clone, Copy)]
pub struct Node<'a> {
    /// Index in subgraph 0's operator list.
    pub index: usize,
    /// TFLite builtin operator code.
    pub code: i32,
    inputs: Vector<'a>,
    outputs: Vector<'a>,
    /// The builtin options table, if any.
    pub(crate) options: Option<Table<'a>>,
}

impl Node<'_> {
    /// Number of input slots (optional ones included).
    pub fn num_inputs(&self) -> usize {
        self.inputs.len()
    }

    /// Number of outputs.
    pub fn num_outputs(&self) -> usize {
        self.outputs.len()
    }

    /// Tensor index of input `k` (`None` for an absent optional input or `k` out of range).
    pub fn input(&self, k: usize) -> Option<usize> {
        if k >= self.inputs.len() {
            return None;
        }
        self.inputs
            .i32(k)
            .ok()
            .and_then(|i| usize::try_from(i).ok())
    }

    /// Tensor index of output `k`.
    pub fn output(&self, k: usize) -> Option<usize> {
        if k >= self.outputs.len() {
            return None;
        }
        self.outputs
            .i32(k)
            .ok()
            .and_then(|i| usize::try_from(i).ok())
    }
}

/// A verified TFLite model held in place (flash or RAM).
#[derive(Debug, Clone, Copy)]
pub struct Model<'a> {
    buf: &'a [u8],
    tensors: Vector<'a>,
    operators: Vector<'a>,
    opcodes: Vector<'a>,
    buffers: Vector<'a>,
    inputs: Vector<'a>,
    outputs: Vector<'a>,
}

fn empty_vector(what: &'static str) -> Error {
    Error::Corrupt(what)
}

impl<'a> Model<'a> {
    /// Reads and verifies a `.tflite` flatbuffer without copying it.
    pub fn from_bytes(buf: &'a [u8]) -> Result<Self, Error> {
        if buf.len() < 8 || &buf[4..8] != b"TFL3" {
            return Err(Error::NotTflite);
        }
        let root = Table::root(buf, "model table")?;
        let subgraphs = root
            .vector(2, 4, "subgraph list")?
            .ok_or(empty_vector("subgraph list"))?;
        if subgraphs.len() == 0 {
            return Err(Error::InvalidModel("model has no subgraph"));
        }
        let sg = subgraphs.table(0, "subgraph")?;
        let tensors = sg
            .vector(0, 4, "tensor list")?
            .ok_or(empty_vector("tensor list"))?;
        let operators = sg
            .vector(3, 4, "operator list")?
            .ok_or(empty_vector("operator list"))?;
        let inputs = sg
            .vector(1, 4, "subgraph inputs")?
            .ok_or(empty_vector("subgraph inputs"))?;
        let outputs = sg
            .vector(2, 4, "subgraph outputs")?
            .ok_or(empty_vector("subgraph outputs"))?;
        let opcodes = root
            .vector(1, 4, "operator code list")?
            .ok_or(empty_vector("operator code list"))?;
        let buffers = root
            .vector(4, 4, "buffer list")?
            .ok_or(empty_vector("buffer list"))?;
        if tensors.len() > MAX_TENSORS {
            return Err(Error::Capacity {
                what: "tensors",
                needed: tensors.len(),
                max: MAX_TENSORS,
            });
        }
        if operators.len() > MAX_NODES {
            return Err(Error::Capacity {
                what: "nodes",
                needed: operators.len(),
                max: MAX_NODES,
            });
        }
        let model = Self {
            buf,
            tensors,
            operators,
            opcodes,
            buffers,
            inputs,
            outputs,
        };
        model.verify()?;
        Ok(model)
    }

    /// Visits everything the engine reads later, so that errors surface at load time.
    fn verify(&self) -> Result<(), Error> {
        for i in 0..self.num_tensors() {
            self.tensor(i)?;
        }
        for n in 0..self.num_nodes() {
            let node = self.node(n)?;
            for (list, what) in [(node.inputs, "node input"), (node.outputs, "node output")] {
                for k in 0..list.len() {
                    let t = list.i32(k)?;
                    if t < -1 || t >= self.num_tensors() as i32 {
                        return Err(Error::Corrupt(what));
                    }
                }
            }
            if node.outputs.len() == 0 {
                return Err(Error::InvalidNode {
                    node: n,
                    op: crate::opcode::builtin_name(node.code),
                    reason: "node has no output",
                });
            }
        }
        for (list, what) in [
            (self.inputs, "subgraph input index"),
            (self.outputs, "subgraph output index"),
        ] {
            for k in 0..list.len() {
                let t = list.i32(k)?;
                if t < 0 || t >= self.num_tensors() as i32 {
                    return Err(Error::Corrupt(what));
                }
            }
        }
        Ok(())
    }

    /// The model bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// Number of tensors in subgraph 0.
    pub fn num_tensors(&self) -> usize {
        self.tensors.len()
    }

    /// Number of nodes in subgraph 0.
    pub fn num_nodes(&self) -> usize {
        self.operators.len()
    }

    /// Number of model inputs.
    pub fn num_inputs(&self) -> usize {
        self.inputs.len()
    }

    /// Number of model outputs.
    pub fn num_outputs(&self) -> usize {
        self.outputs.len()
    }

    /// Tensor index of model input `i`.
    pub fn input_tensor(&self, i: usize) -> Result<usize, Error> {
        if i >= self.inputs.len() {
            return Err(Error::NoSuchTensor { index: i });
        }
        Ok(self.inputs.i32(i)? as usize)
    }

    /// Tensor index of model output `i`.
    pub fn output_tensor(&self, i: usize) -> Result<usize, Error> {
        if i >= self.outputs.len() {
            return Err(Error::NoSuchTensor { index: i });
        }
        Ok(self.outputs.i32(i)? as usize)
    }

    /// Tensor `i` of subgraph 0.
    pub fn tensor(&self, i: usize) -> Result<TensorInfo<'a>, Error> {
        if i >= self.tensors.len() {
            return Err(Error::Corrupt("tensor index"));
        }
        let t = self.tensors.table(i, "tensor")?;
        let mut dims = [0usize; MAX_RANK];
        let rank = match t.vector(0, 4, "tensor shape")? {
            Some(v) => {
                if v.len() > MAX_RANK {
                    return Err(Error::Capacity {
                        what: "dimensions",
                        needed: v.len(),
                        max: MAX_RANK,
                    });
                }
                for (k, d) in dims.iter_mut().enumerate().take(v.len()) {
                    let x = v.i32(k)?;
                    if x < 0 {
                        return Err(Error::InvalidModel("dynamic or negative tensor dimension"));
                    }
                    *d = x as usize;
                }
                v.len()
            }
            None => 0,
        };
        let shape = Shape::new(&dims[..rank])?;
        let elems = dims[..rank]
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .filter(|&n| n <= (1 << 28))
            .ok_or(Error::InvalidModel("tensor too large"))?;
        let dtype = DType::from_tflite(t.i8(1, 0)?);
        if t.table(6, "tensor sparsity")?.is_some() {
            return Err(Error::InvalidModel("sparse tensors are not supported"));
        }
        let quant = match t.table(4, "quantization parameters")? {
            Some(q) => {
                let scales = q.vector(2, 4, "quantization scales")?;
                let zps = q.vector(3, 8, "quantization zero points")?;
                match scales {
                    Some(s) if s.len() > 0 => {
                        let nz = zps.map_or(0, |z| z.len());
                        if nz != 0 && nz != s.len() {
                            return Err(Error::Corrupt("quantization zero points"));
                        }
                        let zp = match zps {
                            Some(z) if z.len() > 0 => z.i64(0)?,
                            _ => 0,
                        };
                        let zp = i32::try_from(zp)
                            .map_err(|_| Error::Corrupt("quantization zero points"))?;
                        let qd = q.i32(6, 0)?;
                        if qd < 0 || (qd as usize >= rank.max(1) && s.len() > 1) {
                            return Err(Error::Corrupt("quantized dimension"));
                        }
                        Some(Quant {
                            scale: s.f32(0)?,
                            zero_point: zp,
                            scales: s,
                            quantized_dimension: qd as usize,
                        })
                    }
                    _ => None,
                }
            }
            None => None,
        };
        if let (Some(q), Some(DType::I8)) = (quant, dtype) {
            if !((-128..=127).contains(&q.zero_point) && q.scale.is_finite() && q.scale > 0.0) {
                return Err(Error::InvalidModel(
                    "int8 tensor with an invalid scale or zero point",
                ));
            }
        }
        let buffer = t.u32(2, 0)? as usize;
        let data = self.buffer_data(buffer)?;
        if let (Some(d), Some(ty)) = (data, dtype) {
            if d.len() < elems * ty.size() {
                return Err(Error::Corrupt(
                    "constant tensor data (shorter than its shape)",
                ));
            }
        }
        Ok(TensorInfo {
            index: i,
            dtype,
            shape,
            quant,
            data,
            name_bytes: t.bytes(3, "tensor name")?.unwrap_or(&[]),
        })
    }

    fn buffer_data(&self, b: usize) -> Result<Option<&'a [u8]>, Error> {
        if b >= self.buffers.len() {
            return Err(Error::Corrupt("tensor buffer index"));
        }
        if b == 0 {
            return Ok(None);
        }
        let t = self.buffers.table(b, "buffer")?;
        if let Some(v) = t.vector(0, 1, "buffer data")? {
            if v.len() > 0 {
                return Ok(Some(v.bytes()));
            }
        }
        let offset = t.u64(1, 0)?;
        let size = t.u64(2, 0)?;
        if offset > 1 && size > 0 {
            let start = usize::try_from(offset).map_err(|_| Error::Corrupt("buffer offset"))?;
            let len = usize::try_from(size).map_err(|_| Error::Corrupt("buffer size"))?;
            let end = start
                .checked_add(len)
                .ok_or(Error::Corrupt("buffer offset"))?;
            return self
                .buf
                .get(start..end)
                .map(Some)
                .ok_or(Error::Corrupt("buffer offset/size (beyond the file)"));
        }
        Ok(None)
    }

    /// Node `n` of subgraph 0.
    pub fn node(&self, n: usize) -> Result<Node<'a>, Error> {
        if n >= self.operators.len() {
            return Err(Error::Corrupt("node index"));
        }
        let op = self.operators.table(n, "operator")?;
        let opcode_index = op.u32(0, 0)? as usize;
        if opcode_index >= self.opcodes.len() {
            return Err(Error::Corrupt("operator code index"));
        }
        let oc = self.opcodes.table(opcode_index, "operator code")?;
        let code = i32::from(oc.i8(0, 0)?).max(oc.i32(3, 0)?);
        let inputs = op
            .vector(1, 4, "operator inputs")?
            .ok_or(Error::Corrupt("operator inputs"))?;
        let outputs = op
            .vector(2, 4, "operator outputs")?
            .ok_or(Error::Corrupt("operator outputs"))?;
        let options = op.table(4, "builtin options")?;
        Ok(Node {
            index: n,
            code,
            inputs,
            outputs,
            options,
        })
    }
}
