// SPDX-License-Identifier: Apache-2.0
//! Which TFLite operators the STM32N6 Neural-ART NPU flow (ST Edge AI) can take, for the
//! compatibility check that `facegate check` prints before deployment. Always compiled (no
//! FFI), so the host can check a model for the board.
//!
//! The table is an unverified best reading of ST's documentation, not a measurement: check
//! it against `stedgeai analyze` for the ST Edge AI version in use. It is deliberately
//! conservative: operators FaceGate's models use and that ST Edge
//! AI maps to NPU epochs are `Yes`; SOFTMAX runs as a software epoch on the M55 inside ST's
//! runtime (`Software`); everything else, BATCH_MATMUL first (the channel attention that
//! EdgeFace-CSA replaces), comparisons and CAST, is `No` and refused with the op and node named.

use crate::backend::Support;

/// Builtin codes mapped to NPU epochs.
const NPU: [i32; 27] = [
    0,   // ADD
    1,   // AVERAGE_POOL_2D
    2,   // CONCATENATION
    3,   // CONV_2D
    4,   // DEPTHWISE_CONV_2D
    6,   // DEQUANTIZE
    9,   // FULLY_CONNECTED
    14,  // LOGISTIC
    17,  // MAX_POOL_2D
    18,  // MUL
    19,  // RELU
    21,  // RELU6
    22,  // RESHAPE
    23,  // RESIZE_BILINEAR
    34,  // PAD
    39,  // TRANSPOSE
    40,  // MEAN
    41,  // SUB
    45,  // STRIDED_SLICE
    49,  // SPLIT
    54,  // PRELU
    55,  // MAXIMUM
    57,  // MINIMUM
    97,  // RESIZE_NEAREST_NEIGHBOR
    98,  // LEAKY_RELU
    102, // SPLIT_V
    114, // QUANTIZE
];

/// Builtin codes ST's runtime executes in software on the host core.
const SOFTWARE: [i32; 4] = [
    25,  // SOFTMAX
    28,  // TANH
    99,  // SQUARED_DIFFERENCE
    117, // HARD_SWISH
];

/// Support of builtin operator `code` on the Neural-ART flow.
pub fn neural_art_support(code: i32) -> Support {
    if NPU.contains(&code) {
        Support::Yes
    } else if SOFTWARE.contains(&code) {
        Support::Software
    } else {
        Support::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_matmul_is_refused_and_convs_run() {
        assert_eq!(neural_art_support(126), Support::No);
        assert_eq!(neural_art_support(32), Support::No); // CUSTOM
        assert_eq!(neural_art_support(3), Support::Yes);
        assert_eq!(neural_art_support(25), Support::Software);
    }
}
