# SPDX-License-Identifier: Apache-2.0
"""Running and inspecting .tflite files with LiteRT (reference kernels by default)."""
import numpy as np


def interpreter(model, reference=True):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    kw = dict(model_content=model) if isinstance(model, (bytes, bytearray)) else dict(
        model_path=str(model))
    if reference:
        kw["experimental_op_resolver_type"] = OpResolverType.BUILTIN_REF
    it = Interpreter(num_threads=1, **kw)
    it.allocate_tensors()
    return it


def op_names(model):
    it = interpreter(model, reference=True)
    return [d["op_name"] for d in it._get_ops_details()]


def run(it, inputs):
    """Runs with raw input arrays (already in the tensors' dtype); returns raw outputs."""
    for d, x in zip(it.get_input_details(), inputs):
        it.set_tensor(d["index"], np.asarray(x, d["dtype"]).reshape(d["shape"]))
    it.invoke()
    return [it.get_tensor(d["index"]).copy() for d in it.get_output_details()]


def quantize(x, detail):
    s, z = detail["quantization"]
    info = np.iinfo(detail["dtype"])
    return np.clip(np.round(np.asarray(x, np.float64) / s) + z, info.min, info.max).astype(
        detail["dtype"])


def dequantize(q, detail):
    s, z = detail["quantization"]
    return (q.astype(np.float64) - z) * s


def run_float_io(it, inputs):
    """Quantises float inputs, runs, dequantises outputs (sorted as output details)."""
    ins = [quantize(x, d) for x, d in zip(inputs, it.get_input_details())]
    outs = run(it, ins)
    return [dequantize(o, d) for o, d in zip(outs, it.get_output_details())]


def model_stats(model):
    """(params, MACs) of a .tflite: params = elements of constant weight/bias tensors of
    CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, PRELU; MACs of those multiply layers."""
    it = interpreter(model)
    td = {t["index"]: t for t in it.get_tensor_details()}
    params, macs = 0, 0
    for op in it._get_ops_details():
        name = op["op_name"]
        if name not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "PRELU"):
            continue
        ins = [i for i in op["inputs"] if i >= 0]
        for i in ins[1:]:
            params += int(np.prod(td[i]["shape"]))
        out = int(np.prod(td[op["outputs"][0]]["shape"]))
        w = td[ins[1]]["shape"]
        if name == "CONV_2D":
            macs += out * int(w[1] * w[2] * w[3])
        elif name == "DEPTHWISE_CONV_2D":
            macs += out * int(w[1] * w[2])
        elif name == "FULLY_CONNECTED":
            macs += out * int(w[1])
    return params, macs


def io_report(model):
    """Index, shape, dtype and quantisation of the model's inputs then outputs."""
    it = interpreter(model)
    return [dict(name=d["name"], index=int(d["index"]), shape=d["shape"].tolist(),
                 dtype=d["dtype"].__name__, scale=float(d["quantization"][0]),
                 zero_point=int(d["quantization"][1]))
            for d in it.get_input_details() + it.get_output_details()]
