#!/usr/bin/python3
"""Issue 12's BiLSTM text classifier in PyTorch 1.13, on the TF-IDF baseline's own split (docs/benchmarks.md).

Issue 12 asks `nabla train --data text:…debian-packages.tsv.gz --text description --label section --model
"embedding(64) bilstm(64)" --epochs 5 --seed 1` for test accuracy ≥ 0.78, the figure of TF-IDF + logistic regression
(bench/peers/tfidf-baseline.py: 0.7822 on `train_test_split(…, test_size=0.2, random_state=0)`). This script trains
the same model on that split: the description's words (Keras' default standardization; --ngrams 2 appends the
bigrams as nabla's default vectorizer does), the --max-tokens most frequent tokens of the fitted rows (0 padding,
1 out-of-vocabulary), Embedding(64, N(0, std²), padding 0) → bidirectional LSTM(64) over the packed true lengths →
the last forward and first backward hidden states concatenated → Linear(58); Adam --lr decayed linearly to 1 % over
the run, batch 32, --epochs 5, --validation of the training part held out. It prints the test accuracy after every
epoch and, last, one JSON object with the arguments, the best and the final test accuracy.

  /usr/bin/python3 bench/peers/text-bilstm.py --validation 0
"""

import torch

import debian_section as d

args = d.parser(lr=3e-3).parse_args()
fit, test, classes = d.load(args)


def tokens(text):
    return d.with_ngrams(d.words(text), args.ngrams)


vocabulary = d.vocabulary((tokens(r["description"]) for r in fit), args.max_tokens)


def encode(part):
    ids = [[vocabulary.get(t, 1) for t in tokens(r["description"])] or [1] for r in part]
    return ids, torch.tensor([classes[r["section"]] for r in part])


class BiLstmClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(args.max_tokens, args.dim, padding_idx=0)
        torch.nn.init.normal_(self.embedding.weight, 0, args.std)
        with torch.no_grad():
            self.embedding.weight[0].zero_()
        self.lstm = torch.nn.LSTM(args.dim, args.hidden, batch_first=True, bidirectional=True)
        self.out = torch.nn.Linear(2 * args.hidden, len(classes))

    def forward(self, batch):
        lengths = torch.tensor([len(row) for row in batch])
        padded = torch.zeros(len(batch), int(lengths.max()), dtype=torch.long)
        for i, row in enumerate(batch):
            padded[i, :len(row)] = torch.tensor(row)
        packed = torch.nn.utils.rnn.pack_padded_sequence(self.embedding(padded), lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        return self.out(torch.cat([h[0], h[1]], dim=1))


fit_ids, fit_y = encode(fit)
test_ids, test_y = encode(test)
model = BiLstmClassifier()
d.train(model, fit_ids, fit_y, test_ids, test_y, args)
