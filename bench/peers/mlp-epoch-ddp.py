#!/usr/bin/python3
"""Twin of `mpirun -np N Nabla.Bench mlp-epoch-ddp`: the mlp-epoch workload (Fashion-MNIST, 784-256-128-10 ReLU,
Adam 1e-3) trained by N processes with torch.nn.parallel.DistributedDataParallel over gloo. Every process shuffles
with the same generator and takes its contiguous part of each batch of 128, as Nabla's DataShard does.

usage: mlp-epoch-ddp.py --processes N [--threads T] [--data DIR]
"""
import os
import sys
import time

_processes = None
if "--processes" in sys.argv:
    i = sys.argv.index("--processes")
    _processes = int(sys.argv[i + 1])
    del sys.argv[i:i + 2]
import mlp_common as c

args = c.parse("mlp-epoch-ddp")
PROCESSES = _processes or 2


def shard(order, start, size, rank, world):
    lo, hi = size * rank // world, size * (rank + 1) // world
    return order[start + lo:start + hi]


def epoch(model, opt, images, labels, generator, rank, world, limit=None, batch_size=128):
    import torch
    loss_fn = torch.nn.CrossEntropyLoss()
    n = images.shape[0] if limit is None else limit
    order = torch.randperm(n, generator=generator)
    total = 0.0
    for start in range(0, n, batch_size):
        idx = shard(order, start, min(batch_size, n - start), rank, world)
        x, y = c.batch(images, labels, idx)
        loss = loss_fn(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += loss.item() * x.shape[0]
    return total


def run(rank, world, port):
    import torch
    import torch.distributed as dist
    torch.set_num_threads(args.threads)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    from torch.nn.parallel import DistributedDataParallel as DDP
    train_x, train_y = c.load(args.data, "train")
    test_x, test_y = c.load(args.data, "t10k")

    torch.manual_seed(args.seed + 1)
    warm = DDP(c.mlp())
    epoch(warm, torch.optim.Adam(warm.parameters(), lr=1e-3), train_x, train_y,
          torch.Generator().manual_seed(args.seed + 1), rank, world, limit=128 * 40)

    torch.manual_seed(args.seed)
    model = DDP(c.mlp())  # rank 0's weights are broadcast
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    dist.barrier()
    t0 = time.perf_counter()
    total = epoch(model, opt, train_x, train_y, torch.Generator().manual_seed(args.seed), rank, world)
    seconds = time.perf_counter() - t0
    total = torch.tensor([total], dtype=torch.float64)
    dist.all_reduce(total)

    grads = torch.zeros(sum(p.numel() for p in model.parameters()) + 1)
    dist.barrier()
    t1 = time.perf_counter()
    for _ in range(100):
        dist.all_reduce(grads)
    allreduce_ms = (time.perf_counter() - t1) * 1000 / 100
    if rank == 0:
        acc = c.accuracy(model.module, test_x, test_y)
        n = train_x.shape[0]
        print(f"torch {torch.__version__} mlp-epoch-ddp processes={world} threads={args.threads}: {seconds:.3f} s, "
              f"{n / seconds:.0f} samples/s, one all-reduce {allreduce_ms:.3f} ms, train loss {total.item() / n:.4f}, "
              f"test accuracy {acc:.4f}", flush=True)
        c.result("seconds", seconds, "s", "lower")
        c.result("samples_per_s", n / seconds, "samples/s", "higher")
        c.result("allreduce_ms", allreduce_ms, "ms", "lower")
        c.result("test_accuracy", acc, "fraction", "parity")
    sys.stdout.flush()
    dist.destroy_process_group()


if __name__ == "__main__":
    import socket
    import torch.multiprocessing as mp
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(run, args=(PROCESSES, port), nprocs=PROCESSES, join=True)
