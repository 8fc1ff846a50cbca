# SPDX-License-Identifier: Apache-2.0
"""Writes tests/data/images/aligned/*.png: every face the float RetinaFace finds in the test
images, 5-point aligned to the ArcFace 112x112 template, plus aligned_faces.csv with the
source landmarks (original image pixels) that produced each crop."""
from PIL import Image

import dataset
from paths import IMAGES_DIR


def main():
    out = IMAGES_DIR / "aligned"
    out.mkdir(parents=True, exist_ok=True)
    crops, ids, _ = dataset.aligned_faces()
    rows = ["file,source,identity,score,lx0,ly0,lx1,ly1,lx2,ly2,lx3,ly3,lx4,ly4"]
    counts = {}
    for crop, f in zip(crops, dataset.faces()):
        stem = f["image"].rsplit(".", 1)[0]
        k = counts.get(stem, 0)
        counts[stem] = k + 1
        name = f"{stem}_{k}.png"
        Image.fromarray(crop).save(out / name, optimize=True)
        lm = ",".join(f"{v:.2f}" for v in f["landmarks"].reshape(-1))
        ident = f["identity"] if f["labelled"] else ""
        rows.append(f"{name},{f['image']},{ident},{f['score']:.4f},{lm}")
    (out / "aligned_faces.csv").write_text("\n".join(rows) + "\n")
    print(f"{len(crops)} aligned crops in {out}")


if __name__ == "__main__":
    main()
