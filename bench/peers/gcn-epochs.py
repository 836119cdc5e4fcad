#!/usr/bin/python3
"""Twin of `Nabla.Bench gcn-epochs` and of samples/PackageGraph's GCN: 200 full-batch epochs of a 2-layer GCN on the
Debian package graph (../shared/data/debian-packages.tsv.gz), written with torch.sparse.mm since PyG is not installed.

Data as Nabla's NodeTable reads it: nodes = packages; edges = depends, symmetrized, one self loop per node; features =
binary bag of the 5,000 words found in the most descriptions (lowercased [a-z0-9]+ runs, ties in ordinal order);
label = section (58 classes, sorted); a seeded random 10 % / 10 % / 80 % split of the nodes (torch.randperm, so not
the same nodes as Nabla's split). Model as PyG's GCN example: GCNConv(5000, 64) - ReLU - dropout 0.5 - GCNConv(64, 58),
A_hat = D^-1/2 (A + I) D^-1/2, Glorot weights, zero biases; Adam(lr 1e-2, weight decay 5e-4) on every parameter;
cross-entropy on the training nodes. Every epoch is one update and one evaluation of all nodes (eval mode, no grad);
the reported accuracy is the test accuracy of the epoch with the best validation accuracy. `--model mlp` trains the
MLP baseline instead (nn.Linear(5000, 64) - ReLU - dropout - nn.Linear(64, 58) on the same features).

Prints `RESULT seconds|cpu_seconds|test_accuracy|peak_rss ...` lines like the Nabla workload; seconds = the epochs only.
usage: gcn-epochs.py [--threads N] [--data DIR] [--seed S] [--epochs 200] [--model gcn|mlp]
"""
import argparse
import gzip
import os
import re
import sys
import time
from collections import Counter

p = argparse.ArgumentParser(prog="gcn-epochs")
p.add_argument("--threads", type=int, default=1)
p.add_argument("--data", default=os.path.join("..", "shared", "data"))
p.add_argument("--seed", type=int, default=2024)
p.add_argument("--epochs", type=int, default=200)
p.add_argument("--model", choices=["gcn", "mlp"], default="gcn")
args = p.parse_args()
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlp_common as c  # noqa: E402

path = os.path.join(args.data, "debian-packages.tsv.gz")
if not os.path.exists(path):
    sys.exit(f"debian-packages.tsv.gz not found in {os.path.abspath(args.data)}; pass --data DIR")

with gzip.open(path, "rt", encoding="utf-8") as f:
    header = f.readline().rstrip("\n").split("\t")
    rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
col = {name: i for i, name in enumerate(header)}
names = [r[col["package"]] for r in rows]
index = {name: i for i, name in enumerate(names)}
n = len(rows)

pairs = set((i, i) for i in range(n))
for i, r in enumerate(rows):
    for dep in r[col["depends"]].split(";"):
        j = index.get(dep.strip())
        if j is not None:
            pairs.add((j, i))
            pairs.add((i, j))
src = torch.tensor([s for s, _ in pairs])
dst = torch.tensor([t for _, t in pairs])
deg = torch.zeros(n).index_add_(0, dst, torch.ones(len(pairs)))
dinv = deg.pow(-0.5)
a_hat = torch.sparse_coo_tensor(torch.stack([dst, src]), dinv[src] * dinv[dst], (n, n)).coalesce()

tokens = [set(re.findall(r"[a-z0-9]+", r[col["description"]].lower())) for r in rows]
df = Counter(w for t in tokens for w in t)
vocab = [w for w, _ in sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:5000]]
word = {w: k for k, w in enumerate(vocab)}
fr, fc = [], []
for i, t in enumerate(tokens):
    for w in t:
        k = word.get(w)
        if k is not None:
            fr.append(i)
            fc.append(k)
x = torch.sparse_coo_tensor(torch.tensor([fr, fc]), torch.ones(len(fr)), (n, len(vocab))).coalesce()

classes = sorted(set(r[col["section"]] for r in rows))
y = torch.tensor([classes.index(r[col["section"]]) for r in rows])
perm = torch.randperm(n, generator=torch.Generator().manual_seed(args.seed))
n_train, n_val = round(0.1 * n), round(0.1 * n)
train, val, test = perm[:n_train], perm[n_train:n_train + n_val], perm[n_train + n_val:]


class GCN(nn.Module):
    def __init__(self, features, hidden, out):
        super().__init__()
        self.w1 = nn.Parameter(torch.empty(hidden, features))
        self.b1 = nn.Parameter(torch.zeros(hidden))
        self.w2 = nn.Parameter(torch.empty(out, hidden))
        self.b2 = nn.Parameter(torch.zeros(out))
        nn.init.xavier_uniform_(self.w1)
        nn.init.xavier_uniform_(self.w2)

    def forward(self, x, a):
        h = torch.sparse.mm(a, torch.sparse.mm(x, self.w1.t())) + self.b1
        h = F.dropout(F.relu(h), 0.5, self.training)
        return torch.sparse.mm(a, h @ self.w2.t()) + self.b2


class MLP(nn.Module):
    def __init__(self, features, hidden, out):
        super().__init__()
        self.fc1 = nn.Linear(features, hidden)
        self.fc2 = nn.Linear(hidden, out)

    def forward(self, x, a):
        h = F.dropout(F.relu(torch.sparse.mm(x, self.fc1.weight.t()) + self.fc1.bias), 0.5, self.training)
        return self.fc2(h)


torch.manual_seed(args.seed + 1)
model = (GCN if args.model == "gcn" else MLP)(len(vocab), 64, len(classes))
opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=5e-4)
best_val = best_test = -1.0
best_epoch = -1
t0 = time.perf_counter()
cpu0 = time.process_time()
for epoch in range(args.epochs):
    model.train()
    opt.zero_grad()
    loss = F.cross_entropy(model(x, a_hat)[train], y[train])
    loss.backward()
    opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(x, a_hat).argmax(1)
    val_acc = (pred[val] == y[val]).float().mean().item()
    test_acc = (pred[test] == y[test]).float().mean().item()
    if val_acc > best_val:
        best_val, best_test, best_epoch = val_acc, test_acc, epoch
seconds = time.perf_counter() - t0
cpu = time.process_time() - cpu0
rss = c.peak_rss_mib()
print(f"torch {torch.__version__} gcn-epochs model={args.model} threads={args.threads}: {seconds:.2f} s for {args.epochs} epochs "
      f"({1000 * seconds / max(1, args.epochs):.1f} ms each, {cpu:.2f} s CPU), test accuracy {best_test:.4f} at the best validation epoch "
      f"{best_epoch + 1} (validation {best_val:.4f}), peak RSS {rss:.0f} MiB")
c.result("seconds", seconds, "s", "lower")
c.result("cpu_seconds", cpu, "s", "lower")
c.result("test_accuracy", best_test, "fraction", "parity")
c.result("peak_rss", rss, "MiB", "lower")
