# SPDX-License-Identifier: Apache-2.0
"""Cross-layer range equalisation on an ONNX graph (NCHW convs).

For each chain  Conv P -> (PRelu | Relu | LeakyRelu) -> Conv C  (each tensor used once), the
activation's channel i is scaled by 1/s_i: P's output channel i (weights and bias) is divided
by s_i and C's input channel i is multiplied by s_i. The three activations commute with a
positive per-channel scale, so the float function is unchanged; per-tensor int8 activations
then see channel ranges that are far closer together.

s_i is chosen from the measured extent r_i (max |value| over calibration data of the
activation's input and output, whichever is larger):
  * C depthwise (per-channel weights: scaling is free): s_i = r_i / max(r)
  * C regular conv: s_i = sqrt(r_i / w_i) (w_i = C's largest |weight| on input channel i),
    normalised; this balances activation and weight ranges (Nagel et al. 2019).
"""
import numpy as np
import onnx
from onnx import numpy_helper

ACTS = ("PRelu", "Relu", "LeakyRelu")


def _attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def chains(model):
    g = model.graph
    prod = {o: n for n in g.node for o in n.output}
    users = {}
    for n in g.node:
        for i in n.input:
            users.setdefault(i, []).append(n)
    outs = {o.name for o in g.output}
    found = []
    for act in g.node:
        if act.op_type not in ACTS:
            continue
        p = prod.get(act.input[0])
        if p is None or p.op_type != "Conv" or len(users.get(p.output[0], [])) != 1:
            continue
        u = users.get(act.output[0], [])
        if len(u) != 1 or u[0].op_type != "Conv" or act.output[0] in outs:
            continue
        if p.output[0] in outs:
            continue
        found.append((p, act, u[0]))
    return found


def activation_ranges(model, tensor_names, feeds):
    """Per-channel max |value| of the named NCHW tensors over a list of input feeds."""
    import onnxruntime as ort
    m = onnx.ModelProto()
    m.CopyFrom(model)
    del m.graph.output[:]
    for t in tensor_names:
        m.graph.output.append(onnx.helper.make_empty_tensor_value_info(t))
    s = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    lo = {t: None for t in tensor_names}
    hi = {t: None for t in tensor_names}
    for feed in feeds:
        for t, v in zip(tensor_names, s.run(tensor_names, feed)):
            mn, mx = v.min(axis=(0, 2, 3)), v.max(axis=(0, 2, 3))
            lo[t] = mn if lo[t] is None else np.minimum(lo[t], mn)
            hi[t] = mx if hi[t] is None else np.maximum(hi[t], mx)
    return {t: np.maximum(np.maximum(np.abs(hi[t]), np.abs(lo[t])), 1e-6) for t in tensor_names}


def equalize(model, feeds, iterations=2, mode="balanced"):
    """Returns (equalised model, number of chains). feeds: list of {input_name: array}."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    inits = {i.name: i for i in m.graph.initializer}
    cs = chains(m)
    for _ in range(iterations):
        names = [a.output[0] for _, a, _ in cs] + [a.input[0] for _, a, _ in cs]
        ranges = activation_ranges(m, names, feeds)
        for p, act, c in cs:
            # both the activation's input and output are int8 per-tensor: balance the larger
            r = np.maximum(ranges[act.output[0]], ranges[act.input[0]]).astype(np.float64)
            w1 = numpy_helper.to_array(inits[p.input[1]]).astype(np.float64)
            w2 = numpy_helper.to_array(inits[c.input[1]]).astype(np.float64)
            depthwise = _attr(c, "group", 1) == w2.shape[0] and w2.shape[1] == 1 and \
                w2.shape[0] == len(r)
            if depthwise or mode == "activation":
                s = r / r.max()
            elif mode == "depthwise_only":
                continue
            else:
                wi = np.maximum(np.abs(w2).max(axis=(0, 2, 3)), 1e-8)
                s = np.sqrt(r / wi)
                s = s / s.max()
            s = np.maximum(s, 1e-3)
            w1 = w1 / s.reshape(-1, 1, 1, 1)
            inits[p.input[1]].CopyFrom(numpy_helper.from_array(w1.astype(np.float32), p.input[1]))
            if len(p.input) > 2:
                b1 = numpy_helper.to_array(inits[p.input[2]]).astype(np.float64) / s
                inits[p.input[2]].CopyFrom(numpy_helper.from_array(b1.astype(np.float32),
                                                                   p.input[2]))
            if depthwise:
                w2 = w2 * s.reshape(-1, 1, 1, 1)
            else:
                w2 = w2 * s.reshape(1, -1, 1, 1)
            inits[c.input[1]].CopyFrom(numpy_helper.from_array(w2.astype(np.float32), c.input[1]))
    return m, len(cs)
