# SPDX-License-Identifier: Apache-2.0
"""MobileNetV2 anti-spoof classifier (width 0.35, 128x128 RGB face crop -> 2 logits: live,
spoof), the shape of kprokofi/light-weight-face-anti-spoofing and OpenVINO anti-spoof-mn3
at the cost the N6 NPU runs in ~6 ms (ST model zoo: MobileNetV2 0.35 @128 in 6.35 ms).
Keras 3; the backbone is keras.applications.MobileNetV2 without ImageNet weights (none can
be fetched offline) and without its top.
"""
import keras
from keras import layers

INPUT = 128
ALPHA = 0.35
CLASSES = ("live", "spoof")
CROP_SCALE = 1.5  # crop side = 1.5 x the detector box's longer side, same centre


def build(input_size=INPUT, alpha=ALPHA, dropout=0.2):
    inp = keras.Input((input_size, input_size, 3), name="face")
    base = keras.applications.MobileNetV2(input_shape=(input_size, input_size, 3), alpha=alpha,
                                          include_top=False, weights=None, input_tensor=inp)
    x = layers.GlobalAveragePooling2D(keepdims=True, name="gap")(base.output)
    x = layers.Dropout(dropout, name="drop")(x)
    x = layers.Conv2D(len(CLASSES), 1, name="logits")(x)
    x = layers.Reshape((len(CLASSES),), name="scores")(x)
    return keras.Model(inp, x, name="antispoof_mobilenetv2")
