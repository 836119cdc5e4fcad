#!/usr/bin/python3
"""PyTorch reference for samples/FashionMnistCnn: the same CNN, Adam 1e-3, batch 128, 5 epochs, one
Adam instance across epochs, test accuracy after the last epoch, for each --seeds value.

Not a timing workload (run.sh does not call it): it shows where this recipe lands in PyTorch, to read
Nabla's sample accuracy against. Usage: bench/peers/cnn-accuracy.py --threads 2 [--seeds 42,1,2] [--epochs 5]
"""
import argparse
import os
import sys

p = argparse.ArgumentParser(prog="cnn-accuracy")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seeds", default="42,1,2")
p.add_argument("--epochs", type=int, default=5)
p.add_argument("--data", default=os.path.join("..", "shared", "data", "fashion-mnist"))
args = p.parse_args()
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
sys.argv = sys.argv[:1]
import torch
import torch.nn as nn
import mlp_common as c

torch.set_num_threads(args.threads)
train_x, train_y = c.load(args.data, "train")
test_x, test_y = c.load(args.data, "t10k")
train_x, test_x = train_x.view(-1, 1, 28, 28), test_x.view(-1, 1, 28, 28)
for seed in (int(s) for s in args.seeds.split(",")):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(seed)
    for epoch in range(args.epochs):
        order = torch.randperm(train_x.shape[0], generator=g)
        for start in range(0, train_x.shape[0], 128):
            x, y = c.batch(train_x, train_y, order[start:start + 128])
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()
            opt.step()
    print(f"torch {torch.__version__} cnn-accuracy seed {seed}: test accuracy {c.accuracy(model, test_x, test_y):.4f} after {args.epochs} epochs", flush=True)
