// SPDX-License-Identifier: Apache-2.0
//! `facegate-nn`: FaceGate's no_std int8 inference engine.
//!
//! It reads TFLite flatbuffers in place (zero copy, fully verified: a truncated, corrupt or
//! hostile file is an [`Error`], never a panic), runs them with integer kernels whose
//! arithmetic matches TFLite's reference kernels (LiteRT `BUILTIN_REF`, TFLite-Micro) bit
//! for bit, plans tensor memory statically in one caller-provided arena (no heap), and has
//! a [`backend::Backend`] seam for an NPU.
//!
//! # Use
//!
//! ```no_run
//! use facegate_nn::{Interpreter, Model};
//! # fn run(model_bytes: &[u8], image: &[i8]) -> Result<(), facegate_nn::Error> {
//! let mut arena = [0u8; 512 * 1024]; // e.g. a static buffer in SRAM
//! let model = Model::from_bytes(model_bytes)?;          // verify, zero copy
//! let mut nn = Interpreter::new(model, &mut arena)?;    // plan; ArenaTooSmall{needed,..}
//! let input = nn.input(0)?;          // int8 data + scale/zero point; refill before each run
//! input.data.copy_from_slice(image);
//! nn.invoke()?;
//! let out = nn.output(0)?;                               // int8 data + scale/zero point
//! let first = out.scale * (f32::from(out.data[0]) - out.zero_point as f32);
//! # let _ = first; Ok(()) }
//! ```
//!
//! Other entry points:
//! - [`Plan::new`](planner::Plan::new) alone tells how many arena bytes a model needs
//!   ([`Plan::arena_bytes`]) and the lower bound of any plan ([`Plan::lower_bound`]), e.g.
//!   to size a `static` arena;
//! - [`Interpreter::with_backend`] runs on another [`Backend`] (the Neural-ART NPU behind
//!   the `backend-neural-art` feature); it refuses a model whose operator the backend cannot
//!   run with [`Error::UnsupportedOp`] naming the op and node;
//! - on a host, [`PackedCpu`] (the CPU backend with [`PackedFilters`]) does once at load,
//!   into a caller-provided buffer ([`PackedFilters::bytes_needed`]; 0 on a Cortex-M), what
//!   each convolution would otherwise do on every invoke: pack its filter for the CPU's
//!   vector kernel, derive its multipliers and bias, resolve its call from the model; with
//!   identical results;
//! - [`Summary`] lists ops with counts, parameters, MACs, arena bytes and per-op support
//!   ([`npu_support::neural_art_support`] for the NPU) for `facegate check`;
//! - [`fggv`] reads golden vectors and checks a model against them bit for bit (no_std, so
//!   the QEMU and board runners can use it);
//! - [`Interpreter::tensor_bytes`] / [`Interpreter::tensor_bytes_mut`] give raw access to
//!   any non-constant tensor (float inputs, intermediate results).
//!
//! # Memory
//! No heap. All activations and per-node scratch (each node's right after its output) live
//! in the caller's arena (16-byte aligned internally; [`Plan::arena_bytes`] includes the
//! slack). The [`Interpreter`] value itself is about 8.2 KiB (offsets and sizes for up to
//! [`model::MAX_TENSORS`] tensors), so on a small-stack RTOS thread keep it in a `static`
//! cell; planning needs about 10 KiB of stack on top of that (its local arrays; an
//! estimate, not a measurement). Weights are read in place from the model bytes, which may
//! be in flash; they need no alignment.
//!
//! # Layout
//! `model` (verified view) over `flatbuffer` (checked reads); `planner` (lifetimes →
//! offsets); `interpreter` (API); `backend` (trait + compatibility check); `cpu` (node
//! dispatch, TFLite `Prepare` maths) over `kernels` (one file per op); `quant` (all
//! fixed-point maths); `npu_support` (NPU op table); `neural_art` (feature
//! `backend-neural-art`, FFI); `summary`; `fggv`. `unsafe` lives only in `neural_art` and
//! in `kernels::x86`.
//!
//! # Host speed (x86-64)
//! On an x86-64 CPU with AVX-512 VNNI (probed at run time with CPUID; no `std` needed) the
//! heavy kernels switch to AVX-512 variants in `kernels::x86`: CONV_2D as a `vpdpbusd`
//! matrix product, DEPTHWISE_CONV_2D (four taps per `vpdpbusd`, which with the table
//! lookups also needs AVX-512 VBMI), MAX_POOL_2D and the element-wise ops, with vectorised
//! requantisation. Each produces the same bytes as the portable kernel it replaces (tested
//! against the reference kernels on random shapes and by the golden models); other CPUs,
//! and every Cortex-M, run the portable kernels.
//!
//! # Operators (int8, TFLite reference semantics)
//! ADD, SUB, MUL, SQUARED_DIFFERENCE, MAXIMUM, MINIMUM (broadcasting), CONV_2D (per-channel, grouped, dilated), DEPTHWISE_CONV_2D,
//! FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, LOGISTIC, TANH, RELU, RELU6,
//! LEAKY_RELU, PRELU, HARD_SWISH, SOFTMAX, RESHAPE, CONCATENATION, PAD, TRANSPOSE,
//! STRIDED_SLICE, RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR, QUANTIZE, DEQUANTIZE; GREATER,
//! GREATER_EQUAL, LESS, LESS_EQUAL, EQUAL, NOT_EQUAL (int8 in, bool out), CAST, SPLIT and
//! SPLIT_V.
#![no_std]
#![deny(unsafe_code)]

pub mod backend;
pub mod cpu;
pub mod error;
pub mod fggv;
pub(crate) mod flatbuffer;
pub mod interpreter;
pub mod kernels;
pub mod model;
#[cfg(feature = "backend-neural-art")]
pub mod neural_art;
pub mod npu_support;
pub mod opcode;
pub mod packed;
pub mod planner;
pub mod quant;
pub mod selfcheck;
pub mod shape;
pub mod summary;

pub use backend::Backend;
pub use cpu::Cpu;
pub use error::Error;
pub use interpreter::{Interpreter, TensorView, TensorViewMut};
pub use model::Model;
pub use packed::{PackedCpu, PackedFilters};
pub use planner::Plan;
pub use summary::Summary;
