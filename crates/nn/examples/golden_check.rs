// SPDX-License-Identifier: Apache-2.0
//! Runs a model against an FGGV golden file and prints how many output elements match.
//!
//! `cargo run --release -p facegate-nn --example golden_check -- model.tflite golden.fggv`

use facegate_nn::fggv::{run_case, Golden};
use facegate_nn::{Interpreter, Model, Plan};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: golden_check MODEL.tflite GOLDEN.fggv");
        std::process::exit(2);
    }
    let model_bytes = std::fs::read(&args[1]).expect("read model");
    let golden_bytes = std::fs::read(&args[2]).expect("read golden");
    let run = || -> Result<bool, facegate_nn::Error> {
        let model = Model::from_bytes(&model_bytes)?;
        let plan = Plan::new(&model)?;
        println!(
            "arena {} B (widest node scratch {} B, in its output's slot), lower bound {} B",
            plan.arena_bytes(),
            plan.scratch_bytes,
            plan.lower_bound
        );
        let mut arena = vec![0u8; plan.arena_bytes()];
        let mut nn = Interpreter::new(model, &mut arena)?;
        let golden = Golden::parse(&golden_bytes)?;
        let mut ok = true;
        for (i, case) in golden.cases().enumerate() {
            let c = run_case(&mut nn, &case)?;
            println!(
                "case {i}: {}/{} elements differ (max {} LSB)",
                c.mismatched, c.compared, c.max_abs_diff
            );
            ok &= c.mismatched == 0;
        }
        Ok(ok)
    };
    match run() {
        Ok(true) => println!("bit-exact"),
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
