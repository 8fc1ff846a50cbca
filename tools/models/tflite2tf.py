# SPDX-License-Identifier: Apache-2.0
"""Rebuilds a float .tflite graph as TensorFlow ops (so TFLiteConverter can requantise it).

Used where the ONNX route is known to go wrong (BlazeFace: onnx2tf turns depthwise convs
into grouped CONV_2D + TRANSPOSE). Reads the flatbuffer with TensorFlow's generated schema,
turns fp16/DEQUANTIZE weights into float32 constants, and emits tf.nn ops in the file's
execution order. `hooks[op_index](tensor) -> tensor` may rewrite an op's output.
"""
import numpy as np
import tensorflow as tf
from tensorflow.lite.python import schema_py_generated as S

OPNAMES = {v: k for k, v in vars(S.BuiltinOperator).items() if not k.startswith("_")}
NP_TYPES = {S.TensorType.FLOAT32: np.float32, S.TensorType.FLOAT16: np.float16,
            S.TensorType.INT32: np.int32, S.TensorType.INT64: np.int64,
            S.TensorType.INT8: np.int8, S.TensorType.UINT8: np.uint8}


class TfliteGraph:
    def __init__(self, path):
        buf = open(path, "rb").read()
        self.model = S.ModelT.InitFromObj(S.Model.GetRootAsModel(buf, 0))
        self.sg = self.model.subgraphs[0]
        self.ops = []
        for op in self.sg.operators:
            oc = self.model.operatorCodes[op.opcodeIndex]
            code = max(oc.builtinCode, oc.deprecatedBuiltinCode)
            self.ops.append((OPNAMES[code], op))
        self.consts = {}
        for i, t in enumerate(self.sg.tensors):
            b = self.model.buffers[t.buffer]
            if b.data is not None and len(b.data):
                arr = np.frombuffer(bytes(b.data), NP_TYPES[t.type])
                self.consts[i] = arr.reshape(t.shape) if t.shape is not None and len(t.shape) else arr
        # fold DEQUANTIZE of constants (fp16 weights)
        for name, op in self.ops:
            if name == "DEQUANTIZE" and op.inputs[0] in self.consts:
                self.consts[op.outputs[0]] = self.consts[op.inputs[0]].astype(np.float32)

    def tensor_name(self, i):
        return self.sg.tensors[i].name.decode()

    def consumers(self, i):
        return [k for k, (_, op) in enumerate(self.ops) if i in op.inputs]

    def producer(self, i):
        for k, (_, op) in enumerate(self.ops):
            if i in op.outputs:
                return k
        return None


def _act(x, f):
    if f == S.ActivationFunctionType.NONE:
        return x
    if f == S.ActivationFunctionType.RELU:
        return tf.nn.relu(x)
    if f == S.ActivationFunctionType.RELU6:
        return tf.nn.relu6(x)
    if f == S.ActivationFunctionType.RELU_N1_TO_1:
        return tf.clip_by_value(x, -1.0, 1.0)
    raise NotImplementedError(f"fused activation {f}")


def _pad(o):
    return "SAME" if o.padding == S.Padding.SAME else "VALID"


def run_graph(g, inputs, hooks=None, weight_edits=None, outputs=None):
    """Evaluates the graph with TF ops on `inputs` (list of tensors). weight_edits maps an op
    index to f(weights, bias) -> (weights, bias) applied to its float constants. `outputs`
    (tensor indices) replaces the graph's own outputs; ops nothing uses are pruned later by
    the converter."""
    hooks = hooks or {}
    weight_edits = weight_edits or {}
    val = dict(g.consts)
    for i, x in zip(g.sg.inputs, inputs):
        val[i] = x

    def v(i):
        x = val[i]
        return tf.constant(x) if isinstance(x, np.ndarray) else x

    for k, (name, op) in enumerate(g.ops):
        o = op.builtinOptions
        ins = op.inputs
        if name == "DEQUANTIZE":
            if op.outputs[0] in g.consts:
                continue
            raise NotImplementedError("DEQUANTIZE of an activation")
        if name in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            w = np.asarray(val[ins[1]], np.float32)
            b = np.asarray(val[ins[2]], np.float32) if len(ins) > 2 and ins[2] >= 0 else None
            if k in weight_edits:
                w, b = weight_edits[k](w, b)
        if name == "CONV_2D":
            y = tf.nn.conv2d(v(ins[0]), tf.constant(w.transpose(1, 2, 3, 0)),
                             [1, o.strideH, o.strideW, 1], _pad(o),
                             dilations=[1, o.dilationHFactor, o.dilationWFactor, 1])
            y = _act(y + b if b is not None else y, o.fusedActivationFunction)
        elif name == "DEPTHWISE_CONV_2D":
            x = v(ins[0])
            c = x.shape[-1]
            filt = w.reshape(w.shape[1], w.shape[2], c, w.shape[3] // c)
            y = tf.nn.depthwise_conv2d(x, tf.constant(filt), [1, o.strideH, o.strideW, 1],
                                       _pad(o), dilations=[o.dilationHFactor, o.dilationWFactor])
            y = _act(y + b if b is not None else y, o.fusedActivationFunction)
        elif name == "FULLY_CONNECTED":
            x = v(ins[0])
            x2 = tf.reshape(x, [-1, w.shape[1]])
            y = tf.matmul(x2, tf.constant(w.T))
            if b is not None:
                y = y + b
            y = _act(y, o.fusedActivationFunction)
            if o.keepNumDims:
                y = tf.reshape(y, list(x.shape[:-1]) + [w.shape[0]])
        elif name in ("ADD", "SUB", "MUL"):
            f = {"ADD": tf.add, "SUB": tf.subtract, "MUL": tf.multiply}[name]
            y = f(v(ins[0]), v(ins[1]))
            if o is not None and hasattr(o, "fusedActivationFunction"):
                y = _act(y, o.fusedActivationFunction)
        elif name == "RELU":
            y = tf.nn.relu(v(ins[0]))
        elif name == "LEAKY_RELU":
            y = tf.nn.leaky_relu(v(ins[0]), alpha=o.alpha)
        elif name == "PRELU":
            x, a = v(ins[0]), v(ins[1])
            y = tf.nn.relu(x) + a * tf.minimum(x, 0.0)
        elif name == "PAD":
            y = tf.pad(v(ins[0]), np.asarray(val[ins[1]]))
        elif name in ("MAX_POOL_2D", "AVERAGE_POOL_2D"):
            f = tf.nn.max_pool2d if name == "MAX_POOL_2D" else tf.nn.avg_pool2d
            y = f(v(ins[0]), [o.filterHeight, o.filterWidth], [o.strideH, o.strideW], _pad(o))
            y = _act(y, o.fusedActivationFunction)
        elif name == "RESHAPE":
            shape = val[ins[1]] if len(ins) > 1 and ins[1] >= 0 else o.newShape
            y = tf.reshape(v(ins[0]), np.asarray(shape).tolist())
        elif name == "CONCATENATION":
            y = _act(tf.concat([v(i) for i in ins], o.axis), o.fusedActivationFunction)
        elif name == "STRIDED_SLICE":
            y = tf.strided_slice(v(ins[0]), v(ins[1]), v(ins[2]), v(ins[3]),
                                 begin_mask=o.beginMask, end_mask=o.endMask,
                                 ellipsis_mask=o.ellipsisMask, new_axis_mask=o.newAxisMask,
                                 shrink_axis_mask=o.shrinkAxisMask)
        elif name == "LESS":
            y = tf.less(v(ins[0]), v(ins[1]))
        elif name == "GREATER_EQUAL":
            y = tf.greater_equal(v(ins[0]), v(ins[1]))
        elif name == "CAST":
            y = tf.cast(v(ins[0]), NP_TYPES[g.sg.tensors[op.outputs[0]].type])
        else:
            raise NotImplementedError(name)
        if k in hooks:
            y = hooks[k](y)
        val[op.outputs[0]] = y
    return [v(i) for i in (g.sg.outputs if outputs is None else outputs)]
