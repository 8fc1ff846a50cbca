# SPDX-License-Identifier: Apache-2.0
"""Fixed locations used by the model tools (work dir is git-ignored)."""
from pathlib import Path

TOOLS_DIR = Path(__file__).resolve().parent
REPO = TOOLS_DIR.parent.parent
WORK = TOOLS_DIR / ".work"
PKG_DIR = WORK / "pkgs"
SRC_DIR = WORK / "src"
IMAGES_DIR = REPO / "tests" / "data" / "images"
MODELS_DIR = REPO / "models"
GOLDEN_DIR = MODELS_DIR / "golden"
