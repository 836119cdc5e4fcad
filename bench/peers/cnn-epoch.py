#!/usr/bin/python3
"""Twin of `Nabla.Bench cnn-epoch`: one Fashion-MNIST epoch [N,1,28,28] on conv5-32/pool/conv5-64/pool/
3136-128-10, Adam 1e-3, cross-entropy, batch 128, PyTorch default init (timing and --limit: cnn_common.py).
"""
import cnn_common
import mlp_common as c

args = c.parse("cnn-epoch")
import torch.nn as nn


def cnn():
    # Same module order as Nabla's Sequential, so state_dict keys (0.weight, 3.weight, 7.weight, 9.weight) match.
    return nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


cnn_common.run_epoch("cnn-epoch", args, cnn)
