#!/usr/bin/python3
"""PyTorch twin of samples/CharLanguageModel: the same character-level transformer language model on the same
split of the Debian package descriptions, trained the same way, reporting test perplexity.

Same data: rows of ../shared/data/debian-packages.tsv.gz with a description; test rows are those whose FNV-1a
(32-bit) hash of "SEED:package" is 0 mod 10. Same vocabulary: characters (code points) seen at least 5 times in
the training descriptions in code-point order after pad 0, start 1, end 2, rare 3. Same sequences: start + at most
94 characters + end. Same model: token embedding N(0, 1) + the sinusoidal table + dropout 0.1, 3 pre-norm GELU
nn.TransformerEncoderLayer(128, 4, 512, 0.1, batch_first=True, norm_first=True) with independently initialized
layers (nn.TransformerEncoder would deep-copy one), a final LayerNorm, a Linear head; causal mask. Same training:
batches of 64 made by shuffling, sorting chunks of 32 batches by length and shuffling the batches; Adam 1e-3 with
200 (--warmup) warm-up steps then linear decay to a tenth; cross-entropy over real characters (padding weight 0). Same
generation: six descriptions sampled at temperature 0.8 with top-k 20, greedy completions of the same four prompts.
Only the random streams differ (torch's generator instead of Nabla's Rng).
Usage: /usr/bin/python3 bench/peers/char-lm.py [--epochs 3] [--threads 2] [--seed 42] [--limit N] [--warmup 200]
The last line is JSON: {"test_perplexity": …, "seconds": …}.
"""
import argparse
import gzip
import json
import math
import os
import time

p = argparse.ArgumentParser(prog="char-lm")
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seed", type=int, default=42)
p.add_argument("--limit", type=int, default=None)
p.add_argument("--warmup", type=int, default=200)
p.add_argument("--data", default=os.path.join("..", "shared", "data", "debian-packages.tsv.gz"))
args = p.parse_args()
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
start_clock = time.perf_counter()
MAX_TOKENS, BATCH, CHUNK = 96, 64, 64 * 32
PAD, START, END, RARE, SPECIALS = 0, 1, 2, 3, 4


def fnv1a(text):
    h = 2166136261
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


with gzip.open(args.data, "rt", encoding="utf-8") as f:
    header = f.readline().rstrip("\n").split("\t")
    ip, idesc = header.index("package"), header.index("description")
    rows = []
    for line in f:
        fields = line.rstrip("\n").split("\t")
        if len(fields) > idesc and fields[idesc]:
            rows.append((fields[ip], fields[idesc]))
train = [d for pkg, d in rows if fnv1a(f"{args.seed}:{pkg}") % 10 != 0][: args.limit]
test = [d for pkg, d in rows if fnv1a(f"{args.seed}:{pkg}") % 10 == 0]
counts = {}
for d in train:
    for ch in d:
        counts[ch] = counts.get(ch, 0) + 1
chars = sorted(c for c, n in counts.items() if n >= 5)
ids = {c: SPECIALS + i for i, c in enumerate(chars)}
V = SPECIALS + len(chars)


def tokens(text):
    return [START] + [ids.get(c, RARE) for c in text][: MAX_TOKENS - 2] + [END]


train_tokens = [tokens(d) for d in train]
test_tokens = [tokens(d) for d in test]
print(f"{len(train)} training and {len(test)} test descriptions, {V} tokens; torch {torch.__version__}, {args.threads} thread(s)")


def sinusoids(n, d):
    pe = torch.zeros(n, d)
    position = torch.arange(n).unsqueeze(1).float()
    div = torch.exp(torch.arange(0, d, 2).float() * (-math.log(10000.0) / d))
    pe[:, 0::2] = torch.sin(position * div)
    pe[:, 1::2] = torch.cos(position * div)
    return pe


class CharLM(nn.Module):
    def __init__(self, vocab, d=128, heads=4, layers=3, ff=512, dropout=0.1):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab, d)
        self.register_buffer("pe", sinusoids(MAX_TOKENS, d), persistent=False)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(nn.TransformerEncoderLayer(d, heads, ff, dropout, activation="gelu", batch_first=True,
                                                               norm_first=True) for _ in range(layers))
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, x):
        n = x.shape[1]
        h = self.dropout(self.tok_emb(x) + self.pe[:n])
        mask = torch.triu(torch.full((n, n), float("-inf")), diagonal=1)
        for layer in self.layers:
            h = layer(h, src_mask=mask)
        return self.head(self.norm(h))


model = CharLM(V)
print(f"model: {sum(p.numel() for p in model.parameters()):,} parameters")
weights = torch.ones(V)
weights[PAD] = 0
loss_fn = nn.CrossEntropyLoss(weight=weights)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
steps_per_epoch = (len(train) + BATCH - 1) // BATCH
total, warmup, step = args.epochs * steps_per_epoch, args.warmup, 0


def ids_tensor(seqs, rows):
    n = max(len(seqs[r]) for r in rows)
    out = torch.zeros(len(rows), n, dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, : len(seqs[r])] = torch.tensor(seqs[r])
    return out


def batches():
    order = torch.randperm(len(train)).tolist()
    result = []
    for c in range(0, len(order), CHUNK):
        chunk = sorted(order[c: c + CHUNK], key=lambda i: len(train_tokens[i]))
        result += [chunk[b: b + BATCH] for b in range(0, len(chunk), BATCH)]
    return [result[i] for i in torch.randperm(len(result)).tolist()]


for epoch in range(1, args.epochs + 1):
    model.train()
    t0, total_loss, bs = time.perf_counter(), 0.0, batches()
    for batch in bs:
        lr = 1e-3 * ((step + 1) / warmup if step < warmup else 1 - 0.9 * (step - warmup) / max(1, total - warmup))
        for g in opt.param_groups:
            g["lr"] = lr
        x = ids_tensor(train_tokens, batch)
        logits = model(x[:, :-1])
        loss = loss_fn(logits.reshape(-1, V), x[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        total_loss += loss.item()
        step += 1
    mean = total_loss / len(bs)
    print(f"epoch {epoch}/{args.epochs}: train loss {mean:.4f} (perplexity {math.exp(mean):.3f}), {time.perf_counter() - t0:.0f} s")

model.eval()
sum_loss = nn.CrossEntropyLoss(weight=weights, reduction="sum")
order = sorted(range(len(test_tokens)), key=lambda i: len(test_tokens[i]))
nll, count = 0.0, 0
with torch.no_grad():
    for b in range(0, len(order), 256):
        rows = order[b: b + 256]
        x = ids_tensor(test_tokens, rows)
        nll += sum_loss(model(x[:, :-1]).reshape(-1, V), x[:, 1:].reshape(-1)).item()
        count += sum(len(test_tokens[r]) - 1 for r in rows)
ppl = math.exp(nll / count)
print(f"test perplexity {ppl:.4f} per character ({math.log2(ppl):.3f} bits)")
chars_of = {i: c for c, i in ids.items()}


def decode(seq):
    return "".join(chars_of.get(t, "\ufffd") if t != PAD and t != START and t != END else "" for t in seq)


@torch.no_grad()
def sample(prompt, count, new_tokens, generator, temperature, top_k):
    # Like Nabla's Decoding.Sample without its key/value cache: every step runs the whole prefix again, which gives the
    # same logits. Logits / temperature, the top k kept, softmax, one draw per row; a row stops at its end token.
    rows = [list(prompt) for _ in range(count)]
    finished = [False] * count
    for _ in range(new_tokens):
        logits = model(torch.tensor(rows))[:, -1] / temperature
        if top_k > 0:
            kth = torch.topk(logits, top_k, dim=1).values[:, -1:]
            logits = logits.masked_fill(logits < kth, float("-inf"))
        drawn = torch.multinomial(torch.softmax(logits, dim=1), 1, generator=generator).squeeze(1).tolist()
        for r in range(count):
            rows[r].append(END if finished[r] else drawn[r])
            finished[r] = finished[r] or drawn[r] == END
        if all(finished):
            break
    return [decode(r[len(prompt):]) for r in rows]


sampler = torch.Generator().manual_seed(args.seed + 7)
print("sampled descriptions (temperature 0.8, top-k 20):")
for text in sample([START], 6, MAX_TOKENS - 2, sampler, 0.8, 20):
    print(f"  {text}")
print("greedy completions:")
for prompt in ["Python 3 library for ", "GNOME ", "Perl module to ", "transitional package for "]:
    prefix = [START] + [ids[c] for c in prompt]
    print(f"  {prompt}|{sample(prefix, 1, MAX_TOKENS - len(prefix), sampler, 1.0, 1)[0]}")
seconds = time.perf_counter() - start_clock
print(json.dumps({"test_perplexity": round(ppl, 4), "seconds": round(seconds, 1), "epochs": args.epochs,
                  "train_rows": len(train), "test_rows": len(test), "torch": torch.__version__, "steps": step,
                  "warmup": warmup}))
