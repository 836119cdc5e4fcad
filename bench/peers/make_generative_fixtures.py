"""Writes the PyTorch fixtures for Nabla's ConvTranspose2d and Upsample layers.

Read by tests/Nabla.Tests/Nn/ConvTransposeUpsamplePyTorchTests.cs.
Run: /usr/bin/python3 bench/peers/make_generative_fixtures.py   (python3-torch 1.13 from Debian)
Output: tests/Nabla.Tests/Nn/fixtures/conv_transpose.safetensors and upsample.safetensors (a few KB each)

Each ConvTranspose2d case `c{k}` stores the layer's weight [in, out/groups, kH, kW] and bias, an input,
the forward output, an upstream gradient and the gradients of input, weight and bias for it; its
hyperparameters are in the metadata (`c{k}` = "in,out,kh,kw,sh,sw,ph,pw,oph,opw,dh,dw,groups,bias").
Each Upsample case `u{k}` stores input, output, upstream and input gradient; metadata `u{k}` =
"mode,align_corners,size_h,size_w,scale_h,scale_w" (0 for what is not given).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io  # noqa: E402

torch.manual_seed(11)
root = os.path.join(os.path.dirname(__file__), "..", "..")
fixtures = os.path.join(root, "tests", "Nabla.Tests", "Nn", "fixtures")

conv_cases = [
    # n, h, w, in, out, (kh, kw), (sh, sw), (ph, pw), (oph, opw), (dh, dw), groups, bias
    (2, 4, 5, 3, 4, (3, 3), (2, 2), (1, 1), (1, 1), (1, 1), 1, True),
    (2, 3, 4, 4, 6, (2, 3), (1, 2), (0, 1), (0, 1), (2, 1), 2, False),
    (1, 4, 3, 2, 3, (3, 3), (1, 1), (1, 1), (1, 1), (2, 2), 1, True),   # output padding ≥ stride (dilation 2)
    (3, 7, 7, 8, 4, (4, 4), (2, 2), (1, 1), (0, 0), (1, 1), 1, True),   # the DCGAN upsampling step
    (2, 2, 3, 6, 3, (3, 2), (3, 2), (2, 0), (2, 1), (1, 1), 3, True),   # depthwise-like groups, stride 3
]
t, meta = {}, {"torch": torch.__version__, "script": "bench/peers/make_generative_fixtures.py"}
for k, (n, h, w, cin, cout, ks, st, pad, opad, dil, groups, bias) in enumerate(conv_cases):
    layer = torch.nn.ConvTranspose2d(cin, cout, ks, stride=st, padding=pad, output_padding=opad, groups=groups, bias=bias, dilation=dil)
    x = torch.randn(n, cin, h, w, requires_grad=True)
    y = layer(x)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    p = f"c{k}."
    t[p + "weight"] = layer.weight.detach().clone()
    t[p + "x"] = x.detach().clone()
    t[p + "y"] = y.detach().clone()
    t[p + "upstream"] = g
    t[p + "x_grad"] = x.grad.detach().clone()
    t[p + "weight_grad"] = layer.weight.grad.detach().clone()
    if bias:
        t[p + "bias"] = layer.bias.detach().clone()
        t[p + "bias_grad"] = layer.bias.grad.detach().clone()
    meta[f"c{k}"] = ",".join(str(v) for v in (cin, cout, *ks, *st, *pad, *opad, *dil, groups, int(bias)))
safetensors_io.save(os.path.join(fixtures, "conv_transpose.safetensors"), {k: v.float() for k, v in t.items()}, meta)

up_cases = [
    # mode, align_corners, size, scale_factor, input shape
    ("nearest", None, None, 2.0, (2, 3, 3, 4)),
    ("nearest", None, (5, 7), None, (1, 2, 3, 4)),
    ("nearest", None, None, 1.5, (1, 2, 5, 3)),
    ("nearest", None, None, 0.5, (1, 1, 6, 5)),
    ("bilinear", False, None, 2.0, (2, 2, 3, 4)),
    ("bilinear", True, (7, 5), None, (1, 3, 4, 3)),
    ("bilinear", False, None, 0.5, (1, 2, 6, 7)),
    ("bilinear", False, None, 1.7, (1, 1, 4, 5)),
    ("bilinear", True, None, 3.0, (1, 2, 2, 3)),
    ("bilinear", False, (4, 3), None, (1, 1, 4, 3)),   # same size: a copy
]
t, meta = {}, {"torch": torch.__version__, "script": "bench/peers/make_generative_fixtures.py"}
for k, (mode, align, size, scale, shape) in enumerate(up_cases):
    layer = torch.nn.Upsample(size=size, scale_factor=scale, mode=mode, align_corners=align)
    x = torch.randn(*shape, requires_grad=True)
    y = layer(x)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    p = f"u{k}."
    t[p + "x"] = x.detach().clone()
    t[p + "y"] = y.detach().clone()
    t[p + "upstream"] = g
    t[p + "x_grad"] = x.grad.detach().clone()
    sh, sw = size if size else (0, 0)
    meta[f"u{k}"] = ",".join(str(v) for v in (mode, int(bool(align)), sh, sw, scale or 0, scale or 0))
safetensors_io.save(os.path.join(fixtures, "upsample.safetensors"), {k: v.float() for k, v in t.items()}, meta)
for name in ("conv_transpose.safetensors", "upsample.safetensors"):
    path = os.path.join(fixtures, name)
    print(path, os.path.getsize(path), "bytes")
