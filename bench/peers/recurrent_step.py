"""Shared body of the PyTorch twins of `Nabla.Bench lstm-step` and `gru-step`.

One training step: batch 64 of 50 timesteps x 64 features through a 1-layer nn.LSTM / nn.GRU
(hidden 128, batch_first), the last layer's h_n through nn.Linear(128, 10), cross-entropy,
backward, Adam(1e-3). Median step time of --calls steps (default 30) after 5 warm-up steps; on one thread also
the least CPU time of the calling thread per step (time.thread_time), as the Nabla side reports.
"""
import time

import mlp_common as c

BATCH, STEPS, FEATURES, HIDDEN, CLASSES = 64, 50, 64, 128, 10


def run(workload, make):
    args = c.parse(workload)
    import torch
    torch.manual_seed(args.seed)
    rnn = make(torch)
    head = torch.nn.Linear(HIDDEN, CLASSES)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.randn(BATCH, STEPS, FEATURES)
    y = torch.randint(0, CLASSES, (BATCH,))
    last = [0.0]

    def step():
        _, state = rnn(x)
        h = state[0] if isinstance(state, tuple) else state
        loss = loss_fn(head(h[-1]), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        last[0] = loss.item()

    for _ in range(5):
        step()
    calls = args.calls if args.calls > 0 else 30
    times = []
    cpu = float("inf")
    for _ in range(calls):
        t0 = time.perf_counter()
        c0 = time.thread_time()
        step()
        cpu = min(cpu, (time.thread_time() - c0) * 1000)
        times.append((time.perf_counter() - t0) * 1000)
    ms = c.median(times)
    print(f"torch {torch.__version__} {workload} threads={args.threads}: {ms:.2f} ms per step (median of {calls}), "
          f"{BATCH * 1000 / ms:.0f} sequences/s, least thread CPU {cpu:.2f} ms, loss {last[0]:.4f}")
    c.result("step_ms", ms, "ms", "lower")
    c.result("sequences_per_s", BATCH * 1000 / ms, "seq/s", "higher")
    if args.threads == 1:
        c.result("step_cpu_ms", cpu, "ms", "lower")
