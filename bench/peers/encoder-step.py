#!/usr/bin/python3
"""Twin of `Nabla.Bench encoder-step`: one training step of nn.TransformerEncoderLayer(256, 4, 1024, dropout 0.1,
batch_first=True; post-norm ReLU, the defaults) on [32, 128, 256], MSE to a fixed target, forward + backward + Adam(1e-3).
Median step time over --steps steps after 3 warm-up steps.
"""
import argparse
import os
import time

p = argparse.ArgumentParser(prog="encoder-step")
p.add_argument("--threads", type=int, default=1)
p.add_argument("--steps", type=int, default=10)
args = p.parse_args()
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(2024)
B, L, D, H, FF = 32, 128, 256, 4, 1024
layer = nn.TransformerEncoderLayer(D, H, FF, dropout=0.1, batch_first=True)
layer.train()
opt = torch.optim.Adam(layer.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()
x = torch.randn(B, L, D)
target = torch.randn(B, L, D)


def step():
    opt.zero_grad(set_to_none=False)
    loss = loss_fn(layer(x), target)
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(3):
    step()
times, cpu = [], []
for _ in range(args.steps):
    t0, c0 = time.perf_counter(), time.process_time()
    last = step()
    times.append((time.perf_counter() - t0) * 1000)
    cpu.append((time.process_time() - c0) * 1000)


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


m, mc = median(times), median(cpu)
print(f"torch {torch.__version__} encoder-step threads={args.threads}: median {m:.1f} ms/step (min {min(times):.1f}, {len(times)} steps), "
      f"CPU {mc:.1f} ms/step, loss {last:.4f}")
print(f"RESULT step_ms {m!r} ms lower")
print(f"RESULT step_cpu_ms {mc!r} ms lower")
print(f"RESULT tokens_per_s {B * L / (m / 1000)!r} tokens/s higher")
