// SPDX-License-Identifier: Apache-2.0
//! `facegate-nn`: FaceGate's no_std int8 inference engine.
//!
//! It reads TFLite flatbuffers in place, runs them with integer kernels whose arithmetic
//! matches TFLite's reference kernels bit for bit, plans tensor memory in one caller-provided
//! arena, and hands whole models to an NPU backend where one is available.
#![no_std]
#![deny(unsafe_code)]

pub mod error;
pub mod quant;
pub mod selfcheck;

pub use error::Error;
