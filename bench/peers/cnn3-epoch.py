#!/usr/bin/python3
"""Twin of `Nabla.Bench cnn3-epoch`: one Fashion-MNIST epoch [N,1,28,28] on 3x3 convolutions
(conv3-32 x2, pool, conv3-64 x2, pool, 3136-128-10), Adam 1e-3, cross-entropy, batch 128, PyTorch default
init; otherwise exactly cnn-epoch.py (timing and --limit: cnn_common.py).
"""
import cnn_common
import mlp_common as c

args = c.parse("cnn3-epoch")
import torch.nn as nn


def cnn():
    # Same module order as Nabla's Sequential (CnnTrainingBenchmark.Cnn3), so state_dict keys match.
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


cnn_common.run_epoch("cnn3-epoch", args, cnn)
