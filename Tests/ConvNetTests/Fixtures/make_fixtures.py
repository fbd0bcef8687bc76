#!/usr/bin/env python3
"""Writes layers.json: forward outputs and gradients of the course's layers, computed
independently with numpy (direct sums over windows, no im2col), on small seeded inputs.

Only needed to regenerate the fixtures; the Swift tests read the committed JSON.
    python3 Tests/ConvNetTests/Fixtures/make_fixtures.py
"""
import json
import os

import numpy as np

rng = np.random.default_rng(2024)


def t(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel()]}


def conv_forward(x, w, b, stride, pad):
    n, c, h, wd = x.shape
    fn, _, fh, fw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - fh) // stride + 1, (wd + 2 * pad - fw) // stride + 1
    out = np.zeros((n, fn, oh, ow), dtype=np.float64)
    for i in range(oh):
        for j in range(ow):
            window = xp[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw]   # n, c, fh, fw
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", window, w) + b
    return out


def conv_backward(x, w, dout, stride, pad):
    n, c, h, wd = x.shape
    fn, _, fh, fw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp, dtype=np.float64)
    dw = np.zeros_like(w, dtype=np.float64)
    oh, ow = dout.shape[2], dout.shape[3]
    for i in range(oh):
        for j in range(ow):
            window = xp[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw]
            g = dout[:, :, i, j]                                   # n, f
            dw += np.einsum("nf,nchw->fchw", g, window)
            dxp[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw] += np.einsum("nf,fchw->nchw", g, w)
    db = dout.sum(axis=(0, 2, 3))
    dx = dxp[:, :, pad:pad + h, pad:pad + wd]
    return dx, dw, db


fixtures = {}

for name, shape_x, shape_w, stride, pad in [
    ("convolution_3ch_stride2_pad1", (2, 3, 5, 5), (4, 3, 3, 3), 2, 1),
    ("convolution_2ch_stride1_pad0", (1, 2, 6, 6), (2, 2, 3, 3), 1, 0),
    ("convolution_1ch_5x5_pad2", (2, 1, 7, 7), (3, 1, 5, 5), 1, 2),
]:
    x = rng.standard_normal(shape_x).astype(np.float32)
    w = rng.standard_normal(shape_w).astype(np.float32)
    b = rng.standard_normal(shape_w[0]).astype(np.float32)
    out = conv_forward(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), stride, pad)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    dx, dw, db = conv_backward(x.astype(np.float64), w.astype(np.float64), dout.astype(np.float64), stride, pad)
    fixtures[name] = {"stride": stride, "padding": pad, "x": t(x), "W": t(w), "b": t(b), "out": t(out),
                      "dout": t(dout), "dx": t(dx), "dW": t(dw), "db": t(db)}

# Max pooling: distinct values so every window has one winner.
for name, shape, size, stride in [("max_pooling_2x2_stride2", (2, 2, 4, 4), 2, 2),
                                  ("max_pooling_3x3_stride1", (1, 2, 5, 5), 3, 1)]:
    count = int(np.prod(shape))
    x = (rng.permutation(count).astype(np.float32) / count - 0.5).reshape(shape)
    n, c, h, w = shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.zeros((n, c, oh, ow), dtype=np.float32)
    dout = rng.standard_normal((n, c, oh, ow)).astype(np.float32)
    dx = np.zeros_like(x)
    for i in range(oh):
        for j in range(ow):
            window = x[:, :, i * stride:i * stride + size, j * stride:j * stride + size].reshape(n, c, -1)
            out[:, :, i, j] = window.max(axis=2)
            winner = window.argmax(axis=2)
            for a in range(n):
                for ch in range(c):
                    wi, wj = divmod(int(winner[a, ch]), size)
                    dx[a, ch, i * stride + wi, j * stride + wj] += dout[a, ch, i, j]
    fixtures[name] = {"size": size, "stride": stride, "x": t(x), "out": t(out), "dout": t(dout), "dx": t(dx)}

# Affine on a 4-D input (flattened per item).
x = rng.standard_normal((3, 2, 2, 2)).astype(np.float32)
w = rng.standard_normal((8, 5)).astype(np.float32)
b = rng.standard_normal(5).astype(np.float32)
x2 = x.reshape(3, 8).astype(np.float64)
out = x2 @ w.astype(np.float64) + b
dout = rng.standard_normal(out.shape).astype(np.float32)
fixtures["affine"] = {"x": t(x), "W": t(w), "b": t(b), "out": t(out), "dout": t(dout),
                      "dx": t((dout.astype(np.float64) @ w.T.astype(np.float64)).reshape(x.shape)),
                      "dW": t(x2.T @ dout.astype(np.float64)), "db": t(dout.sum(axis=0))}

# ReLU, with no input near zero.
x = rng.standard_normal((4, 6)).astype(np.float32)
x[np.abs(x) < 0.05] = 0.5
dout = rng.standard_normal(x.shape).astype(np.float32)
fixtures["relu"] = {"x": t(x), "out": t(np.maximum(x, 0)), "dout": t(dout), "dx": t(dout * (x > 0))}

# Softmax with cross-entropy, labels as class indices.
x = (rng.standard_normal((4, 6)) * 3).astype(np.float32)
labels = [int(v) for v in rng.integers(0, 6, size=4)]
z = x.astype(np.float64) - x.max(axis=1, keepdims=True)
y = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
loss = -np.mean(np.log(y[np.arange(4), labels]))
onehot = np.eye(6)[labels]
fixtures["softmax_with_loss"] = {"x": t(x), "labels": labels, "y": t(y), "loss": float(loss),
                                 "dx": t((y - onehot) / 4)}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers.json")
with open(path, "w") as f:
    json.dump(fixtures, f, indent=1)
print(f"wrote {path}: {', '.join(fixtures)}")
