# SPDX-License-Identifier: Apache-2.0
"""ImageFolder input pipeline, step loop and command line shared by the training recipes."""
import argparse

import keras
import numpy as np
import tensorflow as tf


def imagefolder(root, size, batch, seed=0):
    """Infinite shuffled batches of ((p - 128)/128 images, int labels) with random flips;
    returns (dataset, class names)."""
    ds = keras.utils.image_dataset_from_directory(
        root, image_size=(size, size), batch_size=None, label_mode="int", shuffle=True,
        seed=seed)
    names = list(ds.class_names)

    def prep(x, y):
        x = tf.image.random_flip_left_right(x)
        return (x - 128.0) / 128.0, y
    ds = ds.shuffle(4096, seed=seed).repeat().map(prep).batch(batch, drop_remainder=True)
    return ds.prefetch(2), names


def run_steps(ds, steps, step_fn, model, out):
    """Runs step_fn(x, y) -> dict of scalars for `steps` batches, prints them, saves the
    model's weights to `out` (if given); returns the losses."""
    losses = []
    for i, (x, y) in enumerate(ds.take(steps)):
        m = step_fn(x, tf.cast(y, tf.int32))
        losses.append(float(m["loss"]))
        print(f"step {i + 1}/{steps} " + " ".join(f"{k} {float(v):.4g}" for k, v in m.items()),
              flush=True)
    if out:
        model.save_weights(out)
    return losses


def recipe_main(make_tiny, train, batch, lr):
    """Command line: --make-tiny DIR, or --data DIR [--steps --batch --lr --out]."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--data")
    ap.add_argument("--make-tiny")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--batch", type=int, default=batch)
    ap.add_argument("--lr", type=float, default=lr)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    if a.make_tiny:
        print(make_tiny(a.make_tiny))
        return
    if not a.data:
        ap.error("--data or --make-tiny is required")
    losses = train(a.data, a.steps, a.batch, a.lr, a.out)
    if not np.all(np.isfinite(losses)):
        raise SystemExit("loss is not finite")
