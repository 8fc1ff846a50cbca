# SPDX-License-Identifier: Apache-2.0
"""Shared conversion path: static ONNX -> onnx2tf (float SavedModel) -> int8 TFLite."""
import os
import shutil
import subprocess
import sys

import numpy as np

from paths import WORK

ONNX2TF_SAMPLE = "calibration_image_sample_data_20x128x128x3_float32.npy"


def ensure_onnx2tf_sample(frames_0_1):
    """onnx2tf loads (or else downloads) a sample file at start: give it real images instead."""
    path = WORK / ONNX2TF_SAMPLE
    if not path.exists():
        np.save(path, np.asarray(frames_0_1, np.float32))
    return path


def simplify_static(model, input_shapes):
    """Fixes input shapes and folds shape arithmetic (onnxsim)."""
    import onnxsim
    out, ok = onnxsim.simplify(model, overwrite_input_shapes=input_shapes)
    if not ok:
        raise SystemExit("onnxsim could not validate the simplified model")
    return out


def onnx_to_saved_model(onnx_path, out_dir):
    """Runs onnx2tf in a subprocess (cwd = work dir so its sample file is found)."""
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    cmd = [sys.executable, "-m", "onnx2tf", "-i", str(onnx_path), "-o", str(out_dir), "-osd",
           "-n"]
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="-1", TF_CPP_MIN_LOG_LEVEL="2",
               TF_DETERMINISTIC_OPS="1")
    r = subprocess.run(cmd, cwd=WORK, env=env, capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(os.path.join(out_dir, "saved_model.pb")):
        sys.stderr.write(r.stdout[-5000:] + r.stderr[-5000:])
        raise SystemExit(f"onnx2tf failed on {onnx_path}")
    return out_dir


def saved_model_to_int8(saved_model_dir, representative, out_path):
    """Full-integer quantisation: per-channel int8 weights, int8 activations, int8 I/O.

    `representative` is a list of input arrays (NHWC float32, batch 1)."""
    import tensorflow as tf
    conv = tf.lite.TFLiteConverter.from_saved_model(str(saved_model_dir))
    return quantize_converter(conv, representative, out_path)


def quantize_converter(conv, representative, out_path):
    """Applies the full-int8 settings to a TFLiteConverter and writes the result."""
    import tensorflow as tf
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8

    def gen():
        for x in representative:
            yield [np.asarray(x, np.float32)]

    conv.representative_dataset = gen
    data = conv.convert()
    with open(out_path, "wb") as f:
        f.write(data)
    return out_path
