// SPDX-License-Identifier: Apache-2.0
//! The backend seam: what runs a planned model ([`crate::cpu::Cpu`] everywhere, the
//! Neural-ART NPU behind a feature), and the op-by-op compatibility check that refuses a
//! model a backend cannot run, naming the first offending node.

use crate::model::Model;
use crate::opcode::builtin_name;
use crate::planner::Plan;
use crate::Error;

/// Whether a backend runs an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Runs it.
    Yes,
    /// Runs it, but on a slower path (e.g. a software epoch inside the NPU runtime).
    Software,
    /// Cannot run it.
    No,
}

/// Something that runs a whole planned model over an arena.
pub trait Backend {
    /// Short name used in error messages ("CPU", "Neural-ART").
    fn name(&self) -> &'static str;

    /// Whether this backend runs TFLite builtin operator `code`.
    fn support(&self, code: i32) -> Support;

    /// The arena plan this backend needs: every activation for the CPU; only inputs and
    /// outputs for a backend with its own activation memory.
    fn plan(&self, model: &Model<'_>) -> Result<Plan, Error> {
        Plan::new(model)
    }

    /// Runs every node; inputs are already in the arena, outputs are left there.
    fn invoke(&mut self, model: &Model<'_>, plan: &Plan, arena: &mut [u8]) -> Result<(), Error>;
}

/// Refuses `model` if `backend` cannot run one of its nodes, naming the op and node index.
pub fn check_model(backend: &dyn Backend, model: &Model<'_>) -> Result<(), Error> {
    for n in 0..model.num_nodes() {
        let node = model.node(n)?;
        if backend.support(node.code) == Support::No {
            return Err(Error::UnsupportedOp {
                node: n,
                op: builtin_name(node.code),
                code: node.code,
                backend: backend.name(),
            });
        }
    }
    Ok(())
}
