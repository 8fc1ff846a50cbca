// SPDX-License-Identifier: Apache-2.0
//! Static memory planning: tensor lifetimes → offsets in one arena.
//!
//! Every non-constant tensor lives from the node that writes it (or the start, for model
//! inputs) to the last node that reads it (or the end, for model outputs). Tensors are
//! placed largest first at the lowest offset that does not overlap any already placed
//! tensor whose lifetime intersects (greedy by size, as TFLite-Micro's planner). A per-node
//! scratch area (per-channel multipliers, copied biases) sits after the tensors.

use crate::model::{Model, MAX_NODES, MAX_TENSORS};
use crate::opcode::OpCode;
use crate::quant::QuantizedMultiplier;
use crate::Error;

/// Alignment of every tensor offset and of the scratch area, in bytes.
pub const ALIGN: usize = 16;

const NOT_IN_ARENA: u32 = u32::MAX;

/// Where each tensor lives, and how big the arena must be.
#[derive(Debug, Clone)]
pub struct Plan {
    offsets: [u32; MAX_TENSORS],
    sizes: [u32; MAX_TENSORS],
    /// Bytes of the tensor area (peak of the placement).
    pub tensor_bytes: usize,
    /// Bytes of the scratch area (largest per-node need).
    pub scratch_bytes: usize,
    /// Lower bound on any placement: max over nodes of (live tensor bytes + scratch).
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

impl Plan {
    /// Plans the arena for `model`.
    pub fn new(model: &Model<'_>) -> Result<Self, Error> {
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

        // Order: largest first, then earliest first use.
        let mut order = [0u16; MAX_TENSORS];
        let mut count = 0;
        for (t, &used) in in_arena.iter().enumerate().take(nt) {
            if used {
                order[count] = t as u16;
                count += 1;
            }
        }
        let order = &mut order[..count];
        let sizes = &plan.sizes;
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            sizes[b]
                .cmp(&sizes[a])
                .then(first[a].cmp(&first[b]))
                .then(a.cmp(&b))
        });

        // Indices of already placed tensors whose lifetimes intersect the current one.
        let mut placed = [0u16; MAX_TENSORS];
        for (k, &t) in order.iter().enumerate() {
            let t = t as usize;
            let mut np = 0;
            for &u in &order[..k] {
                let ui = u as usize;
                if first[ui] <= last[t] && first[t] <= last[ui] && plan.sizes[ui] > 0 {
                    placed[np] = u;
                    np += 1;
                }
            }
            let placed = &mut placed[..np];
            placed.sort_unstable_by_key(|&u| plan.offsets[u as usize]);
            let mut candidate = 0u64;
            for &u in placed.iter() {
                let start = u64::from(plan.offsets[u as usize]);
                if candidate + u64::from(plan.sizes[t]) <= start {
                    break;
                }
                candidate = candidate.max(start + u64::from(plan.sizes[u as usize]));
            }
            let end = candidate + u64::from(plan.sizes[t]);
            if end > u64::from(u32::MAX - 1) {
                return Err(Error::InvalidModel("activations exceed a 4 GiB arena"));
            }
            plan.offsets[t] = candidate as u32;
            plan.tensor_bytes = plan.tensor_bytes.max(end as usize);
        }

        for n in 0..nn {
            let s = node_scratch(model, n)?;
            plan.scratch_bytes = plan.scratch_bytes.max(s);
            let live: usize = (0..nt)
                .filter(|&t| in_arena[t] && first[t] as usize <= n && n <= last[t] as usize)
                .map(|t| plan.sizes[t] as usize)
                .sum();
            plan.lower_bound = plan.lower_bound.max(live + s);
        }
        Ok(plan)
    }

    /// Arena bytes the caller must provide (alignment slack included).
    pub fn arena_bytes(&self) -> usize {
        self.tensor_bytes + self.scratch_bytes + ALIGN
    }

    /// Byte range of tensor `t` within the (aligned) arena, if it lives there.
    pub fn range(&self, t: usize) -> Option<core::ops::Range<usize>> {
        let off = *self.offsets.get(t)?;
        if off == NOT_IN_ARENA {
            return None;
        }
        let off = off as usize;
        Some(off..off + self.sizes[t] as usize)
    }

    /// Byte range of the scratch area within the (aligned) arena.
    pub fn scratch(&self) -> core::ops::Range<usize> {
        self.tensor_bytes..self.tensor_bytes + self.scratch_bytes
    }
}
