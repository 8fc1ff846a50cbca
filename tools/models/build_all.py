# SPDX-License-Identifier: Apache-2.0
"""Regenerates everything in order (run through build.sh, which sets up the venv).

Stages: fetch, aligned, retinaface, mobilefacenet, blazeface, dtn, edgeface_csa,
antispoof_mnv2, golden, sums. With no argument all run; runs one model conversion at a time.
"""
import hashlib
import importlib
import sys
import time

from paths import GOLDEN_DIR, MODELS_DIR

STAGES = {
    "fetch": ("fetch", "main"),
    "aligned": ("write_aligned", "main"),
    "retinaface": ("build_retinaface", "build"),
    "mobilefacenet": ("build_mobilefacenet", "build"),
    "blazeface": ("build_blazeface", "build"),
    "dtn": ("build_dtn", "build"),
    "edgeface_csa": ("edgeface_csa_export", "build"),
    "antispoof_mnv2": ("antispoof_mnv2_export", "build"),
    "golden": ("make_golden", "main"),
}


def sums():
    for p in sorted(MODELS_DIR.glob("*.tflite")) + sorted(GOLDEN_DIR.glob("*.fggv")):
        print(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(MODELS_DIR.parent)}")


def main(args):
    wanted = args or list(STAGES) + ["sums"]
    for name in wanted:
        t = time.time()
        print(f"== {name}", flush=True)
        if name == "sums":
            sums()
            continue
        mod, fn = STAGES[name]
        f = getattr(importlib.import_module(mod), fn)
        f([]) if fn == "main" and mod == "make_golden" else f()
        print(f"== {name} done in {time.time() - t:.0f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
