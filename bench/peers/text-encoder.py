#!/usr/bin/python3
"""Issue 13's Transformer-encoder text classifier in PyTorch 1.13, on the TF-IDF baseline's own split.

Issue 13 asks `nabla train --data text:…debian-packages.tsv.gz --text description --label section --model
"embedding(64) posenc transformer(heads=4,layers=2,ff=256) gap1d"` for test accuracy ≥ 0.78, the figure of TF-IDF +
logistic regression (bench/peers/tfidf-baseline.py: 0.7822 on `train_test_split(…, test_size=0.2, random_state=0)`).
This script trains the same model on that split: the description's words (Keras' default standardization; --ngrams 2
appends the bigrams as nabla's default vectorizer does), the --max-tokens most frequent tokens of the fitted rows
(0 padding, 1 out-of-vocabulary), Embedding(64, N(0, std²), padding 0) + the sinusoidal table →
nn.TransformerEncoder(2 × nn.TransformerEncoderLayer(64, 4 heads, ff 256, dropout 0.1, batch_first, --norm-first))
with the padding hidden from attention → the mean over the real positions → Linear(58); Adam --lr decayed linearly
to 1 % over the run, batch 32, --epochs 5, --validation of the training part held out. It prints the test accuracy
after every epoch and, last, one JSON object with the arguments, the best and the final test accuracy.

  /usr/bin/python3 bench/peers/text-encoder.py --validation 0
"""
import math

import torch

import debian_section as d

p = d.parser(lr=5e-4)
p.add_argument("--heads", type=int, default=4)
p.add_argument("--layers", type=int, default=2)
p.add_argument("--ff", type=int, default=256)
p.add_argument("--dropout", type=float, default=0.1)
p.add_argument("--norm-first", action="store_true")
args = p.parse_args()
fit, test, classes = d.load(args)


def tokens(text):
    return d.with_ngrams(d.words(text), args.ngrams)


vocabulary = d.vocabulary((tokens(r["description"]) for r in fit), args.max_tokens)


def encode(part):
    ids = [[vocabulary.get(t, 1) for t in tokens(r["description"])] or [1] for r in part]
    return ids, torch.tensor([classes[r["section"]] for r in part])


def sinusoids(length, dim):
    """PyTorch tutorial's table: sin on even features, cos on odd ones, wavelengths up to 10000·2π."""
    position = torch.arange(length).unsqueeze(1)
    rate = torch.exp(torch.arange(0, dim, 2) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim)
    table[:, 0::2] = torch.sin(position * rate)
    table[:, 1::2] = torch.cos(position * rate)
    return table


class EncoderClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(args.max_tokens, args.dim, padding_idx=0)
        torch.nn.init.normal_(self.embedding.weight, 0, args.std)
        with torch.no_grad():
            self.embedding.weight[0].zero_()
        self.register_buffer("positions", sinusoids(512, args.dim))
        layer = torch.nn.TransformerEncoderLayer(args.dim, args.heads, args.ff, args.dropout, batch_first=True,
                                                 norm_first=args.norm_first)
        self.encoder = torch.nn.TransformerEncoder(layer, args.layers, enable_nested_tensor=False)
        self.out = torch.nn.Linear(args.dim, len(classes))

    def forward(self, batch):
        length = max(len(row) for row in batch)
        padded = torch.zeros(len(batch), length, dtype=torch.long)
        for i, row in enumerate(batch):
            padded[i, :len(row)] = torch.tensor(row)
        padding = padded == 0
        h = self.encoder(self.embedding(padded) + self.positions[:length], src_key_padding_mask=padding)
        real = (~padding).unsqueeze(2).float()
        return self.out((h * real).sum(1) / real.sum(1).clamp(min=1))


fit_ids, fit_y = encode(fit)
test_ids, test_y = encode(test)
model = EncoderClassifier()
d.train(model, fit_ids, fit_y, test_ids, test_y, args)
