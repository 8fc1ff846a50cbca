// SPDX-License-Identifier: Apache-2.0
//! Fuzz target: arbitrary bytes through the loader/verifier, planner and (for small plans)
//! the interpreter. Any panic or out-of-bounds access is a bug; errors are expected.
#![no_main]

use facegate_nn::{Interpreter, Model, Plan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(model) = Model::from_bytes(data) else {
        return;
    };
    let _ = facegate_nn::Summary::new(&model);
    let _ = Plan::io_only(&model);
    let Ok(plan) = Plan::new(&model) else {
        return;
    };
    if plan.arena_bytes() > 1 << 20 {
        return;
    }
    let mut arena = vec![0u8; plan.arena_bytes()];
    if let Ok(mut nn) = Interpreter::new(model, &mut arena) {
        let _ = nn.invoke();
    }
});
