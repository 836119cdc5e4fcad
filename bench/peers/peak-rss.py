#!/usr/bin/python3
"""Twin of `Nabla.Bench peak-rss`: VmHWM after loading Fashion-MNIST and training one epoch (no warm-up)."""
import mlp_common as c

args = c.parse("peak-rss")
import torch

train_x, train_y = c.load(args.data, "train")
torch.manual_seed(args.seed)
c.train_epoch(c.mlp(), train_x, train_y, torch.Generator().manual_seed(args.seed))
mib = c.peak_rss_mib()
print(f"torch {torch.__version__} peak-rss threads={args.threads}: {mib:.1f} MiB")
c.result("peak_rss", mib, "MiB", "lower")
