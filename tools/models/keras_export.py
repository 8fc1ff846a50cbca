# SPDX-License-Identifier: Apache-2.0
"""Shared export of Keras models (untrained here) to full-int8 TFLite, with checks."""
import numpy as np
import tensorflow as tf

import convert
import tflite_run


def set_bn_statistics(model, batches):
    """Re-estimates BatchNorm moving statistics on real inputs (forward passes in training
    mode; no weight update), so that untrained activations are normalised for calibration."""
    for b in batches:
        model(b, training=True)


def prepare_and_export(model, inputs, weights, out_path):
    """Loads trained weights, or (untrained) re-estimates BN statistics on `inputs`; then
    exports with `inputs` as the representative set, the first one pinned so the input
    range is exactly [-1, 127/128] (int8 input = pixel - 128, scale 1/128, zero point 0)."""
    if weights is not None:
        model.load_weights(weights)
    else:
        x = np.concatenate(inputs)
        set_bn_statistics(model, [x[i:i + 16] for i in range(0, len(x), 16)] * 3)
    rep = list(inputs)
    rep[0] = rep[0].copy()
    rep[0][0, 0, 0] = [-1.0, 127 / 128, 0]
    return export_int8(model, rep, out_path)


def export_int8(model, representative, out_path):
    shape = [1] + list(model.input_shape[1:])

    @tf.function(input_signature=[tf.TensorSpec(shape, tf.float32)])
    def f(x):
        return model(x, training=False)

    conv = tf.lite.TFLiteConverter.from_concrete_functions([f.get_concrete_function()], f)
    convert.quantize_converter(conv, representative, out_path)
    return f


def float_vs_int8(f, out_path, inputs):
    """Cosine similarity of flattened outputs, float Keras vs int8 (reference kernels)."""
    it = tflite_run.interpreter(out_path)
    cs = []
    for x in inputs:
        a = f(tf.constant(x)).numpy().reshape(-1).astype(np.float64)
        b = tflite_run.run_float_io(it, [x])[0].reshape(-1)
        cs.append(float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12)))
    return np.array(cs)
