# SPDX-License-Identifier: Apache-2.0
"""EdgeFace-CSA: EdgeFace-XS (EdgeNeXt-x_small + LoRaLin, gamma 0.6, 112x112 -> 512-d) with the
transposed channel attention (XCA: batched matmuls + softmax) replaced by a convolutional
self-attention block (CSA) that maps onto CONV_2D / DEPTHWISE_CONV_2D / MEAN / LOGISTIC / MUL
/ ADD. Keras 3 (TensorFlow backend). Architecture facts: shared/docs/edgeface-csa.md.

Deviations from EdgeFace-XS, all for int8 NPU deployment:
  * every norm is BatchNorm placed AFTER a conv/linear (so it folds into it): stem conv -> BN,
    downsample conv -> BN, depthwise -> BN, qkv -> BN, MLP expand -> BN, head fc -> BN
    (EdgeNeXt puts LayerNorm before the downsample conv, qkv, MLP and head);
  * GELU -> hard-swish (EdgeNeXt's own BN + Hardswish variant lost 0.13 ImageNet points);
  * XCA -> CSA: [q|k|v] = LoRaLin 1x1 (C -> 3C) -> BN; k' = DW kxk(k) + spatial mean(k);
    A = sigmoid(q * k'); y = A * v; out = LoRaLin 1x1 projection; x + layer_scale * out.
  * the Fourier positional encoding of stage 1 is a constant of H, W: kept as its 1x1 conv on
    constant Fourier features (the converter folds it into one constant ADD).
"""
import math

import keras
import numpy as np
from keras import layers

DIMS = (32, 64, 100, 192)
DEPTHS = (3, 3, 9, 3)
KERNELS = (3, 5, 7, 9)
SPLITS = (2, 2, 3, 4)
CSA_KERNELS = (None, 7, 7, 3)
GAMMA = 0.6
EMBED = 512
INPUT = 112


def rank(cin, cout):
    return max(2, int(min(cin, cout) * GAMMA))


def loralin(x, cout, name, bias=True):
    """LoRaLin as two 1x1 convs: in -> r (no bias) -> out (bias)."""
    r = rank(x.shape[-1], cout)
    x = layers.Conv2D(r, 1, use_bias=False, name=f"{name}_down")(x)
    return layers.Conv2D(cout, 1, use_bias=bias, name=f"{name}_up")(x)


def bn(x, name):
    return layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name=name)(x)


def hswish(x, name):
    return layers.Activation("hard_swish", name=name)(x)


class LayerScale(layers.Layer):
    """Per-channel learnable scale (init 1e-6 as EdgeNeXt); folds into the preceding conv."""

    def __init__(self, init=1e-6, **kw):
        super().__init__(**kw)
        self.init = init

    def build(self, shape):
        self.gamma = self.add_weight(shape=(shape[-1],), initializer=keras.initializers.Constant(
            self.init), name="gamma")

    def call(self, x):
        return x * self.gamma

    def get_config(self):
        return dict(super().get_config(), init=self.init)


def fourier_features(h, w, hidden=32, temperature=10000.0):
    """EdgeNeXt's PositionalEncodingFourier input (before its 1x1 conv), NHWC [1,h,w,2*hidden]."""
    eps = 1e-6
    y = np.arange(1, h + 1, dtype=np.float64)[:, None].repeat(w, 1) / (h + eps) * 2 * math.pi
    x = np.arange(1, w + 1, dtype=np.float64)[None, :].repeat(h, 0) / (w + eps) * 2 * math.pi
    dim_t = temperature ** (2 * (np.arange(hidden) // 2) / hidden)
    px, py = x[..., None] / dim_t, y[..., None] / dim_t
    px = np.stack([np.sin(px[..., 0::2]), np.cos(px[..., 1::2])], -1).reshape(h, w, -1)
    py = np.stack([np.sin(py[..., 0::2]), np.cos(py[..., 1::2])], -1).reshape(h, w, -1)
    return np.concatenate([py, px], -1)[None].astype(np.float32)


class PositionalEncoding(layers.Layer):
    """Adds conv1x1(Fourier features): a learned constant of (H, W)."""

    def build(self, shape):
        h, w, c = shape[1], shape[2], shape[3]
        self.feat = fourier_features(h, w)
        self.kernel = self.add_weight(shape=(self.feat.shape[-1], c), name="kernel",
                                      initializer="glorot_uniform")
        self.bias = self.add_weight(shape=(c,), name="bias", initializer="zeros")

    def call(self, x):
        pos = keras.ops.einsum("bhwf,fc->bhwc", keras.ops.convert_to_tensor(self.feat),
                               self.kernel) + self.bias
        return x + pos


def conv_block(x, k, name, ls_init=1e-6):
    c = x.shape[-1]
    y = layers.DepthwiseConv2D(k, padding="same", name=f"{name}_dw")(x)
    y = bn(y, f"{name}_bn")
    y = hswish(loralin(y, 4 * c, f"{name}_fc1"), f"{name}_act")
    y = loralin(y, c, f"{name}_fc2")
    y = LayerScale(ls_init, name=f"{name}_ls")(y)
    return layers.Add(name=f"{name}_add")([x, y])


def csa_block(x, splits, csa_k, pos, name, ls_init=1e-6):
    c = x.shape[-1]
    width = math.ceil(c / splits)
    sizes = [width] * (splits - 1) + [c - width * (splits - 1)]
    chunks = layers.Lambda(lambda t: keras.ops.split(t, np.cumsum(sizes)[:-1].tolist(), axis=-1),
                           name=f"{name}_split")(x) if splits > 1 else [x]
    outs, sp = [], None
    for i in range(splits - 1):
        sp = chunks[i] if i == 0 else layers.Add(name=f"{name}_cas{i}")([sp, chunks[i]])
        sp = layers.DepthwiseConv2D(3, padding="same", name=f"{name}_sdw{i}")(sp)
        outs.append(sp)
    outs.append(chunks[-1])
    xs = layers.Concatenate(name=f"{name}_cat")(outs) if splits > 1 else outs[0]
    if pos:
        xs = PositionalEncoding(name=f"{name}_pos")(xs)
    # convolutional self-attention
    qkv = bn(loralin(xs, 3 * c, f"{name}_qkv"), f"{name}_qkv_bn")
    q = layers.Lambda(lambda t: t[..., :c], name=f"{name}_q")(qkv)
    k = layers.Lambda(lambda t: t[..., c:2 * c], name=f"{name}_k")(qkv)
    v = layers.Lambda(lambda t: t[..., 2 * c:], name=f"{name}_v")(qkv)
    kl = layers.DepthwiseConv2D(csa_k, padding="same", name=f"{name}_kdw")(k)
    kg = layers.GlobalAveragePooling2D(keepdims=True, name=f"{name}_kmean")(k)
    kt = layers.Add(name=f"{name}_kctx")([kl, kg])
    a = layers.Activation("sigmoid", name=f"{name}_attn")(layers.Multiply(name=f"{name}_qk")([q, kt]))
    y = layers.Multiply(name=f"{name}_av")([a, v])
    y = LayerScale(ls_init, name=f"{name}_ls_attn")(loralin(y, c, f"{name}_proj"))
    xs = layers.Add(name=f"{name}_attn_add")([xs, y])
    # inverted bottleneck
    y = hswish(bn(loralin(xs, 4 * c, f"{name}_fc1"), f"{name}_fc1_bn"), f"{name}_act")
    y = LayerScale(ls_init, name=f"{name}_ls")(loralin(y, c, f"{name}_fc2"))
    return layers.Add(name=f"{name}_add")([x, y])


def build(input_size=INPUT, embed=EMBED, ls_init=1e-6):
    inp = keras.Input((input_size, input_size, 3), batch_size=None, name="face")
    x = layers.Conv2D(DIMS[0], 4, strides=4, name="stem")(inp)
    x = bn(x, "stem_bn")
    for s, (c, depth, k) in enumerate(zip(DIMS, DEPTHS, KERNELS)):
        if s > 0:
            x = layers.Conv2D(c, 2, strides=2, padding="valid", name=f"down{s}")(x)
            x = bn(x, f"down{s}_bn")
        n_conv = depth - 1 if s > 0 else depth
        for b in range(n_conv):
            x = conv_block(x, k, f"s{s}b{b}", ls_init)
        if s > 0:
            x = csa_block(x, SPLITS[s], CSA_KERNELS[s], pos=(s == 1), name=f"s{s}csa",
                          ls_init=ls_init)
    x = layers.GlobalAveragePooling2D(keepdims=True, name="gap")(x)
    x = loralin(x, embed, "fc")
    x = bn(x, "features")
    x = layers.Reshape((embed,), name="embedding")(x)
    return keras.Model(inp, x, name="edgeface_csa")
