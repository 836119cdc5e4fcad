"""Shared pieces of the PyTorch twins of Nabla's text workloads (text-epoch.py, text-accuracy.py).

The data come from `dotnet bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll text-export --out FILE`,
which writes the rows exactly as `nabla train` prepares them for text: data (its split, validation
hold-out and vectorizer defaults), one line per row `part \t targets \t ids`, so the twin trains on the
same vocabulary (FILE.vocab.txt) and token ids. The model is the seed's Keras model in PyTorch:
nn.EmbeddingBag(mean, padding_idx=0) → Linear → ReLU → Dropout → Linear, with PyTorch's default
inits (N(0, 1) embedding with a zero padding row; U(±1/√in) linear layers), which are Nabla's too.
"""
import argparse
import os


def parse(workload, defaults):
    p = argparse.ArgumentParser(prog=workload)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data", required=True, help="the file text-export wrote")
    p.add_argument("--seed", type=int, default=0)
    for name, value in defaults.items():
        p.add_argument("--" + name.replace("_", "-"), type=type(value), default=value)
    args = p.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import torch
    torch.set_num_threads(args.threads)
    return args


class Part:
    """Rows of one part: ids padded to the longest row [N, L] (int64), lengths [N], targets."""

    def __init__(self, rows, task, outputs):
        import torch
        longest = max(1, max(len(ids) for _, ids in rows))
        self.ids = torch.zeros(len(rows), longest, dtype=torch.long)
        self.lengths = torch.zeros(len(rows), dtype=torch.long)
        for i, (_, ids) in enumerate(rows):
            self.ids[i, :len(ids)] = torch.tensor(ids, dtype=torch.long)
            self.lengths[i] = len(ids)
        if task == "multilabel":
            self.y = torch.zeros(len(rows), outputs)
            for i, (t, _) in enumerate(rows):
                for j in t:
                    self.y[i, j] = 1.0
        else:
            self.y = torch.tensor([t for t, _ in rows], dtype=torch.long)

    def __len__(self):
        return self.ids.shape[0]

    def batch(self, idx):
        """ids [b, longest of the batch] (as Nabla's TextDataset pads each batch), targets."""
        width = max(1, int(self.lengths[idx].max()))
        return self.ids[idx, :width], self.y[idx]


def load(path):
    """{part: Part}, task, outputs, vocabulary size."""
    header = {}
    rows = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                header = dict(kv.split("=") for kv in line[1:].split())
                continue
            part, targets, ids = line.rstrip("\n").split("\t")
            t = [int(x) for x in targets.split(";") if x] if header["task"] == "multilabel" else int(targets)
            rows.setdefault(part, []).append((t, [int(x) for x in ids.split()]))
    task, outputs = header["task"], int(header["outputs"])
    return {p: Part(r, task, outputs) for p, r in rows.items()}, task, outputs, int(header["vocabulary"])


def model(vocabulary, outputs, dim=64, hidden=64, dropout=0.0, init_std=1.0):
    """The seed model; the embedding starts N(0, init_std²) (1 = PyTorch's default) with a zero padding row."""
    import torch
    import torch.nn as nn

    class SeedModel(nn.Module):
        def __init__(self):
            super().__init__()
            # mean over the non-padding ids of each row: Nabla's masked GlobalAveragePooling1D
            self.embedding = nn.EmbeddingBag(vocabulary, dim, mode="mean", sparse=True, padding_idx=0)
            if init_std != 1.0:
                with torch.no_grad():
                    self.embedding.weight.normal_(0.0, init_std)
                    self.embedding.weight[0].zero_()
            self.hidden = nn.Linear(dim, hidden)
            self.dropout = nn.Dropout(dropout)
            self.out = nn.Linear(hidden, outputs)

        def forward(self, ids):
            return self.out(self.dropout(self.hidden(self.embedding(ids)).relu()))

    return SeedModel()


def optimizers(m, lr, kind="sparseadam"):
    """Nabla's --optimizer for the seed model: sparseadam (lazy Adam on the embedding's row-sparse gradient,
    Adam on the dense layers) or adagrad (row-sparse on the embedding, as Nabla's Adagrad updates only the rows used)."""
    import torch
    dense = [p for n, p in m.named_parameters() if not n.startswith("embedding.")]
    if kind == "adagrad":
        return [torch.optim.Adagrad(list(m.embedding.parameters()), lr=lr), torch.optim.Adagrad(dense, lr=lr)]
    return [torch.optim.SparseAdam(list(m.embedding.parameters()), lr=lr), torch.optim.Adam(dense, lr=lr)]


def set_rate(opts, rate):
    for o in opts:
        for g in o.param_groups:
            g["lr"] = rate


def linear_rate(lr, epoch, epochs):
    """Nabla's --lr-schedule linear with its defaults: η_k = (1 − k/τ)·η₀ + (k/τ)·η₀/100, τ = the run's epochs."""
    k = min(epoch, epochs)
    return (1 - k / epochs) * lr + (k / epochs) * lr / 100


def loss_for(task):
    import torch.nn as nn
    return nn.BCEWithLogitsLoss() if task == "multilabel" else nn.CrossEntropyLoss()


def train_epoch(m, opts, loss_fn, part, batch_size, generator, limit=None):
    """One shuffled epoch, the loop Nabla's model.Fit runs; returns the mean loss."""
    import torch
    m.train()
    n = len(part) if limit is None else min(limit, len(part))
    order = torch.randperm(len(part), generator=generator)[:n]
    total = 0.0
    for start in range(0, n, batch_size):
        x, y = part.batch(order[start:start + batch_size])
        for o in opts:
            o.zero_grad()
        loss = loss_fn(m(x), y)
        loss.backward()
        for o in opts:
            o.step()
        total += loss.item() * x.shape[0]
    return total / n


def predict(m, part, batch_size=1024):
    import torch
    m.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(part), batch_size):
            x, _ = part.batch(torch.arange(start, min(start + batch_size, len(part))))
            out.append(m(x))
    return torch.cat(out)


def result(name, value, unit, better):
    print(f"RESULT {name} {value!r} {unit} {better}")
