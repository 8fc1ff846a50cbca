// SPDX-License-Identifier: Apache-2.0
//! Convolution filters packed once, for the host. The x86-64 AVX2 convolution reads its
//! filter widened to int16 and reordered; without this module it does that on every call,
//! which costs more than the arithmetic in layers with few pixels (a 4×4×112 → 1280
//! layer packs 143 k weights for 2.3 M multiply-adds). [`PackedFilters`] packs every
//! convolution of a model once into a caller-provided buffer, and [`PackedCpu`] is the CPU
//! backend that hands each convolution its packed filter. Results are identical either way.
//!
//! Only an x86-64 CPU with AVX2 and without AVX-512 VNNI uses packed filters (the AVX-512
//! kernel packs another layout, the Cortex-M kernels none): elsewhere
//! [`PackedFilters::bytes_needed`] is 0 and [`PackedCpu`] runs exactly as [`Cpu`].

use crate::backend::{Backend, Support};
use crate::cpu::{run_node, Cpu};
use crate::model::{DType, Model};
use crate::opcode::OpCode;
use crate::planner::Plan;
use crate::Error;

/// Alignment of the buffer's start and of every packed filter in it.
const ALIGN: usize = 32;
/// Bytes per node in the table at the buffer's start: the packed filter's offset and the
/// address of the model's filter it was packed from (both `u64`, little-endian).
const ENTRY: usize = 16;

/// A model's convolution filters, packed once into a caller-provided buffer in the layout
/// this CPU's vector convolution reads.
#[derive(Debug, Clone, Copy)]
pub struct PackedFilters<'p> {
    /// The aligned part of the caller's buffer: a table of [`ENTRY`] bytes per node (offset
    /// 0: not packed), then the packed filters.
    buf: &'p [u8],
    nodes: usize,
}

/// A convolution whose filter can be packed: node index, filter bytes, taps per output
/// channel, output channels.
type Layer<'m> = (usize, &'m [u8], usize, usize);

/// The packed size of a layer on this CPU (0: not packed).
fn packed_bytes(k: usize, oc: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use crate::kernels::x86;
        if x86::has_avx2() && !x86::has_avx512_vnni() {
            return x86::avx2::conv_gemm::packed_bytes(k, oc);
        }
    }
    let _ = (k, oc);
    0
}

/// Packs one layer's filter into `dst`; false when this CPU's kernel does not take it.
fn pack(filter: &[u8], k: usize, oc: usize, dst: &mut [u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        let filter = crate::cpu::i8s(filter);
        crate::kernels::x86::avx2::conv_gemm::pack_filter(filter, k, oc, dst)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (filter, k, oc, dst);
        false
    }
}

/// Every CONV_2D of `model` with a constant int8 OHWI filter.
fn layers<'s, 'm>(model: &'s Model<'m>) -> impl Iterator<Item = Result<Layer<'m>, Error>> + 's {
    (0..model.num_nodes()).filter_map(move |n| {
        let layer = || -> Result<Option<Layer<'m>>, Error> {
            let node = model.node(n)?;
            if OpCode::from_code(node.code) != Some(OpCode::Conv2d) {
                return Ok(None);
            }
            let Some(f) = node.input(1) else {
                return Ok(None);
            };
            let info = model.tensor(f)?;
            let (Some(data), Some(DType::I8), Some(d)) = (info.data, info.dtype, info.shape.to4())
            else {
                return Ok(None);
            };
            let (oc, k) = (d[0], d[1] * d[2] * d[3]);
            Ok((oc * k > 0 && data.len() >= oc * k).then_some((n, data, k, oc)))
        };
        layer().transpose()
    })
}

impl<'p> PackedFilters<'p> {
    /// Bytes [`PackedFilters::new`] needs for `model` on this CPU (alignment slack
    /// included); 0 when this CPU packs nothing ahead.
    pub fn bytes_needed(model: &Model<'_>) -> Result<usize, Error> {
        let mut total = 0;
        for layer in layers(model) {
            let (_, _, k, oc) = layer?;
            total += packed_bytes(k, oc).next_multiple_of(ALIGN);
        }
        if total == 0 {
            return Ok(0);
        }
        Ok(ALIGN + (model.num_nodes() * ENTRY).next_multiple_of(ALIGN) + total)
    }

    /// Packs `model`'s convolution filters into `buf`. Fails with
    /// [`Error::PackBufferTooSmall`] (saying how many bytes are needed) when `buf` is
    /// shorter than [`PackedFilters::bytes_needed`]. The packs cannot outlive the model's
    /// bytes (`'m: 'p`), which stay borrowed, in place, while they are in use: so the
    /// address check in [`PackedFilters::filter`] cannot match another model loaded where
    /// a freed one was.
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
            let (n, filter, k, oc) = layer?;
            let len = packed_bytes(k, oc);
            if len == 0 || !pack(filter, k, oc, &mut base[at..at + len]) {
                continue;
            }
            let entry = &mut base[n * ENTRY..(n + 1) * ENTRY];
            entry[..8].copy_from_slice(&(at as u64).to_le_bytes());
            entry[8..].copy_from_slice(&(filter.as_ptr() as usize as u64).to_le_bytes());
            at += len.next_multiple_of(ALIGN);
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

    /// Node `n`'s packed filter, when one was packed from exactly `filter` (the same bytes
    /// of the same model: another model's node `n` never gets it).
    pub(crate) fn filter(&self, n: usize, filter: &[u8]) -> Option<&'p [u8]> {
        if n >= self.nodes || self.buf.is_empty() {
            return None;
        }
        let entry = self.buf.get(n * ENTRY..(n + 1) * ENTRY)?;
        let at = u64::from_le_bytes(entry[..8].try_into().ok()?) as usize;
        let from = u64::from_le_bytes(entry[8..].try_into().ok()?);
        (at != 0 && from == filter.as_ptr() as usize as u64).then(|| self.buf.get(at..))?
    }
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
            run_node(model, plan, &model.node(n)?, Some(&self.filters), arena)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    fn blazeface() -> std::vec::Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../models/detector_blazeface_short.tflite"
        );
        std::fs::read(path).expect("the shipped BlazeFace model")
    }

    /// Every convolution is packed on a CPU that packs, and handed out only for the filter
    /// bytes it was packed from; a short buffer says how much is needed.
    #[test]
    fn packs_each_convolution_for_its_own_filter() {
        let bytes = blazeface();
        let model = Model::from_bytes(&bytes).unwrap();
        let needed = PackedFilters::bytes_needed(&model).unwrap();
        let mut short = std::vec![0u8; needed.saturating_sub(1)];
        if needed == 0 {
            std::eprintln!("this CPU packs no filters ahead: nothing to check");
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
        let mut buf = std::vec![0u8; needed];
        let packs = PackedFilters::new(&model, &mut buf).unwrap();
        let mut convs = 0;
        for layer in layers(&model) {
            let (n, filter, _, _) = layer.unwrap();
            assert!(packs.filter(n, filter).is_some(), "node {n} not packed");
            // The same bytes at another address (another model) get nothing.
            let copy = filter.to_vec();
            assert!(packs.filter(n, &copy).is_none());
            convs += 1;
        }
        assert!(convs > 10, "{convs} convolutions");
        // Nodes that are not convolutions, and nodes past the end, get nothing.
        assert!(packs.filter(model.num_nodes(), &bytes).is_none());
    }
}
