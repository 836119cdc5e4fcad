#!/usr/bin/python3
"""Writes the PyTorch 1.13 fixtures that tests/Nabla.Tests/Nn/AttentionConformanceTests.cs compares against.

Each case is one small safetensors file in tests/Nabla.Tests/Nn/fixtures/attention/ holding
  param.NAME        the module's state_dict (PyTorch's names, which the Nabla module must reproduce exactly),
  input.NAME        the inputs (masks too: mask.* hold booleans as 0/1 or additive floats),
  output            the forward result (and weights for MultiheadAttention when asked),
  grad_output       the seed R of the backward pass (loss = sum(output * R)),
  grad.input.NAME   and grad.param.NAME, the gradients.
Weights and inputs are drawn in float32, the forward and backward passes run in float64 on those values
(eval mode, dropout 0), and the results are stored rounded to float32, so the C# side (float32) is
compared with the exact answer for its inputs. Usage: /usr/bin/python3 bench/peers/make_attention_fixtures.py
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "Nabla.Tests", "Nn", "fixtures", "attention")
torch.manual_seed(13)


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def causal_bool(n):
    return torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)


def causal_float(n):
    return nn.Transformer.generate_square_subsequent_mask(n).to(torch.float32)


def randomize(module):
    # Non-trivial values everywhere (PyTorch zero-initializes the attention biases and sets norms to 1 and 0).
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() > 1:
                p.copy_(randn(*p.shape) * 0.5)
            elif "norm" in name and name.endswith("weight") or isinstance(module, nn.LayerNorm) and name == "weight":
                p.copy_(1 + randn(*p.shape) * 0.2)
            else:
                p.copy_(randn(*p.shape) * 0.2)
    return module


def run(name, module, inputs, masks, call, extra_outputs=None):
    """inputs: {name: float32 tensor} (get gradients); masks: {name: tensor} (no gradient); call(module, inputs64, masks) -> output"""
    module = randomize(module).eval()
    params32 = {k: v.detach().clone() for k, v in module.state_dict().items()}
    module = module.double()
    xs = {k: v.double().requires_grad_(True) for k, v in inputs.items()}
    ms = {k: (v if v.dtype == torch.bool else v.double()) for k, v in masks.items()}
    result = call(module, xs, ms)
    out, weights = result if isinstance(result, tuple) else (result, None)
    r = randn(*out.shape)
    out.backward(r.double())
    t = {f"param.{k}": v for k, v in params32.items()}
    t.update({f"input.{k}": v for k, v in inputs.items()})
    t.update({f"mask.{k}": (v.to(torch.float32)) for k, v in masks.items()})
    t["output"] = out.detach().float()
    t["grad_output"] = r
    if weights is not None:
        t["weights"] = weights.detach().float()
    t.update({f"grad.input.{k}": v.grad.float() for k, v in xs.items()})
    t.update({f"grad.param.{k}": p.grad.float() for k, p in module.named_parameters()})
    path = os.path.join(OUT, f"{name}.safetensors")
    safetensors_io.save(path, t, {"torch": torch.__version__, "script": "bench/peers/make_attention_fixtures.py"})
    print(f"{name}: {os.path.getsize(path)} bytes, {len(t)} tensors")


def main():
    os.makedirs(OUT, exist_ok=True)
    B, E, H = 2, 8, 2

    # MultiheadAttention, distinct query/key/value, additive float attn_mask and boolean key padding, head-averaged weights.
    am = randn(3, 5) * 0.5
    am[0, 4] = float("-inf")
    am[2, 0] = float("-inf")
    kpm = torch.tensor([[False, False, False, False, False], [False, False, False, True, True]])
    run("mha_cross", nn.MultiheadAttention(E, H, dropout=0.0, batch_first=True),
        {"query": randn(B, 3, E), "key": randn(B, 5, E), "value": randn(B, 5, E)},
        {"attn_mask": am, "key_padding_mask": kpm},
        lambda m, x, k: m(x["query"], x["key"], x["value"], key_padding_mask=k["key_padding_mask"], need_weights=True,
                          attn_mask=k["attn_mask"], average_attn_weights=True))

    # Self-attention (one tensor as query, key and value), boolean causal mask, per-head weights, 4 heads.
    run("mha_self", nn.MultiheadAttention(E, 4, dropout=0.0, batch_first=True),
        {"x": randn(B, 4, E)},
        {"attn_mask": causal_bool(4), "key_padding_mask": torch.tensor([[False] * 4, [False, False, False, True]])},
        lambda m, x, k: m(x["x"], x["x"], x["x"], key_padding_mask=k["key_padding_mask"], need_weights=True,
                          attn_mask=k["attn_mask"], average_attn_weights=False))

    # A [B*H, Lq, Lk] float mask and no key padding.
    run("mha_mask3d", nn.MultiheadAttention(E, H, dropout=0.0, batch_first=True),
        {"query": randn(B, 3, E), "key": randn(B, 4, E), "value": randn(B, 4, E)},
        {"attn_mask": randn(B * H, 3, 4)},
        lambda m, x, k: m(x["query"], x["key"], x["value"], need_weights=False, attn_mask=k["attn_mask"])[0])

    # Encoder layers: post-norm ReLU and pre-norm GELU, causal float src_mask and key padding.
    for norm_first, act in ((False, "relu"), (True, "gelu")):
        name = f"encoder_layer_{'pre' if norm_first else 'post'}_{act}"
        run(name, nn.TransformerEncoderLayer(E, H, dim_feedforward=16, dropout=0.0, activation=act, batch_first=True, norm_first=norm_first),
            {"src": randn(B, 5, E)},
            {"src_mask": causal_float(5), "src_key_padding_mask": torch.tensor([[False] * 5, [False, False, False, False, True]])},
            lambda m, x, k: m(x["src"], src_mask=k["src_mask"], src_key_padding_mask=k["src_key_padding_mask"]))

    # Decoder layers: causal tgt_mask, target and memory key padding.
    for norm_first, act in ((False, "relu"), (True, "gelu")):
        name = f"decoder_layer_{'pre' if norm_first else 'post'}_{act}"
        run(name, nn.TransformerDecoderLayer(E, H, dim_feedforward=16, dropout=0.0, activation=act, batch_first=True, norm_first=norm_first),
            {"tgt": randn(B, 4, E), "memory": randn(B, 5, E)},
            {"tgt_mask": causal_float(4), "tgt_key_padding_mask": torch.tensor([[False] * 4, [False, False, False, True]]),
             "memory_key_padding_mask": torch.tensor([[False] * 5, [False, False, True, True, True]])},
            lambda m, x, k: m(x["tgt"], x["memory"], tgt_mask=k["tgt_mask"], tgt_key_padding_mask=k["tgt_key_padding_mask"],
                              memory_key_padding_mask=k["memory_key_padding_mask"]))

    # A 2-layer nn.Transformer (2 encoder + 2 decoder layers, final norms).
    run("transformer", nn.Transformer(d_model=E, nhead=H, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16,
                                      dropout=0.0, batch_first=True),
        {"src": randn(B, 5, E), "tgt": randn(B, 4, E)},
        {"tgt_mask": causal_float(4), "src_key_padding_mask": torch.tensor([[False] * 5, [False, False, False, True, True]]),
         "tgt_key_padding_mask": torch.tensor([[False] * 4, [False, False, False, True]])},
        lambda m, x, k: m(x["src"], x["tgt"], tgt_mask=k["tgt_mask"], src_key_padding_mask=k["src_key_padding_mask"],
                          tgt_key_padding_mask=k["tgt_key_padding_mask"], memory_key_padding_mask=k["src_key_padding_mask"]))

    # LayerNorm over the last axis and over the last two.
    run("layer_norm", nn.LayerNorm(6), {"x": randn(2, 3, 6) * 3 + 1}, {}, lambda m, x, k: m(x["x"]))
    run("layer_norm_2d", nn.LayerNorm((3, 6), eps=1e-3), {"x": randn(2, 3, 6)}, {}, lambda m, x, k: m(x["x"]))


if __name__ == "__main__":
    main()
