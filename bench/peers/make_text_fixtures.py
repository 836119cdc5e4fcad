"""Writes the PyTorch fixtures for Nabla's text layers (read by tests/Nabla.Tests/Nn/EmbeddingPyTorchTests.cs).

Run: /usr/bin/python3 bench/peers/make_text_fixtures.py   (python3-torch 1.13 from Debian)
Output: tests/Nabla.Tests/Nn/fixtures/embedding.safetensors (a few KB)

- nn.Embedding(12, 5, padding_idx=0): weight, ids [3, 6] with padding and repeated ids, forward output,
  and weight.grad for the upstream gradient `upstream` (dense, PyTorch's default), so the padding row's
  zero gradient and the summing of repeated ids are checked.
- The masked mean over the time axis of that output (Keras' GlobalAveragePooling1D with mask_zero),
  written out with torch ops, and its gradient with respect to the weight.
- torch.optim.SparseAdam on nn.Embedding(12, 5, sparse=True): three steps on different id batches,
  the weight after each step (lazy Adam: rows absent from a batch keep their moments).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io  # noqa: E402

torch.manual_seed(7)
root = os.path.join(os.path.dirname(__file__), "..", "..")
out = os.path.join(root, "tests", "Nabla.Tests", "Nn", "fixtures", "embedding.safetensors")

t = {}
emb = torch.nn.Embedding(12, 5, padding_idx=0)
t["weight"] = emb.weight.detach().clone()
ids = torch.tensor([[3, 7, 3, 11, 0, 0], [5, 5, 5, 2, 9, 0], [0, 0, 0, 0, 0, 0]])
t["ids"] = ids.float()
y = emb(ids)
t["output"] = y.detach().clone()
upstream = torch.randn(3, 6, 5)
t["upstream"] = upstream
(y * upstream).sum().backward()
t["weight_grad"] = emb.weight.grad.detach().clone()

emb.weight.grad = None
mask = (ids != 0).float()
y = emb(ids)
counts = mask.sum(1, keepdim=True)
pooled = (y * mask.unsqueeze(2)).sum(1) / counts.clamp(min=1)
t["pooled"] = pooled.detach().clone()
pooled_upstream = torch.randn(3, 5)
t["pooled_upstream"] = pooled_upstream
(pooled * pooled_upstream).sum().backward()
t["pooled_weight_grad"] = emb.weight.grad.detach().clone()

sparse = torch.nn.Embedding(12, 5, sparse=True)
t["sparse_adam_initial"] = sparse.weight.detach().clone()
opt = torch.optim.SparseAdam(sparse.parameters(), lr=0.01)
batches = [torch.tensor([[1, 4, 4, 9]]), torch.tensor([[2, 4, 6, 6]]), torch.tensor([[9, 10, 1, 3]])]
for k, b in enumerate(batches):
    g = torch.randn(1, 4, 5)
    t[f"sparse_adam_ids_{k}"] = b.float()
    t[f"sparse_adam_upstream_{k}"] = g
    opt.zero_grad()
    (sparse(b) * g).sum().backward()
    opt.step()
    t[f"sparse_adam_weight_{k}"] = sparse.weight.detach().clone()

safetensors_io.save(out, {k: v.float() for k, v in t.items()}, {"torch": torch.__version__, "script": "bench/peers/make_text_fixtures.py"})
print(out, os.path.getsize(out), "bytes")
