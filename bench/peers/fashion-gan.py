#!/usr/bin/python3
"""PyTorch twin of samples/FashionGan: the same judge CNN and DCGAN (widths, Adam 2e-4 β1 0.5, batch 64,
BCE-with-logits, Detach for the discriminator step, non-saturating generator loss), the same quality
figures (class coverage at ≥ 5 %, mean judge confidence, Fréchet distance of the judge's penultimate
features between generated and real test images, unbiased covariances, symmetric square roots).

Not a timing workload (run.sh does not call it). Usage:
bench/peers/fashion-gan.py --threads 2 [--epochs 5] [--judge-epochs 2] [--limit 60000] [--samples 10000] [--seed 42]
The last line is one JSON object with the same keys as the sample's.
"""
import argparse
import json
import os
import sys
import time

p = argparse.ArgumentParser(prog="fashion-gan")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--epochs", type=int, default=5)
p.add_argument("--judge-epochs", type=int, default=2)
p.add_argument("--limit", type=int, default=60000)
p.add_argument("--samples", type=int, default=10000)
p.add_argument("--seed", type=int, default=42)
p.add_argument("--data", default=os.path.join("..", "shared", "data", "fashion-mnist"))
args = p.parse_args()
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
sys.argv = sys.argv[:1]
import numpy as np
import torch
import torch.nn as nn
import mlp_common as c

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
start = time.time()
train_x, train_y = c.load(args.data, "train")
test_x, test_y = c.load(args.data, "t10k")
train_x, train_y = train_x[:args.limit].view(-1, 1, 28, 28), train_y[:args.limit]   # bytes, scaled per batch by c.batch
test_x = test_x.view(-1, 1, 28, 28)
train_f32, test_f32 = train_x.float() / 255, test_x.float() / 255

judge = nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Linear(1568, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.Adam(judge.parameters(), lr=1e-3)
for epoch in range(args.judge_epochs):
    order = torch.randperm(train_x.shape[0])
    for s in range(0, train_x.shape[0], 128):
        x, y = c.batch(train_x, train_y, order[s:s + 128])
        opt.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(judge(x), y).backward()
        opt.step()
judge_accuracy = c.accuracy(judge, test_x, test_y)
print(f"judge: test accuracy {judge_accuracy:.4f}", flush=True)

Z = 64
project = nn.Sequential(nn.Linear(Z, 64 * 7 * 7), nn.BatchNorm1d(64 * 7 * 7), nn.ReLU())
upsample = nn.Sequential(nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.BatchNorm2d(32), nn.ReLU(),
                         nn.ConvTranspose2d(32, 1, 4, 2, 1), nn.Tanh())
generator = nn.Sequential(project, upsample)
def generate(z):
    return upsample(project(z).view(z.shape[0], 64, 7, 7))
discriminator = nn.Sequential(nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2),
                              nn.Conv2d(32, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
                              nn.Flatten(), nn.Linear(64 * 7 * 7, 1))
opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
bce = nn.BCEWithLogitsLoss()
real = train_f32 * 2 - 1
B = 64
ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)
for epoch in range(args.epochs):
    order = torch.randperm(real.shape[0])
    ld = lg = 0.0
    batches = real.shape[0] // B
    for b in range(batches):
        x = real[order[b * B:(b + 1) * B]]
        fake = generate(torch.randn(B, Z))
        opt_d.zero_grad(set_to_none=True)
        d_loss = bce(discriminator(x), ones) + bce(discriminator(fake.detach()), zeros)
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad(set_to_none=True)
        g_loss = bce(discriminator(fake), ones)
        g_loss.backward()
        opt_g.step()
        ld += d_loss.item()
        lg += g_loss.item()
    print(f"epoch {epoch + 1}/{args.epochs}: D loss {ld / batches:.4f}, G loss {lg / batches:.4f}, {time.time() - start:.0f} s", flush=True)

generator.eval()
judge.eval()
with torch.no_grad():
    generated = torch.cat([(generate(torch.randn(min(500, args.samples - s), Z)) + 1) / 2 for s in range(0, args.samples, 500)])
    def features(x):
        return torch.cat([judge[:-1](x[s:s + 500]) for s in range(0, x.shape[0], 500)]).double().numpy()
    fake_f, real_f = features(generated), features(test_f32)
    train_f = features(train_f32[:args.samples])
    logits = judge[-1](torch.from_numpy(fake_f).float())

def sqrtm_sym(s):
    w, v = np.linalg.eigh(s)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T

def frechet(a, b):
    ma, mb = a.mean(0), b.mean(0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    ra = sqrtm_sym(ca)
    m = ra @ cb @ ra
    w = np.linalg.eigvalsh((m + m.T) / 2)
    return max(float(((ma - mb) ** 2).sum() + np.trace(ca) + np.trace(cb) - 2 * np.sqrt(np.clip(w, 0, None)).sum()), 0.0)

probs = torch.softmax(logits, 1)
shares = np.bincount(probs.argmax(1).numpy(), minlength=10) / args.samples
print("class shares: " + " ".join(f"{s:.3f}" for s in shares), flush=True)
print(json.dumps({"class_coverage": int((shares >= 0.05).sum()), "confidence": round(float(probs.max(1).values.mean()), 4),
                  "frechet_distance": round(frechet(fake_f, real_f), 3), "real_frechet_distance": round(frechet(train_f, real_f), 3),
                  "judge_accuracy": round(judge_accuracy, 4), "epochs": args.epochs, "seconds": round(time.time() - start, 1)}))
