# Produces the PyTorch constants pasted into LossPyTorchReferenceTests.cs.
# Run: /usr/bin/python3 make_loss_reference.py   (python3-torch 1.13.1 from Debian)
import torch
import torch.nn as nn

torch.set_printoptions(precision=8)
logits = torch.tensor([[1.5, -0.3, 0.2, 2.0], [-1.0, 0.5, 0.0, 0.3], [0.7, 0.7, -2.0, 1.1]], dtype=torch.float64, requires_grad=True)
idx = torch.tensor([3, 0, 2])
w = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=torch.float64)
probs = torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]], dtype=torch.float64)

def show(name, t):
    print(name, ", ".join(f"{v:.8f}" for v in t.detach().reshape(-1).tolist()))

for red in ["mean", "sum", "none"]:
    show(f"ce_index_{red}", nn.CrossEntropyLoss(reduction=red)(logits, idx))
    show(f"ce_index_weighted_{red}", nn.CrossEntropyLoss(weight=w, reduction=red)(logits, idx))
    show(f"ce_index_weighted_smooth0.1_{red}", nn.CrossEntropyLoss(weight=w, reduction=red, label_smoothing=0.1)(logits, idx))
    show(f"ce_probs_{red}", nn.CrossEntropyLoss(reduction=red)(logits, probs))
    show(f"ce_probs_weighted_smooth0.2_{red}", nn.CrossEntropyLoss(weight=w, reduction=red, label_smoothing=0.2)(logits, probs))
    show(f"nll_weighted_{red}", nn.NLLLoss(weight=w, reduction=red)(torch.log_softmax(logits, 1), idx))

loss = nn.CrossEntropyLoss(weight=w, label_smoothing=0.1)(logits, idx)
loss.backward()
show("ce_index_weighted_smooth0.1_mean_grad", logits.grad)

p = torch.tensor([[0.9, 0.2, 0.6], [0.35, 0.05, 0.75]], dtype=torch.float64)
x = torch.tensor([[2.0, -1.5, 0.3], [-0.7, 3.0, -4.0]], dtype=torch.float64, requires_grad=True)
t = torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], dtype=torch.float64)
ts = torch.tensor([[0.8, 0.1, 0.6], [0.3, 0.0, 0.9]], dtype=torch.float64)
pw = torch.tensor([1.5, 0.5, 2.0], dtype=torch.float64)
for red in ["mean", "sum", "none"]:
    show(f"bce_{red}", nn.BCELoss(reduction=red)(p, ts))
    show(f"bcelogits_{red}", nn.BCEWithLogitsLoss(reduction=red)(x, t))
    show(f"bcelogits_posweight_soft_{red}", nn.BCEWithLogitsLoss(reduction=red, pos_weight=pw)(x, ts))
bl = nn.BCEWithLogitsLoss(pos_weight=pw)(x, ts)
bl.backward()
show("bcelogits_posweight_soft_mean_grad", x.grad)

mp = torch.tensor([0.5, -1.2, 3.0, 0.0], dtype=torch.float64)
mt = torch.tensor([1.0, -1.0, 2.5, 0.3], dtype=torch.float64)
for red in ["mean", "sum", "none"]:
    show(f"mse_{red}", nn.MSELoss(reduction=red)(mp, mt))
