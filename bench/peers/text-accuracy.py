#!/usr/bin/python3
"""PyTorch twin of `nabla train` on text: data, for accuracy parity (docs/benchmarks.md, "Text").

Trains the seed model on the rows `Nabla.Bench text-export` wrote for the same data, seed and
defaults as the nabla run it is compared with (same vocabulary, split, validation rows, init rule,
optimizer, learning rate, batch size, dropout and epochs), then reports what nabla reports:
multi-label — micro-F1 on the test rows with per-label θ tuned on the validation rows (labels with
fewer than 10 validation positives share the micro-F1 θ, as nabla does); multi-class — accuracy.

  dotnet bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll text-export --data ../shared/data/appstream-categories.tsv.gz \
      --text text --label categories --label-separator ';' --out /tmp/appstream.tsv
  /usr/bin/python3 bench/peers/text-accuracy.py --data /tmp/appstream.tsv --hidden 32 --epochs 20
"""
import json
import time
import text_common as c

args = c.parse("text-accuracy", {"batch_size": 32, "lr": 0.03, "dropout": 0.0, "hidden": 32, "epochs": 20, "min_positives": 10,
                                     "optimizer": "sparseadam", "init_std": 1.0, "lr_schedule": "none"})
import torch


def best_threshold(scores, labels):
    """The θ maximising F1 of score ≥ θ (midpoint cuts between sorted scores), as Nabla's DecisionThresholds."""
    order = torch.argsort(scores, descending=True)
    s, l = scores[order], labels[order]
    positives = float(l.sum())
    best, best_f1, tp = float(s[0]) + 1e-6, 0.0, 0.0
    for k in range(1, len(s) + 1):
        tp += float(l[k - 1])
        if k < len(s) and s[k] == s[k - 1]:
            continue
        f1 = 2 * tp / (k + positives) if positives else 0.0
        if f1 > best_f1:
            best_f1 = f1
            best = float((s[k - 1] + s[k]) / 2) if k < len(s) else float(s[-1])
    return best


def micro_f1(p, y):
    tp = float((p * y).sum())
    return 2 * tp / float(p.sum() + y.sum())


parts, task, outputs, vocabulary = c.load(args.data)
fit, validation, test = parts["fit"], parts.get("validation"), parts["test"]
torch.manual_seed(args.seed)
m = c.model(vocabulary, outputs, hidden=args.hidden, dropout=args.dropout, init_std=args.init_std)
opts = c.optimizers(m, args.lr, args.optimizer)
loss_fn = c.loss_for(task)
generator = torch.Generator().manual_seed(args.seed + 1)
start = time.time()
for epoch in range(args.epochs):
    if args.lr_schedule == "linear":
        c.set_rate(opts, c.linear_rate(args.lr, epoch, args.epochs))
    loss = c.train_epoch(m, opts, loss_fn, fit, args.batch_size, generator)
    line = {"epoch": epoch + 1, "loss": round(loss, 6)}
    if task != "multilabel" and validation is not None:
        line["val_accuracy"] = round(float((c.predict(m, validation).argmax(1) == validation.y).float().mean()), 4)
    print(json.dumps(line), flush=True)
summary = {"twin": "pytorch", "torch": torch.__version__, "vocabulary": vocabulary, "fit": len(fit), "test": len(test),
           "epochs": args.epochs, "lr": args.lr, "batch_size": args.batch_size, "seed": args.seed,
           "optimizer": args.optimizer, "init_std": args.init_std, "lr_schedule": args.lr_schedule}
if task == "multilabel":
    tune = validation if validation is not None else fit
    pv, yv = torch.sigmoid(c.predict(m, tune)), tune.y
    shared = best_threshold(pv.flatten(), yv.flatten())
    theta = torch.tensor([best_threshold(pv[:, j], yv[:, j]) if yv[:, j].sum() >= args.min_positives else shared
                          for j in range(outputs)])
    pt = (torch.sigmoid(c.predict(m, test)) >= theta).float()
    summary["test_micro_f1"] = round(micro_f1(pt, test.y), 4)
else:
    summary["test_accuracy"] = round(float((c.predict(m, test).argmax(1) == test.y).float().mean()), 4)
summary["seconds"] = round(time.time() - start, 1)
print(json.dumps(summary))
