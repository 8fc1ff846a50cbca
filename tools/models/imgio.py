# SPDX-License-Identifier: Apache-2.0
"""Image loading and geometric resampling (RGB uint8 HxWx3 numpy arrays)."""
import numpy as np
from PIL import Image


def load_rgb(path):
    """Loads an image file as RGB uint8 (alpha dropped, grey expanded)."""
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()


def resize(img, w, h):
    """Bilinear resize to exactly w x h."""
    return np.asarray(Image.fromarray(img).resize((w, h), Image.BILINEAR), dtype=np.uint8)


def letterbox(img, w, h, fill=128):
    """Scales img to fit w x h keeping aspect ratio, centred, padded with `fill`.

    Returns (frame, scale, dx, dy): frame pixel = original pixel * scale + (dx, dy).
    """
    ih, iw = img.shape[:2]
    scale = min(w / iw, h / ih)
    nw, nh = max(1, round(iw * scale)), max(1, round(ih * scale))
    out = np.full((h, w, 3), fill, np.uint8)
    dx, dy = (w - nw) // 2, (h - nh) // 2
    out[dy:dy + nh, dx:dx + nw] = resize(img, nw, nh)
    return out, nw / iw, dx, dy


def warp_affine(img, m, w, h, fill=0):
    """Samples img at the inverse of the 2x3 forward matrix m (src -> dst), bilinear, w x h."""
    a = np.vstack([m, [0.0, 0.0, 1.0]])
    inv = np.linalg.inv(a)[:2].reshape(-1)
    out = Image.fromarray(img).transform(
        (w, h), Image.AFFINE, data=tuple(inv), resample=Image.BILINEAR, fillcolor=(fill,) * 3)
    return np.asarray(out, dtype=np.uint8)
