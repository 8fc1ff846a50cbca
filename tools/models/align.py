# SPDX-License-Identifier: Apache-2.0
"""5-point similarity alignment of a face to the standard ArcFace 112x112 template."""
import numpy as np

from imgio import warp_affine

# Left eye, right eye (image left/right), nose tip, left and right mouth corners, at 112x112.
ARCFACE_112 = np.array([
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
], dtype=np.float64)


def similarity(src, dst):
    """Least-squares similarity transform (Umeyama, no reflection) mapping src -> dst points.

    Returns a 2x3 matrix m with dst ~= m[:, :2] @ src + m[:, 2].
    """
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s, d = src - mu_s, dst - mu_d
    cov = d.T @ s / len(src)
    u, sig, vt = np.linalg.svd(cov)
    e = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        e[1, 1] = -1.0
    r = u @ e @ vt
    var_s = (s ** 2).sum() / len(src)
    c = (sig * np.diag(e)).sum() / var_s
    t = mu_d - c * r @ mu_s
    return np.hstack([c * r, t[:, None]])


def align_face(img, landmarks, size=112, jitter=None):
    """Warps img so that the 5 landmarks land on the ArcFace template (scaled to `size`).

    `jitter` is an optional 2x3 similarity applied after alignment (augmentation).
    """
    m = similarity(landmarks, ARCFACE_112 * (size / 112.0))
    if jitter is not None:
        m = np.vstack([jitter, [0, 0, 1]]) @ np.vstack([m, [0, 0, 1]])
        m = m[:2]
    return warp_affine(img, m, size, size)


def jitter_matrix(rng, size=112, max_rot_deg=8.0, max_scale=0.06, max_shift=3.0):
    """A random small similarity about the crop centre, for augmentation."""
    ang = np.deg2rad(rng.uniform(-max_rot_deg, max_rot_deg))
    sc = 1.0 + rng.uniform(-max_scale, max_scale)
    c = size / 2.0
    ca, sa = sc * np.cos(ang), sc * np.sin(ang)
    tx, ty = rng.uniform(-max_shift, max_shift, 2)
    return np.array([[ca, -sa, c - ca * c + sa * c + tx], [sa, ca, c - sa * c - ca * c + ty]])
