// SPDX-License-Identifier: Apache-2.0
//! Int8 kernels with the integer semantics of TFLite's reference kernels, one file per op.
//!
//! Kernels take plain slices, shapes and precomputed quantisation parameters (never the
//! flatbuffer). Each op has a generic reference kernel; optimised variants live beside it and
//! are tested against it. Shapes are validated by the caller (the CPU backend) before a
//! kernel runs; kernels still index with checked slices, so a mistake is a panic in tests,
//! never an out-of-bounds read.

pub mod add;
pub mod average_pool2d;
pub mod broadcast;
pub mod cast;
pub mod comparison;
pub mod concatenation;
pub mod conv2d;
pub mod depthwise_conv2d;
pub mod dequantize;
pub mod fully_connected;
pub mod hard_swish;
pub mod leaky_relu;
pub mod logistic;
pub mod max_pool2d;
pub mod mean;
pub mod mul;
pub mod pad;
pub mod padding;
pub mod prelu;
pub mod quantize;
pub mod relu;
pub mod resize_bilinear;
pub mod resize_nearest_neighbor;
pub mod softmax;
pub mod strided_slice;
pub mod transpose;
#[cfg(target_arch = "x86_64")]
pub mod x86;

#[cfg(test)]
pub(crate) mod test_rng;

/// NHWC dimensions of a 4-D activation tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nhwc {
    /// Batches.
    pub n: usize,
    /// Height.
    pub h: usize,
    /// Width.
    pub w: usize,
    /// Channels.
    pub c: usize,
}

impl Nhwc {
    /// From a rank-4 (or lower, right-aligned) dimension array.
    pub fn from4(d: [usize; 4]) -> Self {
        Self {
            n: d[0],
            h: d[1],
            w: d[2],
            c: d[3],
        }
    }

    /// Element count.
    pub fn len(&self) -> usize {
        self.n * self.h * self.w * self.c
    }

    /// True when any dimension is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Flat offset of `(n, y, x, c)`.
    #[inline]
    pub fn at(&self, n: usize, y: usize, x: usize, c: usize) -> usize {
        ((n * self.h + y) * self.w + x) * self.c + c
    }
}

/// Spatial window parameters shared by convolutions and pooling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Vertical stride.
    pub stride_h: usize,
    /// Horizontal stride.
    pub stride_w: usize,
    /// Vertical dilation.
    pub dilation_h: usize,
    /// Horizontal dilation.
    pub dilation_w: usize,
    /// Rows of padding at the top.
    pub pad_h: usize,
    /// Columns of padding at the left.
    pub pad_w: usize,
}

impl Window {
    /// The part of a pooling window at output `(oy, ox)` that lies inside an `h × w` input:
    /// `(origin_y, origin_x, fy_range, fx_range)` with filter-relative ranges.
    pub fn clip(
        &self,
        oy: usize,
        ox: usize,
        fh: usize,
        fw: usize,
        h: usize,
        w: usize,
    ) -> (
        isize,
        isize,
        core::ops::Range<usize>,
        core::ops::Range<usize>,
    ) {
        let y0 = (oy * self.stride_h) as isize - self.pad_h as isize;
        let x0 = (ox * self.stride_w) as isize - self.pad_w as isize;
        let ys = (-y0).max(0) as usize;
        let ye = (fh as isize).min(h as isize - y0).max(0) as usize;
        let xs = (-x0).max(0) as usize;
        let xe = (fw as isize).min(w as isize - x0).max(0) as usize;
        (y0, x0, ys..ye.max(ys), xs..xe.max(xs))
    }
}

/// Everything a convolution kernel reads besides its geometry.
#[derive(Debug, Clone, Copy)]
pub struct ConvOperands<'a> {
    /// `−input_zero_point`.
    pub input_offset: i32,
    /// Input activations (NHWC).
    pub input: &'a [i8],
    /// Filter weights (layout per kernel).
    pub filter: &'a [i8],
    /// Per-output-channel int32 bias.
    pub bias: Option<&'a [i32]>,
    /// Per-output-channel requantisation.
    pub mults: &'a [crate::quant::QuantizedMultiplier],
    /// Output offset and clamp.
    pub stage: OutputStage,
}

/// Output zero point and clamp of a requantising kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputStage {
    /// Added after requantisation.
    pub offset: i32,
    /// Lower clamp (fused activation included).
    pub min: i32,
    /// Upper clamp.
    pub max: i32,
}

impl OutputStage {
    /// Adds the offset and clamps to `[min, max]`, then narrows to int8.
    #[inline]
    pub fn finish(&self, v: i32) -> i8 {
        v.wrapping_add(self.offset).clamp(self.min, self.max) as i8
    }
}
