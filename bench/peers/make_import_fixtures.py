"""Writes the PyTorch state dicts that tests/Nabla.Tests/IO/PyTorchImportTests.cs imports.

Run with Debian's PyTorch 1.13 (`/usr/bin/python3 bench/peers/make_import_fixtures.py`); the files go to
tests/Nabla.Tests/IO/fixtures/. Each model is the nn.Sequential twin of a Nabla model SPEC, trained a few
steps so batch norm's running statistics and num_batches_tracked (int64, shape []) are not their initial
values, then saved exactly as torch.save would hold its state_dict() — plain tensors, no Nabla metadata:
  import_mlp.safetensors        "dense(16) relu batchnorm dense(3)" on [N, 4], float32
  import_mlp_f16.safetensors    the same weights in float16 (num_batches_tracked stays int64)
  import_mlp_bf16.safetensors   … in bfloat16
  import_mlp_f64.safetensors    … in float64
  import_cnn.safetensors        "conv(4,3,pad=1) batchnorm relu maxpool(2) flatten dense(3)" on [N, 1, 8, 8]
  import_io.safetensors         the inputs (mlp_x, cnn_x) and PyTorch's eval-mode outputs for each file
                                (mlp_y, mlp_f16_y, mlp_bf16_y, mlp_f64_y, cnn_y), the reduced-precision ones
                                computed in float32 from the rounded weights, as Nabla loads them.
"""
import copy
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Nabla.Tests", "IO", "fixtures")


def train_a_little(model, x, classes, steps=5):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    y = torch.arange(x.shape[0]) % classes
    model.train()
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    model.eval()


def rounded(model, dtype):
    """A float32 copy of model whose floating-point tensors went through dtype and back."""
    twin = copy.deepcopy(model)
    twin.load_state_dict({k: (v.to(dtype).to(torch.float32) if v.is_floating_point() else v) for k, v in model.state_dict().items()})
    twin.eval()
    return twin


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    io = {}

    mlp = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.BatchNorm1d(16), nn.Linear(16, 3))
    train_a_little(mlp, torch.randn(32, 4) * 2 + 1, 3)
    x = torch.randn(5, 4)
    io["mlp_x"] = x
    with torch.no_grad():
        io["mlp_y"] = mlp(x)
        safetensors_io.save(os.path.join(OUT, "import_mlp.safetensors"), mlp.state_dict())
        for name, dtype in [("f16", torch.float16), ("bf16", torch.bfloat16), ("f64", torch.float64)]:
            state = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in mlp.state_dict().items()}
            safetensors_io.save(os.path.join(OUT, f"import_mlp_{name}.safetensors"), state)
            io[f"mlp_{name}_y"] = rounded(mlp, dtype)(x)

    cnn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 3))
    train_a_little(cnn, torch.randn(16, 1, 8, 8), 3)
    x = torch.randn(3, 1, 8, 8)
    io["cnn_x"] = x
    with torch.no_grad():
        io["cnn_y"] = cnn(x)
        safetensors_io.save(os.path.join(OUT, "import_cnn.safetensors"), cnn.state_dict())

    safetensors_io.save(os.path.join(OUT, "import_io.safetensors"), io)
    for f in sorted(os.listdir(OUT)):
        if f.startswith("import_"):
            print(f, os.path.getsize(os.path.join(OUT, f)), "bytes")


if __name__ == "__main__":
    main()
