// SPDX-License-Identifier: Apache-2.0
//! TFLite builtin operator codes: the ones the CPU kernels run, and names for the rest.

/// Operators the CPU backend implements (int8 semantics of TFLite's reference kernels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum OpCode {
    Add,
    Sub,
    Tanh,
    Maximum,
    Minimum,
    SquaredDifference,
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
    Equal,
    NotEqual,
    Cast,
    Split,
    SplitV,
    AveragePool2d,
    Concatenation,
    Conv2d,
    DepthwiseConv2d,
    Dequantize,
    FullyConnected,
    Logistic,
    MaxPool2d,
    Mul,
    Relu,
    Relu6,
    Reshape,
    ResizeBilinear,
    Softmax,
    Pad,
    Transpose,
    Mean,
    StridedSlice,
    Prelu,
    ResizeNearestNeighbor,
    LeakyRelu,
    Quantize,
    HardSwish,
}

/// Every operator the CPU backend runs, in code order.
pub const CPU_OPS: [OpCode; 38] = [
    OpCode::Add,
    OpCode::Sub,
    OpCode::Tanh,
    OpCode::Maximum,
    OpCode::Minimum,
    OpCode::SquaredDifference,
    OpCode::Greater,
    OpCode::GreaterEqual,
    OpCode::Less,
    OpCode::LessEqual,
    OpCode::Equal,
    OpCode::NotEqual,
    OpCode::Cast,
    OpCode::Split,
    OpCode::SplitV,
    OpCode::AveragePool2d,
    OpCode::Concatenation,
    OpCode::Conv2d,
    OpCode::DepthwiseConv2d,
    OpCode::Dequantize,
    OpCode::FullyConnected,
    OpCode::Logistic,
    OpCode::MaxPool2d,
    OpCode::Mul,
    OpCode::Relu,
    OpCode::Relu6,
    OpCode::Reshape,
    OpCode::ResizeBilinear,
    OpCode::Softmax,
    OpCode::Pad,
    OpCode::Transpose,
    OpCode::Mean,
    OpCode::StridedSlice,
    OpCode::Prelu,
    OpCode::ResizeNearestNeighbor,
    OpCode::LeakyRelu,
    OpCode::Quantize,
    OpCode::HardSwish,
];

impl OpCode {
    /// The TFLite `BuiltinOperator` value.
    pub const fn code(self) -> i32 {
        match self {
            OpCode::Add => 0,
            OpCode::Sub => 41,
            OpCode::Tanh => 28,
            OpCode::Maximum => 55,
            OpCode::Minimum => 57,
            OpCode::SquaredDifference => 99,
            OpCode::Greater => 61,
            OpCode::GreaterEqual => 62,
            OpCode::Less => 58,
            OpCode::LessEqual => 63,
            OpCode::Equal => 71,
            OpCode::NotEqual => 72,
            OpCode::Cast => 53,
            OpCode::Split => 49,
            OpCode::SplitV => 102,
            OpCode::AveragePool2d => 1,
            OpCode::Concatenation => 2,
            OpCode::Conv2d => 3,
            OpCode::DepthwiseConv2d => 4,
            OpCode::Dequantize => 6,
            OpCode::FullyConnected => 9,
            OpCode::Logistic => 14,
            OpCode::MaxPool2d => 17,
            OpCode::Mul => 18,
            OpCode::Relu => 19,
            OpCode::Relu6 => 21,
            OpCode::Reshape => 22,
            OpCode::ResizeBilinear => 23,
            OpCode::Softmax => 25,
            OpCode::Pad => 34,
            OpCode::Transpose => 39,
            OpCode::Mean => 40,
            OpCode::StridedSlice => 45,
            OpCode::Prelu => 54,
            OpCode::ResizeNearestNeighbor => 97,
            OpCode::LeakyRelu => 98,
            OpCode::Quantize => 114,
            OpCode::HardSwish => 117,
        }
    }

    /// The operator for a builtin code, if the CPU backend implements it.
    pub fn from_code(code: i32) -> Option<Self> {
        CPU_OPS.iter().copied().find(|op| op.code() == code)
    }

    /// TFLite's name for it.
    pub fn name(self) -> &'static str {
        builtin_name(self.code())
    }
}

/// TFLite's name for a builtin operator code (`"UNKNOWN"` for codes not listed here).
pub fn builtin_name(code: i32) -> &'static str {
    match code {
        0 => "ADD",
        1 => "AVERAGE_POOL_2D",
        2 => "CONCATENATION",
        3 => "CONV_2D",
        4 => "DEPTHWISE_CONV_2D",
        5 => "DEPTH_TO_SPACE",
        6 => "DEQUANTIZE",
        9 => "FULLY_CONNECTED",
        11 => "L2_NORMALIZATION",
        12 => "L2_POOL_2D",
        14 => "LOGISTIC",
        16 => "LSTM",
        17 => "MAX_POOL_2D",
        18 => "MUL",
        19 => "RELU",
        20 => "RELU_N1_TO_1",
        21 => "RELU6",
        22 => "RESHAPE",
        23 => "RESIZE_BILINEAR",
        25 => "SOFTMAX",
        26 => "SPACE_TO_DEPTH",
        28 => "TANH",
        32 => "CUSTOM",
        34 => "PAD",
        36 => "GATHER",
        37 => "BATCH_TO_SPACE_ND",
        38 => "SPACE_TO_BATCH_ND",
        39 => "TRANSPOSE",
        40 => "MEAN",
        41 => "SUB",
        42 => "DIV",
        43 => "SQUEEZE",
        45 => "STRIDED_SLICE",
        47 => "EXP",
        49 => "SPLIT",
        50 => "LOG_SOFTMAX",
        53 => "CAST",
        54 => "PRELU",
        55 => "MAXIMUM",
        56 => "ARG_MAX",
        58 => "LESS",
        57 => "MINIMUM",
        60 => "PADV2",
        61 => "GREATER",
        62 => "GREATER_EQUAL",
        63 => "LESS_EQUAL",
        64 => "SELECT",
        65 => "SLICE",
        67 => "TRANSPOSE_CONV",
        69 => "TILE",
        70 => "EXPAND_DIMS",
        71 => "EQUAL",
        72 => "NOT_EQUAL",
        74 => "SUM",
        75 => "SQRT",
        76 => "RSQRT",
        82 => "REDUCE_MAX",
        83 => "PACK",
        87 => "UNPACK",
        97 => "RESIZE_NEAREST_NEIGHBOR",
        98 => "LEAKY_RELU",
        99 => "SQUARED_DIFFERENCE",
        102 => "SPLIT_V",
        111 => "ELU",
        114 => "QUANTIZE",
        117 => "HARD_SWISH",
        126 => "BATCH_MATMUL",
        _ => "UNKNOWN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for op in CPU_OPS {
            assert_eq!(OpCode::from_code(op.code()), Some(op));
            assert_ne!(op.name(), "UNKNOWN");
        }
        assert_eq!(OpCode::from_code(126), None);
        assert_eq!(builtin_name(126), "BATCH_MATMUL");
    }
}
