#!/usr/bin/python3
"""Writes the PyTorch reference fixture that tests/Nabla.Tests/Nn/GraphLayerFixtureTests.cs compares against.

PyTorch Geometric is not installed here, so its three layers are written out below in plain PyTorch,
following PyG 2.5's definitions (message direction source -> target, edge_index[0] = sources):

  GCNConv   out = A_hat (x W^T) + b, A_hat = D^-1/2 (A + I) D^-1/2 with add_remaining_self_loops
            (existing loops keep their weight) and deg = weighted in-degree (PyG's gcn_norm).
  SAGEConv  out = mean_{j -> i} x_j W_l^T + b_l + x_i W_r^T  (mean over in-neighbours, 0 for none).
  GATConv   h = x W^T viewed [N, H, C]; a_src = (h * att_src).sum(-1), a_dst likewise; self loops
            removed then one added per node; e_ji = leaky_relu(a_src[j] + a_dst[i], 0.2);
            alpha = softmax of e over each target's incoming edges; out_i = sum_j alpha_ji h_j,
            concatenated [N, H*C] or averaged over heads [N, C]; + bias.

The graph has 7 nodes: directed edges, one existing self loop (node 2), a node with no incoming edge
(5) and an isolated node (6). Each configuration stores its parameters under PyG's state-dict names
(prefix `<config>.param.`), its output (`<config>.out`) and the gradients (`<config>.grad.x`,
`<config>.grad.<param>`) of L = sum(out * `<config>.wo`). Computed in float64 from
float32-representable values, stored as F32.

usage: /usr/bin/python3 bench/peers/make_graph_fixtures.py [OUT]  (default tests/Nabla.Tests/Nn/fixtures/graph_layers.safetensors)
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

torch.manual_seed(15)
N, FEATURES = 7, 5
SRC = [0, 1, 1, 2, 3, 4, 3, 5, 2, 0, 0]
DST = [1, 0, 2, 3, 1, 3, 4, 4, 2, 3, 2]
EDGE_INDEX = torch.tensor([SRC, DST])


def f32(*shape, scale=1.0):
    """Random values representable in float32, as float64."""
    return (torch.randn(*shape) * scale).float().double()


def gcn(x, p, edge_weight=None):
    src, dst = EDGE_INDEX
    w = torch.ones(src.numel(), dtype=torch.float64) if edge_weight is None else edge_weight
    loop = src == dst
    loop_w = torch.ones(N, dtype=torch.float64)
    loop_w[src[loop]] = w[loop]
    src = torch.cat([src[~loop], torch.arange(N)])
    dst = torch.cat([dst[~loop], torch.arange(N)])
    w = torch.cat([w[~loop], loop_w])
    deg = torch.zeros(N, dtype=torch.float64).index_add_(0, dst, w)
    dinv = deg.pow(-0.5)
    dinv[torch.isinf(dinv)] = 0
    norm = dinv[src] * w * dinv[dst]
    h = x @ p["lin.weight"].T
    out = torch.zeros(N, h.shape[1], dtype=torch.float64).index_add_(0, dst, norm[:, None] * h[src])
    return out + p["bias"]


def sage(x, p):
    src, dst = EDGE_INDEX
    total = torch.zeros(N, x.shape[1], dtype=torch.float64).index_add_(0, dst, x[src])
    count = torch.zeros(N, dtype=torch.float64).index_add_(0, dst, torch.ones(src.numel(), dtype=torch.float64))
    mean = total / count.clamp(min=1)[:, None]
    return mean @ p["lin_l.weight"].T + p["lin_l.bias"] + x @ p["lin_r.weight"].T


def gat(x, p, heads, channels, concat):
    src, dst = EDGE_INDEX
    keep = src != dst
    src = torch.cat([src[keep], torch.arange(N)])
    dst = torch.cat([dst[keep], torch.arange(N)])
    h = (x @ p["lin.weight"].T).view(N, heads, channels)
    a_src = (h * p["att_src"]).sum(-1)
    a_dst = (h * p["att_dst"]).sum(-1)
    e = F.leaky_relu(a_src[src] + a_dst[dst], 0.2)
    ex = torch.exp(e - e.max())  # softmax is unchanged by a shift shared within each group
    den = torch.zeros(N, heads, dtype=torch.float64).index_add_(0, dst, ex)
    alpha = ex / den[dst]
    out = torch.zeros(N, heads, channels, dtype=torch.float64).index_add_(0, dst, alpha[..., None] * h[src])
    out = out.reshape(N, heads * channels) if concat else out.mean(1)
    return out + p["bias"]


def record(tensors, name, params, forward):
    x = f32(N, FEATURES).requires_grad_(True)
    for p in params.values():
        p.requires_grad_(True)
    out = forward(x, params)
    wo = f32(*out.shape)
    (out * wo).sum().backward()
    tensors[f"{name}.x"] = x.detach()
    tensors[f"{name}.wo"] = wo
    tensors[f"{name}.out"] = out.detach()
    tensors[f"{name}.grad.x"] = x.grad
    for key, p in params.items():
        tensors[f"{name}.param.{key}"] = p.detach()
        tensors[f"{name}.grad.{key}"] = p.grad


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "Nabla.Tests", "Nn", "fixtures", "graph_layers.safetensors")
    t = {"edge_index": EDGE_INDEX.double()}
    edge_weight = (torch.rand(EDGE_INDEX.shape[1]) + 0.5).float().double()
    t["edge_weight"] = edge_weight
    record(t, "gcn", {"bias": f32(4), "lin.weight": f32(4, FEATURES, scale=0.5)}, gcn)
    record(t, "gcn_weighted", {"bias": f32(3), "lin.weight": f32(3, FEATURES, scale=0.5)}, lambda x, p: gcn(x, p, edge_weight))
    record(t, "sage", {"lin_l.weight": f32(4, FEATURES, scale=0.5), "lin_l.bias": f32(4), "lin_r.weight": f32(4, FEATURES, scale=0.5)}, sage)
    record(t, "gat_concat", {"att_src": f32(1, 3, 2), "att_dst": f32(1, 3, 2), "bias": f32(6), "lin.weight": f32(6, FEATURES, scale=0.5)},
           lambda x, p: gat(x, p, 3, 2, True))
    record(t, "gat_mean", {"att_src": f32(1, 2, 3), "att_dst": f32(1, 2, 3), "bias": f32(3), "lin.weight": f32(6, FEATURES, scale=0.5)},
           lambda x, p: gat(x, p, 2, 3, False))
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    safetensors_io.save(out_path, {k: v.float() for k, v in t.items()},
                        metadata={"script": "bench/peers/make_graph_fixtures.py", "torch": torch.__version__})
    print(f"wrote {out_path}: {len(t)} tensors")


if __name__ == "__main__":
    main()
