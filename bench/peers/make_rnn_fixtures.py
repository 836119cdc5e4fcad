#!/usr/bin/python3
"""Writes the PyTorch reference fixtures that tests/Nabla.Tests/Nn/RecurrentPyTorchFixtureTests.cs compares against.

For nn.RNN (tanh, relu), nn.LSTM and nn.GRU with batch_first=True, 1 and 2 layers, uni- and bidirectional,
each file holds: the parameters (state-dict names, prefixed `param.`), an input x [N, T, F], per-row
lengths (packed with pack_padded_sequence(enforce_sorted=False); `_full` files use no packing), initial
states h0 (and c0), the outputs (output after pad_packed_sequence, h_n, c_n), and the gradients (prefix
`grad.`) of the scalar loss  L = sum(output * wo) + sum(h_n * wh) [+ sum(c_n * wc)]  with respect to x, h0,
c0 and every parameter. The weights wo, wh, wc are stored too.

Everything is computed in float64 from float32-representable inputs and parameters, then stored as F32, so
the fixtures are the exact results (to float32 rounding) that Nabla's float32 computation must approach.

It also writes the sequence-labelling loss fixture tests/Nabla.Tests/Nn/Losses/fixtures/cross_entropy_ignore_index.safetensors
(read by CrossEntropyIgnoreIndexTests.cs): nn.CrossEntropyLoss with ignore_index on [N, C] and [N, C, T] logits, with
and without class weights and label smoothing, reductions mean/sum/none, and the logits' gradient of each mean loss.

usage: /usr/bin/python3 bench/peers/make_rnn_fixtures.py [OUT_DIR]   (default tests/Nabla.Tests/Nn/fixtures/rnn)
"""
import os
import sys

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

N, T, F, H = 3, 5, 4, 3
LENGTHS = [5, 2, 4]  # unsorted on purpose: enforce_sorted=False


def f32(shape, gen, scale=1.0):
    """float32-representable values as float64."""
    return (torch.randn(*shape, generator=gen, dtype=torch.float32) * scale).to(torch.float64)


def make(kind, layers, bidirectional, packed, seed):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    if kind == "lstm":
        module = torch.nn.LSTM(F, H, num_layers=layers, bidirectional=bidirectional, batch_first=True)
    elif kind == "gru":
        module = torch.nn.GRU(F, H, num_layers=layers, bidirectional=bidirectional, batch_first=True)
    else:
        module = torch.nn.RNN(F, H, num_layers=layers, bidirectional=bidirectional, batch_first=True,
                              nonlinearity=kind.split("_")[1])
    # float32 initial values (PyTorch's own U(-1/sqrt(H), 1/sqrt(H))), computed in float64.
    module = module.double()
    d = 2 if bidirectional else 1
    x = f32((N, T, F), gen).requires_grad_(True)
    h0 = f32((layers * d, N, H), gen, 0.5).requires_grad_(True)
    c0 = f32((layers * d, N, H), gen, 0.5).requires_grad_(True) if kind == "lstm" else None
    wo = f32((N, T, d * H), gen)
    wh = f32((layers * d, N, H), gen)
    wc = f32((layers * d, N, H), gen) if kind == "lstm" else None
    lengths = torch.tensor(LENGTHS if packed else [T] * N)

    state = (h0, c0) if kind == "lstm" else h0
    if packed:
        packed_x = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out_packed, final = module(packed_x, state)
        output, _ = pad_packed_sequence(out_packed, batch_first=True, total_length=T)
    else:
        output, final = module(x, state)
    h_n, c_n = final if kind == "lstm" else (final, None)
    loss = (output * wo).sum() + (h_n * wh).sum()
    if c_n is not None:
        loss = loss + (c_n * wc).sum()
    loss.backward()

    tensors = {"x": x, "lengths": lengths.to(torch.float32), "h0": h0, "loss_output_weight": wo,
               "loss_h_weight": wh, "output": output, "h_n": h_n, "loss": loss.reshape(1)}
    if kind == "lstm":
        tensors.update({"c0": c0, "loss_c_weight": wc, "c_n": c_n, "grad.c0": c0.grad})
    tensors["grad.x"] = x.grad
    tensors["grad.h0"] = h0.grad
    for name, p in module.named_parameters():
        tensors["param." + name] = p
        tensors["grad." + name] = p.grad
    arrays = {k: v.detach().to(torch.float32).numpy() for k, v in tensors.items()}
    meta = {"kind": kind, "layers": layers, "bidirectional": bidirectional, "packed": packed, "hidden": H,
            "torch": torch.__version__, "script": "bench/peers/make_rnn_fixtures.py"}
    return arrays, meta


def cross_entropy_fixture(path):
    gen = torch.Generator().manual_seed(7)
    out = {}
    # [N, C] with ignored rows (the default -100, and a custom ignore_index 2 that is also a class).
    logits = f32((6, 4), gen, 2.0)
    targets = torch.tensor([1, -100, 3, 0, -100, 2])
    out["flat.logits"] = logits
    out["flat.targets"] = targets.to(torch.float32)
    for reduction in ["mean", "sum", "none"]:
        x = logits.clone().requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(x, targets, reduction=reduction)
        out[f"flat.{reduction}"] = loss.reshape(-1)
        if reduction == "mean":
            loss.backward()
            out["flat.grad"] = x.grad
    x = logits.clone().requires_grad_(True)
    custom = torch.tensor([1, 2, 3, 0, 2, 2])
    out["flat.custom_targets"] = custom.to(torch.float32)
    loss = torch.nn.functional.cross_entropy(x, custom, ignore_index=2)
    loss.backward()
    out["flat.custom_mean"] = loss.reshape(1)
    out["flat.custom_grad"] = x.grad
    # [N, C, T]: per-timestep classes, padding marked -100, with class weights and label smoothing.
    seq = f32((2, 3, 5), gen, 2.0)
    seq_targets = torch.tensor([[0, 2, 1, 1, 0], [2, 1, -100, -100, -100]])
    weight = torch.tensor([0.5, 2.0, 1.0], dtype=torch.float64)
    out["seq.logits"] = seq
    out["seq.targets"] = seq_targets.to(torch.float32)
    out["seq.weight"] = weight
    for reduction in ["mean", "sum", "none"]:
        x = seq.clone().requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(x, seq_targets, weight=weight, reduction=reduction, label_smoothing=0.1)
        out[f"seq.{reduction}"] = loss.reshape(-1) if reduction != "none" else loss
        if reduction == "mean":
            loss.backward()
            out["seq.grad"] = x.grad
    arrays = {k: v.detach().to(torch.float32).numpy() for k, v in out.items()}
    safetensors_io.save(path, arrays, {"torch": torch.__version__, "script": "bench/peers/make_rnn_fixtures.py"})


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "Nabla.Tests", "Nn", "fixtures", "rnn")
    os.makedirs(out, exist_ok=True)
    seed = 100
    written = 0
    for kind in ["rnn_tanh", "rnn_relu", "lstm", "gru"]:
        for layers in [1, 2]:
            for bidirectional in [False, True]:
                variants = [True, False] if layers == 2 and bidirectional else [True]
                for packed in variants:
                    seed += 1
                    arrays, meta = make(kind, layers, bidirectional, packed, seed)
                    name = f"{kind}_l{layers}_{'bi' if bidirectional else 'uni'}{'' if packed else '_full'}.safetensors"
                    safetensors_io.save(os.path.join(out, name), arrays, meta)
                    written += 1
    print(f"wrote {written} fixtures to {out} (torch {torch.__version__})")
    losses = os.path.join("tests", "Nabla.Tests", "Nn", "Losses", "fixtures")
    os.makedirs(losses, exist_ok=True)
    cross_entropy_fixture(os.path.join(losses, "cross_entropy_ignore_index.safetensors"))
    print(f"wrote {losses}/cross_entropy_ignore_index.safetensors")


if __name__ == "__main__":
    main()
