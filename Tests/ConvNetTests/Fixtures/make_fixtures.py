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


def convolution_case(generator, shape_x, shape_w, stride, pad):
    """Random x, W, b and dout from `generator`, and numpy's out, dx, dW, db."""
    x = generator.standard_normal(shape_x).astype(np.float32)
    w = generator.standard_normal(shape_w).astype(np.float32)
    b = generator.standard_normal(shape_w[0]).astype(np.float32)
    out = conv_forward(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), stride, pad)
    dout = generator.standard_normal(out.shape).astype(np.float32)
    dx, dw, db = conv_backward(x.astype(np.float64), w.astype(np.float64), dout.astype(np.float64), stride, pad)
    return {"stride": stride, "padding": pad, "x": t(x), "W": t(w), "b": t(b), "out": t(out),
            "dout": t(dout), "dx": t(dx), "dW": t(dw), "db": t(db)}


fixtures = {}

for name, shape_x, shape_w, stride, pad in [
    ("convolution_3ch_stride2_pad1", (2, 3, 5, 5), (4, 3, 3, 3), 2, 1),
    ("convolution_2ch_stride1_pad0", (1, 2, 6, 6), (2, 2, 3, 3), 1, 0),
    ("convolution_1ch_5x5_pad2", (2, 1, 7, 7), (3, 1, 5, 5), 1, 2),
]:
    fixtures[name] = convolution_case(rng, shape_x, shape_w, stride, pad)

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


# ---- Added in session 7: non-square shapes, stride with padding, pooling with padding,
# overlapping windows and ties, average pooling, and optimizer steps. A generator of their
# own, so the fixtures above stay as they were.
rng2 = np.random.default_rng(2026)

for name, shape_x, shape_w, stride, pad in [
    ("convolution_nonsquare_3x5_stride2_pad1", (2, 2, 7, 9), (3, 2, 3, 5), 2, 1),
    ("convolution_nonsquare_2x4_stride1_pad0", (2, 3, 6, 8), (2, 3, 2, 4), 1, 0),
    ("convolution_4x3_stride3_pad2", (1, 2, 12, 11), (2, 2, 4, 3), 3, 2),
]:
    fixtures[name] = convolution_case(rng2, shape_x, shape_w, stride, pad)


def pool(x, dout, ph, pw, stride, pad, use_max):
    """Direct loops. Max: padding never wins, a tie goes to the first cell in reading order
    (numpy's argmax). Average: padding counts as zero, the divisor is the whole window."""
    n, c, h, w = x.shape
    fill = -np.inf if use_max else 0.0
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=fill)
    oh, ow = (h + 2 * pad - ph) // stride + 1, (w + 2 * pad - pw) // stride + 1
    out = np.zeros((n, c, oh, ow))
    dxp = np.zeros_like(xp)
    for i in range(oh):
        for j in range(ow):
            window = xp[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw].reshape(n, c, -1)
            if use_max:
                out[:, :, i, j] = window.max(axis=2)
                winner = window.argmax(axis=2)
                for a in range(n):
                    for ch in range(c):
                        wi, wj = divmod(int(winner[a, ch]), pw)
                        dxp[a, ch, i * stride + wi, j * stride + wj] += dout[a, ch, i, j]
            else:
                out[:, :, i, j] = window.sum(axis=2) / (ph * pw)
                dxp[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] += \
                    dout[:, :, i, j][:, :, None, None] / (ph * pw)
    return out, dxp[:, :, pad:pad + h, pad:pad + w]


for name, shape, ph, pw, stride, pad, use_max, ties in [
    ("max_pooling_3x3_stride1_pad1", (2, 2, 5, 6), 3, 3, 1, 1, True, False),
    ("max_pooling_2x3_stride2_pad1", (2, 3, 6, 7), 2, 3, 2, 1, True, False),
    ("max_pooling_3x2_stride1_overlapping", (1, 2, 6, 5), 3, 2, 1, 0, True, False),
    ("max_pooling_2x2_stride2_ties", (2, 3, 6, 20), 2, 2, 2, 0, True, True),
    ("max_pooling_3x3_stride1_pad1_ties", (2, 2, 6, 7), 3, 3, 1, 1, True, True),
    ("average_pooling_3x3_stride2_pad1", (2, 2, 7, 9), 3, 3, 2, 1, False, False),
    ("average_pooling_2x3_stride1", (2, 2, 5, 6), 2, 3, 1, 0, False, False),
]:
    if ties:
        # After a ReLU: many zeros, and values on a coarse grid, so windows tie.
        x = np.maximum(0, np.round(rng2.standard_normal(shape) * 2) / 2).astype(np.float32)
    else:
        count = int(np.prod(shape))
        x = (rng2.permutation(count).astype(np.float32) / count - 0.5).reshape(shape)
    oh, ow = (shape[2] + 2 * pad - ph) // stride + 1, (shape[3] + 2 * pad - pw) // stride + 1
    dout = rng2.standard_normal((shape[0], shape[1], oh, ow)).astype(np.float32)
    out, dx = pool(x, dout.astype(np.float64), ph, pw, stride, pad, use_max)
    fixtures[name] = {"kind": "max" if use_max else "average", "size": [ph, pw], "stride": stride, "padding": pad,
                      "x": t(x), "out": t(out), "dout": t(dout), "dx": t(dx)}

# Optimizers: two steps from the same start, with the documented constants (ε = 1e-7 for
# AdaGrad, RMSprop and Adam; Adam in the book's form, the bias correction folded into the
# learning rate). Some gradients are tiny, so that a different ε changes the steps.
w0 = rng2.standard_normal(8).astype(np.float32) * 0.5
grads = [np.array([0.3, -1.2, 2e-7, -5e-7, 1e-6, 0.05, -3e-8, 0.8], dtype=np.float32),
         np.array([-0.1, 0.9, 1e-7, -2e-6, 3e-6, -0.02, 5e-8, 0.4], dtype=np.float32)]
eps = 1e-7


def steps(update):
    w = w0.astype(np.float64).copy()
    state = {}
    after = []
    for k, g in enumerate(grads):
        w = update(w, g.astype(np.float64), state, k + 1)
        after.append(t(w))
    return after


def sgd(w, g, s, k): return w - 0.1 * g


def momentum(w, g, s, k):
    s["v"] = 0.9 * s.get("v", 0) - 0.1 * g
    return w + s["v"]


def adagrad(w, g, s, k):
    s["h"] = s.get("h", 0) + g * g
    return w - 0.1 * g / (np.sqrt(s["h"]) + eps)


def rmsprop(w, g, s, k):
    s["h"] = 0.99 * s.get("h", 0) + 0.01 * g * g
    return w - 0.01 * g / (np.sqrt(s["h"]) + eps)


def adam(w, g, s, k):
    s["m"] = s.get("m", 0) + 0.1 * (g - s.get("m", 0))
    s["v"] = s.get("v", 0) + 0.001 * (g * g - s.get("v", 0))
    lr_t = 0.001 * np.sqrt(1 - 0.999 ** k) / (1 - 0.9 ** k)
    return w - lr_t * s["m"] / (np.sqrt(s["v"]) + eps)


fixtures["optimizers"] = {"w": t(w0), "gradients": [t(g) for g in grads],
                          "sgd": steps(sgd), "momentum": steps(momentum), "adagrad": steps(adagrad),
                          "rmsprop": steps(rmsprop), "adam": steps(adam)}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers.json")
with open(path, "w") as f:
    json.dump(fixtures, f, indent=1)
print(f"wrote {path}: {', '.join(fixtures)}")
