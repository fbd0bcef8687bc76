#!/usr/bin/env python3
"""The networks of Lessons 09 and 10 in PyTorch, measured the way `swift run -c release Bench --epoch` measures them.

For a side-by-side comparison on the same machine:

    python3 -m venv ~/torch-venv && ~/torch-venv/bin/pip install torch numpy   # once; a large download
    ~/torch-venv/bin/python Benchmarks/pytorch_convnet.py --threads 2
    swift run -c release Bench --epoch --threads 2
    ~/torch-venv/bin/python Benchmarks/pytorch_convnet.py --network deeper --steps 100
    swift run -c release Bench --epoch --network deeper --steps 100

Same networks: simple is Lesson 09's SimpleConvNet (Conv 30 5x5, ReLU, MaxPool 2x2,
Linear 4320->100, ReLU, Linear 100->10); deeper is Lesson 10's (Conv 50 5x5, ReLU,
Conv 50 3x3, ReLU, MaxPool 2x2, Dropout 0.2, Linear 6050->100, ReLU, Dropout 0.4,
Linear 100->10); softmax cross-entropy, same optimizer (Adam, learning rate 0.001), batch 100, the same
60000 training images kept as bytes and turned into floats in [0, 1] a batch at a time.
Prints the same figures: seconds for one epoch, training and test images per second
(test in batches of 1000), and the peak resident memory of the process.
"""
import argparse
import gzip
import os
import resource
import sys
import time

import numpy as np

try:
    import torch
    from torch import nn
except ImportError:
    sys.exit("pytorch_convnet.py: PyTorch is not installed here. "
             "Install it into a virtual environment outside the repository: "
             "python3 -m venv ~/torch-venv && ~/torch-venv/bin/pip install torch numpy")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRECTORIES = {"mnist": os.path.join(REPO, "Data", "mnist"), "fashion": "/usr/share/datasets/fashion-mnist"}


def read_idx(directory, stem):
    """One IDX file (plain or gzipped) as a numpy array of bytes with its shape."""
    for name in (stem, stem + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            dims = data[3]
            shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    sys.exit(f"pytorch_convnet.py: {os.path.join(directory, stem)}(.gz) not found")


def simple_conv_net():
    return nn.Sequential(
        nn.Conv2d(1, 30, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10))


def deeper_conv_net():
    return nn.Sequential(
        nn.Conv2d(1, 50, kernel_size=5), nn.ReLU(), nn.Conv2d(50, 50, kernel_size=3), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(0.2), nn.Flatten(),
        nn.Linear(50 * 11 * 11, 100), nn.ReLU(), nn.Dropout(0.4), nn.Linear(100, 10))


def batch(images, indices):
    """Bytes to floats in [0, 1], N x 1 x 28 x 28, only for the batch asked for."""
    return torch.from_numpy(images[indices]).unsqueeze(1).float().div_(255)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--dataset", choices=["mnist", "fashion"], default="mnist")
    parser.add_argument("--network", choices=["simple", "deeper"], default="simple",
                        help="simple: Lesson 09's SimpleConvNet; deeper: Lesson 10's network")
    parser.add_argument("--steps", type=int, default=None, help="stop after this many steps (the epoch is then extrapolated)")
    args = parser.parse_args()
    if args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)

    directory = DIRECTORIES[args.dataset]
    train_x = read_idx(directory, "train-images-idx3-ubyte")
    train_y = torch.from_numpy(read_idx(directory, "train-labels-idx1-ubyte").astype(np.int64))
    test_x = read_idx(directory, "t10k-images-idx3-ubyte")
    test_y = torch.from_numpy(read_idx(directory, "t10k-labels-idx1-ubyte").astype(np.int64))
    print(f"PyTorch {torch.__version__}, {args.threads} thread(s); data: {args.dataset}, "
          f"{len(train_x)} training and {len(test_x)} test images")

    net = simple_conv_net() if args.network == "simple" else deeper_conv_net()
    print(f"network: {args.network}, Adam 0.001, batch 100")
    optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
    loss_function = nn.CrossEntropyLoss()
    order = np.random.default_rng(42).permutation(len(train_x))
    steps_per_epoch = len(train_x) // 100
    steps = min(args.steps or steps_per_epoch, steps_per_epoch)

    net.train()
    losses = []
    start = time.perf_counter()
    for step in range(steps):
        indices = order[step * 100:(step + 1) * 100]
        x, labels = batch(train_x, indices), train_y[indices]
        optimizer.zero_grad()
        loss = loss_function(net(x), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    trained = time.perf_counter() - start
    epoch = trained * steps_per_epoch / steps
    note = f"   (extrapolated from {steps} of {steps_per_epoch} steps)" if steps < steps_per_epoch else ""
    print(f"\nepoch: {epoch:.2f} s{note}")
    print(f"  training: {steps * 100 / trained:.0f} images/s, {1e3 * trained / steps:.2f} ms per step, "
          f"mean loss {sum(losses) / len(losses):.3f}")

    net.eval()
    with torch.no_grad():
        net(batch(test_x, np.arange(1000)))      # warm up
        start = time.perf_counter()
        correct = 0
        for first in range(0, len(test_x), 1000):
            indices = np.arange(first, min(first + 1000, len(test_x)))
            correct += (net(batch(test_x, indices)).argmax(1) == test_y[indices]).sum().item()
        seconds = time.perf_counter() - start
    print(f"test: {len(test_x) / seconds:.0f} images/s (batch 1000; {len(test_x)} images in {seconds:.3f} s), "
          f"accuracy {100 * correct / len(test_x):.2f} %")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)  # Linux: KB
    print(f"\npeak resident memory: {peak / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
