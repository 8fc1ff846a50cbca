# SPDX-License-Identifier: Apache-2.0
"""Golden vectors for every shipped model: a few real inputs each (see models/README.md)."""
import sys

import numpy as np

import dataset
from golden import write_golden
from imgio import letterbox
from paths import MODELS_DIR


def retinaface():
    from build_retinaface import H, W, to_input
    return [[to_input(letterbox(dataset.image(n), W, H)[0])] for n in ("t1.jpg", "obama.jpg")]


def aligned_inputs(names, to_input):
    crops, ids, _ = dataset.aligned_faces()
    fs = dataset.faces()
    picked = [crops[[f["image"] for f in fs].index(n)] for n in names]
    return [[to_input(c)] for c in picked]


def mobilefacenet():
    from build_mobilefacenet import to_input
    return aligned_inputs(("obama.jpg", "obama2.jpg", "biden.jpg", "t1.jpg"), to_input)


def blazeface():
    from build_blazeface import golden_inputs
    return golden_inputs()


def dtn():
    from build_dtn import golden_inputs
    return golden_inputs()


def edgeface_csa():
    from edgeface_csa_export import to_input
    return aligned_inputs(("obama.jpg", "biden.jpg"), to_input)


def antispoof_mobilenetv2():
    from antispoof_mnv2_export import golden_inputs
    return golden_inputs()


MODELS = {
    "detector_retinaface_mnet025": retinaface,
    "recognizer_mobilefacenet": mobilefacenet,
    "detector_blazeface_short": blazeface,
    "antispoof_dtn": dtn,
    "recognizer_edgeface_csa": edgeface_csa,
    "antispoof_mobilenetv2": antispoof_mobilenetv2,
}


def main(stems):
    for stem in stems or MODELS:
        model = MODELS_DIR / f"{stem}.tflite"
        if not model.exists():
            print(f"{stem}: no model file, skipped")
            continue
        path, n = write_golden(model, MODELS[stem]())
        print(f"{path.name}: {n} cases, {path.stat().st_size} bytes, self-check passed")


if __name__ == "__main__":
    main(sys.argv[1:])
