// SPDX-License-Identifier: Apache-2.0
//! Model summary for `facegate check`: operators with counts, parameters, MACs, arena bytes
//! and, per backend, which operators it cannot run.

use crate::backend::{Backend, Support};
use crate::model::Model;
use crate::opcode::{builtin_name, OpCode};
use crate::planner::Plan;
use crate::Error;

/// Most distinct operator kinds listed.
pub const MAX_OP_KINDS: usize = 64;

/// One operator kind in a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpCount {
    /// TFLite builtin code.
    pub code: i32,
    /// TFLite name.
    pub name: &'static str,
    /// Nodes using it.
    pub count: usize,
    /// Index of the first node using it.
    pub first_node: usize,
}

/// What `facegate check` prints about a model.
#[derive(Debug, Clone)]
pub struct Summary {
    ops: [OpCount; MAX_OP_KINDS],
    kinds: usize,
    /// Nodes in subgraph 0.
    pub nodes: usize,
    /// Tensors in subgraph 0.
    pub tensors: usize,
    /// Elements of constant tensors (weights, biases, shape operands).
    pub params: usize,
    /// Multiply-accumulates of one inference (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
    /// MUL).
    pub macs: u64,
    /// Arena bytes the plan needs.
    pub arena_bytes: usize,
    /// Lower bound on any plan of this model.
    pub arena_lower_bound: usize,
}

impl Summary {
    /// Summarises `model` (plans it, so the arena figures are exact).
    pub fn new(model: &Model<'_>) -> Result<Self, Error> {
        let plan = Plan::new(model)?;
        let mut s = Self {
            ops: [OpCount {
                code: 0,
                name: "",
                count: 0,
                first_node: 0,
            }; MAX_OP_KINDS],
            kinds: 0,
            nodes: model.num_nodes(),
            tensors: model.num_tensors(),
            params: 0,
            macs: 0,
            arena_bytes: plan.arena_bytes(),
            arena_lower_bound: plan.lower_bound,
        };
        for t in 0..model.num_tensors() {
            let info = model.tensor(t)?;
            if info.data.is_some() {
                s.params += info.shape.num_elements();
            }
        }
        for n in 0..model.num_nodes() {
            let node = model.node(n)?;
            match s.ops[..s.kinds].iter_mut().find(|o| o.code == node.code) {
                Some(o) => o.count += 1,
                None => {
                    if s.kinds == MAX_OP_KINDS {
                        return Err(Error::Capacity {
                            what: "operator kinds",
                            needed: s.kinds + 1,
                            max: MAX_OP_KINDS,
                        });
                    }
                    s.ops[s.kinds] = OpCount {
                        code: node.code,
                        name: builtin_name(node.code),
                        count: 1,
                        first_node: n,
                    };
                    s.kinds += 1;
                }
            }
            let out = model.tensor(node.output(0).ok_or(Error::Corrupt("node output"))?)?;
            let out_elems = out.shape.num_elements() as u64;
            let filter = node.input(1).map(|t| model.tensor(t)).transpose()?;
            let dim = |f: &crate::model::TensorInfo<'_>, i: usize| f.shape.dim(i) as u64;
            let node_macs = match (OpCode::from_code(node.code), filter) {
                (Some(OpCode::Conv2d), Some(f)) => {
                    (1..f.shape.rank()).fold(out_elems, |m, i| m.saturating_mul(dim(&f, i)))
                }
                (Some(OpCode::DepthwiseConv2d), Some(f)) => out_elems
                    .saturating_mul(dim(&f, 1))
                    .saturating_mul(dim(&f, 2)),
                (Some(OpCode::FullyConnected), Some(f)) => {
                    let last = f.shape.rank().saturating_sub(1);
                    out_elems.saturating_mul(dim(&f, last))
                }
                (Some(OpCode::Mul), _) => out_elems,
                _ => 0,
            };
            s.macs = s.macs.saturating_add(node_macs);
        }
        Ok(s)
    }

    /// Operator kinds in order of first appearance.
    pub fn ops(&self) -> &[OpCount] {
        &self.ops[..self.kinds]
    }

    /// Operator kinds `backend` cannot run (empty: the model is compatible).
    pub fn unsupported<'s>(
        &'s self,
        backend: &'s dyn Backend,
    ) -> impl Iterator<Item = &'s OpCount> + 's {
        self.unsupported_by(move |code| backend.support(code))
    }

    /// Operator kinds a support table refuses, e.g.
    /// `summary.unsupported_by(npu_support::neural_art_support)` for the NPU on a host
    /// without the FFI backend.
    pub fn unsupported_by<'s>(
        &'s self,
        support: impl Fn(i32) -> Support + 's,
    ) -> impl Iterator<Item = &'s OpCount> + 's {
        self.ops()
            .iter()
            .filter(move |o| support(o.code) == Support::No)
    }

    /// Support of each operator kind under a table, in order of first appearance.
    pub fn support_by<'s>(
        &'s self,
        support: impl Fn(i32) -> Support + 's,
    ) -> impl Iterator<Item = (&'s OpCount, Support)> + 's {
        self.ops().iter().map(move |o| (o, support(o.code)))
    }
}
