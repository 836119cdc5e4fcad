"""Shared pieces of the PyTorch twins of bench/Nabla.Bench's MLP workloads.

Each twin prints `RESULT name value unit better` lines exactly like the Nabla workload, so
bench/run.sh compares like with like. Thread count: --threads N sets OMP_NUM_THREADS (before torch
is imported) and torch.set_num_threads(N), as Nabla's --threads sets WorkerPool.MaxThreads.
"""
import argparse
import gzip
import os
import sys


def parse(workload):
    p = argparse.ArgumentParser(prog=workload)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data", default=os.path.join("..", "shared", "data", "fashion-mnist"))
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--calls", type=int, default=0)
    p.add_argument("--limit", type=int, default=0, help="train on the first N images only (cnn-epoch; 0 = all)")
    args = p.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import torch
    torch.set_num_threads(args.threads)
    return args


def load(data_dir, prefix):
    """Images as uint8 [N, 784] and labels int64 [N] (bytes kept, converted per batch like Nabla's ImageDataset)."""
    import numpy as np
    import torch
    path = os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz")
    if not os.path.exists(path):
        sys.exit(f"Fashion-MNIST not found at {os.path.abspath(path)}; run from the repository root or pass --data DIR")
    with gzip.open(path) as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))


def mlp():
    """784-256-128-10 ReLU; nn.Linear's default init U(-1/sqrt(in), 1/sqrt(in)) as Nabla's Dense."""
    import torch.nn as nn
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def batch(images, labels, idx):
    return images[idx].float().mul_(1.0 / 255), labels[idx]


def train_epoch(model, images, labels, generator, batch_size=128, limit=None):
    """One shuffled epoch of Adam(1e-3) + cross-entropy, the loop Nabla's model.Fit runs."""
    import torch
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = images.shape[0] if limit is None else limit
    order = torch.randperm(n, generator=generator)
    total = 0.0
    for start in range(0, n, batch_size):
        x, y = batch(images, labels, order[start:start + batch_size])
        loss = loss_fn(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += loss.item() * x.shape[0]
    return total / n


def accuracy(model, images, labels):
    import torch
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, images.shape[0], 1000):
            x, y = batch(images, labels, torch.arange(start, min(start + 1000, images.shape[0])))
            correct += (model(x).argmax(1) == y).sum().item()
    model.train()
    return correct / images.shape[0]


def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def result(name, value, unit, better):
    print(f"RESULT {name} {value!r} {unit} {better}")


def median(values):
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])
