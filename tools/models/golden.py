# SPDX-License-Identifier: Apache-2.0
"""Writes models/golden/<stem>.fggv: real inputs and LiteRT reference-kernel int8 outputs."""
import numpy as np

import fggv
import tflite_run
from paths import GOLDEN_DIR


def write_golden(model_path, float_inputs):
    """float_inputs: list of cases, each a list of float arrays (one per model input), which
    are quantised with the model's own input parameters."""
    it = tflite_run.interpreter(model_path)
    ind, outd = it.get_input_details(), it.get_output_details()
    cases = []
    for xs in float_inputs:
        q = [tflite_run.quantize(x, d).reshape(d["shape"]) for x, d in zip(xs, ind)]
        outs = tflite_run.run(it, q)
        cases.append(([(int(d["index"]), a) for d, a in zip(ind, q)],
                      [(int(d["index"]), np.asarray(o)) for d, o in zip(outd, outs)]))
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    path = GOLDEN_DIR / (model_path.stem + ".fggv")
    fggv.write(path, cases)
    n = fggv.check(path, model_path)
    return path, n
