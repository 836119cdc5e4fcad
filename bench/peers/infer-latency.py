#!/usr/bin/python3
"""Twin of `Nabla.Bench infer-latency`: median µs of one eval-mode, no-grad forward pass on one image."""
import time
import mlp_common as c

args = c.parse("infer-latency")
import torch

test_x, test_y = c.load(args.data, "t10k")
torch.manual_seed(args.seed)
model = c.mlp().eval()
x, _ = c.batch(test_x, test_y, torch.arange(0, 1))
calls = args.calls or 20000
micros = []
with torch.no_grad():
    for _ in range(5000):
        model(x)
    for _ in range(calls):
        t0 = time.perf_counter_ns()
        model(x)
        micros.append((time.perf_counter_ns() - t0) / 1000.0)
m = c.median(micros)
print(f"torch {torch.__version__} infer-latency threads={args.threads}: median {m:.2f} µs over {calls} calls")
c.result("latency", m, "us", "lower")
