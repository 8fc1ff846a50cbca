# SPDX-License-Identifier: Apache-2.0
"""Real faces and frames for calibration and validation (with seeded augmentation).

All faces come from the images in tests/data/images/; landmarks from the float RetinaFace."""
import numpy as np

from align import align_face, jitter_matrix
from imgio import letterbox, load_rgb, resize
from paths import IMAGES_DIR

# image -> identity (None: several unlabelled people).
IMAGES = {
    "obama.jpg": "obama",
    "obama2.jpg": "obama",
    "obama3.jpg": "obama",
    "obama_partial_face.jpg": "obama",
    "biden.jpg": "biden",
    "astronaut.png": "collins",
    "Tom_Hanks_54745.png": "hanks",
    "t1.jpg": None,
}
DETECT_LONG_SIDE = 640

_cache = {}


def image(name):
    if name not in _cache:
        _cache[name] = load_rgb(IMAGES_DIR / name)
    return _cache[name]


def faces():
    """Every face the float RetinaFace finds (score > 0.9) in every image, as dicts with
    image, identity, landmarks and box in original pixels. Cached."""
    if "faces" in _cache:
        return _cache["faces"]
    from retinaface import FloatRetinaFace
    det = FloatRetinaFace()
    out = []
    for name, ident in IMAGES.items():
        img = image(name)
        h, w = img.shape[:2]
        s = min(1.0, DETECT_LONG_SIDE / max(h, w))
        small = resize(img, max(1, round(w * s)), max(1, round(h * s))) if s < 1 else img
        sx, sy = small.shape[1] / w, small.shape[0] / h
        for k, d in enumerate(det.detect(small)):
            out.append(dict(image=name, identity=ident if ident else f"{name}#{k}",
                            labelled=ident is not None,
                            landmarks=d["landmarks"] / [sx, sy],
                            box=d["box"] / [sx, sy, sx, sy], score=d["score"]))
    _cache["faces"] = out
    return out


def photometric(img, rng):
    x = img.astype(np.float64) / 255.0
    x = x ** rng.uniform(0.7, 1.4)
    x = x * rng.uniform(0.6, 1.3) * rng.uniform(0.9, 1.1, 3) + rng.uniform(-0.12, 0.12)
    x = x * 255.0 + rng.normal(0.0, rng.uniform(0.0, 5.0), x.shape)
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def aligned_faces(size=112, augment=0, seed=0, recolour=True):
    """Unaugmented aligned crops of all faces, then `augment` jittered/flipped/recoloured
    variants of each. Returns (crops uint8 [N,size,size,3], identities, augmented flags)."""
    rng = np.random.default_rng(seed)
    crops, ids, aug = [], [], []
    fs = faces()
    for f in fs:
        crops.append(align_face(image(f["image"]), f["landmarks"], size))
        ids.append(f["identity"])
        aug.append(False)
    for _ in range(augment):
        for f in fs:
            c = align_face(image(f["image"]), f["landmarks"], size, jitter_matrix(rng, size))
            if rng.random() < 0.5:
                c = c[:, ::-1]
            crops.append(photometric(c, rng) if recolour else c)
            ids.append(f["identity"])
            aug.append(True)
    return np.stack(crops), ids, np.array(aug)


def face_context_crops(size, scale=1.5, augment=0, seed=0):
    """Square crops around each face box (side = scale x max box side), resized to size."""
    rng = np.random.default_rng(seed)
    out, aug = [], []
    for rep in range(augment + 1):
        for f in faces():
            img = image(f["image"])
            x0, y0, x1, y1 = f["box"]
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            side = max(x1 - x0, y1 - y0) * scale
            if rep:
                side *= rng.uniform(0.85, 1.2)
                cx += rng.uniform(-0.08, 0.08) * side
                cy += rng.uniform(-0.08, 0.08) * side
            m = np.array([[size / side, 0, size / 2 - cx * size / side],
                          [0, size / side, size / 2 - cy * size / side]])
            from imgio import warp_affine
            c = warp_affine(img, m, size, size)
            if rep:
                if rng.random() < 0.5:
                    c = c[:, ::-1]
                c = photometric(c, rng)
            out.append(c)
            aug.append(rep > 0)
    return np.stack(out), np.array(aug)


def frames(w, h, n, seed=0, face_px=(16, 220), fill=None, recolour=True):
    """n camera-like frames: first the plain letterboxed images (grey pad), then random
    views placing a real face at a random size (face_px wide) and position, or letterboxed
    whole images, flipped and recoloured."""
    from imgio import warp_affine
    rng = np.random.default_rng(seed)
    names = list(IMAGES)
    out = [letterbox(image(k), w, h)[0] for k in names]
    fs = faces()
    while len(out) < n:
        if rng.random() < 0.2:
            img = image(names[rng.integers(len(names))])
            f = letterbox(img, w, h, fill=int(rng.integers(0, 256)) if fill is None else fill)[0]
        else:
            face = fs[rng.integers(len(fs))]
            img = image(face["image"])
            x0, y0, x1, y1 = face["box"]
            s = rng.uniform(*face_px) / max(x1 - x0, 1.0)
            fx, fy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.15, 0.85) * h
            m = np.array([[s, 0, fx - s * (x0 + x1) / 2], [0, s, fy - s * (y0 + y1) / 2]])
            f = warp_affine(img, m, w, h, fill=int(rng.integers(0, 256)) if fill is None else fill)
        if rng.random() < 0.5:
            f = f[:, ::-1]
        out.append(photometric(f, rng) if recolour else f)
    return np.stack(out[:n])


def write_tiny_imagefolder(root, per_class=8, seed=41):
    """A tiny aligned-112 ImageFolder (root/<identity>/<n>.png) from the real faces, to prove
    that training recipes run: the unaugmented crop plus augmented variants per identity
    (the six unlabelled t1.jpg faces are six different people: one class each)."""
    from pathlib import Path

    from PIL import Image
    root = Path(root)
    crops, ids, _ = aligned_faces(augment=per_class, seed=seed)
    counts = {}
    for c, ident in zip(crops, ids):
        name = ident.replace(".jpg#", "_").replace(".", "_")
        k = counts.get(name, 0)
        counts[name] = k + 1
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        Image.fromarray(c).save(d / f"{k:03d}.png")
    return counts
