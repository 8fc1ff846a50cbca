// SPDX-License-Identifier: Apache-2.0
//! Static memory planning: tensor lifetimes → offsets in one arena.
//!
//! Every non-constant tensor lives from the node that writes it (or the start, for model
//! inputs) to the last node that reads it (or the end, for model outputs). Tensors are
//! placed one by one at a free offset for their whole lifetime (greedy, as TFLite-Micro's
//! planner); because the result depends on the order, several orders are tried (largest
//! first, largest size × lifetime, longest-lived, first use, then fixed-seed shuffles) with
//! first-fit and best-fit gaps, stopping as soon as the peak equals the lower bound (the
//! largest set of simultaneously live tensors); the fixed-seed shuffles are a random search
//! that finds that bound for models where no fixed order does. Plans are deterministic.
//!
//! A node that needs scratch memory (per-channel multipliers and copied biases of CONV_2D,
//! DEPTHWISE_CONV_2D, FULLY_CONNECTED) gets it right after its output tensor, in the same
//! slot: the slot lives as long as the output, so the scratch bytes are placed among the
//! tensors (where the memory is free at that node) instead of in one area after them sized
//! for the widest node.

use crate::model::{Model, MAX_NODES, MAX_TENSORS};
use crate::opcode::OpCode;
use crate::quant::QuantizedMultiplier;
use crate::Error;

/// Alignment of every slot offset and of the scratch within a slot, in bytes.
pub const ALIGN: usize = 16;

const NOT_IN_ARENA: u32 = u32::MAX;

/// Where each tensor lives, and how big the arena must be.
#[derive(Debug, Clone)]
pub struct Plan {
    offsets: [u32; MAX_TENSORS],
    /// Slot bytes: the tensor rounded up to [`ALIGN`], plus its producer's scratch.
    sizes: [u32; MAX_TENSORS],
    /// Bytes of the tensor area (peak of the placement), scratch included.
    pub tensor_bytes: usize,
    /// The largest scratch one node needs (held after its output, inside `tensor_bytes`).
    pub scratch_bytes: usize,
    /// Lower bound on any placement: max over nodes of (live tensor bytes + that node's
    /// scratch).
    pub lower_bound: usize,
}

fn align_up(x: usize) -> usize {
    x.div_ceil(ALIGN) * ALIGN
}

/// Scratch bytes a node needs on the CPU backend.
pub fn node_scratch(model: &Model<'_>, n: usize) -> Result<usize, Error> {
    let node = model.node(n)?;
    let per_channel = core::mem::size_of::<QuantizedMultiplier>() + 4;
    Ok(match OpCode::from_code(node.code) {
        Some(OpCode::Conv2d) | Some(OpCode::DepthwiseConv2d) => {
            let out = node.output(0).ok_or(Error::Corrupt("node output"))?;
            let c = model.tensor(out)?.shape.dims().last().copied().unwrap_or(1);
            align_up(c * per_channel)
        }
        Some(OpCode::FullyConnected) => {
            let out = node.output(0).ok_or(Error::Corrupt("node output"))?;
            let c = model.tensor(out)?.shape.dims().last().copied().unwrap_or(1);
            align_up(c * 4)
        }
        _ => 0,
    })
}

/// First and last node of each tensor's lifetime.
struct Lifetimes<'a> {
    first: &'a [u16; MAX_TENSORS],
    last: &'a [u16; MAX_TENSORS],
}

impl Lifetimes<'_> {
    fn overlap(&self, a: usize, b: usize) -> bool {
        self.first[a] <= self.last[b] && self.first[b] <= self.last[a]
    }

    fn span(&self, t: usize) -> u32 {
        u32::from(self.last[t] - self.first[t]) + 1
    }
}

/// How a gap is chosen among those that hold a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fit {
    /// The lowest.
    First,
    /// The tightest.
    Best,
}

/// Shuffled orders tried after the deterministic ones when none reached the lower bound.
/// The placement is quadratic in the tensors, so this bounds planning time (a model that
/// never reaches the bound costs 2 × (4 + 256) placements). EdgeFace (445 tensors) needs
/// them: with 8 shuffles its arena is 242,480 B, with 256 it is 227,728 B (lower bound
/// 225,792 B).
const SHUFFLES: u32 = 256;

/// Orders in which tensors are placed (greedy placement is order-sensitive). The shuffled
/// orders come from a fixed-seed generator, so plans are identical on every target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strategy {
    /// A deterministic pseudo-random permutation (seed index).
    Shuffled(u32),
    /// Largest first (TFLite-Micro's greedy planner).
    LargestFirst,
    /// Largest size × lifetime first.
    LargestArea,
    /// Longest-lived first, then largest.
    LongestFirst,
    /// In order of first use.
    FirstUse,
}

impl Strategy {
    /// The deterministic orders, tried first.
    const ORDERED: [Strategy; 4] = [
        Strategy::LargestFirst,
        Strategy::LargestArea,
        Strategy::LongestFirst,
        Strategy::FirstUse,
    ];

    /// Every order tried, in turn: [`Strategy::ORDERED`], then [`SHUFFLES`] shuffles.
    fn all() -> impl Iterator<Item = Strategy> {
        Self::ORDERED
            .into_iter()
            .chain((1..=SHUFFLES).map(Strategy::Shuffled))
    }

    fn sort(self, order: &mut [u16], sizes: &[u32; MAX_TENSORS], lt: &Lifetimes<'_>) {
        if let Strategy::Shuffled(seed) = self {
            // Canonical start, then a Fisher–Yates shuffle driven by xorshift32.
            order.sort_unstable();
            let mut state = 0x9e37_79b9u32 ^ seed.wrapping_mul(0x85eb_ca6b);
            for i in (1..order.len()).rev() {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                order.swap(i, state as usize % (i + 1));
            }
            return;
        }
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            let key = |t: usize| -> (u64, u64) {
                let size = u64::from(sizes[t]);
                let span = u64::from(lt.span(t));
                match self {
                    Strategy::LargestFirst => (size, span),
                    Strategy::LargestArea => (size * span, size),
                    Strategy::LongestFirst => (span, size),
                    Strategy::FirstUse => (u64::MAX - u64::from(lt.first[t]), size),
                    Strategy::Shuffled(_) => (0, 0),
                }
            };
            key(b).cmp(&key(a)).then(a.cmp(&b))
        });
    }
}

/// Places tensors in `order` at the lowest offset free for their whole lifetime; returns
/// the peak (bytes of the tensor area).
fn place(
    fit: Fit,
    order: &[u16],
    sizes: &[u32; MAX_TENSORS],
    lt: &Lifetimes<'_>,
    offsets: &mut [u32; MAX_TENSORS],
    placed: &mut [u16; MAX_TENSORS],
) -> Result<usize, Error> {
    let mut peak = 0usize;
    for (k, &t) in order.iter().enumerate() {
        let t = t as usize;
        // Already placed tensors whose lifetimes intersect t's, by offset.
        let mut np = 0;
        for &u in &order[..k] {
            if lt.overlap(t, u as usize) && sizes[u as usize] > 0 {
                placed[np] = u;
                np += 1;
            }
        }
        let near = &mut placed[..np];
        near.sort_unstable_by_key(|&u| offsets[u as usize]);
        let need = u64::from(sizes[t]);
        // Walk the gaps between intersecting tensors; first fit takes the lowest gap that
        // holds the tensor, best fit the tightest one. Past the last tensor is always free.
        let mut cursor = 0u64;
        let mut choice: Option<(u64, u64)> = None; // (offset, gap size)
        for &u in near.iter() {
            let start = u64::from(offsets[u as usize]);
            if start >= cursor + need {
                let gap = start - cursor;
                let better = match (fit, choice) {
                    (_, None) => true,
                    (Fit::Best, Some((_, g))) => gap < g,
                    (Fit::First, Some(_)) => false,
                };
                if better {
                    choice = Some((cursor, gap));
                }
            }
            cursor = cursor.max(start + u64::from(sizes[u as usize]));
        }
        let candidate = choice.map_or(cursor, |(o, _)| o);
        let end = candidate + need;
        if end > u64::from(u32::MAX - 1) {
            return Err(Error::InvalidModel("activations exceed a 4 GiB arena"));
        }
        offsets[t] = candidate as u32;
        peak = peak.max(end as usize);
    }
    Ok(peak)
}

impl Plan {
    /// Plans the arena for `model`.
    pub fn new(model: &Model<'_>) -> Result<Self, Error> {
        Self::build(model, false)
    }

    /// Plans only the model's inputs and outputs, for a backend that keeps activations in
    /// its own memory (an NPU runtime): all of them stay live for the whole run.
    pub fn io_only(model: &Model<'_>) -> Result<Self, Error> {
        Self::build(model, true)
    }

    fn build(model: &Model<'_>, io_only: bool) -> Result<Self, Error> {
        let nt = model.num_tensors();
        let nn = model.num_nodes();
        if nt > MAX_TENSORS || nn > MAX_NODES {
            return Err(Error::Capacity {
                what: "tensors",
                needed: nt,
                max: MAX_TENSORS,
            });
        }
        const UNSET: u16 = u16::MAX;
        let mut plan = Plan {
            offsets: [NOT_IN_ARENA; MAX_TENSORS],
            sizes: [0u32; MAX_TENSORS],
            tensor_bytes: 0,
            scratch_bytes: 0,
            lower_bound: 0,
        };
        let mut first = [UNSET; MAX_TENSORS];
        let mut last = [0u16; MAX_TENSORS];
        let mut in_arena = [false; MAX_TENSORS];
        for (t, (size, arena)) in plan
            .sizes
            .iter_mut()
            .zip(in_arena.iter_mut())
            .enumerate()
            .take(nt)
        {
            let info = model.tensor(t)?;
            if info.data.is_none() {
                if info.dtype.is_none() {
                    return Err(Error::UnsupportedType { tensor: t });
                }
                *size = u32::try_from(align_up(info.byte_len()))
                    .map_err(|_| Error::InvalidModel("tensor too large"))?;
                *arena = true;
            }
        }
        for i in 0..model.num_inputs() {
            let t = model.input_tensor(i)?;
            first[t] = 0;
        }
        for n in 0..nn {
            let node = model.node(n)?;
            for k in 0..node.num_outputs() {
                if let Some(t) = node.output(k) {
                    if !in_arena[t] {
                        return Err(Error::InvalidNode {
                            node: n,
                            op: crate::opcode::builtin_name(node.code),
                            reason: "writes a constant tensor",
                        });
                    }
                    if first[t] == UNSET {
                        first[t] = n as u16;
                    }
                    last[t] = last[t].max(n as u16);
                }
            }
            for k in 0..node.num_inputs() {
                if let Some(t) = node.input(k) {
                    if in_arena[t] {
                        if first[t] == UNSET || first[t] as usize > n {
                            return Err(Error::InvalidNode {
                                node: n,
                                op: crate::opcode::builtin_name(node.code),
                                reason: "reads a tensor no earlier node writes",
                            });
                        }
                        last[t] = last[t].max(n as u16);
                    }
                }
            }
        }
        let end = nn.max(1) as u16 - 1;
        for i in 0..model.num_outputs() {
            let t = model.output_tensor(i)?;
            if first[t] == UNSET {
                first[t] = 0;
            }
            last[t] = end;
        }
        for t in 0..nt {
            if first[t] == UNSET {
                in_arena[t] = false; // never used
            }
        }
        if io_only {
            let mut io = [false; MAX_TENSORS];
            for i in 0..model.num_inputs() {
                io[model.input_tensor(i)?] = true;
            }
            for i in 0..model.num_outputs() {
                io[model.output_tensor(i)?] = true;
            }
            for t in 0..nt {
                in_arena[t] &= io[t];
                first[t] = 0;
                last[t] = end;
            }
        }

        let mut order = [0u16; MAX_TENSORS];
        let mut count = 0;
        for (t, &used) in in_arena.iter().enumerate().take(nt) {
            if used {
                order[count] = t as u16;
                count += 1;
            }
        }
        let order = &mut order[..count];
        let lt = Lifetimes {
            first: &first,
            last: &last,
        };
        let live_bytes = |sizes: &[u32; MAX_TENSORS], n: usize| -> usize {
            (0..nt)
                .filter(|&t| in_arena[t] && first[t] as usize <= n && n <= last[t] as usize)
                .map(|t| sizes[t] as usize)
                .sum()
        };
        // The lower bound counts each node's scratch with the tensors live at it (all of it
        // computed before any slot grows); then each scratch joins its node's output slot.
        for n in 0..nn {
            let s = if io_only { 0 } else { node_scratch(model, n)? };
            plan.scratch_bytes = plan.scratch_bytes.max(s);
            plan.lower_bound = plan.lower_bound.max(live_bytes(&plan.sizes, n) + s);
        }
        for n in 0..nn {
            let s = if io_only { 0 } else { node_scratch(model, n)? };
            let out = model.node(n)?.output(0);
            if let Some(t) = out.filter(|&t| s > 0 && in_arena[t]) {
                let tensor = align_up(model.tensor(t)?.byte_len());
                let slot = u32::try_from(tensor + s)
                    .map_err(|_| Error::InvalidModel("tensor too large"))?;
                plan.sizes[t] = plan.sizes[t].max(slot);
            }
        }

        // Greedy placement depends on the order; try a few and keep the smallest peak.
        let mut placed = [0u16; MAX_TENSORS];
        // No placement can beat the largest set of simultaneously live slots; stop trying
        // orders as soon as one reaches it.
        let bound = (0..nn)
            .map(|n| live_bytes(&plan.sizes, n))
            .max()
            .unwrap_or(0);
        let mut best = (usize::MAX, Strategy::LargestFirst, Fit::First);
        'search: for strategy in Strategy::all() {
            for fit in [Fit::First, Fit::Best] {
                strategy.sort(order, &plan.sizes, &lt);
                let peak = place(fit, order, &plan.sizes, &lt, &mut plan.offsets, &mut placed)?;
                if peak < best.0 {
                    best = (peak, strategy, fit);
                }
                if best.0 <= bound {
                    break 'search;
                }
            }
        }
        best.1.sort(order, &plan.sizes, &lt);
        plan.tensor_bytes = place(
            best.2,
            order,
            &plan.sizes,
            &lt,
            &mut plan.offsets,
            &mut placed,
        )?;
        Ok(plan)
    }

    /// Arena bytes the caller must provide (alignment slack included).
    pub fn arena_bytes(&self) -> usize {
        self.tensor_bytes + ALIGN
    }

    /// Byte range of tensor `t`'s slot within the (aligned) arena, if it lives there: the
    /// tensor's bytes first, then (for a node's output) that node's scratch.
    pub fn range(&self, t: usize) -> Option<core::ops::Range<usize>> {
        let off = *self.offsets.get(t)?;
        if off == NOT_IN_ARENA {
            return None;
        }
        let off = off as usize;
        Some(off..off + self.sizes[t] as usize)
    }

    /// Byte range of the scratch of the node whose output is `t`: the slot's bytes past the
    /// tensor's own `tensor_len` bytes rounded up to [`ALIGN`] (empty when it has none).
    pub fn scratch_after(&self, t: usize, tensor_len: usize) -> Option<core::ops::Range<usize>> {
        let slot = self.range(t)?;
        let start = slot.start.checked_add(align_up(tensor_len))?;
        (start <= slot.end).then_some(start..slot.end)
    }
}
