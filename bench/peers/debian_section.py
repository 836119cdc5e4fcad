"""Shared pieces of the PyTorch runs of issues 11–13's Debian-section models on the TF-IDF baseline's own split
(text-fasttext.py, text-bilstm.py, text-encoder.py): options, rows, split, Keras-style words and word n-grams, the
vocabulary, and the sequence models' training recipe."""
import argparse
import csv
import gzip
import os
import re
import sys
from collections import Counter

from sklearn.model_selection import train_test_split

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "debian-packages.tsv.gz")
PUNCTUATION = re.compile(r'[!"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~]')  # Keras TextVectorization's default strip


def parser(lr):
    """The options both runs share; the seed model's and the BiLSTM's defaults differ only in the learning rate."""
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--ngrams", type=int, default=2)
    p.add_argument("--validation", type=float, default=0.1)
    p.add_argument("--max-tokens", type=int, default=50_000)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--std", type=float, default=0.01)
    p.add_argument("--threads", type=int, default=1)
    return p


def load(args):
    """(fit rows, test rows, class index): train_test_split(test_size=0.2, random_state=seed) as the baseline, then
    the first --validation fraction of the training part held out."""
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    csv.field_size_limit(sys.maxsize)
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    train, test = train_test_split(rows, test_size=0.2, random_state=args.seed)
    classes = {c: i for i, c in enumerate(sorted({r["section"] for r in rows}))}
    return train[int(len(train) * args.validation):], test, classes


def words(text):
    return PUNCTUATION.sub(" ", text.lower()).split()


def with_ngrams(ws, n):
    """The words followed by their 2…n-grams, as nabla's vectorizer lists them."""
    grams = list(ws)
    for k in range(2, n + 1):
        grams += [" ".join(ws[i:i + k]) for i in range(len(ws) - k + 1)]
    return grams


def vocabulary(token_lists, max_tokens):
    """The max_tokens − 2 most frequent tokens → ids from 2 (0 padding, 1 out-of-vocabulary)."""
    counts = Counter(t for ts in token_lists for t in ts)
    return {t: i + 2 for i, (t, _) in enumerate(counts.most_common(max_tokens - 2))}


def accuracy(model, ids, y):
    """Test accuracy of model(batch of id lists) → logits, 512 rows at a time."""
    import torch
    with torch.no_grad():
        predicted = torch.cat([model(ids[i:i + 512]).argmax(1) for i in range(0, len(ids), 512)])
    return float((predicted == y).float().mean())


def train(model, fit_ids, fit_y, test_ids, test_y, args):
    """The sequence models' recipe (text-bilstm.py, text-encoder.py): Adam at --lr decayed linearly to 1 % over the
    run, batches of --batch-size in a fresh seeded order each epoch; prints the test accuracy after every epoch and,
    last, one JSON object with the arguments, the best and the final test accuracy."""
    import json
    import time
    import torch
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    generator = torch.Generator().manual_seed(args.seed + 1)
    steps = (len(fit_ids) + args.batch_size - 1) // args.batch_size
    step, best, start = 0, 0.0, time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(fit_ids), generator=generator).tolist()
        for b in range(steps):
            for group in optimizer.param_groups:
                group["lr"] = args.lr * (1 - 0.99 * step / (steps * args.epochs))
            step += 1
            picked = order[b * args.batch_size:(b + 1) * args.batch_size]
            loss = torch.nn.functional.cross_entropy(model([fit_ids[i] for i in picked]), fit_y[picked])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        current = accuracy(model, test_ids, test_y)
        best = max(best, current)
        print(json.dumps({"epoch": epoch + 1, "test_accuracy": round(current, 4), "seconds": round(time.time() - start, 1)}), flush=True)
    print(json.dumps({"args": vars(args), "fit_rows": len(fit_ids), "test_rows": len(test_ids), "best_test_accuracy": round(best, 4),
                      "test_accuracy": round(current, 4), "seconds": round(time.time() - start, 1)}))
