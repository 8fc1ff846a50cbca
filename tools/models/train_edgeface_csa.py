# SPDX-License-Identifier: Apache-2.0
"""Training recipe for EdgeFace-CSA: CosFace loss on an aligned-112 ImageFolder.

    python3 tools/models/train_edgeface_csa.py --data DIR [--steps N] [--batch 128]
        [--lr 6e-3] [--out weights.weights.h5]
    python3 tools/models/train_edgeface_csa.py --make-tiny DIR   # tiny folder from real faces

DIR/<identity>/*.png|jpg holds faces aligned to the ArcFace 112x112 template (align.py).
Recipe (EdgeFace's published setup, scaled to what you have): CosFace s = 64, m = 0.35;
AdamW, weight decay 0.05, polynomial decay from --lr with linear warm-up; random horizontal
flips; input (p - 128)/128 like the int8 model. A real run needs a large identity-labelled
set (WebFace4M/12M, MS1MV2...) and GPUs; none is reachable here, so the shipped
recognizer_edgeface_csa.tflite is untrained. After training, export with
edgeface_csa_export.py (load the weights instead of the random init).
"""
import keras
import tensorflow as tf

import edgeface_csa
from train_data import imagefolder, run_steps, recipe_main


class CosFace(keras.layers.Layer):
    """Large-margin cosine loss head: logits = s * (cos(theta_y) - m) for the true class."""

    def __init__(self, n_classes, s=64.0, m=0.35, **kw):
        super().__init__(**kw)
        self.n_classes, self.s, self.m = n_classes, s, m

    def build(self, shape):
        self.w = self.add_weight(shape=(shape[-1], self.n_classes), name="w",
                                 initializer="glorot_uniform")

    def call(self, emb, labels):
        e = tf.math.l2_normalize(emb, axis=1)
        w = tf.math.l2_normalize(self.w, axis=0)
        cos = tf.matmul(e, w)
        onehot = tf.one_hot(labels, self.n_classes)
        return self.s * (cos - self.m * onehot)


def train(root, steps, batch, lr, out, seed=0):
    keras.utils.set_random_seed(seed)
    ds, names = imagefolder(root, 112, batch, seed)
    n_classes = len(names)
    model = edgeface_csa.build()
    head = CosFace(n_classes)
    warm = max(1, steps // 20)
    sched = keras.optimizers.schedules.PolynomialDecay(lr, max(1, steps - warm), 0.0, power=1.0)

    def lr_at(step):
        return tf.where(step < warm, lr * tf.cast(step + 1, tf.float32) / warm,
                        sched(tf.cast(step - warm, tf.float32)))
    opt = keras.optimizers.AdamW(learning_rate=lr, weight_decay=0.05)
    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def step_fn(x, y):
        with tf.GradientTape() as tape:
            logits = head(model(x, training=True), y)
            loss = ce(y, logits)
        vars_ = model.trainable_variables + head.trainable_variables
        opt.apply_gradients(zip(tape.gradient(loss, vars_), vars_))
        return loss

    def one(x, y):
        opt.learning_rate.assign(lr_at(opt.iterations))
        return {"loss": step_fn(x, y), "lr": opt.learning_rate}
    return run_steps(ds, steps, one, model, out)


def make_tiny(root):
    import dataset as ds
    counts = ds.write_tiny_imagefolder(root)
    return f"{sum(counts.values())} images in {len(counts)} classes under {root}"


if __name__ == "__main__":
    recipe_main(make_tiny, train, batch=128, lr=6e-3)
