// SPDX-License-Identifier: Apache-2.0
//! AVX2 kernels for CPUs without AVX-512 VNNI (most laptops, AMD before Zen 4): the
//! convolutions, which dominate every shipped model, their requantisation, ADD, PRELU,
//! MAX_POOL_2D and table lookups.
//!
//! AVX2 has no int8 dot product that is exact for every int8 pair (`vpmaddubsw` saturates
//! its int16 sums), so these kernels widen int8 to int16 and multiply with `vpmaddwd`:
//! two int16 products summed into each int32 lane, exact. Each function that executes AVX2
//! carries `#[target_feature]` and may run only after [`super::has_avx2`] returned true.

pub mod add;
pub mod conv_gemm;
pub mod depthwise;
pub mod lut;
pub mod max_pool;
pub mod prelu;
pub mod requant;
