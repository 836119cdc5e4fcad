#!/usr/bin/python3
"""How far the seed model gets on debian section with fastText's tricks (PyTorch 1.13; docs/benchmarks.md).

Issue 11 asks `embedding(64) gap1d dense(64,relu)` for ≥ 0.78 test accuracy on the Debian section task, the
TF-IDF + logistic-regression baseline's figure (bench/peers/tfidf-baseline.py). This script trains that model in
PyTorch on the baseline's own split (sklearn's train_test_split, test_size 0.2, random_state = --seed) with the
recipe `nabla train` uses for single-label text (masked mean of an N(0, std²) table → Linear(64) → ReLU →
Linear(58), Adagrad lr 0.1 decayed linearly to 0 over the run, batch 32, 5 epochs, 10 % of the training part held
out) and lets each of fastText's remedies be switched on:

  --ngrams N         word n-grams up to N (2: words and bigrams, nabla's default)
  --subwords 3-5     add each word's character n-grams ("<word>" padded, as fastText does), hashed into --buckets
  --validation F     fraction of the training part held out (0: train on all of it, as the baseline does)
  --word-dropout P   drop each token of a training row with probability P (at least one token is kept)
  --stopwords        drop scikit-learn's English stop words

Vocabulary: the --max-tokens most frequent tokens of the fitted rows, id 0 padding, 1 out-of-vocabulary, as nabla's
TextVectorizer. One JSON object per epoch; the last line has the arguments and the test accuracy.

  /usr/bin/python3 bench/peers/text-fasttext.py --subwords 3-5 --validation 0
"""
import json
import time
import zlib

import torch
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

import debian_section as d

p = d.parser(lr=0.1)
p.add_argument("--subwords", default="")
p.add_argument("--buckets", type=int, default=2_000_000)
p.add_argument("--word-dropout", type=float, default=0.0)
p.add_argument("--stopwords", action="store_true")
args = p.parse_args()
fit, test, classes = d.load(args)


def tokens(text):
    words = d.words(text)
    if args.stopwords:
        words = [w for w in words if w not in ENGLISH_STOP_WORDS]
    grams = d.with_ngrams(words, args.ngrams)
    subwords = []
    if args.subwords:
        low, high = map(int, args.subwords.split("-"))
        for w in words:
            padded = "<" + w + ">"
            subwords += [padded[i:i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)]
    return grams, subwords


vocabulary = d.vocabulary((tokens(r["description"])[0] for r in fit), args.max_tokens)
size = args.max_tokens + (args.buckets if args.subwords else 0)


def encode(part):
    ids = []
    for r in part:
        grams, subwords = tokens(r["description"])
        ids.append([vocabulary.get(t, 1) for t in grams] + [args.max_tokens + zlib.crc32(s.encode()) % args.buckets for s in subwords])
    return ids, torch.tensor([classes[r["section"]] for r in part])


class SeedModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.EmbeddingBag(size, args.dim, mode="mean", sparse=True)
        torch.nn.init.normal_(self.embedding.weight, 0, args.std)
        self.hidden = torch.nn.Linear(args.dim, args.hidden)
        self.out = torch.nn.Linear(args.hidden, len(classes))

    def forward(self, batch):
        flat = torch.tensor([i for row in batch for i in row] or [1])
        offsets = torch.tensor([0] + [len(row) for row in batch[:-1]]).cumsum(0)
        return self.out(torch.relu(self.hidden(self.embedding(flat, offsets))))


def accuracy(model, ids, y):
    with torch.no_grad():
        predicted = torch.cat([model(ids[i:i + 1024]).argmax(1) for i in range(0, len(ids), 1024)])
    return float((predicted == y).float().mean())


fit_ids, fit_y = encode(fit)
test_ids, test_y = encode(test)
model = SeedModel()
optimizer = torch.optim.Adagrad(model.parameters(), lr=args.lr)
generator = torch.Generator().manual_seed(args.seed + 1)
steps = (len(fit_ids) + args.batch_size - 1) // args.batch_size
step, start = 0, time.time()
for epoch in range(args.epochs):
    order = torch.randperm(len(fit_ids), generator=generator).tolist()
    for b in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = args.lr * (1 - step / (steps * args.epochs))
        step += 1
        picked = order[b * args.batch_size:(b + 1) * args.batch_size]
        batch = [fit_ids[i] for i in picked]
        if args.word_dropout > 0:
            keep = [torch.rand(len(row), generator=generator) >= args.word_dropout for row in batch]
            batch = [[t for t, k in zip(row, mask) if k] or row[:1] for row, mask in zip(batch, keep)]
        loss = torch.nn.functional.cross_entropy(model(batch), fit_y[picked])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(json.dumps({"epoch": epoch + 1, "test_accuracy": round(accuracy(model, test_ids, test_y), 4)}), flush=True)
print(json.dumps({"args": vars(args), "fit_rows": len(fit_ids), "test_rows": len(test_ids),
                  "test_accuracy": round(accuracy(model, test_ids, test_y), 4), "seconds": round(time.time() - start, 1)}))
