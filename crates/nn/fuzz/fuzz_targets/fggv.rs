// SPDX-License-Identifier: Apache-2.0
//! Fuzz target: arbitrary bytes through the FGGV golden-vector reader (parse, then walk
//! every case and tensor). Errors are expected; panics are bugs.
#![no_main]

use facegate_nn::fggv::Golden;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(g) = Golden::parse(data) {
        for case in g.cases() {
            for t in case.inputs().chain(case.outputs()) {
                let _ = (t.index, t.dims().len(), t.data.len());
            }
        }
    }
});
