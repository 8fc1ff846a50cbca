# SPDX-License-Identifier: Apache-2.0
"""Exports EdgeFace-CSA with UNTRAINED weights to models/recognizer_edgeface_csa.tflite.

No face-recognition training set is reachable offline (no MS1MV2/WebFace/Glint, no
pretrained EdgeFace in any package), so the weights are random (seed 0) with BatchNorm
statistics re-estimated on real aligned faces and layer scales set to 0.1 (instead of the
training init 1e-6) so that every branch takes part in the int8 graph. The file proves the
architecture's op set, size and int8 conversion; its embeddings mean nothing.
"""
import json

import keras
import numpy as np

import dataset
import edgeface_csa
import keras_export
import tflite_run
from paths import MODELS_DIR, WORK

OUT = MODELS_DIR / "recognizer_edgeface_csa.tflite"
FORBIDDEN = ("BATCH_MATMUL", "SOFTMAX")


def to_input(crop):
    return (crop.astype(np.float32)[None] - 128.0) / 128.0


def build(weights=None):
    """weights: a file saved by train_edgeface_csa.py; None exports the untrained model."""
    keras.utils.set_random_seed(0)
    model = edgeface_csa.build(ls_init=0.1 if weights is None else 1e-6)
    crops, _, aug = dataset.aligned_faces(augment=8, seed=31)
    f = keras_export.prepare_and_export(model, [to_input(c) for c in crops], weights, OUT)
    ops = tflite_run.op_names(OUT)
    bad = [o for o in FORBIDDEN if o in ops]
    if bad:
        raise SystemExit(f"forbidden ops in {OUT.name}: {bad}")
    vcrops, _, vaug = dataset.aligned_faces(augment=2, seed=32)
    cs = keras_export.float_vs_int8(f, OUT, [to_input(c) for c in vcrops])
    params, macs = tflite_run.model_stats(OUT)
    report = dict(model=OUT.name, keras_params=int(model.count_params()),
                  keras_trainable=int(sum(int(np.prod(w.shape)) for w in model.trainable_weights)),
                  tflite_params=params, tflite_macs=macs, ops=sorted(set(ops)),
                  op_counts={o: ops.count(o) for o in sorted(set(ops))},
                  forbidden_present=bad,
                  untrained_float_vs_int8_cos_min=float(cs.min()),
                  untrained_float_vs_int8_cos_mean=float(cs.mean()),
                  io=tflite_run.io_report(OUT))
    (WORK / "report_edgeface_csa.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    import sys
    build(sys.argv[1] if len(sys.argv) > 1 else None)
