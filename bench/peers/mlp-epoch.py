#!/usr/bin/python3
"""Twin of `Nabla.Bench mlp-epoch`: one Fashion-MNIST epoch, 784-256-128-10 ReLU, Adam 1e-3, batch 128."""
import time
import mlp_common as c

args = c.parse("mlp-epoch")
import torch

train_x, train_y = c.load(args.data, "train")
test_x, test_y = c.load(args.data, "t10k")
# Same warm-up as the Nabla side: 40 batches on a throwaway model.
torch.manual_seed(args.seed + 1)
c.train_epoch(c.mlp(), train_x, train_y, torch.Generator().manual_seed(args.seed + 1), limit=128 * 40)

torch.manual_seed(args.seed)
model = c.mlp()
t0 = time.perf_counter()
loss = c.train_epoch(model, train_x, train_y, torch.Generator().manual_seed(args.seed))
seconds = time.perf_counter() - t0
acc = c.accuracy(model, test_x, test_y)
n = train_x.shape[0]
print(f"torch {torch.__version__} mlp-epoch threads={args.threads}: {seconds:.3f} s, {n / seconds:.0f} samples/s, "
      f"train loss {loss:.4f}, test accuracy {acc:.4f}")
c.result("seconds", seconds, "s", "lower")
c.result("samples_per_s", n / seconds, "samples/s", "higher")
c.result("test_accuracy", acc, "fraction", "parity")
