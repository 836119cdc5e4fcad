#!/usr/bin/python3
"""The ceiling of samples/TransferLearning's target task: its CNN trained on every labelled image (PyTorch 1.13).

samples/TransferLearning trains on Fashion-MNIST classes 5–9 (sandal, shirt, sneaker, bag, ankle boot) from 50
labelled images per class. This script trains the same CNN (Conv2d(1,16,5,pad 2) → ReLU → MaxPool2d(2) →
Conv2d(16,32,5,pad 2) → ReLU → MaxPool2d(2) → Flatten → Linear(1568,128) → ReLU → Linear(128,5), PyTorch's default
init, Adam 1e-3, batch 64) from scratch on all 30,000 training images of those classes and prints the test accuracy
on their 5,000 test images after each epoch: what 120× more labels buy, the figure a 250-image transfer cannot
be expected to pass. One JSON object per epoch; the last line has the best epoch per seed.

  /usr/bin/python3 bench/peers/transfer-ceiling.py --seeds 42,1,2 --epochs 6
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "fashion-mnist")


def idx(name, header):
    with gzip.open(os.path.join(DATA, name)) as f:
        return np.frombuffer(f.read(), np.uint8, offset=header)


def classes_5_to_9(images, labels):
    x = idx(images, 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    y = idx(labels, 8).astype(np.int64)
    keep = y >= 5
    return torch.tensor(x[keep]), torch.tensor(y[keep] - 5)


p = argparse.ArgumentParser()
p.add_argument("--seeds", default="42,1,2")
p.add_argument("--epochs", type=int, default=6)
p.add_argument("--threads", type=int, default=1)
args = p.parse_args()
torch.set_num_threads(args.threads)
x, y = classes_5_to_9("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
x_test, y_test = classes_5_to_9("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
best = {}
for seed in [int(s) for s in args.seeds.split(",")]:
    torch.manual_seed(seed)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1568, 128), nn.ReLU(), nn.Linear(128, 5))
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    start = time.time()
    for epoch in range(args.epochs):
        order = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            batch = order[i:i + 64]
            loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            accuracy = float((model(x_test).argmax(1) == y_test).float().mean())
        best[seed] = max(best.get(seed, 0.0), accuracy)
        print(json.dumps({"seed": seed, "epoch": epoch + 1, "test_accuracy": round(accuracy, 4),
                          "seconds": round(time.time() - start, 1)}), flush=True)
print(json.dumps({"train_images": len(x), "test_images": len(x_test), "best_test_accuracy": {str(k): round(v, 4) for k, v in best.items()},
                  "mean_best": round(sum(best.values()) / len(best), 4)}))
