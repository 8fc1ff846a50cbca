# SPDX-License-Identifier: Apache-2.0
"""Training recipe for the MobileNetV2 anti-spoof classifier (antispoof_mnv2.py).

    python3 tools/models/train_antispoof_mnv2.py --data DIR [--steps N] [--batch 64]
        [--lr 1e-3] [--out weights.weights.h5]
    python3 tools/models/train_antispoof_mnv2.py --make-tiny DIR

DIR/live/* and DIR/spoof/* hold face crops (side = 1.5 x the detector box, same centre),
any size (resized to 128x128). Recipe: cross-entropy on (live, spoof), AdamW, cosine decay,
flips; real training needs a face anti-spoofing set (CelebA-Spoof, OULU-NPU, SiW, ... check
their licences: most are research-only). None is reachable here: --make-tiny writes a
PLUMBING-ONLY folder whose "spoof" class is synthetic (real crops degraded by a moire
pattern, blur, colour cast and coarse requantisation, like a crude recapture), which proves
the recipe runs and nothing else. Export trained weights with antispoof_mnv2_export.py.
"""
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

import antispoof_mnv2
from train_data import imagefolder, recipe_main, run_steps


def fake_recapture(crop, rng):
    """A crude synthetic 'spoof' (plumbing only): moire + blur + colour cast + banding."""
    h, w = crop.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    f = rng.uniform(0.3, 0.9)
    ang = rng.uniform(0, np.pi)
    moire = 12.0 * np.sin(f * (xx * np.cos(ang) + yy * np.sin(ang)))[..., None]
    x = crop.astype(np.float64)
    x = (x + np.roll(x, 1, 0) + np.roll(x, 1, 1) + np.roll(x, (1, 1), (0, 1))) / 4.0
    x = x * rng.uniform(0.85, 1.1, 3) + moire
    x = np.round(x / 12.0) * 12.0
    return np.clip(x, 0, 255).astype(np.uint8)


def make_tiny(root, augment=8, seed=61):
    from PIL import Image

    import dataset
    rng = np.random.default_rng(seed)
    crops, _ = dataset.face_context_crops(antispoof_mnv2.INPUT, antispoof_mnv2.CROP_SCALE,
                                          augment=augment, seed=seed)
    for cls in antispoof_mnv2.CLASSES:
        (Path(root) / cls).mkdir(parents=True, exist_ok=True)
    for i, c in enumerate(crops):
        Image.fromarray(c).save(Path(root) / "live" / f"{i:03d}.png")
        Image.fromarray(fake_recapture(c, rng)).save(Path(root) / "spoof" / f"{i:03d}.png")
    return len(crops)


def train(root, steps, batch, lr, out, seed=0):
    keras.utils.set_random_seed(seed)
    ds, names = imagefolder(root, antispoof_mnv2.INPUT, batch, seed)
    if tuple(names) != antispoof_mnv2.CLASSES:
        raise SystemExit(f"expected classes {antispoof_mnv2.CLASSES}, found {names}")
    model = antispoof_mnv2.build()
    sched = keras.optimizers.schedules.CosineDecay(lr, max(1, steps))
    opt = keras.optimizers.AdamW(learning_rate=sched, weight_decay=1e-4)
    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def step_fn(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss = ce(y, logits)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        acc = tf.reduce_mean(tf.cast(tf.argmax(logits, 1, output_type=tf.int32) == y, tf.float32))
        return loss, acc

    return run_steps(ds, steps, lambda x, y: dict(zip(("loss", "batch_acc"), step_fn(x, y))),
                     model, out)


if __name__ == "__main__":
    recipe_main(lambda d: f"{make_tiny(d)} live + synthetic spoof crops each under {d}", train,
                batch=64, lr=1e-3)
