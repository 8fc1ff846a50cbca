# SPDX-License-Identifier: Apache-2.0
"""Generates single-op int8 TFLite models with randomised shapes and quantisation, runs them
with LiteRT's REFERENCE kernels (OpResolverType.BUILTIN_REF) and writes the models and their
exact outputs (FGGV golden format, see crates/nn/tests/ops.rs) for facegate-nn's bit-exact
per-op tests.

Usage: /work/venv-ops/bin/python tools/optests/gen.py crates/nn/tests/data/ops
(venv: python3 -m venv /work/venv-ops && /work/venv-ops/bin/pip install -r tools/optests/requirements.txt)
Deterministic: a fixed seed per op, so re-running reproduces the committed files.
"""

import os
import struct
import sys

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as S
from ai_edge_litert.interpreter import Interpreter, OpResolverType

CASES_PER_MODEL = 3
T_F32, T_I32, T_I8 = S.TensorType.FLOAT32, S.TensorType.INT32, S.TensorType.INT8


class Builder:
    """Collects tensors and buffers of a one-op subgraph."""

    def __init__(self):
        self.tensors, self.buffers = [], [S.BufferT()]

    def tensor(self, shape, ttype, data=None, scale=None, zp=None, qdim=0):
        t = S.TensorT()
        t.shape = list(shape)
        t.type = ttype
        t.name = f"t{len(self.tensors)}".encode()
        if data is not None:
            b = S.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), dtype=np.uint8)
            self.buffers.append(b)
            t.buffer = len(self.buffers) - 1
        else:
            t.buffer = 0
        if scale is not None:
            q = S.QuantizationParametersT()
            q.scale = [float(s) for s in np.atleast_1d(scale)]
            q.zeroPoint = [int(z) for z in np.atleast_1d(zp if zp is not None else 0)]
            if len(q.zeroPoint) == 1 and len(q.scale) > 1:
                q.zeroPoint = q.zeroPoint * len(q.scale)
            q.quantizedDimension = qdim
            t.quantization = q
        self.tensors.append(t)
        return len(self.tensors) - 1

    def finish(self, code, inputs, outputs, graph_inputs, opts_type=0, opts=None):
        return self.finish_graph([(code, inputs, outputs, opts_type, opts)], graph_inputs,
                                 outputs)

    def finish_graph(self, nodes, graph_inputs, graph_outputs):
        """nodes: [(builtin code, inputs, outputs, options type, options)] in run order."""
        codes, ops = [], []
        for code, inputs, outputs, opts_type, opts in nodes:
            if code not in codes:
                codes.append(code)
            op = S.OperatorT()
            op.opcodeIndex = codes.index(code)
            op.inputs, op.outputs = list(inputs), list(outputs)
            op.builtinOptionsType = opts_type
            op.builtinOptions = opts
            ops.append(op)
        sg = S.SubGraphT()
        sg.tensors, sg.operators = self.tensors, ops
        sg.inputs, sg.outputs = list(graph_inputs), list(graph_outputs)
        ocs = []
        for code in codes:
            oc = S.OperatorCodeT()
            oc.builtinCode = code
            oc.deprecatedBuiltinCode = min(code, 127)
            oc.version = 1
            ocs.append(oc)
        m = S.ModelT()
        m.version = 3
        m.operatorCodes, m.subgraphs, m.buffers = ocs, [sg], self.buffers
        fb = flatbuffers.Builder(1024)
        fb.Finish(m.Pack(fb), file_identifier=b"TFL3")
        return bytes(fb.Output())


def qparams(rng, lo=0.005, hi=0.1):
    return float(rng.uniform(lo, hi)), int(rng.integers(-20, 21))


def i8(rng, shape):
    return rng.integers(-128, 128, size=shape, dtype=np.int8)


def act(rng):
    return int(rng.choice([0, 1, 2, 3]))


def out_size(same, n, k, s, d):
    eff = (k - 1) * d + 1
    return (n + s - 1) // s if same else (n + s - eff) // s


def gen_conv(rng, depthwise=False, grouped=False, pointwise=False, wide=False,
             per_tensor=False):
    b = Builder()
    h, w = int(rng.integers(3, 12)), int(rng.integers(3, 12))
    cin = int(rng.integers(60, 140)) if wide else int(rng.integers(1, 12))
    k = int(rng.choice([1, 3, 5])) if not depthwise else int(rng.choice([3, 5]))
    s = int(rng.integers(1, 3))
    d = 1 if s > 1 else int(rng.integers(1, 3))
    if pointwise:
        k, s, d, cin = 1, 1, 1, int(rng.integers(8, 48))
    same = bool(rng.integers(0, 2))
    oh, ow = out_size(same, h, k, s, d), out_size(same, w, k, s, d)
    if oh <= 0 or ow <= 0:
        same, oh, ow = True, out_size(True, h, k, s, d), out_size(True, w, k, s, d)
    si, zi = qparams(rng)
    so, zo = qparams(rng, 0.02, 0.3)
    if depthwise:
        mult = 1 if wide else int(rng.choice([1, 1, 2]))
        cout = cin * mult
        fshape, qdim = [1, k, k, cout], 3
    else:
        groups = 2 if grouped else 1
        cin = cin * groups
        cout = int(rng.integers(8, 40) if pointwise else rng.integers(1, 9)) * groups
        fshape, qdim = [cout, k, k, cin // groups], 0
    fs = rng.uniform(0.002, 0.05, size=1 if per_tensor else cout).astype(np.float32)
    x = b.tensor([1, h, w, cin], T_I8, scale=si, zp=zi)
    f = b.tensor(fshape, T_I8, i8(rng, fshape), fs, 0, qdim)
    bias = b.tensor([cout], T_I32, rng.integers(-3000, 3000, size=cout, dtype=np.int32),
                    (si * np.broadcast_to(fs, (cout,))).astype(np.float32), 0)
    y = b.tensor([1, oh, ow, cout], T_I8, scale=so, zp=zo)
    if depthwise:
        o = S.DepthwiseConv2DOptionsT()
        o.depthMultiplier = cout // cin
        ot = S.BuiltinOptions.DepthwiseConv2DOptions
    else:
        o = S.Conv2DOptionsT()
        ot = S.BuiltinOptions.Conv2DOptions
    o.padding = 0 if same else 1
    o.strideW, o.strideH = s, s
    o.dilationWFactor, o.dilationHFactor = d, d
    o.fusedActivationFunction = act(rng)
    code = S.BuiltinOperator.DEPTHWISE_CONV_2D if depthwise else S.BuiltinOperator.CONV_2D
    return b.finish(code, [x, f, bias], [y], [x], ot, o)


def gen_fc(rng, per_channel=False, four_d=False):
    b = Builder()
    batch, depth, units = int(rng.integers(1, 4)), int(rng.integers(1, 40)), int(rng.integers(1, 20))
    if four_d:
        batch, hw, c = 1, int(rng.integers(1, 4)), int(rng.integers(1, 8))
        depth = hw * hw * c
    si, zi = qparams(rng)
    so, zo = qparams(rng, 0.05, 0.5)
    fs = rng.uniform(0.002, 0.05, size=units if per_channel else 1).astype(np.float32)
    x = b.tensor([1, hw, hw, c] if four_d else [batch, depth], T_I8, scale=si, zp=zi)
    f = b.tensor([units, depth], T_I8, i8(rng, (units, depth)), fs, 0, 0)
    bias = b.tensor([units], T_I32, rng.integers(-3000, 3000, size=units, dtype=np.int32),
                    (si * fs).astype(np.float32), 0)
    y = b.tensor([batch, units], T_I8, scale=so, zp=zo)
    o = S.FullyConnectedOptionsT()
    o.fusedActivationFunction = act(rng)
    return b.finish(S.BuiltinOperator.FULLY_CONNECTED, [x, f, bias], [y], [x],
                    S.BuiltinOptions.FullyConnectedOptions, o)


def broadcast_shapes(rng):
    rank = int(rng.integers(1, 5))
    out = [int(rng.integers(1, 6)) for _ in range(rank)]
    a = [d if rng.random() < 0.7 else 1 for d in out]
    c = [d if rng.random() < 0.7 else 1 for d in out]
    if rng.random() < 0.3:
        c = c[int(rng.integers(0, rank)):]
    a = [max(x, y) if False else x for x, y in zip(a, out)]
    return a, c, [max(x, y) for x, y in zip(a, [1] * (rank - len(c)) + c)]


def gen_binary(rng, code):
    b = Builder()
    sa, sb, out = broadcast_shapes(rng)
    s1, z1 = qparams(rng, 0.01, 0.2)
    s2, z2 = qparams(rng, 0.01, 0.2)
    so, zo = qparams(rng, 0.02, 0.3)
    x = b.tensor(sa, T_I8, scale=s1, zp=z1)
    y = b.tensor(sb, T_I8, scale=s2, zp=z2)
    z = b.tensor(out, T_I8, scale=so, zp=zo)
    if code == S.BuiltinOperator.ADD:
        o, ot = S.AddOptionsT(), S.BuiltinOptions.AddOptions
    elif code == S.BuiltinOperator.SUB:
        o, ot = S.SubOptionsT(), S.BuiltinOptions.SubOptions
    elif code in (S.BuiltinOperator.SQUARED_DIFFERENCE, S.BuiltinOperator.MAXIMUM,
                  S.BuiltinOperator.MINIMUM):
        return b.finish(code, [x, y], [z], [x, y])
    else:
        o, ot = S.MulOptionsT(), S.BuiltinOptions.MulOptions
    o.fusedActivationFunction = act(rng)
    return b.finish(code, [x, y], [z], [x, y], ot, o)


def nhwc(rng, lo=1, hi=9):
    return [1, int(rng.integers(lo, hi)), int(rng.integers(lo, hi)), int(rng.integers(1, 9))]


def gen_unary(rng, code, out_scale=None, out_zp=None, opts_type=0, opts=None, same_q=False):
    b = Builder()
    shape = nhwc(rng)
    si, zi = qparams(rng, 0.01, 0.2)
    so, zo = (si, zi) if same_q else qparams(rng, 0.01, 0.2)
    if out_scale is not None:
        so, zo = out_scale, out_zp
    x = b.tensor(shape, T_I8, scale=si, zp=zi)
    y = b.tensor(shape, T_I8, scale=so, zp=zo)
    return b.finish(code, [x], [y], [x], opts_type, opts)


def gen_prelu(rng):
    b = Builder()
    shape = nhwc(rng)
    si, zi = qparams(rng, 0.01, 0.2)
    so, zo = qparams(rng, 0.01, 0.2)
    sa, za = qparams(rng, 0.001, 0.01)
    x = b.tensor(shape, T_I8, scale=si, zp=zi)
    a = b.tensor([1, 1, shape[3]], T_I8, i8(rng, (1, 1, shape[3])), sa, za)
    y = b.tensor(shape, T_I8, scale=so, zp=zo)
    return b.finish(S.BuiltinOperator.PRELU, [x, a], [y], [x])


def gen_pool(rng, code):
    b = Builder()
    shape = nhwc(rng, 2, 10)
    k, s = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    same = bool(rng.integers(0, 2))
    oh, ow = out_size(same, shape[1], k, s, 1), out_size(same, shape[2], k, s, 1)
    if oh <= 0 or ow <= 0:
        same, oh, ow = True, out_size(True, shape[1], k, s, 1), out_size(True, shape[2], k, s, 1)
    si, zi = qparams(rng)
    x = b.tensor(shape, T_I8, scale=si, zp=zi)
    y = b.tensor([1, oh, ow, shape[3]], T_I8, scale=si, zp=zi)
    o = S.Pool2DOptionsT()
    o.padding = 0 if same else 1
    o.strideW = o.strideH = s
    o.filterWidth = o.filterHeight = k
    o.fusedActivationFunction = act(rng)
    return b.finish(code, [x], [y], [x], S.BuiltinOptions.Pool2DOptions, o)


def gen_mean(rng, global_pool=False):
    b = Builder()
    shape = nhwc(rng, 1, 8)
    axes = [[1, 2], [1], [2], [-1], [3], [1, 2, 3]][int(rng.integers(0, 6))]
    if global_pool:
        shape = [1, int(rng.integers(3, 10)), int(rng.integers(3, 10)), int(rng.integers(16, 80))]
        axes = [1, 2]
    keep = bool(rng.integers(0, 2))
    norm = sorted({a % 4 for a in axes})
    out = [1 if i in norm else d for i, d in enumerate(shape)] if keep else \
        [d for i, d in enumerate(shape) if i not in norm]
    si, zi = qparams(rng)
    so, zo = qparams(rng)
    x = b.tensor(shape, T_I8, scale=si, zp=zi)
    ax = b.tensor([len(axes)], T_I32, np.array(axes, dtype=np.int32))
    y = b.tensor(out, T_I8, scale=so, zp=zo)
    o = S.ReducerOptionsT()
    o.keepDims = keep
    return b.finish(S.BuiltinOperator.MEAN, [x, ax], [y], [x], S.BuiltinOptions.ReducerOptions, o)


def gen_reshape(rng):
    b = Builder()
    shape = nhwc(rng)
    n = int(np.prod(shape))
    si, zi = qparams(rng)
    x = b.tensor(shape, T_I8, scale=si, zp=zi)
    ns = b.tensor([2], T_I32, np.array([1, n], dtype=np.int32))
    y = b.tensor([1, n], T_I8, scale=si, zp=zi)
    o = S.ReshapeOptionsT()
    o.newShape = [1, n]
    return b.finish(S.BuiltinOperator.RESHAPE, [x, ns], [y], [x], S.BuiltinOptions.ReshapeOptions, o)


def gen_concat(rng):
    b = Builder()
    shape = nhwc(rng)
    axis = int(rng.integers(-1, 4))
    si, zi = qparams(rng)
    ins, total = [], 0
    for _ in range(int(rng.integers(2, 4))):
        s = list(shape)
        s[axis] = int(rng.integers(1, 4))
        total += s[axis]
        ins.append(b.tensor(s, T_I8, scale=si, zp=zi))
    out = list(shape)
    out[axis] = total
    y = b.tensor(out, T_I8, scale=si, zp=zi)
    o = S.ConcatenationOptionsT()
    o.axis = axis
    return b.finish(S.BuiltinOperator.CONCATENATION, ins, [y], ins,
                    S.BuiltinOptions.ConcatenationOptions, o)


def gen_pad(rng):
    b = Builder()
    shape = nhwc(rng)
    p = rng.integers(0, 3, size=(4, 2)).astype(np.int32)
    p[0] = 0
    si, zi = qparams(rng)
    x = b.tensor(shape, T_I8, scale=si, zp=zi)
    pt = b.tensor([4, 2], T_I32, p)
    y = b.tensor([d + int(p[i].sum()) for i, d in enumerate(shape)], T_I8, scale=si, zp=zi)
    return b.finish(S.BuiltinOperator.PAD, [x, pt], [y], [x])


def gen_resize(rng, bilinear, double=False):
    b = Builder()
    shape = nhwc(rng, 1, 7)
    oh, ow = int(rng.integers(1, 15)), int(rng.integers(1, 15))
    if double:
        oh, ow = 2 * shape[1], 2 * shape[2]
    mode = int(rng.integers(0, 3))  # 0 plain, 1 align_corners, 2 half_pixel
    si, zi = qparams(rng)
    x = b.tensor(shape, T_I8, scale=si, zp=zi)
    sz = b.tensor([2], T_I32, np.array([oh, ow], dtype=np.int32))
    y = b.tensor([1, oh, ow, shape[3]], T_I8, scale=si, zp=zi)
    if bilinear:
        o, ot, code = S.ResizeBilinearOptionsT(), S.BuiltinOptions.ResizeBilinearOptions, \
            S.BuiltinOperator.RESIZE_BILINEAR
    else:
        o, ot, code = S.ResizeNearestNeighborOptionsT(), \
            S.BuiltinOptions.ResizeNearestNeighborOptions, S.BuiltinOperator.RESIZE_NEAREST_NEIGHBOR
    o.alignCorners = mode == 1
    o.halfPixelCenters = mode == 2
    return b.finish(code, [x, sz], [y], [x], ot, o)


def gen_softmax(rng, wide=False):
    b = Builder()
    shape = [1, int(rng.integers(1, 5)), int(rng.integers(100, 300) if wide else rng.integers(2, 30))]
    si, zi = qparams(rng, 0.3, 2.0) if wide else qparams(rng, 0.02, 0.5)
    x = b.tensor(shape, T_I8, scale=si, zp=zi)
    y = b.tensor(shape, T_I8, scale=1.0 / 256, zp=-128)
    o = S.SoftmaxOptionsT()
    o.beta = float(rng.choice([1.0, 1.0, 0.5]))
    return b.finish(S.BuiltinOperator.SOFTMAX, [x], [y], [x], S.BuiltinOptions.SoftmaxOptions, o)


def gen_quantize(rng, from_float):
    b = Builder()
    shape = nhwc(rng)
    so, zo = qparams(rng)
    if from_float:
        x = b.tensor(shape, T_F32)
    else:
        si, zi = qparams(rng)
        x = b.tensor(shape, T_I8, scale=si, zp=zi)
    y = b.tensor(shape, T_I8, scale=so, zp=zo)
    return b.finish(S.BuiltinOperator.QUANTIZE, [x], [y], [x])


def gen_dequantize(rng):
    b = Builder()
    shape = nhwc(rng)
    si, zi = qparams(rng)
    x = b.tensor(shape, T_I8, scale=si, zp=zi)
    y = b.tensor(shape, T_F32)
    return b.finish(S.BuiltinOperator.DEQUANTIZE, [x], [y], [x])


def gen_strided_slice(rng):
    b = Builder()
    shape = nhwc(rng, 2, 9)
    begin, end, strides = [0], [1], [1]
    for d in shape[1:]:
        s = int(rng.choice([1, 1, 2, -1]))
        lo, hi = sorted(rng.integers(0, d + 1, size=2).tolist())
        if s > 0:
            begin.append(lo)
            end.append(max(hi, lo + 1))
        else:
            begin.append(max(hi - 1, 0))
            end.append(lo - 1 if lo > 0 else -d - 1)
        strides.append(s)
    si, zi = qparams(rng)
    bm, em = int(rng.integers(0, 16)), int(rng.integers(0, 16))
    shrink = 1 << int(rng.integers(1, 4)) if rng.random() < 0.5 else 0
    full = [np.arange(d) for d in shape]
    sel = []
    for i, d in enumerate(shape):
        if shrink & (1 << i):
            begin[i], end[i], strides[i] = int(rng.integers(0, d)), 0, 1
            bm &= ~(1 << i)
            continue
        bb = None if bm & (1 << i) else begin[i]
        ee = None if em & (1 << i) else end[i]
        if ee is not None and ee < -d:
            ee = None if strides[i] < 0 else ee
        sel.append(full[i][slice(bb, ee, strides[i])].size)
    x = b.tensor(shape, T_I8, scale=si, zp=zi)
    tb = b.tensor([4], T_I32, np.array(begin, dtype=np.int32))
    end = [b_ + 1 if shrink & (1 << i) else e for i, (b_, e) in enumerate(zip(begin, end))]
    te = b.tensor([4], T_I32, np.array(end, dtype=np.int32))
    ts = b.tensor([4], T_I32, np.array(strides, dtype=np.int32))
    y = b.tensor(sel, T_I8, scale=si, zp=zi)
    o = S.StridedSliceOptionsT()
    o.beginMask, o.endMask = bm, em
    o.shrinkAxisMask = shrink
    return b.finish(S.BuiltinOperator.STRIDED_SLICE, [x, tb, te, ts], [y], [x],
                    S.BuiltinOptions.StridedSliceOptions, o)


def gen_transpose(rng):
    b = Builder()
    shape = nhwc(rng)
    perm = rng.permutation(4).astype(np.int32)
    si, zi = qparams(rng)
    x = b.tensor(shape, T_I8, scale=si, zp=zi)
    p = b.tensor([4], T_I32, perm)
    y = b.tensor([shape[i] for i in perm], T_I8, scale=si, zp=zi)
    return b.finish(S.BuiltinOperator.TRANSPOSE, [x, p], [y], [x])


def conv_node(b, rng, x, shape, si, cout, k, stride, depthwise=False):
    """Adds a SAME conv (or depthwise conv) node reading tensor x; returns node, y, shape, scale."""
    cin = shape[3]
    oh, ow = out_size(True, shape[1], k, stride, 1), out_size(True, shape[2], k, stride, 1)
    so, zo = qparams(rng, 0.02, 0.2)
    if depthwise:
        cout, fshape, qdim = cin, [1, k, k, cin], 3
    else:
        fshape, qdim = [cout, k, k, cin], 0
    fs = rng.uniform(0.002, 0.03, size=cout).astype(np.float32)
    f = b.tensor(fshape, T_I8, i8(rng, fshape), fs, 0, qdim)
    bias = b.tensor([cout], T_I32, rng.integers(-2000, 2000, size=cout, dtype=np.int32),
                    (si * fs).astype(np.float32), 0)
    y = b.tensor([1, oh, ow, cout], T_I8, scale=so, zp=zo)
    if depthwise:
        o, ot, code = S.DepthwiseConv2DOptionsT(), S.BuiltinOptions.DepthwiseConv2DOptions, \
            S.BuiltinOperator.DEPTHWISE_CONV_2D
        o.depthMultiplier = 1
    else:
        o, ot, code = S.Conv2DOptionsT(), S.BuiltinOptions.Conv2DOptions, S.BuiltinOperator.CONV_2D
    o.padding, o.strideW, o.strideH = 0, stride, stride
    o.dilationWFactor = o.dilationHFactor = 1
    o.fusedActivationFunction = 1
    return (code, [x, f, bias], [y], ot, o), y, [1, oh, ow, cout], so


def gen_block(rng):
    """A small MobileNet-style network: conv s2 → depthwise → pointwise → residual ADD →
    LEAKY_RELU → MEAN → FULLY_CONNECTED → SOFTMAX, plus a side output. Exercises node order,
    tensor lifetimes (the residual branch) and arena reuse."""
    b = Builder()
    shape = [1, int(rng.integers(8, 17)), int(rng.integers(8, 17)), 3]
    si, zi = qparams(rng, 0.01, 0.03)
    x = b.tensor(shape, T_I8, scale=si, zp=zi)
    c = int(rng.integers(8, 24))
    n1, t1, s1, q1 = conv_node(b, rng, x, shape, si, c, 3, 2)
    n2, t2, s2, q2 = conv_node(b, rng, t1, s1, q1, c, 3, 1, depthwise=True)
    n3, t3, s3, q3 = conv_node(b, rng, t2, s2, q2, c, 1, 1)
    sa, za = qparams(rng, 0.05, 0.3)
    t4 = b.tensor(s3, T_I8, scale=sa, zp=za)
    add = S.AddOptionsT()
    n4 = (S.BuiltinOperator.ADD, [t1, t3], [t4], S.BuiltinOptions.AddOptions, add)
    sl, zl = qparams(rng, 0.05, 0.3)
    t5 = b.tensor(s3, T_I8, scale=sl, zp=zl)
    lo = S.LeakyReluOptionsT()
    lo.alpha = 0.1
    n5 = (S.BuiltinOperator.LEAKY_RELU, [t4], [t5], S.BuiltinOptions.LeakyReluOptions, lo)
    sm, zm = qparams(rng, 0.02, 0.2)
    axes = b.tensor([2], T_I32, np.array([1, 2], dtype=np.int32))
    t6 = b.tensor([1, c], T_I8, scale=sm, zp=zm)
    ro = S.ReducerOptionsT()
    ro.keepDims = False
    n6 = (S.BuiltinOperator.MEAN, [t5, axes], [t6], S.BuiltinOptions.ReducerOptions, ro)
    units = int(rng.integers(3, 12))
    fsc = np.float32(rng.uniform(0.005, 0.03))
    w = b.tensor([units, c], T_I8, i8(rng, (units, c)), fsc, 0)
    bw = b.tensor([units], T_I32, rng.integers(-500, 500, size=units, dtype=np.int32),
                  np.float32(sm * fsc), 0)
    sf, zf = qparams(rng, 0.05, 0.3)
    t7 = b.tensor([1, units], T_I8, scale=sf, zp=zf)
    fo = S.FullyConnectedOptionsT()
    n7 = (S.BuiltinOperator.FULLY_CONNECTED, [t6, w, bw], [t7],
          S.BuiltinOptions.FullyConnectedOptions, fo)
    t8 = b.tensor([1, units], T_I8, scale=1.0 / 256, zp=-128)
    so = S.SoftmaxOptionsT()
    so.beta = 1.0
    n8 = (S.BuiltinOperator.SOFTMAX, [t7], [t8], S.BuiltinOptions.SoftmaxOptions, so)
    return b.finish_graph([n1, n2, n3, n4, n5, n6, n7, n8], [x], [t8, t5])


def gen_compare(rng, code):
    b = Builder()
    sa, sb, out = broadcast_shapes(rng)
    s1, z1 = qparams(rng, 0.01, 0.2)
    s2, z2 = (s1, z1) if rng.random() < 0.3 else qparams(rng, 0.01, 0.2)
    x = b.tensor(sa, T_I8, scale=s1, zp=z1)
    y = b.tensor(sb, T_I8, scale=s2, zp=z2)
    z = b.tensor(out, S.TensorType.BOOL)
    return b.finish(code, [x, y], [z], [x, y])


def gen_cast(rng, src, dst):
    b = Builder()
    shape = nhwc(rng)
    x = b.tensor(shape, src)
    y = b.tensor(shape, dst)
    o = S.CastOptionsT()
    o.inDataType, o.outDataType = src, dst
    return b.finish(S.BuiltinOperator.CAST, [x], [y], [x], S.BuiltinOptions.CastOptions, o)


def gen_split(rng, variable):
    b = Builder()
    shape = nhwc(rng, 2, 9)
    axis = int(rng.integers(1, 4))
    si, zi = qparams(rng)
    if variable:
        n = int(rng.integers(2, 4))
        cuts = sorted(rng.choice(np.arange(1, shape[axis]), size=min(n - 1, shape[axis] - 1),
                                 replace=False).tolist()) if shape[axis] > 1 else []
        sizes = np.diff([0] + cuts + [shape[axis]]).astype(np.int32)
    else:
        n = int(rng.choice([d for d in (1, 2, 3, 4) if shape[axis] % d == 0]))
        sizes = np.full(n, shape[axis] // n, dtype=np.int32)
    x = b.tensor(shape, T_I8, scale=si, zp=zi)
    ax = b.tensor([], T_I32, np.array(axis - 4 if rng.random() < 0.3 else axis, dtype=np.int32))
    outs = []
    for sz in sizes:
        o = list(shape)
        o[axis] = int(sz)
        outs.append(b.tensor(o, T_I8, scale=si, zp=zi))
    if variable:
        st = b.tensor([len(sizes)], T_I32, sizes)
        o = S.SplitVOptionsT()
        o.numSplits = len(sizes)
        return b.finish(S.BuiltinOperator.SPLIT_V, [x, st, ax], outs, [x],
                        S.BuiltinOptions.SplitVOptions, o)
    o = S.SplitOptionsT()
    o.numSplits = len(sizes)
    return b.finish(S.BuiltinOperator.SPLIT, [ax, x], outs, [x], S.BuiltinOptions.SplitOptions, o)


def leaky(rng):
    o = S.LeakyReluOptionsT()
    o.alpha = float(rng.choice([0.1, 0.2, 0.01, -0.3]))
    return o


BO = S.BuiltinOperator
GENERATORS = {
    "conv2d": lambda r: gen_conv(r),
    "conv2d_grouped": lambda r: gen_conv(r, grouped=True),
    "depthwise_conv2d": lambda r: gen_conv(r, depthwise=True),
    "fully_connected": lambda r: gen_fc(r),
    "fully_connected_per_channel": lambda r: gen_fc(r, per_channel=True),
    "fully_connected_4d": lambda r: gen_fc(r, four_d=True),
    "conv2d_pointwise": lambda r: gen_conv(r, pointwise=True),
    "graph_block": gen_block,
    "conv2d_per_tensor": lambda r: gen_conv(r, per_tensor=True),
    "depthwise_conv2d_wide": lambda r: gen_conv(r, depthwise=True, wide=True),
    "softmax_wide": lambda r: gen_softmax(r, wide=True),
    "mean_global": lambda r: gen_mean(r, global_pool=True),
    "resize_nearest_neighbor_2x": lambda r: gen_resize(r, False, double=True),
    "add": lambda r: gen_binary(r, BO.ADD),
    "mul": lambda r: gen_binary(r, BO.MUL),
    "sub": lambda r: gen_binary(r, BO.SUB),
    "squared_difference": lambda r: gen_binary(r, BO.SQUARED_DIFFERENCE),
    "greater": lambda r: gen_compare(r, BO.GREATER),
    "greater_equal": lambda r: gen_compare(r, BO.GREATER_EQUAL),
    "less": lambda r: gen_compare(r, BO.LESS),
    "less_equal": lambda r: gen_compare(r, BO.LESS_EQUAL),
    "equal": lambda r: gen_compare(r, BO.EQUAL),
    "not_equal": lambda r: gen_compare(r, BO.NOT_EQUAL),
    "split": lambda r: gen_split(r, False),
    "split_v": lambda r: gen_split(r, True),
    "cast_bool_i8": lambda r: gen_cast(r, S.TensorType.BOOL, T_I8),
    "cast_bool_f32": lambda r: gen_cast(r, S.TensorType.BOOL, T_F32),
    "cast_i8_f32": lambda r: gen_cast(r, T_I8, T_F32),
    "cast_f32_i8": lambda r: gen_cast(r, T_F32, T_I8),
    "maximum": lambda r: gen_binary(r, BO.MAXIMUM),
    "minimum": lambda r: gen_binary(r, BO.MINIMUM),
    "tanh": lambda r: gen_unary(r, BO.TANH, 1.0 / 128, 0),
    "logistic": lambda r: gen_unary(r, BO.LOGISTIC, 1.0 / 256, -128),
    "prelu": gen_prelu,
    "leaky_relu": lambda r: gen_unary(r, BO.LEAKY_RELU, opts_type=S.BuiltinOptions.LeakyReluOptions,
                                      opts=leaky(r)),
    "relu": lambda r: gen_unary(r, BO.RELU),
    "relu6": lambda r: gen_unary(r, BO.RELU6),
    "hard_swish": lambda r: gen_unary(r, BO.HARD_SWISH),
    "average_pool2d": lambda r: gen_pool(r, BO.AVERAGE_POOL_2D),
    "max_pool2d": lambda r: gen_pool(r, BO.MAX_POOL_2D),
    "mean": gen_mean,
    "reshape": gen_reshape,
    "concatenation": gen_concat,
    "pad": gen_pad,
    "resize_nearest_neighbor": lambda r: gen_resize(r, False),
    "resize_bilinear": lambda r: gen_resize(r, True),
    "softmax": gen_softmax,
    "quantize_f32": lambda r: gen_quantize(r, True),
    "quantize_i8": lambda r: gen_quantize(r, False),
    "dequantize": gen_dequantize,
    "strided_slice": gen_strided_slice,
    "transpose": gen_transpose,
}
MODELS_PER_OP = 4


def fggv_tensor(index, arr):
    if arr.dtype == np.bool_:  # FGGV has no bool: one byte, 0 or 1
        arr = arr.astype(np.uint8)
    dt = {np.dtype(np.int8): 0, np.dtype(np.uint8): 1, np.dtype(np.int32): 2,
          np.dtype(np.float32): 3}[arr.dtype]
    head = struct.pack("<IBB", index, dt, arr.ndim) + struct.pack(f"<{arr.ndim}I", *arr.shape)
    data = np.ascontiguousarray(arr).tobytes()
    return head + struct.pack("<I", len(data)) + data


def run_cases(model, rng):
    it = Interpreter(model_content=model,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    out = [b"FGGV", struct.pack("<II", 1, CASES_PER_MODEL)]
    for _ in range(CASES_PER_MODEL):
        ins = it.get_input_details()
        out.append(struct.pack("<I", len(ins)))
        for d in ins:
            if d["dtype"] == np.float32:
                v = rng.uniform(-3, 3, size=d["shape"]).astype(np.float32)
            elif d["dtype"] == np.bool_:
                v = rng.integers(0, 2, size=d["shape"]).astype(np.bool_)
            else:
                v = rng.integers(-128, 128, size=d["shape"]).astype(np.int8)
            it.set_tensor(d["index"], v)
            out.append(fggv_tensor(d["index"], v))
        it.invoke()
        outs = it.get_output_details()
        out.append(struct.pack("<I", len(outs)))
        for d in outs:
            out.append(fggv_tensor(d["index"], it.get_tensor(d["index"])))
    return b"".join(out)


def main(dest):
    os.makedirs(dest, exist_ok=True)
    for seed, (name, gen) in enumerate(sorted(GENERATORS.items())):
        rng = np.random.default_rng(1000 + seed)
        for k in range(MODELS_PER_OP):
            model = gen(rng)
            golden = run_cases(model, rng)
            stem = os.path.join(dest, f"{name}_{k}")
            with open(stem + ".tflite", "wb") as f:
                f.write(model)
            with open(stem + ".fggv", "wb") as f:
                f.write(golden)
        print(f"{name}: {MODELS_PER_OP} models")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "crates/nn/tests/data/ops")
