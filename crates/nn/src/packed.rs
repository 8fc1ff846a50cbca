// SPDX-License-Identifier: Apache-2.0
//! What a host derives once per model instead of once per call. The x86-64 vector
//! convolutions read their filters reordered (the AVX2 one also widened to int16); without
//! this module they do that on every call, which costs more than the arithmetic in layers
//! with few pixels (a 4×4×112 → 1280 layer packs 143 k weights for 2.3 M multiply-adds).
//! And every convolution and depthwise convolution derives TFLite's per-channel
//! multipliers from the scales in double precision and copies its bias (4 % of
//! MobileNetV2's time on the AVX2 host). [`PackedFilters`] does both once, for every such
//! node of a model, into a caller-provided buffer, and [`PackedCpu`] is the CPU backend
//! that hands each node its records. It also keeps each such node's call resolved from the
//! model (tensor indices, shapes, window, offsets, activation: `ConvCall`), so that an
//! invoke runs the node without parsing the flatbuffer again (2.6 % of MobileNetV2's
//! instructions on the AVX2 host). Results are identical either way.
//!
//! Convolution filters are packed on an x86-64 CPU in the layout of the kernel it runs:
//! the AVX-512 VNNI one where the CPU has it, else the AVX2 one; depthwise filters (with
//! their channel parameters) for the AVX2 kernel only. The channel parameters and resolved
//! calls are kept on every 64-bit host. On a Cortex-M [`PackedFilters::bytes_needed`] is 0
//! and [`PackedCpu`] runs exactly as [`Cpu`].

use crate::backend::{Backend, Support};
use crate::cpu::{
    conv_call, conv_channel_count, conv_channels, run_conv_call, run_node, ConvCall, Cpu,
};
use crate::kernels::{Nhwc, OutputStage, Window};
use crate::model::{DType, Model};
use crate::opcode::OpCode;
use crate::planner::Plan;
use crate::quant::QuantizedMultiplier;
use crate::Error;

/// Alignment of the buffer's start and of every record in it.
const ALIGN: usize = 32;
/// Bytes per node in the table at the buffer's start: the offsets of the node's packed
/// filter, multipliers, bias and resolved call (0: none), then the address of the model's
/// filter they were derived from (all `u64`, little-endian).
const ENTRY: usize = 40;
/// Where each offset sits in an entry.
const KERNEL: usize = 0;
const MULTS: usize = 8;
const BIAS: usize = 16;
const CALL: usize = 24;
const FROM: usize = 32;
/// `u64` words of a [`ConvCall`] record.
const CALL_WORDS: usize = 27;

/// True where the per-channel parameters are kept (64-bit hosts, where memory is
/// plentiful; a Cortex-M derives them per call rather than spend 12 bytes per channel).
const KEEPS_CHANNELS: bool = cfg!(target_pointer_width = "64");

/// A model's convolution filters, packed once into a caller-provided buffer in the layout
/// this CPU's vector convolution reads, with every convolution's per-channel parameters and
/// resolved call.
#[derive(Debug, Clone, Copy)]
pub struct PackedFilters<'p> {
    /// The aligned part of the caller's buffer: a table of [`ENTRY`] bytes per node, then
    /// the records.
    buf: &'p [u8],
    nodes: usize,
}

/// A convolution's per-output-channel parameters, derived once ([`PackedFilters`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConvChannels<'p> {
    /// TFLite's multipliers.
    pub(crate) mults: &'p [QuantizedMultiplier],
    /// The bias, when the node has one.
    pub(crate) bias: Option<&'p [i32]>,
}

/// A CONV_2D or DEPTHWISE_CONV_2D with a constant filter.
#[derive(Debug, Clone, Copy)]
struct Layer<'m> {
    node: usize,
    filter: &'m [u8],
    /// True for a DEPTHWISE_CONV_2D.
    depthwise: bool,
    /// Filter taps per output channel (`kh · kw · in_c` for a CONV_2D, `kh · kw` for a
    /// depthwise one).
    k: usize,
    /// Filter rows (`kh`).
    kh: usize,
    oc: usize,
    has_bias: bool,
}

impl Layer<'_> {
    /// Record bytes: the packed filter, the multipliers, the bias and the resolved call,
    /// each aligned.
    fn bytes(&self) -> usize {
        let channels = if KEEPS_CHANNELS {
            (self.oc * 8).next_multiple_of(ALIGN)
                + if self.has_bias {
                    (self.oc * 4).next_multiple_of(ALIGN)
                } else {
                    0
                }
                + (CALL_WORDS * 8).next_multiple_of(ALIGN)
        } else {
            0
        };
        self.packed_bytes().next_multiple_of(ALIGN) + channels
    }

    /// The packed size of the layer's filter on this CPU (0: not packed). A depthwise
    /// filter is packed only where the channel parameters are kept (it is packed from them).
    fn packed_bytes(&self) -> usize {
        #[cfg(target_arch = "x86_64")]
        {
            use crate::kernels::x86::{self, avx2};
            if x86::has_avx512_vnni() {
                return if self.depthwise {
                    0
                } else {
                    x86::conv_gemm::packed_bytes(self.kh, self.k / self.kh, self.oc)
                };
            }
            if x86::has_avx2() {
                return if !self.depthwise {
                    avx2::conv_gemm::packed_bytes(self.k, self.oc)
                } else if KEEPS_CHANNELS {
                    avx2::depthwise::packed_bytes(self.k, self.oc)
                } else {
                    0
                };
            }
        }
        let _ = (self.depthwise, self.k, self.kh);
        0
    }

    /// Packs the layer's filter into `dst` (a depthwise one with its channel parameters,
    /// `channels`); false when this CPU's kernel does not take it.
    fn pack(&self, channels: Option<(ConvChannels<'_>, i32)>, dst: &mut [u8]) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use crate::kernels::{x86, x86::avx2, ConvOperands, OutputStage};
            let filter = crate::cpu::i8s(self.filter);
            if !self.depthwise {
                return if x86::has_avx512_vnni() {
                    let row_len = self.k / self.kh;
                    x86::conv_gemm::pack_filter(filter, self.kh, row_len, self.oc, dst)
                } else {
                    avx2::conv_gemm::pack_filter(filter, self.k, self.oc, dst)
                };
            }
            let Some((c, input_offset)) = channels else {
                return false;
            };
            let op = ConvOperands {
                input_offset,
                // The pack reads neither the input nor the output stage.
                input: &[],
                filter,
                bias: c.bias,
                mults: c.mults,
                stage: OutputStage {
                    offset: 0,
                    min: -128,
                    max: 127,
                },
            };
            avx2::depthwise::pack(self.k, self.oc, &op, dst)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (channels, dst);
            false
        }
    }
}

/// Every CONV_2D and DEPTHWISE_CONV_2D of `model` with a constant int8 filter.
fn layers<'s, 'm>(model: &'s Model<'m>) -> impl Iterator<Item = Result<Layer<'m>, Error>> + 's {
    (0..model.num_nodes()).filter_map(move |n| {
        let layer = || -> Result<Option<Layer<'m>>, Error> {
            let node = model.node(n)?;
            let Some((oc, has_bias)) = conv_channel_count(model, &node) else {
                return Ok(None);
            };
            let Some(f) = node.input(1) else {
                return Ok(None);
            };
            let info = model.tensor(f)?;
            let (Some(data), Some(DType::I8), Some(d)) = (info.data, info.dtype, info.shape.to4())
            else {
                return Ok(None);
            };
            let depthwise = OpCode::from_code(node.code) == Some(OpCode::DepthwiseConv2d);
            let k = if depthwise {
                d[1] * d[2]
            } else {
                d[1] * d[2] * d[3]
            };
            let elems = d.iter().product::<usize>();
            Ok((elems > 0 && data.len() >= elems).then_some(Layer {
                node: n,
                filter: data,
                depthwise,
                k,
                kh: d[1],
                oc,
                has_bias,
            }))
        };
        layer().transpose()
    })
}

/// The `u64` at `at` of `bytes` as an offset.
fn read_u64(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at + 8)?;
    usize::try_from(u64::from_le_bytes(b.try_into().ok()?)).ok()
}

/// A [`ConvCall`] as `u64` words (signed values sign-extended).
fn encode(c: &ConvCall) -> [u64; CALL_WORDS] {
    let u = |v: usize| v as u64;
    let i = |v: i32| i64::from(v) as u64;
    let (x, o, w, st) = (c.input, c.output, c.window, c.stage);
    [
        u64::from(c.depthwise),
        u(c.x),
        u(c.out),
        u(x.n),
        u(x.h),
        u(x.w),
        u(x.c),
        u(o.n),
        u(o.h),
        u(o.w),
        u(o.c),
        u(c.kh),
        u(c.kw),
        u(c.depth),
        u(w.stride_h),
        u(w.stride_w),
        u(w.dilation_h),
        u(w.dilation_w),
        u(w.pad_h),
        u(w.pad_w),
        i(c.input_offset),
        i(st.offset),
        i(st.min),
        i(st.max),
        u(c.filter_at),
        u(c.filter_len),
        0,
    ]
}

/// The [`ConvCall`] [`encode`] wrote.
fn decode(w: &[u64; CALL_WORDS]) -> Option<ConvCall> {
    let u = |k: usize| usize::try_from(w[k]).ok();
    let i = |k: usize| i32::try_from(w[k] as i64).ok();
    Some(ConvCall {
        depthwise: w[0] != 0,
        x: u(1)?,
        out: u(2)?,
        input: Nhwc {
            n: u(3)?,
            h: u(4)?,
            w: u(5)?,
            c: u(6)?,
        },
        output: Nhwc {
            n: u(7)?,
            h: u(8)?,
            w: u(9)?,
            c: u(10)?,
        },
        kh: u(11)?,
        kw: u(12)?,
        depth: u(13)?,
        window: Window {
            stride_h: u(14)?,
            stride_w: u(15)?,
            dilation_h: u(16)?,
            dilation_w: u(17)?,
            pad_h: u(18)?,
            pad_w: u(19)?,
        },
        input_offset: i(20)?,
        stage: OutputStage {
            offset: i(21)?,
            min: i(22)?,
            max: i(23)?,
        },
        filter_at: u(24)?,
        filter_len: u(25)?,
    })
}

impl<'p> PackedFilters<'p> {
    /// Bytes [`PackedFilters::new`] needs for `model` on this CPU (alignment slack
    /// included); 0 when this CPU keeps nothing ahead.
    pub fn bytes_needed(model: &Model<'_>) -> Result<usize, Error> {
        let mut total = 0;
        for layer in layers(model) {
            total += layer?.bytes();
        }
        if total == 0 {
            return Ok(0);
        }
        Ok(ALIGN + (model.num_nodes() * ENTRY).next_multiple_of(ALIGN) + total)
    }

    /// Packs `model`'s convolution filters into `buf` and derives each convolution's
    /// per-channel parameters and resolved call there. Fails with [`Error::PackBufferTooSmall`] (saying how
    /// many bytes are needed) when `buf` is shorter than [`PackedFilters::bytes_needed`]. A
    /// node whose parameters cannot be derived (a corrupt scale, say) keeps none, and
    /// reports its error when it runs. The records cannot outlive the model's bytes
    /// (`'m: 'p`), which stay borrowed, in place, while they are in use: so the address
    /// check in `PackedFilters::filter` cannot match another model loaded where a freed
    /// one was.
    pub fn new<'m: 'p>(model: &Model<'m>, buf: &'p mut [u8]) -> Result<Self, Error> {
        let needed = Self::bytes_needed(model)?;
        if buf.len() < needed {
            return Err(Error::PackBufferTooSmall {
                needed,
                available: buf.len(),
            });
        }
        let nodes = model.num_nodes();
        if needed == 0 {
            return Ok(Self { buf: &[], nodes });
        }
        let skip = buf.as_ptr().align_offset(ALIGN).min(ALIGN);
        let base = &mut buf[skip..needed];
        let table = (nodes * ENTRY).next_multiple_of(ALIGN);
        base[..table].fill(0);
        let mut at = table;
        for layer in layers(model) {
            let layer = layer?;
            let mut offsets = [0usize; 4];
            // The channel parameters first (a depthwise filter is packed from them), then
            // the packed filter.
            let mut input_offset = None;
            if KEEPS_CHANNELS {
                let node = model.node(layer.node)?;
                let (m_len, b_len) = (
                    (layer.oc * 8).next_multiple_of(ALIGN),
                    if layer.has_bias {
                        (layer.oc * 4).next_multiple_of(ALIGN)
                    } else {
                        0
                    },
                );
                let (m, b) = base[at..at + m_len + b_len].split_at_mut(m_len);
                let mults: &mut [QuantizedMultiplier] =
                    bytemuck::cast_slice_mut(&mut m[..layer.oc * 8]);
                let bias: &mut [i32] = bytemuck::cast_slice_mut(&mut b[..b_len.min(layer.oc * 4)]);
                if let Ok((has_bias, offset)) = conv_channels(model, &node, mults, bias) {
                    offsets[1] = at;
                    if has_bias {
                        offsets[2] = at + m_len;
                    }
                    input_offset = Some(offset);
                    at += m_len + b_len;
                    // The resolved call, when the node resolves (else it reports its error
                    // when it runs) and it names these filter bytes.
                    let call = conv_call(model, &node).ok().flatten().filter(|c| {
                        model
                            .bytes()
                            .get(c.filter_at..c.filter_at + c.filter_len)
                            .is_some_and(|f| f.as_ptr() == layer.filter.as_ptr())
                    });
                    if let Some(call) = call {
                        for (dst, w) in base[at..at + CALL_WORDS * 8]
                            .chunks_exact_mut(8)
                            .zip(encode(&call))
                        {
                            dst.copy_from_slice(&w.to_le_bytes());
                        }
                        offsets[3] = at;
                        at += (CALL_WORDS * 8).next_multiple_of(ALIGN);
                    }
                }
            }
            let len = layer.packed_bytes();
            if len > 0 {
                let (done, rest) = base.split_at_mut(at);
                let channels = input_offset.and_then(|off| {
                    Some((channels_at(done, offsets[1], offsets[2], layer.oc)?, off))
                });
                if layer.pack(channels, &mut rest[..len]) {
                    offsets[0] = at;
                    at += len.next_multiple_of(ALIGN);
                }
            }
            let entry = &mut base[layer.node * ENTRY..(layer.node + 1) * ENTRY];
            for (slot, off) in [KERNEL, MULTS, BIAS, CALL].into_iter().zip(offsets) {
                entry[slot..slot + 8].copy_from_slice(&(off as u64).to_le_bytes());
            }
            entry[FROM..FROM + 8]
                .copy_from_slice(&(layer.filter.as_ptr() as usize as u64).to_le_bytes());
        }
        let buf: &'p [u8] = base;
        Ok(Self {
            buf: &buf[..at],
            nodes,
        })
    }

    /// True when nothing was packed (this CPU has no use for it).
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Node `n`'s entry, when its records were derived from exactly `filter` (the same
    /// bytes of the same model: another model's node `n` never gets them).
    fn entry(&self, n: usize, filter: &[u8]) -> Option<&'p [u8]> {
        if n >= self.nodes || self.buf.is_empty() {
            return None;
        }
        let entry = self.buf.get(n * ENTRY..(n + 1) * ENTRY)?;
        let from = u64::from_le_bytes(entry[FROM..FROM + 8].try_into().ok()?);
        (from == filter.as_ptr() as usize as u64).then_some(entry)
    }

    /// Node `n`'s resolved call, when one was kept. Its parameters are found
    /// ([`PackedFilters::channels`]) only for the filter bytes they came from, which
    /// [`run_conv_call`] checks before it runs the call.
    fn call(&self, n: usize) -> Option<ConvCall> {
        if n >= self.nodes || self.buf.is_empty() {
            return None;
        }
        let at = read_u64(self.buf.get(n * ENTRY..(n + 1) * ENTRY)?, CALL)?;
        if at == 0 {
            return None;
        }
        let bytes = self.buf.get(at..at + CALL_WORDS * 8)?;
        let mut words = [0u64; CALL_WORDS];
        for (w, b) in words.iter_mut().zip(bytes.chunks_exact(8)) {
            *w = u64::from_le_bytes(b.try_into().ok()?);
        }
        decode(&words)
    }

    /// Runs node `n` of `model` (the model these were packed from): a convolution straight
    /// from its resolved call, any other node the usual way. Returns the node's operator
    /// name.
    pub(crate) fn run(
        &self,
        model: &Model<'_>,
        plan: &Plan,
        n: usize,
        arena: &mut [u8],
    ) -> Result<&'static str, Error> {
        if let Some(call) = self.call(n) {
            if run_conv_call(model, plan, self, n, &call, arena) {
                let code = if call.depthwise {
                    OpCode::DepthwiseConv2d
                } else {
                    OpCode::Conv2d
                };
                return Ok(code.name());
            }
        }
        let node = model.node(n)?;
        run_node(model, plan, &node, Some(self), arena)?;
        Ok(crate::opcode::builtin_name(node.code))
    }

    /// Node `n`'s packed filter, when one was packed from exactly `filter`.
    pub(crate) fn filter(&self, n: usize, filter: &[u8]) -> Option<&'p [u8]> {
        let at = read_u64(self.entry(n, filter)?, KERNEL)?;
        (at != 0).then(|| self.buf.get(at..))?
    }

    /// Node `n`'s `oc` multipliers and bias, when they were derived for exactly `filter`.
    pub(crate) fn channels(&self, n: usize, filter: &[u8], oc: usize) -> Option<ConvChannels<'p>> {
        let entry = self.entry(n, filter)?;
        channels_at(
            self.buf,
            read_u64(entry, MULTS)?,
            read_u64(entry, BIAS)?,
            oc,
        )
    }
}

/// The `oc` multipliers at offset `m` of `buf` and the bias at offset `b` (0: none); `None`
/// when `m` is 0 (none kept) or either is out of range.
fn channels_at(buf: &[u8], m: usize, b: usize, oc: usize) -> Option<ConvChannels<'_>> {
    if m == 0 {
        return None;
    }
    let mults = bytemuck::try_cast_slice(buf.get(m..m + oc * 8)?).ok()?;
    let bias = match b {
        0 => None,
        b => Some(bytemuck::try_cast_slice(buf.get(b..b + oc * 4)?).ok()?),
    };
    Some(ConvChannels { mults, bias })
}

/// The CPU backend with its convolution filters packed ahead ([`PackedFilters`]): the
/// host's fastest path, bit for bit equal to [`Cpu`].
#[derive(Debug, Clone, Copy)]
pub struct PackedCpu<'p> {
    filters: PackedFilters<'p>,
}

impl<'p> PackedCpu<'p> {
    /// The CPU backend reading `filters` (packed from the model it will run).
    pub fn new(filters: PackedFilters<'p>) -> Self {
        Self { filters }
    }

    /// The packed filters this backend reads.
    pub fn filters(&self) -> &PackedFilters<'p> {
        &self.filters
    }
}

impl Backend for PackedCpu<'_> {
    fn name(&self) -> &'static str {
        Cpu.name()
    }

    fn support(&self, code: i32) -> Support {
        Cpu.support(code)
    }

    fn plan(&self, model: &Model<'_>) -> Result<Plan, Error> {
        Cpu.plan(model)
    }

    fn invoke(&mut self, model: &Model<'_>, plan: &Plan, arena: &mut [u8]) -> Result<(), Error> {
        for n in 0..model.num_nodes() {
            self.filters.run(model, plan, n, arena)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::vec;
    use std::vec::Vec;

    use super::*;
    use crate::interpreter::Interpreter;

    fn read(path: &str) -> Vec<u8> {
        let full = std::format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
    }

    fn blazeface() -> Vec<u8> {
        read("../../models/detector_blazeface_short.tflite")
    }

    /// Node `layer`'s multipliers and bias derived afresh.
    fn derived(
        model: &Model<'_>,
        layer: &Layer<'_>,
    ) -> (Vec<QuantizedMultiplier>, Option<Vec<i32>>) {
        let node = model.node(layer.node).unwrap();
        let mut mults = vec![QuantizedMultiplier::default(); layer.oc];
        let mut bias = vec![0i32; layer.oc];
        let (has_bias, _) = conv_channels(model, &node, &mut mults, &mut bias).unwrap();
        (mults, has_bias.then_some(bias))
    }

    /// Every convolution is packed on a CPU that packs, every convolution's and depthwise
    /// convolution's channel parameters are kept on a host and equal a fresh derivation, and
    /// both are handed out only for the filter bytes they came from; a short buffer says how
    /// much is needed.
    #[test]
    fn keeps_each_convolution_for_its_own_filter() {
        let bytes = blazeface();
        let model = Model::from_bytes(&bytes).unwrap();
        let needed = PackedFilters::bytes_needed(&model).unwrap();
        let mut short = vec![0u8; needed.saturating_sub(1)];
        assert!(
            needed > 0 || !KEEPS_CHANNELS,
            "a host keeps the channel parameters"
        );
        if needed == 0 {
            std::eprintln!("this CPU keeps nothing ahead: nothing to check");
            assert!(PackedFilters::new(&model, &mut short).unwrap().is_empty());
            return;
        }
        assert_eq!(
            PackedFilters::new(&model, &mut short).unwrap_err(),
            Error::PackBufferTooSmall {
                needed,
                available: needed - 1
            }
        );
        let mut buf = vec![0u8; needed];
        let packs = PackedFilters::new(&model, &mut buf).unwrap();
        let (mut convs, mut depthwise, mut biased) = (0, 0, 0);
        for layer in layers(&model) {
            let layer = layer.unwrap();
            let (n, filter, oc) = (layer.node, layer.filter, layer.oc);
            assert_eq!(
                packs.filter(n, filter).is_some(),
                layer.packed_bytes() > 0,
                "node {n}"
            );
            if KEEPS_CHANNELS {
                let kept = packs
                    .channels(n, filter, oc)
                    .expect("channel parameters kept");
                let (mults, bias) = derived(&model, &layer);
                assert_eq!(kept.mults, &mults[..], "node {n}");
                assert_eq!(kept.bias.map(<[i32]>::to_vec), bias, "node {n}");
                biased += usize::from(kept.bias.is_some());
            }
            // The same bytes at another address (another model) get nothing.
            let copy = filter.to_vec();
            assert!(packs.filter(n, &copy).is_none());
            assert!(packs.channels(n, &copy, oc).is_none());
            if layer.depthwise {
                depthwise += 1;
            } else {
                convs += 1;
            }
        }
        assert!(
            convs > 10 && depthwise > 10,
            "{convs} + {depthwise} convolutions"
        );
        assert!(!KEEPS_CHANNELS || biased > 20, "{biased} biases");
        // Nodes that are not convolutions, and nodes past the end, get nothing.
        assert!(packs.filter(model.num_nodes(), &bytes).is_none());
        assert!(packs.channels(model.num_nodes(), &bytes, 1).is_none());
    }

    /// Runs `bytes` once on `backend` with a fixed pseudo-random input; returns every
    /// output's bytes.
    fn outputs<B: Backend>(bytes: &[u8], backend: B) -> Vec<Vec<i8>> {
        let model = Model::from_bytes(bytes).unwrap();
        let outs = model.num_outputs();
        let plan = Plan::new(&model).unwrap();
        let mut arena = vec![0u8; plan.arena_bytes()];
        let mut nn = Interpreter::with_backend(model, &mut arena, backend).unwrap();
        let mut state = 0x9e37_79b9u32;
        for v in nn.input(0).unwrap().data.iter_mut() {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *v = (state >> 24) as i8;
        }
        nn.invoke().unwrap();
        (0..outs)
            .map(|i| nn.output(i).unwrap().data.to_vec())
            .collect()
    }

    /// On a host every convolution and depthwise convolution that reads the arena keeps its
    /// resolved call, equal to a fresh resolution; running from the calls gives the plain
    /// CPU backend's outputs; and packs used with another copy of the model (other filter
    /// addresses) are not run from, yet the outputs are the same.
    #[test]
    fn runs_convolutions_from_their_resolved_calls() {
        let bytes = blazeface();
        let model = Model::from_bytes(&bytes).unwrap();
        let mut buf = vec![0u8; PackedFilters::bytes_needed(&model).unwrap()];
        let packs = PackedFilters::new(&model, &mut buf).unwrap();
        let mut kept = 0;
        for n in 0..model.num_nodes() {
            let node = model.node(n).unwrap();
            let fresh = conv_call(&model, &node).unwrap();
            let call = packs.call(n);
            if KEEPS_CHANNELS {
                assert_eq!(call, fresh, "node {n}");
            } else {
                assert_eq!(call, None, "node {n}");
            }
            kept += usize::from(call.is_some());
        }
        assert!(!KEEPS_CHANNELS || kept > 20, "{kept} calls kept");
        assert_eq!(packs.call(model.num_nodes()), None);

        let plain = outputs(&bytes, Cpu);
        assert_eq!(outputs(&bytes, PackedCpu::new(packs)), plain);

        // The packs of `bytes`, run on a copy: each resolved call is refused (its filter is
        // not the one the parameters came from), and the usual path gives the same outputs.
        let copy = bytes.clone();
        let other = Model::from_bytes(&copy).unwrap();
        let packs = PackedFilters::new(&model, &mut buf).unwrap();
        let plan = Plan::new(&other).unwrap();
        let mut arena = vec![0u8; plan.arena_bytes()];
        for n in 0..other.num_nodes() {
            if let Some(call) = packs.call(n) {
                assert!(!run_conv_call(&other, &plan, &packs, n, &call, &mut arena));
            }
        }
        assert_eq!(outputs(&copy, PackedCpu::new(packs)), plain);
    }

    /// A convolution whose filter scale is corrupt (its multiplier exceeds 2^30, which loading
    /// does not check) keeps no channel parameters, and running
    /// it with the packs reports the error the plain CPU backend reports.
    #[test]
    fn a_corrupt_scale_is_reported_when_run() {
        let mut bytes = read("tests/data/ops/conv2d_0.tflite");
        let scale = {
            let model = Model::from_bytes(&bytes).unwrap();
            let node = model.node(0).unwrap();
            model
                .tensor(node.input(1).unwrap())
                .unwrap()
                .quant
                .unwrap()
                .scale
        };
        let pattern = scale.to_le_bytes();
        let at: Vec<usize> = (0..bytes.len() - 3)
            .filter(|&i| bytes[i..i + 4] == pattern)
            .collect();
        assert_eq!(at.len(), 1, "the filter's first scale is found once");
        bytes[at[0]..at[0] + 4].copy_from_slice(&1e30f32.to_le_bytes());

        let model = Model::from_bytes(&bytes).unwrap();
        let plan = Plan::new(&model).unwrap();
        let mut arena = vec![0u8; plan.arena_bytes()];
        let plain = Interpreter::new(model, &mut arena)
            .unwrap()
            .invoke()
            .unwrap_err();

        let model = Model::from_bytes(&bytes).unwrap();
        let mut buf = vec![0u8; PackedFilters::bytes_needed(&model).unwrap()];
        let packs = PackedFilters::new(&model, &mut buf).unwrap();
        let filter = model
            .tensor(model.node(0).unwrap().input(1).unwrap())
            .unwrap()
            .data
            .unwrap();
        assert!(packs.channels(0, filter, 1).is_none());
        let mut arena = vec![0u8; plan.arena_bytes()];
        let packed = Interpreter::with_backend(model, &mut arena, PackedCpu::new(packs))
            .unwrap()
            .invoke()
            .unwrap_err();
        assert_eq!(packed, plain);
        assert_eq!(plain, Error::InvalidMultiplier);
    }
}
