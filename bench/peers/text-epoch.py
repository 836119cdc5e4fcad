#!/usr/bin/python3
"""Twin of `Nabla.Bench text-epoch`: one epoch of the seed model on the Debian descriptions (section).

Same rows, vocabulary and token ids as the Nabla side (read from the file `Nabla.Bench text-export`
writes; bench/run.sh makes it), same model (nn.EmbeddingBag mean → Linear(64) → ReLU → Dropout →
Linear(58)), batch size, learning rate and optimizer (SparseAdam on the embedding + Adam), and the
same warm-up (40 batches on a throwaway model).
"""
import time
import text_common as c

args = c.parse("text-epoch", {"batch_size": 32, "lr": 0.03, "dropout": 0.0, "hidden": 64})
import torch

parts, task, outputs, vocabulary = c.load(args.data)
fit, test = parts["fit"], parts["test"]
loss_fn = c.loss_for(task)

torch.manual_seed(args.seed + 1)
warm = c.model(vocabulary, outputs, hidden=args.hidden, dropout=args.dropout)
c.train_epoch(warm, c.optimizers(warm, args.lr), loss_fn, fit, args.batch_size, torch.Generator().manual_seed(args.seed + 1), limit=args.batch_size * 40)

torch.manual_seed(args.seed)
m = c.model(vocabulary, outputs, hidden=args.hidden, dropout=args.dropout)
opts = c.optimizers(m, args.lr)
t0 = time.perf_counter()
loss = c.train_epoch(m, opts, loss_fn, fit, args.batch_size, torch.Generator().manual_seed(args.seed))
seconds = time.perf_counter() - t0
acc = float((c.predict(m, test).argmax(1) == test.y).float().mean())
n = len(fit)
print(f"torch {torch.__version__} text-epoch threads={args.threads}: {seconds:.3f} s, {n / seconds:.0f} samples/s, "
      f"train loss {loss:.4f}, test accuracy {acc:.4f}, vocabulary {vocabulary}, batch {args.batch_size}")
c.result("seconds", seconds, "s", "lower")
c.result("samples_per_s", n / seconds, "samples/s", "higher")
c.result("test_accuracy", acc, "fraction", "parity")
