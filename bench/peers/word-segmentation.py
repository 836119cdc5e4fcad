#!/usr/bin/python3
"""PyTorch twin of samples/WordSegmentation: restore the spaces of Debian package descriptions.

Each description of ../shared/data/debian-packages.tsv.gz loses its spaces; every remaining character is labelled
1 if a space followed it, else 0. A character BiLSTM tagger (Embedding(V, E, padding_idx=0) -> bidirectional
nn.LSTM(E, H, batch_first) over packed sequences -> Linear(2H, 2), cross-entropy with ignore_index=-100 on padding,
Adam) learns the labels on 80 % of the rows and is scored by boundary F1 (the F1 of label 1 over every character)
on the other 20 %. Data preparation, split, vocabulary, batching and hyperparameters are the sample's:
  - words = description.split(' ') without empty pieces; characters are Unicode code points;
  - a row is a test row when FNV-1a-64 of the UTF-8 bytes of f"{seed}:{package}" is 0 mod 5;
  - vocabulary: 0 padding, 1 unknown, then the training characters by falling count (ties by code point);
  - batches: training rows sorted by length (stable), cut into batches of --batch-size, batch order shuffled per epoch.
Prints one JSON line with boundary_f1, seconds (training + test), samples_per_second (training rows per second) and
cpu_seconds (process CPU time: on a shared machine it shows how much of the wall time the process ran).

usage: /usr/bin/python3 bench/peers/word-segmentation.py [--epochs 4] [--threads 2] [--limit N]
"""
import argparse
import gzip
import json
import os
import random
import time


def fnv1a64(text):
    h = 0xcbf29ce484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def load(path, seed, limit):
    train, test = [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        pkg_col, desc_col = header.index("package"), header.index("description")
        for line in f:
            parts = line.rstrip("\n").split("\t")
            words = [w for w in parts[desc_col].split(" ") if w]
            if not words:
                continue
            chars, labels = [], []
            for w in words:
                chars.extend(ord(c) for c in w)
                labels.extend([0] * (len(w) - 1) + [1])
            labels[-1] = 0
            (test if fnv1a64(f"{seed}:{parts[pkg_col]}") % 5 == 0 else train).append((chars, labels))
            if limit and len(train) + len(test) >= limit:
                break
    return train, test


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=os.path.join("..", "shared", "data", "debian-packages.tsv.gz"))
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--embedding", type=int, default=32)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--limit", type=int, default=0)
    args = p.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    train, test = load(args.data, args.seed, args.limit)
    counts = {}
    for chars, _ in train:
        for c in chars:
            counts[c] = counts.get(c, 0) + 1
    vocab = {c: i + 2 for i, c in enumerate(sorted(counts, key=lambda c: (-counts[c], c)))}

    def batches(rows, size):
        order = sorted(range(len(rows)), key=lambda i: len(rows[i][0]))
        out = []
        for s in range(0, len(order), size):
            idx = order[s:s + size]
            t = max(len(rows[i][0]) for i in idx)
            x = torch.zeros(len(idx), t, dtype=torch.long)
            y = torch.full((len(idx), t), -100, dtype=torch.long)
            lengths = torch.tensor([len(rows[i][0]) for i in idx])
            for r, i in enumerate(idx):
                chars, labels = rows[i]
                x[r, :len(chars)] = torch.tensor([vocab.get(c, 1) for c in chars])
                y[r, :len(labels)] = torch.tensor(labels)
            out.append((x, y, lengths))
        return out

    class Tagger(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(len(vocab) + 2, args.embedding, padding_idx=0)
            self.lstm = torch.nn.LSTM(args.embedding, args.hidden, batch_first=True, bidirectional=True)
            self.head = torch.nn.Linear(2 * args.hidden, 2)

        def forward(self, x, lengths):
            packed = pack_padded_sequence(self.embedding(x), lengths, batch_first=True, enforce_sorted=False)
            out, _ = self.lstm(packed)
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
            return self.head(out)

    model = Tagger()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    ce = torch.nn.CrossEntropyLoss(ignore_index=-100)
    train_batches, test_batches = batches(train, args.batch_size), batches(test, 256)
    shuffle = random.Random(args.seed)
    start = time.perf_counter()
    cpu_start = time.process_time()
    for epoch in range(args.epochs):
        order = list(range(len(train_batches)))
        shuffle.shuffle(order)
        total, tokens = 0.0, 0
        for b in order:
            x, y, lengths = train_batches[b]
            loss = ce(model(x, lengths).reshape(-1, 2), y.reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            n = int((y >= 0).sum())
            total += loss.item() * n
            tokens += n
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total / tokens:.4f}, {time.perf_counter() - start:.1f} s "
              f"({time.process_time() - cpu_start:.1f} s CPU)", flush=True)
    train_seconds = time.perf_counter() - start
    tp = fp = fn = 0
    model.eval()
    with torch.no_grad():
        for x, y, lengths in test_batches:
            pred = model(x, lengths).argmax(-1)
            mask = y >= 0
            tp += int(((pred == 1) & (y == 1) & mask).sum())
            fp += int(((pred == 1) & (y == 0) & mask).sum())
            fn += int(((pred == 0) & (y == 1) & mask).sum())
    seconds = time.perf_counter() - start
    f1 = 2 * tp / (2 * tp + fp + fn)
    print(f"torch {torch.__version__} word segmentation: {len(train)} train rows, {len(test)} test rows, vocabulary {len(vocab) + 2}, "
          f"precision {tp / max(tp + fp, 1):.4f}, recall {tp / max(tp + fn, 1):.4f}")
    print(json.dumps({"boundary_f1": round(f1, 4), "seconds": round(seconds, 1),
                      "samples_per_second": round(len(train) * args.epochs / train_seconds, 1),
                      "cpu_seconds": round(time.process_time() - cpu_start, 1)}))


if __name__ == "__main__":
    main()
