# SPDX-License-Identifier: Apache-2.0
"""FGGV golden-vector files: writer, reader and a self-check.

Layout (little-endian): b"FGGV", u32 version = 1, u32 n_cases; per case: u32 n_inputs,
tensors; u32 n_outputs, tensors. Tensor: u32 tensor_index, u8 dtype (0 int8, 1 uint8,
2 int32, 3 float32), u8 rank, u32 dims[rank], u32 n_bytes, data (row-major).

Self-check: python3 tools/models/fggv.py models/golden/*.fggv [--model models/X.tflite]
re-runs each case through LiteRT's reference kernels and compares bytes exactly.
"""
import struct
import sys

import numpy as np

MAGIC = b"FGGV"
VERSION = 1
DTYPES = {0: np.int8, 1: np.uint8, 2: np.int32, 3: np.float32}
CODES = {np.dtype(v): k for k, v in DTYPES.items()}


def _tensor_bytes(index, arr):
    arr = np.ascontiguousarray(arr)
    code = CODES[arr.dtype]
    data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
    head = struct.pack("<IBB", index, code, arr.ndim) + struct.pack(f"<{arr.ndim}I", *arr.shape)
    return head + struct.pack("<I", len(data)) + data


def write(path, cases):
    """cases: list of (inputs, outputs), each a list of (tensor_index, numpy array)."""
    out = [MAGIC, struct.pack("<II", VERSION, len(cases))]
    for ins, outs in cases:
        for group in (ins, outs):
            out.append(struct.pack("<I", len(group)))
            out.extend(_tensor_bytes(i, a) for i, a in group)
    with open(path, "wb") as f:
        f.write(b"".join(out))


class _Reader:
    def __init__(self, buf):
        self.buf, self.pos = buf, 0

    def take(self, n):
        if self.pos + n > len(self.buf):
            raise ValueError(f"truncated FGGV file at byte {self.pos}")
        b = self.buf[self.pos:self.pos + n]
        self.pos += n
        return b

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def tensor(self):
        index = self.u32()
        code, rank = struct.unpack("<BB", self.take(2))
        if code not in DTYPES:
            raise ValueError(f"unknown dtype code {code}")
        dims = struct.unpack(f"<{rank}I", self.take(4 * rank))
        n = self.u32()
        dt = np.dtype(DTYPES[code]).newbyteorder("<")
        if n != int(np.prod(dims, dtype=np.int64)) * dt.itemsize:
            raise ValueError(f"tensor {index}: {n} bytes do not match dims {dims}")
        return index, np.frombuffer(self.take(n), dt).reshape(dims)


def read(path):
    """Returns the list of cases as (inputs, outputs) lists of (tensor_index, array)."""
    with open(path, "rb") as f:
        r = _Reader(f.read())
    if r.take(4) != MAGIC:
        raise ValueError("not an FGGV file")
    if r.u32() != VERSION:
        raise ValueError("unsupported FGGV version")
    cases = []
    for _ in range(r.u32()):
        ins = [r.tensor() for _ in range(r.u32())]
        outs = [r.tensor() for _ in range(r.u32())]
        cases.append((ins, outs))
    if r.pos != len(r.buf):
        raise ValueError("trailing bytes after the last case")
    return cases


def check(golden, model):
    """Re-runs every case with LiteRT's reference kernels; returns the number of cases."""
    from tflite_run import interpreter
    it = interpreter(model)
    cases = read(golden)
    for k, (ins, outs) in enumerate(cases):
        for idx, a in ins:
            it.set_tensor(idx, a)
        it.invoke()
        for idx, a in outs:
            got = it.get_tensor(idx)
            if got.shape != a.shape or got.dtype != a.dtype or not np.array_equal(got, a):
                raise SystemExit(f"{golden}: case {k} output tensor {idx} differs")
    return len(cases)


def _roundtrip_selftest():
    import tempfile
    rng = np.random.default_rng(0)
    cases = [([(0, rng.integers(-128, 128, (1, 2, 3), dtype=np.int8))],
              [(5, rng.integers(-5, 5, (4,), dtype=np.int32)),
               (7, rng.random((2, 2), dtype=np.float32))])]
    with tempfile.NamedTemporaryFile(suffix=".fggv") as t:
        write(t.name, cases)
        back = read(t.name)
    for (ai, ao), (bi, bo) in zip(cases, back):
        for (i, a), (j, b) in zip(ai + ao, bi + bo):
            assert i == j and a.dtype == b.dtype and np.array_equal(a, b)


def main(argv):
    from pathlib import Path
    _roundtrip_selftest()
    models = Path(__file__).resolve().parent.parent.parent / "models"
    for g in argv:
        g = Path(g)
        model = models / (g.stem + ".tflite")
        n = check(g, model)
        print(f"{g.name}: {n} cases bit-exact against {model.name} (reference kernels)")


if __name__ == "__main__":
    main(sys.argv[1:])
