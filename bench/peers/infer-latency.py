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
many = 1000
images, _ = c.batch(test_x, test_y, torch.arange(0, many))
rows = [images[i:i + 1].contiguous() for i in range(many)]
calls = args.calls or 20000
micros = []
micros_many = []
with torch.no_grad():
    for _ in range(50000):  # as long as the Nabla side, whose JIT needs ~40,000 calls to settle
        model(x)
    for _ in range(calls):
        t0 = time.perf_counter_ns()
        model(x)
        micros.append((time.perf_counter_ns() - t0) / 1000.0)
    for i in range(calls):
        row = rows[i % many]
        t0 = time.perf_counter_ns()
        model(row)
        micros_many.append((time.perf_counter_ns() - t0) / 1000.0)
m = c.median(micros)
m_many = c.median(micros_many)
print(f"torch {torch.__version__} infer-latency threads={args.threads}: median {m:.2f} µs over {calls} calls; "
      f"{m_many:.2f} µs cycling through the first {many} test images")
c.result("latency", m, "us", "lower")
c.result("latency_1000_images", m_many, "us", "lower")
