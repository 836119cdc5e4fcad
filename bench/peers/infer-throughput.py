#!/usr/bin/python3
"""Twin of `Nabla.Bench infer-throughput`: samples/s of eval-mode, no-grad forward passes on 1024 images."""
import time
import mlp_common as c

args = c.parse("infer-throughput")
import torch

test_x, test_y = c.load(args.data, "t10k")
torch.manual_seed(args.seed)
model = c.mlp().eval()
batch = 1024
x, _ = c.batch(test_x, test_y, torch.arange(0, batch))
calls = args.calls or 200
rates = []
with torch.no_grad():
    for _ in range(20):
        model(x)
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(calls // 7):
            model(x)
        rates.append(calls // 7 * batch / (time.perf_counter() - t0))
m = c.median(rates)
print(f"torch {torch.__version__} infer-throughput batch={batch} threads={args.threads}: {m:.0f} samples/s")
c.result("samples_per_s", m, "samples/s", "higher")
