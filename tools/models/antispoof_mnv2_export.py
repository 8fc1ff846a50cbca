# SPDX-License-Identifier: Apache-2.0
"""Exports the MobileNetV2 anti-spoof classifier with UNTRAINED weights to
models/antispoof_mobilenetv2.tflite (random init, seed 0, BatchNorm statistics re-estimated
on real face crops). No spoof (print/replay/mask) images exist in any reachable package, so it
cannot be trained or evaluated here; the file fixes the op set, size and int8 interface.
"""
import json
import sys

import keras
import numpy as np

import antispoof_mnv2
import dataset
import keras_export
import tflite_run
from paths import MODELS_DIR, WORK

OUT = MODELS_DIR / "antispoof_mobilenetv2.tflite"


def to_input(crop):
    return (crop.astype(np.float32)[None] - 128.0) / 128.0


def crops(augment, seed):
    return dataset.face_context_crops(antispoof_mnv2.INPUT, scale=antispoof_mnv2.CROP_SCALE,
                                      augment=augment, seed=seed)


def build(weights=None):
    keras.utils.set_random_seed(0)
    model = antispoof_mnv2.build()
    calib, _ = crops(8, 51)
    f = keras_export.prepare_and_export(model, [to_input(c) for c in calib], weights, OUT)
    valid, _ = crops(2, 52)
    it = tflite_run.interpreter(OUT)
    same = 0
    for c in valid:
        a = f(keras_export.tf.constant(to_input(c))).numpy().reshape(-1)
        b = tflite_run.run_float_io(it, [to_input(c)])[0].reshape(-1)
        same += int(np.argmax(a) == np.argmax(b))
    ops = tflite_run.op_names(OUT)
    params, macs = tflite_run.model_stats(OUT)
    report = dict(model=OUT.name, keras_params=int(model.count_params()), tflite_params=params,
                  tflite_macs=macs, ops=sorted(set(ops)), crops=len(valid),
                  untrained_same_argmax=same, io=tflite_run.io_report(OUT))
    (WORK / "report_antispoof_mnv2.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


def golden_inputs():
    c, _ = crops(0, 0)
    names = [f["image"] for f in dataset.faces()]
    return [[to_input(c[names.index(n)])] for n in ("obama.jpg", "t1.jpg")]


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else None)
