// SPDX-License-Identifier: Apache-2.0
//! Shared test support: runs a model against an FGGV golden file with the library's checker.

use facegate_nn::fggv::{run_all, Comparison, Golden};
use facegate_nn::{Interpreter, Model, PackedCpu, PackedFilters, Plan};

/// Runs every case of `golden` through `model` on the CPU backend, or with `packed` on the
/// CPU backend with its filters packed ahead; returns the comparison or a message.
pub fn check_model(model_bytes: &[u8], golden: &[u8], packed: bool) -> Result<Comparison, String> {
    let model = Model::from_bytes(model_bytes).map_err(|e| format!("load: {e}"))?;
    let plan = Plan::new(&model).map_err(|e| format!("plan: {e}"))?;
    let mut arena = vec![0u8; plan.arena_bytes()];
    let golden = Golden::parse(golden).map_err(|e| format!("golden: {e}"))?;
    if golden.is_empty() {
        return Err("golden file has no case".into());
    }
    if packed {
        let needed = PackedFilters::bytes_needed(&model).map_err(|e| format!("pack: {e}"))?;
        let mut buf = vec![0u8; needed];
        let filters = PackedFilters::new(&model, &mut buf).map_err(|e| format!("pack: {e}"))?;
        let mut nn = Interpreter::with_backend(model, &mut arena, PackedCpu::new(filters))
            .map_err(|e| format!("interpreter: {e}"))?;
        run_all(&mut nn, &golden).map_err(|e| format!("run: {e}"))
    } else {
        let mut nn =
            Interpreter::new(model, &mut arena).map_err(|e| format!("interpreter: {e}"))?;
        run_all(&mut nn, &golden).map_err(|e| format!("run: {e}"))
    }
}
